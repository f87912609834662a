package e2e_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/app"
	"github.com/qbosync/qbosync/internal/connect"
	"github.com/qbosync/qbosync/internal/qbosim"
	"github.com/qbosync/qbosync/internal/web"
	"github.com/qbosync/qbosync/workflows/setupapi"
)

// webStack is the setup stack with the wizard's web server in front of it.
type webStack struct {
	*setupStack
	URL      string
	Sessions *web.Sessions
}

const callbackPath = "/oauth/callback"

func newWebStack(t *testing.T) *webStack {
	t.Helper()
	s := &webStack{setupStack: newSetupStack(t)}
	sessions, err := web.NewSessions(s.key, s.Store)
	must(t, err)
	s.Sessions = sessions
	oauth := *s.factory.OAuth()
	srv := &web.Server{
		Wizard:       s.wizard,
		Console:      &app.Console{Store: s.Store, Temporal: s.Temporal, TaskQueue: s.queue},
		Connect:      &connect.Flow{OAuth: &oauth, APIBaseURL: s.qbo.APIBaseURL, Store: s.Store},
		Sessions:     sessions,
		Log:          s.logger(),
		CallbackPath: callbackPath,
		// The sandbox's sign-in page: the one place besides the wizard a form may lead
		// (a browser enforces the policy's form-action on the redirect there too).
		SignInOrigin: strings.TrimSuffix(s.qbo.AuthURL, "/connect/oauth2"),
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	oauth.RedirectURL = ts.URL + callbackPath
	s.URL = ts.URL
	return s
}

// user is a browser without a browser: a cookie jar and the last page.
type user struct {
	t    *testing.T
	s    *webStack
	http *http.Client
	page string
	code int
}

func (s *webStack) newUser(t *testing.T) *user {
	jar, _ := cookiejar.New(nil)
	return &user{t: t, s: s, http: &http.Client{Jar: jar, Timeout: time.Minute}}
}

// signIn follows a fresh sign-in link for firm, as `starter web-login` prints it, and
// presses the confirmation page's button.
func (u *user) signIn(firm int64) {
	u.t.Helper()
	tok, _ := u.s.Sessions.LoginToken(firm, 0)
	u.follow(tok)
	if u.code != http.StatusOK {
		u.t.Fatalf("sign-in: %d %s", u.code, u.page)
	}
}

var loginFieldRE = regexp.MustCompile(`name="(token|confirm)" value="([^"]*)"`)

// follow opens a sign-in link and presses the button of the page it shows (a link
// alone signs nobody in).
func (u *user) follow(tok string) {
	u.t.Helper()
	u.get("/login?token=" + url.QueryEscape(tok))
	u.wantPage(http.StatusOK, "Continue to the setup")
	form := url.Values{}
	for _, m := range loginFieldRE.FindAllStringSubmatch(u.page, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	u.post("/login", form)
}

func (u *user) do(req *http.Request) {
	u.t.Helper()
	res, err := u.http.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	u.page, u.code = string(b), res.StatusCode
}

func (u *user) get(path string) {
	u.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u.s.URL+path, nil)
	u.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the anti-forgery value of the last page.
func (u *user) csrf() string {
	m := csrfRE.FindStringSubmatch(u.page)
	if m == nil {
		return ""
	}
	return m[1]
}

// post submits a form of the last page (its anti-forgery value included).
func (u *user) post(path string, form url.Values) {
	u.t.Helper()
	if form.Get("csrf") == "" {
		form.Set("csrf", u.csrf())
	}
	req, _ := http.NewRequest(http.MethodPost, u.s.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	u.do(req)
}

// api calls the JSON API with the session cookie.
func (u *user) api(method, path string, body any) {
	u.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, u.s.URL+path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	u.do(req)
}

func (u *user) wantPage(code int, says ...string) {
	u.t.Helper()
	if u.code != code {
		u.t.Fatalf("got %d, want %d:\n%s", u.code, code, u.page)
	}
	for _, s := range says {
		if !strings.Contains(u.page, s) {
			u.t.Fatalf("the page does not say %q:\n%s", s, u.page)
		}
	}
}

// connectQuickBooks presses Connect and approves on the sandbox's consent page; the
// sandbox sends the user back to the wizard's callback.
func (u *user) connectQuickBooks() {
	u.t.Helper()
	noFollow := *u.http
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	form := url.Values{"csrf": {u.csrf()}}
	req, _ := http.NewRequest(http.MethodPost, u.s.URL+"/setup/connect", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := noFollow.Do(req)
	must(u.t, err)
	res.Body.Close()
	authURL := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(authURL, "/connect/oauth2") {
		u.t.Fatalf("connect answered %s %q", res.Status, authURL)
	}
	must(u.t, qbosim.Approve(context.Background(), u.http, authURL, ""))
	u.get("/setup")
}

// TestSetupWebWizardAndFirmIsolation walks the wizard's pages and JSON API for one
// firm, and checks that another firm's session can neither see nor change it through
// any route.
func TestSetupWebWizardAndFirmIsolation(t *testing.T) {
	s := newWebStack(t)
	firmA, firmB := s.seedFirm(5), s.seedFirm(6)
	var nameA string
	must(t, s.DB.Get(&nameA, `SELECT name FROM firms WHERE id = $1`, firmA))

	anon := s.newUser(t)
	for _, path := range []string{"/setup", "/setup/print", "/api/setup", "/api/setup/summary"} {
		anon.get(path)
		if anon.code != http.StatusUnauthorized {
			t.Errorf("GET %s without a session: %d", path, anon.code)
		}
	}

	a := s.newUser(t)
	tok, _ := s.Sessions.LoginToken(firmA, 0)
	a.follow(tok)
	a.wantPage(http.StatusOK, "Start the setup")
	again := s.newUser(t)
	again.follow(tok)
	again.wantPage(http.StatusUnauthorized, "used already")

	a.post("/setup/start", url.Values{"csrf": {"forged"}})
	a.wantPage(http.StatusForbidden)
	a.get("/setup")
	a.post("/setup/start", url.Values{})
	a.wantPage(http.StatusOK, "Connect to QuickBooks", nameA)
	a.connectQuickBooks()
	a.wantPage(http.StatusOK, "Choose how to set up", "Sandbox Company")

	a.post("/setup", url.Values{"action": {setupapi.ActionChooseMode}})
	a.wantPage(http.StatusUnprocessableEntity, `role="alert">choose &#34;default&#34; (the recommended settings)`)
	a.post("/setup", url.Values{"action": {setupapi.ActionChooseMode}, "mode": {"default"}})
	a.wantPage(http.StatusOK, "Sync start date")
	// A section sent through the API without a field keeps the field's stored value
	// (here "sync all unpaid invoices", true by default), never its zero value.
	a.api(http.MethodPost, "/api/setup/actions/save", map[string]any{"step": "sync_options",
		"answers": map[string]any{"sync_options": map[string]string{"start_date": "2025-05-01"}}})
	var saved struct {
		State setupapi.State `json:"state"`
	}
	must(t, json.Unmarshal([]byte(a.page), &saved))
	if so := saved.State.Settings.SyncOptions; a.code != http.StatusOK || so.StartDate != "2025-05-01" || !so.SyncAllUnpaidInvoices {
		t.Fatalf("a partial section: %d, sync options %+v; want the date saved and unpaid invoices still synced\n%s", a.code, so, a.page)
	}
	a.get("/setup")
	a.post("/setup", url.Values{"action": {setupapi.ActionNext}, "step": {"sync_options"},
		"sync_options.start_date": {"2025-13-01"}, "sync_options.sync_all_unpaid_invoices": {"false", "true"}})
	a.wantPage(http.StatusUnprocessableEntity, `value="2025-13-01"`, "is not a date in YYYY-MM-DD form")
	if !regexp.MustCompile(`(?s)class="field has-error" data-field="sync_options.start_date".*?is not a date`).MatchString(a.page) {
		t.Error("the refusal is not shown next to the start date")
	}
	a.post("/setup", url.Values{"action": {setupapi.ActionNext}, "step": {"sync_options"},
		"sync_options.start_date": {"2025-06-01"}, "sync_options.sync_all_unpaid_invoices": {"false", "true"}})
	a.wantPage(http.StatusOK, "What the first sync will post", "Customers (clients)", "Legal Fee Income")

	// The JSON API sees the same setup.
	a.api(http.MethodGet, "/api/setup", nil)
	var got struct {
		State setupapi.State `json:"state"`
	}
	must(t, json.Unmarshal([]byte(a.page), &got))
	if got.State.FirmID != firmA || got.State.Step != setupapi.StepReview || got.State.Preview == nil {
		t.Fatalf("API state = %d %+v", a.code, got.State)
	}
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/setup/actions/cancel", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "text/plain") // what a form on another site could send
	a.do(req)
	a.wantPage(http.StatusUnsupportedMediaType)
	a.api(http.MethodPost, "/api/setup/actions/next", setupapi.Action{})
	a.wantPage(http.StatusUnprocessableEntity, `"field":"next"`, "last step")

	// Firm B signs in: through every route it finds only its own (absent) setup.
	b := s.newUser(t)
	b.signIn(firmB)
	b.wantPage(http.StatusOK, "Start the setup")
	for _, path := range []string{"/setup", fmt.Sprintf("/setup?firm=%d", firmA), "/setup/print", "/api/setup", "/api/setup/summary",
		fmt.Sprintf("/api/setup?firm_id=%d", firmA)} {
		b.get(path)
		if strings.Contains(b.page, nameA) || strings.Contains(b.page, s.Realm) {
			t.Errorf("firm B sees firm A's setup at %s", path)
		}
	}
	b.get("/setup")
	b.post("/setup", url.Values{"action": {setupapi.ActionCancel}})
	b.api(http.MethodPost, "/api/setup/actions/cancel", setupapi.Action{})
	b.wantPage(http.StatusNotFound)
	b.api(http.MethodPost, "/api/setup/actions/submit", setupapi.Action{})
	b.wantPage(http.StatusNotFound)
	// B cannot act with A's page (A's anti-forgery value) ...
	b.post("/setup", url.Values{"action": {setupapi.ActionCancel}, "csrf": {a.csrf()}})
	b.wantPage(http.StatusForbidden)
	// ... nor complete a QuickBooks sign-in A began.
	stateA := beginConnect(t, s, a)
	b.get(callbackPath + "?state=" + url.QueryEscape(stateA) + "&code=whatever&realmId=" + s.Realm)
	b.wantPage(http.StatusBadRequest, "does not match a connection this firm started")
	// ... and neither can another session of firm A: the state belongs to the session
	// that pressed Connect.
	a2 := s.newUser(t)
	a2.signIn(firmA)
	a2.get(callbackPath + "?state=" + url.QueryEscape(beginConnect(t, s, a)) + "&code=whatever&realmId=" + s.Realm)
	a2.wantPage(http.StatusBadRequest, "started in another session")
	// ... nor forge a session for A by changing the firm in its own.
	forged := s.newUser(t)
	forged.http.Jar.SetCookies(mustURL(t, s.URL), []*http.Cookie{{Name: "qbosync_session", Value: reFirm(t, b.cookie(), firmA)}})
	forged.get("/api/setup")
	forged.wantPage(http.StatusUnauthorized)
	// An expired session is refused.
	s.Sessions.Now = func() time.Time { return time.Now().Add(web.DefaultSessionTTL + time.Minute) }
	a.get("/api/setup")
	a.wantPage(http.StatusUnauthorized)
	s.Sessions.Now = time.Now

	st, err := s.wizard.State(t.Context(), firmA)
	must(t, err)
	if st.Cancelled || st.Step != setupapi.StepReview || st.Company.RealmID != s.Realm {
		t.Fatalf("firm B changed firm A's setup: %+v", st)
	}
	if _, err := s.wizard.State(t.Context(), firmB); err != web.ErrNoSetup {
		t.Fatalf("firm B has a setup: %v", err)
	}

	// A submits; afterwards every change is refused with the reason.
	a.get("/setup")
	a.post("/setup", url.Values{"action": {setupapi.ActionSubmit}})
	a.wantPage(http.StatusOK, "The settings were submitted and are frozen", "Link a different QuickBooks company")
	a.post("/setup", url.Values{"action": {setupapi.ActionBack}})
	a.wantPage(http.StatusUnprocessableEntity, "Only linking a different QuickBooks company starts a new setup")
	a.get("/setup/print")
	a.wantPage(http.StatusOK, "QuickBooks Online integration settings", "Submitted", "Trust bank accounts and deposit slips", "2025-06-01")
	a.get("/api/setup/summary")
	a.wantPage(http.StatusOK, "8. Sync options")
}

// beginConnect starts a QuickBooks sign-in for u's firm and returns its state value.
func beginConnect(t *testing.T, s *webStack, u *user) string {
	t.Helper()
	u.api(http.MethodPost, "/api/setup/connect", map[string]string{})
	var out struct {
		AuthorizeURL string `json:"authorize_url"`
	}
	must(t, json.Unmarshal([]byte(u.page), &out))
	au, err := url.Parse(out.AuthorizeURL)
	must(t, err)
	return au.Query().Get("state")
}

func (u *user) cookie() string {
	for _, c := range u.http.Jar.Cookies(mustURL(u.t, u.s.URL)) {
		if c.Name == "qbosync_session" {
			return c.Value
		}
	}
	u.t.Fatal("no session cookie")
	return ""
}

// reFirm changes the firm in a session token's claim, keeping its signature.
func reFirm(t *testing.T, token string, firm int64) string {
	payload, sig, _ := strings.Cut(token, ".")
	b, err := base64.RawURLEncoding.DecodeString(payload)
	must(t, err)
	var c map[string]any
	must(t, json.Unmarshal(b, &c))
	c["f"] = firm
	b, _ = json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b) + "." + sig
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	must(t, err)
	return u
}
