package app

import (
	"context"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/internal/wake"
)

// WakeSyncs listens for practice changes in PostgreSQL and signals the changed firms'
// syncs, folding each firm's changes over window (0: wake's default), until ctx ends.
func WakeSyncs(ctx context.Context, databaseURL string, st *store.Store, c client.Client, log *slog.Logger, window time.Duration) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	changes := make(chan wake.Change, 1024)
	listened := make(chan error, 1)
	go func() {
		defer close(changes)
		listened <- pms.ListenForChanges(ctx, databaseURL, log, func(firmID int64, reconnected bool) {
			select {
			case changes <- wake.Change{FirmID: firmID, Reconnected: reconnected}:
			case <-ctx.Done():
			}
		})
	}()
	l := &wake.Listener{Changes: changes, Connections: st, Temporal: c, Log: log, Window: window}
	if err := l.Run(ctx); err != nil {
		return err
	}
	cancel()
	return <-listened
}
