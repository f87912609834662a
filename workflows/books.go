package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/qbosync/qbosync/workflows/syncapi"
)

// booksCheck is the reconciliation that runs beside a long-running sync, so that a
// change never waits for it: it starts when the sync is idle and a check is owed, and
// the next cycle does not wait for it to end. A check that a cycle's writes overlapped
// saw the books half-written: its answer is dropped, and the check is owed again.
type booksCheck struct {
	due      bool // the books may have changed since the last check, or a full check is due
	full     bool // the check owed is a full pass: the interval passed, or a person asked
	running  bool
	finished bool // a check ended since the idle wait last looked
	// writes counts the cycles that wrote; started is its value when the running check
	// began.
	writes, started int
	// lastStart is when this run last started a check, counted or dropped: a check
	// started within the interval makes the next one owed incremental, since the
	// activity saved its report whatever the workflow made of its answer.
	lastStart time.Time
}

// checksBooksBeside says whether this run checks the books beside the sync (version 1
// of "books-beside") rather than after each cycle. A one-shot sync still checks after
// its cycle: its caller wants the answer in the summary.
func (r *syncRun) checksBooksBeside(ctx workflow.Context) bool {
	return !r.in.Once && workflow.GetVersion(ctx, "books-beside", workflow.DefaultVersion, 1) >= 1
}

// noteCycle records what a cycle means for the books: a cycle that read changes or
// wrote anything makes a check owed (and spoils one under way), which may be
// incremental; a firm whose data did not change is checked in full once interval has
// passed since the last check.
func (b *booksCheck) noteCycle(ctx workflow.Context, results []syncapi.CategoryResult, interval time.Duration, last time.Time) {
	for _, c := range results {
		if c.Changes+c.Created+c.Updated+c.Adopted > 0 {
			b.due = true
			b.writes++
			break
		}
	}
	now := workflow.Now(ctx)
	if last.IsZero() || now.Sub(last) >= interval {
		b.due = true
		b.full = b.full || b.lastStart.IsZero() || now.Sub(b.lastStart) >= interval
	}
}

// startBooksCheck starts the check owed, if none is under way.
func (r *syncRun) startBooksCheck(ctx workflow.Context) {
	if !r.books.due || r.books.running {
		return
	}
	full := r.books.full
	r.books.due, r.books.full, r.books.running, r.books.started = false, false, true, r.books.writes
	started := workflow.Now(ctx)
	r.books.lastStart = started
	workflow.Go(ctx, func(ctx workflow.Context) {
		res := checkBooks(ctx, r.in, full)
		r.books.running, r.books.finished = false, true
		switch {
		case r.books.writes != r.books.started:
			// A cycle wrote while it read: check again when quiet. Its report was saved
			// all the same, so the check again may be incremental from it.
			r.books.due = true
		case res != nil:
			r.sum.Reconciliation, r.sum.ReconciledAt = res, started
		default:
			// It could not run (the error is in its activity's history); the next full
			// check tries again, and the sync goes on meanwhile.
			r.sum.ReconciledAt = started
		}
	})
}
