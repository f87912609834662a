package web

import (
	"context"
	"fmt"
	"net/http"
)

// Signing in and out. A sign-in link (starter web-login) opens a confirmation page;
// only its button, a POST from that page, uses the link and signs the browser in, so
// a link opened by itself (a forwarded e-mail, another site's redirect) never switches
// a browser to another firm. The page says which firm the browser is signed in to now.

// loginCookie carries the confirmation page's nonce to its POST. It is SameSite=Strict:
// a form on another site posting a sign-in link here does not carry it, so that post
// is refused (login cross-site request forgery).
const loginCookie = "qbosync_login"

// loginPage is what the sign-in confirmation page shows.
type loginPage struct {
	Firm, Current string
	Same          bool
	Token         string
	Confirm       string
}

// showLogin shows the confirmation page of a sign-in link; the link is not used yet.
func (s *Server) showLogin(w http.ResponseWriter, r *http.Request) {
	if errs := checkLengths(formFields(r.URL.Query(), "token")); errs != nil {
		s.message(w, http.StatusBadRequest, "Sign-in failed", tooLong(errs))
		return
	}
	token := r.URL.Query().Get("token")
	firm, err := s.Sessions.LoginFirm(token)
	if err != nil {
		s.message(w, http.StatusUnauthorized, "Sign-in failed", err.Error())
		return
	}
	p := loginPage{Firm: s.firmLabel(r.Context(), firm), Token: token}
	if cur, err := s.authenticate(r); err == nil {
		p.Current, p.Same = s.firmLabel(r.Context(), cur.firm), cur.firm == firm
	}
	n := nonce()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: n, Path: "/login", MaxAge: int(s.Sessions.LoginTTL.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.SecureCookies})
	p.Confirm = s.Sessions.CSRF("login:" + n)
	s.render(w, http.StatusOK, "login.html", p)
}

// firmLabel names a firm for the sign-in page: its name and id.
func (s *Server) firmLabel(ctx context.Context, firm int64) string {
	name, err := s.Sessions.store.FirmName(ctx, firm)
	if err != nil || name == "" {
		return fmt.Sprintf("firm %d", firm)
	}
	return fmt.Sprintf("%s (firm %d)", name, firm)
}

// postLogin uses the sign-in link sent by the confirmation page's button: the browser's
// previous session, if any, ends, and a session of the link's firm begins.
func (s *Server) postLogin(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	c, err := r.Cookie(loginCookie)
	if err != nil || !s.Sessions.CheckCSRF("login:"+c.Value, r.PostFormValue("confirm")) {
		s.message(w, http.StatusForbidden, "Sign-in not confirmed",
			"A sign-in is confirmed with the button of qbosync's own sign-in page; open the sign-in link again and press it there.")
		return
	}
	token := r.PostFormValue("token")
	tok, firm, exp, err := s.Sessions.RedeemFrom(r.Context(), token, r.UserAgent())
	if err != nil {
		s.message(w, http.StatusUnauthorized, "Sign-in failed", err.Error())
		return
	}
	if prev, err := s.authenticate(r); err == nil && prev.cookie {
		if err := s.Sessions.Revoke(r.Context(), prev.token); err != nil {
			s.Log.Error("web: ending the previous session", "error", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.SecureCookies})
	s.setCookie(w, tok, exp)
	s.Log.Info("web: signed in", "firm", firm)
	http.Redirect(w, r, "/setup", http.StatusSeeOther)
}

// logout revokes the browser's session (its token is refused from now on, wherever
// it was copied to) and clears the cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	sess, err := s.authenticate(r)
	if err == nil {
		if r.ParseForm() != nil || !s.Sessions.CheckCSRF(sess.token, r.PostFormValue("csrf")) {
			s.message(w, http.StatusForbidden, "Please try again", "The page was out of date or did not come from qbosync; reload it and sign out again.")
			return
		}
		if err := s.Sessions.Revoke(r.Context(), sess.token); err != nil {
			s.failed(w, r, err)
			return
		}
	}
	s.clearCookie(w)
	s.message(w, http.StatusOK, "Signed out", "You are signed out of the QuickBooks setup.")
}

// logoutEverywhere revokes every session of the firm: every browser and every API
// client signed in to it must sign in again.
func (s *Server) logoutEverywhere(w http.ResponseWriter, r *http.Request, sess session) {
	n, err := s.Sessions.RevokeFirm(r.Context(), sess.firm)
	if err != nil {
		s.failed(w, r, err)
		return
	}
	s.Log.Info("web: signed out everywhere", "firm", sess.firm, "sessions", n)
	s.clearCookie(w)
	s.message(w, http.StatusOK, "Signed out everywhere",
		fmt.Sprintf("every session of the firm has ended (%d, this one included); each browser and API client must sign in again.", n))
}

// apiLogout ends the request's session (DELETE /api/session).
func (s *Server) apiLogout(w http.ResponseWriter, r *http.Request, sess session) {
	if err := s.Sessions.Revoke(r.Context(), sess.token); err != nil {
		s.apiFailed(w, err)
		return
	}
	if sess.cookie {
		s.clearCookie(w)
	}
	writeJSON(w, http.StatusOK, map[string]int64{"revoked": 1})
}

// apiLogoutEverywhere ends every session of the firm (DELETE /api/sessions).
func (s *Server) apiLogoutEverywhere(w http.ResponseWriter, r *http.Request, sess session) {
	n, err := s.Sessions.RevokeFirm(r.Context(), sess.firm)
	if err != nil {
		s.apiFailed(w, err)
		return
	}
	if sess.cookie {
		s.clearCookie(w)
	}
	writeJSON(w, http.StatusOK, map[string]int64{"revoked": n})
}
