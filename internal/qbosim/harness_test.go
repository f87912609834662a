package qbosim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeClock is a settable Options.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 3, 14, 17, 30, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// harness is a sandbox behind a real HTTP server, with a sample company and
// a token for it.
type harness struct {
	t     *testing.T
	srv   *Server
	ts    *httptest.Server
	clock *fakeClock
	realm string
	token string
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	clock := newFakeClock()
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	srv := New(opts)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		require.NoError(t, srv.Close())
	})
	h := &harness{t: t, srv: srv, ts: ts, clock: clock}
	h.realm = srv.AddSampleCompany()
	h.token, _ = srv.IssueToken(h.realm)
	return h
}

// apiResult is a decoded API response.
type apiResult struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// do sends an authenticated request to /v3/company/{realm}/{path}.
func (h *harness) do(method, path string, body any, contentType string) apiResult {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		require.NoError(h.t, err)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, h.ts.URL+"/v3/company/"+h.realm+"/"+path, rd)
	require.NoError(h.t, err)
	if h.token != "" {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return h.send(req)
}

func (h *harness) send(req *http.Request) apiResult {
	h.t.Helper()
	resp, err := h.ts.Client().Do(req)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(h.t, err)
	res := apiResult{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		v, err := decodeJSON(raw)
		require.NoError(h.t, err, "body: %s", raw)
		res.body, _ = v.(map[string]any)
	}
	return res
}

// post writes an entity (create or update).
func (h *harness) post(resource string, body any) apiResult {
	h.t.Helper()
	return h.do(http.MethodPost, resource+"?minorversion=75", body, "application/json")
}

// create posts and requires success, returning the entity.
func (h *harness) create(resource, entity string, body any) map[string]any {
	h.t.Helper()
	res := h.post(resource, body)
	require.Equal(h.t, http.StatusOK, res.status, "create %s: %s", resource, res.raw)
	return res.entity(h.t, entity)
}

func (h *harness) get(resource, id string) apiResult {
	h.t.Helper()
	return h.do(http.MethodGet, resource+"/"+id, nil, "")
}

func (h *harness) query(q string) apiResult {
	h.t.Helper()
	return h.do(http.MethodGet, "query?query="+url.QueryEscape(q), nil, "")
}

// rows runs a query that must succeed and returns the entities.
func (h *harness) rows(q, entity string) []map[string]any {
	h.t.Helper()
	res := h.query(q)
	require.Equal(h.t, http.StatusOK, res.status, "%s: %s", q, res.raw)
	qr := res.body["QueryResponse"].(map[string]any)
	list, _ := qr[entity].([]any)
	out := make([]map[string]any, len(list))
	for i, e := range list {
		out[i] = e.(map[string]any)
	}
	return out
}

func (r apiResult) entity(t *testing.T, name string) map[string]any {
	t.Helper()
	e, ok := r.body[name].(map[string]any)
	require.True(t, ok, "no %s in %s", name, r.raw)
	return e
}

// fault returns the first Fault.Error entry.
func (r apiResult) fault(t *testing.T) map[string]any {
	t.Helper()
	f, ok := r.body["Fault"].(map[string]any)
	require.True(t, ok, "no Fault in %s", r.raw)
	errs := f["Error"].([]any)
	require.NotEmpty(t, errs)
	return errs[0].(map[string]any)
}

// requireFault asserts an HTTP status and a QBO error code.
func (r apiResult) requireFault(t *testing.T, status int, code string) map[string]any {
	t.Helper()
	require.Equal(t, status, r.status, "body: %s", r.raw)
	e := r.fault(t)
	require.Equal(t, code, e["code"], "body: %s", r.raw)
	return e
}

func names(rows []map[string]any, field string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i], _ = r[field].(string)
	}
	return out
}

// idOf finds an entity by DisplayName/Name in the harness realm.
func (h *harness) idOf(entity, field, name string) string {
	h.t.Helper()
	for _, e := range h.srv.Entities(h.realm, entity) {
		if e[field] == name {
			return e["Id"].(string)
		}
	}
	h.t.Fatalf("no %s with %s %q", entity, field, name)
	return ""
}

// num renders a decoded JSON number (json.Number) as its exact text.
func num(v any) string {
	if n, ok := v.(json.Number); ok {
		return n.String()
	}
	return ""
}

// newDurableHarness is a harness whose sandbox keeps its state in path and
// can be stopped and started again; it also returns the refresh token that
// goes with h.token.
func newDurableHarness(t *testing.T, path string) (*harness, Options, string) {
	t.Helper()
	clock := newFakeClock()
	opts := Options{StateFile: path, Now: clock.Now, PersistDelay: time.Hour}
	h := &harness{t: t, clock: clock}
	h.start(opts)
	h.realm = h.srv.AddSampleCompany()
	var refresh string
	h.token, refresh = h.srv.IssueToken(h.realm)
	return h, opts, refresh
}

// start serves a new sandbox built from opts (loading its state file).
func (h *harness) start(opts Options) {
	h.t.Helper()
	srv := New(opts)
	ts := httptest.NewServer(srv)
	h.srv, h.ts = srv, ts
	h.t.Cleanup(func() {
		ts.Close()
		_ = srv.Close()
	})
}

// stop closes the sandbox, flushing its state file.
func (h *harness) stop() {
	h.t.Helper()
	h.ts.Close()
	require.NoError(h.t, h.srv.Close(), "Close flushes the state file")
}
