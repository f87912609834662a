package pms

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"
)

// ChangeChannel is the channel the feed triggers NOTIFY on when practice data commits,
// with "<firm id>:<entity>" (internal/db/migrations/00012_change_hints.sql; before it,
// the firm's id alone).
const ChangeChannel = "pms_changes"

// Notification is what ListenForChanges hears: practice data of a firm committed (with
// the entity changed, or "" when the notification does not say), or, with Reconnected,
// the connection was re-established and notifications may have been missed meanwhile.
type Notification struct {
	FirmID      int64
	Entity      string
	Reconnected bool
}

// ListenForChanges LISTENs on ChangeChannel until ctx ends and calls notify for every
// notification.
func ListenForChanges(ctx context.Context, databaseURL string, log *slog.Logger, notify func(Notification)) error {
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
			got, ok := parseNotification(n.Extra)
			if !ok {
				log.Warn("change notification without a firm id", "payload", n.Extra)
				continue
			}
			notify(got)
		case <-reconnected:
			notify(Notification{Reconnected: true})
		case <-ping.C:
			go func() { _ = pl.Ping() }()
		}
	}
}

// parseNotification reads a notification's payload: "<firm id>:<entity>", or the firm's
// id alone (the triggers before 00012_change_hints.sql).
func parseNotification(payload string) (Notification, bool) {
	firm, entity, _ := strings.Cut(payload, ":")
	id, err := strconv.ParseInt(firm, 10, 64)
	return Notification{FirmID: id, Entity: entity}, err == nil
}
