package activities

import (
	"context"
	"encoding/json"
	"time"

	"github.com/qbosync/qbosync/internal/reconcile"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// Reconcile checks the company's books against the practice system (receivables per
// matter, trust three ways), keeps the full report as the company's latest (the
// firm's console shows the records behind each difference from it, as `starter
// reconcile` prints them) and returns the summary. It writes nothing else.
func (a *Activities) Reconcile(ctx context.Context, in syncapi.ReconcileInput) (reconcile.Summary, error) {
	scope := store.Scope{FirmID: in.FirmID, RealmID: in.RealmID}
	qc, err := a.QBO.Client(ctx, in.FirmID, in.RealmID)
	if err != nil {
		return reconcile.Summary{}, classify(ctx, a.Store, scope, err)
	}
	started := time.Now()
	r, err := reconcile.Firm(ctx, a.Store.DB(), qc, scope)
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
