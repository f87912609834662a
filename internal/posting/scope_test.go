package posting_test

import (
	"testing"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
)

func TestScopeInvoice(t *testing.T) {
	start := day("2026-01-01")
	state := func(status, issued string, unpaid int64) pms.InvoiceState {
		return pms.InvoiceState{Status: status, IssuedOn: day(issued), UnpaidCents: unpaid}
	}
	cases := []struct {
		name    string
		scope   posting.Scope
		st      pms.InvoiceState
		inBooks bool
		want    bool
	}{
		{"approved on the start date", posting.Scope{Start: start}, state("approved", "2026-01-01", 0), false, true},
		{"approved the day before, paid", posting.Scope{Start: start, AllUnpaidInvoices: true}, state("approved", "2025-12-31", 0), false, false},
		{"approved the day before, unpaid, all unpaid on", posting.Scope{Start: start, AllUnpaidInvoices: true}, state("approved", "2025-12-31", 1), false, true},
		{"approved the day before, unpaid, all unpaid off", posting.Scope{Start: start}, state("approved", "2025-12-31", 1), false, false},
		{"approved before, paid off after the start: owed on at the start, so in", posting.Scope{Start: start, AllUnpaidInvoices: true},
			pms.InvoiceState{Status: "approved", IssuedOn: day("2025-11-01"), OwedAtStartCents: 5}, false, true},
		{"the same without all unpaid: out", posting.Scope{Start: start},
			pms.InvoiceState{Status: "approved", IssuedOn: day("2025-11-01"), OwedAtStartCents: 5}, false, false},
		{"already in the books stays, whatever its date", posting.Scope{Start: start}, state("approved", "2020-01-01", 0), true, true},
		{"a draft never", posting.Scope{Start: start, AllUnpaidInvoices: true}, state("draft", "2026-02-01", 100), false, false},
		{"no start date: everything approved", posting.Scope{}, state("approved", "1999-01-01", 0), false, true},
		{"a backfill since a day before the start", posting.Scope{Start: start, Backfill: &pms.BackfillFilter{Since: day("2025-06-01")}},
			state("approved", "2025-06-01", 0), false, true},
		{"a backfill of unpaid ones", posting.Scope{Start: start, Backfill: &pms.BackfillFilter{Since: start, Unpaid: true}},
			state("approved", "2024-06-01", 5), false, true},
		{"a backfill does not bring a paid one from before it", posting.Scope{Start: start, Backfill: &pms.BackfillFilter{Since: day("2025-06-01"), Unpaid: true}},
			state("approved", "2025-05-31", 0), false, false},
	}
	for _, c := range cases {
		if got := c.scope.Invoice(c.st, c.inBooks); got != c.want {
			t.Errorf("%s: Invoice = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestScopePostsOn(t *testing.T) {
	s := posting.Scope{Start: day("2026-01-01")}
	if s.PostsOn(day("2025-12-31"), false) || !s.PostsOn(day("2026-01-01"), false) || !s.PostsOn(day("2025-12-31"), true) {
		t.Error("PostsOn: want the start date in, the day before out unless already in the books")
	}
}
