package qbo

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// Distinctive secrets, so that a leak anywhere is easy to find.
const (
	clientID     = "app-client-id"
	clientSecret = "CLIENT-SECRET-f00d"
	access1      = "ACCESS-ONE-eyJhbGciOi"
	access2      = "ACCESS-TWO-eyJraWQiOi"
	refresh1     = "REFRESH-ONE-AB11570127"
	refresh2     = "REFRESH-TWO-AB11570999"
)

var secrets = []string{clientSecret, access1, access2, refresh1, refresh2}

// fakeTokenEndpoint stands in for Intuit's token endpoint. It checks each
// request the way Intuit documents it and answers with respond.
type fakeTokenEndpoint struct{ *fakeServer }

func newFakeTokenEndpoint(t *testing.T, respond func(refresh string) (int, string)) *fakeTokenEndpoint {
	t.Helper()
	return &fakeTokenEndpoint{newFakeServer(t, func(w http.ResponseWriter, r *http.Request, body string) {
		wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(clientID+":"+clientSecret))
		if r.Method != "POST" || r.Header.Get("Authorization") != wantAuth ||
			r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Errorf("token request: %s, auth %q, content type %q", r.Method, r.Header.Get("Authorization"), r.Header.Get("Content-Type"))
		}
		form, _ := url.ParseQuery(body)
		if form.Get("grant_type") != "refresh_token" || form.Has("client_secret") {
			t.Errorf("token request form: %v", form)
		}
		status, answer := respond(form.Get("refresh_token"))
		reply(w, status, "application/json", answer)
	})}
}

// refreshes returns the refresh tokens presented so far.
func (f *fakeTokenEndpoint) refreshes() []string {
	var presented []string
	for _, r := range f.requests() {
		form, _ := url.ParseQuery(r.Body)
		presented = append(presented, form.Get("refresh_token"))
	}
	return presented
}

// rotate answers every refresh with access2 and a rotated refresh token.
func rotate(string) (int, string) {
	return 200, `{"token_type":"bearer","access_token":"` + access2 + `","refresh_token":"` + refresh2 +
		`","expires_in":3600,"x_refresh_token_expires_in":8726400}`
}

// memStore is a TokenStore in memory that can be made to fail.
type memStore struct {
	mu    sync.Mutex
	saved []oauth2.Token
	realm string
	err   error
}

func (s *memStore) SaveToken(ctx context.Context, realmID string, tok *oauth2.Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.realm = realmID
	s.saved = append(s.saved, *tok)
	return nil
}

func (s *memStore) latest() oauth2.Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.saved) == 0 {
		return oauth2.Token{}
	}
	return s.saved[len(s.saved)-1]
}

// authRig wires a token endpoint, a store, a PersistingTokenSource and a
// Client on a fake QBO whose handler sees the bearer token.
type authRig struct {
	idp    *fakeTokenEndpoint
	store  *memStore
	src    oauth2.TokenSource
	api    *fakeServer
	client *Client
	logs   *bytes.Buffer
}

func newAuthRig(t *testing.T, current *oauth2.Token, respond func(string) (int, string),
	api func(w http.ResponseWriter, r *http.Request, bearer string)) *authRig {
	t.Helper()
	rig := &authRig{store: &memStore{}, logs: &bytes.Buffer{}}
	rig.idp = newFakeTokenEndpoint(t, respond)
	cfg := OAuthConfig(clientID, clientSecret, "", rig.idp.URL, "https://qbosync.example/callback")
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, rig.idp.Client())
	rig.src = PersistingTokenSource(ctx, cfg, "123", current, rig.store)
	rig.api = newFakeServer(t, func(w http.ResponseWriter, r *http.Request, _ string) {
		api(w, r, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	})
	rig.client = newTestClient(t, rig.api, func(o *Options) {
		o.HTTPClient = NewHTTPClient(rig.src)
		o.Logger = slog.New(slog.NewJSONHandler(rig.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	return rig
}

// noLeaks fails if any secret appears in the logs or in err.
func (rig *authRig) noLeaks(t *testing.T, err error) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(rig.logs.String(), s) {
			t.Errorf("log contains secret %q:\n%s", s, rig.logs)
		}
		if err != nil && strings.Contains(err.Error(), s) {
			t.Errorf("error contains secret %q: %v", s, err)
		}
	}
}

func expired(access, refresh string) *oauth2.Token {
	return &oauth2.Token{AccessToken: access, RefreshToken: refresh, TokenType: "bearer", Expiry: time.Now().Add(-time.Hour)}
}

func valid(access, refresh string) *oauth2.Token {
	return &oauth2.Token{AccessToken: access, RefreshToken: refresh, TokenType: "bearer", Expiry: time.Now().Add(time.Hour)}
}

func TestPersistingTokenSourceSavesBeforeUse(t *testing.T) {
	var savedWhenUsed []string
	var rig *authRig
	rig = newAuthRig(t, expired(access1, refresh1), rotate, func(w http.ResponseWriter, r *http.Request, bearer string) {
		// The moment QBO sees a token, it must already be in the store.
		savedWhenUsed = append(savedWhenUsed, rig.store.latest().AccessToken)
		if bearer != access2 {
			reply(w, 401, jsonCT, authFaultLower)
			return
		}
		reply(w, 200, jsonCT, customerResponse)
	})
	ctx := context.Background()
	for range 2 {
		if _, err := Get[Customer](ctx, rig.client, "59"); err != nil {
			t.Fatal(err)
		}
	}
	if got := rig.idp.refreshes(); len(got) != 1 || got[0] != refresh1 {
		t.Errorf("refreshes presented %v, want exactly one with the first refresh token", got)
	}
	if len(savedWhenUsed) != 2 || savedWhenUsed[0] != access2 {
		t.Errorf("store held %v when QBO saw the new token", savedWhenUsed)
	}
	saved := rig.store.latest()
	if saved.AccessToken != access2 || saved.RefreshToken != refresh2 || rig.store.realm != "123" ||
		time.Until(saved.Expiry) < 59*time.Minute {
		t.Errorf("saved %+v for realm %q", saved, rig.store.realm)
	}
	if len(rig.store.saved) != 1 {
		t.Errorf("saved %d times, want once", len(rig.store.saved))
	}
	rig.noLeaks(t, nil)
}

func TestPersistingTokenSourceFailsClosed(t *testing.T) {
	rig := newAuthRig(t, expired(access1, refresh1), rotate, func(w http.ResponseWriter, r *http.Request, bearer string) {
		reply(w, 200, jsonCT, customerResponse)
	})
	// A store error that, carelessly, quotes the token it failed to save.
	rig.store.err = errors.New("pq: connection refused while saving " + refresh2)
	ctx := context.Background()
	_, err := Get[Customer](ctx, rig.client, "59")
	e := asError(t, err)
	if e.Class != Transient || e.Ambiguous || !strings.Contains(e.Error(), "not used") {
		t.Errorf("err = %v (class %v)", e, e.Class)
	}
	if n := len(rig.api.requests()); n != 0 {
		t.Errorf("QBO saw %d requests with an unsaved token", n)
	}
	rig.noLeaks(t, err)

	// Once the store works again, the previous refresh token (still valid
	// for 24 hours at Intuit) is presented again and the new one saved.
	rig.store.err = nil
	if _, err := Get[Customer](ctx, rig.client, "59"); err != nil {
		t.Fatal(err)
	}
	if got := rig.idp.refreshes(); len(got) != 2 || got[1] != refresh1 {
		t.Errorf("refreshes presented %v", got)
	}
	if rig.store.latest().RefreshToken != refresh2 {
		t.Errorf("saved %+v", rig.store.latest())
	}
}

func TestPersistingTokenSourceInvalidGrant(t *testing.T) {
	invalidGrant := func(string) (int, string) {
		return 400, `{"error":"invalid_grant","error_description":"Incorrect or invalid refresh token"}`
	}
	rig := newAuthRig(t, expired(access1, refresh1), invalidGrant, func(w http.ResponseWriter, r *http.Request, bearer string) {
		reply(w, 200, jsonCT, customerResponse)
	})
	_, err := Get[Customer](context.Background(), rig.client, "59")
	e := asError(t, err)
	if e.Class != Auth || e.Code != "invalid_grant" || e.HTTPStatus != 400 || e.IntuitTID != "1-tid-test" || IsAmbiguous(err) {
		t.Errorf("err = %v: class %v code %q status %d tid %q", e, e.Class, e.Code, e.HTTPStatus, e.IntuitTID)
	}
	if !strings.Contains(e.Explanation(), "reconnect QuickBooks") {
		t.Errorf("Explanation() = %q", e.Explanation())
	}
	if !errors.As(err, new(*oauth2.RetrieveError)) {
		t.Errorf("the oauth2 error is not kept as the cause")
	}
	if len(rig.api.requests()) != 0 || len(rig.store.saved) != 0 {
		t.Errorf("requests %d, saves %d after a refused refresh", len(rig.api.requests()), len(rig.store.saved))
	}
	rig.noLeaks(t, err)
}

func TestTokenEndpointErrors(t *testing.T) {
	tests := []struct {
		status int
		body   string
		class  Class
	}{
		{500, `{"error":"server_error"}`, Transient},
		{503, `<html>down</html>`, Transient},
		{401, `{"error":"invalid_client"}`, Bug},
		{400, `{"error":"invalid_request","error_description":"bad ` + refresh1 + `"}`, Bug},
	}
	for _, tt := range tests {
		idp := newFakeTokenEndpoint(t, func(string) (int, string) { return tt.status, tt.body })
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, idp.Client())
		src := PersistingTokenSource(ctx, OAuthConfig(clientID, clientSecret, "", idp.URL, ""), "123", expired(access1, refresh1), &memStore{})
		_, err := src.Token()
		if ClassOf(err) != tt.class {
			t.Errorf("%d %s: %v, class %v, want %v", tt.status, tt.body, err, ClassOf(err), tt.class)
		}
		for _, s := range secrets {
			if strings.Contains(err.Error(), s) {
				t.Errorf("error contains %q: %v", s, err)
			}
		}
	}

	// The token endpoint cannot be reached at all.
	idp := newFakeTokenEndpoint(t, rotate)
	idp.Close()
	src := PersistingTokenSource(context.Background(), OAuthConfig(clientID, clientSecret, "", idp.URL, ""), "123", expired(access1, refresh1), &memStore{})
	if _, err := src.Token(); ClassOf(err) != Transient {
		t.Errorf("unreachable: %v, class %v", err, ClassOf(err))
	}

	// Without a refresh token there is nothing to refresh with.
	src = PersistingTokenSource(context.Background(), OAuthConfig(clientID, clientSecret, "", idp.URL, ""), "123", nil, &memStore{})
	if _, err := src.Token(); ClassOf(err) != Auth {
		t.Errorf("no token: %v, class %v", err, ClassOf(err))
	}
}

func TestPersistingTokenSourceKeepsRefreshToken(t *testing.T) {
	noRefresh := func(string) (int, string) {
		return 200, `{"token_type":"bearer","access_token":"` + access2 + `","expires_in":3600}`
	}
	idp := newFakeTokenEndpoint(t, noRefresh)
	store := &memStore{}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, idp.Client())
	src := PersistingTokenSource(ctx, OAuthConfig(clientID, clientSecret, "", idp.URL, ""), "123", expired(access1, refresh1), store)
	tok, err := src.Token()
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != access2 || tok.RefreshToken != refresh1 || store.latest().RefreshToken != refresh1 {
		t.Errorf("token %+v, saved %+v; the refresh token must be kept", tok, store.latest())
	}
}

func TestPersistingTokenSourceConcurrent(t *testing.T) {
	slowRotate := func(r string) (int, string) {
		time.Sleep(50 * time.Millisecond) // widen the window for a second refresh
		return rotate(r)
	}
	idp := newFakeTokenEndpoint(t, slowRotate)
	store := &memStore{}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, idp.Client())
	src := PersistingTokenSource(ctx, OAuthConfig(clientID, clientSecret, "", idp.URL, ""), "123", expired(access1, refresh1), store)
	var wg sync.WaitGroup
	tokens := make([]string, 20)
	for i := range tokens {
		wg.Go(func() {
			tok, err := src.Token()
			if err != nil {
				t.Error(err)
				return
			}
			tokens[i] = tok.AccessToken
		})
	}
	wg.Wait()
	if n := len(idp.refreshes()); n != 1 {
		t.Errorf("%d refreshes for 20 concurrent callers, want 1", n)
	}
	for i, tok := range tokens {
		if tok != access2 {
			t.Errorf("caller %d got %q", i, tok)
		}
	}
	if len(store.saved) != 1 {
		t.Errorf("saved %d times", len(store.saved))
	}
}

// TestUnauthorizedRefreshesOnce: QBO answers 401 to an access token that
// has not expired yet; the transport refreshes once and resends the same
// request, body and request ID included.
func TestUnauthorizedRefreshesOnce(t *testing.T) {
	rig := newAuthRig(t, valid(access1, refresh1), rotate, func(w http.ResponseWriter, r *http.Request, bearer string) {
		if bearer != access2 {
			reply(w, 401, jsonCT, authFaultLower)
			return
		}
		reply(w, 200, jsonCT, customerResponse)
	})
	var out Customer
	err := rig.client.Create(context.Background(), "Customer", Customer{DisplayName: "Smith v. Jones (2024-001)"}, RequestID("m", "1"), &out)
	if err != nil || out.ID != "59" {
		t.Fatalf("create: %v, %+v", err, out)
	}
	reqs := rig.api.requests()
	if len(reqs) != 2 {
		t.Fatalf("QBO saw %d requests, want 2", len(reqs))
	}
	if reqs[0].Body != reqs[1].Body || reqs[1].Body == "" ||
		reqs[0].Query.Get("requestid") != reqs[1].Query.Get("requestid") {
		t.Errorf("the retry differs: %q %v / %q %v", reqs[0].Body, reqs[0].Query, reqs[1].Body, reqs[1].Query)
	}
	if got := rig.idp.refreshes(); len(got) != 1 || rig.store.latest().AccessToken != access2 {
		t.Errorf("refreshes %v, saved %+v", got, rig.store.latest())
	}
	rig.noLeaks(t, nil)
}

func TestUnauthorizedGivesUp(t *testing.T) {
	rig := newAuthRig(t, valid(access1, refresh1), rotate, func(w http.ResponseWriter, r *http.Request, bearer string) {
		reply(w, 401, jsonCT, authFaultLower)
	})
	err := rig.client.Create(context.Background(), "Customer", Customer{DisplayName: "x"}, RequestID("m", "1"), nil)
	e := asError(t, err)
	if e.Class != Auth || e.Code != "3200" || e.HTTPStatus != 401 || e.Ambiguous {
		t.Errorf("err = %v, class %v", e, e.Class)
	}
	if n, r := len(rig.api.requests()), len(rig.idp.refreshes()); n != 2 || r != 1 {
		t.Errorf("%d requests and %d refreshes; want 2 and 1", n, r)
	}
	rig.noLeaks(t, err)
}

func TestUnauthorizedWithoutInvalidator(t *testing.T) {
	api := newFakeServer(t, answer(401, jsonCT, authFaultLower))
	c := newTestClient(t, api, func(o *Options) {
		o.HTTPClient = NewHTTPClient(oauth2.StaticTokenSource(valid(access1, refresh1)))
	})
	err := c.Read(context.Background(), "Customer", "1", nil)
	if ClassOf(err) != Auth || len(api.requests()) != 1 {
		t.Errorf("%v after %d requests", err, len(api.requests()))
	}
	if api.requests()[0].Header.Get("Authorization") != "Bearer "+access1 {
		t.Errorf("Authorization = %q", api.requests()[0].Header.Get("Authorization"))
	}
}

// TestTransportNoReplayWithoutGetBody: a body that cannot be replayed is
// not resent; the 401 goes back to the caller.
func TestTransportNoReplayWithoutGetBody(t *testing.T) {
	rig := newAuthRig(t, valid(access1, refresh1), rotate, func(w http.ResponseWriter, r *http.Request, bearer string) {
		reply(w, 401, jsonCT, authFaultLower)
	})
	hc := NewHTTPClient(rig.src)
	req, _ := http.NewRequest("POST", rig.api.URL+"/v3/company/123/customer", io.NopCloser(strings.NewReader("{}")))
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 || len(rig.api.requests()) != 1 || len(rig.idp.refreshes()) != 0 {
		t.Errorf("status %d, %d requests, %d refreshes", res.StatusCode, len(rig.api.requests()), len(rig.idp.refreshes()))
	}
}

func TestOAuthConfig(t *testing.T) {
	cfg := OAuthConfig(clientID, clientSecret, "", "", "https://qbosync.example/callback")
	if cfg.Endpoint.AuthURL != AuthURL || cfg.Endpoint.TokenURL != TokenURL ||
		cfg.Endpoint.AuthStyle != oauth2.AuthStyleInHeader || len(cfg.Scopes) != 1 || cfg.Scopes[0] != ScopeAccounting {
		t.Errorf("config = %+v", cfg)
	}
	u := cfg.AuthCodeURL("state-1")
	for _, want := range []string{"https://appcenter.intuit.com/connect/oauth2?", "client_id=app-client-id",
		"scope=com.intuit.quickbooks.accounting", "response_type=code", "state=state-1", "redirect_uri=https%3A%2F%2Fqbosync.example%2Fcallback"} {
		if !strings.Contains(u, want) {
			t.Errorf("AuthCodeURL %s lacks %s", u, want)
		}
	}
	cfg = OAuthConfig(clientID, clientSecret, "http://127.0.0.1:8089/authorize", "http://127.0.0.1:8089/token", "")
	if cfg.Endpoint.AuthURL != "http://127.0.0.1:8089/authorize" || cfg.Endpoint.TokenURL != "http://127.0.0.1:8089/token" {
		t.Errorf("overrides ignored: %+v", cfg.Endpoint)
	}
}

func TestRevoke(t *testing.T) {
	var status int
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		var in struct{ Token string }
		json.NewDecoder(r.Body).Decode(&in)
		if !ok || user != clientID || pass != clientSecret || in.Token != refresh1 ||
			r.Header.Get("Content-Type") != "application/json" || r.Header.Get("Accept") != "application/json" {
			t.Errorf("revoke request: %v %v %q %v", user, ok, in.Token, r.Header)
		}
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	defer srv.Close()
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, srv.Client())

	status, body = 200, ""
	if err := Revoke(ctx, srv.URL, clientID, clientSecret, refresh1); err != nil {
		t.Errorf("200: %v", err)
	}
	status, body = 400, "token "+refresh1+" is not valid"
	err := Revoke(ctx, srv.URL, clientID, clientSecret, refresh1)
	if ClassOf(err) != Bug || strings.Contains(err.Error(), refresh1) || !strings.Contains(err.Error(), "[redacted] is not valid") {
		t.Errorf("400: %v", err)
	}
	status, body = 503, ""
	if err := Revoke(ctx, srv.URL, clientID, clientSecret, refresh1); ClassOf(err) != Transient {
		t.Errorf("503: %v", err)
	}
}
