package reconcile_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/reconcile"
)

// raiseInQBO raises an invoice's amount in QuickBooks by cents, as a bookkeeper editing
// it there would.
func (e *env) raiseInQBO(c candidate, cents int64) {
	e.t.Helper()
	inv, err := qbo.Get[qbo.Invoice](e.ctx, e.QC, e.mapping("invoice", strconv.FormatInt(c.Invoice, 10)).QBOID)
	e.must(err)
	var lines []qbo.Line
	for _, l := range inv.Line {
		if l.DetailType == qbo.SalesItemLine {
			l.Amount += qbo.Amount(cents)
			lines = append(lines, l)
		}
	}
	e.update("Invoice", qbo.Invoice{ID: inv.ID, SyncToken: inv.SyncToken, Sparse: true, Line: lines}, nil)
}

func differingMatters(r reconcile.Report) []int64 {
	var ids []int64
	for _, m := range r.Receivables.Matters {
		ids = append(ids, m.MatterID)
	}
	return ids
}

// An incremental check finds an amount edited by hand in QuickBooks on a record changed
// since the last check, in a request or two, and carries over what the last check found
// elsewhere; a difference on a record it does not look at again is the full pass's to
// find.
func TestIncrementalCheckFindsWhatChangedAndTheFullPassTheRest(t *testing.T) {
	e := newEnv(t)
	e.seedFirm()
	e.postAll()
	p := &picker{e: e, used: map[int64]bool{}}

	// Found by the full pass, on a matter nothing touches afterwards.
	carried := p.pick(untouchedInvoices)
	e.raiseInQBO(carried, 1000)

	// An hour later the books are checked in full, and the check's report is saved.
	checkedAt := e.later(time.Hour)
	full, err := reconcile.Firm(e.ctx, e.DB, e.QC, e.Scope)
	require.NoError(t, err)
	require.Equal(t, []int64{carried.Matter}, differingMatters(full))
	full.FullAt = checkedAt
	saved, err := json.Marshal(full)
	require.NoError(t, err)
	var base reconcile.Report
	require.NoError(t, json.Unmarshal(saved, &base))

	// Then a bookkeeper raises an invoice by $50 in QuickBooks, and a practice invoice
	// changes without anything recording it (a restore, say): no updated_at moves.
	edited := p.pick(untouchedInvoices)
	e.later(time.Minute)
	e.raiseInQBO(edited, 5000)
	unseen := p.pick(untouchedInvoices)
	_, err = e.DB.Exec(`UPDATE invoices SET total_cents = total_cents + 700 WHERE id = $1`, unseen.Invoice)
	require.NoError(t, err)

	e.Sim.ResetStats(e.Scope.RealmID)
	inc, err := reconcile.Incremental(e.ctx, e.DB, e.QC, e.Scope, base, checkedAt)
	require.NoError(t, err)
	requests := e.Sim.Stats(e.Scope.RealmID).Requests
	assert.LessOrEqual(t, requests, 2, "change data capture, and at most the payments behind the one difference")
	require.NotNil(t, inc.Incremental)
	assert.Equal(t, 1, inc.Incremental.Matters, "only the edited invoice's matter is checked again")
	assert.False(t, inc.Incremental.Trust)
	assert.True(t, checkedAt.Equal(inc.FullAt), "the full pass behind it")
	assert.ElementsMatch(t, []int64{carried.Matter, edited.Matter}, differingMatters(inc), "the edit found, the full pass's difference kept")
	for _, m := range inc.Receivables.Matters {
		if m.MatterID == edited.Matter {
			assert.Equal(t, qbo.Amount(5000), m.Difference())
			require.NotEmpty(t, m.Invoices[0].Causes)
			assert.Contains(t, m.Invoices[0].Causes[0].Why, "changed in QuickBooks")
		}
	}
	assert.Equal(t, qbo.Amount(6000), inc.Receivables.QBOOpen-inc.Receivables.PMSUnpaid,
		"QuickBooks' open total is the practice's plus both differences")
	assert.True(t, inc.Summary().Incremental)

	// The full pass finds the change the incremental check could not see.
	again, err := reconcile.Firm(e.ctx, e.DB, e.QC, e.Scope)
	require.NoError(t, err)
	assert.ElementsMatch(t, []int64{carried.Matter, edited.Matter, unseen.Matter}, differingMatters(again))
	assert.Greater(t, e.Sim.Stats(e.Scope.RealmID).Requests-requests, requests, "the full pass reads more")
}

// Changes older than QuickBooks' change data capture reaches, or settings that changed
// what is checked, need a full pass.
func TestIncrementalCheckAsksForAFullPassWhenItCannotStandIn(t *testing.T) {
	e := newEnv(t)
	e.seedFirm()
	base := reconcile.Report{Scope: e.Scope}
	_, err := reconcile.Incremental(e.ctx, e.DB, e.QC, e.Scope, base, time.Now().Add(-31*24*time.Hour))
	assert.ErrorIs(t, err, reconcile.ErrNeedsFull)
	base.TrustSkipped = true // the firm syncs trust now
	_, err = reconcile.Incremental(e.ctx, e.DB, e.QC, e.Scope, base, time.Now())
	assert.ErrorIs(t, err, reconcile.ErrNeedsFull)
}
