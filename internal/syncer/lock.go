package syncer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"
)

// ErrCompanyBusy means another sync of the same firm and company is writing right now
// (a retry that overtook a slow attempt, or a backfill). It is transient: retry later.
var ErrCompanyBusy = errors.New("another sync of this firm's QuickBooks company is still running; trying again shortly")

// errLeaseLost ends a run whose lease another writer took: it had stopped renewing for
// longer than the lease lasts (a stalled process), and two writers must never run.
var errLeaseLost = errors.New("the company's write lease was lost (this run stalled for longer than it lasts); stopping so that two writers never run")

// leaseTTL is how long a write lease lasts unrenewed: how long a company waits after a
// worker died in the middle of a run. Its holder renews it three times as often.
var leaseTTL = 30 * time.Second

// Lanes of a company's writers. One writer per lane at a time: two writers of one
// lane could both miss the id map for the same record and create it twice. The
// contacts (customers) have a lane of their own, so that a new client goes to
// QuickBooks while a long run of invoices is writing; every other category posts to
// their customers and only reads their ids (an invoice whose customer is not there
// yet waits for it, as it does when its client failed).
const (
	laneContacts = "contacts"
	laneBooks    = "books"
)

// lane is the lane of the category's writers.
func (c Category) lane() string {
	if c.Name == "contacts" {
		return laneContacts
	}
	return laneBooks
}

// lockCompany takes the write lease of a lane of the engine's firm and company and
// returns a context that ends if the lease is lost, and the lease's release. A lease
// row holds no database connection between statements (a session lock did, and as
// many runs as the pool had connections starved every run's queries); a worker that
// dies leaves a lease that expires.
func (e *Engine) lockCompany(ctx context.Context, lane string) (context.Context, func(), error) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	holder := hex.EncodeToString(b[:])
	ttl := leaseTTL // read once, here: the renewing goroutine outlives the run by a moment
	ok, err := e.Store.TakeLease(ctx, e.Scope, lane, holder, ttl)
	if err != nil {
		return ctx, nil, err
	}
	if !ok {
		return ctx, nil, ErrCompanyBusy
	}
	run, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				// A renewal that fails for a moment (the database restarting) is tried
				// again at the next tick; only a lease another holder took ends the run.
				if ok, err := e.Store.RenewLease(run, e.Scope, lane, holder, ttl); err == nil && !ok {
					cancel(errLeaseLost)
					return
				}
			}
		}
	}()
	return run, func() {
		close(done)
		cancel(nil)
		ctx, stop := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer stop()
		_ = e.Store.ReleaseLease(ctx, e.Scope, lane, holder)
	}, nil
}
