package qbo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Amount is a sum of money in cents.
//
// QBO writes money as JSON numbers (1675, 1675.5, 123.45). Decoding those
// into a float64 would turn 0.1+0.2 into 0.30000000000000004 and, sooner or
// later, a ledger that is off by a cent. Amount instead reads the number's
// text and converts it to whole cents exactly, so a value survives a round
// trip through QBO unchanged.
//
// Amount(1234) is $12.34. The zero value is zero dollars.
type Amount int64

// maxAmountDigits bounds the number of significant digits ParseAmount will
// consider; int64 cents hold at most 19.
const maxAmountDigits = 19

// ParseAmount parses a decimal number such as "1675", "-12.5" or "123.45"
// into cents. It accepts the JSON number grammar, including an exponent.
// A value with non-zero digits beyond the second decimal place is an error:
// rounding money silently is never right. Trailing zeros ("1.500") are
// exact and therefore accepted.
func ParseAmount(s string) (Amount, error) {
	digits, shift, neg, err := splitDecimal(s)
	if err != nil {
		return 0, fmt.Errorf("qbo: invalid amount %q: %v", s, err)
	}
	// The value is digits × 10^shift dollars; we want cents.
	shift += 2
	if shift < 0 {
		drop := -shift
		if drop >= len(digits) {
			if strings.Trim(digits, "0") != "" {
				return 0, fmt.Errorf("qbo: amount %q has more than two decimal places", s)
			}
			return 0, nil
		}
		if strings.Trim(digits[len(digits)-drop:], "0") != "" {
			return 0, fmt.Errorf("qbo: amount %q has more than two decimal places", s)
		}
		digits = digits[:len(digits)-drop]
		shift = 0
	}
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return 0, nil
	}
	if len(digits)+shift > maxAmountDigits {
		return 0, fmt.Errorf("qbo: amount %q is out of range", s)
	}
	digits += strings.Repeat("0", shift)
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n > 1<<63-1 && !(neg && n == 1<<63) {
		return 0, fmt.Errorf("qbo: amount %q is out of range", s)
	}
	if neg {
		return Amount(-n), nil // also correct for n == 1<<63
	}
	return Amount(n), nil
}

// splitDecimal breaks a JSON-style number into its significant digits and a
// power of ten: s == ±digits × 10^shift.
func splitDecimal(s string) (digits string, shift int, neg bool, err error) {
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	mant, exp, hasExp := strings.Cut(strings.ToLower(s), "e")
	whole, frac, _ := strings.Cut(mant, ".")
	if whole == "" && frac == "" || !allDigits(whole) || !allDigits(frac) {
		return "", 0, false, errors.New("not a decimal number")
	}
	if hasExp {
		e, err := strconv.Atoi(strings.TrimPrefix(exp, "+"))
		if err != nil || e > 1000 || e < -1000 {
			return "", 0, false, errors.New("bad exponent")
		}
		shift = e
	}
	return whole + frac, shift - len(frac), neg, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Cents returns a as a whole number of cents.
func (a Amount) Cents() int64 { return int64(a) }

// String formats a with exactly two decimals, e.g. "-12.50".
func (a Amount) String() string {
	whole, cents, neg := a.split()
	sign := ""
	if neg {
		sign = "-"
	}
	return fmt.Sprintf("%s%d.%02d", sign, whole, cents)
}

// split returns the absolute dollars and cents of a.
func (a Amount) split() (whole, cents uint64, neg bool) {
	u := uint64(a)
	if a < 0 {
		neg, u = true, -u
	}
	return u / 100, u % 100, neg
}

// MarshalJSON writes a as a JSON number: whole amounts without decimals
// (1675), others with two (1675.50).
func (a Amount) MarshalJSON() ([]byte, error) {
	if _, cents, _ := a.split(); cents == 0 {
		return strconv.AppendInt(nil, int64(a)/100, 10), nil
	}
	return []byte(a.String()), nil
}

// UnmarshalJSON reads a JSON number, or a string holding one, without
// passing through float64. JSON null leaves a unchanged.
func (a *Amount) UnmarshalJSON(b []byte) error {
	return unmarshalNumber(b, "amount", ParseAmount, a)
}

// unmarshalNumber reads a JSON number, or a string holding one (some QBO
// fields, e.g. LineEx values, carry numbers as strings), from its text
// with parse into *dst. JSON null leaves *dst unchanged.
func unmarshalNumber[T any](b []byte, what string, parse func(string) (T, error), dst *T) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	text := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &text); err != nil {
			return fmt.Errorf("qbo: %s: %v", what, err)
		}
	}
	v, err := parse(text)
	if err != nil {
		return err
	}
	*dst = v
	return nil
}
