package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// StoredReconciliation is the latest check of a company's books, as the activity that
// ran it saved it: when, whether the books agreed, and the report (internal/reconcile's
// Report as JSON; this package does not know its shape).
type StoredReconciliation struct {
	CheckedAt time.Time       `db:"checked_at"`
	OK        bool            `db:"ok"`
	Report    json.RawMessage `db:"report"`
}

// ErrNoReconciliation means the company's books have not been checked yet.
var ErrNoReconciliation = errors.New("the books have not been checked yet")

// SaveReconciliation replaces the company's latest reconciliation.
func (s *Store) SaveReconciliation(ctx context.Context, sc Scope, r StoredReconciliation) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO reconciliations (firm_id, realm_id, checked_at, ok, report) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (firm_id, realm_id) DO UPDATE SET
		    checked_at = EXCLUDED.checked_at, ok = EXCLUDED.ok, report = EXCLUDED.report`,
		sc.FirmID, sc.RealmID, r.CheckedAt, r.OK, []byte(r.Report))
	if err != nil {
		return fmt.Errorf("save reconciliation: %w", err)
	}
	return nil
}

// LatestReconciliation is the company's latest reconciliation, or ErrNoReconciliation.
func (s *Store) LatestReconciliation(ctx context.Context, sc Scope) (StoredReconciliation, error) {
	var r StoredReconciliation
	err := s.db.GetContext(ctx, &r, `
		SELECT checked_at, ok, report FROM reconciliations WHERE firm_id = $1 AND realm_id = $2`, sc.FirmID, sc.RealmID)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNoReconciliation
	}
	if err != nil {
		return r, fmt.Errorf("latest reconciliation: %w", err)
	}
	return r, nil
}
