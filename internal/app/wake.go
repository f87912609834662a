package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/internal/syncer"
	"github.com/qbosync/qbosync/internal/wake"
)

// FeedSweepInterval is how often the worker looks for firms whose practice data changed
// without a notification reaching it (its listener was down, a notification was lost):
// one query per category for every firm, a backstop that lets the firms' own syncs
// sleep for an hour when nothing changes.
const FeedSweepInterval = 5 * time.Minute

// WakeSyncs listens for practice changes in PostgreSQL and signals the changed firms'
// syncs, folding each firm's changes over window (0: wake's default), until ctx ends.
// Every FeedSweepInterval it also signals the firms whose feeds have changes their
// syncs have not read.
func WakeSyncs(ctx context.Context, databaseURL string, st *store.Store, c client.Client, log *slog.Logger, window time.Duration) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	changes := make(chan wake.Change, 1024)
	send := func(c wake.Change) {
		select {
		case changes <- c:
		case <-ctx.Done():
		}
	}
	listened := make(chan error, 1)
	// Two producers, the listener and the sweep; the channel closes once both are done.
	// A listener that fails ends the sweep too, and the error is WakeSyncs'.
	var producers sync.WaitGroup
	producers.Go(func() {
		listened <- pms.ListenForChanges(ctx, databaseURL, log, func(n pms.Notification) {
			send(wake.Change{FirmID: n.FirmID, Category: syncer.CategoryOfEntity(n.Entity), Reconnected: n.Reconnected})
		})
		cancel()
	})
	producers.Go(func() { sweepFeeds(ctx, st, log, func(firm int64) { send(wake.Change{FirmID: firm}) }) })
	go func() {
		producers.Wait()
		close(changes)
	}()
	l := &wake.Listener{Changes: changes, Connections: st, Temporal: c, Log: log, Window: window}
	if err := l.Run(ctx); err != nil {
		return err
	}
	cancel()
	return <-listened
}

// sweepFeeds calls wake with every firm whose feed has unread changes, every
// FeedSweepInterval, until ctx ends.
func sweepFeeds(ctx context.Context, st *store.Store, log *slog.Logger, wake func(firm int64)) {
	t := time.NewTicker(FeedSweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			firms, err := syncer.FirmsWithWork(ctx, st)
			if err != nil {
				log.Warn("sweep for unread practice changes failed; the next one tries again", "error", err)
				continue
			}
			for _, f := range firms {
				wake(f)
			}
		}
	}
}
