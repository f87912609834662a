package names_test

import (
	"testing"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/qbo"
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
		if got := names.Clean(tc.in); got != tc.want {
			t.Errorf("CleanName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Text that is not a name keeps its colons; the rest of the rule is Clean's.
func TestCleanTextKeepsColons(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Write-off: goodwill", "Write-off: goodwill"},
		{"  Retainer\treplenishment\n", "Retainer replenishment"},
		{"Evil\u202eoC: memo", "EviloC: memo"},
	} {
		if got := names.CleanText(tc.in); got != tc.want {
			t.Errorf("CleanText(%q) = %q, want %q", tc.in, got, tc.want)
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
		if got := names.Same(tc.a, tc.b); got != tc.same {
			t.Errorf("SameName(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
}

func TestMarkersCarryTheFirm(t *testing.T) {
	ours := names.Marker(7, "client", 12)
	if ours != "qbosync:client:12/f7" {
		t.Fatalf("Marker = %q", ours)
	}
	for _, other := range []string{
		names.Marker(71, "client", 12), // another firm whose id starts the same
		names.Marker(8, "client", 12),  // another firm, same record id
		names.Marker(7, "client", 123), // another record
		names.Marker(7, "matter", 12),  // another kind
	} {
		if qbo.HasMarker("Client C-12 — synced by qbosync "+other, ours) {
			t.Errorf("the marker %q is found in notes carrying %q", ours, other)
		}
		if !names.HasAnyMarker(other) {
			t.Errorf("HasAnyMarker(%q) = false", other)
		}
	}
	if !qbo.HasMarker("Client C-12 — synced by qbosync "+ours, ours) {
		t.Error("the marker is not found in its own notes")
	}
	if names.HasAnyMarker("A customer the firm made by hand") {
		t.Error("HasAnyMarker finds a marker in plain notes")
	}
}
