package posting

import (
	"time"

	"github.com/qbosync/qbosync/internal/pms"
)

// Scope says which practice records belong in QuickBooks: what posts, and from when.
// A record already in QuickBooks always stays in scope, so that its later changes
// (a void, a correction) follow it there.
type Scope struct {
	// Start is the first day whose records post; zero when the firm set none.
	Start time.Time
	// AllUnpaidInvoices brings invoices from before the start date that were still
	// owed on when the books start, or are still unpaid now (the setting "sync all
	// unpaid invoices").
	AllUnpaidInvoices bool
	// Backfill, during a backfill, is what an operator asked to bring over: it is in
	// scope even where the settings alone would leave it out.
	Backfill *pms.BackfillFilter
}

// PostsOn says whether a record dated on belongs in QuickBooks: one already there
// (inBooks) stays; otherwise it must be dated on or after the start date.
func (s Scope) PostsOn(on time.Time, inBooks bool) bool {
	return inBooks || !on.Before(s.Start)
}

// Invoice says whether an invoice belongs in QuickBooks: one already there stays;
// otherwise an approved invoice dated on or after the start date, or, when the firm
// syncs all unpaid invoices, one from before it that was owed on when the books start
// (a receivable then: its later payments are money in the bank the books must show)
// or is still unpaid; during a backfill, also what the backfill was asked for.
func (s Scope) Invoice(st pms.InvoiceState, inBooks bool) bool {
	if inBooks {
		return true
	}
	if st.Status != "approved" {
		return false
	}
	unpaid := st.UnpaidCents > 0
	if f := s.Backfill; f != nil && (!st.IssuedOn.Before(f.Since) || (f.Unpaid && unpaid)) {
		return true
	}
	return s.PostsOn(st.IssuedOn, false) || (s.AllUnpaidInvoices && (unpaid || st.OwedAtStartCents > 0))
}
