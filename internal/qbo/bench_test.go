package qbo_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/qbosync/qbosync/internal/db/dbtest"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/qbosim"
	"github.com/qbosync/qbosync/internal/store"
)

// qboWriteCeiling is the most writes a minute QBO's limits allow one
// company: 40 batch requests of 30 writes, plus 460 single requests to
// make up its 500 requests a minute.
const qboWriteCeiling = 40*30 + (500 - 40)

// BenchmarkWriteThroughput writes 5,000 customers to the sandbox, over
// real HTTP with QBO's production limits, the way a sync does: batch
// writers and single writers side by side, paced by one shared company
// Limiter (DefaultLimits). It reports the write rate as a fraction of
// QBO's ceiling of 1,660 writes a minute, and the 429s QBO answered; the
// goal is at least 0.90 with none. It takes about three minutes of real
// time a run: run it with -benchtime 1x. QBO_BENCH_WRITES sets another
// number of writes, for a quicker look.
func BenchmarkWriteThroughput(b *testing.B) {
	writeThroughput(b, func(*testing.B) *qbo.Limiters { return qbo.NewLimiters(qbo.DefaultLimits()) })
}

// BenchmarkSharedBudgetWrites is BenchmarkWriteThroughput with the limiters of
// rate_limits "qbo": drawing on the company's budget in PostgreSQL
// (docs/design.md, "One company's budget across processes"), alone. It shows
// what the shared budget costs one process.
func BenchmarkSharedBudgetWrites(b *testing.B) {
	writeThroughput(b, func(b *testing.B) *qbo.Limiters {
		d, _ := dbtest.New(b)
		return qbo.NewSharedLimiters(qbo.DefaultLimits(), store.New(d, nil), qbo.SharedOptions{})
	})
}

func writeThroughput(b *testing.B, newLimiters func(*testing.B) *qbo.Limiters) {
	total := int64(5000)
	if n, err := strconv.ParseInt(os.Getenv("QBO_BENCH_WRITES"), 10, 64); err == nil && n > 0 {
		total = n
	}
	for n := range b.N {
		sim := qbosim.New(qbosim.Options{Limits: qbosim.ProductionLimits()})
		srv := httptest.NewServer(sim)
		realm := sim.AddCompany("Throughput LLP")
		access, _ := sim.IssueToken(realm)
		limiters := newLimiters(b)
		c, err := qbo.New(qbo.Options{
			BaseURL:    srv.URL,
			RealmID:    realm,
			HTTPClient: qbo.NewHTTPClient(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: access, TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)})),
			Limiter:    limiters.For(realm),
		})
		if err != nil {
			b.Fatal(err)
		}

		var next atomic.Int64 // the next customer to write
		take := func(want int64) (first, count int64) {
			for {
				cur := next.Load()
				count = min(want, total-cur)
				if count <= 0 {
					return 0, 0
				}
				if next.CompareAndSwap(cur, cur+count) {
					return cur, count
				}
			}
		}
		customer := func(i int64) qbo.Customer {
			return qbo.Customer{DisplayName: fmt.Sprintf("Client %d-%05d", n, i), Notes: fmt.Sprintf("qbosync:client:%d", i)}
		}
		var written, batches, singles atomic.Int64
		var failed sync.Once
		var failure error
		fail := func(err error) { failed.Do(func() { failure = err }) }
		ctx := context.Background()

		var wg sync.WaitGroup
		start := time.Now()
		b.ResetTimer()
		for range 3 { // batch writers
			wg.Go(func() {
				for {
					first, count := take(30)
					if count == 0 {
						return
					}
					ops := make([]qbo.BatchOp, count)
					for j := range count {
						ops[j] = qbo.BatchOp{BID: fmt.Sprint("c", j), Operation: qbo.BatchCreate, Entity: "Customer", Body: customer(first + j)}
					}
					results, err := c.Batch(ctx, ops, qbo.RequestID("bench", fmt.Sprint(n), "batch", fmt.Sprint(first)))
					if err != nil {
						fail(err)
						return
					}
					for _, r := range results {
						if r.Err != nil {
							fail(r.Err)
							return
						}
					}
					written.Add(count)
					batches.Add(1)
				}
			})
		}
		for range 8 { // single writers
			wg.Go(func() {
				for {
					i, count := take(1)
					if count == 0 {
						return
					}
					if err := c.Create(ctx, "Customer", customer(i), qbo.RequestID("bench", fmt.Sprint(n), fmt.Sprint(i)), nil); err != nil {
						fail(err)
						return
					}
					written.Add(1)
					singles.Add(1)
				}
			})
		}
		wg.Wait()
		elapsed := time.Since(start)
		b.StopTimer()
		srv.Close()
		if failure != nil {
			b.Fatalf("after %d writes: %v", written.Load(), failure)
		}
		if got := len(sim.Entities(realm, "Customer")); int64(got) < total {
			b.Fatalf("the sandbox holds %d customers, want at least %d", got, total)
		}
		perMin := float64(written.Load()) / elapsed.Minutes()
		st := sim.Stats(realm)
		b.ReportMetric(perMin/qboWriteCeiling, "ceiling-fraction")
		b.ReportMetric(perMin, "writes/min")
		b.ReportMetric(float64(st.Throttled), "throttled")
		b.ReportMetric(float64(batches.Load()), "batches")
		b.ReportMetric(float64(singles.Load()), "singles")
		b.ReportMetric(float64(limiters.Stats(realm).Draws), "budget-draws")
		b.Logf("%d writes in %v: %.0f a minute, %.3f of QBO's ceiling; %d batches, %d singles; sandbox saw %d requests, %d throttled",
			written.Load(), elapsed.Round(time.Millisecond), perMin, perMin/qboWriteCeiling, batches.Load(), singles.Load(), st.Requests, st.Throttled)
		if st.Throttled != 0 {
			b.Errorf("QBO answered 429 %d times", st.Throttled)
		}
	}
}
