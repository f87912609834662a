package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// backfillFilter reads the backfill form's answers, refusing a start date that is not
// one with the field's name and the fix.
func backfillFilter(since string, unpaid bool) (syncapi.BackfillFilter, error) {
	day, err := time.Parse(time.DateOnly, since)
	if err != nil {
		return syncapi.BackfillFilter{}, errors.New("since: " + quoteShort(since) + " is not a date; write it as YYYY-MM-DD, such as 2026-01-01 (the first day whose records should reach QuickBooks)")
	}
	return syncapi.BackfillFilter{Since: day, Unpaid: unpaid}, nil
}

// backfillPage is the backfill form, with what it will bring once a date is given.
type backfillPage struct {
	Since   string
	Unpaid  bool
	Error   string
	Preview *settings.Preview
	CSRF    string
}

// showBackfill is the form; with a start date it shows what the backfill will bring
// (as the setup's review page does) and the button that starts it.
func (s *Server) showBackfill(w http.ResponseWriter, r *http.Request, sess session) {
	q := r.URL.Query()
	page := backfillPage{Since: q.Get("since"), Unpaid: q.Get("unpaid") == "true", CSRF: s.Sessions.CSRF(sess.token)}
	if page.Since == "" {
		s.render(w, http.StatusOK, "backfill.html", page)
		return
	}
	f, err := backfillFilter(page.Since, page.Unpaid)
	if err != nil {
		page.Error = err.Error()
		s.render(w, http.StatusUnprocessableEntity, "backfill.html", page)
		return
	}
	p, err := s.Console.PreviewBackfill(r.Context(), sess.firm, f)
	if err != nil {
		s.message(w, http.StatusServiceUnavailable, "The backfill cannot be worked out now", s.noSync(err))
		return
	}
	page.Preview = &p
	s.render(w, http.StatusOK, "backfill.html", page)
}

// postBackfill starts the backfill the form showed.
func (s *Server) postBackfill(w http.ResponseWriter, r *http.Request, sess session) {
	f, err := backfillFilter(r.PostFormValue("since"), r.PostFormValue("unpaid") == "true")
	if err != nil {
		page := backfillPage{Since: r.PostFormValue("since"), Error: err.Error(), CSRF: s.Sessions.CSRF(sess.token)}
		s.render(w, http.StatusUnprocessableEntity, "backfill.html", page)
		return
	}
	if err := s.Console.StartBackfill(r.Context(), sess.firm, f); err != nil {
		s.message(w, http.StatusServiceUnavailable, "The sync cannot be reached", s.noSync(err))
		return
	}
	http.Redirect(w, r, "/sync?done=backfill", http.StatusSeeOther)
}
