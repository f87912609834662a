package reconcile_test

import (
	"cmp"
	"os"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/pms/seed"
	"github.com/qbosync/qbosync/internal/reconcile"
)

// BenchmarkFullReconciliation seeds a firm, posts it all to the in-process sandbox over
// HTTP (the harness's own posting, as the sync would) and times one full reconciliation
// of it, counting the QuickBooks requests it makes. The firm's size is
// RECONCILE_BENCH_SIZE (default small, so that a plain `go test -bench` stays quick);
// the large firm is run by hand:
//
//	RECONCILE_BENCH_SIZE=large go test ./internal/reconcile -run '^$' -bench FullReconciliation -benchtime 3x -timeout 30m
func BenchmarkFullReconciliation(b *testing.B) {
	size, err := seed.ParseSize(cmp.Or(os.Getenv("RECONCILE_BENCH_SIZE"), string(seed.SizeSmall)))
	if err != nil {
		b.Fatal(err)
	}
	e := newEnv(b)
	sum, err := seed.Seed(e.ctx, e.DB, seed.Options{Size: size, FirmName: "Reconcile Bench Firm"})
	if err != nil {
		b.Fatal(err)
	}
	e.Scope.FirmID = sum.FirmID
	posted := time.Now()
	e.postAll()
	b.Logf("%s firm: %d invoices, %d QuickBooks objects posted in %s", size, sum.Counts["invoices"], e.writes, time.Since(posted).Round(time.Second))

	e.Sim.ResetStats(e.Scope.RealmID)
	b.ResetTimer()
	for b.Loop() {
		r, err := reconcile.Firm(e.ctx, e.DB, e.QC, e.Scope)
		if err != nil {
			b.Fatal(err)
		}
		if !r.OK() {
			b.Fatalf("the posted firm does not reconcile: %+v", r.Summary())
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(e.Sim.Stats(e.Scope.RealmID).Requests)/float64(b.N), "requests/op")
}
