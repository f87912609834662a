package qbosim

import (
	"encoding/json"
	"math/big"
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
