package qbosim

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Faults are failures injected into one company's API traffic, set with
// SetFaults or POST /admin/faults. The zero value injects nothing.
type Faults struct {
	// ServerErrorRate is the fraction (0..1) of admitted requests answered
	// 500 or 503 (half each) before they are performed.
	ServerErrorRate float64
	// ServerErrorNext answers the next N admitted requests 500 or 503 the same way,
	// before any rate applies: a test that must see server errors gets them. It
	// counts down.
	ServerErrorNext int
	// Latency is added to every admitted request before it is performed;
	// the request keeps its concurrency slot meanwhile.
	Latency time.Duration
	// ThrottleBurst answers the next N requests 429 ThrottleExceeded without
	// performing them. It counts down as requests arrive.
	ThrottleBurst int
	// ExpireAccessTokens is an action, not a state: when set, every access
	// token issued for the company so far expires now (401, code 3200), as
	// after an hour without refreshing. Refresh tokens keep working. It reads
	// back as false.
	ExpireAccessTokens bool
	// LoseResponseRate is the fraction (0..1) of write requests (POST other
	// than /query) that are performed and whose answer is then lost: the
	// connection is closed without a response. A requestid given with such
	// a write is remembered, so a retry replays the lost answer.
	LoseResponseRate float64
	// LoseNextResponses loses the answers of the next N write requests the
	// same way. It counts down.
	LoseNextResponses int
}

// faultsJSON is the admin endpoint's wire form: Latency as a Go duration
// string ("250ms").
type faultsJSON struct {
	ServerErrorRate    float64 `json:"serverErrorRate"`
	ServerErrorNext    int     `json:"serverErrorNext"`
	Latency            string  `json:"latency"`
	ThrottleBurst      int     `json:"throttleBurst"`
	ExpireAccessTokens bool    `json:"expireAccessTokens"`
	LoseResponseRate   float64 `json:"loseResponseRate"`
	LoseNextResponses  int     `json:"loseNextResponses"`
}

// MarshalJSON renders Latency as a duration string.
func (f Faults) MarshalJSON() ([]byte, error) {
	return json.Marshal(faultsJSON{
		ServerErrorRate: f.ServerErrorRate, ServerErrorNext: f.ServerErrorNext, Latency: f.Latency.String(), ThrottleBurst: f.ThrottleBurst,
		ExpireAccessTokens: f.ExpireAccessTokens, LoseResponseRate: f.LoseResponseRate, LoseNextResponses: f.LoseNextResponses,
	})
}

// UnmarshalJSON accepts Latency as a duration string or as nanoseconds.
func (f *Faults) UnmarshalJSON(data []byte) error {
	var raw struct {
		faultsJSON
		Latency json.RawMessage `json:"latency"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*f = Faults{
		ServerErrorRate: raw.ServerErrorRate, ServerErrorNext: raw.ServerErrorNext, ThrottleBurst: raw.ThrottleBurst,
		ExpireAccessTokens: raw.ExpireAccessTokens, LoseResponseRate: raw.LoseResponseRate,
		LoseNextResponses: raw.LoseNextResponses,
	}
	if len(raw.Latency) == 0 || string(raw.Latency) == "null" {
		return nil
	}
	var text string
	if err := json.Unmarshal(raw.Latency, &text); err == nil {
		d, err := time.ParseDuration(text)
		if err != nil {
			return fmt.Errorf("latency: %w", err)
		}
		f.Latency = d
		return nil
	}
	var ns int64
	if err := json.Unmarshal(raw.Latency, &ns); err != nil {
		return errors.New(`latency: want a duration such as "250ms"`)
	}
	f.Latency = time.Duration(ns)
	return nil
}

func (f Faults) validate() error {
	switch {
	case f.ServerErrorRate < 0 || f.ServerErrorRate > 1:
		return errors.New("serverErrorRate must be between 0 and 1")
	case f.LoseResponseRate < 0 || f.LoseResponseRate > 1:
		return errors.New("loseResponseRate must be between 0 and 1")
	case f.Latency < 0 || f.ThrottleBurst < 0 || f.LoseNextResponses < 0 || f.ServerErrorNext < 0:
		return errors.New("latency, throttleBurst, loseNextResponses and serverErrorNext must not be negative")
	}
	return nil
}

// SetFaults replaces the faults injected into a company's traffic. It fails
// for an unknown realm or out-of-range values.
func (s *Server) SetFaults(realmID string, f Faults) error {
	if err := f.validate(); err != nil {
		return fmt.Errorf("qbosim: %w", err)
	}
	if s.company(realmID) == nil {
		return fmt.Errorf("qbosim: unknown realm %q", realmID)
	}
	if f.ExpireAccessTokens {
		s.expireAccessTokens(realmID)
		f.ExpireAccessTokens = false
	}
	s.trafficMu.Lock()
	defer s.trafficMu.Unlock()
	s.trafficLocked(realmID).faults = f
	return nil
}

// Faults returns the faults currently injected into a company's traffic,
// with the countdowns as far as they have run.
func (s *Server) Faults(realmID string) Faults {
	s.trafficMu.Lock()
	defer s.trafficMu.Unlock()
	if t := s.traffic[realmID]; t != nil {
		return t.faults
	}
	return Faults{}
}

// expireAccessTokens ends the life of every access token issued for realmID.
func (s *Server) expireAccessTokens(realmID string) {
	now := s.now()
	s.mu.Lock()
	for _, at := range s.auth.Access {
		if g := s.auth.Grants[at.GrantID]; g != nil && g.RealmID == realmID && at.Expires.After(now) {
			at.Expires = now
		}
	}
	s.mu.Unlock()
	s.markDirty()
}

// lockedRand is the sandbox's seeded randomness, safe for concurrent use.
type lockedRand struct {
	mu sync.Mutex
	r  *rand.Rand
}

func newLockedRand(seed uint64) *lockedRand {
	if seed == 0 {
		seed = rand.Uint64()
	}
	return &lockedRand{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// chance reports true with probability p.
func (l *lockedRand) chance(p float64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Float64() < p
}

func (l *lockedRand) intN(n int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.IntN(n)
}

func (l *lockedRand) perm(n int) []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Perm(n)
}

// injectBefore is the fault-injection stage for an admitted call: added
// latency, then a server error instead of the request.
func (s *Server) injectBefore(call *apiCall) *response {
	s.trafficMu.Lock()
	t := s.trafficLocked(call.realmID)
	f := t.faults
	fail := false
	switch {
	case t.faults.ServerErrorNext > 0:
		t.faults.ServerErrorNext--
		fail = true
	case f.ServerErrorRate > 0:
		fail = s.rand.chance(f.ServerErrorRate)
	}
	failStatus := 0
	if fail {
		failStatus = http.StatusInternalServerError
		if s.rand.intN(2) == 1 {
			failStatus = http.StatusServiceUnavailable
		}
		t.stats.ServerErrors++
	}
	s.trafficMu.Unlock()

	if f.Latency > 0 {
		timer := time.NewTimer(f.Latency)
		select {
		case <-timer.C:
		case <-call.r.Context().Done():
			timer.Stop()
		}
	}
	if failStatus == 0 {
		return nil
	}
	message := "An application error has occurred while processing your request"
	if failStatus == http.StatusServiceUnavailable {
		message = "Service Unavailable"
	}
	return s.faultResponse(call, &fault{status: failStatus, typ: "SystemFault", errors: []qboError{{
		Message: message, Detail: "System Failure Error: qbosim injected a server error (Faults.ServerErrorRate)", Code: "10000",
	}}})
}

// loseAnswer decides, before a write is performed, whether its answer will
// be lost.
func (s *Server) loseAnswer(call *apiCall) bool {
	if call.r.Method != http.MethodPost || call.resource() == "query" {
		return false
	}
	s.trafficMu.Lock()
	defer s.trafficMu.Unlock()
	t := s.trafficLocked(call.realmID)
	lose := false
	switch {
	case t.faults.LoseNextResponses > 0:
		t.faults.LoseNextResponses--
		lose = true
	case t.faults.LoseResponseRate > 0:
		lose = s.rand.chance(t.faults.LoseResponseRate)
	}
	if lose {
		t.stats.Lost++
	}
	return lose
}

// dropConnection closes the client connection without writing a response:
// the client sees the connection reset or an unexpected EOF.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// HTTP/2 and wrapped writers: abort the handler, which resets the stream.
	panic(http.ErrAbortHandler)
}
