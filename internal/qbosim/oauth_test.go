package qbosim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAuthFailures(t *testing.T) {
	h := newHarness(t, Options{})
	good := h.token

	h.token = ""
	res := h.get("customer", "1")
	require.Equal(t, http.StatusUnauthorized, res.status)
	assert.NotEmpty(t, res.header.Get("intuit_tid"))
	var body struct {
		Fault struct {
			Error []struct{ Message, Detail, Code string } `json:"error"`
			Type  string                                   `json:"type"`
		} `json:"fault"`
	}
	require.NoError(t, json.Unmarshal(res.raw, &body), "%s", res.raw)
	assert.Contains(t, string(res.raw), `"fault":{"error":[{"message":"message=AuthenticationFailed; errorCode=003200; statusCode=401"`, "lower-case keys as observed")
	assert.Equal(t, "AUTHENTICATION", body.Fault.Type)
	assert.Equal(t, "3200", body.Fault.Error[0].Code)
	assert.True(t, strings.HasPrefix(body.Fault.Error[0].Detail, "Token expired: "))

	h.token = "not-a-token"
	assert.Equal(t, http.StatusUnauthorized, h.get("customer", "1").status)
	h.token = good
	assert.Equal(t, http.StatusOK, h.get("customer", "1").status)
	assert.NotContains(t, string(h.get("customer", "1").raw), good)

	// Expiry is measured with Options.Now.
	h.clock.Advance(time.Hour - time.Second)
	assert.Equal(t, http.StatusOK, h.get("customer", "1").status)
	h.clock.Advance(time.Second)
	res = h.get("customer", "1")
	assert.Equal(t, http.StatusUnauthorized, res.status)
	assert.Contains(t, string(res.raw), "expired")

	// A token for company A used on company B.
	other := h.srv.AddSampleCompany()
	h.token, _ = h.srv.IssueToken(h.realm)
	h.realm = other
	e := h.get("customer", "1").requireFault(t, http.StatusForbidden, "3100")
	assert.Contains(t, e["Message"], "ApplicationAuthorizationFailed")
}

func TestInterceptHook(t *testing.T) {
	var seen []string
	h := newHarness(t, Options{Intercept: func(c *Call) *Reply {
		seen = append(seen, c.Method+" "+c.Resource)
		if c.Resource == "vendor" {
			return &Reply{Status: http.StatusTooManyRequests, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"throttled":true}`)}
		}
		return nil
	}})
	assert.Equal(t, http.StatusOK, h.get("customer", "1").status)
	res := h.post("vendor", map[string]any{"DisplayName": "Throttled"})
	assert.Equal(t, http.StatusTooManyRequests, res.status)
	assert.Equal(t, `{"throttled":true}`, string(res.raw))
	assert.Equal(t, []string{"GET customer", "POST vendor"}, seen)

	h.token = ""
	h.get("customer", "1")
	assert.Len(t, seen, 2, "unauthenticated calls never reach the hook")
}

// oauthClient drives the OAuth endpoints like an application would.
type oauthClient struct {
	t      *testing.T
	h      *harness
	http   *http.Client
	id     string
	secret string
}

func newOAuthClient(h *harness) *oauthClient {
	c := *h.ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &oauthClient{t: h.t, h: h, http: &c, id: DefaultClientID, secret: DefaultClientSecret}
}

const redirectURI = "http://localhost:8080/callback"

// authorize walks the consent page and returns the redirect's query.
func (c *oauthClient) authorize(decision, realm string) url.Values {
	c.t.Helper()
	params := url.Values{
		"client_id": {c.id}, "response_type": {"code"}, "scope": {accountingScope},
		"redirect_uri": {redirectURI}, "state": {"xyz-state"},
	}
	page, err := c.http.Get(c.h.ts.URL + "/connect/oauth2?" + params.Encode())
	require.NoError(c.t, err)
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	require.Equal(c.t, http.StatusOK, page.StatusCode, "%s", html)
	require.Contains(c.t, string(html), `value="`+realm+`"`, "the page lists the companies")
	require.Contains(c.t, string(html), "Sandbox Company_US_1")

	params.Set("realmId", realm)
	params.Set("decision", decision)
	resp, err := c.http.PostForm(c.h.ts.URL+"/connect/oauth2", params)
	require.NoError(c.t, err)
	resp.Body.Close()
	require.Equal(c.t, http.StatusFound, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(c.t, err)
	require.Equal(c.t, "/callback", loc.Path)
	return loc.Query()
}

// token calls the token endpoint and returns status and decoded body.
func (c *oauthClient) token(form url.Values, header http.Header) (int, map[string]any) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.h.ts.URL+"/oauth2/v1/tokens/bearer", strings.NewReader(form.Encode()))
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(c.id, c.secret)
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := c.http.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(c.t, json.NewDecoder(resp.Body).Decode(&body))
	return resp.StatusCode, body
}

func (c *oauthClient) refresh(tok string) (int, map[string]any) {
	return c.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok}}, nil)
}

func (c *oauthClient) revoke(tok string) int {
	c.t.Helper()
	body, _ := json.Marshal(map[string]string{"token": tok})
	req, _ := http.NewRequest(http.MethodPost, c.h.ts.URL+"/v2/oauth2/tokens/revoke", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(c.id, c.secret)
	resp, err := c.http.Do(req)
	require.NoError(c.t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// apiStatus calls the API with an access token.
func (c *oauthClient) apiStatus(access string) int {
	c.h.token = access
	return c.h.get("companyinfo", c.h.realm).status
}

func TestOAuthCodeFlowRefreshAndRevoke(t *testing.T) {
	h := newHarness(t, Options{})
	c := newOAuthClient(h)

	// Declining the consent page.
	denied := c.authorize("deny", h.realm)
	assert.Equal(t, "access_denied", denied.Get("error"))
	assert.Equal(t, "xyz-state", denied.Get("state"))

	q := c.authorize("allow", h.realm)
	assert.Equal(t, "xyz-state", q.Get("state"))
	assert.Equal(t, h.realm, q.Get("realmId"))
	code := q.Get("code")
	require.NotEmpty(t, code)

	// A wrong redirect_uri burns the code; codes are single use.
	status, body := c.token(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"http://evil.example/cb"}}, nil)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_grant", body["error"])
	code = c.authorize("allow", h.realm).Get("code")
	exchange := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}
	status, tok := c.token(exchange, http.Header{"X-Include-Refresh-Token-Hard-Expires-In": {"true"}})
	require.Equal(t, http.StatusOK, status, "%v", tok)
	assert.Equal(t, "bearer", tok["token_type"])
	assert.EqualValues(t, 3600, tok["expires_in"])
	assert.EqualValues(t, 8726400, tok["x_refresh_token_expires_in"])
	assert.EqualValues(t, (5 * 365 * 24 * time.Hour).Seconds(), tok["x_refresh_token_hard_expires_in"])
	assert.Greater(t, len(tok["access_token"].(string)), 900, "access tokens are long, as Intuit's")
	assert.Len(t, tok["refresh_token"], 50)
	status, body = c.token(exchange, nil)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_grant", body["error"], "code reuse")

	access1, refresh1 := tok["access_token"].(string), tok["refresh_token"].(string)
	assert.Equal(t, http.StatusOK, c.apiStatus(access1))

	// Refresh rotates the refresh token; without the header no hard expiry is sent.
	h.clock.Advance(2 * time.Hour)
	assert.Equal(t, http.StatusUnauthorized, c.apiStatus(access1))
	status, tok2 := c.refresh(refresh1)
	require.Equal(t, http.StatusOK, status, "%v", tok2)
	assert.NotContains(t, tok2, "x_refresh_token_hard_expires_in")
	refresh2 := tok2["refresh_token"].(string)
	assert.NotEqual(t, refresh1, refresh2)
	assert.Equal(t, http.StatusOK, c.apiStatus(tok2["access_token"].(string)))

	// The rotated-out token still works inside the 24h grace ...
	h.clock.Advance(23 * time.Hour)
	status, tok3 := c.refresh(refresh1)
	require.Equal(t, http.StatusOK, status, "%v", tok3)
	// ... and is dead after it, while the newest one keeps working.
	h.clock.Advance(2 * time.Hour)
	status, body = c.refresh(refresh1)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, map[string]any{"error": "invalid_grant", "error_description": "Incorrect or invalid refresh token"}, body)
	status, tok4 := c.refresh(tok3["refresh_token"].(string))
	require.Equal(t, http.StatusOK, status)

	// Wrong client credentials.
	c.secret = "wrong"
	status, body = c.refresh(tok4["refresh_token"].(string))
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, "invalid_client", body["error"])
	c.secret = DefaultClientSecret
	status, body = c.token(url.Values{"grant_type": {"password"}}, nil)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "unsupported_grant_type", body["error"])

	// Revoking the access token disconnects the whole grant.
	access4 := tok4["access_token"].(string)
	require.Equal(t, http.StatusOK, c.apiStatus(access4))
	assert.Equal(t, http.StatusOK, c.revoke(access4))
	assert.Equal(t, http.StatusUnauthorized, c.apiStatus(access4))
	status, body = c.refresh(tok4["refresh_token"].(string))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_grant", body["error"])
	assert.Equal(t, http.StatusOK, c.revoke("unknown-token"), "RFC 7009: unknown tokens revoke fine")
}

func TestAuthorizeRequestValidation(t *testing.T) {
	h := newHarness(t, Options{Clients: map[string]string{"app": "s3cret"}})
	client := newOAuthClient(h)
	get := func(params url.Values) *http.Response {
		resp, err := client.http.Get(h.ts.URL + "/connect/oauth2?" + params.Encode())
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	base := url.Values{"client_id": {"app"}, "response_type": {"code"}, "scope": {accountingScope + " openid"}, "redirect_uri": {redirectURI}, "state": {"s"}}
	assert.Equal(t, http.StatusOK, get(base).StatusCode)

	bad := url.Values{}
	for k, v := range base {
		bad[k] = v
	}
	bad.Set("client_id", DefaultClientID) // not configured any more
	assert.Equal(t, http.StatusBadRequest, get(bad).StatusCode)

	bad.Set("client_id", "app")
	bad.Set("scope", "openid")
	resp := get(bad)
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	assert.Equal(t, "invalid_scope", loc.Query().Get("error"))

	bad.Set("scope", accountingScope)
	bad.Set("redirect_uri", "javascript:alert(1)")
	assert.Equal(t, http.StatusBadRequest, get(bad).StatusCode, "never redirect to an unusable URI")

	// IssueToken uses the only configured client.
	access, _ := h.srv.IssueToken(h.realm)
	h.token = access
	assert.Equal(t, http.StatusOK, h.get("companyinfo", h.realm).status)
}
