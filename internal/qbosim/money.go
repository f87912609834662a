package qbosim

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Amounts are exact decimals. They arrive as json.Number (or numeric
// strings), are combined with math/big and leave as json.Number, so no
// float64 ever touches money.

// isDecimal reports whether s is a JSON-style decimal number: an optional
// minus, digits, an optional fraction and an optional exponent.
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - start
	}
	if digits() == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// parseDecimal turns a json.Number or numeric string into an exact rational.
func parseDecimal(v any) (*big.Rat, bool) {
	s := scalarString(v)
	if !isDecimal(s) {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// decimalScale is the number of fraction digits written in s ("85.00" -> 2).
func decimalScale(s string) int {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		end := strings.IndexAny(s, "eE")
		if end < 0 {
			end = len(s)
		}
		return end - i - 1
	}
	return 0
}

// sumDecimals adds amounts exactly; the result keeps the largest scale of
// its inputs, so 85.00 + 10 renders as 95.00.
func sumDecimals(values ...any) json.Number {
	total := new(big.Rat)
	scale := 0
	for _, v := range values {
		r, ok := parseDecimal(v)
		if !ok {
			continue
		}
		total.Add(total, r)
		if s := decimalScale(scalarString(v)); s > scale {
			scale = s
		}
	}
	return json.Number(total.FloatString(scale))
}

// compareDecimals compares two numeric values exactly.
func compareDecimals(a, b any) (int, bool) {
	ra, okA := parseDecimal(a)
	rb, okB := parseDecimal(b)
	if !okA || !okB {
		return 0, false
	}
	return ra.Cmp(rb), true
}

// Transaction amounts are whole cents (int64) from the moment they are
// validated: the ledger, balances and reports never see anything else.

// maxCents bounds an amount: QBO amounts have at most 15 digits.
const maxCents = 1_000_000_000_000_000

// parseCents reads an amount that must be exact to the cent ("12.5",
// "12.50", 1250e-2). ok is false for non-numbers; exact is false when the
// value has non-zero digits beyond the second decimal place.
func parseCents(v any) (cents int64, exact, ok bool) {
	r, ok := parseDecimal(v)
	if !ok {
		return 0, false, false
	}
	r.Mul(r, big.NewRat(100, 1))
	if !r.IsInt() || !r.Num().IsInt64() {
		return roundRat(r), false, true
	}
	return r.Num().Int64(), true, true
}

// roundRat rounds to the nearest integer, halves away from zero (how QBO
// rounds Qty * UnitPrice).
func roundRat(r *big.Rat) int64 {
	num, den := new(big.Int).Set(r.Num()), r.Denom()
	neg := num.Sign() < 0
	num.Abs(num)
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if m.Lsh(m, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	if !q.IsInt64() {
		return maxCents
	}
	return q.Int64()
}

// roundCents rounds a decimal to the cent.
func roundCents(v any) int64 {
	r, ok := parseDecimal(v)
	if !ok {
		return 0
	}
	return roundRat(r.Mul(r, big.NewRat(100, 1)))
}

// mulCents is round(qty * price) in cents.
func mulCents(qty, price any) int64 {
	q, okQ := parseDecimal(qty)
	p, okP := parseDecimal(price)
	if !okQ || !okP {
		return 0
	}
	return roundRat(q.Mul(q, p).Mul(q, big.NewRat(100, 1)))
}

// formatCents renders cents the way QBO's JSON shows amounts: like a Java
// double, so 65 dollars is 65.0, 8.50 is 8.5 and 362.07 stays 362.07. A
// client that decodes amounts into integers fails here as it would there.
func formatCents(c int64) json.Number {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	whole, frac := c/100, c%100
	switch {
	case frac == 0:
		return json.Number(sign + strconv.FormatInt(whole, 10) + ".0")
	case frac%10 == 0:
		return json.Number(sign + strconv.FormatInt(whole, 10) + "." + strconv.FormatInt(frac/10, 10))
	default:
		return json.Number(sign + strconv.FormatInt(whole, 10) + "." + fmt.Sprintf("%02d", frac))
	}
}

// reportMoney renders cents as reports do: two decimals, "1593.50".
func reportMoney(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}
