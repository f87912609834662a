package pms

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
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

// PostedAlone says which trust records dated on or before an opening day qbosync posts
// as transactions of their own, so that the opening balances leave them out and no
// money counts twice in QuickBooks.
type PostedAlone struct {
	// Txns are trust transactions already in QuickBooks on their own (a receipt's own
	// deposit, a transfer's journal entry, a disbursement's check): one whose date was
	// moved before the start date after it synced stays there.
	Txns []int64
	// Slips are deposit slips already in QuickBooks, with every receipt on them.
	Slips []int64
	// SlipsPostAsOne is the "one deposit per slip" setting: a receipt on a slip dated
	// after the opening day is deposited with that slip, as the bank statement shows it
	// (a check received on the last day before the start date and banked after it), so
	// it is the slip's, not the opening balance's.
	SlipsPostAsOne bool
}

// TrustBalancesAsOf returns every matter's trust balance per trust bank account at the
// end of day (transactions dated on or before it), less what posted says qbosync posts
// on its own, leaving out balances of zero, in account, client and matter order. It is
// the practice side of the opening balances a sync with a start date posts as of the
// day before (docs/design.md, "Opening balances"). Only the calendar day of day
// counts, compared as a date so no time zone moves it.
func TrustBalancesAsOf(ctx context.Context, db sqlx.QueryerContext, firmID int64, day time.Time, posted PostedAlone) ([]TrustBalance, error) {
	var out []TrustBalance
	// An empty list, never NULL: "NOT id = ANY(NULL)" would leave every row out.
	txns, slips := append([]int64{}, posted.Txns...), append([]int64{}, posted.Slips...)
	if err := sqlx.SelectContext(ctx, db, &out, `
		SELECT t.bank_account_id, t.matter_id, m.matter_number, c.id AS client_id, c.client_number, c.name AS client_name,
		       sum(CASE t.kind WHEN 'deposit' THEN t.amount_cents ELSE -t.amount_cents END)::bigint AS balance_cents
		FROM trust_transactions t
		JOIN bank_accounts b ON b.firm_id = t.firm_id AND b.id = t.bank_account_id AND b.kind = 'trust'
		JOIN matters m ON m.firm_id = t.firm_id AND m.id = t.matter_id
		JOIN clients c ON c.firm_id = m.firm_id AND c.id = m.client_id
		LEFT JOIN deposit_slips s ON s.firm_id = t.firm_id AND s.id = t.deposit_slip_id AND t.kind = 'deposit'
		WHERE t.firm_id = $1 AND t.txn_on <= $2::date
		  AND NOT t.id = ANY($3)
		  AND NOT (s.id IS NOT NULL AND (s.id = ANY($4) OR ($5 AND s.deposited_on > $2::date)))
		GROUP BY t.bank_account_id, t.matter_id, m.matter_number, c.id, c.client_number, c.name
		HAVING sum(CASE t.kind WHEN 'deposit' THEN t.amount_cents ELSE -t.amount_cents END) <> 0
		ORDER BY t.bank_account_id, c.client_number, c.id, m.matter_number, t.matter_id`,
		firmID, day.Format(time.DateOnly), pq.Array(txns), pq.Array(slips), posted.SlipsPostAsOne); err != nil {
		return nil, fmt.Errorf("load trust balances as of %s: %w", day.Format(time.DateOnly), err)
	}
	return out, nil
}
