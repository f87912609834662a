package pms

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/lib/pq"
)

// ChangeChannel is the channel the feed triggers NOTIFY with the firm's id when
// practice data commits (internal/db/migrations/00002_change_feed.sql).
const ChangeChannel = "pms_changes"

// ListenForChanges LISTENs on ChangeChannel until ctx ends and calls notify for every
// firm whose practice data committed, and with reconnected set after the connection
// was re-established (notifications may have been missed meanwhile).
func ListenForChanges(ctx context.Context, databaseURL string, log *slog.Logger, notify func(firmID int64, reconnected bool)) error {
	reconnected := make(chan struct{}, 1)
	pl := pq.NewListener(databaseURL, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			log.Warn("change listener connection", "event", ev, "error", err)
		}
		if ev == pq.ListenerEventReconnected {
			select {
			case reconnected <- struct{}{}:
			default:
			}
		}
	})
	defer pl.Close()
	if err := pl.Listen(ChangeChannel); err != nil {
		return fmt.Errorf("listen %s: %w", ChangeChannel, err)
	}
	log.Info("listening for practice changes", "channel", ChangeChannel)
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
				log.Warn("change notification without a firm id", "payload", n.Extra)
				continue
			}
			notify(firm, false)
		case <-reconnected:
			notify(0, true)
		case <-ping.C:
			go func() { _ = pl.Ping() }()
		}
	}
}
