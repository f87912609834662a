package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/qbosync/qbosync/workflows/syncapi"
)

func (s *Server) apiConsole(w http.ResponseWriter, r *http.Request, sess session) {
	v, err := s.consoleView(r.Context(), sess.firm)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, apiError{Error: s.noSync(err)})
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) apiConsoleAction(w http.ResponseWriter, r *http.Request, sess session) {
	action := r.PathValue("action")
	signal, ok := consoleActions[action]
	if !ok {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "unknown action " + quoteShort(action) + "; allowed: " + allowedActions()})
		return
	}
	if err := s.Console.Signal(r.Context(), sess.firm, signal); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, apiError{Error: s.noSync(err)})
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"action": action})
}

// apiRetryItem asks for one failed record to be tried again.
func (s *Server) apiRetryItem(w http.ResponseWriter, r *http.Request, sess session) {
	kind, key := r.PathValue("kind"), r.PathValue("key")
	err := s.Console.RetryItem(r.Context(), sess.firm, kind, key)
	if errors.Is(err, ErrNoSuchFailure) {
		writeJSON(w, http.StatusNotFound, apiError{Error: quoteShort(kind) + " " + quoteShort(key) + ": " + err.Error()})
		return
	}
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, apiError{Error: s.noSync(err)})
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"action": "retry-item", "kind": kind, "key": key})
}

// backfillRequest is the body of the backfill routes.
type backfillRequest struct {
	Since  string `json:"since"`
	Unpaid bool   `json:"unpaid"`
}

// readBackfill reads a backfill request's body, answering the refusal itself.
func readBackfill(w http.ResponseWriter, r *http.Request) (syncapi.BackfillFilter, bool) {
	var req backfillRequest
	if err := decodeStrict(r, &req); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "the body is not a backfill request: " + err.Error()})
		return syncapi.BackfillFilter{}, false
	}
	f, err := backfillFilter(req.Since, req.Unpaid)
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, apiError{Error: err.Error()})
		return syncapi.BackfillFilter{}, false
	}
	return f, true
}

// apiBackfillPreview answers what a backfill would bring.
func (s *Server) apiBackfillPreview(w http.ResponseWriter, r *http.Request, sess session) {
	f, ok := readBackfill(w, r)
	if !ok {
		return
	}
	p, err := s.Console.PreviewBackfill(r.Context(), sess.firm, f)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, apiError{Error: s.noSync(err)})
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// apiBackfill starts a backfill.
func (s *Server) apiBackfill(w http.ResponseWriter, r *http.Request, sess session) {
	f, ok := readBackfill(w, r)
	if !ok {
		return
	}
	if err := s.Console.StartBackfill(r.Context(), sess.firm, f); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, apiError{Error: s.noSync(err)})
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"action": "backfill", "since": f.Since.Format(time.DateOnly)})
}
