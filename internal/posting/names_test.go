package posting_test

import (
	"testing"

	"github.com/qbosync/qbosync/internal/posting"
)

func TestCleanNameDropsWhatQuickBooksCannotShowOrWouldReorder(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Namesake Test Co", "Namesake Test Co"},
		{"  Namesake  Test\tCo\n", "Namesake Test Co"},
		{"Acme: Litigation", "Acme - Litigation"},
		{"Evil\u202eoC", "EviloC"},                   // right-to-left override
		{"A\u2066B\u2069C", "ABC"},                   // isolates
		{"Zero\u200bWidth\ufeff", "ZeroWidth"},       // zero width space, BOM
		{"\x1b]0;pwned\x07Hall", "]0;pwnedHall"},     // ESC and BEL dropped
		{"Line\u0085Next\u2028Sep", "Line Next Sep"}, // NEL and line separator are white space
		{"Müller & Söhne", "Müller & Söhne"},
		{"José Núñez", "José Núñez"},
	} {
		if got := posting.CleanName(tc.in); got != tc.want {
			t.Errorf("CleanName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSameNameIsQuickBooksNameEquality(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"Namesake Test Co", "Namesake  Test Co", true},
		{"Namesake Test Co", "Namesake\tTest Co", true},
		{"Namesake Test Co", "NAMESAKE test co", true},
		{"Cost Advance Account", "Cost  Advance Account", true},
		{"Checking", "Check\u202eing", true},
		{"Checking", "Checking 2", false},
		{"Müller", "MÜLLER", true},
	} {
		if got := posting.SameName(tc.a, tc.b); got != tc.same {
			t.Errorf("SameName(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
}

func TestMarkersCarryTheFirm(t *testing.T) {
	ours := posting.Marker(7, posting.KindClient, 12)
	if ours != "qbosync:client:12/f7" {
		t.Fatalf("Marker = %q", ours)
	}
	for _, other := range []string{
		posting.Marker(71, posting.KindClient, 12), // another firm whose id starts the same
		posting.Marker(8, posting.KindClient, 12),  // another firm, same record id
		posting.Marker(7, posting.KindClient, 123), // another record
		posting.Marker(7, posting.KindMatter, 12),  // another kind
	} {
		if posting.HasMarker("Client C-12 — synced by qbosync "+other, ours) {
			t.Errorf("the marker %q is found in notes carrying %q", ours, other)
		}
		if !posting.HasAnyMarker(other) {
			t.Errorf("HasAnyMarker(%q) = false", other)
		}
	}
	if !posting.HasMarker("Client C-12 — synced by qbosync "+ours, ours) {
		t.Error("the marker is not found in its own notes")
	}
	if posting.HasAnyMarker("A customer the firm made by hand") {
		t.Error("HasAnyMarker finds a marker in plain notes")
	}
}
