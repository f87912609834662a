package pms_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/db/dbtest"
	"github.com/qbosync/qbosync/internal/pms"
)

// A commit's notification names the firm and the entity that changed, so that the sync
// knows a new client came (the contacts go beside a long run of invoices).
func TestNotificationsNameTheFirmAndTheEntity(t *testing.T) {
	d, url := dbtest.New(t)
	firm := newFirm(t, d, "Listened Firm")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	heard := make(chan pms.Notification, 16)
	go func() {
		_ = pms.ListenForChanges(ctx, url, slog.New(slog.DiscardHandler), func(n pms.Notification) { heard <- n })
	}()
	deadline := time.After(10 * time.Second)
	// The listener may not be listening yet: commit until a notification comes.
	for i := 0; ; i++ {
		if err := insertClient(ctx, d, firm, "N-"+string(rune('a'+i))); err != nil {
			t.Fatal(err)
		}
		select {
		case n := <-heard:
			if want := (pms.Notification{FirmID: firm, Entity: pms.EntityClient}); n != want {
				t.Fatalf("heard %+v, want %+v", n, want)
			}
			return
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			t.Fatal("no notification of a committed client")
		}
	}
}
