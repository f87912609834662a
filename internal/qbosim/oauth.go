package qbosim

import (
	"crypto/subtle"
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The OAuth 2.0 endpoints, at Intuit's paths:
//
//	GET/POST /connect/oauth2            consent page (appcenter.intuit.com)
//	POST     /oauth2/v1/tokens/bearer   token endpoint (oauth.platform.intuit.com)
//	POST     /v2/oauth2/tokens/revoke   revocation (developer.api.intuit.com)

const accountingScope = "com.intuit.quickbooks.accounting"

var consentPage = template.Must(template.New("consent").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>qbosim – Connect to QuickBooks</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto">
<h1>Connect {{.ClientID}} to QuickBooks</h1>
{{if .Error}}<p style="color: #b00">{{.Error}}</p>{{end}}
<form method="post" action="/connect/oauth2">
  <input type="hidden" name="client_id" value="{{.ClientID}}">
  <input type="hidden" name="response_type" value="{{.ResponseType}}">
  <input type="hidden" name="scope" value="{{.Scope}}">
  <input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">
  <input type="hidden" name="state" value="{{.State}}">
  {{if .Companies}}<p>Choose a company:</p>
  {{range $i, $c := .Companies}}<label><input type="radio" name="realmId" value="{{$c.RealmID}}"{{if eq $i 0}} checked{{end}}> {{$c.Name}} ({{$c.RealmID}})</label><br>
  {{end}}{{else}}<p>This sandbox has no companies yet.</p>{{end}}
  <p><button type="submit" name="decision" value="allow"{{if not .Companies}} disabled{{end}}>Connect</button>
  <button type="submit" name="decision" value="deny">Cancel</button></p>
</form>
</body></html>
`))

type consentCompany struct{ RealmID, Name string }

type consentData struct {
	ClientID, ResponseType, Scope, RedirectURI, State, Error string
	Companies                                                []consentCompany
}

// serveAuthorize renders the consent page (GET) and handles the user's
// decision (POST), redirecting back with ?code&state&realmId or
// ?error=access_denied.
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "malformed request", http.StatusBadRequest)
		return
	}
	d := consentData{
		ClientID: r.Form.Get("client_id"), ResponseType: r.Form.Get("response_type"),
		Scope: r.Form.Get("scope"), RedirectURI: r.Form.Get("redirect_uri"), State: r.Form.Get("state"),
	}
	// Errors about the client or redirect URI are shown, never redirected:
	// redirecting to an unvetted URI would make the sandbox an open redirector.
	if _, ok := s.opts.Clients[d.ClientID]; !ok {
		http.Error(w, "invalid_client: unknown client_id", http.StatusBadRequest)
		return
	}
	redirect, err := url.Parse(d.RedirectURI)
	if err != nil || (redirect.Scheme != "http" && redirect.Scheme != "https") || redirect.Host == "" {
		http.Error(w, "invalid_request: redirect_uri must be an absolute http(s) URL", http.StatusBadRequest)
		return
	}
	switch {
	case d.ResponseType != "code":
		redirectWith(w, r, redirect, url.Values{"error": {"unsupported_response_type"}, "state": {d.State}})
		return
	case !hasScope(d.Scope, accountingScope):
		redirectWith(w, r, redirect, url.Values{"error": {"invalid_scope"}, "state": {d.State}})
		return
	}
	if r.Method == http.MethodGet {
		s.renderConsent(w, d)
		return
	}
	if r.Form.Get("decision") != "allow" {
		redirectWith(w, r, redirect, url.Values{"error": {"access_denied"}, "state": {d.State}})
		return
	}
	realmID := r.Form.Get("realmId")
	if s.company(realmID) == nil {
		d.Error = "Choose one of the companies below."
		s.renderConsent(w, d)
		return
	}
	code := newRefreshToken() // same shape as Intuit's codes: "AB11" + 46 alphanumerics
	now := s.now()
	s.mu.Lock()
	s.auth.codes[hashToken(code)] = &authCode{
		ClientID: d.ClientID, RealmID: realmID, RedirectURI: d.RedirectURI, Expires: now.Add(authCodeTTL),
	}
	s.mu.Unlock()
	redirectWith(w, r, redirect, url.Values{"code": {code}, "state": {d.State}, "realmId": {realmID}})
}

func (s *Server) renderConsent(w http.ResponseWriter, d consentData) {
	s.mu.Lock()
	for _, id := range sortedKeys(s.companies) {
		c := s.companies[id]
		c.mu.Lock()
		name := ""
		if infos := c.list(companyInfoKind); len(infos) > 0 {
			name = stringField(infos[0].data, "CompanyName")
		}
		c.mu.Unlock()
		d.Companies = append(d.Companies, consentCompany{RealmID: id, Name: name})
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = consentPage.Execute(w, d)
}

func hasScope(scopes, want string) bool {
	for _, s := range strings.Fields(scopes) {
		if s == want {
			return true
		}
	}
	return false
}

// redirectWith sends a 302 to base with params added to its query.
func redirectWith(w http.ResponseWriter, r *http.Request, base *url.URL, params url.Values) {
	u := *base
	q := u.Query()
	for k, vs := range params {
		if len(vs) > 0 && vs[0] != "" {
			q.Set(k, vs[0])
		}
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// oauthError writes an RFC 6749 error body such as {"error":"invalid_grant"}.
func oauthError(w http.ResponseWriter, status int, code, description string) {
	body := map[string]string{"error": code}
	if description != "" {
		body["error_description"] = description
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="Intuit"`)
	}
	writeTokenJSON(w, status, body)
}

func writeTokenJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	body, _ := marshalJSON(v)
	_, _ = w.Write(body)
}

// authenticateClient admits a POST carrying valid HTTP Basic client
// credentials (compared in constant time); otherwise it writes the error.
func (s *Server) authenticateClient(w http.ResponseWriter, r *http.Request) (clientID string, ok bool) {
	if r.Method != http.MethodPost {
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST")
		return "", false
	}
	id, secret, ok := r.BasicAuth()
	want, known := s.opts.Clients[id]
	if !ok || !known || subtle.ConstantTimeCompare([]byte(secret), []byte(want)) != 1 {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "")
		return "", false
	}
	return id, true
}

// serveToken is the token endpoint: authorization_code and refresh_token
// grants, form-encoded, with HTTP Basic client authentication.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	clientID, ok := s.authenticateClient(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "malformed form body")
		return
	}
	now := s.now()
	s.mu.Lock()
	var (
		pair    tokenPair
		errCode string
		errDesc string
	)
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		pair, errCode, errDesc = s.exchangeCodeLocked(clientID, r.PostForm.Get("code"), r.PostForm.Get("redirect_uri"), now)
	case "refresh_token":
		pair, errCode, errDesc = s.refreshLocked(clientID, r.PostForm.Get("refresh_token"), now)
	case "":
		errCode, errDesc = "invalid_request", "grant_type is required"
	default:
		errCode = "unsupported_grant_type"
	}
	s.mu.Unlock()
	if errCode != "" {
		oauthError(w, http.StatusBadRequest, errCode, errDesc)
		return
	}
	s.markDirty()
	resp := map[string]any{
		"token_type":                 "bearer",
		"access_token":               pair.access,
		"refresh_token":              pair.refresh,
		"expires_in":                 int64(pair.accessTTL.Seconds()),
		"x_refresh_token_expires_in": int64(pair.refreshTTL.Seconds()),
	}
	if strings.EqualFold(r.Header.Get("x-include-refresh-token-hard-expires-in"), "true") {
		resp["x_refresh_token_hard_expires_in"] = int64(pair.hardRemaining.Seconds())
	}
	writeTokenJSON(w, http.StatusOK, resp)
}

// exchangeCodeLocked redeems an authorization code. Codes are single use:
// the first presentation consumes it whether or not it succeeds.
func (s *Server) exchangeCodeLocked(clientID, code, redirectURI string, now time.Time) (tokenPair, string, string) {
	if code == "" {
		return tokenPair{}, "invalid_request", "code is required"
	}
	h := hashToken(code)
	ac := s.auth.codes[h]
	delete(s.auth.codes, h)
	switch {
	case ac == nil:
		return tokenPair{}, "invalid_grant", "authorization code is invalid or was already used"
	case !now.Before(ac.Expires):
		return tokenPair{}, "invalid_grant", "authorization code expired"
	case ac.ClientID != clientID:
		return tokenPair{}, "invalid_grant", "authorization code was issued to another client"
	case ac.RedirectURI != redirectURI:
		return tokenPair{}, "invalid_grant", "redirect_uri does not match the authorization request"
	}
	return s.issueLocked(s.newGrantLocked(clientID, ac.RealmID, now), now), "", ""
}

// refreshLocked rotates a refresh token. The presented token may be the
// current one or a superseded one still inside RefreshTokenGrace.
func (s *Server) refreshLocked(clientID, token string, now time.Time) (tokenPair, string, string) {
	if token == "" {
		return tokenPair{}, "invalid_request", "refresh_token is required"
	}
	rt := s.auth.Refresh[hashToken(token)]
	if rt == nil || !s.refreshValidLocked(rt, now) {
		return tokenPair{}, "invalid_grant", "Incorrect or invalid refresh token"
	}
	g := s.auth.Grants[rt.GrantID]
	switch {
	case g == nil:
		return tokenPair{}, "invalid_grant", "Incorrect or invalid refresh token"
	case g.ClientID != clientID:
		return tokenPair{}, "invalid_grant", "refresh token was issued to another client"
	case !now.Before(g.HardExpiry):
		return tokenPair{}, "invalid_grant", "refresh token reached its maximum lifetime"
	}
	return s.issueLocked(g, now), "", ""
}

// serveRevoke revokes the grant a token belongs to (access or refresh):
// every token of that connection stops working. Unknown tokens succeed, as
// RFC 7009 asks.
func (s *Server) serveRevoke(w http.ResponseWriter, r *http.Request) {
	clientID, ok := s.authenticateClient(w, r)
	if !ok {
		return
	}
	var req struct {
		Token string `json:"token"`
	}
	body, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<16))
	if err := json.Unmarshal(body, &req); err != nil || req.Token == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", `send a JSON body {"token": "..."}`)
		return
	}
	h := hashToken(req.Token)
	s.mu.Lock()
	grantID := ""
	if t := s.auth.Access[h]; t != nil {
		grantID = t.GrantID
	} else if t := s.auth.Refresh[h]; t != nil {
		grantID = t.GrantID
	}
	revoked := false
	if g := s.auth.Grants[grantID]; g != nil && g.ClientID == clientID {
		s.revokeGrantLocked(grantID)
		revoked = true
	}
	s.mu.Unlock()
	if revoked {
		s.markDirty()
	}
	w.WriteHeader(http.StatusOK)
}
