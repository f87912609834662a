package e2e_test

import (
	"cmp"
	"context"
	"encoding/json"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/app"
)

// BenchmarkTwoWorkersOneCompany backfills a seeded firm (QBOSYNC_BENCH_SIZE) into one
// sandbox company under QuickBooks' production limits with two worker processes, while
// this process reads the company's accounts and items as the wizard and reconciliation
// do: three processes, one company's budget (docs/design.md, "One company's budget
// across processes"). It reports the 429s the sandbox answered (the goal: none), the
// writes a minute as a fraction of the ceiling and the reads made meanwhile.
// QBOSYNC_BENCH_RATE_LIMITS=process runs the control: each process paced alone.
//
//	go test -run '^$' -bench TwoWorkersOneCompany -benchtime 1x -timeout 2h ./internal/e2e/
func BenchmarkTwoWorkersOneCompany(b *testing.B) {
	limits := cmp.Or(os.Getenv("QBOSYNC_BENCH_RATE_LIMITS"), "qbo")
	for range b.N {
		s := newStackWith(b, stackOptions{worker: false})
		firm := s.benchFirm(b, benchSize(b))
		for range 2 {
			s.startWorkerProcess(b, "QBOSYNC_QBO_RATE_LIMITS="+limits, "QBOSYNC_SYNC_PAGE_SIZE=100")
		}
		s.Sim.ResetStats(s.Realm)
		ctx, stopReads := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		start := time.Now()
		reads := s.readCompany(ctx, b, &wg, firm, limits)
		run := s.startSync(b, firm)
		s.waitCycles(b, run, 1, 3*time.Hour)
		wall := time.Since(start)
		stopReads()
		wg.Wait()

		var written int
		mustTB(b, s.DB.Get(&written, `SELECT count(*) FROM qbo_id_map WHERE firm_id = $1`, firm))
		stats := s.Sim.Stats(s.Realm)
		perMinute := float64(written) / wall.Minutes()
		b.ReportMetric(float64(stats.Throttled), "429s")
		b.ReportMetric(float64(written), "objects")
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(perMinute/qboWriteCeiling, "of-ceiling")
		b.ReportMetric(float64(reads.Load()), "reads")
		b.ReportMetric(float64(stats.Requests), "qbo-requests")
		b.ReportMetric(float64(stats.Requests)/wall.Minutes(), "requests/min")
		if limits == "qbo" && stats.Throttled != 0 {
			b.Errorf("the sandbox answered 429 %d times to three processes sharing one company's budget", stats.Throttled)
		}
	}
}

// readCompany reads the company's accounts and items from this process, paced by
// rate limits of its own kind, until ctx ends, as the wizard's pages and
// reconciliation do; it returns the count of reads made.
func (s *stack) readCompany(ctx context.Context, b *testing.B, wg *sync.WaitGroup, firm int64, limits string) *atomic.Int64 {
	cfg := s.qbo
	cfg.RateLimits = limits
	qc, err := app.NewQBOFactory(cfg, s.Store, s.log).Client(ctx, firm, s.Realm)
	mustTB(b, err)
	var reads atomic.Int64
	for _, entity := range []string{"Account", "Item"} {
		wg.Go(func() {
			for ctx.Err() == nil {
				var out []json.RawMessage
				if _, err := qc.Query(ctx, "SELECT * FROM "+entity, entity, &out); err == nil {
					reads.Add(1)
				}
				time.Sleep(2 * time.Second) // a person paging through the wizard, or reconciliation
			}
		})
	}
	return &reads
}
