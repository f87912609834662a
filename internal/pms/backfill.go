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
// them a backfill selects. Table names and conditions are constants, never input; in a
// condition, f.since is the filter's Since and f.unpaid its Unpaid.
//
// The conditions select generously: the categories apply the exact scope (an invoice
// already in QBO stays in scope whatever its date), so a backfill only has to offer
// every record that might belong.
var backfillTables = map[string]struct{ table, where string }{
	EntityClient: {"clients", "true"},
	EntityMatter: {"matters", "true"},
	// Bank accounts: the ledger category ensures every account the settings name.
	EntityBankAccount: {"bank_accounts", "active"},
	// Approved invoices dated from Since, and with Unpaid those still owed on.
	EntityInvoice: {"invoices i", `i.status = 'approved' AND (i.issued_on >= f.since OR (f.unpaid AND ` + unpaidCents + ` > 0))`},
	// Payments received from Since, and those applied to an invoice the backfill brings.
	EntityPayment: {"payments p", `p.status = 'posted' AND (p.received_on >= f.since OR EXISTS (
		SELECT 1 FROM payment_allocations pa JOIN invoices i ON i.firm_id = pa.firm_id AND i.id = pa.invoice_id
		WHERE pa.firm_id = p.firm_id AND pa.payment_id = p.id AND i.status = 'approved'
		  AND (i.issued_on >= f.since OR (f.unpaid AND ` + unpaidCents + ` > 0))))`},
	// Trust money and hard costs dated from Since (a slip brings its receipts).
	EntityDepositSlip:      {"deposit_slips", "deposited_on >= f.since"},
	EntityTrustTransaction: {"trust_transactions", "txn_on >= f.since"},
	EntityExpense:          {"expenses", "kind = 'hard' AND incurred_on >= f.since"},
}

// filterRow names a BackfillFilter's values for the conditions, typed.
const filterRow = `(SELECT $2::date AS since, $3::boolean AS unpaid) f`

// BackfillIDs returns up to limit ids of the firm's records of entity after afterID, in
// id order, as changes a category can sync like any other.
func BackfillIDs(ctx context.Context, db sqlx.QueryerContext, firmID int64, entity string, f BackfillFilter, afterID int64, limit int) ([]Change, error) {
	src, ok := backfillTables[entity]
	if !ok {
		return nil, fmt.Errorf("backfill: no source for entity %q", entity)
	}
	var ids []int64
	err := sqlx.SelectContext(ctx, db, &ids, `SELECT id FROM `+src.table+`, `+filterRow+`
		WHERE firm_id = $1 AND (`+src.where+`) AND id > $4 ORDER BY id LIMIT $5`, firmID, f.Since, f.Unpaid, afterID, limit)
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
	err := sqlx.GetContext(ctx, db, &n, `SELECT count(*) FROM `+src.table+`, `+filterRow+` WHERE firm_id = $1 AND (`+src.where+`)`, firmID, f.Since, f.Unpaid)
	return n, err
}
