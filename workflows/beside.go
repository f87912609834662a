package workflows

import (
	"slices"

	"go.temporal.io/sdk/workflow"

	"github.com/qbosync/qbosync/workflows/syncapi"
)

// contactsCategory is the category that runs beside the others.
const contactsCategory = "contacts"

// contactsBeside runs the contacts beside the categories after them in a cycle (from
// version 1 of "contacts-beside"): a client committed while a long run of invoices is
// writing reaches QuickBooks then, instead of after that run and the next cycle's
// contacts. The sync knows of it from the sync-now signal, which names the categories
// whose practice data changed (syncapi.SyncNow). The contacts write in a lane of their
// own (internal/syncer/lock.go); the categories after them post to their customers
// and only read their ids, and an invoice whose customer is not there yet waits for
// it, as it does when its client failed.
type contactsBeside struct {
	on      bool // this run may run the contacts beside
	running bool
	// wrote says a run beside created or adopted customers: what waits for them may go
	// now, in this cycle or the next (pending.runs).
	wrote bool
}

// contactsBesideOn says whether this run runs the contacts beside the other
// categories. A one-shot sync runs its categories one after the other.
func contactsBesideOn(ctx workflow.Context, in syncapi.SyncInput) bool {
	return !in.Once && workflow.GetVersion(ctx, "contacts-beside", workflow.DefaultVersion, 1) >= 1
}

// runCategory runs one category's activity and returns its result. While it runs
// (beside: a category after the contacts), new contacts heard of start the contacts
// beside it, one run at a time.
func (r *syncRun) runCategory(ctx workflow.Context, in syncapi.SyncCategoryInput, beside bool) (syncapi.CategoryResult, error) {
	if in.Category == contactsCategory {
		r.ctl.contacts = false // this run reads them
	}
	run := workflow.ExecuteActivity(ctx, syncapi.SyncCategoryActivity, in)
	for beside && r.beside.on && !run.IsReady() {
		_ = workflow.Await(ctx, func() bool { return run.IsReady() || r.ctl.contacts && !r.beside.running })
		if !run.IsReady() {
			r.startContactsBeside(ctx)
		}
	}
	var res syncapi.CategoryResult
	err := run.Get(ctx, &res)
	return res, err
}

// startContactsBeside starts a run of the contacts beside the cycle. Its result is
// added to the cycle's contacts result. A run beside that fails is only logged: the
// signal that asked for it woke the sync too, so the next cycle runs the contacts
// in their turn, and that run says what is wrong (a stuck sync included).
func (r *syncRun) startContactsBeside(ctx workflow.Context) {
	r.ctl.contacts, r.beside.running = false, true
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { r.beside.running = false }()
		var res syncapi.CategoryResult
		err := workflow.ExecuteActivity(ctx, syncapi.SyncCategoryActivity, syncapi.SyncCategoryInput{
			FirmID: r.in.FirmID, RealmID: r.in.RealmID, Category: contactsCategory,
		}).Get(ctx, &res)
		if err != nil {
			workflow.GetLogger(ctx).Warn("contacts beside the cycle failed; the next cycle runs them", "error", err)
			return
		}
		r.beside.wrote = r.beside.wrote || res.Created+res.Adopted > 0
		i := slices.IndexFunc(r.sum.Categories, func(c syncapi.CategoryResult) bool { return c.Category == contactsCategory })
		if i < 0 {
			return
		}
		shown := &r.sum.Categories[i]
		shown.Counts = shown.Counts.Plus(res.Counts)
		// Failed counts the failing items as they stand, not this run's: not a sum.
		shown.Failed, shown.Cursor = res.Failed, res.Cursor
	})
}

// awaitContactsBeside waits for a run of the contacts beside to end.
func (r *syncRun) awaitContactsBeside(ctx workflow.Context) {
	_ = workflow.Await(ctx, func() bool { return !r.beside.running })
}
