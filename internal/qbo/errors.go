package qbo

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/oauth2"
)

// A Class says what the caller should do about an error.
type Class int

const (
	// NoError is the class of a nil error.
	NoError Class = iota
	// Transient errors go away by themselves: QBO was down or slow, the
	// connection broke, or the rate limit was hit. Retry with backoff and
	// the same request ID.
	Transient
	// Auth errors need the firm: the connection to QBO was revoked or has
	// expired. Pause the sync and ask for QuickBooks to be reconnected.
	Auth
	// Validation errors belong to one record: QBO rejected its content
	// (duplicate name, missing field, closed period...). Retrying the same
	// data won't help; record the item as failed and go on.
	Validation
	// NotFound means the referenced QBO object was deleted or made
	// inactive in QuickBooks.
	NotFound
	// Stale means someone changed the object in QBO since it was read.
	// Re-read it and apply the change again.
	Stale
	// Bug means qbosync sent something malformed. Fail loudly.
	Bug
)

var classNames = [...]string{"none", "transient", "auth", "validation", "not found", "stale", "bug"}

func (c Class) String() string {
	if c < 0 || int(c) >= len(classNames) {
		return "Class(" + strconv.Itoa(int(c)) + ")"
	}
	return classNames[c]
}

// Error is the error every Client method returns, whatever went wrong:
// a QBO fault, an unexpected response, a broken connection or a failed
// token refresh.
type Error struct {
	// Op says what was being done, e.g. "create Customer".
	Op string
	// HTTPStatus is the response's status code; 0 if no response arrived.
	HTTPStatus int
	// Code, Message, Detail and Element are those of QBO's first fault
	// error (Errors lists them all). Code is a string, as QBO sends it,
	// e.g. "6240"; for a failed token refresh it is the OAuth error, e.g.
	// "invalid_grant".
	Code    string
	Message string
	Detail  string
	Element string
	// FaultType is the fault's type, e.g. "ValidationFault" or "SERVICE".
	FaultType string
	// Errors holds every error of the fault; QBO may report several.
	Errors []FaultError
	// IntuitTID is the response's intuit_tid header, which Intuit support
	// asks for when tracing a request.
	IntuitTID string
	// RetryAfter is the delay a 429 response asked for, if it said.
	RetryAfter time.Duration
	// Class says what to do about the error.
	Class Class
	// Ambiguous reports that the request was a write that may or may not
	// have taken effect: see IsAmbiguous.
	Ambiguous bool
	// Err is the underlying cause, such as a network or decoding error.
	Err error
}

// FaultError is one entry of a QBO fault.
type FaultError struct {
	Code    string
	Message string
	Detail  string
	Element string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("qbo: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, "HTTP %d: ", e.HTTPStatus)
	}
	if e.Code != "" {
		b.WriteString(e.Code)
		b.WriteString(" ")
	}
	b.WriteString(e.Message)
	if e.Detail != "" && e.Detail != e.Message {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Element != "" {
		fmt.Fprintf(&b, " [element %s]", e.Element)
	}
	if e.Err != nil && e.Message == "" {
		b.WriteString(e.Err.Error())
	}
	if len(e.Errors) > 1 {
		fmt.Fprintf(&b, " (and %d more)", len(e.Errors)-1)
	}
	if e.IntuitTID != "" {
		fmt.Fprintf(&b, " (intuit_tid %s)", e.IntuitTID)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

var duplicateNameID = regexp.MustCompile(`Id=(\d+)\s*$`)

// DuplicateNameID returns the Id of the existing record a 6240 "Duplicate
// Name Exists" error names in its detail ("... : Id=58"), so the caller can
// link to it instead of creating another.
func (e *Error) DuplicateNameID() (string, bool) {
	if e == nil || e.Code != "6240" {
		return "", false
	}
	m := duplicateNameID.FindStringSubmatch(e.Detail)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// ClassOf returns the class of err: that of the *Error in its chain, or,
// for errors that did not come from a Client, a best guess from the kind
// of error (timeouts and broken connections are Transient, a token
// endpoint's invalid_grant is Auth). Errors it cannot place are Bugs, so
// that nothing unexplained is retried forever.
func ClassOf(err error) Class {
	if err == nil {
		return NoError
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Class
	}
	if _, ok := errors.AsType[*oauth2.RetrieveError](err); ok {
		return tokenError(err).Class // e.g. from oauth2.Config.Exchange
	}
	if isNetworkError(err) {
		return Transient
	}
	return Bug
}

// IsAmbiguous reports whether err leaves open whether a write happened:
// the request may have reached QBO, but no answer came back (a timeout,
// a reset or closed connection, a deadline passed while waiting), or the
// answer was a 5xx. After an ambiguous outcome the caller must look the
// object up by its natural key before creating it again. A 4xx answer is
// never ambiguous: QBO refused the request. Neither is a failure to
// connect, since nothing was sent.
func IsAmbiguous(err error) bool {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Ambiguous
	}
	return mayHaveBeenSent(err)
}

// isNetworkError reports whether err came from the network or a deadline
// rather than from QBO or from our own code.
func isNetworkError(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNABORTED) {
		return true
	}
	// *url.Error is a net.Error too, but it wraps every failure of an
	// http.Client, including our own mistakes; look past it.
	for e := err; e != nil; e = errors.Unwrap(e) {
		if _, isURL := e.(*url.Error); isURL {
			continue
		}
		if _, isNet := e.(net.Error); isNet {
			return true
		}
	}
	return false
}

// mayHaveBeenSent reports whether a transport error could have happened
// after the request reached the server. Only failures to connect prove
// that it did not.
func mayHaveBeenSent(err error) bool {
	if !isNetworkError(err) {
		return false
	}
	if op, ok := errors.AsType[*net.OpError](err); ok && op.Op == "dial" {
		return false
	}
	if _, ok := errors.AsType[*net.DNSError](err); ok {
		return false
	}
	return true
}

// classify maps an HTTP status and a QBO fault to a Class. The status is
// trusted first: QBO's auth and throttle answers vary in shape (JSON with
// either key case, or XML), but not in status.
func classify(status int, faultType, code string) Class {
	switch {
	case status == http.StatusUnauthorized:
		return Auth
	case status == http.StatusTooManyRequests || status >= 500:
		return Transient
	case strings.HasPrefix(strings.ToLower(faultType), "authentication"),
		strings.HasPrefix(strings.ToLower(faultType), "authorizat"): // XSD spells it "AuthorizatonFault"
		return Auth
	}
	if n, err := strconv.Atoi(code); err == nil {
		return classifyCode(n)
	}
	switch status {
	case http.StatusForbidden:
		return Auth
	case http.StatusRequestTimeout:
		return Transient
	}
	return Bug
}

// classifyCode places QBO's numeric error codes. The ranges follow the
// legacy IPP list (1-499 authentication, 500-599 unsupported operation,
// 600-1999 general, 2000-9999 validation and business rules, 10000+
// system), with the exceptions QBO is known for.
func classifyCode(code int) Class {
	switch code {
	case 610:
		return NotFound
	case 600: // "RequestId already exists": the write may have been done before
		return Validation
	case 620: // TxnID cannot be linked
		return Validation
	case 3001:
		return Transient
	case 3100, 3200:
		return Auth
	case 4000, 4001: // invalid query
		return Bug
	case 5010:
		return Stale
	}
	switch {
	case code < 500:
		return Auth
	case code < 2000:
		return Bug
	case code < 10000:
		return Validation
	default:
		return Transient
	}
}

// A faultJSON is QBO's fault, in either key case: encoding/json matches
// keys case-insensitively, so {"Fault":{"Error":[{"Message":...}]}} and
// the 401 shape {"fault":{"error":[{"message":...}]}} both decode.
type faultJSON struct {
	Error []struct {
		Message string
		Detail  string
		Code    jsonCode
		Element string
	}
	Type string
}

// faultEnvelope finds a fault where QBO puts one: at the top level, or
// inside a QueryResponse of an HTTP 200 answer.
type faultEnvelope struct {
	Fault         *faultJSON
	QueryResponse *struct{ Fault *faultJSON }
}

// jsonCode accepts an error code sent as a string ("6240", as documented)
// or as a number.
type jsonCode string

func (c *jsonCode) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*c = jsonCode(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*c = jsonCode(n)
	return nil
}

func (f *faultJSON) fault() *fault {
	out := &fault{typ: f.Type}
	for _, e := range f.Error {
		out.errors = append(out.errors, FaultError{Code: string(e.Code), Message: e.Message, Detail: e.Detail, Element: e.Element})
	}
	return out
}

// xmlFault is the same fault as QBO sends it in XML, which it does for some
// auth and throttle errors even when asked for JSON.
type xmlFault struct {
	Type  string `xml:"type,attr"`
	Error []struct {
		Code    string `xml:"code,attr"`
		Element string `xml:"element,attr"`
		Message string
		Detail  string
	}
}

// fault is a decoded fault in either format.
type fault struct {
	typ    string
	errors []FaultError
}

// parseFault extracts a fault from a response body, JSON or XML; it
// returns nil when the body holds none (empty, HTML, or a success).
func parseFault(body []byte) *fault {
	body = bytes.TrimSpace(body)
	switch {
	case len(body) == 0:
		return nil
	case body[0] == '{':
		var env faultEnvelope
		if json.Unmarshal(body, &env) != nil {
			return nil
		}
		if env.Fault != nil {
			return env.Fault.fault()
		}
		if env.QueryResponse != nil && env.QueryResponse.Fault != nil {
			return env.QueryResponse.Fault.fault()
		}
	case body[0] == '<':
		// The root is either IntuitResponse with a Fault inside, or the
		// Fault itself; this struct takes both.
		var doc struct {
			xmlFault
			Fault *xmlFault
		}
		if xml.Unmarshal(body, &doc) != nil {
			return nil
		}
		x := doc.Fault
		if x == nil {
			x = &doc.xmlFault
		}
		if len(x.Error) == 0 {
			return nil
		}
		f := &fault{typ: x.Type}
		for _, e := range x.Error {
			f.errors = append(f.errors, FaultError{Code: e.Code, Message: strings.TrimSpace(e.Message), Detail: strings.TrimSpace(e.Detail), Element: e.Element})
		}
		return f
	}
	return nil
}

// legacyCode finds the code in messages like
// "message=AuthenticationFailed; errorCode=003200; statusCode=401".
var legacyCode = regexp.MustCompile(`errorCode=0*(\d+)`)

// httpError builds the Error for a response that failed: a non-2xx status,
// or a 2xx carrying a fault.
func httpError(op string, res *http.Response, body []byte) *Error {
	e := &Error{
		Op:         op,
		HTTPStatus: res.StatusCode,
		IntuitTID:  res.Header.Get("intuit_tid"),
	}
	if f := parseFault(body); f != nil && len(f.errors) > 0 {
		e.setFault(f)
	} else {
		// A proxy's HTML page, an empty body, or something else that is
		// not a fault: say what came back.
		e.Message = http.StatusText(res.StatusCode)
		e.Detail = "no QuickBooks fault in the response; received " + describeBody(res.Header, body)
	}
	if res.StatusCode == http.StatusTooManyRequests {
		e.RetryAfter = retryAfter(res.Header.Get("Retry-After"))
	}
	e.Class = classify(res.StatusCode, e.FaultType, e.Code)
	return e
}

// setFault fills e from a fault with at least one error: the first one's
// code, message, detail and element, and all of them in Errors. A code
// missing from an error is read from its legacy message.
func (e *Error) setFault(f *fault) {
	for i := range f.errors {
		if f.errors[i].Code == "" {
			if m := legacyCode.FindStringSubmatch(f.errors[i].Message); m != nil {
				f.errors[i].Code = m[1]
			}
		}
	}
	first := f.errors[0]
	e.Code, e.Message, e.Detail, e.Element = first.Code, first.Message, first.Detail, first.Element
	e.FaultType, e.Errors = f.typ, f.errors
}

// describeBody summarises a body that could not be understood. Only
// non-JSON bodies (proxy pages, plain text) are quoted: a JSON body may
// hold the firm's data, which does not belong in error messages.
func describeBody(h http.Header, body []byte) string {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "no content type"
	}
	body = bytes.TrimSpace(body)
	switch {
	case len(body) == 0:
		return "an empty body (" + ct + ")"
	case body[0] == '{' || body[0] == '[':
		return fmt.Sprintf("%d bytes of JSON (%s)", len(body), ct)
	}
	const max = 120
	s := strings.ToValidUTF8(string(body[:min(len(body), max)]), "")
	s = strings.Join(strings.Fields(s), " ")
	if len(body) > max {
		s += "…"
	}
	return fmt.Sprintf("%d bytes of %s: %q", len(body), ct, s)
}

// retryAfter parses a Retry-After header in seconds; QBO does not document
// it, so absence is normal.
func retryAfter(v string) time.Duration {
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return 0
}
