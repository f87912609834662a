package store_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/qbosync/qbosync/internal/db"
	"github.com/qbosync/qbosync/internal/db/dbtest"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/store"
)

// process is what one OS process would have: its own connections to the database, its
// own store and its own limiters. Two of them share nothing in memory.
func process(t *testing.T, dbURL string, l qbo.Limits, opts qbo.SharedOptions) (*qbo.Limiters, *store.Store) {
	t.Helper()
	d, err := db.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	st := store.New(d, nil)
	return qbo.NewSharedLimiters(l, st, opts), st
}

// twoProcesses returns two processes on a new database, pacing to testLimits, and the
// first one's store. Each test has its own database and mostly waits: they run in
// parallel.
func twoProcesses(t *testing.T, a, b string) (*qbo.Limiters, *qbo.Limiters, *store.Store) {
	t.Parallel()
	_, dbURL := dbtest.New(t)
	la, sa := process(t, dbURL, testLimits(), qbo.SharedOptions{Holder: a})
	lb, _ := process(t, dbURL, testLimits(), qbo.SharedOptions{Holder: b})
	return la, lb, sa
}

// testLimits are QBO's shape, so that a few seconds show every limit at work: 8 a second
// (125 ms apart), 4 at once, and only 6 batches a minute.
func testLimits() qbo.Limits {
	return qbo.Limits{PerMinute: 480, PerSecond: 8, Concurrent: 4, BatchPerMinute: 6, ThrottlePause: time.Second}
}

// traffic records the requests let through by any process.
type traffic struct {
	mu       sync.Mutex
	sent     []time.Time
	batches  []time.Time
	by       map[string]int
	inFlight int
	peak     int
}

func (tr *traffic) start(who string, kind qbo.RequestKind) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	now := time.Now()
	tr.sent = append(tr.sent, now)
	if kind == qbo.BatchRequest {
		tr.batches = append(tr.batches, now)
	}
	tr.by[who]++
	tr.inFlight++
	tr.peak = max(tr.peak, tr.inFlight)
}

func (tr *traffic) end() {
	tr.mu.Lock()
	tr.inFlight--
	tr.mu.Unlock()
}

// maxIn is the most of times (any order) within any span.
func maxIn(times []time.Time, span time.Duration) int {
	times = slices.Clone(times)
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	most, lo := 0, 0
	for hi := range times {
		for times[hi].Sub(times[lo]) >= span {
			lo++
		}
		most = max(most, hi-lo+1)
	}
	return most
}

// load is one process's requesters: singles and batches on its limiter.
type load struct {
	who              string
	lim              qbo.Limiter
	singles, batches int
}

// hammer runs each load's requesters until the window ends, and returns the traffic
// they made; each request takes 20-120 ms.
func hammer(window time.Duration, loads ...load) *traffic {
	ctx, cancel := context.WithTimeout(context.Background(), window)
	defer cancel()
	tr := &traffic{by: map[string]int{}}
	var wg sync.WaitGroup
	for _, ld := range loads {
		run := func(kind qbo.RequestKind) {
			for ctx.Err() == nil {
				if ld.lim.Wait(ctx, kind) != nil {
					return
				}
				tr.start(ld.who, kind)
				time.Sleep(time.Duration(20+rand.IntN(100)) * time.Millisecond)
				tr.end()
				ld.lim.Done()
			}
		}
		for range ld.singles {
			wg.Go(func() { run(qbo.SingleRequest) })
		}
		for range ld.batches {
			wg.Go(func() { run(qbo.BatchRequest) })
		}
	}
	wg.Wait()
	return tr
}

// TestSharedBudgetTwoProcesses: two processes, each pacing itself to the whole of a
// company's limits, together stay under them when they share the budget, and each
// gets a fair part of it.
func TestSharedBudgetTwoProcesses(t *testing.T) {
	a, b, sa := twoProcesses(t, "a", "b")
	l := testLimits()
	const window = 4 * time.Second
	tr := hammer(window, load{"a", a.For("realm-1"), 6, 2}, load{"b", b.For("realm-1"), 6, 2})

	// The budget's 125 ms spacing allows 8 a second; a send time may be used up to
	// 100 ms late, which can put one more in a second (docs/design.md).
	if got := maxIn(tr.sent, time.Second); got > l.PerSecond+1 {
		t.Errorf("%d requests within a second from both processes; the budget allows %d (+1 late)", got, l.PerSecond)
	}
	if got := len(tr.batches); got > l.BatchPerMinute || got == 0 {
		t.Errorf("%d batch requests within %s from both processes; the budget allows %d a minute", got, window, l.BatchPerMinute)
	}
	if tr.peak > l.Concurrent {
		t.Errorf("%d requests in flight at once from both processes; the limit is %d", tr.peak, l.Concurrent)
	}
	// Fair and not wasteful: both sent, together near the budget's rate.
	total := len(tr.sent)
	if ideal := int(window / (time.Second / 8)); total < ideal*3/4 {
		t.Errorf("%d requests in %s; the budget allows %d", total, window, ideal)
	}
	for _, who := range []string{"a", "b"} {
		if tr.by[who] < total/4 {
			t.Errorf("process %s sent %d of %d requests: starved", who, tr.by[who], total)
		}
	}
	// Chunks: a round trip to the database for several requests, start-up included.
	draws := a.Stats("realm-1").Draws + b.Stats("realm-1").Draws
	t.Logf("%d requests (%v), %d batches, peak %d in flight, %d draws", total, tr.by, len(tr.batches), tr.peak, draws)
	if draws > total/2 {
		t.Errorf("%d draws for %d requests: not in chunks", draws, total)
	}
	// Idle, a process gives its slots back and then costs nothing.
	waitUntil(t, "both processes give their slots back", func() bool { return heldSlots(t, sa.DB(), "realm-1") == 0 })
	idle := a.Stats("realm-1").Draws
	time.Sleep(time.Second)
	if got := a.Stats("realm-1").Draws; got != idle {
		t.Errorf("an idle process drew %d times in a second", got-idle)
	}
}

// TestSharedBudgetSpreadsBatches: with the shared budget too, a busy process sends a
// few batches at once and then one per 60s/BatchPerMinute, not one at every send
// time the company's window has room for; and every turn of the pace is used.
func TestSharedBudgetSpreadsBatches(t *testing.T) {
	t.Parallel()
	_, dbURL := dbtest.New(t)
	l := testLimits()
	l.BatchPerMinute = 40 // one every 1.5 s once the first few went
	lim, _ := process(t, dbURL, l, qbo.SharedOptions{Holder: "a"})
	const window = 6 * time.Second
	tr := hammer(window, load{"a", lim.For("realm-1"), 0, 3})

	interval := time.Minute / time.Duration(l.BatchPerMinute)
	batches := slices.Clone(tr.batches)
	slices.SortFunc(batches, time.Time.Compare)
	t.Logf("%d batches in %s", len(batches), window)
	if len(batches) < 4 || batches[3].Sub(batches[0]) > time.Second {
		t.Fatalf("the first batches did not go together: %v", batches)
	}
	// 4 at once, then one every 1.5 s: about 8 in 6 s, where the window alone would
	// let through twice that. The draws' round trips may cost a turn.
	paced := 4 + int(window/interval)
	if n := len(batches); n > paced+1 || n < paced-2 {
		t.Errorf("%d batches in %s; paced, %d", n, window, paced)
	}
}

// TestWithoutSharedBudgetTwoProcessesExceed is the control: two processes pacing only
// themselves send twice what one company allows. The observer above would see it.
func TestWithoutSharedBudgetTwoProcessesExceed(t *testing.T) {
	t.Parallel() // see twoProcesses
	l := testLimits()
	tr := hammer(1500*time.Millisecond, load{"a", qbo.NewLimiters(l).For("realm-1"), 6, 0}, load{"b", qbo.NewLimiters(l).For("realm-1"), 6, 0})
	if got := maxIn(tr.sent, time.Second); got <= l.PerSecond+1 {
		t.Errorf("two unshared limiters sent at most %d a second; expected about twice %d", got, l.PerSecond)
	}
}

func heldSlots(t *testing.T, d *sqlx.DB, realm string) int {
	t.Helper()
	var n int
	if err := d.Get(&n, `SELECT coalesce(sum(slots), 0) FROM qbo_budget_holders WHERE realm_id = $1`, realm); err != nil {
		t.Fatal(err)
	}
	return n
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSharedBudgetDeadHolder: a process that dies holding every concurrent slot and a
// run of send times holds up the company only until its slots expire.
func TestSharedBudgetDeadHolder(t *testing.T) {
	t.Parallel() // see twoProcesses
	_, dbURL := dbtest.New(t)
	l := testLimits()
	_, dead := process(t, dbURL, l, qbo.SharedOptions{})
	const ttl = time.Second
	_, err := dead.DrawBudget(context.Background(), "realm-1", qbo.BudgetDraw{
		Holder: "dead", Requests: 8, Gap: 125 * time.Millisecond, BatchLimit: 6,
		WantSlots: 4, InUse: 4, Concurrent: 4, TTL: ttl,
	})
	if err != nil {
		t.Fatal(err)
	}
	died := time.Now()
	live, _ := process(t, dbURL, l, qbo.SharedOptions{TTL: ttl})
	lim := live.For("realm-1")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := lim.Wait(ctx, qbo.SingleRequest); err != nil {
		t.Fatalf("the slots of a dead holder never came back: %v", err)
	}
	lim.Done()
	if waited := time.Since(died); waited < ttl-100*time.Millisecond || waited > ttl+2*time.Second {
		t.Errorf("the live process waited %s; the dead one's slots expire after %s", waited, ttl)
	}
}

// TestSharedBudgetReaderNotStarved: a writer keeping every slot busy with slow requests
// gives a reader in another process slots within about a second.
func TestSharedBudgetReaderNotStarved(t *testing.T) {
	writer, reader, _ := twoProcesses(t, "writer", "reader")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	w := writer.For("realm-1")
	for range 10 {
		wg.Go(func() {
			for w.Wait(ctx, qbo.SingleRequest) == nil {
				time.Sleep(400 * time.Millisecond) // slow requests: the writer is bound by slots
				w.Done()
			}
		})
	}
	time.Sleep(time.Second) // the writer holds every slot
	r := reader.For("realm-1")
	for i := range 3 {
		start := time.Now()
		rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
		err := r.Wait(rctx, qbo.SingleRequest)
		rcancel()
		if err != nil {
			t.Fatalf("read %d: starved: %v", i, err)
		}
		r.Done()
		if waited := time.Since(start); waited > 3*time.Second { // about a second, with room for a loaded machine
			t.Errorf("read %d waited %s behind the writer", i, waited)
		}
	}
	cancel()
}

// TestSharedBudgetThrottleReachesEveryProcess: after a 429 in one process, the other's
// requests pause too.
func TestSharedBudgetThrottleReachesEveryProcess(t *testing.T) {
	a, b, _ := twoProcesses(t, "a", "b")
	la := a.For("realm-1")
	ctx := context.Background()
	if err := la.Wait(ctx, qbo.SingleRequest); err != nil {
		t.Fatal(err)
	}
	la.(qbo.ThrottleObserver).Throttled(time.Second)
	la.Done()
	waitUntil(t, "the pause to reach the budget", func() bool { return a.Stats("realm-1").Draws >= 2 })
	start := time.Now()
	lb := b.For("realm-1")
	if err := lb.Wait(ctx, qbo.SingleRequest); err != nil {
		t.Fatal(err)
	}
	lb.Done()
	if waited := time.Since(start); waited < 700*time.Millisecond {
		t.Errorf("the other process sent after %s, inside the 1 s pause", waited)
	}
}
