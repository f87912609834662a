package web

import (
	"net/http"
)

// A reconnect is the wizard's OAuth flow (POST /sync/reconnect and /api/sync/reconnect
// begin it as the setup's connect does); the sign-in comes back to the same callback,
// which hands it to finishReconnect.

// reconnecting says whether a sign-in coming back is a reconnect: the firm's company
// needs one and its setup is submitted. Such a return mends the connection and
// restarts the sync instead of telling the setup about a company.
func (s *Server) reconnecting(r *http.Request, sess session) (Company, bool) {
	if s.Console == nil {
		return Company{}, false
	}
	c, err := s.Console.Company(r.Context(), sess.firm)
	return c, err == nil && c.Status == needsReconnect && c.Submitted
}

// finishReconnect completes a reconnect: only the same company is accepted (a
// different one would move the firm's books), then the sync starts again.
func (s *Server) finishReconnect(w http.ResponseWriter, r *http.Request, sess session, company Company) {
	q := r.URL.Query()
	if realm := q.Get("realmId"); realm != company.RealmID {
		s.message(w, http.StatusConflict, "That is a different QuickBooks company",
			"The sync keeps this firm's books in \""+company.Name+"\" (company "+company.RealmID+"), and you signed in to company "+quoteShort(realm)+
				". Reconnect again and choose \""+company.Name+"\"; to move the books to another company, start a new setup from the settings.")
		return
	}
	if _, err := s.Connect.FinishFor(r.Context(), sess.firm, SessionID(sess.token), q.Get("state"), q.Get("code"), company.RealmID); err != nil {
		s.message(w, http.StatusBadRequest, "QuickBooks was not reconnected", err.Error())
		return
	}
	if err := s.Console.Restart(r.Context(), sess.firm); err != nil {
		s.message(w, http.StatusServiceUnavailable, "QuickBooks is reconnected, but the sync did not start", s.noSync(err))
		return
	}
	s.Log.Info("web: QuickBooks reconnected", "firm", sess.firm, "realm", company.RealmID)
	http.Redirect(w, r, "/sync?done=reconnect", http.StatusSeeOther)
}
