package qbosim

import (
	"fmt"
	"net/http"
	"time"
)

// Limits are QBO's per-company request limits (docs/qbo-api.md, "Rate
// limits"). A zero field means that limit is off; the zero Limits turns
// throttling off entirely.
type Limits struct {
	PerMinute      int // requests a minute per company, batch requests included (QBO: 500)
	PerSecond      int // requests a second per company (QBO: 10)
	Concurrent     int // requests in flight at once per company (QBO: 10)
	BatchPerMinute int // batch requests a minute per company (QBO: 40)
}

// ProductionLimits returns the limits Intuit enforces on production and
// sandbox companies: 500 requests a minute, 10 a second, 10 at once and 40
// batch requests a minute per company.
func ProductionLimits() Limits {
	return Limits{PerMinute: 500, PerSecond: 10, Concurrent: 10, BatchPerMinute: 40}
}

// Stats counts one company's API traffic since it was created (or since
// ResetStats). Requests counts every authenticated /v3 request, throttled
// ones included; Batches the batch requests among them.
type Stats struct {
	Requests     int `json:"requests"`
	Batches      int `json:"batches"`
	Throttled    int `json:"throttled"`    // answered 429 (a limit or Faults.ThrottleBurst); not performed
	ServerErrors int `json:"serverErrors"` // answered 500/503 by Faults.ServerErrorRate; not performed
	Lost         int `json:"lost"`         // performed, then the connection was closed without an answer
}

// traffic is the per-company state of the admission stage: sliding windows,
// in-flight count, counters and injected faults. It is guarded by
// Server.trafficMu, never by the company lock, so that a throttled or
// failing request does not wait for the company.
type traffic struct {
	limits   Limits
	requests []time.Time // admitted requests of the last minute, oldest first
	batches  []time.Time // admitted batch requests of the last minute
	inFlight int
	stats    Stats
	faults   Faults
}

// trafficLocked returns the realm's traffic state, creating it with the
// default limits. The caller holds s.trafficMu.
func (s *Server) trafficLocked(realmID string) *traffic {
	t := s.traffic[realmID]
	if t == nil {
		t = &traffic{limits: s.opts.Limits}
		s.traffic[realmID] = t
	}
	return t
}

// SetLimits overrides Options.Limits for one company.
func (s *Server) SetLimits(realmID string, l Limits) {
	s.trafficMu.Lock()
	defer s.trafficMu.Unlock()
	s.trafficLocked(realmID).limits = l
}

// Stats returns the company's traffic counters.
func (s *Server) Stats(realmID string) Stats {
	s.trafficMu.Lock()
	defer s.trafficMu.Unlock()
	if t := s.traffic[realmID]; t != nil {
		return t.stats
	}
	return Stats{}
}

// ResetStats zeroes the company's traffic counters (not its windows).
func (s *Server) ResetStats(realmID string) {
	s.trafficMu.Lock()
	defer s.trafficMu.Unlock()
	s.trafficLocked(realmID).stats = Stats{}
}

// isBatch reports whether the call is a batch request (POST /batch).
func (call *apiCall) isBatch() bool {
	return call.r.Method == http.MethodPost && call.resource() == "batch" && len(call.segs) == 1
}

// admit is the limits stage. It counts the request and either admits it,
// returning a release func to call when the answer has been written, or
// answers 429 without performing it. Windows slide with Options.Now;
// refused requests do not enter them. [U] whether QBO counts refusals.
func (s *Server) admit(call *apiCall) (*response, func()) {
	s.trafficMu.Lock()
	defer s.trafficMu.Unlock()
	t := s.trafficLocked(call.realmID)
	batch := call.isBatch()
	t.stats.Requests++
	if batch {
		t.stats.Batches++
	}
	now := call.now
	t.requests = dropBefore(t.requests, now.Add(-time.Minute))
	t.batches = dropBefore(t.batches, now.Add(-time.Minute))
	var why string
	switch l := t.limits; {
	case t.faults.ThrottleBurst > 0:
		t.faults.ThrottleBurst--
		why = "injected throttle (Faults.ThrottleBurst)"
	case l.Concurrent > 0 && t.inFlight >= l.Concurrent:
		why = fmt.Sprintf("more than %d concurrent requests", l.Concurrent)
	case l.PerSecond > 0 && len(t.requests)-firstAfter(t.requests, now.Add(-time.Second)) >= l.PerSecond:
		why = fmt.Sprintf("more than %d requests a second", l.PerSecond)
	case l.PerMinute > 0 && len(t.requests) >= l.PerMinute:
		why = fmt.Sprintf("more than %d requests a minute", l.PerMinute)
	case batch && l.BatchPerMinute > 0 && len(t.batches) >= l.BatchPerMinute:
		why = fmt.Sprintf("more than %d batch requests a minute", l.BatchPerMinute)
	}
	if why != "" {
		t.stats.Throttled++
		return s.throttleResponse(call, why), nil
	}
	if t.limits != (Limits{}) {
		t.requests = append(t.requests, now)
		if batch {
			t.batches = append(t.batches, now)
		}
	}
	t.inFlight++
	return nil, func() {
		s.trafficMu.Lock()
		t.inFlight--
		s.trafficMu.Unlock()
	}
}

// firstAfter is the index of the first time after cutoff in an ordered slice.
func firstAfter(times []time.Time, cutoff time.Time) int {
	i := 0
	for i < len(times) && !times[i].After(cutoff) {
		i++
	}
	return i
}

// dropBefore removes the times at or before cutoff. Times are appended in
// order; a clock moved backwards only keeps entries a little longer.
func dropBefore(times []time.Time, cutoff time.Time) []time.Time {
	i := firstAfter(times, cutoff)
	if i == 0 {
		return times
	}
	return append(times[:0], times[i:]...)
}

// throttleResponse is QBO's 429 (ruckus too_many_requests_error.xml, in
// JSON). QBO sends no Retry-After that anyone has documented, so neither
// does the sandbox.
func (s *Server) throttleResponse(call *apiCall, why string) *response {
	f := &fault{status: http.StatusTooManyRequests, typ: "SERVICE", errors: []qboError{{
		Message: "message=ThrottleExceeded; errorCode=003001; statusCode=429",
		Detail:  "The request limit was reached.  Try again later (qbosim: " + why + ")",
		Code:    "3001",
	}}}
	return s.faultResponse(call, f)
}
