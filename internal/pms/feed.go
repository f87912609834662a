package pms

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Entities named in the change feed.
const (
	EntityClient           = "client"
	EntityMatter           = "matter"
	EntityTimekeeper       = "timekeeper"
	EntityBankAccount      = "bank_account"
	EntityInvoice          = "invoice"
	EntityTimeEntry        = "time_entry"
	EntityExpense          = "expense"
	EntityPayment          = "payment"
	EntityAdjustment       = "adjustment"
	EntityDepositSlip      = "deposit_slip"
	EntityTrustTransaction = "trust_transaction"
)

// Cursor is a position in the change feed: the last change a reader has handled.
// The zero Cursor is the start of the feed.
type Cursor struct {
	Seq int64 `json:"seq" db:"seq"`
}

// Change says that a record was inserted, updated or deleted.
type Change struct {
	Cursor
	Entity   string `db:"entity"`
	EntityID int64  `db:"entity_id"`
	Op       string `db:"op"` // INSERT, UPDATE or DELETE
}

// ReadChanges returns up to limit changes of the given entities for one firm, after
// the cursor, in feed order. Feed rows become visible in sequence order (see
// internal/db/migrations/00002_change_feed.sql), so paging by sequence never passes over a change
// that commits late. The last change's Cursor is where to continue.
func ReadChanges(ctx context.Context, db sqlx.QueryerContext, firmID int64, entities []string, after Cursor, limit int) ([]Change, error) {
	return ReadChangesUpTo(ctx, db, firmID, entities, after, Cursor{Seq: math.MaxInt64}, limit)
}

// ReadChangesUpTo is ReadChanges that stops at upto (included): a run that reads only
// what was in the feed when it began (LastChange).
func ReadChangesUpTo(ctx context.Context, db sqlx.QueryerContext, firmID int64, entities []string, after, upto Cursor, limit int) ([]Change, error) {
	var out []Change
	err := sqlx.SelectContext(ctx, db, &out, `
		SELECT seq, entity, entity_id, op
		FROM pms_changes
		WHERE firm_id = $1 AND entity = ANY($2) AND seq > $3 AND seq <= $4
		ORDER BY seq
		LIMIT $5`,
		firmID, pq.Array(entities), after.Seq, upto.Seq, limit)
	if err != nil {
		return nil, fmt.Errorf("read change feed: %w", err)
	}
	return out, nil
}

// LastChange is the cursor of the firm's newest change of the given entities (the
// zero cursor when there is none).
func LastChange(ctx context.Context, db sqlx.QueryerContext, firmID int64, entities []string) (Cursor, error) {
	var c Cursor
	err := sqlx.GetContext(ctx, db, &c.Seq, `
		SELECT COALESCE(max(seq), 0) FROM pms_changes WHERE firm_id = $1 AND entity = ANY($2)`,
		firmID, pq.Array(entities))
	if err != nil {
		return c, fmt.Errorf("read change feed: %w", err)
	}
	return c, nil
}

// ChangeAges returns how long ago each of the firm's changes of the given entities
// after `after`, up to and including `upto`, committed: the sync's lag once it has
// written them. Both ends are the database's clock, so a worker's clock cannot skew it.
func ChangeAges(ctx context.Context, db sqlx.QueryerContext, firmID int64, entities []string, after, upto Cursor) ([]time.Duration, error) {
	var seconds []float64
	err := sqlx.SelectContext(ctx, db, &seconds, `
		SELECT extract(epoch FROM clock_timestamp() - changed_at)::float8
		FROM pms_changes
		WHERE firm_id = $1 AND entity = ANY($2) AND seq > $3 AND seq <= $4`,
		firmID, pq.Array(entities), after.Seq, upto.Seq)
	if err != nil {
		return nil, fmt.Errorf("change ages: %w", err)
	}
	out := make([]time.Duration, len(seconds))
	for i, s := range seconds {
		out[i] = time.Duration(s * float64(time.Second))
	}
	return out, nil
}
