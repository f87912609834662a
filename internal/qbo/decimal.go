package qbo

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Decimal is an exact decimal number kept as its text, for the quantities
// and rates QBO allows more than two decimals in: a line's Qty and
// UnitPrice (0.25 hours at 333.3333 an hour), an Item's UnitPrice. Money
// totals are Amounts; a Decimal is never rounded and never passes through
// float64, so a rate read from QBO is written back exactly as it was.
//
// The zero value, "", means absent: fields of this type are tagged
// omitempty, so a sparse update leaves them alone. Decimal("0") is zero.
type Decimal string

// ParseDecimal checks that s is a decimal number ("2", "-0.5",
// "333.3333", "1e2") and returns it as a Decimal.
func ParseDecimal(s string) (Decimal, error) {
	if _, _, _, err := splitDecimal(s); err != nil || strings.HasPrefix(s, "+") {
		return "", fmt.Errorf("qbo: invalid decimal %q", s)
	}
	return Decimal(s), nil
}

// DecimalOf returns the whole number n as a Decimal.
func DecimalOf(n int64) Decimal { return Decimal(strconv.FormatInt(n, 10)) }

// DecimalFromAmount returns a sum of money as a Decimal, e.g. a unit price
// that is a whole number of cents: "12.50".
func DecimalFromAmount(a Amount) Decimal { return Decimal(a.String()) }

// String returns the number's text.
func (d Decimal) String() string { return string(d) }

// rat returns d as an exact fraction.
func (d Decimal) rat() (*big.Rat, error) {
	digits, shift, neg, err := splitDecimal(string(d))
	if err != nil || strings.HasPrefix(string(d), "+") {
		return nil, fmt.Errorf("qbo: invalid decimal %q", string(d))
	}
	n, _ := new(big.Int).SetString("0"+digits, 10)
	if neg {
		n.Neg(n)
	}
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(max(shift, -shift))), nil)
	r := new(big.Rat).SetInt(n)
	if shift >= 0 {
		return r.Mul(r, new(big.Rat).SetInt(p)), nil
	}
	return r.Quo(r, new(big.Rat).SetInt(p)), nil
}

// Amount returns d as a sum of money, if it is one exactly: "12.5" is
// $12.50, "12.505" is an error, as in ParseAmount.
func (d Decimal) Amount() (Amount, error) { return ParseAmount(string(d)) }

// MulAmount returns qty × price in cents, rounded half away from zero (the
// way an invoice line's Amount follows from its Qty and UnitPrice), and
// whether the product was exact. Invalid input is an error.
func MulAmount(qty, price Decimal) (a Amount, exact bool, err error) {
	q, err := qty.rat()
	if err != nil {
		return 0, false, err
	}
	p, err := price.rat()
	if err != nil {
		return 0, false, err
	}
	cents := new(big.Rat).Mul(q, p)
	cents.Mul(cents, big.NewRat(100, 1))
	num, den := cents.Num(), cents.Denom()
	quo, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	exact = rem.Sign() == 0
	// Half away from zero: |rem|*2 >= den rounds |quo| up.
	if twice := new(big.Int).Mul(new(big.Int).Abs(rem), big.NewInt(2)); twice.Cmp(den) >= 0 {
		if num.Sign() < 0 {
			quo.Sub(quo, big.NewInt(1))
		} else {
			quo.Add(quo, big.NewInt(1))
		}
	}
	if !quo.IsInt64() {
		return 0, false, fmt.Errorf("qbo: %s × %s is out of range", qty, price)
	}
	return Amount(quo.Int64()), exact, nil
}

// MarshalJSON writes d as a JSON number, exactly as its text.
func (d Decimal) MarshalJSON() ([]byte, error) {
	if _, err := ParseDecimal(string(d)); err != nil {
		return nil, err
	}
	return []byte(d), nil
}

// UnmarshalJSON reads a JSON number, or a string holding one, keeping its
// text. JSON null leaves d unchanged.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	return unmarshalNumber(b, "decimal", ParseDecimal, d)
}
