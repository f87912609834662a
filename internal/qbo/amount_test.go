package qbo

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want Amount
	}{
		{"0", 0},
		{"1675", 167500},
		{"1675.5", 167550},
		{"123.45", 12345},
		{"0.1", 10},
		{"0.30", 30},
		{"-0.05", -5},
		{"-12.5", -1250},
		{"+7", 700},
		{".5", 50},
		{"5.", 500},
		{"1.500", 150}, // trailing zeros are exact
		{"0.000", 0},
		{"1e2", 10000},
		{"1.5E1", 1500},
		{"12345e-2", 12345},
		{"0.001e1", 1},
		{"0e5", 0},
		{"0.0000e-9", 0},
		{"00012.30", 1230},
		{"12345678901234567.89", 1234567890123456789},
		{"92233720368547758.07", math.MaxInt64},
		{"-92233720368547758.08", math.MinInt64},
	}
	for _, tt := range tests {
		got, err := ParseAmount(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseAmountErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"1.005", "more than two decimal places"},
		{"123.456", "more than two decimal places"},
		{"1e-3", "more than two decimal places"},
		{"0.0001e1", "more than two decimal places"},
		{"92233720368547758.08", "out of range"},
		{"-92233720368547758.09", "out of range"},
		{"1e30", "out of range"},
		{"", "invalid amount"},
		{"-", "invalid amount"},
		{".", "invalid amount"},
		{"abc", "invalid amount"},
		{"1.2.3", "invalid amount"},
		{"--1", "invalid amount"},
		{"1,000.00", "invalid amount"},
		{"1e", "invalid amount"},
		{"1e99999", "invalid amount"},
		{"NaN", "invalid amount"},
	}
	for _, tt := range tests {
		got, err := ParseAmount(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseAmount(%q) = %d, %v; want error containing %q", tt.in, got, err, tt.want)
		}
	}
}

// TestAmountNoFloatError shows the point of Amount: the float64 sum of the
// JSON numbers 0.1 and 0.2 is not 0.3, the Amount sum is.
func TestAmountNoFloatError(t *testing.T) {
	var f struct{ A, B, C float64 }
	var a struct{ A, B, C Amount }
	body := []byte(`{"A":0.1,"B":0.2,"C":0.3}`)
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatal(err)
	}
	if f.A+f.B == f.C {
		t.Fatal("float64 arithmetic unexpectedly exact; the test no longer shows anything")
	}
	if a.A+a.B != a.C || a.C != 30 {
		t.Errorf("Amount: %d + %d = %d, want %d", a.A, a.B, a.A+a.B, a.C)
	}
	// Summing many cents stays exact where float64 drifts.
	var sum Amount
	for range 1000 {
		var x Amount
		if err := json.Unmarshal([]byte("0.01"), &x); err != nil {
			t.Fatal(err)
		}
		sum += x
	}
	if sum != 1000 {
		t.Errorf("1000 × 0.01 = %v, want 10.00", sum)
	}
}

func TestAmountJSON(t *testing.T) {
	tests := []struct {
		a    Amount
		json string
	}{
		{0, "0"},
		{167500, "1675"},
		{167550, "1675.50"},
		{12345, "123.45"},
		{-5, "-0.05"},
		{-100, "-1"},
		{math.MaxInt64, "92233720368547758.07"},
		{math.MinInt64, "-92233720368547758.08"},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.a)
		if err != nil || string(b) != tt.json {
			t.Errorf("Marshal(%d) = %s, %v; want %s", tt.a, b, err, tt.json)
		}
		var back Amount
		if err := json.Unmarshal(b, &back); err != nil || back != tt.a {
			t.Errorf("Unmarshal(%s) = %d, %v; want %d", b, back, err, tt.a)
		}
	}
}

func TestAmountUnmarshalForms(t *testing.T) {
	var v struct {
		Number, String, Null Amount
		Ptr                  *Amount
		Absent               *Amount
	}
	v.Null = 42
	err := json.Unmarshal([]byte(`{"Number":1675.5,"String":"123.45","Null":null,"Ptr":0}`), &v)
	if err != nil {
		t.Fatal(err)
	}
	if v.Number != 167550 || v.String != 12345 || v.Null != 42 {
		t.Errorf("got %+v", v)
	}
	if v.Ptr == nil || *v.Ptr != 0 || v.Absent != nil {
		t.Errorf("zero must be distinguishable from absent: Ptr=%v Absent=%v", v.Ptr, v.Absent)
	}

	err = json.Unmarshal([]byte(`{"Number":12.345}`), &v)
	if err == nil || !strings.Contains(err.Error(), `"12.345" has more than two decimal places`) {
		t.Errorf("3 decimals: err = %v", err)
	}
	err = json.Unmarshal([]byte(`{"Number":true}`), &v)
	if err == nil || !strings.Contains(err.Error(), "true") {
		t.Errorf("a bool: err = %v, want it to say what was received", err)
	}
}

func TestAmountString(t *testing.T) {
	for a, want := range map[Amount]string{0: "0.00", 5: "0.05", -5: "-0.05", 167550: "1675.50", -123456: "-1234.56"} {
		if got := a.String(); got != want {
			t.Errorf("Amount(%d).String() = %q, want %q", a, got, want)
		}
	}
	if got := Amount(1234).Cents(); got != 1234 {
		t.Errorf("Cents() = %d", got)
	}
}

func FuzzAmountRoundTrip(f *testing.F) {
	for _, c := range []int64{0, 1, -1, 99, 100, 167550, math.MaxInt64, math.MinInt64} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, cents int64) {
		a := Amount(cents)
		b, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		var back Amount
		if err := json.Unmarshal(b, &back); err != nil || back != a {
			t.Fatalf("%d -> %s -> %d, %v", a, b, back, err)
		}
		if p, err := ParseAmount(a.String()); err != nil || p != a {
			t.Fatalf("%d -> %q -> %d, %v", a, a.String(), p, err)
		}
	})
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"1675.5", "-0.05", "1e2", "1.005", "abc", ".", "9e18"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAmount(s)
		if err != nil {
			return
		}
		// Whatever parses must print and parse back to the same cents.
		if back, err := ParseAmount(a.String()); err != nil || back != a {
			t.Fatalf("%q -> %d -> %q -> %d, %v", s, a, a.String(), back, err)
		}
	})
}
