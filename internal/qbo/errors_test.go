package qbo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

const (
	jsonCT = "application/json;charset=UTF-8"
	xmlCT  = "application/xml"
)

// TestErrorShapes sends a create through a fake QBO answering with each
// error shape QBO is known to produce, and checks the decoded *Error.
func TestErrorShapes(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		ct, body  string
		class     Class
		code      string
		faultType string
		detail    string // if set, Detail must equal it
		ambiguous bool
		explain   string // a phrase the explanation must contain
		check     func(t *testing.T, e *Error)
	}{
		{name: "6240 duplicate name", status: 400, ct: jsonCT, body: duplicateNameFault,
			class: Validation, code: "6240", faultType: "ValidationFault", explain: "Rename one of them",
			check: func(t *testing.T, e *Error) {
				if id, ok := e.DuplicateNameID(); !ok || id != "58" {
					t.Errorf("DuplicateNameID() = %q, %v; want 58", id, ok)
				}
				if !strings.Contains(e.Explanation(), "Id 58") {
					t.Errorf("explanation should name the existing record: %s", e.Explanation())
				}
			}},
		{name: "6240 duplicate name, XML", status: 400, ct: xmlCT, body: duplicateNameFaultXML,
			class: Validation, code: "6240", faultType: "ValidationFault", explain: "link this record",
			check: func(t *testing.T, e *Error) {
				if id, ok := e.DuplicateNameID(); ok {
					t.Errorf("old-style detail has no Id, got %q", id)
				}
				if !strings.Contains(e.Detail, "already using this name") {
					t.Errorf("Detail = %q", e.Detail)
				}
			}},
		{name: "two errors", status: 400, ct: jsonCT, body: twoErrorsFault,
			class: Validation, code: "2050", faultType: "ValidationFault", explain: "the field firstname is longer than QuickBooks allows (Length of the field exceeds 21 chars)",
			check: func(t *testing.T, e *Error) {
				if len(e.Errors) != 2 || e.Errors[1].Code != "2080" || e.Errors[1].Element != "postalcode" {
					t.Errorf("Errors = %+v", e.Errors)
				}
				if !strings.Contains(e.Error(), "(and 1 more)") {
					t.Errorf("Error() hides the second error: %s", e)
				}
			}},
		{name: "401 lower-case JSON", status: 401, ct: jsonCT, body: authFaultLower,
			class: Auth, code: "3200", faultType: "AUTHENTICATION", explain: "reconnect QuickBooks",
			detail: "Token expired: AB11570127472xJf0vHEVE"},
		{name: "401 XML without code attribute", status: 401, ct: xmlCT, body: authFaultXML,
			class: Auth, code: "3200", faultType: "AUTHENTICATION", explain: "reconnect QuickBooks"},
		{name: "401 empty body", status: 401, ct: "", body: "",
			class: Auth, explain: "reconnect QuickBooks"},
		{name: "100 general authentication", status: 401, ct: jsonCT,
			body:  faultBody("AuthenticationFault", "100", "General Authentication Error", "AuthenticationErrorGeneral: SRV-110-Authentication Failure , statusCode: 401", ""),
			class: Auth, code: "100", explain: "reconnect"},
		{name: "120 authorization failure", status: 403, ct: jsonCT,
			body:  faultBody("AuthorizationFault", "120", "Authorization Failure", "AuthorizationFailure: -11014-You do not have access to use QuickBooks Online Plus.", ""),
			class: Auth, code: "120", explain: "subscription"},
		{name: "429 throttle JSON", status: 429, ct: jsonCT, body: throttleFaultJSON,
			class: Transient, code: "3001", faultType: "SERVICE", explain: "waits and resumes"},
		{name: "429 throttle XML", status: 429, ct: xmlCT, body: throttleFaultXML,
			class: Transient, code: "3001", faultType: "SERVICE", explain: "waits and resumes",
			detail: "The request limit was reached.  Try again later"},
		{name: "403 legacy throttle XML", status: 403, ct: xmlCT, body: throttleFaultXML403,
			class: Transient, code: "3001", faultType: "SERVICE", explain: "slow down"},
		{name: "429 without body", status: 429, ct: "", body: "",
			class: Transient, explain: "slow down"},
		{name: "502 HTML from a proxy", status: 502, ct: "text/html", body: badGatewayHTML,
			class: Transient, ambiguous: true, explain: "tries again by itself",
			check: func(t *testing.T, e *Error) {
				if !strings.Contains(e.Detail, "text/html") || !strings.Contains(e.Detail, "502 Bad Gateway") {
					t.Errorf("Detail should say what was received: %q", e.Detail)
				}
			}},
		{name: "503 empty", status: 503, ct: "", body: "",
			class: Transient, ambiguous: true, explain: "tries again",
			check: func(t *testing.T, e *Error) {
				if !strings.Contains(e.Detail, "empty body") {
					t.Errorf("Detail = %q", e.Detail)
				}
			}},
		{name: "504 plain text", status: 504, ct: "text/plain", body: "upstream request timeout",
			class: Transient, ambiguous: true, explain: "tries again"},
		{name: "500 system fault", status: 500, ct: jsonCT,
			body:  faultBody("SystemFault", "10000", "An application error has occurred while processing your request", "System Failure Error: An unexpected error occurred", ""),
			class: Transient, code: "10000", ambiguous: true, explain: "tries again"},
		{name: "400 system fault", status: 400, ct: jsonCT,
			body:  faultBody("SystemFault", "10000", "An application error has occurred while processing your request", "System Failure Error: Something happened", ""),
			class: Transient, code: "10000", ambiguous: false, explain: "tries again"},
		{name: "5010 stale", status: 400, ct: jsonCT,
			body:  faultBody("ValidationFault", "5010", "Stale Object Error", "Stale Object Error : You and root were working on this at the same time. root finished before you did, so your work was not saved.", ""),
			class: Stale, code: "5010", explain: "re-reads the record and tries again"},
		{name: "610 not found", status: 400, ct: jsonCT,
			body:  faultBody("ValidationFault", "610", "Object Not Found", "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.", ""),
			class: NotFound, code: "610", explain: "deleted or made inactive in QuickBooks"},
		{name: "2500 invalid reference", status: 400, ct: jsonCT,
			body:  faultBody("ValidationFault", "2500", "Invalid Reference Id", "Invalid Reference Id : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.", "CustomerRef"),
			class: Validation, code: "2500", explain: "inactive or deleted"},
		{name: "2020 required", status: 400, ct: jsonCT,
			body:  faultBody("ValidationFault", "2020", "Required Param Missing", "Required parameter Line is missing in the request", "Line"),
			class: Validation, code: "2020", explain: "needs a value for the field Line"},
		{name: "2050 too long, no element", status: 400, ct: jsonCT,
			body:  faultBody("ValidationFault", "2050", "Length exceeds limit", "String length specified does not match the supported length. Min:0 Max:1,000 supported.", ""),
			class: Validation, code: "2050", explain: "The value for a field is longer"},
		{name: "6000 business rule", status: 400, ct: jsonCT,
			body:  faultBody("ValidationFault", "6000", "A business validation error has occurred while processing your request", "Business Validation Error: You must set a transaction amount.", ""),
			class: Validation, code: "6000", explain: "business rules: You must set a transaction amount."},
		{name: "6140 duplicate doc number", status: 400, ct: jsonCT,
			body:  faultBody("ValidationFault", "6140", "Duplicate Doc Num", "Duplicate Document Number Error: You must specify a different number. This number has already been used.", "DocNumber"),
			class: Validation, code: "6140", explain: "document number"},
		{name: "6190 company status", status: 400, ct: jsonCT,
			body:  faultBody("ValidationFault", "6190", "Invalid Company Status", "Subscription period has ended or canceled or there was a billing problem", ""),
			class: Validation, code: "6190", explain: "subscription is not active"},
		{name: "6210 closed period", status: 400, ct: jsonCT,
			body:  faultBody("ValidationFault", "6210", "Account Period Closed", "Account Period Closed, cannot update through Services API", ""),
			class: Validation, code: "6210", explain: "closed accounting period"},
		{name: "6540 deposited", status: 400, ct: jsonCT,
			body:  faultBody("ValidationFault", "6540", "Deposited Transaction cannot be changed", "This transaction has been deposited.", ""),
			class: Validation, code: "6540", explain: "Remove it from the deposit in QuickBooks first"},
		{name: "2170 other validation", status: 400, ct: jsonCT,
			body:  faultBody("ValidationFault", "2170", "Invalid Enumeration", "Invalid Enumeration: HAS_BEEN_BILLED", "BillableStatus"),
			class: Validation, code: "2170", explain: "rejected this record (field BillableStatus): Invalid Enumeration: HAS_BEEN_BILLED."},
		{name: "500 unsupported operation", status: 400, ct: jsonCT,
			body:  faultBody("ValidationFault", "500", "Unsupported Operation", "Operation Could not find resource for relative : /v3/company/123/customr not supported.", ""),
			class: Bug, code: "500", explain: "fault in qbosync"},
		{name: "4000 invalid query", status: 400, ct: jsonCT,
			body:  faultBody("ValidationFault", "4000", "Invalid query", "QueryParserError: Encountered \" \"OR\" \"OR \"\" at line 1", ""),
			class: Bug, code: "4000", explain: "quote reference 1-tid-test"},
		{name: "404 without fault", status: 404, ct: "text/html", body: "<html><body>Not Found</body></html>",
			class: Bug, explain: "fault in qbosync"},
		{name: "400 unparseable", status: 400, ct: jsonCT, body: `{"unexpected":true}`,
			class: Bug, explain: "fault in qbosync",
			check: func(t *testing.T, e *Error) {
				if !strings.Contains(e.Detail, "bytes of JSON") {
					t.Errorf("Detail should say what was received: %q", e.Detail)
				}
			}},
		{name: "stale fault inside HTTP 200", status: 200, ct: jsonCT, body: topFaultIn200,
			class: Stale, code: "5010", explain: "re-reads"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeServer(t, answer(tt.status, tt.ct, tt.body))
			c := newTestClient(t, f)
			err := c.Create(context.Background(), "Customer", Customer{DisplayName: "x"}, RequestID("t"), nil)
			e := asError(t, err)
			if e.HTTPStatus != tt.status || e.Class != tt.class || e.Code != tt.code ||
				(tt.faultType != "" && e.FaultType != tt.faultType) {
				t.Errorf("got status %d class %v code %q type %q; want %d %v %q %q",
					e.HTTPStatus, e.Class, e.Code, e.FaultType, tt.status, tt.class, tt.code, tt.faultType)
			}
			if ClassOf(err) != tt.class {
				t.Errorf("ClassOf = %v", ClassOf(err))
			}
			if IsAmbiguous(err) != tt.ambiguous {
				t.Errorf("IsAmbiguous = %v, want %v", IsAmbiguous(err), tt.ambiguous)
			}
			if e.IntuitTID != "1-tid-test" || !strings.Contains(e.Error(), "intuit_tid 1-tid-test") {
				t.Errorf("intuit_tid lost: %q in %q", e.IntuitTID, e.Error())
			}
			if !strings.Contains(e.Explanation(), tt.explain) {
				t.Errorf("Explanation() = %q\nwant it to contain %q", e.Explanation(), tt.explain)
			}
			if tt.detail != "" && e.Detail != tt.detail {
				t.Errorf("Detail = %q, want %q", e.Detail, tt.detail)
			}
			if tt.check != nil {
				tt.check(t, e)
			}
		})
	}
}

// TestQueryFaultInside200 checks the QueryResponse.Fault shape, which only
// a query answer has.
func TestQueryFaultInside200(t *testing.T) {
	f := newFakeServer(t, answer(200, jsonCT, queryFaultIn200))
	c := newTestClient(t, f)
	var out []Customer
	_, err := c.Query(context.Background(), "SELECT * FROM Customer STARTPOSITION 0", "Customer", &out)
	e := asError(t, err)
	if e.HTTPStatus != 200 || e.Code != "4001" || e.Class != Bug || IsAmbiguous(err) {
		t.Errorf("got %+v", e)
	}
	if !strings.Contains(e.Detail, "value 0 is too small") {
		t.Errorf("Detail = %q", e.Detail)
	}
}

func TestParseFaultBareXML(t *testing.T) {
	f := parseFault([]byte(bareFaultXML))
	if f == nil || f.typ != "ValidationFault" || len(f.errors) != 2 || f.errors[1].Code != "201" ||
		f.errors[0].Message != "Length of the field exceeds 21 chars" {
		t.Errorf("parseFault(bare <Fault>) = %+v", f)
	}
	for _, body := range []string{"", "   ", badGatewayHTML, "<html><body><br></body></html>", "plain", `{"Customer":{}}`, `{"QueryResponse":{}}`} {
		if f := parseFault([]byte(body)); f != nil {
			t.Errorf("parseFault(%q) = %+v, want nil", body, f)
		}
	}
}

func TestClassifyCodes(t *testing.T) {
	tests := []struct {
		status int
		typ    string
		code   string
		want   Class
	}{
		{400, "ValidationFault", "6240", Validation},
		{400, "ValidationFault", "2000", Validation},
		{400, "ValidationFault", "9999", Validation},
		{400, "ValidationFault", "620", Validation},
		{400, "ValidationFault", "1040", Bug},
		{400, "ValidationFault", "", Bug},
		{400, "SystemFault", "10100", Transient},
		{400, "", "3100", Auth},
		{400, "AuthorizatonFault", "", Auth}, // sic, as in the XSD
		{400, "ValidationFault", "250", Auth},
		{403, "", "", Auth},
		{408, "", "", Transient},
		{401, "ValidationFault", "6240", Auth}, // status first
		{503, "ValidationFault", "6240", Transient},
		{200, "", "", Bug},
	}
	for _, tt := range tests {
		if got := classify(tt.status, tt.typ, tt.code); got != tt.want {
			t.Errorf("classify(%d, %q, %q) = %v, want %v", tt.status, tt.typ, tt.code, got, tt.want)
		}
	}
}

func TestClassString(t *testing.T) {
	for c, want := range map[Class]string{NoError: "none", Transient: "transient", Bug: "bug", Class(99): "Class(99)"} {
		if c.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(c), c.String(), want)
		}
	}
}

func TestClassOfAndIsAmbiguousForeignErrors(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	read := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	tests := []struct {
		err       error
		class     Class
		ambiguous bool
	}{
		{nil, NoError, false},
		{context.DeadlineExceeded, Transient, true},
		{fmt.Errorf("waiting: %w", context.DeadlineExceeded), Transient, true},
		{io.EOF, Transient, true},
		{io.ErrUnexpectedEOF, Transient, true},
		{read, Transient, true},
		{dial, Transient, false},
		{&net.DNSError{Err: "no such host", Name: "quickbooks.example"}, Transient, false},
		{errors.New("something of ours"), Bug, false},
		{&oauth2.RetrieveError{ErrorCode: "invalid_grant", Response: &http.Response{StatusCode: 400, Header: http.Header{}}}, Auth, false},
		{&Error{Class: Validation}, Validation, false},
		{fmt.Errorf("activity: %w", &Error{Class: Transient, Ambiguous: true}), Transient, true},
	}
	for _, tt := range tests {
		if got := ClassOf(tt.err); got != tt.class {
			t.Errorf("ClassOf(%v) = %v, want %v", tt.err, got, tt.class)
		}
		if got := IsAmbiguous(tt.err); got != tt.ambiguous {
			t.Errorf("IsAmbiguous(%v) = %v, want %v", tt.err, got, tt.ambiguous)
		}
	}
}

// TestTransportAmbiguity exercises real broken connections: a server that
// hangs, one that closes the connection after reading the request, one
// that resets it, and no server at all.
func TestTransportAmbiguity(t *testing.T) {
	hang := func(w http.ResponseWriter, r *http.Request, _ string) { <-r.Context().Done() }
	hijack := func(half bool, reset bool) func(http.ResponseWriter, *http.Request, string) {
		return func(w http.ResponseWriter, r *http.Request, _ string) {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				panic(err)
			}
			if half {
				buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"Customer\":{")
				buf.Flush()
			}
			if tcp, ok := conn.(*net.TCPConn); ok && reset {
				tcp.SetLinger(0) // close with RST
			}
			conn.Close()
		}
	}
	tests := []struct {
		name    string
		handler func(http.ResponseWriter, *http.Request, string)
		timeout time.Duration // context deadline
		client  time.Duration // http.Client.Timeout
	}{
		{name: "context deadline while waiting", handler: hang, timeout: 100 * time.Millisecond},
		{name: "client timeout while waiting", handler: hang, client: 100 * time.Millisecond},
		{name: "connection closed after the request", handler: hijack(false, false)},
		{name: "connection reset", handler: hijack(false, true)},
		{name: "response cut short", handler: hijack(true, false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeServer(t, tt.handler)
			c := newTestClient(t, f, func(o *Options) {
				hc := f.Client()
				hc.Timeout = tt.client
				o.HTTPClient = hc
			})
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			err := c.Create(ctx, "Customer", Customer{DisplayName: "x"}, RequestID("t"), &Customer{})
			t.Logf("create: %v", err)
			if !IsAmbiguous(err) || ClassOf(err) != Transient {
				t.Errorf("create: %v: ambiguous %v class %v; want ambiguous transient", err, IsAmbiguous(err), ClassOf(err))
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("the server saw %d requests, want 1 (no silent retry of a write)", n)
			}
			// A read that fails the same way changed nothing.
			err = c.Read(ctx, "Customer", "1", &Customer{})
			if err == nil || IsAmbiguous(err) || ClassOf(err) != Transient {
				t.Errorf("read: %v: ambiguous %v class %v; want not ambiguous, transient", err, IsAmbiguous(err), ClassOf(err))
			}
		})
	}

	t.Run("nothing listening", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		c, err := New(Options{BaseURL: "http://" + addr, RealmID: "123", HTTPClient: &http.Client{}})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Create(context.Background(), "Customer", Customer{DisplayName: "x"}, RequestID("t"), nil)
		if err == nil || IsAmbiguous(err) || ClassOf(err) != Transient {
			t.Errorf("%v: ambiguous %v class %v; want a transient error that is not ambiguous", err, IsAmbiguous(err), ClassOf(err))
		}
	})

	t.Run("context done before sending", func(t *testing.T) {
		f := newFakeServer(t, answer(200, jsonCT, customerResponse))
		c := newTestClient(t, f)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := c.Create(ctx, "Customer", Customer{DisplayName: "x"}, RequestID("t"), nil)
		if err == nil || IsAmbiguous(err) || !errors.Is(err, context.Canceled) || len(f.requests()) != 0 {
			t.Errorf("%v: ambiguous %v, %d requests; want context.Canceled, nothing sent", err, IsAmbiguous(err), len(f.requests()))
		}
	})
}
