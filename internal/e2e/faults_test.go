package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/qbosim"
)

// A run of a few thousand writes while QBO answers 5xx, loses answers to writes it
// performed, throttles in bursts and expires access tokens ends with every object in
// QBO exactly once.
func TestThousandsOfWritesUnderFaultsLandExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("a few thousand writes")
	}
	s := newStack(t)
	const clients = 1000
	firm := s.bulkFirm("Faults & Partners", "Faulty", clients)
	s.connect(firm)

	// 3%: customers go 30 to a batch, so the run is some 400 requests, and at 1% a run
	// without a single 5xx or lost answer came once in a few dozen.
	base := qbosim.Faults{ServerErrorRate: 0.03, LoseResponseRate: 0.03}
	must(t, s.Sim.SetFaults(s.Realm, base))
	// Throttle bursts and token expiries keep coming while the sync runs. A new burst
	// only once the last one is spent: QBO throttles traffic over its limits, it does
	// not refuse one patient caller for ever.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-time.After(3 * time.Second):
			}
			f := base
			f.ThrottleBurst = 1
			f.ExpireAccessTokens = i%4 == 0
			_ = s.Sim.SetFaults(s.Realm, f)
		}
	}()

	sum, _ := s.syncOnce(firm, false)
	cancel()
	_ = s.Sim.SetFaults(s.Realm, qbosim.Faults{})

	stats := s.Sim.Stats(s.Realm)
	if stats.ServerErrors == 0 || stats.Lost == 0 || stats.Throttled == 0 {
		t.Fatalf("not every fault happened: %+v", stats)
	}
	s.checkExactlyOnce(firm)
	c := contactsOf(t, sum)
	if c.Created+c.Adopted != 2*clients || c.Failed != 0 {
		t.Errorf("counts = %+v, want %d created or adopted and none failed", c, 2*clients)
	}
	t.Logf("%d objects exactly once; QBO saw %d requests, %d 5xx, %d lost answers, %d throttled; %d adopted after a lost answer",
		2*clients, stats.Requests, stats.ServerErrors, stats.Lost, stats.Throttled, c.Adopted)
}
