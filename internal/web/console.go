package web

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/qbosync/qbosync/workflows/syncapi"
)

// The firm's console, the page a firm lands on once its setup is submitted, and its
// JSON API (internal/web/README.md):
//
//	GET  /sync                        the console page
//	POST /sync                        a form action (sync-now, retry-failed, pause, resume, check-books)
//	GET  /api/sync                    -> {"status": Summary, "failures": [FailureGroup]}
//	POST /api/sync/actions/{action}   -> 202 {"action"}, or 400 naming the allowed actions

// Console is what the console reads and does for the session's firm (app.Console is
// the one: the sync's status query and signals, and the failed items in the store, as
// the operator's CLI reads them).
type Console interface {
	Status(ctx context.Context, firmID int64) (syncapi.Summary, error)
	FailedItems(ctx context.Context, firmID int64) ([]syncapi.FailedItem, error)
	Signal(ctx context.Context, firmID int64, signal string) error
}

// consoleActions are what the firm may ask of its sync, by the name the page and the
// API use, with the signal each sends.
var consoleActions = map[string]string{
	"sync-now":     syncapi.SyncNowSignal,
	"retry-failed": syncapi.RetryFailedSignal,
	"pause":        syncapi.PauseSignal,
	"resume":       syncapi.ResumeSignal,
	"check-books":  syncapi.ReconcileSignal,
}

func allowedActions() string {
	names := make([]string, 0, len(consoleActions))
	for n := range consoleActions {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// FailureGroup is the failed items of one cause: what happened and what to do, once,
// with every record it concerns.
type FailureGroup struct {
	Code        string               `json:"code"`
	Explanation string               `json:"explanation"`
	Items       []syncapi.FailedItem `json:"items"`
}

// groupFailures groups failed items by their code, the largest group first.
func groupFailures(items []syncapi.FailedItem) []FailureGroup {
	var groups []FailureGroup
	for _, it := range items {
		i := slices.IndexFunc(groups, func(g FailureGroup) bool { return g.Code == it.Code })
		if i < 0 {
			groups = append(groups, FailureGroup{Code: it.Code, Explanation: it.Explanation})
			i = len(groups) - 1
		}
		groups[i].Items = append(groups[i].Items, it)
	}
	slices.SortStableFunc(groups, func(a, b FailureGroup) int { return len(b.Items) - len(a.Items) })
	return groups
}

// consoleView is what the console shows.
type consoleView struct {
	Status   syncapi.Summary `json:"status"`
	Failures []FailureGroup  `json:"failures"`
	// Done is the action just asked for, on the page.
	Done string `json:"-"`
	CSRF string `json:"-"`
}

func (s *Server) consoleView(r *http.Request, sess session) (consoleView, error) {
	sum, err := s.Console.Status(r.Context(), sess.firm)
	if err != nil {
		return consoleView{}, err
	}
	items, err := s.Console.FailedItems(r.Context(), sess.firm)
	if err != nil {
		return consoleView{}, err
	}
	return consoleView{Status: sum, Failures: groupFailures(items)}, nil
}

func (s *Server) showConsole(w http.ResponseWriter, r *http.Request, sess session) {
	v, err := s.consoleView(r, sess)
	if err != nil {
		s.message(w, http.StatusServiceUnavailable, "The sync cannot be reached", s.noSync(err))
		return
	}
	v.Done, v.CSRF = r.URL.Query().Get("done"), s.Sessions.CSRF(sess.token)
	s.render(w, http.StatusOK, "console.html", v)
}

func (s *Server) postConsole(w http.ResponseWriter, r *http.Request, sess session) {
	action := r.PostFormValue("action")
	signal, ok := consoleActions[action]
	if !ok {
		s.message(w, http.StatusBadRequest, "Unknown action", "The console knows: "+allowedActions()+".")
		return
	}
	if err := s.Console.Signal(r.Context(), sess.firm, signal); err != nil {
		s.message(w, http.StatusServiceUnavailable, "The sync cannot be reached", s.noSync(err))
		return
	}
	http.Redirect(w, r, "/sync?done="+action, http.StatusSeeOther)
}

func (s *Server) apiConsole(w http.ResponseWriter, r *http.Request, sess session) {
	v, err := s.consoleView(r, sess)
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

// noSync explains a sync that cannot be reached, without its internals, which go to
// the log.
func (s *Server) noSync(err error) string {
	s.Log.Warn("web: console: the sync cannot be reached", "error", err)
	return "the firm's sync is not running or cannot be reached (is QuickBooks connected and the setup submitted?); try again shortly"
}

// quoteShort quotes a value from a request, cut short: an answer never echoes a huge
// value back.
func quoteShort(v string) string {
	const most = 40
	if len(v) > most {
		v = v[:most] + "…"
	}
	return `"` + v + `"`
}

// statusWords is a sync status in words for the firm.
func statusWords(status string) string {
	switch status {
	case syncapi.StatusIdle:
		return "Up to date"
	case syncapi.StatusRunning:
		return "Syncing"
	case syncapi.StatusBackfilling:
		return "Bringing existing records over"
	case syncapi.StatusPaused:
		return "Paused"
	case syncapi.StatusBooksDiffer:
		return "The books differ"
	case syncapi.StatusStuck:
		return "Stuck, trying again"
	case syncapi.StatusNeedsReconnect:
		return "QuickBooks needs reconnecting"
	case syncapi.StatusDisconnected:
		return "Disconnected"
	case syncapi.StatusFailed:
		return "Stopped on an error"
	}
	return status
}
