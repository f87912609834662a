package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/qbosync/qbosync/internal/db/dbtest"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/qbosim"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// The worker binary serves /metrics, /healthz and /readyz on admin.listen: after a
// sync and a backfill, its metrics hold the Temporal SDK's series and qbosync's own,
// named as Prometheus names things, and its JSON logs carry the firm, realm, category
// and workflow id.
func TestWorkerServesMetricsAndHealth(t *testing.T) {
	s := newStackWith(t, stackOptions{worker: false})
	firm := s.seedSmall(t, 5)
	s.connect(firm)

	adminAddr := freeAddr(t)
	logs := &syncWriter{w: &bytes.Buffer{}}
	startProcess(t, buildBinary(t, "./worker"), nil, logs, append(s.processEnv(),
		"QBOSYNC_ADMIN_LISTEN="+adminAddr, "QBOSYNC_LOG_FORMAT=json", "QBOSYNC_LOG_LEVEL=debug"))
	base := "http://" + adminAddr
	waitFor(t, "the worker to be ready", func() bool { code, _ := httpGet(base + "/readyz"); return code == http.StatusOK })
	if code, body := httpGet(base + "/readyz"); body != "ok postgresql\nok temporal\nok worker\n" {
		t.Fatalf("/readyz = %d %q", code, body)
	}

	// Two 429s from QuickBooks on the way.
	must(t, s.Sim.SetFaults(s.Realm, qbosim.Faults{ThrottleBurst: 2}))
	s.syncOnce(firm, false)
	s.backfill(t, firm)

	_, body := httpGet(base + "/metrics")
	f := fmt.Sprint(firm)
	failing, err := s.Store.FailedItems(t.Context(), store.Scope{FirmID: firm, RealmID: s.Realm}, pms.EntityClient, pms.EntityMatter)
	must(t, err)
	// The SDK's, through its OpenTelemetry handler.
	for _, name := range []string{"temporal_request_total", "temporal_workflow_completed_total", "temporal_activity_execution_latency_seconds_bucket"} {
		if _, ok := sample(body, name, nil); !ok {
			t.Errorf("/metrics has no %s", name)
		}
	}
	// qbosync's.
	for _, want := range []struct {
		name   string
		labels map[string]string
		check  func(float64) bool
	}{
		{"qbosync_items_total", map[string]string{"firm": f, "category": "contacts", "outcome": "created"}, positive},
		{"qbosync_qbo_throttled_total", map[string]string{"firm": f}, equals(2)},
		{"qbosync_change_lag_seconds_count", map[string]string{"category": "contacts"}, positive},
		{"qbosync_failed_items", map[string]string{"firm": f, "category": "contacts"}, equals(float64(len(failing)))},
		{"qbosync_reconcile_differences", map[string]string{"firm": f, "check": "matters_receivable"}, equals(0)},
		{"qbosync_backfill_records", map[string]string{"firm": f, "category": "contacts"}, equals(40)},
		{"qbosync_backfill_records_done", map[string]string{"firm": f, "category": "contacts"}, equals(40)},
	} {
		v, ok := sample(body, want.name, want.labels)
		if !ok || !want.check(v) {
			t.Errorf("%s%v = %v (found %v)", want.name, want.labels, v, ok)
		}
	}
	checkPrometheusNames(t, body)
	checkJSONLogs(t, logs.w.(*bytes.Buffer).String(), firm, s.Realm)
}

// backfill runs a BackfillWorkflow of the firm to its end.
func (s *stack) backfill(t *testing.T, firm int64) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	run, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: syncapi.BackfillWorkflowID(firm, s.Realm), TaskQueue: s.Queue},
		syncapi.BackfillWorkflowName, syncapi.BackfillInput{FirmID: firm, RealmID: s.Realm, Filter: syncapi.BackfillFilter{Since: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}})
	must(t, err)
	var p syncapi.BackfillProgress
	must(t, run.Get(ctx, &p))
	if done, total := p.Handled(); !p.Done || done != total {
		t.Fatalf("backfill: %d of %d, done %v", done, total, p.Done)
	}
}

// checkPrometheusNames holds qbosync's series to Prometheus' conventions: counters end
// in _total, nothing else does, and durations are in seconds.
func checkPrometheusNames(t *testing.T, body string) {
	t.Helper()
	seen := 0
	for line := range strings.Lines(body) {
		name, kind, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(line), "# TYPE "), " ")
		if !strings.HasPrefix(line, "# TYPE ") || !ok || !strings.HasPrefix(name, "qbosync_") {
			continue
		}
		seen++
		if (kind == "counter") != strings.HasSuffix(name, "_total") {
			t.Errorf("%s is a %s: only counters, and all of them, end in _total", name, kind)
		}
		if strings.Contains(name, "lag") || strings.Contains(name, "wait") {
			if !strings.Contains(name, "_seconds") {
				t.Errorf("%s is a duration not in seconds", name)
			}
		}
	}
	if seen < 8 {
		t.Errorf("only %d qbosync series types in the scrape", seen)
	}
}

// checkJSONLogs reads the worker's log as JSON lines: every line is an object, and
// the sync's lines name the firm, realm, category and workflow.
func checkJSONLogs(t *testing.T, logs string, firm int64, realm string) {
	t.Helper()
	withWorkflow := 0
	sc := bufio.NewScanner(strings.NewReader(logs))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("a log line is not JSON: %q", sc.Text())
		}
		if rec["workflow_id"] != nil && rec["firm"] == float64(firm) && rec["realm"] == realm {
			withWorkflow++
		}
		if strings.Contains(sc.Text(), "access_token") || strings.Contains(sc.Text(), "refresh_token") {
			t.Errorf("a log line carries a token: %q", sc.Text())
		}
	}
	if withWorkflow == 0 {
		t.Errorf("no log line names the firm, realm and workflow:\n%s", logs)
	}
}

// The wizard server's admin listener is apart from the address firms reach: there,
// /metrics is 404. Its /readyz turns unready when PostgreSQL goes away.
func TestWizardAdminListenerIsApartAndTurnsUnready(t *testing.T) {
	s := newStackWith(t, stackOptions{worker: false})
	// The wizard's own database, so that it can be taken away.
	_, dbURL := dbtest.New(t)
	public, adminAddr := freeAddr(t), freeAddr(t)
	startProcess(t, buildBinary(t, "./starter"), []string{"serve", "--listen", public}, io.Discard, append(s.processEnv(),
		"QBOSYNC_DATABASE_URL="+dbURL, "QBOSYNC_ADMIN_LISTEN="+adminAddr, "QBOSYNC_QBO_REDIRECT_URL=http://"+public+"/oauth/callback"))
	admin := "http://" + adminAddr
	waitFor(t, "the wizard to be ready", func() bool { code, _ := httpGet(admin + "/readyz"); return code == http.StatusOK })

	if code, _ := httpGet("http://" + public + "/login"); code == http.StatusNotFound {
		t.Fatal("the public address serves no wizard: the test would prove nothing")
	}
	for _, path := range []string{"/metrics", "/readyz"} {
		if code, _ := httpGet("http://" + public + path); code != http.StatusNotFound {
			t.Errorf("%s on the wizard's public address = %d, want 404", path, code)
		}
	}
	if _, body := httpGet(admin + "/metrics"); !strings.Contains(body, "\ntemporal_request_total{") {
		t.Errorf("the wizard's /metrics has no Temporal SDK series:\n%s", body)
	}

	name := dbURL[strings.LastIndex(dbURL, "/")+1:]
	_, err := s.DB.Exec("DROP DATABASE " + strings.TrimSuffix(name, "?sslmode=disable") + " WITH (FORCE)")
	must(t, err)
	code, body := httpGet(admin + "/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "fail postgresql: ") || !strings.Contains(body, "ok temporal") {
		t.Fatalf("/readyz with the database gone = %d %q", code, body)
	}
	if code, _ := httpGet(admin + "/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz = %d: the process is alive, only not ready", code)
	}
}

// freeAddr is a loopback address with a port nothing listens on now.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// httpGet returns the status and body of a GET, or 0 when nothing answers.
func httpGet(url string) (int, string) {
	c := &http.Client{Timeout: 10 * time.Second}
	res, err := c.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// sample finds the value of the series name whose labels include labels.
func sample(body, name string, labels map[string]string) (float64, bool) {
	for line := range strings.Lines(body) {
		rest, ok := strings.CutPrefix(line, name+"{")
		if !ok {
			continue
		}
		set, value, _ := strings.Cut(rest, "} ")
		matches := true
		for k, v := range labels {
			matches = matches && strings.Contains(","+set+",", ","+k+"=\""+v+"\",")
		}
		var f float64
		if _, err := fmt.Sscan(value, &f); matches && err == nil {
			return f, true
		}
	}
	return 0, false
}

func positive(v float64) bool { return v > 0 }

func equals(want float64) func(float64) bool { return func(v float64) bool { return v == want } }
