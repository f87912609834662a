// Package metrics holds one process's Prometheus series: qbosync's own (what the sync
// wrote, what failed, QuickBooks' 429s and the limiter's waits, the lag from a practice
// commit to QuickBooks, the books' differences) and the Temporal SDK's, which reach the
// same registry through the SDK's OpenTelemetry handler. Handler serves them all.
//
// Labels: firm is the practice firm's id (bounded by the firms a worker serves). No
// label carries a QuickBooks realm id, a company or client name, or anything a firm
// typed: a scrape target is read by more people than the books are, and a name is
// unbounded. Logs carry the realm (see internal/app); metrics need only the firm.
//
// Every method is safe on a nil *Metrics and does nothing, so code and tests that run
// without metrics need no special case.
package metrics

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"

	"github.com/qbosync/qbosync/workflows/syncapi"
)

// Metrics are a process's series and the registry that serves them.
type Metrics struct {
	reg      *prometheus.Registry
	temporal client.MetricsHandler

	items       *prometheus.CounterVec
	failures    *prometheus.CounterVec
	failing     *prometheus.GaugeVec
	throttled   *prometheus.CounterVec
	waited      *prometheus.CounterVec
	waits       *prometheus.HistogramVec
	lag         *prometheus.HistogramVec
	differences *prometheus.GaugeVec
}

// latencyBuckets, in seconds, span a request that goes straight through (milliseconds)
// to QuickBooks' one-minute throttle pause and a sync that falls minutes behind.
var latencyBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600}

// New registers every series, the Go runtime's and the process's, and the Temporal
// SDK's handler. log hears about a metric the SDK could not record (never fatal).
func New(log *slog.Logger) (*Metrics, error) {
	reg := prometheus.NewRegistry()
	m := &Metrics{reg: reg}
	m.items = counter("qbosync_items_total", "Practice records settled by the sync, by outcome: created, updated or adopted in QuickBooks, unchanged (no write needed), or failed.", "firm", "category", "outcome")
	m.failures = counter("qbosync_item_failures_total", "Records QuickBooks or qbosync refused, by error code (QuickBooks' code, or qbosync:...); `starter errors` explains each.", "firm", "category", "code")
	m.failing = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "qbosync_failed_items", Help: "Records failing now (not yet synced after a refusal), as of the category's last run on this worker."}, []string{"firm", "category"})
	m.throttled = counter("qbosync_qbo_throttled_total", "Requests QuickBooks refused with 429 Too Many Requests.", "firm")
	m.waited = counter("qbosync_qbo_limiter_wait_seconds_total", "Time requests spent waiting in the rate limiter before being sent to QuickBooks.", "firm")
	m.waits = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "qbosync_qbo_limiter_wait_seconds", Help: "How long one request waited in the rate limiter, by request kind (single or batch).", Buckets: latencyBuckets}, []string{"request"})
	m.lag = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "qbosync_change_lag_seconds", Help: "From a change's commit in the practice database to its record being written to QuickBooks (measured on the database's clock when the page is done).", Buckets: latencyBuckets}, []string{"category"})
	m.differences = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "qbosync_reconcile_differences", Help: "Differences the last reconciliation found between QuickBooks and the practice system, by check; 0 everywhere means the books agree."}, []string{"firm", "check"})
	reg.MustRegister(m.items, m.failures, m.failing, m.throttled, m.waited, m.waits, m.lag, m.differences,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	h, err := temporalHandler(reg, log)
	if err != nil {
		return nil, err
	}
	m.temporal = h
	return m, nil
}

func counter(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
}

// temporalHandler is the Temporal SDK's OpenTelemetry handler exporting into reg:
// counters as monotonic _total series, timers as _seconds histograms.
func temporalHandler(reg *prometheus.Registry, log *slog.Logger) (client.MetricsHandler, error) {
	exp, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo(), otelprom.WithoutTargetInfo())
	if err != nil {
		return nil, err
	}
	seconds := sdkmetric.NewView(sdkmetric.Instrument{Name: "*", Unit: "s"},
		sdkmetric.Stream{Aggregation: sdkmetric.AggregationExplicitBucketHistogram{Boundaries: latencyBuckets}})
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp), sdkmetric.WithView(seconds))
	return temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
		Meter:                provider.Meter("temporal-sdk-go"),
		UseMonotonicCounters: true,
		OnError:              func(err error) { log.Warn("a Temporal SDK metric could not be recorded", "error", err) },
	}), nil
}

// Handler serves every series in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Temporal is the handler for client.Options.MetricsHandler: the SDK's own series
// (temporal_...) and what workflows record through workflow.GetMetricsHandler. Nil
// when m is nil, which the SDK reads as "no metrics".
func (m *Metrics) Temporal() client.MetricsHandler {
	if m == nil {
		return nil
	}
	return m.temporal
}

func firmLabel(firm int64) string { return strconv.FormatInt(firm, 10) }

// ItemSettled counts one record's outcome (a store.Action*); code is the failure's
// code when it failed.
func (m *Metrics) ItemSettled(firm int64, category, outcome, code string) {
	if m == nil {
		return
	}
	f := firmLabel(firm)
	m.items.WithLabelValues(f, category, outcome).Inc()
	if code != "" {
		m.failures.WithLabelValues(f, category, code).Inc()
	}
}

// Failing sets how many of a category's records are failing now.
func (m *Metrics) Failing(firm int64, category string, n int) {
	if m == nil {
		return
	}
	m.failing.WithLabelValues(firmLabel(firm), category).Set(float64(n))
}

// Throttled counts a 429 from QuickBooks.
func (m *Metrics) Throttled(firm int64) {
	if m == nil {
		return
	}
	m.throttled.WithLabelValues(firmLabel(firm)).Inc()
}

// Waited records the time one request spent in the rate limiter; batch says which
// of QuickBooks' budgets it waited for.
func (m *Metrics) Waited(firm int64, batch bool, d time.Duration) {
	if m == nil {
		return
	}
	kind := "single"
	if batch {
		kind = "batch"
	}
	m.waited.WithLabelValues(firmLabel(firm)).Add(d.Seconds())
	m.waits.WithLabelValues(kind).Observe(d.Seconds())
}

// Lag records how long changes of a category took from their commit to QuickBooks.
func (m *Metrics) Lag(category string, ages []time.Duration) {
	if m == nil {
		return
	}
	o := m.lag.WithLabelValues(category)
	for _, a := range ages {
		o.Observe(a.Seconds())
	}
}

// Reconciled sets the differences the firm's last reconciliation found, by check.
func (m *Metrics) Reconciled(firm int64, s syncapi.BooksSummary) {
	if m == nil {
		return
	}
	f := firmLabel(firm)
	for check, n := range map[string]int{
		"matters_receivable":          s.MattersDiffering,
		"invoices_missing":            s.InvoicesMissing,
		"trust_accounts":              s.TrustAccountsDiffering,
		"trust_records":               s.TrustRecordsDiffering,
		"trust_qbo_only_transactions": s.QBOOnlyTransactions,
		"payments_not_one_bank_entry": s.PaymentsNotOneBankEntry,
	} {
		m.differences.WithLabelValues(f, check).Set(float64(n))
	}
}
