package e2e_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/qbosync/qbosync/activities"
	"github.com/qbosync/qbosync/internal/app"
	"github.com/qbosync/qbosync/internal/config"
	"github.com/qbosync/qbosync/internal/connect"
	"github.com/qbosync/qbosync/internal/db/dbtest"
	"github.com/qbosync/qbosync/internal/pms/seed"
	"github.com/qbosync/qbosync/internal/qbosim"
	"github.com/qbosync/qbosync/internal/secret"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/internal/temporaltest"
	"github.com/qbosync/qbosync/internal/workerx"
	"github.com/qbosync/qbosync/workflows"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// stack is one test's world: the practice database, the sandbox behind a fault
// injector, Temporal with a worker, and a firm connected through OAuth.
type stack struct {
	t            testing.TB
	DB           *sqlx.DB
	DBURL        string
	Store        *store.Store
	Sim          *qbosim.Server
	Faults       *faults
	Temporal     client.Client
	Queue        string
	Realm        string
	Log          *bytes.Buffer
	TemporalAddr string
	qbo          config.QBOConfig
	factory      *app.QBOFactory
	key          []byte
	log          *slog.Logger
}

func newStack(t testing.TB) *stack {
	t.Helper()
	return newStackWith(t, stackOptions{worker: true})
}

func newStackWith(t testing.TB, opts stackOptions) *stack {
	t.Helper()
	d, dbURL := dbtest.New(t)
	key := make([]byte, secret.KeySize)
	_, _ = rand.Read(key)
	box, err := secret.New(key)
	if err != nil {
		t.Fatal(err)
	}
	s := &stack{t: t, DB: d, DBURL: dbURL, Store: store.New(d, box), Log: &bytes.Buffer{}}

	s.Sim = qbosim.New(qbosim.Options{Clients: map[string]string{"e2e-client": "e2e-secret"}})
	s.Faults = &faults{next: s.Sim}
	api := httptest.NewServer(s.Faults)
	t.Cleanup(api.Close)
	s.Realm = s.Sim.AddSampleCompany()

	qcfg := config.QBOConfig{
		APIBaseURL: api.URL, AuthURL: api.URL + "/connect/oauth2", TokenURL: api.URL + "/oauth2/v1/tokens/bearer",
		RevokeURL: api.URL + "/v2/oauth2/tokens/revoke", ClientID: "e2e-client", ClientSecret: "e2e-secret",
		MinorVersion: "75", RequestTimeout: 5 * time.Second, RateLimits: "none",
	}
	log := slog.New(slog.NewTextHandler(&syncWriter{w: s.Log}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	factory := app.NewQBOFactory(qcfg, s.Store, log)

	s.Temporal, s.TemporalAddr = temporaltest.Start(t)
	s.Queue = "qbosync-e2e-" + randomHex(4)
	s.key, s.log, s.qbo, s.factory = key, log, qcfg, factory
	if opts.worker {
		s.startWorker()
	}
	return s
}

type stackOptions struct{ worker bool }

// startWorker runs a worker in this process with the real registrations.
func (s *stack) startWorker() worker.Worker {
	w := worker.New(s.Temporal, s.Queue, worker.Options{})
	workerx.Register(w, &activities.Activities{Store: s.Store, QBO: s.factory, PageSize: 7, Log: s.log})
	if err := w.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(w.Stop)
	return w
}

// connect links firm to the sandbox's sample company through the OAuth code flow: the
// consent page is approved as a user would, and the redirect lands on a callback that
// completes the flow.
func (s *stack) connect(firm int64) store.Connection {
	s.t.Helper()
	conn, err := s.tryConnect(firm)
	if err != nil {
		s.t.Fatal(err)
	}
	return conn
}

// tryConnect is connect, returning what completing the flow answered.
func (s *stack) tryConnect(firm int64) (store.Connection, error) {
	return s.connectCompany(firm, "")
}

// connectCompany connects firm to the sandbox company named company (the first one
// when empty).
func (s *stack) connectCompany(firm int64, company string) (store.Connection, error) {
	s.t.Helper()
	ctx := context.Background()
	oauth := *s.factory.OAuth()
	flow := &connect.Flow{OAuth: &oauth, APIBaseURL: s.qbo.APIBaseURL, Store: s.Store}
	done := make(chan error, 1)
	var conn store.Connection
	callback := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var err error
		conn, err = flow.Complete(r.Context(), firm, q.Get("state"), q.Get("code"), q.Get("realmId"))
		done <- err
	}))
	defer callback.Close()
	flow.OAuth.RedirectURL = callback.URL + "/oauth/callback"
	flow.APIBaseURL = s.qbo.APIBaseURL
	authURL, err := flow.Begin(ctx, firm)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := qbosim.Approve(ctx, http.DefaultClient, authURL, company); err != nil {
		s.t.Fatal(err)
	}
	return conn, <-done
}

// syncOnce runs one SyncWorkflow cycle and returns its summary and run id.
func (s *stack) syncOnce(firm int64, retryFailed bool) (syncapi.Summary, client.WorkflowRun) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	run, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: syncapi.SyncWorkflowID(firm, s.Realm) + "-" + randomHex(3), TaskQueue: s.Queue,
	}, workflows.SyncWorkflow, syncapi.SyncInput{FirmID: firm, RealmID: s.Realm, Once: true, RetryFailed: retryFailed})
	if err != nil {
		s.t.Fatal(err)
	}
	var sum syncapi.Summary
	if err := run.Get(ctx, &sum); err != nil {
		s.t.Fatalf("sync failed: %v", err)
	}
	return sum, run
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// faults stands between the QBO client and the sandbox and breaks writes on request.
type faults struct {
	next http.Handler
	mu   sync.Mutex
	// unavailable answers this many creates with 503 before they reach QBO.
	unavailable int
	// lost lets this many creates through to QBO and then drops the connection before
	// the answer: the create happened, the client cannot know.
	lost int
}

func (f *faults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Creates only: they are where a lost answer could turn into a duplicate.
	isCreate := r.Method == http.MethodPost && strings.Contains(r.URL.Path, "/v3/company/") &&
		!strings.HasSuffix(r.URL.Path, "/query") && r.URL.Query().Get("operation") == ""
	f.mu.Lock()
	unavailable, lost := false, false
	if isCreate {
		switch {
		case f.unavailable > 0:
			f.unavailable--
			unavailable = true
		case f.lost > 0:
			f.lost--
			lost = true
		}
	}
	f.mu.Unlock()
	switch {
	case unavailable:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"Fault":{"Error":[{"Message":"Service Unavailable","Detail":"try again","code":"10000"}],"type":"SystemFault"},"time":"2026-11-24T10:00:00.000-08:00"}`)
	case lost:
		f.next.ServeHTTP(httptest.NewRecorder(), r)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	default:
		f.next.ServeHTTP(w, r)
	}
}

func (f *faults) set(unavailable, lost int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.unavailable, f.lost = unavailable, lost
}

// syncWriter makes a bytes.Buffer safe for concurrent log writes.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// bulkFirm creates a firm with n clients, each with one matter, named after label, and
// returns its id.
func (s *stack) bulkFirm(name, label string, n int) int64 {
	s.t.Helper()
	var firm int64
	mustTB(s.t, s.DB.Get(&firm, `INSERT INTO firms (name) VALUES ($1) RETURNING id`, name))
	_, err := s.DB.Exec(`
		INSERT INTO clients (firm_id, client_number, kind, name)
		SELECT $1, $2 || '-' || n, 'person', $2 || ' Client ' || n FROM generate_series(1, $3) n`, firm, label, n)
	mustTB(s.t, err)
	_, err = s.DB.Exec(`
		INSERT INTO matters (firm_id, client_id, matter_number, name, opened_on)
		SELECT firm_id, id, 'M-' || client_number, 'General', '2026-01-01' FROM clients WHERE firm_id = $1`, firm)
	mustTB(s.t, err)
	return firm
}

// checkExactlyOnce fails the test unless every client and matter of the firm is in
// QBO exactly once.
func (s *stack) checkExactlyOnce(firm int64) {
	s.t.Helper()
	qc := s.customers()
	var records []struct {
		ID   int64  `db:"id"`
		Kind string `db:"kind"`
	}
	mustTB(s.t, s.DB.Select(&records, `
		SELECT id, 'client' AS kind FROM clients WHERE firm_id = $1
		UNION ALL SELECT id, 'matter' FROM matters WHERE firm_id = $1`, firm))
	missing, dup := 0, 0
	for _, r := range records {
		switch n := len(qc.byMarker[fmt.Sprintf("qbosync:%s:%d", r.Kind, r.ID)]); {
		case n == 0:
			missing++
		case n > 1:
			dup++
		}
	}
	if missing != 0 || dup != 0 {
		s.t.Fatalf("%d records missing and %d duplicated in QBO (of %d)", missing, dup, len(records))
	}
}

func mustTB(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// contactsOf is the contacts category's result in a sync summary.
func contactsOf(t testing.TB, sum syncapi.Summary) syncapi.CategoryResult {
	t.Helper()
	for _, c := range sum.Categories {
		if c.Category == "contacts" {
			return c
		}
	}
	t.Fatalf("no contacts category in %+v", sum.Categories)
	return syncapi.CategoryResult{}
}

// create writes an entity into the sandbox company as the firm would by hand in
// QuickBooks, and returns its id.
func (s *stack) create(entity, body string) string {
	s.t.Helper()
	access, _ := s.Sim.IssueToken(s.Realm)
	req, err := http.NewRequest(http.MethodPost, s.qbo.APIBaseURL+"/v3/company/"+s.Realm+"/"+strings.ToLower(entity), strings.NewReader(body))
	mustTB(s.t, err)
	req.Header.Set("Authorization", "Bearer "+access)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res, err := http.DefaultClient.Do(req)
	mustTB(s.t, err)
	defer res.Body.Close()
	var out map[string]json.RawMessage
	mustTB(s.t, json.NewDecoder(res.Body).Decode(&out))
	var created struct {
		ID string `json:"Id"`
	}
	_ = json.Unmarshal(out[entity], &created)
	if res.StatusCode != http.StatusOK || created.ID == "" {
		s.t.Fatalf("create %s: %s %s", entity, res.Status, out["Fault"])
	}
	return created.ID
}

// seedSmall seeds a small demo firm (seed.SizeSmall with the given seed) into the
// practice database and returns its id.
func (s *stack) seedSmall(t *testing.T, seedNo int64) int64 {
	t.Helper()
	sum, err := seed.Seed(t.Context(), s.DB, seed.Options{Size: seed.SizeSmall, Seed: seedNo})
	must(t, err)
	return sum.FirmID
}
