package main

import "testing"

// The wizard refuses to serve its admin endpoints where firms reach it.
func TestSameAddress(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"127.0.0.1:8090", "127.0.0.1:8090", true},
		{":8090", "127.0.0.1:8090", true},
		{"0.0.0.0:8090", "10.1.2.3:8090", true},
		{"127.0.0.1:9465", "0.0.0.0:8090", false},
		{"127.0.0.1:8090", "10.1.2.3:8090", false},
		{"", "127.0.0.1:8090", false},
	} {
		if got := sameAddress(tc.a, tc.b); got != tc.same {
			t.Errorf("sameAddress(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
}
