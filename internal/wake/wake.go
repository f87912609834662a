// Package wake turns changes in the practice database into sync-now signals, so a
// change reaches QuickBooks in seconds instead of at the next sweep.
//
// The change-feed triggers NOTIFY channel pms_changes with the firm's id when practice
// data commits (internal/db/migrations/00002_change_feed.sql). A Listener takes those
// notifications (pms.ListenForChanges reads them from PostgreSQL), folds the ones of
// each firm over a short window, and signals that firm's running SyncWorkflow.
// Notifications are a hint, not the record: the feed is. A notification lost while the
// connection was down costs latency only, and the listener signals every connected
// firm after it reconnects; the worker's feed sweep (internal/app/wake.go) and the
// SyncWorkflow's hourly wake are the backstops.
//
// The package knows neither the database driver nor the sync engine: what it reads
// comes through Changes and Connections, and what it sends is syncapi's signal.
package wake

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/qbosync/qbosync/workflows/syncapi"
)

// Change is one notification: practice data of a firm committed (of the sync category
// Category, when the source says), or (Reconnected) the source lost its connection
// for a while and notifications may have been missed.
type Change struct {
	FirmID      int64
	Category    string
	Reconnected bool
}

// Connections tells which QuickBooks companies firms are connected to.
type Connections interface {
	// ConnectedRealms lists the companies a firm is connected to now.
	ConnectedRealms(ctx context.Context, firmID int64) ([]string, error)
	// ConnectedFirms lists the firms connected to a company now.
	ConnectedFirms(ctx context.Context) ([]int64, error)
}

// Listener signals firms' syncs when their practice data changes.
type Listener struct {
	Changes     <-chan Change
	Connections Connections
	Temporal    client.Client
	Log         *slog.Logger
	// Window is how long notifications of one firm are folded into one signal.
	Window time.Duration
}

// Run signals until ctx ends or the changes stop.
func (l *Listener) Run(ctx context.Context) error {
	window := l.Window
	if window <= 0 {
		window = 50 * time.Millisecond
	}
	pending := map[int64]map[string]bool{} // by firm, the categories known to have changed
	flush := time.NewTicker(window)
	defer flush.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case c, ok := <-l.Changes:
			switch {
			case !ok:
				return nil
			case c.Reconnected:
				l.wakeAll(ctx)
			default:
				if pending[c.FirmID] == nil {
					pending[c.FirmID] = map[string]bool{}
				}
				if c.Category != "" {
					pending[c.FirmID][c.Category] = true
				}
			}
		case <-flush.C:
			for _, f := range slices.Sorted(maps.Keys(pending)) {
				l.wake(ctx, f, slices.Sorted(maps.Keys(pending[f])))
			}
			clear(pending)
		}
	}
}

// wake signals the firm's sync with its live company, if one runs, saying which
// categories are known to have changed.
func (l *Listener) wake(ctx context.Context, firm int64, categories []string) {
	realms, err := l.Connections.ConnectedRealms(ctx, firm)
	if err != nil {
		l.Log.Warn("wake: look up connection", "firm", firm, "error", err)
		return
	}
	for _, realm := range realms {
		err := l.Temporal.SignalWorkflow(ctx, syncapi.SyncWorkflowID(firm, realm), "", syncapi.SyncNowSignal, syncapi.SyncNow{Categories: categories})
		var notFound *serviceerror.NotFound
		switch {
		case errors.As(err, &notFound):
			l.Log.Debug("wake: no running sync", "firm", firm, "realm", realm)
		case err != nil:
			l.Log.Warn("wake: signal sync", "firm", firm, "realm", realm, "error", err)
		}
	}
}

// wakeAll signals every connected firm: notifications may have been lost while the
// source's connection was down.
func (l *Listener) wakeAll(ctx context.Context) {
	firms, err := l.Connections.ConnectedFirms(ctx)
	if err != nil {
		l.Log.Warn("wake: list connected firms", "error", err)
		return
	}
	for _, f := range firms {
		l.wake(ctx, f, nil)
	}
}
