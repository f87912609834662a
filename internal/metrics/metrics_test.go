package metrics_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/metrics"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

func newMetrics(t *testing.T) *metrics.Metrics {
	t.Helper()
	m, err := metrics.New(slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// scrape returns what Prometheus would read.
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: %d", rec.Code)
	}
	return rec.Body.String()
}

func requireLines(t *testing.T, body string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(body, "\n"+l+"\n") {
			t.Errorf("missing %q in:\n%s", l, grepQbosync(body))
		}
	}
}

func grepQbosync(body string) string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "qbosync_") || strings.HasPrefix(l, "temporal_") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestOutcomesFailuresAndDifferencesAreCountedByFirm(t *testing.T) {
	m := newMetrics(t)
	m.ItemSettled(7, "invoices", "created", "")
	m.ItemSettled(7, "invoices", "created", "")
	m.ItemSettled(7, "invoices", "failed", "6240")
	m.ItemSettled(8, "contacts", "unchanged", "")
	m.Failing(7, "invoices", 1)
	m.Reconciled(7, syncapi.BooksSummary{MattersDiffering: 2, TrustRecordsDiffering: 1})
	m.Lag("contacts", []time.Duration{30 * time.Millisecond, 2 * time.Second})
	body := scrape(t, m)
	requireLines(t, body,
		`qbosync_items_total{category="invoices",firm="7",outcome="created"} 2`,
		`qbosync_items_total{category="invoices",firm="7",outcome="failed"} 1`,
		`qbosync_items_total{category="contacts",firm="8",outcome="unchanged"} 1`,
		`qbosync_item_failures_total{category="invoices",code="6240",firm="7"} 1`,
		`qbosync_failed_items{category="invoices",firm="7"} 1`,
		`qbosync_reconcile_differences{check="matters_receivable",firm="7"} 2`,
		`qbosync_reconcile_differences{check="trust_records",firm="7"} 1`,
		`qbosync_reconcile_differences{check="invoices_missing",firm="7"} 0`,
		`qbosync_change_lag_seconds_bucket{category="contacts",le="0.05"} 1`,
		`qbosync_change_lag_seconds_bucket{category="contacts",le="2.5"} 2`,
		`qbosync_change_lag_seconds_count{category="contacts"} 2`,
	)
	if strings.Contains(body, "realm") {
		t.Error("a series carries a realm; metrics name firms only")
	}
}

func TestTransportCounts429sAndPassesAnswersOn(t *testing.T) {
	m := newMetrics(t)
	status := http.StatusTooManyRequests
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) }))
	defer srv.Close()
	hc := &http.Client{Transport: m.Transport(3, nil)}
	for _, s := range []int{http.StatusTooManyRequests, http.StatusTooManyRequests, http.StatusOK} {
		status = s
		res, err := hc.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != s {
			t.Fatalf("the answer changed on its way: %d, want %d", res.StatusCode, s)
		}
	}
	requireLines(t, scrape(t, m), `qbosync_qbo_throttled_total{firm="3"} 2`)
}

func TestLimiterIsTimedAndKeepsWhatTheLimiterCanDo(t *testing.T) {
	m := newMetrics(t)
	inner := &pausing{wait: 200 * time.Millisecond}
	l := m.Limiter(5, inner)
	if _, ok := l.(qbo.ThrottlePauser); !ok {
		t.Fatal("the timed limiter lost the pause after a 429: the client would no longer resend a throttled request")
	}
	ctx := context.Background()
	for _, kind := range []qbo.RequestKind{qbo.SingleRequest, qbo.BatchRequest} {
		if err := l.Wait(ctx, kind); err != nil {
			t.Fatal(err)
		}
		l.Done()
	}
	l.(qbo.ThrottleObserver).Throttled(time.Minute)
	l.(qbo.AbandonObserver).Abandoned()
	if busy, limit := l.(qbo.BatchGauge).BatchesBusy(); busy != 7 || limit != 40 {
		t.Errorf("the batch gauge reads %d of %d, want the limiter's 7 of 40", busy, limit)
	}
	if inner.throttled != time.Minute || inner.abandoned != 1 || inner.done != 2 {
		t.Fatalf("the limiter did not hear what the client told it: %+v", inner)
	}
	body := scrape(t, m)
	requireLines(t, body,
		`qbosync_qbo_limiter_wait_seconds_count{request="single"} 1`,
		`qbosync_qbo_limiter_wait_seconds_count{request="batch"} 1`)
	if waited := valueOf(t, body, `qbosync_qbo_limiter_wait_seconds_total{firm="5"}`); waited < 0.4 || waited > 5 {
		t.Fatalf("waited %.3fs in all, want 0.4s", waited)
	}

	plain := &waitOnly{}
	timed := m.Limiter(5, plain)
	if _, ok := timed.(qbo.ThrottlePauser); ok {
		t.Fatal("a limiter that does not pause after a 429 was made to look like one that does")
	}
	timed.(qbo.AbandonObserver).Abandoned()
	if plain.done != 1 {
		t.Fatal("an abandoned request was not reported done to a limiter that does not tell them apart")
	}
}

// pausing is a limiter that can do everything the QBO client asks of one.
type pausing struct {
	wait            time.Duration
	done, abandoned int
	throttled       time.Duration
}

func (p *pausing) Wait(context.Context, qbo.RequestKind) error { time.Sleep(p.wait); return nil }
func (p *pausing) Done()                                       { p.done++ }
func (p *pausing) Abandoned()                                  { p.abandoned++ }
func (p *pausing) Throttled(d time.Duration)                   { p.throttled = d }
func (p *pausing) PausesAfterThrottle()                        {}
func (p *pausing) BatchesBusy() (int, int)                     { return 7, 40 }

type waitOnly struct{ done int }

func (*waitOnly) Wait(context.Context, qbo.RequestKind) error { return nil }
func (w *waitOnly) Done()                                     { w.done++ }

func valueOf(t *testing.T, body, series string) float64 {
	t.Helper()
	for _, l := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			var f float64
			if _, err := fmt.Sscan(v, &f); err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("no %s in the scrape", series)
	return 0
}

func TestTemporalSDKSeriesFollowPrometheusNames(t *testing.T) {
	m := newMetrics(t)
	h := m.Temporal().WithTags(map[string]string{"namespace": "default"})
	h.Counter("temporal_request").Inc(3)
	h.Timer("temporal_request_latency").Record(40 * time.Millisecond)
	h.Gauge("temporal_worker_task_slots_available").Update(5)
	body := scrape(t, m)
	requireLines(t, body,
		`temporal_request_total{namespace="default"} 3`,
		`temporal_request_latency_seconds_bucket{namespace="default",le="0.05"} 1`,
		`temporal_worker_task_slots_available{namespace="default"} 5`,
	)
}

func TestNilMetricsDoNothing(t *testing.T) {
	var m *metrics.Metrics
	m.ItemSettled(1, "c", "created", "")
	m.Throttled(1)
	m.Waited(1, true, time.Second)
	m.Lag("c", []time.Duration{time.Second})
	m.Reconciled(1, syncapi.BooksSummary{})
	m.Failing(1, "c", 1)
	if m.Temporal() != nil {
		t.Fatal("nil metrics gave the SDK a handler")
	}
	next := http.DefaultTransport
	if m.Transport(1, next) != next {
		t.Fatal("nil metrics wrapped the transport")
	}
}
