package pms

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// BackfillFilter selects the records a backfill brings over.
type BackfillFilter struct {
	// Since: dated records (invoices, payments, ...) on or after this day. Clients and
	// matters are not dated: all of them come.
	Since time.Time `json:"since"`
	// Unpaid adds every unpaid invoice whatever its date, with what it needs.
	Unpaid bool `json:"unpaid,omitempty"`
}

// backfillTables says, per feed entity, which table holds its records and which of
// them a backfill selects. Table names and conditions are constants, never input.
var backfillTables = map[string]struct{ table, where string }{
	EntityClient: {"clients", "true"},
	EntityMatter: {"matters", "true"},
	// Bank accounts: the ledger category ensures every account the settings name.
	EntityBankAccount: {"bank_accounts", "active"},
}

// BackfillIDs returns up to limit ids of the firm's records of entity after afterID, in
// id order, as changes a category can sync like any other.
func BackfillIDs(ctx context.Context, db sqlx.QueryerContext, firmID int64, entity string, f BackfillFilter, afterID int64, limit int) ([]Change, error) {
	src, ok := backfillTables[entity]
	if !ok {
		return nil, fmt.Errorf("backfill: no source for entity %q", entity)
	}
	var ids []int64
	err := sqlx.SelectContext(ctx, db, &ids, `SELECT id FROM `+src.table+`
		WHERE firm_id = $1 AND id > $2 AND (`+src.where+`) ORDER BY id LIMIT $3`, firmID, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("backfill %s: %w", entity, err)
	}
	out := make([]Change, len(ids))
	for i, id := range ids {
		out[i] = Change{Entity: entity, EntityID: id, Op: "UPDATE"}
	}
	return out, nil
}

// BackfillCount counts what BackfillIDs would return from the start.
func BackfillCount(ctx context.Context, db sqlx.QueryerContext, firmID int64, entity string, f BackfillFilter) (int, error) {
	src, ok := backfillTables[entity]
	if !ok {
		return 0, fmt.Errorf("backfill: no source for entity %q", entity)
	}
	var n int
	err := sqlx.GetContext(ctx, db, &n, `SELECT count(*) FROM `+src.table+` WHERE firm_id = $1 AND (`+src.where+`)`, firmID)
	return n, err
}
