package pms

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// TrustBalance is what one matter holds in one trust bank account at the end of a day,
// from the practice system's trust transactions: deposits in, disbursements and
// transfers to operating out.
type TrustBalance struct {
	BankAccountID int64  `db:"bank_account_id"`
	MatterID      int64  `db:"matter_id"`
	MatterNumber  string `db:"matter_number"`
	ClientID      int64  `db:"client_id"`
	ClientNumber  string `db:"client_number"`
	ClientName    string `db:"client_name"`
	// BalanceCents is positive when the firm holds money for the client, negative when
	// the matter's ledger is overdrawn (a practice error the books must still show).
	BalanceCents int64 `db:"balance_cents"`
}

// TrustBalancesAsOf returns every matter's trust balance per trust bank account at the
// end of day (transactions dated on or before it), leaving out balances of zero, in
// account, client and matter order. It is the practice side of the opening balances a
// sync with a start date posts as of the day before (docs/design.md, "Opening balances").
// Only the calendar day of day counts, compared as a date so no time zone moves it.
func TrustBalancesAsOf(ctx context.Context, db sqlx.QueryerContext, firmID int64, day time.Time) ([]TrustBalance, error) {
	var out []TrustBalance
	if err := sqlx.SelectContext(ctx, db, &out, `
		SELECT t.bank_account_id, t.matter_id, m.matter_number, c.id AS client_id, c.client_number, c.name AS client_name,
		       sum(CASE t.kind WHEN 'deposit' THEN t.amount_cents ELSE -t.amount_cents END)::bigint AS balance_cents
		FROM trust_transactions t
		JOIN bank_accounts b ON b.firm_id = t.firm_id AND b.id = t.bank_account_id AND b.kind = 'trust'
		JOIN matters m ON m.firm_id = t.firm_id AND m.id = t.matter_id
		JOIN clients c ON c.firm_id = m.firm_id AND c.id = m.client_id
		WHERE t.firm_id = $1 AND t.txn_on <= $2::date
		GROUP BY t.bank_account_id, t.matter_id, m.matter_number, c.id, c.client_number, c.name
		HAVING sum(CASE t.kind WHEN 'deposit' THEN t.amount_cents ELSE -t.amount_cents END) <> 0
		ORDER BY t.bank_account_id, c.client_number, c.id, m.matter_number, t.matter_id`,
		firmID, day.Format(time.DateOnly)); err != nil {
		return nil, fmt.Errorf("load trust balances as of %s: %w", day.Format(time.DateOnly), err)
	}
	return out, nil
}
