package activities

import (
	"context"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
)

// liveness is how often a running activity tells Temporal that its worker is alive.
const liveness = 5 * time.Second

// heartbeat keeps an activity's heartbeat going while it works. Progress heartbeats
// come after each page, but one request can wait far longer than a page takes (a 429
// from QBO pauses the company's traffic for a minute), and the heartbeat timeout must
// only fire when the worker is gone, not when QBO is slow. It heartbeats the latest
// details every few seconds until stop is called.
type heartbeat struct {
	ctx     context.Context
	mu      sync.Mutex
	details any
	stop    func()
}

func startHeartbeat(ctx context.Context, details any) *heartbeat {
	h := &heartbeat{ctx: ctx, details: details}
	ticker := time.NewTicker(liveness)
	done := make(chan struct{})
	h.stop = sync.OnceFunc(func() { ticker.Stop(); close(done) })
	go func() {
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-ticker.C:
				h.mu.Lock()
				d := h.details
				h.mu.Unlock()
				activity.RecordHeartbeat(ctx, d)
			}
		}
	}()
	return h
}

// progress records new details and heartbeats them now.
func (h *heartbeat) progress(details any) {
	h.mu.Lock()
	h.details = details
	h.mu.Unlock()
	activity.RecordHeartbeat(h.ctx, details)
}

// resumed returns the details of this activity's last heartbeat, from an attempt that
// died, or start when there is none: what an earlier attempt did is not lost.
func resumed[T any](ctx context.Context, start T) T {
	if activity.HasHeartbeatDetails(ctx) {
		var last T
		if err := activity.GetHeartbeatDetails(ctx, &last); err == nil {
			return last
		}
	}
	return start
}
