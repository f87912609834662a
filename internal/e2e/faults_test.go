package e2e_test

import (
	"context"
	"fmt"
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
	var firm int64
	must(t, s.DB.Get(&firm, `INSERT INTO firms (name) VALUES ('Faults & Partners') RETURNING id`))
	const clients = 1000
	_, err := s.DB.Exec(`
		INSERT INTO clients (firm_id, client_number, kind, name)
		SELECT $1, 'F-' || n, 'person', 'Faulty Client ' || n FROM generate_series(1, $2) n`, firm, clients)
	must(t, err)
	_, err = s.DB.Exec(`
		INSERT INTO matters (firm_id, client_id, matter_number, name, opened_on)
		SELECT firm_id, id, 'FM-' || client_number, 'General', '2026-01-01' FROM clients WHERE firm_id = $1`, firm)
	must(t, err)
	s.connect(firm)

	base := qbosim.Faults{ServerErrorRate: 0.01, LoseResponseRate: 0.01}
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
	qc := s.customers()
	missing, dup := 0, 0
	for _, kind := range []string{"client", "matter"} {
		var ids []int64
		must(t, s.DB.Select(&ids, fmt.Sprintf(`SELECT id FROM %ss WHERE firm_id = $1`, kind), firm))
		for _, id := range ids {
			switch n := len(qc.byMarker[fmt.Sprintf("qbosync:%s:%d", kind, id)]); {
			case n == 0:
				missing++
			case n > 1:
				dup++
			}
		}
	}
	if missing != 0 || dup != 0 {
		t.Fatalf("%d missing and %d duplicated of %d objects", missing, dup, 2*clients)
	}
	c := sum.Categories[0]
	if c.Created+c.Adopted != 2*clients || c.Failed != 0 {
		t.Errorf("counts = %+v, want %d created or adopted and none failed", c, 2*clients)
	}
	t.Logf("%d objects exactly once; QBO saw %d requests, %d 5xx, %d lost answers, %d throttled; %d adopted after a lost answer",
		2*clients, stats.Requests, stats.ServerErrors, stats.Lost, stats.Throttled, c.Adopted)
}
