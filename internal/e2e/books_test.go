package e2e_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/qbosync/qbosync/internal/app"
	"github.com/qbosync/qbosync/internal/pms/seed"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/reconcile"
	"github.com/qbosync/qbosync/workflows"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// An amount edited by hand in QuickBooks shows once the next change is synced: the
// check owed after that cycle is incremental, finds the edit through QuickBooks' change
// data capture, and updates the saved report of the full pass before it.
func TestIncrementalCheckFindsAHandEditAfterTheNextChange(t *testing.T) {
	s := newStack(t)
	ctx := t.Context()
	sum0, err := seed.Seed(ctx, s.DB, seed.Options{Size: seed.SizeSmall, Seed: 11})
	must(t, err)
	firm := sum0.FirmID
	s.connect(firm)
	go func() {
		_ = app.WakeSyncs(ctx, s.DBURL, s.Store, s.Temporal, slog.New(slog.DiscardHandler), 10*time.Millisecond)
	}()
	run, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: syncapi.SyncWorkflowID(firm, s.Realm), TaskQueue: s.Queue},
		workflows.SyncWorkflow, syncapi.SyncInput{FirmID: firm, RealmID: s.Realm, SweepInterval: time.Hour})
	must(t, err)
	t.Cleanup(func() { _ = s.Temporal.TerminateWorkflow(context.Background(), run.GetID(), "", "test done") })

	checked := func(incremental bool) func() bool {
		return func() bool {
			st := s.status(run)
			r := st.Reconciliation
			return r != nil && r.Incremental == incremental && !st.ReconciledAt.Before(st.LastRunAt) && waitingForChanges(st)
		}
	}
	waitLong(t, "the first sync and its full check", checked(false))
	full := s.status(run).Reconciliation
	if full.MattersDiffering != 0 {
		t.Fatalf("the first check found %+v; want every synced matter to agree", full)
	}

	// A bookkeeper raises a synced invoice by $50 in QuickBooks.
	var inv struct {
		ID     int64  `db:"id"`
		Matter int64  `db:"matter_id"`
		QBOID  string `db:"qbo_id"`
	}
	must(t, s.DB.Get(&inv, `SELECT i.id, i.matter_id, x.qbo_id FROM invoices i
		JOIN qbo_id_map x ON x.firm_id = i.firm_id AND x.kind = 'invoice' AND x.source_key = i.id::text
		WHERE i.firm_id = $1 AND i.status = 'approved' ORDER BY i.id LIMIT 1`, firm))
	qc, err := s.factory.Client(ctx, firm, s.Realm)
	must(t, err)
	q, err := qbo.Get[qbo.Invoice](ctx, qc, inv.QBOID)
	must(t, err)
	var lines []qbo.Line
	raised := false
	for _, l := range q.Line {
		if l.DetailType == qbo.SalesItemLine {
			if raised {
				lines = append(lines, l)
				continue
			}
			raised = true
			l.Amount += 5000
			if d := l.SalesItemLineDetail; d != nil {
				d.Qty, d.UnitPrice = "", "" // the amount alone, as one types it
			}
			lines = append(lines, l)
		}
	}
	must(t, qc.Update(ctx, "Invoice", qbo.Invoice{ID: q.ID, SyncToken: q.SyncToken, Sparse: true, Line: lines}, qbo.RequestID("hand edit", q.ID), nil))

	// Then a new client arrives in the practice system: the sync writes it, and checks
	// what changed.
	_, err = s.DB.Exec(`INSERT INTO clients (firm_id, client_number, kind, name) VALUES ($1, 'H-1', 'person', 'After The Edit')`, firm)
	must(t, err)
	waitLong(t, "the incremental check after the new client", checked(true))
	st := s.status(run)
	if r := st.Reconciliation; r.MattersDiffering != 1 || r.ReceivablesDifferenceCents != 5000 || st.Status != syncapi.StatusBooksDiffer {
		t.Fatalf("after the hand edit: status %q, %+v; want books_differ on one matter by $50", st.Status, r)
	}
	stored, err := s.Store.LatestReconciliation(ctx, scopeOf(s, firm))
	must(t, err)
	var report reconcile.Report
	must(t, json.Unmarshal(stored.Report, &report))
	if report.Incremental == nil || report.FullAt.IsZero() || !report.FullAt.Before(stored.CheckedAt) {
		t.Errorf("saved report: incremental %+v, full pass at %v, checked at %v; want an incremental check on an earlier full pass",
			report.Incremental, report.FullAt, stored.CheckedAt)
	}
	if m := report.Receivables.Matters; len(m) != 1 || m[0].MatterID != inv.Matter {
		t.Errorf("saved report names matters %+v; want matter %d alone", m, inv.Matter)
	}
}
