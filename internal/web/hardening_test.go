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
	csrf := consoleCSRF(t, ts.URL, sess)

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

// consoleCSRF is the anti-forgery value of the session's pages, from the console.
func consoleCSRF(t *testing.T, base, sess string) string {
	t.Helper()
	_, page := request(t, "GET", base+"/sync", sess, nil, "")
	csrf := page[strings.Index(page, `name="csrf" value="`)+len(`name="csrf" value="`):]
	return csrf[:strings.Index(csrf, `"`)]
}

// A text field over its cap is refused before anything reaches a workflow (the server
// has no wizard: a request that got that far would fail the test), with the field's
// name and the cap, and without the value.
func TestTextFieldsAreLengthCapped(t *testing.T) {
	ts, _, sess := consoleServer(t)
	csrf := consoleCSRF(t, ts.URL, sess)
	long := strings.Repeat("Q", 101)

	cases := []struct {
		what, method, path, body, contentType string
		status                                int
		says                                  string
	}{
		{"a target's new name in a form", "POST", "/setup", url.Values{"action": {"save"}, "csrf": {csrf},
			"item_mapping.fees.name": {long}}.Encode(), "application/x-www-form-urlencoded",
			http.StatusUnprocessableEntity, "item_mapping.fees.name: is 101 characters long; at most 100 are allowed"},
		{"a start date in a form", "POST", "/setup", url.Values{"action": {"next"}, "csrf": {csrf},
			"sync_options.start_date": {"2026-01-01" + strings.Repeat(" ", 50)}}.Encode(), "application/x-www-form-urlencoded",
			http.StatusUnprocessableEntity, "sync_options.start_date: is 60 characters long; at most 10 are allowed"},
		{"an existing id in the API", "POST", "/api/setup/actions/save",
			`{"answers": {"trust": {"accounts": [{"pms_account_id": 3, "bank": {"existing_id": "` + long + `", "name": ""}}]}}}`, "application/json",
			http.StatusUnprocessableEntity, `"field":"trust.accounts.0.bank.existing_id","message":"is 101 characters long; at most 32 are allowed`},
		{"a vendor's name in the API", "POST", "/api/setup/actions/next",
			`{"step": "hard_costs", "answers": {"hard_costs": {"default_vendor": "` + long + `"}}}`, "application/json",
			http.StatusUnprocessableEntity, `"field":"hard_costs.default_vendor","message":"is 101 characters long; at most 100`},
		{"a mode in the API", "POST", "/api/setup/actions/choose-mode", `{"mode": "` + long + `"}`, "application/json",
			http.StatusUnprocessableEntity, `"field":"mode","message":"is 101 characters long; at most 40`},
		{"an OAuth state", "GET", "/oauth/callback?code=x&realmId=1&state=" + strings.Repeat("Q", 2000), "", "",
			http.StatusBadRequest, "state: is 2000 characters long; at most 1024 are allowed"},
	}
	for _, c := range cases {
		res, body := request(t, c.method, ts.URL+c.path, sess, strings.NewReader(c.body), c.contentType)
		if res.StatusCode != c.status || !strings.Contains(body, c.says) || strings.Contains(body, "QQQQQQQQQQ") {
			t.Errorf("%s: %d %.400s", c.what, res.StatusCode, body)
		}
	}
	res, body := request(t, "GET", ts.URL+"/login?token="+strings.Repeat("Q", 3000), "", nil, "")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "token: is 3000 characters long; at most 1024") || strings.Contains(body, "QQQQQQQQQQ") {
		t.Errorf("a sign-in token: %d %.400s", res.StatusCode, body)
	}
	// The sign-in form's button posts the token: the same check, before anything else.
	res, body = request(t, "POST", ts.URL+"/login", "", strings.NewReader("token="+strings.Repeat("Q", 3000)), "application/x-www-form-urlencoded")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "token: is 3000 characters long; at most 1024") || strings.Contains(body, "QQQQQQQQQQ") {
		t.Errorf("a posted sign-in token: %d %.400s", res.StatusCode, body)
	}
}
