package qbo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNewValidates(t *testing.T) {
	hc := &http.Client{}
	for _, o := range []Options{
		{BaseURL: "", RealmID: "1", HTTPClient: hc},
		{BaseURL: "ftp://x", RealmID: "1", HTTPClient: hc},
		{BaseURL: "http://", RealmID: "1", HTTPClient: hc},
		{BaseURL: "http://x", RealmID: "", HTTPClient: hc},
		{BaseURL: "http://x", RealmID: "1"},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) succeeded", o)
		}
	}
	c, err := New(Options{BaseURL: ProductionBaseURL + "/", RealmID: "9130", HTTPClient: hc})
	if err != nil || c.prefix != "https://quickbooks.api.intuit.com/v3/company/9130/" || c.RealmID() != "9130" {
		t.Errorf("New: %v, prefix %q", err, c.prefix)
	}
}

func TestCreateWireFormat(t *testing.T) {
	f := newFakeServer(t, answer(200, jsonCT, customerResponse))
	c := newTestClient(t, f, func(o *Options) { o.UserAgent = "qbosync-test/1" })
	in := Customer{DisplayName: "Smith v. Jones (2024-001)", Job: new(true), ParentRef: &Ref{Value: "58"}, BillWithParent: new(false)}
	var out Customer
	if err := c.Create(context.Background(), "Customer", in, RequestID("matter", "7"), &out); err != nil {
		t.Fatal(err)
	}
	r := f.requests()[0]
	if r.Method != "POST" || r.Path != "/v3/company/123/customer" {
		t.Errorf("sent %s %s", r.Method, r.Path)
	}
	if r.Query.Get("minorversion") != "75" || r.Query.Get("requestid") != RequestID("matter", "7") || r.Query.Has("operation") {
		t.Errorf("query = %v", r.Query)
	}
	if r.Header.Get("Accept") != "application/json" || r.Header.Get("Content-Type") != "application/json" ||
		r.Header.Get("User-Agent") != "qbosync-test/1" {
		t.Errorf("headers = %v", r.Header)
	}
	// Only what was set is sent.
	want := `{"DisplayName":"Smith v. Jones (2024-001)","Job":true,"ParentRef":{"value":"58"},"BillWithParent":false}`
	if r.Body != want {
		t.Errorf("body = %s\nwant %s", r.Body, want)
	}
	// The response envelope decodes into the typed entity.
	if out.ID != "59" || out.SyncToken != "0" || out.Level != 1 || out.Domain != "QBO" ||
		out.FullyQualifiedName != `O'Brien \ Sons:Smith v. Jones (2024-001)` ||
		out.Active == nil || !*out.Active || out.Job == nil || !*out.Job ||
		out.Balance == nil || *out.Balance != 167550 || out.PrimaryEmailAddr.Address != "jo@example.com" ||
		out.CurrencyRef.Name != "United States Dollar" {
		t.Errorf("decoded %+v", out)
	}
	wantTime := time.Date(2015, 7, 24, 17, 33, 39, 110_000_000, time.UTC)
	if !out.MetaData.LastUpdatedTime.Equal(wantTime) {
		t.Errorf("LastUpdatedTime = %v, want %v", out.MetaData.LastUpdatedTime, wantTime)
	}
}

func TestUpdateSparse(t *testing.T) {
	f := newFakeServer(t, answer(200, jsonCT, strings.Replace(customerResponse, `"SyncToken":"0"`, `"SyncToken":"1"`, 1)))
	c := newTestClient(t, f)
	in := Customer{ID: "59", SyncToken: "0", Sparse: true, Active: new(false)}
	var out Customer
	if err := c.Update(context.Background(), "Customer", in, RequestID("u"), &out); err != nil {
		t.Fatal(err)
	}
	r := f.requests()[0]
	if r.Query.Get("operation") != "update" || r.Query.Get("requestid") == "" || r.Path != "/v3/company/123/customer" {
		t.Errorf("sent %s %v", r.Path, r.Query)
	}
	if want := `{"Id":"59","SyncToken":"0","Active":false,"sparse":true}`; r.Body != want {
		t.Errorf("body = %s, want %s", r.Body, want)
	}
	if out.SyncToken != "1" {
		t.Errorf("SyncToken = %q", out.SyncToken)
	}
}

// TestWriteGuards checks the mistakes caught before anything is sent.
func TestWriteGuards(t *testing.T) {
	f := newFakeServer(t, answer(200, jsonCT, customerResponse))
	c := newTestClient(t, f)
	ctx := context.Background()
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"update without SyncToken", c.Update(ctx, "Customer", Customer{ID: "1", DisplayName: "x"}, "r", nil), "would create a new Customer"},
		{"update without Id", c.Update(ctx, "Customer", map[string]any{"SyncToken": "0", "sparse": true}, "r", nil), "needs Id and SyncToken"},
		{"create with Id", c.Create(ctx, "Customer", Customer{ID: "1"}, "r", nil), "use Update"},
		{"no request ID", c.Create(ctx, "Customer", Customer{DisplayName: "x"}, "", nil), "needs a request ID"},
		{"request ID too long", c.Create(ctx, "Customer", Customer{DisplayName: "x"}, strings.Repeat("a", 51), nil), "longer than 50"},
		{"delete without request ID", c.Delete(ctx, "Invoice", "1", "0", ""), "needs a request ID"},
		{"bad entity name", c.Create(ctx, "customer/../invoice", Customer{}, "r", nil), "not a QBO entity name"},
		{"read without Id", c.Read(ctx, "Customer", "", nil), "no Id to read"},
		{"unencodable body", c.Create(ctx, "Customer", map[string]any{"x": func() {}}, "r", nil), "cannot encode"},
	}
	for _, tt := range tests {
		e := asError(t, tt.err)
		if e.Class != Bug || IsAmbiguous(e) || !strings.Contains(e.Error(), tt.want) {
			t.Errorf("%s: %v (class %v); want a Bug containing %q", tt.name, e, e.Class, tt.want)
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests reached QBO", n)
	}
	// 50 characters is allowed.
	if err := c.Create(ctx, "Customer", Customer{DisplayName: "x"}, strings.Repeat("a", 50), nil); err != nil {
		t.Errorf("50-character request ID: %v", err)
	}
}

func TestReadAndGet(t *testing.T) {
	f := newFakeServer(t, answer(200, jsonCT, customerResponse))
	c := newTestClient(t, f)
	cust, err := Get[Customer](context.Background(), c, "59")
	if err != nil || cust.ID != "59" || cust.DisplayName != "Smith v. Jones (2024-001)" {
		t.Fatalf("Get = %+v, %v", cust, err)
	}
	r := f.requests()[0]
	if r.Method != "GET" || r.Path != "/v3/company/123/customer/59" || r.Query.Has("requestid") || r.Query.Get("minorversion") != "75" {
		t.Errorf("sent %s %s %v", r.Method, r.Path, r.Query)
	}
	if r.Header.Get("Content-Type") != "" {
		t.Errorf("a GET has no body, but Content-Type = %q", r.Header.Get("Content-Type"))
	}
}

func TestCompanyInfo(t *testing.T) {
	f := newFakeServer(t, answer(200, jsonCT, companyInfoResponse))
	c := newTestClient(t, f)
	ci, err := c.CompanyInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ci.ID != "123" || ci.CompanyName != "Smith & Jones LLP" || ci.DefaultTimeZone != "America/Los_Angeles" ||
		len(ci.NameValue) != 1 || ci.NameValue[0].Value != "QuickBooks Online Plus" {
		t.Errorf("CompanyInfo = %+v", ci)
	}
	if p := f.requests()[0].Path; p != "/v3/company/123/companyinfo/123" {
		t.Errorf("path = %s", p)
	}
}

func TestDelete(t *testing.T) {
	f := newFakeServer(t, answer(200, jsonCT, deleteResponse))
	c := newTestClient(t, f)
	if err := c.Delete(context.Background(), "Invoice", "33", "2", RequestID("del", "33")); err != nil {
		t.Fatal(err)
	}
	r := f.requests()[0]
	if r.Path != "/v3/company/123/invoice" || r.Query.Get("operation") != "delete" || r.Query.Get("requestid") == "" {
		t.Errorf("sent %s %v", r.Path, r.Query)
	}
	if want := `{"Id":"33","SyncToken":"2"}`; r.Body != want {
		t.Errorf("body = %s, want %s", r.Body, want)
	}

	f = newFakeServer(t, answer(200, jsonCT, strings.Replace(deleteResponse, "Deleted", "Voided", 1)))
	err := newTestClient(t, f).Delete(context.Background(), "Invoice", "33", "2", "r")
	if ClassOf(err) != Bug || !strings.Contains(fmt.Sprint(err), `"Voided"`) {
		t.Errorf("unexpected status: %v", err)
	}
}

func TestResponseDecodeErrors(t *testing.T) {
	tests := []struct {
		name, ct, body string
		class          Class
		want           string
	}{
		{"three decimals", jsonCT, `{"Customer":{"Id":"1","Balance":1.234}}`, Bug, "more than two decimal places"},
		{"wrong entity", jsonCT, `{"Vendor":{"Id":"1"},"time":"x"}`, Bug, "the answer has no Customer"},
		{"HTML with 200", "text/html", "<html>maintenance</html>", Transient, `text/html: "<html>maintenance</html>"`},
		{"empty 200", "", "", Transient, "empty body"},
	}
	for _, tt := range tests {
		f := newFakeServer(t, answer(200, tt.ct, tt.body))
		c := newTestClient(t, f)
		err := c.Create(context.Background(), "Customer", Customer{DisplayName: "x"}, "r", &Customer{})
		e := asError(t, err)
		// The write went through but its result is unknown: look it up.
		if e.Class != tt.class || !e.Ambiguous || !strings.Contains(e.Error(), tt.want) {
			t.Errorf("%s: %v (class %v, ambiguous %v); want %v containing %q", tt.name, e, e.Class, e.Ambiguous, tt.class, tt.want)
		}
		if e.Err == nil {
			t.Errorf("%s: the cause is not kept", tt.name)
		}
	}
}

func TestQuery(t *testing.T) {
	f := newFakeServer(t, answer(200, jsonCT, queryResponse))
	c := newTestClient(t, f)
	q, err := Select("Customer").Where("DisplayName", "LIKE", "%'s%").Build()
	if err != nil {
		t.Fatal(err)
	}
	var out []Customer
	n, err := c.Query(context.Background(), q, "Customer", &out)
	if err != nil || n != 2 || len(out) != 2 {
		t.Fatalf("Query = %d, %v, %+v", n, err, out)
	}
	if out[0].DisplayName != "Amy's Bird Sanctuary" || *out[0].Balance != 23900 || *out[1].Balance != 8500 || out[1].SyncToken != "3" {
		t.Errorf("rows = %+v", out)
	}
	r := f.requests()[0]
	if r.Method != "POST" || r.Path != "/v3/company/123/query" || r.Header.Get("Content-Type") != "application/text" ||
		r.Body != q || r.Query.Has("query") || r.Query.Has("requestid") {
		t.Errorf("sent %s %s %v %q", r.Method, r.Path, r.Header.Get("Content-Type"), r.Body)
	}
}

func TestQueryEmpty(t *testing.T) {
	f := newFakeServer(t, answer(200, jsonCT, emptyQueryResponse))
	c := newTestClient(t, f)
	out := []Customer{{ID: "stale"}}
	n, err := c.Query(context.Background(), "SELECT * FROM Customer WHERE Id = '999'", "Customer", &out)
	if err != nil || n != 0 || out == nil || len(out) != 0 {
		t.Errorf("Query = %d, %v, %#v; want 0 rows and an empty slice", n, err, out)
	}
	all, err := QueryAll[Customer](context.Background(), c, "SELECT * FROM Customer")
	if err != nil || len(all) != 0 {
		t.Errorf("QueryAll = %v, %v", all, err)
	}
}

func TestQueryNoQueryResponse(t *testing.T) {
	f := newFakeServer(t, answer(200, jsonCT, `{"time":"2016-04-15T09:01:18.141-07:00"}`))
	_, err := newTestClient(t, f).Query(context.Background(), "SELECT * FROM Customer", "Customer", nil)
	if ClassOf(err) != Bug || !strings.Contains(fmt.Sprint(err), "no QueryResponse") {
		t.Errorf("err = %v", err)
	}
}

func TestCount(t *testing.T) {
	tests := []struct {
		body string
		want int
		err  string
	}{
		{countResponse, 5, ""},
		{emptyQueryResponse, 0, ""},
		{queryResponse, 0, "no totalCount"},
	}
	for _, tt := range tests {
		f := newFakeServer(t, answer(200, jsonCT, tt.body))
		q, _ := SelectCount("Customer").Build()
		n, err := newTestClient(t, f).Count(context.Background(), q)
		if n != tt.want || (tt.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("Count(%.40s) = %d, %v; want %d %q", tt.body, n, err, tt.want, tt.err)
		}
	}
}

// pagingQBO serves n customers, honouring STARTPOSITION and MAXRESULTS.
func pagingQBO(t *testing.T, n int) *fakeServer {
	paging := regexp.MustCompile(`STARTPOSITION (\d+) MAXRESULTS (\d+)$`)
	return newFakeServer(t, func(w http.ResponseWriter, r *http.Request, body string) {
		m := paging.FindStringSubmatch(body)
		if m == nil {
			reply(w, 400, jsonCT, faultBody("ValidationFault", "4000", "Invalid query", "no paging", ""))
			return
		}
		start, _ := strconv.Atoi(m[1])
		max, _ := strconv.Atoi(m[2])
		var rows []string
		for i := start; i < start+max && i <= n; i++ {
			rows = append(rows, fmt.Sprintf(`{"Id":"%d","DisplayName":"Customer %d"}`, i, i))
		}
		if len(rows) == 0 {
			reply(w, 200, jsonCT, emptyQueryResponse)
			return
		}
		reply(w, 200, jsonCT, fmt.Sprintf(`{"QueryResponse":{"Customer":[%s],"startPosition":%d,"maxResults":%d},"time":"x"}`,
			strings.Join(rows, ","), start, len(rows)))
	})
}

func TestQueryAllPages(t *testing.T) {
	tests := []struct {
		rows, pageSize int
		wantStarts     []string
	}{
		{5, 2, []string{"1", "3", "5"}},
		{4, 2, []string{"1", "3", "5"}}, // a full last page needs one more, empty, page
		{0, 2, []string{"1"}},
		{2500, 1000, []string{"1", "1001", "2001"}},
	}
	for _, tt := range tests {
		f := pagingQBO(t, tt.rows)
		c := newTestClient(t, f)
		c.pageSize = tt.pageSize
		got, err := QueryAll[Customer](context.Background(), c, "SELECT * FROM Customer ORDERBY Id")
		if err != nil || len(got) != tt.rows {
			t.Fatalf("%d rows: got %d, %v", tt.rows, len(got), err)
		}
		for i, cu := range got {
			if cu.ID != strconv.Itoa(i+1) {
				t.Fatalf("row %d has Id %s", i, cu.ID)
			}
		}
		var starts []string
		for _, r := range f.requests() {
			want := fmt.Sprintf(" MAXRESULTS %d", tt.pageSize)
			if !strings.HasPrefix(r.Body, "SELECT * FROM Customer ORDERBY Id STARTPOSITION ") || !strings.HasSuffix(r.Body, want) {
				t.Errorf("query %q", r.Body)
			}
			starts = append(starts, strings.Fields(r.Body)[7])
		}
		if fmt.Sprint(starts) != fmt.Sprint(tt.wantStarts) {
			t.Errorf("%d rows by %d: STARTPOSITIONs %v, want %v", tt.rows, tt.pageSize, starts, tt.wantStarts)
		}
	}
}

func TestQueryAllRefusesPagedQuery(t *testing.T) {
	f := pagingQBO(t, 3)
	c := newTestClient(t, f)
	var out []Customer
	err := c.QueryAll(context.Background(), "select * from Customer maxresults 10", "Customer", &out)
	if ClassOf(err) != Bug || len(f.requests()) != 0 {
		t.Errorf("err = %v, %d requests", err, len(f.requests()))
	}
	// The words inside a string literal are just data.
	q, _ := Select("Customer").Where("DisplayName", "=", `MAXRESULTS \' STARTPOSITION`).Build()
	err = c.QueryAll(context.Background(), q, "Customer", &out)
	if err != nil && strings.Contains(err.Error(), "pages by itself") {
		t.Errorf("literal mistaken for paging: %v", err)
	}
}

func TestQueryAllStopsOnError(t *testing.T) {
	var calls int
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, body string) {
		calls++
		if calls == 2 {
			reply(w, 503, "", "")
			return
		}
		reply(w, 200, jsonCT, `{"QueryResponse":{"Customer":[{"Id":"1"},{"Id":"2"}]}}`)
	})
	c := newTestClient(t, f)
	c.pageSize = 2
	got, err := QueryAll[Customer](context.Background(), c, "SELECT * FROM Customer")
	if ClassOf(err) != Transient || got != nil || calls != 2 {
		t.Errorf("got %v, %v after %d calls", got, err, calls)
	}
	// A failed read is not an ambiguous write.
	if IsAmbiguous(err) {
		t.Errorf("a query is never ambiguous")
	}
}

// fakeLimiter records how it is used.
type fakeLimiter struct {
	mu        sync.Mutex
	waits     []RequestKind
	done      int
	inFlight  int
	throttled []time.Duration
	err       error
}

func (l *fakeLimiter) Wait(ctx context.Context, kind RequestKind) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return l.err
	}
	l.waits = append(l.waits, kind)
	l.inFlight++
	return nil
}

func (l *fakeLimiter) Done() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.done++
	l.inFlight--
}

func (l *fakeLimiter) Throttled(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.throttled = append(l.throttled, d)
}

func TestLimiter(t *testing.T) {
	var status int
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, body string) {
		if status == 429 {
			w.Header().Set("Retry-After", "60")
			reply(w, 429, jsonCT, throttleFaultJSON)
			return
		}
		reply(w, 200, jsonCT, customerResponse)
	})
	lim := &fakeLimiter{}
	c := newTestClient(t, f, func(o *Options) { o.Limiter = lim })
	ctx := context.Background()
	if err := c.Read(ctx, "Customer", "59", nil); err != nil {
		t.Fatal(err)
	}
	status = 429
	err := c.Read(ctx, "Customer", "59", nil)
	e := asError(t, err)
	if e.Class != Transient || e.RetryAfter != time.Minute || IsAmbiguous(err) {
		t.Errorf("429: %v class %v retry after %v", e, e.Class, e.RetryAfter)
	}
	if len(lim.waits) != 2 || lim.done != 2 || lim.inFlight != 0 || len(lim.throttled) != 1 || lim.throttled[0] != time.Minute {
		t.Errorf("limiter: %+v", lim)
	}

	// A limiter that refuses stops the request before it is sent.
	lim = &fakeLimiter{err: context.DeadlineExceeded}
	c = newTestClient(t, f, func(o *Options) { o.Limiter = lim })
	before := len(f.requests())
	err = c.Create(ctx, "Customer", Customer{DisplayName: "x"}, "r", nil)
	if ClassOf(err) != Transient || IsAmbiguous(err) || len(f.requests()) != before || lim.done != 0 {
		t.Errorf("refused: %v ambiguous %v, sent %d", err, IsAmbiguous(err), len(f.requests())-before)
	}
}

// TestLogs checks what a request logs: method, path, status, duration and
// intuit_tid, and none of the firm's data from bodies or queries.
func TestLogs(t *testing.T) {
	const secretName = "Confidential Client O'Hara"
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, body string) {
		if r.URL.Path == "/v3/company/123/query" {
			reply(w, 200, jsonCT, emptyQueryResponse)
			return
		}
		reply(w, 400, jsonCT, duplicateNameFault)
	})
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newTestClient(t, f, func(o *Options) { o.Logger = log })
	ctx := context.Background()
	c.Create(ctx, "Customer", Customer{DisplayName: secretName}, RequestID("c", "1"), nil)
	q, _ := Select("Customer").Where("DisplayName", "=", secretName).Build()
	c.Query(ctx, q, "Customer", nil)

	var records []map[string]any
	for line := range strings.Lines(buf.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		records = append(records, m)
	}
	if len(records) != 2 {
		t.Fatalf("%d log records, want 2:\n%s", len(records), buf.String())
	}
	create, query := records[0], records[1]
	if create["level"] != "WARN" || create["method"] != "POST" || create["path"] != "/v3/company/123/customer" ||
		create["status"] != 400.0 || create["intuit_tid"] != "1-tid-test" || create["class"] != "validation" ||
		create["code"] != "6240" || create["requestid"] != RequestID("c", "1") || create["duration"] == nil {
		t.Errorf("create record: %v", create)
	}
	if query["level"] != "DEBUG" || query["path"] != "/v3/company/123/query" || query["status"] != 200.0 {
		t.Errorf("query record: %v", query)
	}
	for _, leak := range []string{"Hara", "minorversion", "SELECT"} {
		if strings.Contains(buf.String(), leak) {
			t.Errorf("log contains %q:\n%s", leak, buf.String())
		}
	}
}

func TestErrorUnwrap(t *testing.T) {
	e := &Error{Op: "read Customer", Class: Transient, Err: context.DeadlineExceeded}
	if !errors.Is(e, context.DeadlineExceeded) {
		t.Error("errors.Is does not reach the cause")
	}
	if got := e.Error(); got != "qbo: read Customer: context deadline exceeded" {
		t.Errorf("Error() = %q", got)
	}
}
