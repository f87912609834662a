// Package syncapi is the contract of a firm's SyncWorkflow and of the BackfillWorkflow
// it runs: their names and ids, signals, queries, statuses, inputs and results, and the
// search attributes every qbosync workflow sets for Temporal Web. It is what the
// starter, the wizard's web server and the change listener need to start, steer and
// read a sync, and nothing more: it imports only Temporal's SDK, so depending on it
// does not pull in the engine, the database or QuickBooks.
//
// The types travel as JSON in workflow histories: a field's JSON name never changes
// (recorded histories are replayed in CI, workflows/replay_test.go).
package syncapi

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
)

// Workflow type names, as registered by the worker.
const (
	SyncWorkflowName     = "SyncWorkflow"
	BackfillWorkflowName = "BackfillWorkflow"
)

// SyncWorkflowID is the id of a firm's sync with one QuickBooks company: one at a time.
func SyncWorkflowID(firmID int64, realmID string) string {
	return fmt.Sprintf("qbosync-sync-%d-%s", firmID, realmID)
}

// BackfillWorkflowID is the id of the backfill of a firm's company: one at a time, so
// a later run of the sync cannot start a second one beside it.
func BackfillWorkflowID(firmID int64, realmID string) string {
	return fmt.Sprintf("qbosync-backfill-%d-%s", firmID, realmID)
}

// The SyncWorkflow's signals and query.
const (
	SyncNowSignal     = "sync-now"     // run a cycle now (the change listener sends it)
	PauseSignal       = "pause"        // finish the current category, then wait for resume
	ResumeSignal      = "resume"       // leave pause and run a cycle
	RetryFailedSignal = "retry-failed" // run a cycle that tries the failed items again
	DisconnectSignal  = "disconnect"   // stop for good: the firm unlinked the company
	BackfillSignal    = "backfill"     // bring existing records over (a BackfillFilter)
	ReconcileSignal   = "reconcile"    // check the books now, beside the sync
	StatusQuery       = "status"       // the Summary
)

// BackfillProgressQuery returns the BackfillWorkflow's BackfillProgress.
const BackfillProgressQuery = "progress"

// Sync statuses, also set as the QbosyncStatus search attribute.
const (
	StatusRunning        = "running"
	StatusBackfilling    = "backfilling"
	StatusIdle           = "idle"
	StatusPaused         = "paused"
	StatusDisconnected   = "disconnected"
	StatusNeedsReconnect = "needs_reconnect"
	StatusFailed         = "failed"
	StatusCompleted      = "completed"
	// StatusBooksDiffer: the last cycle's reconciliation found QBO disagreeing with the
	// practice system; the reconciliation report names the records.
	StatusBooksDiffer = "books_differ"
	// StatusStuck: a category failed its run again and again for a reason that is not
	// about one record (the reason says which and why); the sync tries again on the next
	// change or after a minute, and nothing after that category runs until it passes.
	StatusStuck = "stuck"
)

// Search attributes set on qbosync's workflows. They are not encrypted: they carry ids
// and states, never names or amounts. scripts/lib.sh registers them on the dev server;
// docs/design.md ("Workflows") says what they hold.
var (
	FirmAttr      = temporal.NewSearchAttributeKeyKeyword("QbosyncFirm")
	RealmAttr     = temporal.NewSearchAttributeKeyKeyword("QbosyncRealm")
	StatusAttr    = temporal.NewSearchAttributeKeyKeyword("QbosyncStatus")
	SetupStepAttr = temporal.NewSearchAttributeKeyKeyword("QbosyncSetupStep")
)

// SearchAttributes lists every attribute, for registering them on a server.
func SearchAttributes() temporal.SearchAttributes {
	return temporal.NewSearchAttributes(FirmAttr.ValueSet(""), RealmAttr.ValueSet(""),
		StatusAttr.ValueSet(""), SetupStepAttr.ValueSet(""))
}

// SyncInput starts a firm's sync with one QuickBooks company.
type SyncInput struct {
	FirmID  int64  `json:"firm_id"`
	RealmID string `json:"realm_id"`
	// Once runs every category a single time and completes with the summary, instead
	// of keeping the company in sync.
	Once bool `json:"once,omitempty"`
	// SweepInterval is how long an idle sync waits before looking again (default 5m).
	SweepInterval time.Duration `json:"sweep_interval,omitempty"`
	// RetryFailed tries the failed items of every category again on the first cycle.
	RetryFailed bool `json:"retry_failed,omitempty"`
	// Cycles carries the count of cycles across continue-as-new.
	Cycles int `json:"cycles,omitempty"`
	// Paused carries a pause across continue-as-new.
	Paused bool `json:"paused,omitempty"`
	// Backfill carries a requested backfill that has not started yet.
	Backfill *BackfillFilter `json:"backfill,omitempty"`
	// ReconcileInterval is how often the books are checked in full while nothing
	// changes (default 6h); after a cycle that changed anything they are checked as
	// soon as the sync is quiet.
	ReconcileInterval time.Duration `json:"reconcile_interval,omitempty"`
	// ReconciledAt and BooksDue carry across continue-as-new when the books were last
	// checked, and that a check is owed.
	ReconciledAt time.Time `json:"reconciled_at,omitzero"`
	BooksDue     bool      `json:"books_due,omitempty"`
	// BooksFull: the check owed is a full pass (asked for by a reconcile signal, or the
	// interval passed), not an incremental one.
	BooksFull bool `json:"books_full,omitempty"`
}

// Summary is the state of a sync: the last result of each category (the status query,
// and a one-shot sync's result).
type Summary struct {
	FirmID     int64            `json:"firm_id"`
	RealmID    string           `json:"realm_id"`
	Status     string           `json:"status"`
	Reason     string           `json:"reason,omitempty"`
	Cycles     int              `json:"cycles"`
	LastRunAt  time.Time        `json:"last_run_at"`
	Categories []CategoryResult `json:"categories"`
	// Backfill is the result of the last backfill (its live progress is the
	// BackfillWorkflow's progress query).
	Backfill *BackfillProgress `json:"backfill,omitempty"`
	// Reconciliation is the latest check of the books; nil when none could run yet
	// (an error is in the activity's history) or this run predates it.
	Reconciliation *BooksSummary `json:"reconciliation,omitempty"`
	// ReconciledAt is when that check started: it saw the books as they were then.
	ReconciledAt time.Time `json:"reconciled_at,omitzero"`
}

// Failed counts the items that failed in the last cycle.
func (s Summary) Failed() int {
	n := 0
	for _, c := range s.Categories {
		n += c.Failed
	}
	return n
}

// CategoryResult is what one category run did.
type CategoryResult struct {
	Category string `json:"category"`
	Counts
	// Cursor is where the category's feed reader stands now.
	Cursor FeedCursor `json:"cursor"`
}

// SyncNow is the sync-now signal's argument, which may be left out: the categories
// known to have changed (the change listener reads them off the feed's notifications;
// others may have changed too). A sync that hears of new contacts while a long run of
// another category is writing runs the contacts beside it.
type SyncNow struct {
	Categories []string `json:"categories,omitempty"`
}

// FeedCursor is a position in the practice system's change feed.
type FeedCursor struct {
	Seq int64 `json:"seq"`
}

// Counts are what a category run did, item by item.
type Counts struct {
	Changes   int `json:"changes"` // feed rows (or, in a backfill, records) read
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Adopted   int `json:"adopted"`
	Unchanged int `json:"unchanged"`
	Failed    int `json:"failed"`
}

// Plus returns the sum of two Counts.
func (c Counts) Plus(d Counts) Counts {
	return Counts{
		Changes: c.Changes + d.Changes, Created: c.Created + d.Created, Updated: c.Updated + d.Updated,
		Adopted: c.Adopted + d.Adopted, Unchanged: c.Unchanged + d.Unchanged, Failed: c.Failed + d.Failed,
	}
}

// BackfillFilter says which existing records a backfill brings: records dated on or
// after Since, and with Unpaid every unpaid invoice whatever its date.
type BackfillFilter struct {
	// Since: dated records (invoices, payments, ...) on or after this day. Clients and
	// matters are not dated: all of them come.
	Since time.Time `json:"since"`
	// Unpaid adds every unpaid invoice whatever its date, with what it needs.
	Unpaid bool `json:"unpaid,omitempty"`
}

// BackfillInput asks to bring a firm's existing records into QuickBooks.
type BackfillInput struct {
	FirmID  int64          `json:"firm_id"`
	RealmID string         `json:"realm_id"`
	Filter  BackfillFilter `json:"filter"`
	// Progress carries the state across continue-as-new.
	Progress *BackfillProgress `json:"progress,omitempty"`
}

// BackfillProgress is how far a backfill has come, category by category.
type BackfillProgress struct {
	Categories []CategoryProgress `json:"categories"`
	Done       bool               `json:"done"`
	// StartedAt is when the backfill began (zero in runs that predate it), and
	// UpdatedAt when its counts last moved: together they give its rate.
	StartedAt time.Time `json:"started_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// CategoryProgress is one category's part of a backfill.
type CategoryProgress struct {
	Category string `json:"category"`
	Total    int    `json:"total"` // records selected, counted when the category starts
	Counts
	Cursor  BackfillCursor `json:"cursor"`
	Started bool           `json:"started"`
	Done    bool           `json:"done"`
}

// BackfillCursor is where a category's backfill stands: the index of the entity it
// reads and the last record id handled.
type BackfillCursor struct {
	Entity int   `json:"entity"`
	ID     int64 `json:"id"`
}

// Handled is how many records of all categories the backfill has handled, and of how many.
func (p BackfillProgress) Handled() (done, total int) {
	for _, c := range p.Categories {
		done += c.Changes
		total += c.Total
	}
	return done, total
}

// BooksSummary is the reconciliation of a company's books after a cycle, in counts and
// cents (internal/reconcile keeps the records behind each difference).
type BooksSummary struct {
	OK bool `json:"ok"`

	MattersChecked    int `json:"matters_checked"`
	InvoicesChecked   int `json:"invoices_checked"`
	MattersDiffering  int `json:"matters_differing"`
	InvoicesDiffering int `json:"invoices_differing"`
	InvoicesMissing   int `json:"invoices_missing"`
	// ReceivablesDifferenceCents is the sum over matters of |QBO open − PMS unpaid|.
	ReceivablesDifferenceCents int64 `json:"receivables_difference_cents"`
	// PaymentsNotOneBankEntry counts the practice payments into a bank that QBO does not
	// show as one bank entry (the bank statement's one line).
	PaymentsNotOneBankEntry int `json:"payments_not_one_bank_entry,omitempty"`
	// Incremental: the latest check looked again only at what changed since the one
	// before, and carried over the rest of the last full pass (docs/design.md,
	// "Reconciliation").
	Incremental bool `json:"incremental,omitempty"`

	TrustSkipped           bool `json:"trust_skipped,omitempty"` // trust money does not sync
	TrustAccountsChecked   int  `json:"trust_accounts_checked"`
	TrustAccountsDiffering int  `json:"trust_accounts_differing"`
	ClientsDiffering       int  `json:"clients_differing"`
	TrustRecordsDiffering  int  `json:"trust_records_differing"`
	QBOOnlyTransactions    int  `json:"qbo_only_transactions"`
	// TrustBankDifferenceCents and TrustLiabilityDifferenceCents are sums over trust
	// accounts of |QBO balance − PMS client ledgers|, for the bank and liability account.
	TrustBankDifferenceCents      int64 `json:"trust_bank_difference_cents"`
	TrustLiabilityDifferenceCents int64 `json:"trust_liability_difference_cents"`
}

// FailedItem is a record whose latest sync attempt failed, as the firm's console shows
// it: which record, what QuickBooks or qbosync said, and what to do.
type FailedItem struct {
	Kind          string    `json:"kind"`
	Key           string    `json:"key"`
	Label         string    `json:"label"`
	Code          string    `json:"code"`
	Message       string    `json:"message"`
	Explanation   string    `json:"explanation"`
	Attempts      int       `json:"attempts"`
	LastAttemptAt time.Time `json:"last_attempt_at"`
	// RetryRequested: the firm asked for it to be tried again; the sync's next cycle will.
	RetryRequested bool `json:"retry_requested,omitempty"`
}
