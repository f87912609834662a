package qbo

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Base URLs of the QBO Accounting API.
const (
	ProductionBaseURL = "https://quickbooks.api.intuit.com"
	SandboxBaseURL    = "https://sandbox-quickbooks.api.intuit.com"
)

// DefaultMinorVersion is the minor version sent when Options leaves it
// empty. Since August 2025 QBO answers every older minor version as 75.
const DefaultMinorVersion = "75"

// MaxQueryResults is QBO's largest MAXRESULTS: the most rows one query answers.
const MaxQueryResults = maxPageSize

const (
	// maxPageSize is QBO's largest MAXRESULTS.
	maxPageSize = 1000
	// maxResponseSize guards memory against a runaway response; a full
	// page of 1000 entities is a few megabytes.
	maxResponseSize = 64 << 20
)

// RequestKind tells a Limiter what a request counts against: QBO limits
// batch requests separately from, and in addition to, all requests.
type RequestKind int

const (
	SingleRequest RequestKind = iota // any request but a batch
	BatchRequest                     // POST /batch
)

// A Limiter paces the requests to one QBO company (500 a minute, 10 a
// second, 10 at once, 40 batch requests a minute). The Client calls Wait
// before every request and, if Wait succeeded, Done once the response has
// been read.
type Limiter interface {
	Wait(ctx context.Context, kind RequestKind) error
	Done()
}

// A BatchGauge is a Limiter that can tell how much of the company's batch
// budget is in use (Client.BatchesFree).
type BatchGauge interface {
	// BatchesBusy is how many batch requests went in the last minute or wait,
	// and how many a minute the limiter allows.
	BatchesBusy() (busy, limit int)
}

// A ThrottleObserver is a Limiter that wants to hear about 429 answers, so
// it can hold back every request to the company, not just the one that was
// refused. retryAfter is 0 when QBO did not say.
type ThrottleObserver interface {
	Throttled(retryAfter time.Duration)
}

// A ThrottlePauser is a ThrottleObserver whose Wait, after Throttled,
// holds every request to the company until the pause is over (as the
// Limiters of NewLimiters do). With one, the Client itself sends a request
// QBO refused with 429 again once the pause is over, up to
// Options.ThrottleRetries times, with the same request ID. A 429 means QBO
// did not perform the request, so this neither loses nor repeats work.
type ThrottlePauser interface {
	ThrottleObserver
	PausesAfterThrottle()
}

// An AbandonObserver is a Limiter that wants to know when a request was
// given up without an answer after it may have been sent (a timeout, a
// broken connection): QBO may still be executing it, for up to the 120
// seconds after which QBO times requests out, and meanwhile it still
// counts against the company's concurrent requests. The Client calls
// Abandoned instead of Done for such a request.
type AbandonObserver interface {
	Abandoned()
}

// Options configure a Client.
type Options struct {
	// BaseURL is the API host, e.g. ProductionBaseURL or a local sandbox
	// such as "http://127.0.0.1:8089". Required.
	BaseURL string
	// RealmID is the QBO company ID. Required.
	RealmID string
	// HTTPClient sends the requests and must add the authorisation, e.g.
	// one from NewHTTPClient. Required.
	HTTPClient *http.Client
	// MinorVersion defaults to DefaultMinorVersion.
	MinorVersion string
	// UserAgent defaults to "qbosync".
	UserAgent string
	// Logger receives one record per request: method, path, status,
	// duration and intuit_tid; never bodies or tokens. Nil discards.
	Logger *slog.Logger
	// Limiter paces requests; nil means no pacing. A worker process
	// shares one per company between all its clients: see NewLimiters.
	Limiter Limiter
	// ThrottleRetries is how many times a request refused with 429 is sent
	// again after the company's pause, when Limiter is a ThrottlePauser.
	// Zero means DefaultThrottleRetries; negative means never.
	ThrottleRetries int
	// MaxBatchItems is the most operations Batch accepts in one request.
	// Zero means DefaultMaxBatchItems, the limit of QBO's API reference.
	MaxBatchItems int
}

// Defaults of Options.
const (
	DefaultThrottleRetries = 3
	DefaultMaxBatchItems   = 30
)

// A Client talks to the QBO Accounting API for one company. It is safe for
// concurrent use.
//
// A Client never retries on its own, with two exceptions that cannot
// duplicate anything: once after a 401 (see Transport), and after a 429
// once the company's pause is over (see ThrottlePauser). Whether and when
// to retry a write is otherwise the caller's decision, made with the same
// request ID, as the package documentation describes.
type Client struct {
	prefix   string // e.g. "https://quickbooks.api.intuit.com/v3/company/123/"
	realm    string
	hc       *http.Client
	minor    string
	ua       string
	log      *slog.Logger
	limiter  Limiter
	retries  int // after a 429, when the limiter pauses
	maxBatch int
	pageSize int // QueryAll's MAXRESULTS; tests lower it
}

// New returns a Client for the company opts.RealmID.
func New(opts Options) (*Client, error) {
	u, err := url.Parse(opts.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("qbo: BaseURL %q is not an http(s) URL", opts.BaseURL)
	}
	if opts.RealmID == "" {
		return nil, errors.New("qbo: RealmID is required")
	}
	if opts.HTTPClient == nil {
		return nil, errors.New("qbo: HTTPClient is required; it carries the authorisation (see NewHTTPClient)")
	}
	c := &Client{
		prefix:   strings.TrimRight(u.String(), "/") + "/v3/company/" + url.PathEscape(opts.RealmID) + "/",
		realm:    opts.RealmID,
		hc:       opts.HTTPClient,
		minor:    cmp.Or(opts.MinorVersion, DefaultMinorVersion),
		ua:       cmp.Or(opts.UserAgent, "qbosync"),
		log:      opts.Logger,
		limiter:  opts.Limiter,
		retries:  cmp.Or(opts.ThrottleRetries, DefaultThrottleRetries),
		maxBatch: cmp.Or(opts.MaxBatchItems, DefaultMaxBatchItems),
		pageSize: maxPageSize,
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// RealmID returns the company the Client talks to.
func (c *Client) RealmID() string { return c.realm }

// Create creates an entity (e.g. "Customer") from in, which is marshalled
// as JSON, and decodes the created entity into out unless out is nil.
// requestID makes the write idempotent; see RequestID.
func (c *Client) Create(ctx context.Context, entity string, in any, requestID string, out any) error {
	return c.write(ctx, "create", entity, nil, in, requestID, out)
}

// Update updates an entity. in must carry Id and SyncToken; if it also
// carries "sparse": true only the fields present change, otherwise QBO
// clears every writable field that is absent. The updated entity, with its
// new SyncToken, is decoded into out unless out is nil.
func (c *Client) Update(ctx context.Context, entity string, in any, requestID string, out any) error {
	return c.write(ctx, "update", entity, url.Values{"operation": {"update"}}, in, requestID, out)
}

// Delete deletes a transaction. Name-list entities (Customer, Vendor,
// Account, Item...) cannot be deleted; make them inactive with a sparse
// Update of Active instead.
func (c *Client) Delete(ctx context.Context, entity, id, syncToken, requestID string) error {
	in := struct{ Id, SyncToken string }{id, syncToken}
	var out json.RawMessage
	if err := c.write(ctx, "delete", entity, url.Values{"operation": {"delete"}}, in, requestID, &out); err != nil {
		return err
	}
	return checkDeleted("delete "+entity, out)
}

// checkDeleted checks the entity of a delete's answer, e.g.
// {"status":"Deleted","domain":"QBO","Id":"33"}.
func checkDeleted(op string, entity json.RawMessage) error {
	var out struct {
		Status string `json:"status"`
	}
	_ = json.Unmarshal(entity, &out)
	if out.Status != "" && !strings.EqualFold(out.Status, "Deleted") {
		return &Error{Op: op, HTTPStatus: http.StatusOK, Class: Bug,
			Message: fmt.Sprintf("QBO answered the delete with status %q", out.Status)}
	}
	return nil
}

// Void voids a transaction: it stays in QBO, with its amounts zeroed and
// "Voided" prepended to its PrivateNote, and the voided entity is decoded
// into out unless out is nil. QBO voids an Invoice with
// ?operation=void, and a Payment, SalesReceipt or BillPayment with
// ?operation=update&include=void and a sparse body; it cannot void other
// entities (a CreditMemo can only be deleted), which is a Bug here. A
// deposited payment cannot be voided (6540) until its deposit is deleted.
func (c *Client) Void(ctx context.Context, entity, id, syncToken, requestID string, out any) error {
	switch entity {
	case "Invoice":
		in := struct{ Id, SyncToken string }{id, syncToken}
		return c.write(ctx, "void", entity, url.Values{"operation": {"void"}}, in, requestID, out)
	case "Payment", "SalesReceipt", "BillPayment":
		in := struct {
			Id, SyncToken string
			Sparse        bool `json:"sparse"`
		}{id, syncToken, true}
		return c.write(ctx, "void", entity, url.Values{"operation": {"update"}, "include": {"void"}}, in, requestID, out)
	}
	return &Error{Op: "void " + entity, Class: Bug,
		Message: fmt.Sprintf("QBO cannot void a %s (only Invoice, Payment, SalesReceipt and BillPayment); delete it instead", entity)}
}

// write performs a create, update, delete or void: POST {resource} with
// params, such as ?operation=update.
func (c *Client) write(ctx context.Context, verb, entity string, params url.Values, in any, requestID string, out any) error {
	r, err := newRequest(verb, entity, http.MethodPost, "")
	if err != nil {
		return err
	}
	r.requestID = requestID
	r.params = params
	if r.body, err = encodeWrite(verb, entity, in); err != nil {
		err.(*Error).Op = r.op
		return err
	}
	res, err := c.do(ctx, r)
	if err != nil {
		return err
	}
	return res.decodeEntity(entity, out)
}

// encodeWrite marshals the body of a write and guards against the mix-up
// QBO would not catch: an update without Id and SyncToken is a create,
// i.e. a duplicate. Its errors are *Errors of class Bug, without Op.
func encodeWrite(verb, entity string, in any) ([]byte, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, &Error{Class: Bug, Message: fmt.Sprintf("cannot encode the request body: %v", err)}
	}
	var probe struct{ Id, SyncToken string }
	_ = json.Unmarshal(body, &probe)
	switch {
	case verb == "create" && probe.Id != "":
		return nil, &Error{Class: Bug, Message: fmt.Sprintf("the body has an Id; use Update to change an existing %s", entity)}
	case verb != "create" && (probe.Id == "" || probe.SyncToken == ""):
		return nil, &Error{Class: Bug, Message: fmt.Sprintf("%s needs Id and SyncToken; without them QBO would create a new %s", verb, entity)}
	}
	return body, nil
}

// BatchesFree says whether the company's batch budget is mostly unused: fewer
// than half the batch requests a minute allows went in the last minute or
// wait. A few writes then go faster as one batch than one by one (requests
// are spaced 125 ms apart), and the batch is not taken from a page that
// could fill it. Without a BatchGauge limiter (no pacing) it is always true.
func (c *Client) BatchesFree() bool {
	g, ok := c.limiter.(BatchGauge)
	if !ok {
		return true
	}
	busy, limit := g.BatchesBusy()
	return busy < limit/2
}

// Read reads the entity with the given Id into out.
func (c *Client) Read(ctx context.Context, entity, id string, out any) error {
	r, err := newRequest("read", entity, http.MethodGet, "/"+url.PathEscape(id))
	if err != nil {
		return err
	}
	if id == "" {
		return r.bug("no Id to read")
	}
	res, err := c.do(ctx, r)
	if err != nil {
		return err
	}
	return res.decodeEntity(entity, out)
}

// CompanyInfo reads the connected company's details.
func (c *Client) CompanyInfo(ctx context.Context) (*CompanyInfo, error) {
	var ci CompanyInfo
	if err := c.Read(ctx, ci.EntityName(), c.realm, &ci); err != nil {
		return nil, err
	}
	return &ci, nil
}

// Query runs one query, such as one built with Select, and decodes the
// entity rows into out, a pointer to a slice. It returns the number of
// rows. QBO returns at most 100 rows unless the query says MAXRESULTS
// (up to 1000); QueryAll fetches every page.
func (c *Client) Query(ctx context.Context, q, entity string, out any) (int, error) {
	page, err := c.query(ctx, q, entity)
	if err != nil {
		return 0, err
	}
	return len(page.rows), page.decodeRows(page.rows, out)
}

// QueryAll runs q page by page (STARTPOSITION/MAXRESULTS, 1000 rows a
// page) until a short page, and decodes all rows into out, a pointer to a
// slice. q must not page itself. For stable paging over data that may
// change meanwhile, order by Id.
func (c *Client) QueryAll(ctx context.Context, q, entity string, out any) error {
	if hasPaging(q) {
		return &Error{Op: "query " + entity, Class: Bug, Message: "QueryAll pages by itself; remove STARTPOSITION and MAXRESULTS from the query"}
	}
	var rows []json.RawMessage
	var last *queryPage
	for start := 1; ; start += c.pageSize {
		page, err := c.query(ctx, fmt.Sprintf("%s STARTPOSITION %d MAXRESULTS %d", q, start, c.pageSize), entity)
		if err != nil {
			return err
		}
		rows = append(rows, page.rows...)
		last = page
		if len(page.rows) < c.pageSize {
			break
		}
	}
	return last.decodeRows(rows, out)
}

// Count runs a COUNT query, such as one built with SelectCount, and
// returns QBO's totalCount.
func (c *Client) Count(ctx context.Context, q string) (int, error) {
	page, err := c.query(ctx, q, "")
	if err != nil {
		return 0, err
	}
	if page.total == nil {
		if len(page.rows) > 0 || len(page.other) > 0 {
			return 0, &Error{Op: "count", Class: Bug, Message: "the answer has no totalCount; is this a SELECT COUNT(*) query?"}
		}
		return 0, nil // {"QueryResponse":{}}
	}
	return *page.total, nil
}

// Get reads the entity of type T with the given Id.
func Get[T Entity](ctx context.Context, c *Client, id string) (T, error) {
	var v T
	err := c.Read(ctx, v.EntityName(), id, &v)
	return v, err
}

// QueryAll runs q, a query of T's entity, and returns every row; see
// Client.QueryAll.
func QueryAll[T Entity](ctx context.Context, c *Client, q string) ([]T, error) {
	var zero T
	var out []T
	if err := c.QueryAll(ctx, q, zero.EntityName(), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// A queryPage is one decoded QueryResponse.
type queryPage struct {
	*response
	rows  []json.RawMessage // the entity's rows, if any
	total *int              // totalCount, for COUNT queries
	other []string          // other entity keys, which Count rejects
}

// query POSTs a query (application/text, so the firm's data in WHERE
// clauses stays out of URLs and logs) and decodes the QueryResponse,
// including the empty {"QueryResponse":{}}.
func (c *Client) query(ctx context.Context, q, entity string) (*queryPage, error) {
	r := &request{op: strings.TrimSpace("query " + entity), method: http.MethodPost, resource: "query",
		body: []byte(q), contentType: "application/text"}
	res, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	var env struct{ QueryResponse map[string]json.RawMessage }
	if err := json.Unmarshal(res.body, &env); err != nil {
		return nil, res.decodeError(err)
	}
	if env.QueryResponse == nil {
		return nil, res.decodeError(errors.New("the answer has no QueryResponse"))
	}
	page := &queryPage{response: res}
	for k, v := range env.QueryResponse {
		var err error
		switch {
		case entity != "" && strings.EqualFold(k, entity):
			err = json.Unmarshal(v, &page.rows)
		case strings.EqualFold(k, "totalCount"):
			err = json.Unmarshal(v, &page.total)
		case strings.EqualFold(k, "startPosition"), strings.EqualFold(k, "maxResults"):
		default:
			page.other = append(page.other, k)
		}
		if err != nil {
			return nil, res.decodeError(fmt.Errorf("QueryResponse.%s: %v", k, err))
		}
	}
	return page, nil
}

// decodeRows decodes rows, the raw JSON of one or more pages, into out.
func (res *queryPage) decodeRows(rows []json.RawMessage, out any) error {
	if out == nil {
		return nil
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i, row := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(row)
	}
	b.WriteByte(']')
	if err := json.Unmarshal(b.Bytes(), out); err != nil {
		return res.decodeError(err)
	}
	return nil
}

// hasPaging reports whether a query already says STARTPOSITION or
// MAXRESULTS outside its string literals.
func hasPaging(q string) bool {
	var b strings.Builder
	inString := false
	for i := 0; i < len(q); i++ {
		switch ch := q[i]; {
		case inString && ch == '\\':
			i++
		case ch == '\'':
			inString = !inString
		case !inString:
			b.WriteByte(ch)
		}
	}
	s := strings.ToUpper(b.String())
	return strings.Contains(s, "STARTPOSITION") || strings.Contains(s, "MAXRESULTS")
}

// A request is everything do needs to send one API call, a batch
// included.
type request struct {
	op          string // for errors and logs, e.g. "create Customer"
	method      string
	resource    string     // path below /v3/company/{realm}/, e.g. "customer/58"
	params      url.Values // operation, include, ...; do adds minorversion and requestid
	requestID   string     // required for writes
	body        []byte
	contentType string
	kind        RequestKind
	read        bool // a POST that only reads, such as a batch of queries
}

// write reports whether the request changes data; only writes need a
// request ID and only writes can have ambiguous outcomes.
func (r *request) write() bool {
	return r.method == http.MethodPost && r.resource != "query" && !r.read
}

func (r *request) bug(format string, args ...any) *Error {
	return &Error{Op: r.op, Class: Bug, Message: fmt.Sprintf(format, args...)}
}

// newRequest prepares a request on entity's resource, e.g. "customer".
func newRequest(verb, entity, method, suffix string) (*request, error) {
	r := &request{op: verb + " " + entity, method: method}
	if !isName(entity) {
		return nil, r.bug("%q is not a QBO entity name", entity)
	}
	r.resource = resourceName(entity) + suffix
	return r, nil
}

// resourceName returns the path segment for an entity: its lower-cased
// name, with the exceptions Intuit's own SDK makes.
func resourceName(entity string) string {
	switch entity {
	case "CreditCardPaymentTxn":
		return "creditcardpayment"
	case "TaxService":
		return "taxservice/taxcode"
	}
	return strings.ToLower(entity)
}

// A response is a successful (2xx, fault-free) answer.
type response struct {
	req    *request
	status int
	header http.Header
	body   []byte
}

// do sends r, the one path every request takes: request ID checks,
// pacing, headers, logging, and turning every failure into an *Error.
// A request refused with 429 is sent again after the company's pause
// when the limiter pauses (ThrottlePauser).
func (c *Client) do(ctx context.Context, r *request) (*response, error) {
	maxLen := MaxRequestIDLen
	if r.kind == BatchRequest {
		maxLen = MaxBatchRequestIDLen
	}
	switch {
	case r.write() && r.requestID == "":
		return nil, r.bug("a write needs a request ID (see RequestID)")
	case len(r.requestID) > maxLen:
		return nil, r.bug("request ID %q is longer than %d characters", r.requestID, maxLen)
	}
	_, pauses := c.limiter.(ThrottlePauser)
	for attempt := 0; ; attempt++ {
		res, e := c.send(ctx, r)
		if e == nil {
			return res, nil
		}
		if !pauses || e.HTTPStatus != http.StatusTooManyRequests || attempt >= c.retries || ctx.Err() != nil {
			return nil, e
		}
		// QBO did not perform the request; Wait holds it until the
		// company's pause is over.
	}
}

// send sends r once.
func (c *Client) send(ctx context.Context, r *request) (*response, *Error) {
	params := url.Values{}
	for k, v := range r.params {
		params[k] = v
	}
	params.Set("minorversion", c.minor)
	if r.requestID != "" {
		params.Set("requestid", r.requestID)
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, c.prefix+r.resource+"?"+params.Encode(), body)
	if err != nil {
		return nil, r.bug("cannot build the request: %v", err)
	}
	req.Header.Set("Accept", "application/json")
	if r.body != nil {
		req.Header.Set("Content-Type", cmp.Or(r.contentType, "application/json"))
	}
	req.Header.Set("User-Agent", c.ua)

	abandoned := false // sent, perhaps, but no answer: QBO may still be at it
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx, r.kind); err != nil {
			return nil, &Error{Op: r.op, Class: Transient, Message: "waiting for the rate limiter: " + err.Error(), Err: err}
		}
		defer func() {
			if ab, ok := c.limiter.(AbandonObserver); ok && abandoned {
				ab.Abandoned()
			} else {
				c.limiter.Done()
			}
		}()
	}
	if err := ctx.Err(); err != nil {
		// Nothing has been sent: not ambiguous.
		return nil, &Error{Op: r.op, Class: Transient, Err: err}
	}

	start := time.Now()
	res, err := c.hc.Do(req)
	if err != nil {
		abandoned = mayHaveBeenSent(err)
		e := transportError(r, err)
		c.logRequest(ctx, r, req, 0, start, "", e)
		return nil, e
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, maxResponseSize+1))
	res.Body.Close()
	tid := res.Header.Get("intuit_tid")
	if err != nil {
		e := transportError(r, err)
		e.HTTPStatus, e.IntuitTID = res.StatusCode, tid
		c.logRequest(ctx, r, req, res.StatusCode, start, tid, e)
		return nil, e
	}

	var e *Error
	switch {
	case len(data) > maxResponseSize:
		e = &Error{Op: r.op, HTTPStatus: res.StatusCode, IntuitTID: tid, Class: Bug, Ambiguous: r.write(),
			Message: fmt.Sprintf("the response is larger than %d bytes", maxResponseSize)}
	case res.StatusCode < 200 || res.StatusCode > 299:
		e = httpError(r.op, res, data)
		// A 5xx may come after the write was done; a 4xx is a refusal.
		e.Ambiguous = r.write() && res.StatusCode >= 500
	case bytes.Contains(data, []byte(`ault"`)) && parseFault(data) != nil:
		// "Fault" inside HTTP 200, at the top or in a QueryResponse.
		e = httpError(r.op, res, data)
	}
	if res.StatusCode == http.StatusTooManyRequests {
		if t, ok := c.limiter.(ThrottleObserver); ok {
			t.Throttled(e.RetryAfter)
		}
	}
	c.logRequest(ctx, r, req, res.StatusCode, start, tid, e)
	if e != nil {
		return nil, e
	}
	return &response{req: r, status: res.StatusCode, header: res.Header, body: data}, nil
}

// transportError turns an error from the HTTP client into an *Error.
func transportError(r *request, err error) *Error {
	// A failed token refresh surfaces here, wrapped by the http.Client;
	// nothing was sent to QBO.
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	if _, ok := errors.AsType[*oauth2.RetrieveError](err); ok {
		return tokenError(err)
	}
	return &Error{Op: r.op, Class: ClassOf(err), Ambiguous: r.write() && mayHaveBeenSent(err), Err: err}
}

// logRequest writes the one log record of a request. It names the path
// only: query strings and bodies can hold the firm's data, and the
// Authorization header is never touched here.
func (c *Client) logRequest(ctx context.Context, r *request, req *http.Request, status int, start time.Time, tid string, e *Error) {
	level := slog.LevelDebug
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("path", req.URL.Path),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(start)),
	}
	if tid != "" {
		attrs = append(attrs, slog.String("intuit_tid", tid))
	}
	if r.requestID != "" {
		attrs = append(attrs, slog.String("requestid", r.requestID))
	}
	if e != nil {
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("class", e.Class.String()), slog.String("code", e.Code),
			slog.Bool("ambiguous", e.Ambiguous))
	}
	c.log.LogAttrs(ctx, level, "qbo "+r.op, attrs...)
}

// decodeEntity decodes the {"<Entity>": {...}, "time": ...} envelope of a
// create, read, update or delete into out.
func (res *response) decodeEntity(entity string, out any) error {
	if out == nil {
		return nil
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(res.body, &env); err != nil {
		return res.decodeError(err)
	}
	raw, ok := lookupKey(env, entity)
	if !ok {
		return res.decodeError(fmt.Errorf("the answer has no %s", entity))
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return res.decodeError(err)
	}
	return nil
}

// lookupKey returns env[key], matching the key case-insensitively as
// encoding/json does.
func lookupKey(env map[string]json.RawMessage, key string) (json.RawMessage, bool) {
	if v, ok := env[key]; ok {
		return v, true
	}
	for k, v := range env {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// decodeError reports a 2xx answer that could not be understood. For a
// write that is ambiguous: QBO did something, but we do not know what.
func (res *response) decodeError(err error) *Error {
	class := Bug // our types do not match QBO's answer
	if trimmed := bytes.TrimSpace(res.body); len(trimmed) == 0 || trimmed[0] != '{' {
		class = Transient // not JSON at all: a proxy or a truncated answer
	}
	return &Error{Op: res.req.op, HTTPStatus: res.status, IntuitTID: res.header.Get("intuit_tid"),
		Class: class, Ambiguous: res.req.write(), Err: err,
		Message: "cannot decode the answer: " + err.Error(),
		Detail:  "received " + describeBody(res.header, res.body)}
}
