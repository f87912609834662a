package activities

import (
	"context"

	"github.com/qbosync/qbosync/internal/reconcile"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// Reconcile checks the company's books against the practice system (receivables per
// matter, trust three ways) and returns the summary; the detail is for `starter
// reconcile`, which prints every record behind a difference. It only reads.
func (a *Activities) Reconcile(ctx context.Context, in syncapi.ReconcileInput) (reconcile.Summary, error) {
	scope := store.Scope{FirmID: in.FirmID, RealmID: in.RealmID}
	qc, err := a.QBO.Client(ctx, in.FirmID, in.RealmID)
	if err != nil {
		return reconcile.Summary{}, classify(ctx, a.Store, scope, err)
	}
	r, err := reconcile.Firm(ctx, a.Store.DB(), qc, scope)
	if err != nil {
		return reconcile.Summary{}, classify(ctx, a.Store, scope, err)
	}
	sum := r.Summary()
	a.Metrics.Reconciled(in.FirmID, sum)
	return sum, nil
}
