package store

import (
	"context"
	"fmt"
	"time"
)

// CategoryError is a category whose runs keep failing for a reason that is not about
// one record: nothing of the category syncs until it clears.
type CategoryError struct {
	Category string    `db:"category"`
	Error    string    `db:"error"`
	Attempts int       `db:"attempts"`
	FirstAt  time.Time `db:"first_at"`
	LastAt   time.Time `db:"last_at"`
}

// RecordCategoryError notes that a run of the category failed with err.
func (s *Store) RecordCategoryError(ctx context.Context, sc Scope, category, err string) error {
	_, dbErr := s.db.ExecContext(ctx, `
		INSERT INTO sync_category_errors (firm_id, realm_id, category, error)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (firm_id, realm_id, category) DO UPDATE SET
		    error = EXCLUDED.error, attempts = sync_category_errors.attempts + 1, last_at = now()`,
		sc.FirmID, sc.RealmID, category, err)
	if dbErr != nil {
		return fmt.Errorf("record the error of category %s: %w", category, dbErr)
	}
	return nil
}

// ClearCategoryError notes that a run of the category succeeded.
func (s *Store) ClearCategoryError(ctx context.Context, sc Scope, category string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sync_category_errors WHERE firm_id = $1 AND realm_id = $2 AND category = $3`,
		sc.FirmID, sc.RealmID, category)
	if err != nil {
		return fmt.Errorf("clear the error of category %s: %w", category, err)
	}
	return nil
}

// CategoryErrors lists the categories whose last run failed, longest failing first.
func (s *Store) CategoryErrors(ctx context.Context, sc Scope) ([]CategoryError, error) {
	var out []CategoryError
	err := s.db.SelectContext(ctx, &out, `
		SELECT category, error, attempts, first_at, last_at FROM sync_category_errors
		WHERE firm_id = $1 AND realm_id = $2 ORDER BY first_at, category`, sc.FirmID, sc.RealmID)
	if err != nil {
		return nil, fmt.Errorf("category errors: %w", err)
	}
	return out, nil
}
