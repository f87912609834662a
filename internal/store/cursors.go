package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/qbosync/qbosync/internal/pms"
)

// Cursor returns where a category stands in the change feed (the start if it never ran).
func (s *Store) Cursor(ctx context.Context, sc Scope, category string) (pms.Cursor, error) {
	var c pms.Cursor
	err := s.db.GetContext(ctx, &c.Seq, `
		SELECT feed_seq FROM sync_cursors
		WHERE firm_id = $1 AND realm_id = $2 AND category = $3`, sc.FirmID, sc.RealmID, category)
	if errors.Is(err, sql.ErrNoRows) {
		return pms.Cursor{}, nil
	}
	if err != nil {
		return pms.Cursor{}, fmt.Errorf("cursor %s: %w", category, err)
	}
	return c, nil
}

// SaveCursor moves a category's cursor forward.
func (s *Store) SaveCursor(ctx context.Context, sc Scope, category string, c pms.Cursor) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO sync_cursors (firm_id, realm_id, category, feed_seq)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (firm_id, realm_id, category) DO UPDATE SET
		    feed_seq = EXCLUDED.feed_seq, updated_at = now()`,
		sc.FirmID, sc.RealmID, category, c.Seq)
	if err != nil {
		return fmt.Errorf("save cursor %s: %w", category, err)
	}
	return nil
}

// HasWork says whether a category has changes in its feed (the given entities) past
// its cursor; a category that has never saved a cursor has.
func (s *Store) HasWork(ctx context.Context, sc Scope, category string, entities []string) (bool, error) {
	var changed bool
	err := s.db.GetContext(ctx, &changed, `
		SELECT CASE WHEN c.feed_seq IS NULL THEN true
		       ELSE EXISTS (SELECT 1 FROM pms_changes p WHERE p.firm_id = $1 AND p.entity = ANY($4) AND p.seq > c.feed_seq) END
		FROM (SELECT (SELECT feed_seq FROM sync_cursors WHERE firm_id = $1 AND realm_id = $2 AND category = $3) AS feed_seq) c`,
		sc.FirmID, sc.RealmID, category, textArray(entities))
	if err != nil {
		return false, fmt.Errorf("pending %s: %w", category, err)
	}
	return changed, nil
}
