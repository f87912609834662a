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

// FirmsWithChangesPast lists the firms connected to a company whose category has
// changes in its feed (the given entities) past its cursor, or no cursor yet: the
// worker's sweep wakes their syncs, a backstop for a change notification lost.
func (s *Store) FirmsWithChangesPast(ctx context.Context, category string, entities []string) ([]int64, error) {
	var firms []int64
	err := s.db.SelectContext(ctx, &firms, `
		SELECT DISTINCT c.firm_id FROM qbo_connections c
		LEFT JOIN sync_cursors s ON s.firm_id = c.firm_id AND s.realm_id = c.realm_id AND s.category = $1
		WHERE c.status = 'connected'
		  AND (s.feed_seq IS NULL OR EXISTS (SELECT 1 FROM pms_changes p
		       WHERE p.firm_id = c.firm_id AND p.seq > s.feed_seq AND p.entity = ANY($2)))
		ORDER BY 1`, category, textArray(entities))
	if err != nil {
		return nil, fmt.Errorf("firms with changes for %s: %w", category, err)
	}
	return firms, nil
}
