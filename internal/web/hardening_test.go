package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Requests an attacker (or a broken client) sends get a short 4xx before anything
// reaches a workflow: the server here has no wizard at all, so a request that got as
// far as the workflow would fail the test.
func TestRequestsAreRefusedBeforeTheyReachAWorkflow(t *testing.T) {
	ts, _, sess := consoleServer(t)
	_, page := request(t, "GET", ts.URL+"/sync", sess, nil, "")
	csrf := page[strings.Index(page, `name="csrf" value="`)+len(`name="csrf" value="`):]
	csrf = csrf[:strings.Index(csrf, `"`)]

	// A megabyte of field.
	form := url.Values{"action": {"save"}, "csrf": {csrf}, "operating_bank.accounts.0.account.name": {strings.Repeat("x", 1<<20)}}
	res, body := request(t, "POST", ts.URL+"/setup", sess, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	if res.StatusCode != http.StatusRequestEntityTooLarge || len(body) > 8000 || strings.Contains(body, "xxxxxxxxxx") {
		t.Errorf("a 1 MB field: %d, %d bytes of answer", res.StatusCode, len(body))
	}
	// An action the setup does not have.
	form = url.Values{"action": {"drop-tables"}, "csrf": {csrf}}
	res, body = request(t, "POST", ts.URL+"/setup", sess, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "submit") || strings.Contains(body, "drop-tables") {
		t.Errorf("an unknown action: %d %q", res.StatusCode, body)
	}
	// JSON with a field the API does not have, or more after the value.
	for _, raw := range []string{`{"login_token": "x", "firm_id": 9}`, `{"login_token": "x"} {"login_token": "y"}`} {
		res, body := request(t, "POST", ts.URL+"/api/session", "", strings.NewReader(raw), "application/json")
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d %s", raw, res.StatusCode, body)
		}
	}
	res, body = request(t, "POST", ts.URL+"/api/session", "", strings.NewReader(`{"login_token": "`+strings.Repeat("y", 100<<10)+`"}`), "application/json")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "over 65536 bytes") {
		t.Errorf("a 100 KB body: %d %.200s", res.StatusCode, body)
	}
}

// The pages cannot be framed, and a form leads only to this server or QuickBooks'
// sign-in.
func TestContentSecurityPolicy(t *testing.T) {
	ts, _, _ := consoleServer(t)
	res, _ := request(t, "GET", ts.URL+"/healthz", "", nil, "")
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "form-action 'self' https://appcenter.intuit.com") || strings.Contains(csp, " https: ") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
}
