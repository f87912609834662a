package qbo

import (
	"context"
	"sync"
	"time"
)

// Limits are the request limits a Limiters keeps each company under.
// Zero (or negative) fields take DefaultLimits' values.
type Limits struct {
	// PerMinute bounds all requests, batches included, in any 60 seconds.
	PerMinute int
	// PerSecond bounds all requests in any second.
	PerSecond int
	// Concurrent bounds the requests in flight at once.
	Concurrent int
	// BatchPerMinute bounds batch requests in any 60 seconds.
	BatchPerMinute int
	// ThrottlePause is how long a company's requests stop after a 429
	// that did not say Retry-After. QBO says to wait 60 seconds.
	ThrottlePause time.Duration
	// Clock tells the time; nil is the real clock. Tests pass a fake.
	Clock Clock
}

// QBOLimits returns QBO's documented limits per company and app: 500
// requests a minute (batches count), 10 a second, 10 at once, 40 batch
// requests a minute. Pacing to exactly these leaves no room for error;
// DefaultLimits keeps a margin.
func QBOLimits() Limits {
	return Limits{PerMinute: 500, PerSecond: 10, Concurrent: 10, BatchPerMinute: 40, ThrottlePause: time.Minute}
}

// DefaultLimits returns the limits qbosync paces to: QBO's with a safety
// margin.
//
//   - 475 requests a minute (5% under 500) and 38 batches a minute (5%
//     under 40). The windows here count when requests are sent; QBO
//     counts when they arrive, and arrivals bunch up when network latency
//     varies: with up to 3 seconds of variation a 60-second window at QBO
//     can hold what was sent in 63 seconds, 5% more. The margin also
//     covers the one unpaced resend after a 401 (Transport) and QBO's
//     undocumented window boundaries.
//   - 8 a second (20% under 10), spread evenly: requests go at least
//     125 ms apart, never in bursts. The same bunching hits a one-second
//     window much harder: 8 requests sent at once arrive spread over a few
//     milliseconds, and 8 more sent a second later may arrive tightly, so
//     that QBO sees 16 within one second (the sandbox showed exactly
//     that). Spread out, requests can arrive up to 250 ms late without
//     QBO seeing more than 10 in a second. 8 a second is still 480 a
//     minute, above 475, so it costs no throughput.
//   - 9 at once (one under 10): a request is counted here from before it
//     is sent until its answer has been read, which spans its time at QBO,
//     but a server may finish its own bookkeeping of a request a moment
//     after the answer's last byte has left, so the next request can
//     arrive while QBO still counts the last one. At 8 requests a second
//     9 at once is only binding when requests take over a second. A
//     request abandoned without an answer stays counted until QBO would
//     have timed it out (AbandonObserver).
//
// That is 38×30 + 437 = 1,577 writes a minute with full batches, 95% of
// QBO's ceiling of 1,660.
func DefaultLimits() Limits {
	return Limits{PerMinute: 475, PerSecond: 8, Concurrent: 9, BatchPerMinute: 38, ThrottlePause: time.Minute}
}

// abandonHold is how long an abandoned request stays counted as in
// flight: QBO times requests out after 120 seconds.
const abandonHold = 120 * time.Second

// A Clock tells the time and runs functions later; Limits.Clock lets tests
// replace the real one.
type Clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) Timer
}

// A Timer is a pending AfterFunc.
type Timer interface {
	Stop() bool
}

type realClock struct{}

func (realClock) Now() time.Time                            { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Limiters holds one Limiter per QBO company, to be shared by every Client
// of a worker process: QBO's limits are per company (and app), so two
// activities syncing the same company must draw on the same allowance.
// It is safe for concurrent use.
type Limiters struct {
	limits  Limits
	mu      sync.Mutex
	byRealm map[string]*companyLimiter
	// store, when set, holds each company's budget shared with other
	// processes (NewSharedLimiters).
	store  BudgetStore
	shared SharedOptions
}

// NewLimiters returns a registry of company limiters pacing to l.
func NewLimiters(l Limits) *Limiters {
	d := DefaultLimits()
	for _, f := range []struct {
		v   *int
		def int
	}{
		{&l.PerMinute, d.PerMinute}, {&l.PerSecond, d.PerSecond},
		{&l.Concurrent, d.Concurrent}, {&l.BatchPerMinute, d.BatchPerMinute},
	} {
		if *f.v <= 0 {
			*f.v = f.def
		}
	}
	if l.ThrottlePause <= 0 {
		l.ThrottlePause = d.ThrottlePause
	}
	if l.Clock == nil {
		l.Clock = realClock{}
	}
	return &Limiters{limits: l, byRealm: map[string]*companyLimiter{}}
}

// For returns the company's Limiter, for Options.Limiter. It is also a
// ThrottlePauser and an AbandonObserver.
func (ls *Limiters) For(realm string) Limiter { return ls.company(realm) }

func (ls *Limiters) company(realm string) *companyLimiter {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	l, ok := ls.byRealm[realm]
	if !ok {
		l = newCompanyLimiter(ls.limits)
		if ls.store != nil {
			l.shared = newSharedBudget(ls.store, realm, ls.shared, ls.limits)
		}
		ls.byRealm[realm] = l
	}
	return l
}

// LimiterStats describes a company's traffic so far.
type LimiterStats struct {
	Singles, Batches int // requests let through, by kind
	Throttled        int // 429 answers reported
	MaxInFlight      int // the most requests in flight at once
	Waiting          int // requests waiting now
	InFlight         int // requests in flight now
	// Draws counts the round trips to the shared budget (NewSharedLimiters),
	// DrawErrors those that failed.
	Draws, DrawErrors int
}

// Stats returns the company's traffic so far.
func (ls *Limiters) Stats(realm string) LimiterStats {
	l := ls.company(realm)
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.stats
	s.Waiting = len(l.queues[SingleRequest]) + len(l.queues[BatchRequest])
	s.InFlight = l.inFlight
	return s
}

// BatchesBusy reports how many of the company's batch requests of the last
// minute this process sent or has waiting, beside the limit on them: the
// engine sends a few writes as one batch only while the batch budget is
// mostly unused (Client.BatchesFree).
func (l *companyLimiter) BatchesBusy() (busy, limit int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.batch.count(l.clock.Now()) + len(l.queues[BatchRequest]), l.lim.BatchPerMinute
}

// companyLimiter paces one company's requests.
//
// Every limit on a number of requests in a period is a sliding window: a
// request may go when fewer than the limit went in the period before it.
// That satisfies QBO whether it counts in sliding or in fixed windows, and
// allows QBO's full rate, unlike a token bucket, whose burst would have to
// be counted against the same minute. On top, requests are spaced at
// least 1/PerSecond apart (see DefaultLimits), and batches are spread over
// the minute (batchPace): a window alone lets a busy company send its
// minute's batches in the first seconds, and then none until they age out,
// so a writer whose next batch waits for the window has nothing else to
// send for half a minute.
//
// Waiting requests queue by kind, first come first served within a kind.
// When both kinds could go, they take turns, so singles cannot starve
// batches (a batch due under its own limit goes within the next two
// grants) and batches, which their own limit holds to 38 a minute, cannot
// starve singles. When only one kind can go, it goes: a batch waiting for
// the batch limit does not hold up singles.
type companyLimiter struct {
	lim   Limits
	clock Clock

	mu          sync.Mutex
	minute      window
	second      window
	batch       window
	batchPace   pace
	gap         time.Duration // between two requests: 1s / PerSecond
	lastGrant   time.Time
	inFlight    int
	pausedUntil time.Time
	queues      [2][]*waiter // by RequestKind
	last        RequestKind  // the kind let through last
	timer       Timer        // the pending wake-up, if any
	timerAt     time.Time
	timerGen    int
	stats       LimiterStats
	shared      *sharedBudget // nil: this process's limits only
}

type waiter struct {
	kind    RequestKind
	ready   chan struct{}
	granted bool
}

func newCompanyLimiter(l Limits) *companyLimiter {
	return &companyLimiter{
		lim:       l,
		clock:     l.Clock,
		minute:    newWindow(l.PerMinute, time.Minute),
		second:    newWindow(l.PerSecond, time.Second),
		batch:     newWindow(l.BatchPerMinute, time.Minute),
		batchPace: newPace(time.Minute/time.Duration(l.BatchPerMinute), batchBurst),
		gap:       time.Second / time.Duration(l.PerSecond),
	}
}

// Wait blocks until a request of the kind may be sent without exceeding
// any limit, or ctx is done.
func (l *companyLimiter) Wait(ctx context.Context, kind RequestKind) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if kind != BatchRequest {
		kind = SingleRequest
	}
	w := &waiter{kind: kind, ready: make(chan struct{})}
	l.mu.Lock()
	l.queues[kind] = append(l.queues[kind], w)
	l.accrueBatchPace()
	l.dispatch()
	l.mu.Unlock()
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if w.granted {
		l.inFlight-- // let through just now: give the slot back
	} else {
		q := l.queues[kind]
		for i, x := range q {
			if x == w {
				l.queues[kind] = append(q[:i:i], q[i+1:]...)
				l.accrueBatchPace()
				break
			}
		}
	}
	l.dispatch()
	return ctx.Err()
}

// Done ends a request let through by Wait.
func (l *companyLimiter) Done() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inFlight--
	l.dispatch()
}

// Abandoned ends a request that may still be running at QBO: its slot is
// freed only when QBO would have timed it out.
func (l *companyLimiter) Abandoned() {
	l.clock.AfterFunc(abandonHold, l.Done)
}

// Throttled pauses the company's requests after a 429: for retryAfter if
// QBO said, otherwise for Limits.ThrottlePause.
func (l *companyLimiter) Throttled(retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stats.Throttled++
	if retryAfter <= 0 {
		retryAfter = l.lim.ThrottlePause
	}
	if until := l.clock.Now().Add(retryAfter); until.After(l.pausedUntil) {
		l.pausedUntil = until
	}
	if l.shared != nil {
		l.shared.pause = max(l.shared.pause, retryAfter) // every process pauses
	}
	l.dispatch()
}

// PausesAfterThrottle implements ThrottlePauser.
func (l *companyLimiter) PausesAfterThrottle() {}

// dispatch lets through every waiting request that may go now, and
// otherwise arranges to be called again when one may. With a shared budget
// it also has the draw loop look at what the company needs. l.mu is held.
func (l *companyLimiter) dispatch() {
	l.dispatchLocal()
	if l.shared != nil {
		l.poke()
	}
}

// dispatchLocal is dispatch but for the draw loop. l.mu is held.
func (l *companyLimiter) dispatchLocal() {
	for len(l.queues[SingleRequest])+len(l.queues[BatchRequest]) > 0 {
		now := l.clock.Now()
		if now.Before(l.pausedUntil) {
			l.wakeAt(now, l.pausedUntil)
			return
		}
		if l.inFlight >= l.concurrent() {
			return // Done (or a draw of slots) calls again
		}
		at, ok := l.sendAt(now)
		if !ok {
			return // a draw of send times calls again
		}
		if at.After(now) {
			l.wakeAt(now, at)
			return
		}
		singles := len(l.queues[SingleRequest]) > 0
		batchAt, batchOK := l.batchSendAt(now)
		batches := len(l.queues[BatchRequest]) > 0 && batchOK && !batchAt.After(now)
		var kind RequestKind
		switch {
		case singles && batches && l.shared == nil:
			kind = SingleRequest
			if l.last == SingleRequest {
				kind = BatchRequest
			}
		case batches: // with a shared budget, only at a send time reserved for a batch
			kind = BatchRequest
		case singles:
			kind = SingleRequest
		case batchOK: // only batches wait, for the batch limit
			l.wakeAt(now, batchAt)
			return
		default: // only batches wait, for a draw of batch send times
			return
		}
		l.grant(now, kind)
	}
}

// grant lets the first waiting request of kind through. l.mu is held.
func (l *companyLimiter) grant(now time.Time, kind RequestKind) {
	w := l.queues[kind][0]
	l.queues[kind][0] = nil
	l.queues[kind] = l.queues[kind][1:]
	l.minute.add(now)
	l.second.add(now)
	if kind == BatchRequest {
		l.batch.add(now)
		l.accrueBatchPace()
		l.batchPace.take()
		l.stats.Batches++
	} else {
		l.stats.Singles++
	}
	if l.shared != nil {
		l.shared.times.take()
		if kind == BatchRequest {
			l.shared.batches.take()
		}
	}
	l.last = kind
	l.lastGrant = now
	l.inFlight++
	l.stats.MaxInFlight = max(l.stats.MaxInFlight, l.inFlight)
	w.granted = true
	close(w.ready)
}

// concurrent is how many requests may be in flight: with a shared budget,
// as many as the slots this process holds. l.mu is held.
func (l *companyLimiter) concurrent() int {
	if l.shared != nil {
		return min(l.lim.Concurrent, l.shared.slots)
	}
	return l.lim.Concurrent
}

// sendAt returns when the next request may be sent, by this process's
// windows and, in memory, its spacing, or with a shared budget its next
// reserved send time; false when none is reserved. l.mu is held.
func (l *companyLimiter) sendAt(now time.Time) (time.Time, bool) {
	at := later(l.minute.next(now), l.second.next(now))
	if l.shared == nil {
		if !l.lastGrant.IsZero() {
			at = later(at, l.lastGrant.Add(l.gap))
		}
		return at, true
	}
	// The reserved times are spaced already; spacing from the last grant as
	// well would carry one late wake-up on to every following time, until
	// they came too late to use.
	l.shared.times.expire(now.Add(-slotSlack))
	slot, ok := l.shared.times.next()
	return later(at, slot), ok
}

// batchSendAt is sendAt's counterpart for the batch limit. A batch also
// needs a send time of sendAt's. l.mu is held.
func (l *companyLimiter) batchSendAt(now time.Time) (time.Time, bool) {
	l.accrueBatchPace()
	at := later(l.batch.next(now), l.batchPace.next(now))
	if l.shared == nil {
		return at, true
	}
	l.shared.batches.expire(now.Add(-slotSlack))
	slot, ok := l.shared.batches.next()
	return later(at, slot), ok
}

// accrueBatchPace brings the batch pace up to now, after batches began or
// stopped waiting. l.mu is held.
func (l *companyLimiter) accrueBatchPace() {
	l.batchPace.accrue(l.clock.Now(), len(l.queues[BatchRequest]) > 0)
}

// wakeAt arranges for dispatch to run at t, unless it is due to run
// earlier anyway. l.mu is held.
func (l *companyLimiter) wakeAt(now, t time.Time) {
	if l.timer != nil && !l.timerAt.After(t) {
		return
	}
	if l.timer != nil {
		l.timer.Stop()
	}
	l.timerGen++
	gen := l.timerGen
	l.timerAt = t
	l.timer = l.clock.AfterFunc(t.Sub(now), func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if gen == l.timerGen {
			l.timer = nil
		}
		l.dispatch()
	})
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// batchBurst is how many batches may go back to back after a quiet spell:
// a few writes of a quiet firm need not wait for the pace, and a busy
// company is held to one batch every 60s / BatchPerMinute.
const batchBurst = 4

// pace spreads requests evenly, one every interval, and lets a few go back
// to back after a quiet spell. It is a token bucket whose credit grows by
// one request an interval up to burst, but only while none waits: while
// requests wait (for the pace, or for a window that a burst filled) it
// grows to two requests and no further. Otherwise a burst would be saved up
// while the window is full and sent again the moment it reopens, and the
// window's bunching would come back every minute; and with one, a turn
// taken late (behind another request's spacing) would be lost for good.
// A window still bounds the rate; the pace only smooths it.
type pace struct {
	interval time.Duration
	burst    int
	credit   time.Duration // earned, one interval a request
	at       time.Time     // when credit was brought up to date
	waiting  bool          // requests waited since at
}

func newPace(interval time.Duration, burst int) pace {
	return pace{interval: interval, burst: burst, credit: time.Duration(burst) * interval}
}

// accrue brings the credit up to now; waiting says whether requests wait
// from now on. It is called whenever that changes.
func (p *pace) accrue(now time.Time, waiting bool) {
	if !p.at.IsZero() && now.After(p.at) {
		most := time.Duration(p.burst) * p.interval
		if p.waiting {
			most = min(most, max(p.credit, 2*p.interval))
		}
		p.credit = min(p.credit+now.Sub(p.at), most)
	}
	p.at, p.waiting = now, waiting
}

// next returns the earliest time, now or later, the pace lets one more go.
// The credit is up to date (accrue).
func (p *pace) next(now time.Time) time.Time {
	return now.Add(max(p.interval-p.credit, 0))
}

// allowance is how many the pace lets go back to back from now.
func (p *pace) allowance() int { return int(p.credit / p.interval) }

// take spends one request's credit.
func (p *pace) take() { p.credit -= p.interval }

// window is a sliding window: it remembers the last limit send times.
type window struct {
	span  time.Duration
	times []time.Time // a ring once full; oldest at head
	head  int
	limit int
}

func newWindow(limit int, span time.Duration) window {
	return window{span: span, limit: limit, times: make([]time.Time, 0, limit)}
}

// next returns the earliest time, now or later, at which one more request
// keeps at most limit in any span.
func (w *window) next(now time.Time) time.Time {
	if len(w.times) < w.limit {
		return now
	}
	return later(now, w.times[w.head].Add(w.span))
}

// count is how many requests went in the span before now.
func (w *window) count(now time.Time) int {
	n := 0
	for _, t := range w.times {
		if now.Sub(t) < w.span {
			n++
		}
	}
	return n
}

// add records a request sent at now.
func (w *window) add(now time.Time) {
	if len(w.times) < w.limit {
		w.times = append(w.times, now)
		return
	}
	w.times[w.head] = now
	w.head = (w.head + 1) % w.limit
}
