package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/qbosync/qbosync/workflows/syncapi"
)

// fakeConnector stands for the OAuth flow: Begin sends to a sign-in page, FinishFor
// records the company it completed.
type fakeConnector struct{ finished []string }

func (c *fakeConnector) BeginFor(context.Context, int64, []byte) (string, error) {
	return "https://appcenter.intuit.com/connect/oauth2?state=s1", nil
}

func (c *fakeConnector) FinishFor(_ context.Context, _ int64, _ []byte, _, _, realm string) (string, error) {
	c.finished = append(c.finished, realm)
	return realm, nil
}

// csrfOf is the anti-forgery value of a page.
func csrfOf(page string) string {
	v := page[strings.Index(page, `name="csrf" value="`)+len(`name="csrf" value="`):]
	return v[:strings.Index(v, `"`)]
}

func postForm(t *testing.T, ts, path, sess string, form url.Values) (*http.Response, string) {
	return request(t, "POST", ts+path, sess, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

// Retry for one record: the page's button and the API ask the console for exactly that
// record; a record that is not failing is a 404 that says so.
func TestConsoleRetryOne(t *testing.T) {
	ts, fc, sess := consoleServer(t)
	_, page := request(t, "GET", ts.URL+"/sync", sess, nil, "")
	if strings.Count(page, `class="retry"`) != 3 {
		t.Fatalf("want a Retry button per failed record:\n%s", page)
	}
	form := url.Values{"csrf": {csrfOf(page)}, "kind": {"client"}, "key": {"7"}}
	res, _ := postForm(t, ts.URL, "/sync/retry", sess, form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/sync?done=retry-item" {
		t.Errorf("Retry: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, body := request(t, "POST", ts.URL+"/api/sync/items/invoice/41/retry", sess, nil, ""); res.StatusCode != http.StatusAccepted {
		t.Errorf("API retry: %d %s", res.StatusCode, body)
	}
	if got := strings.Join(fc.retried, ","); got != "client 7,invoice 41" {
		t.Errorf("retried %q", got)
	}
	res, body := request(t, "POST", ts.URL+"/api/sync/items/invoice/99/retry", sess, nil, "")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "not failing") {
		t.Errorf("retry of a record that is not failing: %d %s", res.StatusCode, body)
	}
	form.Set("key", "99")
	if res, _ := postForm(t, ts.URL, "/sync/retry", sess, form); res.StatusCode != http.StatusNotFound {
		t.Errorf("page retry of a record that is not failing: %d", res.StatusCode)
	}
}

// The reconciliation on the page: each trust account's three balances, and the
// records behind a difference with both amounts, naming the deposit slip and client.
func TestConsoleShowsTheBooks(t *testing.T) {
	ts, _, sess := consoleServer(t)
	_, page := request(t, "GET", ts.URL+"/sync", sess, nil, "")
	for _, want := range []string{"bank = liability = client ledgers", "IOLTA", "5100.00", "5000.00", "deposit slip DS-0003 of 2026-11-02",
		"2500.00", "2600.00", "Jessie Smithson", "client ledger of Jessie Smithson (C-0007)", "9 matters"} {
		if !strings.Contains(page, want) {
			t.Errorf("the books lack %q", want)
		}
	}
}

// The backfill form: a bad date is refused next to the field; a good one shows what it
// will bring before anything starts; the button starts it; the API does the same. The
// running backfill shows its bar with the rate and the time left.
func TestConsoleBackfillForm(t *testing.T) {
	ts, fc, sess := consoleServer(t)
	res, page := request(t, "GET", ts.URL+"/sync/backfill?since=2026-13-01", sess, nil, "")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "since: &#34;2026-13-01&#34; is not a date") {
		t.Errorf("bad date: %d\n%s", res.StatusCode, page)
	}
	_, page = request(t, "GET", ts.URL+"/sync/backfill?since=2026-01-01&unpaid=true", sess, nil, "")
	for _, want := range []string{"What the backfill will bring", ">14<", "$12,345.00", `id="confirm-backfill"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	if len(fc.backfills) != 0 {
		t.Fatal("the preview started a backfill")
	}
	form := url.Values{"csrf": {csrfOf(page)}, "since": {"2026-01-01"}, "unpaid": {"true"}}
	if res, _ := postForm(t, ts.URL, "/sync/backfill", sess, form); res.StatusCode != http.StatusSeeOther {
		t.Errorf("start: %d", res.StatusCode)
	}
	res, body := request(t, "POST", ts.URL+"/api/sync/backfill/preview", sess, strings.NewReader(`{"since":"2026-02-01"}`), "application/json")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `"count":14`) {
		t.Errorf("API preview: %d %s", res.StatusCode, body)
	}
	res, body = request(t, "POST", ts.URL+"/api/sync/backfill", sess, strings.NewReader(`{"since":"2026-02-01","unpaid":false}`), "application/json")
	if res.StatusCode != http.StatusAccepted {
		t.Errorf("API start: %d %s", res.StatusCode, body)
	}
	res, body = request(t, "POST", ts.URL+"/api/sync/backfill", sess, strings.NewReader(`{"since":"2026-02-01","sinse":"x"}`), "application/json")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "sinse") {
		t.Errorf("unknown field: %d %s", res.StatusCode, body)
	}
	want := []syncapi.BackfillFilter{{Since: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Unpaid: true}, {Since: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}}
	if len(fc.backfills) != 2 || fc.backfills[0] != want[0] || fc.backfills[1] != want[1] {
		t.Errorf("backfills %+v, want %+v", fc.backfills, want)
	}
	_, page = request(t, "GET", ts.URL+"/sync", sess, nil, "")
	for _, want := range []string{`data-percent="75"`, "30 of 40 records (75%)", "30 a minute", "about 20 seconds left"} {
		if !strings.Contains(page, want) {
			t.Errorf("the progress lacks %q", want)
		}
	}
}

// The bar's arithmetic: a rate from the start, the time left at that rate, and a
// finished backfill at 100% with nothing left.
func TestBackfillView(t *testing.T) {
	now := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	run := BackfillRun{Status: BackfillRunning, Progress: syncapi.BackfillProgress{StartedAt: now.Add(-2 * time.Minute),
		Categories: []syncapi.CategoryProgress{{Total: 300, Counts: syncapi.Counts{Changes: 200}}, {Total: 100}}}}
	v := newBackfillView(run, now)
	if v.Done != 200 || v.Total != 400 || v.Percent != 50 || v.PerMinute != 100 || v.SecondsLeft != 120 || v.Left() != "2 minutes" {
		t.Errorf("running: %+v", v)
	}
	run.Status, run.Progress.Done, run.Progress.UpdatedAt = BackfillDone, true, now.Add(-time.Minute)
	v = newBackfillView(run, now)
	if v.Percent != 100 || v.SecondsLeft != 0 || v.PerMinute != 200 {
		t.Errorf("done: %+v", v)
	}
}

// Reconnect: a connection QuickBooks no longer accepts shows the button; the sign-in
// coming back for another company is refused before anything is stored; the same
// company mends the connection and starts the sync again.
func TestConsoleReconnect(t *testing.T) {
	ts, fc, sess := consoleServer(t)
	fc.mu.Lock()
	fc.company.Status, fc.company.Reason = "needs_reconnect", "the refresh token was revoked"
	fc.mu.Unlock()
	_, page := request(t, "GET", ts.URL+"/sync", sess, nil, "")
	if !strings.Contains(page, "Reconnect QuickBooks") || !strings.Contains(page, "the refresh token was revoked") {
		t.Fatalf("no reconnect offered:\n%s", page)
	}
	res, _ := postForm(t, ts.URL, "/sync/reconnect", sess, url.Values{"csrf": {csrfOf(page)}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "https://appcenter.intuit.com/") {
		t.Errorf("reconnect: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	conn := connectorOf(t, ts)
	res, body := request(t, "GET", ts.URL+"/oauth/callback?state=s1&code=c&realmId=4620", sess, nil, "")
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "different QuickBooks company") || len(conn.finished) != 0 {
		t.Errorf("another company: %d, finished %v\n%s", res.StatusCode, conn.finished, body)
	}
	res, _ = request(t, "GET", ts.URL+"/oauth/callback?state=s1&code=c&realmId=9130", sess, nil, "")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/sync?done=reconnect" || len(conn.finished) != 1 || fc.restarts != 1 {
		t.Errorf("same company: %d to %q, finished %v, restarts %d", res.StatusCode, res.Header.Get("Location"), conn.finished, fc.restarts)
	}
	var v consoleView
	_, body = request(t, "GET", ts.URL+"/api/sync", sess, nil, "")
	if err := json.Unmarshal([]byte(body), &v); err != nil || !v.NeedsReconnect || v.Company.RealmID != "9130" {
		t.Errorf("API: %v %+v", err, v)
	}
	// Before Submit there is no sync to restart: the sign-in is the wizard's connect.
	fc.mu.Lock()
	fc.company.Submitted = false
	fc.mu.Unlock()
	srv, _ := servers.Load(ts)
	req := httptest.NewRequest("GET", "/oauth/callback", nil)
	if _, ok := srv.(*Server).reconnecting(req, session{firm: 7}); ok {
		t.Error("a sign-in before Submit was taken for a reconnect")
	}
}

// The live updates come from a file of this server, which the Content-Security-Policy
// allows ('self'); the page has no inline script, which it would refuse.
func TestConsoleScriptIsAFileOfTheServer(t *testing.T) {
	ts, _, sess := consoleServer(t)
	res, page := request(t, "GET", ts.URL+"/sync", sess, nil, "")
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "script-src") {
		t.Errorf("CSP %q: want scripts from 'self' only", csp)
	}
	if strings.Count(page, "<script") != 1 || !strings.Contains(page, `<script src="/static/console.js"></script>`) {
		t.Errorf("want exactly the console's script file, no inline script:\n%s", page)
	}
	res, js := request(t, "GET", ts.URL+"/static/console.js", "", nil, "")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") || !strings.Contains(js, `fetch("/api/sync"`) {
		t.Errorf("the script: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res, _ := request(t, "GET", ts.URL+"/static/", "", nil, ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("/static/ lists something: %d", res.StatusCode)
	}
}
