package workflows

import (
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/qbosync/qbosync/workflows/syncapi"
)

// pendingActivity bounds the look at what the categories have to do: a few queries,
// run as a local activity, inside the workflow task that the sweep's timer starts (no
// activity task to schedule, poll and complete: an idle firm's sweep is one workflow
// task).
var pendingActivity = workflow.LocalActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval: time.Second, MaximumInterval: 30 * time.Second, MaximumAttempts: 5,
		NonRetryableErrorTypes: []string{syncapi.ErrTypeNeedsReconnect, syncapi.ErrTypeBug},
	},
}

// pending is what each category has to do this cycle, by category.
type pending map[string]syncapi.CategoryPending

// pendingWork asks what the categories have to do, so that a cycle runs only those with
// work (from version 1 of "run-pending"); nil means run every category: the first
// cycle of a run (so every category, the ledger's set-up included, runs at least once
// per run), a cycle retrying failed items or following a stuck one (the stuck category
// may have had no changes, only a fault), and one-shot syncs.
func (r *syncRun) pendingWork(ctx workflow.Context, runAll bool) (pending, error) {
	first := r.sum.Cycles == r.in.Cycles
	if r.in.Once || runAll || first || workflow.GetVersion(ctx, "run-pending", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil, nil
	}
	var work []syncapi.CategoryPending
	err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, pendingActivity), syncapi.PendingActivity,
		syncapi.PendingInput{FirmID: r.in.FirmID, RealmID: r.in.RealmID, Categories: r.categories}).Get(ctx, &work)
	if err != nil {
		if isFinal(err) {
			return nil, err
		}
		workflow.GetLogger(ctx).Warn("could not tell which categories have work; running them all", "error", err)
		return nil, nil
	}
	out := pending{}
	for _, w := range work {
		out[w.Category] = w
	}
	return out, nil
}

// runs says whether category cat runs this cycle: it has changes, or items waiting for
// another record and an earlier category wrote this cycle (what they wait for may be
// in QuickBooks now).
//
// What ends a wait is an object new in QuickBooks (a matter's customer, an invoice, an
// account), never an update of one already there: a waiting item is tried again only
// when a mapping of the kinds it waits for was created since its last try (waitsOver
// in internal/syncer/engine.go). So from version 1 of "waits-end-on-new-objects" only
// a category that created or adopted objects wakes the waiting: a firm whose invoices
// are edited all day ran every waiting category's activity after each edit, for
// nothing, and a new client waited behind them.
func (p pending) runs(cat string, wrote bool) bool {
	w, ok := p[cat]
	return !ok || w.Changed || (wrote && w.Waiting > 0)
}

// idleResult is the result shown for a category that had nothing to do: no changes,
// and its failing items as they stand.
func (p pending) idleResult(cat string, previous []syncapi.CategoryResult) syncapi.CategoryResult {
	res := syncapi.CategoryResult{Category: cat}
	if i := slices.IndexFunc(previous, func(c syncapi.CategoryResult) bool { return c.Category == cat }); i >= 0 {
		res.Cursor = previous[i].Cursor
	}
	res.Failed = p[cat].Failing
	return res
}

// waitsEndOnNewObjects says whether this run wakes waiting items only after a category
// created or adopted objects (pending.runs).
func waitsEndOnNewObjects(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, "waits-end-on-new-objects", workflow.DefaultVersion, 1) >= 1
}
