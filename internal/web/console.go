package web

import (
	"context"
	"embed"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/qbosync/qbosync/internal/reconcile"
	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// The firm's console, the page a firm lands on once its setup is submitted, and its
// JSON API (internal/web/README.md has the contract):
//
//	GET  /sync                        the console page (console.js keeps it live from /api/sync)
//	POST /sync                        a form action (sync-now, retry-failed, pause, resume, check-books)
//	POST /sync/retry                  retry one failed record (kind, key)
//	POST /sync/reconnect              to QuickBooks' sign-in, for the same company
//	GET  /sync/backfill               the backfill form; with since (and unpaid), what it will bring
//	POST /sync/backfill               start it
//	GET  /api/sync                    -> consoleView
//	POST /api/sync/actions/{action}   -> 202 {"action"}, or 400 naming the allowed actions
//	POST /api/sync/items/{kind}/{key}/retry -> 202, or 404 when the record is not failing
//	POST /api/sync/reconnect          -> {"authorize_url"}
//	POST /api/sync/backfill/preview   {"since", "unpaid"} -> settings.Preview
//	POST /api/sync/backfill           {"since", "unpaid"} -> 202

// Console is what the console reads and does for the session's firm (app.Console is
// the one: the sync's status query and signals, the backfill's progress query, and
// what the store keeps, as the operator's CLI reads them).
type Console interface {
	Status(ctx context.Context, firmID int64) (syncapi.Summary, error)
	FailedItems(ctx context.Context, firmID int64) ([]syncapi.FailedItem, error)
	Signal(ctx context.Context, firmID int64, signal string) error
	// RetryItem asks for one failed record to be tried again; a record that is not
	// failing is ErrNoSuchFailure.
	RetryItem(ctx context.Context, firmID int64, kind, key string) error
	// Records counts the records by kind and latest outcome.
	Records(ctx context.Context, firmID int64) ([]KindRecords, error)
	// Books is the latest reconciliation, nil before the first.
	Books(ctx context.Context, firmID int64) (*BooksReport, error)
	Company(ctx context.Context, firmID int64) (Company, error)
	PreviewBackfill(ctx context.Context, firmID int64, f syncapi.BackfillFilter) (settings.Preview, error)
	StartBackfill(ctx context.Context, firmID int64, f syncapi.BackfillFilter) error
	// Backfill is the latest backfill, nil when none ever ran.
	Backfill(ctx context.Context, firmID int64) (*BackfillRun, error)
	// Restart starts the sync again after QuickBooks was reconnected.
	Restart(ctx context.Context, firmID int64) error
}

// BooksReport is the latest check of the books, with every record behind a difference.
type BooksReport struct {
	CheckedAt time.Time        `json:"checked_at"`
	Report    reconcile.Report `json:"report"`
}

// KindRecords counts one kind of record (client, matter, invoice, ...) by its latest
// outcome: what is in QuickBooks now and what fails, whatever the last cycle did.
type KindRecords struct {
	Kind      string `json:"kind"`
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Adopted   int    `json:"adopted"`
	Unchanged int    `json:"unchanged"`
	Failed    int    `json:"failed"`
}

// InQuickBooks is how many of them are in QuickBooks.
func (k KindRecords) InQuickBooks() int { return k.Created + k.Updated + k.Same() }

// Same is how many were last found as they are in QuickBooks: unchanged, or an
// existing QuickBooks record recognised as the record.
func (k KindRecords) Same() int { return k.Unchanged + k.Adopted }

// Company is the firm's QuickBooks connection as the console shows it.
type Company struct {
	RealmID string `json:"realm_id"`
	Name    string `json:"name"`
	Status  string `json:"status"` // connected or needs_reconnect
	Reason  string `json:"reason,omitempty"`
	// Submitted: the firm's settings for this company are submitted, so a sync is
	// what a reconnect restarts (before Submit, a reconnect is the wizard's connect).
	Submitted bool `json:"submitted"`
}

// ErrNoSuchFailure means a retry was asked for a record that is not failing.
var ErrNoSuchFailure = errors.New("that record is not failing (it synced meanwhile, or never failed)")

// needsReconnect is the connection status that asks the firm to sign in again.
const needsReconnect = "needs_reconnect"

// Backfill run states.
const (
	BackfillRunning = "running"
	BackfillDone    = "done"
	BackfillStopped = "stopped" // failed, cancelled or terminated
)

// BackfillRun is a backfill as its progress query reports it.
type BackfillRun struct {
	Status   string                   `json:"status"`
	Progress syncapi.BackfillProgress `json:"progress"`
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

// doneMessages say, on the page, what was just asked for.
var doneMessages = map[string]string{
	"sync-now":     "Asked the sync to look for changes now.",
	"retry-failed": "Asked the sync to try every failed record again.",
	"retry-item":   "Asked the sync to try that record again.",
	"pause":        "Asked the sync to pause once the category in progress ends.",
	"resume":       "Asked the sync to resume.",
	"check-books":  "Asked the sync to check the books now.",
	"backfill":     "The backfill is starting; its progress shows below.",
	"reconnect":    "QuickBooks is reconnected and the sync has started again.",
}

//go:embed static
var staticFiles embed.FS

// consoleRoutes adds the console's pages and API, and its script: a file of this
// server, as the Content-Security-Policy wants (no inline script).
func (s *Server) consoleRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /static/console.js", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, staticFiles, "static/console.js")
	})
	mux.HandleFunc("GET /sync", s.page(s.showConsole))
	mux.HandleFunc("POST /sync", s.page(s.postConsole))
	mux.HandleFunc("POST /sync/retry", s.page(s.postRetryItem))
	mux.HandleFunc("POST /sync/reconnect", s.page(s.postConnect))
	mux.HandleFunc("GET /sync/backfill", s.page(s.showBackfill))
	mux.HandleFunc("POST /sync/backfill", s.page(s.postBackfill))
	mux.HandleFunc("GET /api/sync", s.api(s.apiConsole))
	mux.HandleFunc("POST /api/sync/actions/{action}", s.api(s.apiConsoleAction))
	mux.HandleFunc("POST /api/sync/items/{kind}/{key}/retry", s.api(s.apiRetryItem))
	mux.HandleFunc("POST /api/sync/reconnect", s.api(s.apiConnect))
	mux.HandleFunc("POST /api/sync/backfill/preview", s.api(s.apiBackfillPreview))
	mux.HandleFunc("POST /api/sync/backfill", s.api(s.apiBackfill))
}

func (s *Server) showConsole(w http.ResponseWriter, r *http.Request, sess session) {
	v, err := s.consoleView(r.Context(), sess.firm)
	if err != nil {
		s.message(w, http.StatusServiceUnavailable, "The sync cannot be reached", s.noSync(err))
		return
	}
	page := consolePage{consoleView: v, Done: doneMessages[r.URL.Query().Get("done")], CSRF: s.Sessions.CSRF(sess.token)}
	s.render(w, http.StatusOK, "console.html", page)
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

// postRetryItem asks for one failed record to be tried again.
func (s *Server) postRetryItem(w http.ResponseWriter, r *http.Request, sess session) {
	err := s.Console.RetryItem(r.Context(), sess.firm, r.PostFormValue("kind"), r.PostFormValue("key"))
	if errors.Is(err, ErrNoSuchFailure) {
		s.message(w, http.StatusNotFound, "Nothing to retry", "That record is not failing any more (it synced meanwhile); the console shows what still fails.")
		return
	}
	if err != nil {
		s.message(w, http.StatusServiceUnavailable, "The sync cannot be reached", s.noSync(err))
		return
	}
	http.Redirect(w, r, "/sync?done=retry-item", http.StatusSeeOther)
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
