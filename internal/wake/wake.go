// Package wake turns changes in the practice database into sync-now signals, so a
// change reaches QuickBooks in seconds instead of at the next sweep.
//
// The change-feed triggers NOTIFY channel pms_changes with the firm's id when practice
// data commits (migrations/00002_change_feed.sql). The Listener LISTENs on it, folds
// the notifications of each firm over a short window, and signals that firm's running
// SyncWorkflow. Notifications are a hint, not the record: the feed is. A notification
// lost while the connection was down costs latency only, and the listener signals every
// connected firm after it reconnects; the SyncWorkflow's sweep is the final backstop.
package wake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/qbosync/qbosync/workflows/syncapi"
)

// Channel is the notification channel the feed triggers use.
const Channel = "pms_changes"

// Listener signals firms' syncs when their practice data changes.
type Listener struct {
	DatabaseURL string
	DB          *sqlx.DB
	Temporal    client.Client
	Log         *slog.Logger
	// Window is how long notifications of one firm are folded into one signal.
	Window time.Duration
}

// Run listens until ctx ends.
func (l *Listener) Run(ctx context.Context) error {
	window := l.Window
	if window <= 0 {
		window = 50 * time.Millisecond
	}
	reconnected := make(chan struct{}, 1)
	pl := pq.NewListener(l.DatabaseURL, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			l.Log.Warn("change listener connection", "event", ev, "error", err)
		}
		if ev == pq.ListenerEventReconnected {
			select {
			case reconnected <- struct{}{}:
			default:
			}
		}
	})
	defer pl.Close()
	if err := pl.Listen(Channel); err != nil {
		return fmt.Errorf("wake: listen %s: %w", Channel, err)
	}
	l.Log.Info("listening for practice changes", "channel", Channel)

	pending := map[int64]bool{}
	flush := time.NewTicker(window)
	defer flush.Stop()
	// pq recommends pinging an idle listener so that a dead connection is noticed.
	ping := time.NewTicker(90 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case n := <-pl.Notify:
			if n == nil { // the connection was re-established; handled by reconnected
				continue
			}
			firm, err := strconv.ParseInt(n.Extra, 10, 64)
			if err != nil {
				l.Log.Warn("change notification without a firm id", "payload", n.Extra)
				continue
			}
			pending[firm] = true
		case <-reconnected:
			l.wakeAll(ctx)
		case <-flush.C:
			for _, f := range slices.Sorted(maps.Keys(pending)) {
				l.wake(ctx, f)
			}
			clear(pending)
		case <-ping.C:
			go func() { _ = pl.Ping() }()
		}
	}
}

// wake signals the firm's sync with its live company, if one runs.
func (l *Listener) wake(ctx context.Context, firm int64) {
	var realms []string
	if err := l.DB.SelectContext(ctx, &realms, `
		SELECT realm_id FROM qbo_connections WHERE firm_id = $1 AND status = 'connected'`, firm); err != nil {
		l.Log.Warn("wake: look up connection", "firm", firm, "error", err)
		return
	}
	for _, realm := range realms {
		err := l.Temporal.SignalWorkflow(ctx, syncapi.SyncWorkflowID(firm, realm), "", syncapi.SyncNowSignal, nil)
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
// listener's connection was down.
func (l *Listener) wakeAll(ctx context.Context) {
	var firms []int64
	if err := l.DB.SelectContext(ctx, &firms, `SELECT DISTINCT firm_id FROM qbo_connections WHERE status = 'connected' ORDER BY 1`); err != nil {
		l.Log.Warn("wake: list connected firms", "error", err)
		return
	}
	for _, f := range firms {
		l.wake(ctx, f)
	}
}
