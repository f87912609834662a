package web

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/workflows/setupapi"
)

//go:embed templates/*.html
var templateFiles embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"modeLabel":   settings.ModeLabel,
	"join":        strings.Join,
	"statusWords": statusWords,
}).ParseFS(templateFiles, "templates/*.html"))

// cookieName holds the session token.
const cookieName = "qbosync_session"

// actionTimeout bounds how long a request waits for the workflow to answer.
const actionTimeout = 30 * time.Second

// Connector signs a firm in to QuickBooks (internal/connect.Flow is the one): BeginFor
// returns the QuickBooks page to send the firm to; FinishFor completes the sign-in from
// QuickBooks' redirect and returns the connected company's id. Both name the web
// session (SessionID): only the session that began a connection can complete it.
type Connector interface {
	BeginFor(ctx context.Context, firmID int64, session []byte) (string, error)
	FinishFor(ctx context.Context, firmID int64, session []byte, state, code, realmID string) (string, error)
}

// Server is the wizard's web server.
type Server struct {
	Wizard  *Wizard
	Connect Connector
	// Console is the firm's sync, for the console; nil serves the wizard alone.
	Console  Console
	Sessions *Sessions
	Log      *slog.Logger
	// CallbackPath is where QuickBooks sends the sign-in back: the path of the
	// configured qbo.redirect_url.
	CallbackPath string
	// SecureCookies marks the session cookie Secure; set it when served over HTTPS.
	SecureCookies bool
	// SignInOrigin is QuickBooks' sign-in page's origin (scheme://host of
	// qbo.auth_url): the one place besides this server a form may lead to.
	SignInOrigin string
}

// maxBody caps every request body: forms and JSON are a few kilobytes; a megabyte of
// field would otherwise travel into a workflow update and fail its task.
const maxBody = 64 << 10

// Handler routes the pages, the OAuth callback and the JSON API. Every route but the
// sign-in takes the firm from the session, never from the request.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/setup", http.StatusSeeOther) })
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /login", s.showLogin)
	mux.HandleFunc("POST /login", s.postLogin)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("POST /logout/everywhere", s.page(s.logoutEverywhere))
	mux.HandleFunc("GET /setup", s.page(s.showSetup))
	mux.HandleFunc("POST /setup", s.page(s.postAction))
	mux.HandleFunc("POST /setup/start", s.page(s.postStart))
	mux.HandleFunc("POST /setup/connect", s.page(s.postConnect))
	mux.HandleFunc("GET /setup/print", s.page(s.showPrint))
	mux.HandleFunc("GET "+s.CallbackPath, s.page(s.callback))
	if s.Console != nil {
		s.consoleRoutes(mux)
	}

	mux.HandleFunc("POST /api/session", s.apiSession)
	mux.HandleFunc("DELETE /api/session", s.api(s.apiLogout))
	mux.HandleFunc("DELETE /api/sessions", s.api(s.apiLogoutEverywhere))
	mux.HandleFunc("GET /api/setup", s.api(s.apiState))
	mux.HandleFunc("POST /api/setup/start", s.api(s.apiStart))
	mux.HandleFunc("POST /api/setup/connect", s.api(s.apiConnect))
	mux.HandleFunc("POST /api/setup/actions/{action}", s.api(s.apiAction))
	mux.HandleFunc("GET /api/setup/summary", s.api(s.apiSummary))
	return s.securityHeaders(mux)
}

// securityHeaders keeps the pages out of frames and other sites' scripts, lets a form
// lead only here or to QuickBooks' sign-in, and caps request bodies.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	formAction := "'self'"
	if s.SignInOrigin != "" {
		formAction += " " + s.SignInOrigin
	}
	csp := "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action " + formAction
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", csp)
		h.Set("Cache-Control", "no-store")
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		next.ServeHTTP(w, r)
	})
}

// session is a signed-in request: the firm it may see, and its token.
type session struct {
	firm  int64
	token string
	// cookie is true when the token came in the cookie; such requests need a
	// CSRF check (forms) or a JSON body (API), which other sites cannot send.
	cookie bool
}

// authenticate finds the session of a request: the cookie, or an Authorization
// bearer token (the JSON API from a practice system's back end). An error other than
// ErrNoSession and ErrBadToken means the sessions could not be read.
func (s *Server) authenticate(r *http.Request) (session, error) {
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		tok = strings.TrimSpace(tok)
		firm, err := s.Sessions.Firm(r.Context(), tok)
		return session{firm: firm, token: tok}, err
	}
	c, err := r.Cookie(cookieName)
	if err != nil {
		return session{}, ErrNoSession
	}
	firm, err := s.Sessions.Firm(r.Context(), c.Value)
	return session{firm: firm, token: c.Value, cookie: true}, err
}

// signedOut reports whether an authenticate error means "no live session" rather
// than a failure to read the sessions.
func signedOut(err error) bool {
	return errors.Is(err, ErrNoSession) || errors.Is(err, ErrBadToken)
}

func (s *Server) setCookie(w http.ResponseWriter, token string, exp time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: token, Path: "/", Expires: exp,
		// Lax, not Strict: QuickBooks sends the user back to the callback from its own
		// site, and that top-level navigation must carry the session.
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.SecureCookies,
	})
}

func (s *Server) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.SecureCookies})
}

// page wraps an HTML handler: it needs a session, and a form post must carry the
// session's anti-forgery value.
func (s *Server) page(h func(http.ResponseWriter, *http.Request, session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.authenticate(r)
		if signedOut(err) {
			s.message(w, http.StatusUnauthorized, "Please sign in",
				"Open the sign-in link qbosync gave you (an operator prints one with `starter web-login --firm ID`).")
			return
		}
		if err != nil {
			s.failed(w, r, err)
			return
		}
		if r.Method == http.MethodPost && !s.readForm(w, r) {
			return
		}
		if r.Method == http.MethodPost && !s.Sessions.CheckCSRF(sess.token, r.PostFormValue("csrf")) {
			s.message(w, http.StatusForbidden, "Please try again", "The page was out of date or did not come from qbosync; reload it and try again.")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), actionTimeout)
		defer cancel()
		h(w, r.WithContext(ctx), sess)
	}
}

// readForm parses a posted form and checks the lengths of its fields. When the form is
// refused it answers the request itself, naming the field, and returns false.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		s.message(w, http.StatusRequestEntityTooLarge, "The form is too large",
			"A form to qbosync is a few kilobytes; one of its fields is far too long. Shorten it and send it again.")
		return false
	}
	if errs := checkLengths(formFields(r.Form)); errs != nil {
		s.message(w, http.StatusUnprocessableEntity, "A field is too long", tooLong(errs))
		return false
	}
	return true
}

func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		s.Log.Error("web: render", "template", name, "error", err)
	}
}

func (s *Server) message(w http.ResponseWriter, status int, title, text string) {
	s.render(w, status, "message.html", view{Message: title + ": " + text})
}

// failed shows an error that is not a refusal: the setup is missing (its page offers
// to start one), or Temporal is down.
func (s *Server) failed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ErrNoSetup) {
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
		return
	}
	s.Log.Error("web: setup", "error", err)
	s.message(w, http.StatusServiceUnavailable, "The setup is not available right now", "Please try again in a minute. ("+err.Error()+")")
}

func (s *Server) showSetup(w http.ResponseWriter, r *http.Request, sess session) {
	st, err := s.Wizard.State(r.Context(), sess.firm)
	if errors.Is(err, ErrNoSetup) {
		s.render(w, http.StatusOK, "start.html", view{CSRF: s.Sessions.CSRF(sess.token)})
		return
	}
	if err != nil {
		s.failed(w, r, err)
		return
	}
	if !st.Loaded() {
		s.render(w, http.StatusOK, "starting.html", nil)
		return
	}
	s.render(w, http.StatusOK, "wizard.html", newView(st, nil, nil, s.Sessions.CSRF(sess.token)))
}

func (s *Server) postStart(w http.ResponseWriter, r *http.Request, sess session) {
	if _, err := s.Wizard.Start(r.Context(), sess.firm); err != nil {
		s.failed(w, r, err)
		return
	}
	http.Redirect(w, r, "/setup", http.StatusSeeOther)
}

// postAction sends the button pressed, with the page's answers, as an update. A
// refusal shows the page again with what was typed and the reason next to each field.
func (s *Server) postAction(w http.ResponseWriter, r *http.Request, sess session) {
	action := r.PostFormValue("action")
	if !slices.Contains(setupapi.Actions, action) {
		s.message(w, http.StatusBadRequest, "Unknown action", "The setup's buttons are: "+strings.Join(setupapi.Actions, ", ")+".")
		return
	}
	st, err := s.Wizard.State(r.Context(), sess.firm)
	if err != nil {
		s.failed(w, r, err)
		return
	}
	a := setupapi.Action{Step: setupapi.Step(r.PostFormValue("step")), Mode: settings.Mode(r.PostFormValue("mode"))}
	var shown *settings.Settings
	if sec, ok := st.Step.Section(); ok && carriesAnswers(action) {
		answers := st.Settings.DecodeForm(sec, r.PostForm)
		a.Answers = &answers
		typed := st.Settings.Apply(answers, st.Catalog)
		shown = &typed
	}
	next, err := s.Wizard.Act(r.Context(), sess.firm, action, a)
	if refused, ok := errors.AsType[*Refused](err); ok {
		s.render(w, http.StatusUnprocessableEntity, "wizard.html", newView(st, shown, refused.Fields, s.Sessions.CSRF(sess.token)))
		return
	}
	if err != nil {
		s.failed(w, r, err)
		return
	}
	s.Log.Info("web: setup action", "firm", sess.firm, "action", action, "step", next.Step)
	http.Redirect(w, r, "/setup", http.StatusSeeOther)
}

// carriesAnswers says which buttons send the page's answers along.
func carriesAnswers(action string) bool {
	return action == setupapi.ActionSave || action == setupapi.ActionNext || action == setupapi.ActionContinueLater
}

// postConnect begins the QuickBooks sign-in for the session's firm.
func (s *Server) postConnect(w http.ResponseWriter, r *http.Request, sess session) {
	u, err := s.Connect.BeginFor(r.Context(), sess.firm, SessionID(sess.token))
	if err != nil {
		s.failed(w, r, err)
		return
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

// callback completes the sign-in QuickBooks sends back, for the session's firm (the
// state value must be one this session began), and tells the setup which company it is.
func (s *Server) callback(w http.ResponseWriter, r *http.Request, sess session) {
	q := r.URL.Query()
	if errs := checkLengths(formFields(q, "state", "code", "realmId", "error")); errs != nil {
		s.message(w, http.StatusBadRequest, "QuickBooks was not connected", tooLong(errs))
		return
	}
	if e := q.Get("error"); e != "" {
		s.message(w, http.StatusOK, "QuickBooks was not connected", "The sign-in was declined ("+e+"). You can connect again from the setup.")
		return
	}
	if company, ok := s.reconnecting(r, sess); ok {
		s.finishReconnect(w, r, sess, company)
		return
	}
	realmID, err := s.Connect.FinishFor(r.Context(), sess.firm, SessionID(sess.token), q.Get("state"), q.Get("code"), q.Get("realmId"))
	if err != nil {
		s.message(w, http.StatusBadRequest, "QuickBooks was not connected", err.Error())
		return
	}
	// Connecting after a cancelled setup (or before any) begins a new one.
	if st, err := s.Wizard.State(r.Context(), sess.firm); errors.Is(err, ErrNoSetup) || (err == nil && st.Cancelled) {
		if _, err := s.Wizard.Start(r.Context(), sess.firm); err != nil {
			s.failed(w, r, err)
			return
		}
	}
	_, err = s.Wizard.Act(r.Context(), sess.firm, setupapi.ActionConnected, setupapi.Action{RealmID: realmID})
	if refused, ok := errors.AsType[*Refused](err); ok {
		s.message(w, http.StatusUnprocessableEntity, "QuickBooks is connected, but the setup refused it", refused.Fields.Error())
		return
	}
	if err != nil {
		s.failed(w, r, err)
		return
	}
	http.Redirect(w, r, "/setup", http.StatusSeeOther)
}

// showPrint is the settings on one page, to print and keep.
func (s *Server) showPrint(w http.ResponseWriter, r *http.Request, sess session) {
	st, err := s.Wizard.State(r.Context(), sess.firm)
	if err != nil {
		s.failed(w, r, err)
		return
	}
	v := newView(st, nil, nil, "")
	v.Sections = st.Settings.SummarySections()
	s.render(w, http.StatusOK, "print.html", v)
}
