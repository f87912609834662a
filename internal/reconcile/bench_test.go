package reconcile_test

import (
	"cmp"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/pms/seed"
	"github.com/qbosync/qbosync/internal/reconcile"
)

// BenchmarkReconciliation seeds a firm, posts it all to the in-process sandbox over HTTP
// (the harness's own posting, as the sync would) and times a full reconciliation of it
// and an incremental check after one invoice was edited in QuickBooks, counting the
// QuickBooks requests each makes. The firm's size is QBOSYNC_BENCH_SIZE (default small,
// so that a plain `go test -bench` stays quick); the large firm is run by hand, and
// spends most of its time posting the firm:
//
//	QBOSYNC_BENCH_SIZE=large go test ./internal/reconcile -run '^$' -bench Reconciliation -benchtime 3x -timeout 60m
func BenchmarkReconciliation(b *testing.B) {
	size, err := seed.ParseSize(cmp.Or(os.Getenv("QBOSYNC_BENCH_SIZE"), string(seed.SizeSmall)))
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
	checkedAt := e.later(time.Hour) // what was posted is an hour old to QuickBooks
	// An hour on, autovacuum has analyzed the tables the posting filled: without their
	// statistics the planner takes the id map for empty, and a full pass's queries take
	// a minute instead of a second.
	if _, err := e.DB.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}

	var base reconcile.Report
	b.Run("full", func(b *testing.B) {
		e.Sim.ResetStats(e.Scope.RealmID)
		for b.Loop() {
			if base, err = reconcile.Firm(e.ctx, e.DB, e.QC, e.Scope); err != nil {
				b.Fatal(err)
			}
			if !base.OK() {
				b.Fatalf("the posted firm does not reconcile: %+v", base.Summary())
			}
		}
		b.ReportMetric(float64(e.Sim.Stats(e.Scope.RealmID).Requests)/float64(b.N), "requests/op")
	})
	base.FullAt = checkedAt
	saved, err := json.Marshal(base)
	if err != nil {
		b.Fatal(err)
	}
	p := &picker{e: e, used: map[int64]bool{}}
	e.later(time.Minute)
	e.raiseInQBO(p.pick(untouchedInvoices), 5000)
	b.Run("incremental", func(b *testing.B) {
		e.Sim.ResetStats(e.Scope.RealmID)
		for b.Loop() {
			var last reconcile.Report
			if err := json.Unmarshal(saved, &last); err != nil { // as the activity reads it
				b.Fatal(err)
			}
			r, err := reconcile.Incremental(e.ctx, e.DB, e.QC, e.Scope, last, checkedAt)
			if err != nil {
				b.Fatal(err)
			}
			if s := r.Summary(); s.MattersDiffering != 1 || !s.Incremental {
				b.Fatalf("the incremental check found %+v; want the one edited invoice's matter", s)
			}
		}
		b.ReportMetric(float64(e.Sim.Stats(e.Scope.RealmID).Requests)/float64(b.N), "requests/op")
	})
}
