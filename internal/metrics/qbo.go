package metrics

import (
	"context"
	"net/http"
	"time"

	"github.com/qbosync/qbosync/internal/qbo"
)

// Transport counts the 429s QuickBooks answers the firm's requests with, then hands
// the answer on unchanged. It wraps the QBO client's HTTP transport, so it sees every
// answer the client does, retries after a pause included.
func (m *Metrics) Transport(firm int64, next http.RoundTripper) http.RoundTripper {
	if m == nil {
		return next
	}
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		res, err := next.RoundTrip(r)
		if err == nil && res.StatusCode == http.StatusTooManyRequests {
			m.Throttled(firm)
		}
		return res, err
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Limiter times every Wait of l for the firm. What l can do beyond pacing (hear about
// 429s, pause after one, hear of an abandoned request) is kept: the QBO client decides
// how to retry a 429 by what its limiter can do (qbo.ThrottlePauser).
func (m *Metrics) Limiter(firm int64, l qbo.Limiter) qbo.Limiter {
	if m == nil || l == nil {
		return l
	}
	t := timedLimiter{Limiter: l, observe: func(kind qbo.RequestKind, d time.Duration) {
		m.Waited(firm, kind == qbo.BatchRequest, d)
	}}
	if _, ok := l.(qbo.ThrottlePauser); ok {
		return timedPauser{t}
	}
	return t
}

type timedLimiter struct {
	qbo.Limiter
	observe func(qbo.RequestKind, time.Duration)
}

func (t timedLimiter) Wait(ctx context.Context, kind qbo.RequestKind) error {
	start := time.Now()
	err := t.Limiter.Wait(ctx, kind)
	t.observe(kind, time.Since(start))
	return err
}

// Throttled passes a 429 on when the limiter listens for them.
func (t timedLimiter) Throttled(retryAfter time.Duration) {
	if o, ok := t.Limiter.(qbo.ThrottleObserver); ok {
		o.Throttled(retryAfter)
	}
}

// Abandoned passes an abandoned request on, or, to a limiter that does not tell them
// apart, reports it done, as the QBO client would.
func (t timedLimiter) Abandoned() {
	if o, ok := t.Limiter.(qbo.AbandonObserver); ok {
		o.Abandoned()
		return
	}
	t.Limiter.Done()
}

// BatchesBusy passes the limiter's batch gauge on; of a limiter without one, the
// batch budget counts as unused, as the QBO client would count it.
func (t timedLimiter) BatchesBusy() (busy, limit int) {
	if g, ok := t.Limiter.(qbo.BatchGauge); ok {
		return g.BatchesBusy()
	}
	return 0, qbo.QBOLimits().BatchPerMinute
}

// timedPauser is a timedLimiter over a limiter that pauses after a 429.
type timedPauser struct{ timedLimiter }

func (timedPauser) PausesAfterThrottle() {}
