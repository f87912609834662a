package activities

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/qbosync/qbosync/internal/app"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/reconcile"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// Reconcile checks the company's books against the practice system (receivables per
// matter, bank entries per payment, trust three ways), keeps the full report as the
// company's latest (the firm's console shows the records behind each difference from
// it, as `starter reconcile` prints them) and returns the summary. It writes nothing
// else.
//
// Asked for an incremental check, it looks again only at what changed since the latest
// check and updates that report (internal/reconcile.Incremental); it runs a full pass
// instead when there is no report to update, when the report's full pass is older than
// in.FullEvery, or when the changes cannot be listed.
func (a *Activities) Reconcile(ctx context.Context, in syncapi.ReconcileInput) (reconcile.Summary, error) {
	scope := store.Scope{FirmID: in.FirmID, RealmID: in.RealmID}
	qc, err := a.QBO.Client(ctx, in.FirmID, in.RealmID)
	if err != nil {
		return reconcile.Summary{}, classify(ctx, a.Store, scope, err)
	}
	started := time.Now()
	r, err := a.checkBooks(ctx, qc, scope, in, started)
	if err != nil {
		return reconcile.Summary{}, classify(ctx, a.Store, scope, err)
	}
	report, err := json.Marshal(r)
	if err != nil {
		return reconcile.Summary{}, err
	}
	if err := a.Store.SaveReconciliation(ctx, scope, store.StoredReconciliation{CheckedAt: started, OK: r.OK(), Report: report}); err != nil {
		return reconcile.Summary{}, err
	}
	sum := r.Summary()
	a.Metrics.Reconciled(in.FirmID, sum)
	return sum, nil
}

// checkBooks runs the incremental check asked for when the latest report allows it, else
// a full pass.
func (a *Activities) checkBooks(ctx context.Context, qc *qbo.Client, scope store.Scope, in syncapi.ReconcileInput, started time.Time) (reconcile.Report, error) {
	if in.Incremental {
		base, since, ok, err := a.incrementalBase(ctx, scope, in.FullEvery, started)
		if err != nil {
			return reconcile.Report{}, err
		}
		if ok {
			r, err := reconcile.Incremental(ctx, a.Store.DB(), qc, scope, base, since)
			if err == nil {
				return r, nil
			}
			// Whatever stopped it (QuickBooks refusing change data capture, say), a
			// full pass answers too; an error that stops it as well is reported then.
			if !errors.Is(err, reconcile.ErrNeedsFull) && a.Log != nil {
				app.ActivityLog(ctx, a.Log).Warn("incremental check of the books failed; checking in full", "firm", scope.FirmID, "error", err)
			}
		}
	}
	r, err := reconcile.Firm(ctx, a.Store.DB(), qc, scope)
	r.FullAt = started
	return r, err
}

// incrementalBase is the latest report and when its check started, if an incremental
// check may update it: it exists, reads as a report, and its full pass is younger than
// fullEvery (0: any age).
func (a *Activities) incrementalBase(ctx context.Context, scope store.Scope, fullEvery time.Duration, now time.Time) (reconcile.Report, time.Time, bool, error) {
	stored, err := a.Store.LatestReconciliation(ctx, scope)
	if errors.Is(err, store.ErrNoReconciliation) {
		return reconcile.Report{}, time.Time{}, false, nil
	}
	if err != nil {
		return reconcile.Report{}, time.Time{}, false, err
	}
	var base reconcile.Report
	if err := json.Unmarshal(stored.Report, &base); err != nil || base.FullAt.IsZero() {
		return reconcile.Report{}, time.Time{}, false, nil // saved before incremental checks: start with a full pass
	}
	if fullEvery > 0 && now.Sub(base.FullAt) >= fullEvery {
		return reconcile.Report{}, time.Time{}, false, nil
	}
	return base, stored.CheckedAt, true, nil
}
