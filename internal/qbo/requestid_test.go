package qbo

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

func TestRequestIDDeterministic(t *testing.T) {
	a := RequestID("invoice", "42", "v7")
	if b := RequestID("invoice", "42", "v7"); a != b {
		t.Fatalf("same parts gave %q and %q", a, b)
	}
	if len(a) != 32 || len(a) > MaxBatchRequestIDLen || len(a) > MaxRequestIDLen {
		t.Errorf("len(%q) = %d, want 32 (≤ %d for batch)", a, len(a), MaxBatchRequestIDLen)
	}
	if _, err := hex.DecodeString(a); err != nil {
		t.Errorf("%q is not hex: %v", a, err)
	}
}

// TestRequestIDFormat pins the derivation. Changing it would give every
// write in flight during a deploy a new ID, so QBO would no longer see a
// retry as the same request.
func TestRequestIDFormat(t *testing.T) {
	sum := sha256.Sum256([]byte("7:invoice2:42"))
	if got, want := RequestID("invoice", "42"), hex.EncodeToString(sum[:])[:32]; got != want {
		t.Errorf("RequestID(invoice, 42) = %q, want %q", got, want)
	}
}

func TestRequestIDUnambiguous(t *testing.T) {
	sets := [][]string{
		{"ab", "c"}, {"a", "bc"}, {"abc"},
		{"a", ""}, {"a"}, {"", "a"},
		{}, {""}, {"", ""},
		{"1:a"}, {"a:1"},
		{"invoice", "42", "v7"}, {"invoice", "42", "v8"}, {"payment", "42", "v7"},
	}
	seen := map[string][]string{}
	for _, parts := range sets {
		id := RequestID(parts...)
		if prev, dup := seen[id]; dup {
			t.Errorf("RequestID(%q) == RequestID(%q) == %q", parts, prev, id)
		}
		seen[id] = parts
	}
}
