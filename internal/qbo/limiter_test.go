package qbo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a Clock that moves only when told.
type fakeClock struct {
	mu       sync.Mutex
	now      time.Time
	timers   []*fakeTimer
	sleepers int // goroutines blocked in Sleep
}

type fakeTimer struct {
	c       *fakeClock
	at      time.Time
	f       func()
	sleeper bool
	done    bool // fired or stopped
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) Timer {
	return c.add(d, f, false)
}

func (c *fakeClock) add(d time.Duration, f func(), sleeper bool) *fakeTimer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), f: f, sleeper: sleeper}
	c.timers = append(c.timers, t)
	if sleeper {
		c.sleepers++
	}
	return t
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.done
	t.done = true
	return was
}

// Sleep blocks until the clock has moved d on; while it does, it counts
// as a sleeper.
func (c *fakeClock) Sleep(d time.Duration) {
	ch := make(chan struct{})
	c.add(d, func() { close(ch) }, true)
	<-ch
}

// next returns the earliest pending timer's time.
func (c *fakeClock) next() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var best time.Time
	ok := false
	for _, t := range c.timers {
		if !t.done && (!ok || t.at.Before(best)) {
			best, ok = t.at, true
		}
	}
	return best, ok
}

// advanceTo moves the clock to target, firing the timers due on the way
// in order, each at its own time.
func (c *fakeClock) advanceTo(target time.Time) {
	for {
		c.mu.Lock()
		var due *fakeTimer
		for _, t := range c.timers {
			if !t.done && !t.at.After(target) && (due == nil || t.at.Before(due.at)) {
				due = t
			}
		}
		if due == nil {
			if target.After(c.now) {
				c.now = target
			}
			live := c.timers[:0]
			for _, t := range c.timers {
				if !t.done {
					live = append(live, t)
				}
			}
			c.timers = live
			c.mu.Unlock()
			return
		}
		due.done = true
		if due.at.After(c.now) {
			c.now = due.at
		}
		if due.sleeper {
			c.sleepers--
		}
		c.mu.Unlock()
		due.f()
	}
}

func (c *fakeClock) advance(d time.Duration) { c.advanceTo(c.Now().Add(d)) }

// wakeSleepers ends every Sleep now, without moving the clock.
func (c *fakeClock) wakeSleepers() {
	c.mu.Lock()
	var wake []func()
	for _, t := range c.timers {
		if t.sleeper && !t.done {
			t.done = true
			c.sleepers--
			wake = append(wake, t.f)
		}
	}
	c.mu.Unlock()
	for _, f := range wake {
		f()
	}
}

func (c *fakeClock) sleeping() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sleepers
}

func (l *companyLimiter) waiting() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.queues[0]) + len(l.queues[1])
}

// eventually polls cond until it holds, failing after a few seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for i := 0; !cond(); i++ {
		if i < 200 {
			runtime.Gosched() // the usual case: another goroutine is about to block
			continue
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// grantLog records when requests were let through.
type grantLog struct {
	mu       sync.Mutex
	singles  []time.Time
	batches  []time.Time
	arrivals [2][]time.Time // by kind: when QBO would see them
	inFlight atomic.Int32
	maxIn    atomic.Int32
}

func (g *grantLog) record(kind RequestKind, at, arrival time.Time) {
	g.mu.Lock()
	g.arrivals[kind] = append(g.arrivals[kind], arrival)
	if kind == BatchRequest {
		g.batches = append(g.batches, at)
	} else {
		g.singles = append(g.singles, at)
	}
	g.mu.Unlock()
	n := g.inFlight.Add(1)
	for {
		m := g.maxIn.Load()
		if n <= m || g.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
}

func (g *grantLog) all() []time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	all := append(append([]time.Time(nil), g.singles...), g.batches...)
	sort.Slice(all, func(i, j int) bool { return all[i].Before(all[j]) })
	return all
}

// maxInWindow returns the most times (sorted) within any half-open
// window of length span, (t-span, t].
func maxInWindow(times []time.Time, span time.Duration) int {
	best, lo := 0, 0
	for hi := range times {
		for !times[lo].After(times[hi].Add(-span)) {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

// simulation drives workers through a limiter on a fake clock: each
// worker waits for the limiter, "sends" (sleeps its latency on the fake
// clock) and is done, for ever; the driver moves the clock from one timer
// to the next whenever every worker is blocked.
type simulation struct {
	t       *testing.T
	clock   *fakeClock
	lim     *companyLimiter
	log     grantLog
	workers int
	stop    chan struct{}
	wg      sync.WaitGroup
}

func newSimulation(t *testing.T, limits Limits) *simulation {
	clock := newFakeClock()
	limits.Clock = clock
	ls := NewLimiters(limits)
	return &simulation{t: t, clock: clock, lim: ls.company("123"), stop: make(chan struct{})}
}

// start adds n workers of kind whose requests take latency(rng).
func (s *simulation) start(n int, kind RequestKind, latency func(r *rand.Rand) time.Duration) {
	for i := range n {
		s.workers++
		s.wg.Add(1)
		rng := rand.New(rand.NewPCG(uint64(s.workers), uint64(i)))
		go func() {
			defer s.wg.Done()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				select {
				case <-s.stop:
					cancel()
				case <-ctx.Done():
				}
			}()
			for {
				if err := s.lim.Wait(ctx, kind); err != nil {
					return
				}
				// The network delays each request by up to 200 ms.
				now := s.clock.Now()
				s.log.record(kind, now, now.Add(time.Duration(rng.Int64N(int64(200*time.Millisecond)))))
				s.clock.Sleep(latency(rng))
				s.log.inFlight.Add(-1)
				s.lim.Done()
			}
		}()
	}
}

// quiesce waits until every worker is blocked on the limiter or the clock.
func (s *simulation) quiesce() {
	eventually(s.t, "the workers block", func() bool { return s.lim.waiting()+s.clock.sleeping() == s.workers })
}

// runUntil moves the clock, timer by timer, to end.
func (s *simulation) runUntil(end time.Time) {
	for {
		s.quiesce()
		next, ok := s.clock.next()
		if !ok {
			s.t.Fatal("every worker is blocked and no timer is pending: deadlock")
		}
		if next.After(end) {
			s.clock.advanceTo(end)
			return
		}
		s.clock.advanceTo(next)
	}
}

// finish stops the workers: those waiting give up, sleepers wake early.
// The clock stays put, so every grant is logged at its own time.
func (s *simulation) finish() {
	close(s.stop)
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	for {
		select {
		case <-done:
			return
		default:
			s.clock.wakeSleepers()
			runtime.Gosched()
		}
	}
}

// checkLimits fails the test if the grants ever exceeded limits.
func (s *simulation) checkLimits(l Limits) {
	s.t.Helper()
	all := s.log.all()
	if got := maxInWindow(all, time.Minute); got > l.PerMinute {
		s.t.Errorf("%d requests in one minute, limit %d", got, l.PerMinute)
	}
	if got := maxInWindow(all, time.Second); got > l.PerSecond {
		s.t.Errorf("%d requests in one second, limit %d", got, l.PerSecond)
	}
	s.log.mu.Lock()
	batches := append([]time.Time(nil), s.log.batches...)
	s.log.mu.Unlock()
	if got := maxInWindow(batches, time.Minute); got > l.BatchPerMinute {
		s.t.Errorf("%d batches in one minute, limit %d", got, l.BatchPerMinute)
	}
	if got := int(s.log.maxIn.Load()); got > l.Concurrent {
		s.t.Errorf("%d requests in flight at once, limit %d", got, l.Concurrent)
	}
	for i := 1; i < len(all); i++ {
		if gap := all[i].Sub(all[i-1]); gap < time.Second/time.Duration(l.PerSecond) {
			s.t.Errorf("requests %v apart: not spread out (%d: %v, %v)", gap, i, all[i-1], all[i])
			break
		}
	}
}

// checkArrivals fails the test if QBO, seeing the requests as they
// arrive, late by up to 200 ms each, would count more than its limits.
func (s *simulation) checkArrivals() {
	s.t.Helper()
	s.log.mu.Lock()
	singles := slices.Clone(s.log.arrivals[SingleRequest])
	batches := slices.Clone(s.log.arrivals[BatchRequest])
	s.log.mu.Unlock()
	slices.SortFunc(batches, time.Time.Compare)
	all := append(singles, batches...)
	slices.SortFunc(all, time.Time.Compare)
	q := QBOLimits()
	if got := maxInWindow(all, time.Minute); got > q.PerMinute {
		s.t.Errorf("QBO sees %d requests in a minute", got)
	}
	if got := maxInWindow(all, time.Second); got > q.PerSecond {
		s.t.Errorf("QBO sees %d requests in a second", got)
	}
	if got := maxInWindow(batches, time.Minute); got > q.BatchPerMinute {
		s.t.Errorf("QBO sees %d batches in a minute", got)
	}
}

func latencyBetween(lo, hi time.Duration) func(*rand.Rand) time.Duration {
	return func(r *rand.Rand) time.Duration { return lo + time.Duration(r.Int64N(int64(hi-lo))) }
}

// TestLimiterLongRun floods one company with singles and batches for
// twenty simulated minutes: no limit is ever exceeded, the allowance is
// used in full, and neither kind starves the other.
func TestLimiterLongRun(t *testing.T) {
	s := newSimulation(t, Limits{})
	s.start(20, SingleRequest, latencyBetween(50*time.Millisecond, time.Second))
	s.start(4, BatchRequest, latencyBetween(300*time.Millisecond, 3*time.Second))
	start := s.clock.Now()
	const minutes = 20
	s.runUntil(start.Add(minutes * time.Minute))
	s.finish()

	d := DefaultLimits()
	s.checkLimits(d)
	s.checkArrivals()
	singles, batches := len(s.log.singles), len(s.log.batches)
	t.Logf("%d minutes: %d singles, %d batches (%d writes), max %d in flight",
		minutes, singles, batches, singles+30*batches, s.log.maxIn.Load())
	// The full allowance is used: 475 a minute, 38 of them batches.
	if total := singles + batches; total < minutes*d.PerMinute-d.PerMinute/10 {
		t.Errorf("%d requests in %d minutes; the limiter leaves allowance unused", total, minutes)
	}
	if batches < minutes*d.BatchPerMinute-2 {
		t.Errorf("%d batches in %d minutes: singles starve batches", batches, minutes)
	}
	if singles < minutes*(d.PerMinute-d.BatchPerMinute)-d.PerMinute/10 {
		t.Errorf("%d singles in %d minutes: batches starve singles", singles, minutes)
	}
}

// TestLimiterSpreadsBatchesOverTheMinute: a company kept busy with batches and singles
// sends its first few batches at once, and then one every 60s/38, not a minute's
// worth in a few seconds followed by none while they age out of the window (a writer
// whose next batch waited for the window had nothing else to send for half a minute).
// The full batch budget is still used.
func TestLimiterSpreadsBatchesOverTheMinute(t *testing.T) {
	s := newSimulation(t, Limits{})
	s.start(10, SingleRequest, latencyBetween(20*time.Millisecond, 200*time.Millisecond))
	s.start(3, BatchRequest, latencyBetween(100*time.Millisecond, 500*time.Millisecond))
	start := s.clock.Now()
	const minutes = 5
	s.runUntil(start.Add(minutes * time.Minute))
	s.finish()
	s.checkLimits(DefaultLimits())

	batches := s.log.batches
	slices.SortFunc(batches, time.Time.Compare)
	d := DefaultLimits()
	interval := time.Minute / time.Duration(d.BatchPerMinute)
	if len(batches) < batchBurst || batches[batchBurst-1].Sub(start) > time.Second {
		t.Fatalf("the first %d batches did not go at once: %v", batchBurst, batches[:min(len(batches), batchBurst)])
	}
	// After the burst: any 10 seconds hold what the pace allows, one more for the
	// span's edges and one a late turn saved.
	if most, allowed := maxInWindow(batches[batchBurst:], 10*time.Second), int(10*time.Second/interval)+2; most > allowed {
		t.Errorf("%d batches within 10 seconds; spread over the minute, at most %d", most, allowed)
	}
	if len(batches) < minutes*d.BatchPerMinute-2 {
		t.Errorf("%d batches in %d minutes: the pace leaves batch budget unused", len(batches), minutes)
	}
}

// TestLimiterQBOLimitsExactly runs at QBO's own limits, without margin:
// still never above.
func TestLimiterQBOLimitsExactly(t *testing.T) {
	s := newSimulation(t, QBOLimits())
	s.start(15, SingleRequest, latencyBetween(time.Millisecond, 300*time.Millisecond))
	s.start(15, BatchRequest, latencyBetween(time.Millisecond, 300*time.Millisecond))
	s.runUntil(s.clock.Now().Add(5 * time.Minute))
	s.finish()
	s.checkLimits(QBOLimits())
	if n := len(s.log.singles) + len(s.log.batches); n < 5*500-50 {
		t.Errorf("%d requests in 5 minutes at 500 a minute", n)
	}
}

// TestLimiterConcurrency: slow requests make concurrency the binding
// limit; it is reached and never exceeded.
func TestLimiterConcurrency(t *testing.T) {
	s := newSimulation(t, Limits{})
	s.start(30, SingleRequest, latencyBetween(3*time.Second, 8*time.Second))
	s.start(5, BatchRequest, latencyBetween(3*time.Second, 8*time.Second))
	s.runUntil(s.clock.Now().Add(3 * time.Minute))
	s.finish()
	s.checkLimits(DefaultLimits())
	want := int32(DefaultLimits().Concurrent)
	if got := s.log.maxIn.Load(); got != want {
		t.Errorf("at most %d in flight; want %d reached", got, want)
	}
	if st := s.lim.stats; st.MaxInFlight != int(want) {
		t.Errorf("stats: %+v", st)
	}
}

// TestLimiterThrottlePause: after a 429 nothing goes for 60 seconds (or
// Retry-After), then traffic resumes at full rate.
func TestLimiterThrottlePause(t *testing.T) {
	for _, tt := range []struct {
		retryAfter, pause time.Duration
	}{{0, time.Minute}, {5 * time.Second, 5 * time.Second}} {
		s := newSimulation(t, Limits{})
		s.start(12, SingleRequest, latencyBetween(10*time.Millisecond, 500*time.Millisecond))
		s.start(2, BatchRequest, latencyBetween(10*time.Millisecond, 500*time.Millisecond))
		start := s.clock.Now()
		s.runUntil(start.Add(90 * time.Second))
		s.quiesce()
		at := s.clock.Now()
		s.lim.Throttled(tt.retryAfter)
		s.runUntil(at.Add(tt.pause + 2*time.Minute))
		s.finish()
		s.checkLimits(DefaultLimits())

		all := s.log.all()
		var during, after int
		var first time.Time
		for _, g := range all {
			switch {
			case g.After(at) && g.Before(at.Add(tt.pause)):
				during++
			case !g.Before(at.Add(tt.pause)):
				if after == 0 {
					first = g
				}
				after++
			}
		}
		if during != 0 {
			t.Errorf("pause %v: %d requests during the pause", tt.pause, during)
		}
		if first.Sub(at.Add(tt.pause)) > time.Second || after < 2*DefaultLimits().PerMinute-50 {
			t.Errorf("pause %v: resumed at +%v with %d requests in the next two minutes", tt.pause, first.Sub(at), after)
		}
		if s.lim.stats.Throttled != 1 {
			t.Errorf("stats: %+v", s.lim.stats)
		}
	}
}

// oneSlotTaken returns company 9's limiter allowing one request at a
// time, with that one in flight.
func oneSlotTaken(t *testing.T) (*fakeClock, *Limiters, Limiter) {
	t.Helper()
	clock := newFakeClock()
	ls := NewLimiters(Limits{Concurrent: 1, Clock: clock})
	l := ls.For("9")
	if err := l.Wait(context.Background(), SingleRequest); err != nil {
		t.Fatal(err)
	}
	return clock, ls, l
}

// TestLimiterCancel: a request that gives up waiting leaves no trace, and
// one let through but cancelled gives its slot back.
func TestLimiterCancel(t *testing.T) {
	clock, ls, l := oneSlotTaken(t)
	ctx := context.Background()
	cctx, cancel := context.WithCancel(ctx)
	errc := make(chan error)
	go func() { errc <- l.Wait(cctx, BatchRequest) }()
	eventually(t, "the second request waits", func() bool { return ls.Stats("9").Waiting == 1 })
	cancel()
	if err := <-errc; err != context.Canceled {
		t.Errorf("Wait = %v", err)
	}
	if st := ls.Stats("9"); st.Waiting != 0 || st.InFlight != 1 || st.Batches != 0 {
		t.Errorf("after cancel: %+v", st)
	}
	l.Done()
	clock.advance(time.Second)
	if err := l.Wait(ctx, SingleRequest); err != nil {
		t.Fatal(err)
	}
	l.Done()
	if err := l.Wait(cctx, SingleRequest); err != context.Canceled {
		t.Errorf("Wait with a done context = %v", err)
	}
	if st := ls.Stats("9"); st.InFlight != 0 || st.Singles != 2 {
		t.Errorf("stats %+v", st)
	}
	// Companies are independent.
	if ls.For("9") != l || ls.For("10") == l {
		t.Error("For does not keep one limiter per company")
	}
}

// TestLimiterAbandoned: a request abandoned without an answer keeps its
// slot until QBO would have timed it out.
func TestLimiterAbandoned(t *testing.T) {
	clock, ls, l := oneSlotTaken(t)
	ctx := context.Background()
	l.(AbandonObserver).Abandoned()
	got := make(chan time.Time, 1)
	go func() {
		if l.Wait(ctx, SingleRequest) == nil {
			got <- clock.Now()
		}
	}()
	eventually(t, "the next request waits", func() bool { return ls.Stats("9").Waiting == 1 })
	start := clock.Now()
	clock.advance(119 * time.Second)
	select {
	case <-got:
		t.Fatal("the abandoned request's slot was freed early")
	case <-time.After(10 * time.Millisecond):
	}
	clock.advance(time.Second)
	if at := <-got; at.Sub(start) != 120*time.Second {
		t.Errorf("freed after %v", at.Sub(start))
	}
}

// TestClientRetriesAfterThrottle: a request refused with 429 is sent
// again by the client once the company's pause is over, with the same
// request ID, and succeeds; meanwhile other requests wait too.
func TestClientRetriesAfterThrottle(t *testing.T) {
	var calls atomic.Int32
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, body string) {
		if calls.Add(1) == 1 {
			reply(w, 429, jsonCT, throttleFaultJSON)
			return
		}
		reply(w, 200, jsonCT, customerResponse)
	})
	clock := newFakeClock()
	ls := NewLimiters(Limits{Clock: clock})
	c := newTestClient(t, f, func(o *Options) { o.Limiter = ls.For("123") })
	type result struct {
		cust Customer
		err  error
	}
	done := make(chan result, 1)
	go func() {
		var out Customer
		err := c.Create(context.Background(), "Customer", Customer{DisplayName: "Smith"}, RequestID("c", "1"), &out)
		done <- result{out, err}
	}()
	eventually(t, "the retry waits for the pause", func() bool { return calls.Load() == 1 && ls.Stats("123").Waiting == 1 })
	// Another request to the company waits as well.
	other := make(chan error, 1)
	go func() { other <- c.Read(context.Background(), "Customer", "59", nil) }()
	eventually(t, "a second request waits", func() bool { return ls.Stats("123").Waiting == 2 })
	clock.advance(59 * time.Second)
	time.Sleep(10 * time.Millisecond)
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d requests during the pause", n)
	}
	clock.advance(time.Second)
	r := <-done
	if r.err != nil || r.cust.ID != "59" {
		t.Fatalf("Create = %+v, %v", r.cust, r.err)
	}
	clock.advance(time.Second) // the second goes 125 ms after the first
	if err := <-other; err != nil {
		t.Fatal(err)
	}
	var posts []seen
	for _, r := range f.requests() {
		if r.Method == "POST" {
			posts = append(posts, r)
		}
	}
	// Sent twice, the same both times; the GET went once.
	if len(f.requests()) != 3 || len(posts) != 2 || posts[0].Query.Get("requestid") != RequestID("c", "1") ||
		posts[1].Query.Get("requestid") != RequestID("c", "1") || posts[0].Body != posts[1].Body {
		t.Errorf("requests: %+v", f.requests())
	}
	if st := ls.Stats("123"); st.Throttled != 1 || st.InFlight != 0 || st.Singles != 3 {
		t.Errorf("stats %+v", st)
	}
}

// TestClientThrottleRetriesRunOut: QBO keeps refusing; after
// ThrottleRetries resends the 429 is returned, Transient and not ambiguous.
func TestClientThrottleRetriesRunOut(t *testing.T) {
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, body string) {
		w.Header().Set("Retry-After", "7")
		reply(w, 429, xmlCT, throttleFaultXML)
	})
	clock := newFakeClock()
	ls := NewLimiters(Limits{Clock: clock})
	c := newTestClient(t, f, func(o *Options) { o.Limiter = ls.For("123"); o.ThrottleRetries = 2 })
	done := make(chan error, 1)
	go func() { done <- c.Create(context.Background(), "Customer", Customer{DisplayName: "x"}, "r", nil) }()
	for i := 1; i <= 2; i++ {
		eventually(t, fmt.Sprintf("resend %d waits", i), func() bool { return len(f.requests()) == i && ls.Stats("123").Waiting == 1 })
		clock.advance(7 * time.Second) // Retry-After is honoured
	}
	err := <-done
	e := asError(t, err)
	if e.HTTPStatus != 429 || e.Class != Transient || IsAmbiguous(err) || e.Code != "3001" || len(f.requests()) != 3 {
		t.Errorf("err %v after %d requests", err, len(f.requests()))
	}
	if !strings.Contains(e.Explanation(), "slow down") {
		t.Errorf("explanation %q", e.Explanation())
	}
}

// TestLimiterBatchKind: batches are counted as batches, and a batch
// waiting for the batch limit does not hold singles up.
func TestLimiterBatchKind(t *testing.T) {
	clock := newFakeClock()
	ls := NewLimiters(Limits{BatchPerMinute: 1, Clock: clock})
	l := ls.For("1")
	ctx := context.Background()
	if err := l.Wait(ctx, BatchRequest); err != nil {
		t.Fatal(err)
	}
	l.Done()
	got := make(chan struct{})
	go func() {
		if l.Wait(ctx, BatchRequest) == nil {
			close(got)
		}
	}()
	eventually(t, "the second batch waits", func() bool { return ls.Stats("1").Waiting == 1 })
	single := make(chan struct{})
	go func() {
		if l.Wait(ctx, SingleRequest) == nil {
			close(single)
		}
	}()
	eventually(t, "the single waits", func() bool { return ls.Stats("1").Waiting == 2 })
	clock.advance(time.Second)
	<-single // not held up behind the batch
	select {
	case <-got:
		t.Fatal("the batch went before its limit allowed")
	default:
	}
	l.Done()
	clock.advance(time.Minute)
	<-got
	l.Done()
	if st := ls.Stats("1"); st.Batches != 2 || st.Singles != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestBatchesFree: a client says the batch budget is free while fewer than half the
// minute's batch requests went or wait, and not once half have; a minute later it is
// free again.
func TestBatchesFree(t *testing.T) {
	clock := newFakeClock()
	ls := NewLimiters(Limits{PerMinute: 500, PerSecond: 100, Concurrent: 10, BatchPerMinute: 4, Clock: clock})
	c, err := New(Options{BaseURL: "http://qbo.invalid", RealmID: "1", HTTPClient: http.DefaultClient, Limiter: ls.For("1")})
	if err != nil {
		t.Fatal(err)
	}
	if !c.BatchesFree() {
		t.Fatal("an unused batch budget is not free")
	}
	for range 2 {
		if err := ls.For("1").Wait(context.Background(), BatchRequest); err != nil {
			t.Fatal(err)
		}
		ls.For("1").Done()
		clock.advance(time.Second)
	}
	if c.BatchesFree() {
		t.Error("half the minute's batches went, and the budget is still free")
	}
	clock.advance(time.Minute)
	if !c.BatchesFree() {
		t.Error("a minute later the budget is not free again")
	}
	unpaced, err := New(Options{BaseURL: "http://qbo.invalid", RealmID: "1", HTTPClient: http.DefaultClient})
	if err != nil {
		t.Fatal(err)
	}
	if !unpaced.BatchesFree() {
		t.Error("without a limiter the batch budget is not free")
	}
}
