package syncapi

import "time"

// The activities the SyncWorkflow and BackfillWorkflow run, by name, with their inputs
// and results: the workflows call them by these names, and package activities
// implements them, so the workflows need nothing of the engine.
const (
	SyncCategoryActivity  = "SyncCategory"  // SyncCategoryInput -> CategoryResult
	ReconcileActivity     = "Reconcile"     // ReconcileInput -> BooksSummary
	CountBackfillActivity = "CountBackfill" // BackfillChunkInput -> int
	BackfillChunkActivity = "BackfillChunk" // BackfillChunkInput -> BackfillChunkResult
	PendingActivity       = "Pending"       // PendingInput -> []CategoryPending
)

// Error types the workflows react to. Both are non-retryable: retrying cannot help
// until a person acts.
const (
	// ErrTypeNeedsReconnect: QuickBooks refused the connection's tokens; the firm must
	// reconnect. The connection is marked needs_reconnect with the reason.
	ErrTypeNeedsReconnect = "NeedsReconnect"
	// ErrTypeBug: qbosync sent QuickBooks something malformed, or met data it cannot
	// handle. An engineer must look.
	ErrTypeBug = "Bug"
)

// SyncCategoryInput names the category to sync for one firm and company.
type SyncCategoryInput struct {
	FirmID      int64  `json:"firm_id"`
	RealmID     string `json:"realm_id"`
	Category    string `json:"category"`
	RetryFailed bool   `json:"retry_failed,omitempty"`
}

// PendingInput asks which of a firm's categories have work.
type PendingInput struct {
	FirmID     int64    `json:"firm_id"`
	RealmID    string   `json:"realm_id"`
	Categories []string `json:"categories"`
}

// CategoryPending is what a category has to do: changes in its feed past its cursor
// (or no cursor yet), and its failed items, of which Waiting wait for another record.
type CategoryPending struct {
	Category string `json:"category"`
	Changed  bool   `json:"changed"`
	Failing  int    `json:"failing"`
	Waiting  int    `json:"waiting"`
}

// ReconcileInput names the firm and company whose books to check.
type ReconcileInput struct {
	FirmID  int64  `json:"firm_id"`
	RealmID string `json:"realm_id"`
	// Incremental asks to check only what changed since the latest check, updating its
	// report, unless its full pass is FullEvery old or more (0: any age); a full pass
	// otherwise.
	Incremental bool          `json:"incremental,omitempty"`
	FullEvery   time.Duration `json:"full_every,omitempty"`
}

// BackfillChunkInput asks for one chunk of a category's backfill (or, to
// CountBackfill, how many records the whole of it handles).
type BackfillChunkInput struct {
	FirmID   int64          `json:"firm_id"`
	RealmID  string         `json:"realm_id"`
	Category string         `json:"category"`
	Filter   BackfillFilter `json:"filter"`
	From     BackfillCursor `json:"from"`
	// Budget is about how many records this chunk handles before it returns, so the
	// workflow records progress (and a checkpoint) regularly.
	Budget int `json:"budget"`
}

// BackfillChunkResult is what a chunk did and where the backfill now stands.
type BackfillChunkResult struct {
	Category string `json:"category"`
	Counts
	Cursor BackfillCursor `json:"cursor"`
	Done   bool           `json:"done"`
}
