package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/reconcile"
	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// fakeConsole is a firm's sync as the console sees it: a status, failed items, and the
// signals it was sent.
type fakeConsole struct {
	mu        sync.Mutex
	signals   []string
	firms     []int64
	retried   []string
	backfills []syncapi.BackfillFilter
	company   Company
	restarts  int
}

func (f *fakeConsole) RetryItem(_ context.Context, _ int64, kind, key string) error {
	items, _ := f.FailedItems(context.Background(), 7)
	if !slices.ContainsFunc(items, func(it syncapi.FailedItem) bool { return it.Kind == kind && it.Key == key }) {
		return ErrNoSuchFailure
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.retried = append(f.retried, kind+" "+key)
	return nil
}

func (f *fakeConsole) Records(context.Context, int64) ([]KindRecords, error) {
	return []KindRecords{{Kind: "client", Created: 11, Updated: 1, Unchanged: 3, Failed: 1}, {Kind: "invoice", Created: 38, Failed: 2}}, nil
}

func (f *fakeConsole) Books(context.Context, int64) (*BooksReport, error) {
	b := &BooksReport{CheckedAt: time.Date(2026, 12, 6, 9, 31, 0, 0, time.UTC)}
	b.Report.Receivables = reconcile.ReceivablesReport{MattersChecked: 9, PMSUnpaid: 120000, QBOOpen: 120000}
	b.Report.Trust.Accounts = []reconcile.TrustAccount{{Name: "IOLTA", PMS: 500000, QBOBank: 510000, QBOLiability: 510000,
		Records: []reconcile.TrustRecordDifference{{Kind: "deposit_slip", SourceKey: "3", Label: "deposit slip DS-0003", Date: "2026-11-02",
			PMSBank: 250000, QBOBank: 260000, Why: "QuickBooks' deposit is 100.00 more",
			Lines: []reconcile.TrustLineDifference{{ClientName: "Jessie Smithson", MatterNumber: "M-0007", PMS: 250000, QBO: 260000, Why: "the line was changed"}}}},
		Clients: []reconcile.ClientTrustDifference{{ClientNumber: "C-0007", ClientName: "Jessie Smithson", PMS: 250000, QBO: 260000}}}}
	return b, nil
}

func (f *fakeConsole) Company(context.Context, int64) (Company, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.company, nil
}

func (f *fakeConsole) PreviewBackfill(_ context.Context, _ int64, bf syncapi.BackfillFilter) (settings.Preview, error) {
	return settings.Preview{StartDate: bf.Since.Format(time.DateOnly), Lines: []settings.PreviewLine{
		{Title: "Invoices", Entity: "Invoice", Count: 14, HasTotal: true, TotalCents: 1234500}}}, nil
}

func (f *fakeConsole) StartBackfill(_ context.Context, _ int64, bf syncapi.BackfillFilter) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.backfills = append(f.backfills, bf)
	return nil
}

func (f *fakeConsole) Backfill(context.Context, int64) (*BackfillRun, error) {
	return &BackfillRun{Status: BackfillRunning, Progress: syncapi.BackfillProgress{
		StartedAt:  time.Now().Add(-time.Minute),
		Categories: []syncapi.CategoryProgress{{Category: "contacts", Total: 40, Started: true, Counts: syncapi.Counts{Changes: 30, Created: 30}}}}}, nil
}

func (f *fakeConsole) Restart(context.Context, int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.restarts++
	return nil
}

func (f *fakeConsole) Status(_ context.Context, firm int64) (syncapi.Summary, error) {
	return syncapi.Summary{FirmID: firm, Status: syncapi.StatusBooksDiffer, Reason: "books differ: 1 matters' receivables", Cycles: 3,
		LastRunAt:      time.Date(2026, 12, 6, 9, 30, 0, 0, time.UTC),
		Categories:     []syncapi.CategoryResult{{Category: "contacts", Counts: syncapi.Counts{Created: 12, Failed: 2}}},
		Reconciliation: &syncapi.BooksSummary{MattersDiffering: 1, MattersChecked: 9}}, nil
}

func (f *fakeConsole) FailedItems(context.Context, int64) ([]syncapi.FailedItem, error) {
	return []syncapi.FailedItem{
		{Kind: "client", Key: "7", Label: "Jessie Smithson (C-0007)", Code: "qbosync:invalid-email", Message: "e-mail \"jsmith at example\" is not an address",
			Explanation: "Correct the client's e-mail in the practice system."},
		{Kind: "invoice", Key: "40", Label: "invoice INV-1040", Code: "qbosync:waiting-for-matter", Message: "the matter is not in QuickBooks"},
		{Kind: "invoice", Key: "41", Label: "invoice INV-1041", Code: "qbosync:waiting-for-matter", Message: "the matter is not in QuickBooks"},
	}, nil
}

func (f *fakeConsole) Signal(_ context.Context, firm int64, signal string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.signals, f.firms = append(f.signals, signal), append(f.firms, firm)
	return nil
}

// consoleServer is a web server over a fake console and sign-in, and a session of
// firm 7.
func consoleServer(t *testing.T) (*httptest.Server, *fakeConsole, string) {
	t.Helper()
	sessions, err := NewSessions(bytes.Repeat([]byte{3}, 32), &usedNonces{seen: map[string]bool{}})
	if err != nil {
		t.Fatal(err)
	}
	fc := &fakeConsole{company: Company{RealmID: "9130", Name: "Sandbox Company", Status: "connected", Submitted: true}}
	srv := &Server{Console: fc, Connect: &fakeConnector{}, Sessions: sessions, Log: slog.New(slog.DiscardHandler), CallbackPath: "/oauth/callback",
		SignInOrigin: "https://appcenter.intuit.com"}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	servers.Store(ts, srv)
	login, _ := sessions.LoginToken(7, time.Minute)
	sess, _, _, err := sessions.Redeem(t.Context(), login)
	if err != nil {
		t.Fatal(err)
	}
	return ts, fc, sess
}

// servers finds a test server's Server.
var servers sync.Map

func connectorOf(t *testing.T, ts *httptest.Server) *fakeConnector {
	srv, _ := servers.Load(ts)
	return srv.(*Server).Connect.(*fakeConnector)
}

func request(t *testing.T, method, url, token string, body io.Reader, contentType string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res, string(raw)
}

// The console's API: the status and the failures grouped by cause, and the actions,
// each a signal to the session's firm's sync; an unknown action is refused naming the
// allowed ones, without echoing a huge value; no session, no console.
func TestConsoleAPI(t *testing.T) {
	ts, fc, sess := consoleServer(t)
	res, body := request(t, "GET", ts.URL+"/api/sync", sess, nil, "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/sync: %d %s", res.StatusCode, body)
	}
	var v struct {
		Status   syncapi.Summary `json:"status"`
		Failures []FailureGroup  `json:"failures"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	if v.Status.Status != syncapi.StatusBooksDiffer || len(v.Failures) != 2 || v.Failures[0].Code != "qbosync:waiting-for-matter" ||
		len(v.Failures[0].Items) != 2 || v.Failures[1].Explanation == "" {
		t.Errorf("console = %+v; want the status and two groups, the larger first", v)
	}
	for _, action := range []string{"sync-now", "retry-failed", "pause", "resume", "check-books"} {
		if res, body := request(t, "POST", ts.URL+"/api/sync/actions/"+action, sess, nil, ""); res.StatusCode != http.StatusAccepted {
			t.Errorf("POST %s: %d %s", action, res.StatusCode, body)
		}
	}
	want := []string{syncapi.SyncNowSignal, syncapi.RetryFailedSignal, syncapi.PauseSignal, syncapi.ResumeSignal, syncapi.ReconcileSignal}
	if strings.Join(fc.signals, ",") != strings.Join(want, ",") || fc.firms[0] != 7 {
		t.Errorf("signals %v to firms %v; want %v to firm 7", fc.signals, fc.firms, want)
	}
	huge := strings.Repeat("x", 5000)
	res, body = request(t, "POST", ts.URL+"/api/sync/actions/"+huge, sess, nil, "")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "allowed: check-books, pause, resume, retry-failed, sync-now") || len(body) > 400 {
		t.Errorf("unknown action: %d %q", res.StatusCode, body)
	}
	if res, _ := request(t, "GET", ts.URL+"/api/sync", "", nil, ""); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("no session: %d", res.StatusCode)
	}
}

// The console page shows the status in words, the counts, the books and every failure
// with what to do; its buttons post with the session's anti-forgery value, and a post
// without it does nothing.
func TestConsolePage(t *testing.T) {
	ts, fc, sess := consoleServer(t)
	_, page := request(t, "GET", ts.URL+"/sync", sess, nil, "")
	for _, want := range []string{"The books differ", "contacts", ">12<", `<tr data-kind="client"><td>client</td><td class="num">15</td>`, "Jessie Smithson (C-0007)", "Correct the client&#39;s e-mail", "invoice INV-1041", `name="csrf"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the console page lacks %q", want)
		}
	}
	csrf := page[strings.Index(page, `name="csrf" value="`)+len(`name="csrf" value="`):]
	csrf = csrf[:strings.Index(csrf, `"`)]
	form := url.Values{"action": {"sync-now"}, "csrf": {csrf}}
	res, _ := request(t, "POST", ts.URL+"/sync", sess, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/sync?done=sync-now" || len(fc.signals) != 1 {
		t.Errorf("Sync now: %d to %q, signals %v", res.StatusCode, res.Header.Get("Location"), fc.signals)
	}
	form.Set("csrf", "forged")
	if res, _ := request(t, "POST", ts.URL+"/sync", sess, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"); res.StatusCode != http.StatusForbidden || len(fc.signals) != 1 {
		t.Errorf("a forged post: %d, signals %v", res.StatusCode, fc.signals)
	}
}
