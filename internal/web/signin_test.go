package web

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// signInServer is a web server over a fake console with sessions in memory.
func signInServer(t *testing.T) (*httptest.Server, *Sessions) {
	t.Helper()
	sessions, err := NewSessions(bytes.Repeat([]byte{5}, 32), &memSessions{})
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{Console: &fakeConsole{}, Sessions: sessions, Log: slog.New(slog.DiscardHandler), CallbackPath: "/oauth/callback"}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts, sessions
}

// browser is a cookie jar that does not follow redirects, and its last page.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	page string
	code int
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, path string, form url.Values) {
	b.t.Helper()
	req, _ := http.NewRequest(method, b.base+path, strings.NewReader(form.Encode()))
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(res.Body)
	b.page, b.code = buf.String(), res.StatusCode
}

var hiddenRE = regexp.MustCompile(`name="(\w+)" value="([^"]*)"`)

// press posts the last page's form (its hidden fields) to path.
func (b *browser) press(path string) {
	b.t.Helper()
	form := url.Values{}
	for _, m := range hiddenRE.FindAllStringSubmatch(b.page, -1) {
		form.Set(m[1], strings.ReplaceAll(m[2], "&#43;", "+"))
	}
	b.do(http.MethodPost, path, form)
}

// signIn opens a sign-in link for firm and presses the confirmation page's button.
func (b *browser) signIn(s *Sessions, firm int64) {
	b.t.Helper()
	login, _ := s.LoginToken(firm, time.Minute)
	b.do(http.MethodGet, "/login?token="+url.QueryEscape(login), nil)
	b.press("/login")
	if b.code != http.StatusSeeOther {
		b.t.Fatalf("sign-in: %d %s", b.code, b.page)
	}
}

// session is the browser's session token, from its cookie.
func (b *browser) session() string {
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == cookieName {
			return c.Value
		}
	}
	return ""
}

// firmSeen is the firm whose console a session token sees, or the refusal's status.
func firmSeen(t *testing.T, base, token string) (int64, int) {
	t.Helper()
	res, body := request(t, "GET", base+"/api/sync", token, nil, "")
	var v struct {
		Status struct {
			FirmID int64 `json:"firm_id"`
		} `json:"status"`
	}
	_ = json.Unmarshal([]byte(body), &v)
	return v.Status.FirmID, res.StatusCode
}

func apiSession(t *testing.T, base string, s *Sessions, firm int64) string {
	t.Helper()
	login, _ := s.LoginToken(firm, time.Minute)
	res, body := request(t, "POST", base+"/api/session", "", strings.NewReader(`{"login_token":"`+login+`"}`), "application/json")
	var v struct {
		SessionToken string `json:"session_token"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/session: %d %s", res.StatusCode, body)
	}
	return v.SessionToken
}

// Signing out ends the session on the server: its token is refused afterwards, from
// the cookie or copied into a bearer header, and so is a bearer session from
// /api/session after DELETE /api/session.
func TestSignOutRevokesTheSession(t *testing.T) {
	ts, s := signInServer(t)
	b := newBrowser(t, ts.URL)
	b.signIn(s, 7)
	token := b.session()
	if firm, code := firmSeen(t, ts.URL, token); firm != 7 || code != http.StatusOK {
		t.Fatalf("signed in: firm %d, %d", firm, code)
	}
	b.do(http.MethodGet, "/sync", nil)
	b.press("/logout")
	if b.code != http.StatusOK || !strings.Contains(b.page, "Signed out") {
		t.Fatalf("sign out: %d %s", b.code, b.page)
	}
	wantRefused(t, ts.URL, "the signed-out session's token", token)
	kept := newBrowser(t, ts.URL)
	u, _ := url.Parse(ts.URL)
	kept.c.Jar.SetCookies(u, []*http.Cookie{{Name: cookieName, Value: token}})
	if kept.do(http.MethodGet, "/sync", nil); kept.code != http.StatusUnauthorized {
		t.Errorf("the signed-out session's cookie: %d", kept.code)
	}

	bearer := apiSession(t, ts.URL, s, 7)
	if res, body := request(t, "DELETE", ts.URL+"/api/session", bearer, nil, ""); res.StatusCode != http.StatusOK {
		t.Fatalf("DELETE /api/session: %d %s", res.StatusCode, body)
	}
	wantRefused(t, ts.URL, "the signed-out bearer token", bearer)
}

// wantRefused checks that session tokens no longer open anything.
func wantRefused(t *testing.T, base, what string, tokens ...string) {
	t.Helper()
	for i, tok := range tokens {
		if tok == "" {
			t.Fatalf("%s %d: no token to try", what, i)
		}
		if _, code := firmSeen(t, base, tok); code != http.StatusUnauthorized {
			t.Errorf("%s %d still works: %d", what, i, code)
		}
	}
}

// "Sign out everywhere" ends every session of the firm, browsers' and API clients',
// and no other firm's; the API's DELETE /api/sessions does the same.
func TestSignOutEverywhere(t *testing.T) {
	ts, s := signInServer(t)
	b := newBrowser(t, ts.URL)
	b.signIn(s, 7)
	other, bearer, firm8 := newBrowser(t, ts.URL), apiSession(t, ts.URL, s, 7), apiSession(t, ts.URL, s, 8)
	other.signIn(s, 7)
	mine := []string{b.session(), other.session(), bearer}
	b.do(http.MethodGet, "/sync", nil)
	if !strings.Contains(b.page, `action="/logout/everywhere"`) {
		t.Fatal("the console has no sign out everywhere button")
	}
	b.press("/logout/everywhere")
	if b.code != http.StatusOK || !strings.Contains(b.page, "every session of the firm has ended (3, this one included)") {
		t.Fatalf("sign out everywhere: %d %s", b.code, b.page)
	}
	wantRefused(t, ts.URL, "a session of the firm", mine...)
	if firm, code := firmSeen(t, ts.URL, firm8); firm != 8 || code != http.StatusOK {
		t.Errorf("another firm's session ended: %d %d", firm, code)
	}
	if res, body := request(t, "DELETE", ts.URL+"/api/sessions", firm8, nil, ""); res.StatusCode != http.StatusOK || !strings.Contains(body, `"revoked":1`) {
		t.Errorf("DELETE /api/sessions: %d %s", res.StatusCode, body)
	}
	wantRefused(t, ts.URL, "after DELETE /api/sessions, the session", firm8)
}

// A sign-in link opened in a browser signed in to another firm does not switch it: the
// page says which firm it is signed in to and which the button would sign in to, and
// the link is used only when the button is pressed on that page. A post of the link
// from elsewhere (no confirmation cookie) is refused and leaves the link unused.
func TestASignInLinkDoesNotSwitchTheBrowserWithoutAClick(t *testing.T) {
	ts, s := signInServer(t)
	b := newBrowser(t, ts.URL)
	b.signIn(s, 7)
	before := b.session()
	login, _ := s.LoginToken(8, time.Minute)
	b.do(http.MethodGet, "/login?token="+url.QueryEscape(login), nil)
	want := "You are signed in to Firm No. 7 LLP (firm 7); continuing will sign you in to Firm No. 8 LLP (firm 8) instead."
	if b.code != http.StatusOK || !strings.Contains(b.page, want) || !strings.Contains(b.page, `<form method="post" action="/login">`) {
		t.Fatalf("the link's page: %d %s", b.code, b.page)
	}
	if firm, _ := firmSeen(t, ts.URL, b.session()); firm != 7 || b.session() != before {
		t.Fatalf("opening the link switched the browser to firm %d", firm)
	}

	forger := newBrowser(t, ts.URL) // another site's form: it has the page's fields, not the cookie
	forger.page = b.page
	forger.press("/login")
	if forger.code != http.StatusForbidden || forger.session() != "" {
		t.Errorf("a post without the confirmation cookie: %d %s", forger.code, forger.page)
	}

	b.press("/login")
	if b.code != http.StatusSeeOther {
		t.Fatalf("pressing the button: %d %s", b.code, b.page)
	}
	if firm, _ := firmSeen(t, ts.URL, b.session()); firm != 8 {
		t.Errorf("after the button the browser sees firm %d", firm)
	}
	wantRefused(t, ts.URL, "the browser's previous session", before)
	b.do(http.MethodGet, "/login?token="+url.QueryEscape(login), nil)
	b.press("/login")
	if b.code != http.StatusUnauthorized || !strings.Contains(b.page, "used already") {
		t.Errorf("the link worked twice: %d %s", b.code, b.page)
	}
}
