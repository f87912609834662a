package admin_test

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"github.com/qbosync/qbosync/internal/admin"
	"github.com/qbosync/qbosync/internal/db/dbtest"
	"github.com/qbosync/qbosync/internal/metrics"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func start(t *testing.T, checks ...admin.Check) string {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	m, err := metrics.New(log)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := admin.Start("127.0.0.1:0", admin.Handler(m, checks...), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + srv.Addr()
}

func TestReadyOnlyWhenEveryCheckPasses(t *testing.T) {
	good, _ := dbtest.New(t)
	var started atomic.Bool
	base := start(t, admin.Database(good), admin.Started("worker", &started))

	if code, body := get(t, base+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Fatalf("/healthz = %d %q", code, body)
	}
	code, body := get(t, base+"/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "ok postgresql\n") || !strings.Contains(body, "fail worker: not started yet\n") {
		t.Fatalf("/readyz before the worker started = %d %q", code, body)
	}
	started.Store(true)
	if code, body := get(t, base+"/readyz"); code != http.StatusOK || body != "ok postgresql\nok worker\n" {
		t.Fatalf("/readyz once started = %d %q", code, body)
	}
	if code, body := get(t, base+"/metrics"); code != http.StatusOK || !strings.Contains(body, "go_goroutines") {
		t.Fatalf("/metrics = %d, %d bytes", code, len(body))
	}
	if code, _ := get(t, base+"/"); code != http.StatusNotFound {
		t.Fatalf("/ = %d, want 404: the admin listener serves its three paths only", code)
	}
}

func TestUnreadyWhenPostgreSQLIsUnreachable(t *testing.T) {
	// Nothing listens on port 1: the database is unreachable.
	bad, err := sqlx.Open("postgres", "postgres://postgres@127.0.0.1:1/qbosync?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	base := start(t, admin.Database(bad))
	code, body := get(t, base+"/readyz")
	if code != http.StatusServiceUnavailable || !strings.HasPrefix(body, "fail postgresql: ") {
		t.Fatalf("/readyz with PostgreSQL unreachable = %d %q", code, body)
	}
	if code, _ := get(t, base+"/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz = %d: liveness must not depend on PostgreSQL, or a database outage restarts every worker", code)
	}
}

func TestOffWithoutAnAddress(t *testing.T) {
	srv, err := admin.Start("", http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	if srv != nil || err != nil {
		t.Fatalf("Start(\"\") = %v, %v; want off", srv, err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
}
