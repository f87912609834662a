// Package admin serves a process's operator endpoints on a listener of their own,
// apart from anything firms reach: /metrics (every series of internal/metrics),
// /healthz (the process is alive and serving) and /readyz (it can do its work: every
// readiness check passes). The worker and the wizard server (`starter serve`) run it on
// admin.listen; it is off unless that is set (docs/operations.md).
package admin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"go.temporal.io/sdk/client"

	"github.com/qbosync/qbosync/internal/metrics"
)

// checkTimeout bounds one readiness check: a probe must answer before the prober
// gives up, and a hung dependency is as unready as a refusing one.
const checkTimeout = 3 * time.Second

// A Check is one thing a process needs to do its work.
type Check struct {
	Name string
	Run  func(context.Context) error
}

// Database is ready when PostgreSQL answers a ping.
func Database(db *sqlx.DB) Check {
	return Check{Name: "postgresql", Run: db.PingContext}
}

// Temporal is ready when the Temporal frontend answers its health check.
func Temporal(c client.Client) Check {
	return Check{Name: "temporal", Run: func(ctx context.Context) error {
		_, err := c.CheckHealth(ctx, &client.CheckHealthRequest{})
		return err
	}}
}

// Started is ready once started is true: a worker is ready only once it polls its
// task queue.
func Started(name string, started *atomic.Bool) Check {
	return Check{Name: name, Run: func(context.Context) error {
		if !started.Load() {
			return errors.New("not started yet")
		}
		return nil
	}}
}

// Handler serves /metrics, /healthz and /readyz; anything else is 404.
func Handler(m *metrics.Metrics, checks ...Check) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		report, ready := runChecks(r.Context(), checks)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		fmt.Fprint(w, report)
	})
	return mux
}

// runChecks runs every check at once and reports each on a line: "ok NAME" or
// "fail NAME: why".
func runChecks(ctx context.Context, checks []Check) (string, bool) {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	errs := make([]error, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() { errs[i] = c.Run(ctx) })
	}
	wg.Wait()
	var b strings.Builder
	ready := true
	for i, c := range checks {
		if errs[i] != nil {
			ready = false
			fmt.Fprintf(&b, "fail %s: %v\n", c.Name, errs[i])
			continue
		}
		fmt.Fprintf(&b, "ok %s\n", c.Name)
	}
	return b.String(), ready
}

// Server is a running admin listener.
type Server struct {
	srv *http.Server
	ln  net.Listener
}

// Start listens on addr (host:port; port 0 picks one) and serves h there. An empty
// addr is the listener turned off: a nil Server, which Close accepts.
func Start(addr string, h http.Handler, log *slog.Logger) (*Server, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("admin.listen %s: %w", addr, err)
	}
	s := &Server{srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}, ln: ln}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("admin listener stopped", "error", err)
		}
	}()
	log.Info("admin endpoints up", "address", "http://"+ln.Addr().String(), "paths", "/metrics /healthz /readyz")
	return s, nil
}

// Addr is where the server listens.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server, letting requests in flight finish for a moment.
func (s *Server) Close() error {
	if s == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return s.srv.Shutdown(ctx)
}
