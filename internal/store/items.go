package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Item outcomes.
const (
	ActionCreated   = "created"
	ActionUpdated   = "updated"
	ActionAdopted   = "adopted" // an existing QBO object was recognised as ours and linked
	ActionUnchanged = "unchanged"
	ActionFailed    = "failed"
)

// Failure is why an item could not be synced, in QBO's terms and in plain language.
type Failure struct {
	Code        string // QBO's error code, or a qbosync code such as "qbosync:invalid-email"
	Message     string // the technical message
	Explanation string // what it means and what to do, for a bookkeeper
}

// ItemStatus is the latest outcome for one practice record.
type ItemStatus struct {
	Kind          string     `db:"kind"`
	SourceKey     string     `db:"source_key"`
	Label         string     `db:"label"`
	Status        string     `db:"status"`
	LastAction    string     `db:"last_action"`
	ErrorCode     string     `db:"error_code"`
	ErrorMessage  string     `db:"error_message"`
	Explanation   string     `db:"explanation"`
	Attempts      int        `db:"attempts"`
	FirstFailedAt *time.Time `db:"first_failed_at"`
	LastAttemptAt time.Time  `db:"last_attempt_at"`
	// RetryRequested: the firm asked for this record to be tried again (the console's
	// Retry); the next cycle of its category does, and its outcome clears the request.
	RetryRequested bool `db:"retry_requested"`
}

// RecordSuccess notes that an item synced, clearing any earlier failure.
func (s *Store) RecordSuccess(ctx context.Context, sc Scope, kind, sourceKey, label, action string) error {
	return s.RecordSuccesses(ctx, sc, action, []ItemRef{{Kind: kind, SourceKey: sourceKey, Label: label}})
}

// ItemRef names a practice record's item, with the label people know it by.
type ItemRef struct {
	Kind, SourceKey, Label string
}

// RecordSuccesses is RecordSuccess for many items with the same outcome, in one
// statement: a page of records whose QuickBooks objects are already as they should be
// (time entries bring their invoices back by the thousand) was a round trip and a
// commit each.
func (s *Store) RecordSuccesses(ctx context.Context, sc Scope, action string, items []ItemRef) error {
	if len(items) == 0 {
		return nil
	}
	// One row per item: a statement may not update a row twice.
	seen := make(map[[2]string]int, len(items))
	var kinds, keys, labels []string
	for _, it := range items {
		id := [2]string{it.Kind, it.SourceKey}
		if i, ok := seen[id]; ok {
			labels[i] = it.Label
			continue
		}
		seen[id] = len(kinds)
		kinds, keys, labels = append(kinds, it.Kind), append(keys, it.SourceKey), append(labels, it.Label)
	}
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO sync_items (firm_id, realm_id, kind, source_key, label, status, last_action, attempts)
		SELECT $1, $2, kind, source_key, label, 'synced', $3, 1
		FROM unnest($4::text[], $5::text[], $6::text[]) AS i(kind, source_key, label)
		ON CONFLICT (firm_id, realm_id, kind, source_key) DO UPDATE SET
		    label = EXCLUDED.label, status = 'synced', last_action = EXCLUDED.last_action,
		    error_code = '', error_message = '', explanation = '', first_failed_at = NULL,
		    retry_requested = false, attempts = sync_items.attempts + 1, last_attempt_at = now()`,
		sc.FirmID, sc.RealmID, action, textArray(kinds), textArray(keys), textArray(labels))
	if err != nil {
		return fmt.Errorf("record outcome of %d %s items: %w", len(kinds), kinds[0], err)
	}
	return nil
}

// RecordFailure notes that an item could not be synced and why.
func (s *Store) RecordFailure(ctx context.Context, sc Scope, kind, sourceKey, label string, f Failure) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO sync_items (firm_id, realm_id, kind, source_key, label, status, last_action,
		                        error_code, error_message, explanation, attempts, first_failed_at)
		VALUES ($1, $2, $3, $4, $5, 'failed', 'failed', $6, $7, $8, 1, now())
		ON CONFLICT (firm_id, realm_id, kind, source_key) DO UPDATE SET
		    label = EXCLUDED.label, status = 'failed', last_action = 'failed',
		    error_code = EXCLUDED.error_code, error_message = EXCLUDED.error_message,
		    explanation = EXCLUDED.explanation, attempts = sync_items.attempts + 1, retry_requested = false,
		    first_failed_at = COALESCE(sync_items.first_failed_at, now()), last_attempt_at = now()`,
		sc.FirmID, sc.RealmID, kind, sourceKey, label, f.Code, f.Message, f.Explanation)
	if err != nil {
		return fmt.Errorf("record failure of %s %s: %w", kind, sourceKey, err)
	}
	return nil
}

// FailedItems lists the items whose latest attempt failed, of the given kinds (all when
// kinds is empty), oldest failure first.
func (s *Store) FailedItems(ctx context.Context, sc Scope, kinds ...string) ([]ItemStatus, error) {
	var out []ItemStatus
	err := s.db.SelectContext(ctx, &out, `
		SELECT kind, source_key, label, status, last_action, error_code, error_message, explanation,
		       attempts, first_failed_at, last_attempt_at, retry_requested
		FROM sync_items
		WHERE firm_id = $1 AND realm_id = $2 AND status = 'failed'
		  AND (cardinality($3::text[]) = 0 OR kind = ANY($3))
		ORDER BY first_failed_at, kind, source_key`, sc.FirmID, sc.RealmID, textArray(kinds))
	if err != nil {
		return nil, fmt.Errorf("failed items: %w", err)
	}
	return out, nil
}

// NewestMappingCreated is when the newest id-map entry of the kinds was made: the
// zero time when there is none.
func (s *Store) NewestMappingCreated(ctx context.Context, sc Scope, kinds ...string) (time.Time, error) {
	var at sql.NullTime
	err := s.db.GetContext(ctx, &at, `
		SELECT max(created_at) FROM qbo_id_map WHERE firm_id = $1 AND realm_id = $2 AND kind = ANY($3)`,
		sc.FirmID, sc.RealmID, textArray(kinds))
	if err != nil {
		return time.Time{}, fmt.Errorf("newest mapping: %w", err)
	}
	return at.Time, nil
}

// KindFailures are the failing items of one kind: all of them, those waiting for
// another record, and those the firm asked to be tried again.
type KindFailures struct {
	Failing   int `db:"failing"`
	Waiting   int `db:"waiting"`
	Requested int `db:"requested"`
}

// FailingByKind counts the failing items by kind: of them, those whose error code
// starts with waitingPrefix wait for another record.
func (s *Store) FailingByKind(ctx context.Context, sc Scope, waitingPrefix string) (map[string]KindFailures, error) {
	var rows []struct {
		Kind string `db:"kind"`
		KindFailures
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT kind, count(*) AS failing, count(*) FILTER (WHERE starts_with(error_code, $3)) AS waiting,
		       count(*) FILTER (WHERE retry_requested) AS requested
		FROM sync_items WHERE firm_id = $1 AND realm_id = $2 AND status = 'failed'
		GROUP BY kind`, sc.FirmID, sc.RealmID, waitingPrefix)
	if err != nil {
		return nil, fmt.Errorf("failing items by kind: %w", err)
	}
	out := make(map[string]KindFailures, len(rows))
	for _, r := range rows {
		out[r.Kind] = r.KindFailures
	}
	return out, nil
}

// ErrNoSuchFailure means a retry was asked for a record that is not failing (it synced
// meanwhile, or never failed).
var ErrNoSuchFailure = errors.New("no such failed record: it synced meanwhile or never failed; reload the list")

// RequestRetry marks one failed record to be tried again by its category's next cycle.
func (s *Store) RequestRetry(ctx context.Context, sc Scope, kind, sourceKey string) error {
	res, err := s.db.ExecContext(ctx, `
		UPDATE sync_items SET retry_requested = true
		WHERE firm_id = $1 AND realm_id = $2 AND kind = $3 AND source_key = $4 AND status = 'failed'`,
		sc.FirmID, sc.RealmID, kind, sourceKey)
	if err != nil {
		return fmt.Errorf("retry %s %s: %w", kind, sourceKey, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNoSuchFailure
	}
	return nil
}

// KindOutcomes counts one kind's records by their latest outcome.
type KindOutcomes struct {
	Kind      string `db:"kind"`
	Created   int    `db:"created"`
	Updated   int    `db:"updated"`
	Adopted   int    `db:"adopted"`
	Unchanged int    `db:"unchanged"`
	Failed    int    `db:"failed"`
}

// Outcomes counts the company's records by kind and latest outcome: the state of every
// record the sync has handled, whatever the last cycle did.
func (s *Store) Outcomes(ctx context.Context, sc Scope) ([]KindOutcomes, error) {
	var out []KindOutcomes
	err := s.db.SelectContext(ctx, &out, `
		SELECT kind,
		       count(*) FILTER (WHERE status = 'synced' AND last_action = 'created') AS created,
		       count(*) FILTER (WHERE status = 'synced' AND last_action = 'updated') AS updated,
		       count(*) FILTER (WHERE status = 'synced' AND last_action = 'adopted') AS adopted,
		       count(*) FILTER (WHERE status = 'synced' AND last_action = 'unchanged') AS unchanged,
		       count(*) FILTER (WHERE status = 'failed') AS failed
		FROM sync_items WHERE firm_id = $1 AND realm_id = $2
		GROUP BY kind ORDER BY kind`, sc.FirmID, sc.RealmID)
	if err != nil {
		return nil, fmt.Errorf("outcomes by kind: %w", err)
	}
	return out, nil
}
