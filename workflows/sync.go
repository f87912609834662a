package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/qbosync/qbosync/workflows/syncapi"
)

// stuckRetryInterval is how soon a stuck sync tries again by itself (a change or a
// retry-failed signal tries at once): a database failover or a QuickBooks outage
// passes, and the firm should not wait a whole sweep for it.
const stuckRetryInterval = time.Minute

// DefaultSweepInterval is how often an idle sync looks for changes by itself. Changes
// reach it in milliseconds through the change listener, and the worker's feed sweep
// (app.FeedSweepInterval, every 5 minutes for all firms at once) catches a change
// whose notification was lost; this is the last backstop, and when an idle firm's
// books are looked at for a full check.
const DefaultSweepInterval = time.Hour

// DefaultReconcileInterval is how often the books of a firm whose practice data does
// not change are checked in full: a hand edit in QuickBooks shows within it (or at
// once on a reconcile signal), and an idle firm costs QuickBooks requests only then.
const DefaultReconcileInterval = 6 * time.Hour

// categoryActivity bounds one category run. The heartbeat timeout notices a dead
// worker within a minute; the run itself may take long on a large first sync.
var categoryActivity = workflow.ActivityOptions{
	StartToCloseTimeout: 2 * time.Hour,
	HeartbeatTimeout:    time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        2 * time.Minute,
		NonRetryableErrorTypes: []string{syncapi.ErrTypeNeedsReconnect, syncapi.ErrTypeBug},
	},
}

// boundedCategoryActivity is categoryActivity with a limit on the attempts of one run:
// a category that keeps failing comes back to the workflow within about a minute,
// which marks the sync stuck, with the reason, where operators and the firm see it,
// instead of retrying out of sight for ever.
var boundedCategoryActivity = func() workflow.ActivityOptions {
	o := categoryActivity
	p := *o.RetryPolicy
	p.MaximumAttempts = 5 // about 15 s of backoff (1, 2, 4, 8 s) besides the attempts
	o.RetryPolicy = &p
	return o
}()

// syncControls is what the SyncWorkflow's signals ask for. A listener goroutine only
// flips these flags; the main loop reads them, so the order of events stays simple.
type syncControls struct {
	wake, retryFailed, paused, disconnect bool
	backfill                              *syncapi.BackfillFilter
	// checkBooks asks for a reconciliation now (the reconcile signal).
	checkBooks bool
	// contacts: a sync-now said the contacts changed since a run of them began.
	contacts bool
}

// listen receives every control signal for the life of the run.
func (c *syncControls) listen(ctx workflow.Context) {
	sel := workflow.NewSelector(ctx)
	on := func(name string, apply func()) {
		sel.AddReceive(workflow.GetSignalChannel(ctx, name), func(ch workflow.ReceiveChannel, _ bool) {
			ch.Receive(ctx, nil)
			apply()
		})
	}
	// sync-now's argument (absent from older senders) says which categories changed.
	sel.AddReceive(workflow.GetSignalChannel(ctx, syncapi.SyncNowSignal), func(ch workflow.ReceiveChannel, _ bool) {
		var now syncapi.SyncNow
		ch.Receive(ctx, &now)
		c.wake = true
		c.contacts = c.contacts || slices.Contains(now.Categories, contactsCategory)
	})
	on(syncapi.RetryFailedSignal, func() { c.retryFailed, c.wake = true, true })
	on(syncapi.PauseSignal, func() { c.paused = true })
	on(syncapi.ResumeSignal, func() { c.paused, c.wake = false, true })
	on(syncapi.DisconnectSignal, func() { c.disconnect = true })
	on(syncapi.ReconcileSignal, func() { c.checkBooks = true })
	sel.AddReceive(workflow.GetSignalChannel(ctx, syncapi.BackfillSignal), func(ch workflow.ReceiveChannel, _ bool) {
		var f syncapi.BackfillFilter
		ch.Receive(ctx, &f)
		c.backfill, c.wake = &f, true
	})
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			sel.Select(ctx)
		}
	})
}

// SyncWorkflow keeps one firm's QuickBooks company in step with the practice system:
// it runs every category in dependency order, then waits for a sync-now signal (sent
// when practice data changes) or the sweep interval, and runs again; it continues as
// new when its history grows long, carrying its state. Pause, resume, retry-failed and
// disconnect signals steer it; the status query reports it. The work is syncRun's.
func SyncWorkflow(ctx workflow.Context, in syncapi.SyncInput) (syncapi.Summary, error) {
	if in.SweepInterval <= 0 {
		in.SweepInterval = DefaultSweepInterval
	}
	if in.ReconcileInterval <= 0 {
		in.ReconcileInterval = DefaultReconcileInterval
	}
	r := &syncRun{in: in, sum: syncapi.Summary{FirmID: in.FirmID, RealmID: in.RealmID, Cycles: in.Cycles, ReconciledAt: in.ReconciledAt},
		books: booksCheck{due: in.BooksDue, full: in.BooksFull}}
	if err := workflow.SetQueryHandler(ctx, syncapi.StatusQuery, func() (syncapi.Summary, error) { return r.sum, nil }); err != nil {
		return r.sum, err
	}
	r.categories = categoriesFor(ctx)
	r.ctl = &syncControls{retryFailed: in.RetryFailed, paused: in.Paused, backfill: in.Backfill}
	r.ctl.listen(ctx)
	// A category's attempts are bounded, so that one that keeps failing comes back here
	// and the sync says it is stuck (the retry policy is not part of what a replay
	// compares: runs recorded with unbounded retries replay unchanged).
	return r.run(workflow.WithActivityOptions(ctx, boundedCategoryActivity))
}

// syncRun is one run of a SyncWorkflow: its input, what the signals asked for, and the
// summary the status query returns.
type syncRun struct {
	in         syncapi.SyncInput
	sum        syncapi.Summary
	ctl        *syncControls
	categories []string
	books      booksCheck
	beside     contactsBeside
}

// run is the loop: wait out a pause, run a requested backfill, run a cycle, wait for
// the next reason to run, and continue as new when the server suggests it.
func (r *syncRun) run(ctx workflow.Context) (syncapi.Summary, error) {
	for {
		if r.ctl.paused && !r.ctl.disconnect {
			r.setStatus(ctx, syncapi.StatusPaused, "")
			_ = workflow.Await(ctx, func() bool { return !r.ctl.paused || r.ctl.disconnect })
		}
		if r.ctl.disconnect {
			r.setStatus(ctx, syncapi.StatusDisconnected, "")
			return r.sum, nil
		}
		if r.ctl.backfill != nil {
			r.setStatus(ctx, syncapi.StatusBackfilling, "")
			progress, err := runBackfill(ctx, r.in, *r.ctl.backfill)
			if err != nil {
				return r.stop(ctx, err)
			}
			r.sum.Backfill, r.ctl.backfill = &progress, nil
		}
		stuck, err := r.cycle(ctx)
		if err != nil {
			return r.stop(ctx, err)
		}
		if r.in.Once {
			r.setStatus(ctx, syncapi.StatusCompleted, "")
			return r.sum, nil
		}
		if stuck != "" {
			r.setStatus(ctx, syncapi.StatusStuck, stuck) // until a cycle passes
		}
		if !r.ctl.wake && !r.ctl.paused && !r.ctl.disconnect && r.ctl.backfill == nil {
			r.idle(ctx, stuck)
		}
		// A disconnect is handled at the top of the loop, never carried over.
		if !r.ctl.disconnect && workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			return r.sum, r.continueAsNew(ctx)
		}
	}
}

// cycle runs every category once, then reconciles the books. A category that ran out
// of attempts (not a final error) ends the cycle early and is returned as the reason
// the sync is stuck; the categories after it post with what it sets up (the ledger's
// accounts, the contacts' customers), so they wait for the next cycle.
func (r *syncRun) cycle(ctx workflow.Context) (stuck string, err error) {
	wasStuck := r.sum.Status == syncapi.StatusStuck
	retryFailed := r.ctl.retryFailed
	r.ctl.wake, r.ctl.retryFailed = false, false
	work, err := r.pendingWork(ctx, retryFailed || wasStuck)
	if err != nil {
		return "", err
	}
	if work == nil {
		r.setStatus(ctx, syncapi.StatusRunning, "")
	}
	previous := r.sum.Categories
	r.sum.Categories = nil
	// wrote: an earlier category, or the contacts beside, wrote what waiting items may
	// wait for this cycle.
	wrote, endsWaits := false, waitsEndOnNewObjects(ctx)
	r.beside.on = contactsBesideOn(ctx, r.in)
	contactsAt := slices.Index(r.categories, contactsCategory)
	for i, cat := range r.categories {
		if r.beside.wrote {
			wrote, r.beside.wrote = true, false
		}
		if work != nil && !work.runs(cat, wrote) {
			r.sum.Categories = append(r.sum.Categories, work.idleResult(cat, previous))
			continue
		}
		// A sweep that finds nothing to do leaves the status (and its search
		// attribute) alone: no history event for an idle firm.
		r.setStatus(ctx, syncapi.StatusRunning, "")
		res, err := r.runCategory(ctx, syncapi.SyncCategoryInput{
			FirmID: r.in.FirmID, RealmID: r.in.RealmID, Category: cat, RetryFailed: retryFailed,
		}, i > contactsAt)
		if err != nil && (r.in.Once || isFinal(err) || !reportsStuck(ctx)) {
			return "", err
		}
		if err != nil {
			stuck = stuckReason(cat, err)
			workflow.GetLogger(ctx).Warn("category stuck", "category", cat, "error", err)
			break
		}
		r.sum.Categories = append(r.sum.Categories, res)
		wrote = wrote || res.Created+res.Adopted > 0 || !endsWaits && res.Updated > 0
	}
	// A run of the contacts beside ends with the cycle; what it wrote wakes the
	// waiting items in the next (the signal that started it woke the sync).
	r.awaitContactsBeside(ctx)
	switch {
	case stuck != "":
	case r.checksBooksBeside(ctx):
		r.books.noteCycle(ctx, r.sum.Categories, r.in.ReconcileInterval, r.sum.ReconciledAt)
	default:
		r.sum.Reconciliation = checkBooks(ctx, r.in, true)
		r.sum.ReconciledAt = workflow.Now(ctx)
	}
	r.sum.Cycles++
	r.sum.LastRunAt = workflow.Now(ctx)
	return stuck, nil
}

// idle says how the books stand and waits for a signal or the sweep (a minute, while
// stuck). An explicit timer, cancelled when a signal wakes the sync, rather than
// AwaitWithTimeout: it issues the same commands as the first version of this workflow
// (timer, then cancel), so running syncs replay unchanged.
//
// While it waits, a reconciliation owed runs beside it (from version 1 of
// "books-beside"): when it finishes the status follows it, and the wait goes on.
func (r *syncRun) idle(ctx workflow.Context, stuck string) {
	r.showBooks(ctx, stuck)
	wait := r.in.SweepInterval
	if stuck != "" && wait > stuckRetryInterval {
		wait = stuckRetryInterval // a stuck category is tried again sooner than a sweep
	}
	timerCtx, cancelTimer := workflow.WithCancel(ctx)
	sweep := workflow.NewTimer(timerCtx, wait)
	for {
		if stuck == "" && !r.in.Once {
			r.startBooksCheck(ctx)
		}
		_ = workflow.Await(ctx, func() bool {
			return r.ctl.wake || r.ctl.paused || r.ctl.disconnect || sweep.IsReady() || r.books.finished || r.ctl.checkBooks
		})
		if !r.books.finished && !r.ctl.checkBooks {
			break
		}
		if r.books.finished {
			r.books.finished = false
			r.showBooks(ctx, stuck)
		}
		r.books.due = r.books.due || r.ctl.checkBooks
		r.books.full = r.books.full || r.ctl.checkBooks // asked for by a person: the whole of the books
		r.ctl.checkBooks = false
	}
	cancelTimer()
}

// showBooks sets the idle status from the latest reconciliation: books differ, or idle
// (a stuck sync keeps its status).
func (r *syncRun) showBooks(ctx workflow.Context, stuck string) {
	switch rec := r.sum.Reconciliation; {
	case stuck != "":
	case rec != nil && !rec.OK:
		r.setStatus(ctx, syncapi.StatusBooksDiffer, booksDifferReason(*rec))
	default:
		r.setStatus(ctx, syncapi.StatusIdle, "")
	}
}

// continueAsNew carries what the signals asked for into a new run: signals already
// received live in ctl. A pending sync-now needs no carrying: a new run starts with a
// cycle.
func (r *syncRun) continueAsNew(ctx workflow.Context) error {
	// A reconciliation under way finishes first: the new run would not hear its answer.
	_ = workflow.Await(ctx, func() bool { return !r.books.running })
	next := r.in
	next.Cycles, next.RetryFailed, next.Paused, next.Backfill = r.sum.Cycles, r.ctl.retryFailed, r.ctl.paused, r.ctl.backfill
	next.ReconciledAt, next.BooksDue = r.sum.ReconciledAt, r.books.due || r.ctl.checkBooks
	next.BooksFull = r.books.full || r.ctl.checkBooks
	return workflow.NewContinueAsNewError(ctx, SyncWorkflow, next)
}

// setStatus records the sync's status and why; the search attribute is upserted only
// when the status changes, since each upsert is a history event.
func (r *syncRun) setStatus(ctx workflow.Context, status, reason string) {
	changed := r.sum.Status != status
	r.sum.Status, r.sum.Reason = status, reason
	if changed {
		_ = workflow.UpsertTypedSearchAttributes(ctx, syncapi.FirmAttr.ValueSet(fmt.Sprint(r.in.FirmID)),
			syncapi.RealmAttr.ValueSet(r.in.RealmID), syncapi.StatusAttr.ValueSet(status))
	}
}

// stop ends the run after a failure no cycle can mend, with a status operators see.
func (r *syncRun) stop(ctx workflow.Context, err error) (syncapi.Summary, error) {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == syncapi.ErrTypeNeedsReconnect {
		r.setStatus(ctx, syncapi.StatusNeedsReconnect, appErr.Error())
	} else {
		r.setStatus(ctx, syncapi.StatusFailed, err.Error())
	}
	workflow.GetLogger(ctx).Error("sync stopped", "status", r.sum.Status, "error", err)
	return r.sum, err
}

// reconcileActivity bounds a reconciliation: it reads a company's books, and a failure
// is reported, not retried for long, since the next cycle checks again.
var reconcileActivity = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Minute,
	RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3, NonRetryableErrorTypes: []string{syncapi.ErrTypeNeedsReconnect, syncapi.ErrTypeBug}},
}

// checkBooks reconciles the company after a cycle (from version 1 of "reconcile";
// earlier runs replay without it). A reconciliation that cannot run leaves nil: it
// must not stop the sync, whose next cycle tries again. Unless full, the check may be
// incremental (from version 1 of "books-incremental"): it looks again only at what
// changed since the last one, and the activity still runs a full pass once the last is
// ReconcileInterval old.
func checkBooks(ctx workflow.Context, in syncapi.SyncInput, full bool) *syncapi.BooksSummary {
	if workflow.GetVersion(ctx, "reconcile", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	req := syncapi.ReconcileInput{FirmID: in.FirmID, RealmID: in.RealmID}
	if !full && workflow.GetVersion(ctx, "books-incremental", workflow.DefaultVersion, 1) >= 1 {
		req.Incremental, req.FullEvery = true, in.ReconcileInterval
	}
	var r syncapi.BooksSummary
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, reconcileActivity), syncapi.ReconcileActivity, req).Get(ctx, &r)
	if err != nil {
		workflow.GetLogger(ctx).Warn("reconciliation could not run", "error", err)
		return nil
	}
	return &r
}

// booksDifferReason says, for the status, what the reconciliation found.
func booksDifferReason(r syncapi.BooksSummary) string {
	return fmt.Sprintf("books differ: %d matters' receivables, %d invoices missing, %d payments not one bank entry, %d trust accounts, %d clients' trust ledgers; the reconciliation report names the records",
		r.MattersDiffering, r.InvoicesMissing, r.PaymentsNotOneBankEntry, r.TrustAccountsDiffering, r.ClientsDiffering)
}

// runBackfill runs the BackfillWorkflow as a child and waits for it: while it runs the
// sync writes nothing else, so the two never write the same record at once. The child
// is abandoned, not cancelled, if this run ends, and keeps a fixed id, so a later run
// cannot start a second one beside it.
func runBackfill(ctx workflow.Context, in syncapi.SyncInput, f syncapi.BackfillFilter) (syncapi.BackfillProgress, error) {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:        syncapi.BackfillWorkflowID(in.FirmID, in.RealmID),
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			syncapi.FirmAttr.ValueSet(fmt.Sprint(in.FirmID)), syncapi.RealmAttr.ValueSet(in.RealmID),
			syncapi.StatusAttr.ValueSet(syncapi.StatusBackfilling)),
	})
	var p syncapi.BackfillProgress
	err := workflow.ExecuteChildWorkflow(cctx, BackfillWorkflow, syncapi.BackfillInput{FirmID: in.FirmID, RealmID: in.RealmID, Filter: f}).Get(ctx, &p)
	return p, err
}

// reportsStuck says whether a category that ran out of attempts marks the sync stuck
// and waits for the next cycle (version 1 of "stuck"), rather than stopping it. Runs
// recorded before retried a category for ever, so no recorded failure reaches here.
func reportsStuck(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, "stuck", workflow.DefaultVersion, 1) >= 1
}

// isFinal reports an activity error that ends the run rather than a cycle: the
// workflow was cancelled, the connection needs a person to reconnect it, or qbosync has
// a bug.
func isFinal(err error) bool {
	var appErr *temporal.ApplicationError
	return temporal.IsCanceledError(err) ||
		errors.As(err, &appErr) && (appErr.Type() == syncapi.ErrTypeNeedsReconnect || appErr.Type() == syncapi.ErrTypeBug)
}

// stuckReason says, for the status, which category is stuck and why.
func stuckReason(category string, err error) string {
	cause := err
	var actErr *temporal.ActivityError
	if errors.As(err, &actErr) && actErr.Unwrap() != nil {
		cause = actErr.Unwrap()
	}
	return fmt.Sprintf("category %s keeps failing: %v", category, cause)
}
