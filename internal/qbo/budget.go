package qbo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"
)

// A BudgetStore keeps each company's request budget where every process
// that talks to the company can draw on it (PostgreSQL, in
// internal/store/budget.go). QBO's limits are per company, not per process:
// two workers, or a worker and the wizard server, each pacing themselves to
// QBO's limits would together send twice what QBO allows.
type BudgetStore interface {
	DrawBudget(ctx context.Context, realm string, d BudgetDraw) (BudgetGrant, error)
}

// A BudgetDraw is one process's exchange with a company's budget: the send
// times it reserves, the concurrent slots it holds, a 429 it reports.
type BudgetDraw struct {
	Holder string // the process; a random id of its Limiters
	// Requests send times to reserve, Gap apart after every time already
	// reserved by anyone; of those, up to Batches for batch requests, at
	// most BatchLimit in any minute (a sliding window, like Limiters' own:
	// an idle company's first minute may send its batches early).
	Requests, Batches int
	Gap               time.Duration
	BatchLimit        int
	// Own are send times the holder reserved before and may mark for
	// batches, as durations from now.
	Own []time.Duration
	// WantSlots is how many concurrent slots the holder would like to hold
	// (0 gives them all back); InUse how many it may not give back, being
	// in flight. Concurrent is the company's total.
	WantSlots, InUse, Concurrent int
	// TTL is how long the slots stay held without another draw: how long a
	// dead process's slots are lost.
	TTL time.Duration
	// Pause, when positive, pauses every process's requests to the company
	// for that long from now (after a 429).
	Pause time.Duration
}

// A BudgetGrant answers a BudgetDraw. Times are durations from when the
// store answered, so no two clocks need agree.
type BudgetGrant struct {
	First   time.Duration   // the first reserved send time; the others follow Gap apart
	Batches []time.Duration // which of the reserved send times are for batches
	// BatchOpen is when the batch window next has room: no use drawing for
	// batches before.
	BatchOpen time.Duration
	Slots     int           // concurrent slots now held
	Usable    int           // of which the holder may use: its share (Slots may be more while in flight)
	Paused    time.Duration // how long the company's pause still runs
}

// SharedOptions tune NewSharedLimiters; the zero value is the default.
type SharedOptions struct {
	// Holder names this process in the store; empty means a random id.
	Holder string
	// TTL is how long concurrent slots stay held unrenewed (DefaultBudgetTTL).
	TTL time.Duration
}

// Defaults of the shared budget.
const (
	// DefaultBudgetTTL bounds how long a dead process's concurrent slots
	// stay lost. A live holder renews every third of it while it holds any.
	DefaultBudgetTTL = 30 * time.Second
	// budgetChunk is the most send times one draw reserves: a second's
	// worth at DefaultLimits, so that another process asking for a time
	// waits at most about a second behind each busy one.
	budgetChunk = 8
	// budgetLowWater: a busy process draws again when this few reserved
	// times are left, so that the next chunk arrives before they run out.
	budgetLowWater = 2
	// batchChunk is the most of a draw's send times marked for batches:
	// half a chunk, as the limiter alternates batches and singles.
	batchChunk = budgetChunk / 2
	// slotSlack is how late a reserved send time may still be used. A time
	// used late crowds the next one, which may be another process's; the
	// margins of DefaultLimits absorb 100 ms (see budget design in
	// docs/design.md).
	slotSlack = 100 * time.Millisecond
	// budgetLinger is how long an idle process keeps its concurrent slots
	// before giving them back, so that a burst a moment later costs no
	// draw for them.
	budgetLinger = 2 * time.Second
	// Draws that leave a process short of concurrent slots are spaced
	// from budgetShortRetry doubling up to budgetShortMax: another process
	// gives slots back only at its own next draw. Failed draws are spaced
	// budgetErrorRetry.
	budgetShortRetry = 100 * time.Millisecond
	budgetShortMax   = 400 * time.Millisecond
	budgetErrorRetry = time.Second
	budgetTimeout    = 10 * time.Second
	// budgetMarkAhead: a reserved send time this close is not offered to
	// be marked for a batch; the draw's answer would come too late for it.
	budgetMarkAhead = 20 * time.Millisecond
)

// NewSharedLimiters returns a registry of company limiters that pace to l
// within this process, as NewLimiters' do, and in addition draw every
// request from the company's budget in store, shared with every other
// process using the same store. Each company's Limiter reserves send times
// and concurrent slots in chunks, one store round trip per chunk, and lets
// requests through from memory; it makes no round trip while the company
// is idle. Limits.Clock must be the real clock: reserved times are real.
func NewSharedLimiters(l Limits, store BudgetStore, opts SharedOptions) *Limiters {
	ls := NewLimiters(l)
	if opts.Holder == "" {
		var b [12]byte
		_, _ = rand.Read(b[:])
		opts.Holder = hex.EncodeToString(b[:])
	}
	if opts.TTL <= 0 {
		opts.TTL = DefaultBudgetTTL
	}
	ls.store, ls.shared = store, opts
	return ls
}

// sharedBudget is a company limiter's share of the company's budget: what it
// reserved and holds, and the state of its draws. It is guarded by the
// companyLimiter's mu.
type sharedBudget struct {
	store BudgetStore
	realm string
	opts  SharedOptions
	gap   time.Duration // between two send times: the slower of PerMinute and PerSecond

	times, batches slotRuns      // batches: which of times are for batch requests
	batchOpen      time.Time     // no batch times to be had before
	held           int           // concurrent slots held
	slots          int           // of which this process may use
	pause          time.Duration // a 429's pause, to report at the next draw

	running  bool          // the draw loop runs
	kick     chan struct{} // wakes the draw loop
	lastDraw time.Time
	lastBusy time.Time
	retryAt  time.Time
	backoff  time.Duration // between draws while short of slots
}

func newSharedBudget(store BudgetStore, realm string, opts SharedOptions, l Limits) *sharedBudget {
	return &sharedBudget{
		store: store, realm: realm, opts: opts,
		gap:  max(time.Minute/time.Duration(l.PerMinute), time.Second/time.Duration(l.PerSecond)),
		kick: make(chan struct{}, 1),
	}
}

// slotRuns are reserved send times: runs of evenly spaced times, oldest first.
type slotRuns []slotRun

type slotRun struct {
	at  time.Time // the first time left
	n   int       // times left
	gap time.Duration
}

// expire drops the times before cutoff: too late to use.
func (rs *slotRuns) expire(cutoff time.Time) {
	for len(*rs) > 0 {
		r := &(*rs)[0]
		for r.n > 0 && r.at.Before(cutoff) {
			r.at, r.n = r.at.Add(r.gap), r.n-1
		}
		if r.n > 0 {
			return
		}
		*rs = (*rs)[1:]
	}
}

// next returns the earliest reserved time, if any.
func (rs slotRuns) next() (time.Time, bool) {
	if len(rs) == 0 {
		return time.Time{}, false
	}
	return rs[0].at, true
}

// last returns the latest reserved time, if any.
func (rs slotRuns) last() (time.Time, bool) {
	if len(rs) == 0 {
		return time.Time{}, false
	}
	r := rs[len(rs)-1]
	return r.at.Add(time.Duration(r.n-1) * r.gap), true
}

// nearest returns the reserved time nearest t (t if none is reserved).
func (rs slotRuns) nearest(t time.Time) time.Time {
	best, found := t, false
	for _, r := range rs {
		for i := range r.n {
			at := r.at.Add(time.Duration(i) * r.gap)
			if !found || at.Sub(t).Abs() < best.Sub(t).Abs() {
				best, found = at, true
			}
		}
	}
	return best
}

// take spends the earliest reserved time.
func (rs *slotRuns) take() {
	r := &(*rs)[0]
	r.at, r.n = r.at.Add(r.gap), r.n-1
	if r.n == 0 {
		*rs = (*rs)[1:]
	}
}

func (rs slotRuns) count() int {
	n := 0
	for _, r := range rs {
		n += r.n
	}
	return n
}

// poke makes sure the draw loop runs and looks at the limiter's state again.
// l.mu is held.
func (l *companyLimiter) poke() {
	s := l.shared
	if !s.running {
		s.running = true
		go l.drawLoop()
		return
	}
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// drawLoop draws from the company's budget whenever the limiter needs
// times or slots, renews held slots and gives them back when idle; it ends
// when the limiter is idle and holds nothing.
func (l *companyLimiter) drawLoop() {
	s := l.shared
	for {
		l.mu.Lock()
		d, wait, done := l.planDraw(l.clock.Now())
		if done {
			s.running = false
		}
		l.mu.Unlock()
		if done {
			return
		}
		if d == nil {
			t := l.clock.AfterFunc(wait, func() {
				select {
				case s.kick <- struct{}{}:
				default:
				}
			})
			<-s.kick
			t.Stop()
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), budgetTimeout)
		g, err := s.store.DrawBudget(ctx, s.realm, *d)
		cancel()
		l.mu.Lock()
		l.applyDraw(*d, g, err, l.clock.Now())
		l.dispatch()
		l.mu.Unlock()
	}
}

// planDraw decides what, if anything, to draw now; otherwise how long to
// wait before looking again (a Wait, Done or grant looks sooner), or that
// the loop may end. l.mu is held.
func (l *companyLimiter) planDraw(now time.Time) (d *BudgetDraw, wait time.Duration, done bool) {
	s := l.shared
	s.times.expire(now.Add(-slotSlack))
	s.batches.expire(now.Add(-slotSlack))
	singles, batches := len(l.queues[SingleRequest]), len(l.queues[BatchRequest])
	waiting := singles + batches
	if waiting > 0 || l.inFlight > 0 {
		s.lastBusy = now
	}
	if now.Before(s.retryAt) {
		return nil, s.retryAt.Sub(now), false
	}
	draw := BudgetDraw{
		Holder: s.opts.Holder, Gap: s.gap, BatchLimit: l.lim.BatchPerMinute, TTL: s.opts.TTL,
		WantSlots: min(l.lim.Concurrent, l.inFlight+waiting), InUse: l.inFlight,
		Concurrent: l.lim.Concurrent, Pause: s.pause,
	}
	// Held slots above the share go back as soon as they are no longer in use.
	need := s.pause > 0 || (s.held > s.slots && l.inFlight < s.held)
	if waiting > 0 {
		need = l.planTimes(&draw, singles, batches, now) || need
	}
	renew := s.lastDraw.Add(s.opts.TTL / 3)
	idleEnd := s.lastBusy.Add(budgetLinger)
	switch {
	case need:
		return &draw, 0, false
	case s.held > 0 && waiting == 0 && l.inFlight == 0 && !now.Before(idleEnd):
		draw.WantSlots = 0 // idle: give the slots back
		return &draw, 0, false
	case s.held > 0 && !now.Before(renew):
		return &draw, 0, false
	case s.held == 0 && waiting == 0 && l.inFlight == 0:
		return nil, 0, true
	}
	wait = s.opts.TTL / 3
	if s.held > 0 {
		wait = min(renew.Sub(now), max(idleEnd.Sub(now), 0)+time.Millisecond)
	}
	if due := l.batchDue(now); batches > 0 && due.After(now) {
		wait = min(wait, due.Sub(now))
	}
	return nil, wait, false
}

// planTimes fills in the send times and slots a draw should ask for while
// requests wait, and reports whether one is needed now: when the reserved
// times run low (and slots are held to use them), or when slots are short.
// A draw made anyway tops the reserves up, unless slots are what is short:
// times reserved then would mostly pass unused. l.mu is held.
func (l *companyLimiter) planTimes(d *BudgetDraw, singles, batches int, now time.Time) bool {
	s := l.shared
	waiting := singles + batches
	blocked := l.inFlight >= s.slots
	left, batchesLeft := s.times.count(), s.batches.count()
	timesLow := s.slots > 0 && left <= budgetLowWater && left < waiting
	batchDue := !now.Before(l.batchDue(now))
	batchesLow := s.slots > 0 && batches > 0 && batchesLeft == 0 && batchDue
	short := blocked && s.slots < l.lim.Concurrent
	if timesLow || !blocked {
		d.Requests = max(min(waiting, budgetChunk)-left, 0)
	}
	if batches > 0 && batchDue {
		// No more marks than the pace lets go now: a mark is a batch time in the
		// company's window, lost if it passes unused.
		d.Batches = max(min(batches, batchChunk, l.batchPace.allowance())-batchesLeft, 0)
		d.Own = s.unmarked(now)
	}
	if batchesLow && len(d.Own) < d.Batches {
		d.Requests = max(d.Requests, min(waiting, budgetChunk)) // times to mark
	}
	return timesLow || batchesLow || short
}

// batchDue is when a draw may mark send times for batches: once the
// company's batch window has room and this process's batch pace lets one go.
// l.mu is held.
func (l *companyLimiter) batchDue(now time.Time) time.Time {
	l.accrueBatchPace()
	return later(l.shared.batchOpen, l.batchPace.next(now))
}

// unmarked returns the reserved send times after the last one marked for a
// batch, as durations from now, for a draw to mark. Times about to come are
// left out: the draw's answer would arrive after them.
func (s *sharedBudget) unmarked(now time.Time) []time.Duration {
	after := now.Add(budgetMarkAhead)
	if last, ok := s.batches.last(); ok && last.After(after) {
		after = last
	}
	var own []time.Duration
	for _, r := range s.times {
		for i := range r.n {
			if at := r.at.Add(time.Duration(i) * r.gap); at.After(after) {
				own = append(own, at.Sub(now))
			}
		}
	}
	return own
}

// applyDraw takes in what a draw returned at now. l.mu is held.
func (l *companyLimiter) applyDraw(d BudgetDraw, g BudgetGrant, err error, now time.Time) {
	s := l.shared
	l.stats.Draws++
	if err != nil {
		l.stats.DrawErrors++
		s.retryAt = now.Add(budgetErrorRetry)
		return
	}
	s.lastDraw = now
	if d.Pause == s.pause {
		s.pause = 0
	}
	if d.Requests > 0 {
		s.times = append(s.times, slotRun{at: now.Add(g.First), n: d.Requests, gap: d.Gap})
	}
	for _, at := range g.Batches {
		// The store's answer is a round trip off this clock: the mark belongs to
		// the nearest reserved send time.
		s.batches = append(s.batches, slotRun{at: s.times.nearest(now.Add(at)), n: 1})
	}
	s.batchOpen = now.Add(g.BatchOpen)
	s.held, s.slots = g.Slots, g.Usable
	if until := now.Add(g.Paused); g.Paused > 0 && until.After(l.pausedUntil) {
		l.pausedUntil = until
	}
	if waiting := len(l.queues[SingleRequest]) + len(l.queues[BatchRequest]); waiting > 0 && s.slots <= l.inFlight {
		// Short of slots: others must give some back first.
		s.backoff = min(max(2*s.backoff, budgetShortRetry), budgetShortMax)
		s.retryAt = now.Add(s.backoff)
	} else {
		s.backoff = 0
	}
}
