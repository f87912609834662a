package pms

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Trust transaction kinds (trust_transactions.kind). Amounts are always positive; the
// kind says which way the money moves.
const (
	TrustDeposit             = "deposit"               // received for a client into trust
	TrustDisbursement        = "disbursement"          // paid out to a third party for the client
	TrustTransferToOperating = "transfer_to_operating" // applied to the firm's invoice (has a payment)
)

// Expense kinds (expenses.kind).
const (
	ExpenseHard = "hard" // paid to a third party from a bank account; has a payee
	ExpenseSoft = "soft" // the firm's own charge (copies, mileage); no payee
)

// DepositSlip is a bank deposit slip: client receipts deposited together into a trust
// account, which the bank statement shows as one amount.
type DepositSlip struct {
	FirmID        int64     `db:"firm_id"`
	ID            int64     `db:"id"`
	BankAccountID int64     `db:"bank_account_id"`
	Number        string    `db:"slip_number"`
	DepositedOn   time.Time `db:"deposited_on"`
	// TotalCents is the slip's total as the practice system records it; the receipts
	// should add up to it (the posting refuses a slip whose receipts do not).
	TotalCents int64 `db:"total_cents"`
	// Receipts are the slip's trust deposits, in id order.
	Receipts []TrustTransaction
}

// TrustTransaction is one movement of client money in trust: a deposit, a disbursement
// to a third party, or a transfer to operating that pays an invoice (PaymentID).
type TrustTransaction struct {
	FirmID        int64 `db:"firm_id"`
	ID            int64 `db:"id"`
	BankAccountID int64 `db:"bank_account_id"`
	MatterID      int64 `db:"matter_id"`
	// ClientID is the matter's client.
	ClientID      int64     `db:"client_id"`
	Kind          string    `db:"kind"` // TrustDeposit, TrustDisbursement or TrustTransferToOperating
	TxnOn         time.Time `db:"txn_on"`
	AmountCents   int64     `db:"amount_cents"` // always positive
	Payee         string    `db:"payee"`        // set for disbursements
	Reference     string    `db:"reference"`    // a check or wire number, as the firm wrote it
	Description   string    `db:"description"`
	DepositSlipID *int64    `db:"deposit_slip_id"` // deposits only; nil when deposited alone
	PaymentID     *int64    `db:"payment_id"`      // transfers to operating: the payment they fund
	MatterNumber  string    `db:"matter_number"`
	// DocNumberSeq counts the earlier records whose QuickBooks transactions carry the
	// same reference as their document number (see the const block of purchaseNumbers);
	// 0 for deposits.
	DocNumberSeq int `db:"-"`
}

// Expense is a cost on a matter: a hard cost the firm paid a third party, or a soft cost
// (the firm's own charge).
type Expense struct {
	FirmID      int64     `db:"firm_id"`
	ID          int64     `db:"id"`
	MatterID    int64     `db:"matter_id"`
	ClientID    int64     `db:"client_id"` // the matter's client
	Kind        string    `db:"kind"`      // ExpenseHard or ExpenseSoft
	IncurredOn  time.Time `db:"incurred_on"`
	Description string    `db:"description"`
	// Quantity is exact decimal text, as PostgreSQL's numeric gives it.
	Quantity       string `db:"quantity"`
	UnitPriceCents int64  `db:"unit_price_cents"`
	AmountCents    int64  `db:"amount_cents"`
	Payee          string `db:"payee"` // hard costs only
	// PaidFromAccountID is the bank account a hard cost was paid from; nil for soft costs.
	PaidFromAccountID *int64 `db:"paid_from_account_id"`
	CheckNumber       string `db:"check_number"`
	Billable          bool   `db:"billable"`
	InvoiceID         *int64 `db:"invoice_id"` // the invoice that billed it, if any
	MatterNumber      string `db:"matter_number"`
	// DocNumberSeq counts the earlier records whose QuickBooks transactions carry the
	// same check number (see the const block of purchaseNumbers).
	DocNumberSeq int `db:"-"`
}

// Document numbers: QuickBooks refuses a document number a transaction of the same type
// already has on Cash and CreditCard purchases always, and on checks and journal
// entries when the company warns of duplicate numbers (docs/qbo-api.md, "Document
// numbers"). The practice system shares numbers freely: two costs paid by one check
// carry its number, two transfers for one invoice the invoice's. So each record that
// posts with a number learns how many records posting as the same QuickBooks type
// carry that number before it (posting.UniqueDocNumber then sends "5001", "5001-2",
// "5001-3"). "Before" is (created_at, table, id), an order a new record always comes
// last in, so adding a record never renumbers the ones already in QuickBooks. Purchases
// are hard costs and trust disbursements together (one QuickBooks type, whatever the
// bank account); journal entries are the transfers to operating. Numbers compare
// without case or surrounding space, the stricter reading of QuickBooks' rule.
const (
	// purchaseNumbers are the firm's records that post as Purchases, each with the
	// number it carries: src 0 is a hard cost, src 1 a trust disbursement.
	purchaseNumbers = `
		SELECT 0 AS src, e.id, e.created_at, lower(btrim(e.check_number)) AS num FROM expenses e
		WHERE e.firm_id = $1 AND e.kind = 'hard' AND btrim(e.check_number) <> ''
		UNION ALL
		SELECT 1, d.id, d.created_at, lower(btrim(d.reference)) FROM trust_transactions d
		WHERE d.firm_id = $1 AND d.kind = 'disbursement' AND btrim(d.reference) <> ''`
	// transferNumbers are the firm's records that post as JournalEntries: src 2, the
	// transfers to operating.
	transferNumbers = `
		SELECT 2 AS src, t.id, t.created_at, lower(btrim(t.reference)) AS num FROM trust_transactions t
		WHERE t.firm_id = $1 AND t.kind = 'transfer_to_operating' AND btrim(t.reference) <> ''`
)

// docNumberSeqs returns, for the records of one src among ids, how many records of
// numbers (purchaseNumbers or transferNumbers) carry the same number before them; a
// record first with its number is absent. Two queries a page: the numbers the page's
// records carry, then the ranks of the firm's records with those numbers. One query
// joining the numbers to themselves was left to the planner's estimates, and with a
// table's statistics behind its rows (a practice database just imported) it chose a
// nested loop over every pair of the firm's numbered records: 5 to 8 seconds a page
// for a large firm, where these take milliseconds whatever the estimates (both filter
// by a parameter array, which PostgreSQL hashes).
func docNumberSeqs(ctx context.Context, db sqlx.QueryerContext, firmID int64, numbers string, src int, ids []int64) (map[int64]int, error) {
	var nums []string
	if err := sqlx.SelectContext(ctx, db, &nums, `
		SELECT DISTINCT num FROM (`+numbers+`) n WHERE src = $2 AND id = ANY($3)`,
		firmID, src, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("document numbers: %w", err)
	}
	if len(nums) == 0 {
		return nil, nil
	}
	var rows []struct {
		ID  int64 `db:"id"`
		Seq int   `db:"seq"`
	}
	if err := sqlx.SelectContext(ctx, db, &rows, `
		SELECT id, seq FROM (
		    SELECT src, id, row_number() OVER (PARTITION BY num ORDER BY created_at, src, id) - 1 AS seq
		    FROM (`+numbers+`) n WHERE num = ANY($4)) ranked
		WHERE src = $2 AND id = ANY($3) AND seq > 0`,
		firmID, src, pq.Array(ids), pq.Array(nums)); err != nil {
		return nil, fmt.Errorf("rank document numbers: %w", err)
	}
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Seq
	}
	return out, nil
}

const trustTransactionColumns = `
	t.firm_id, t.id, t.bank_account_id, t.matter_id, m.client_id, t.kind, t.txn_on, t.amount_cents,
	t.payee, t.reference, t.description, t.deposit_slip_id, t.payment_id, m.matter_number
	FROM trust_transactions t
	JOIN matters m ON m.firm_id = t.firm_id AND m.id = t.matter_id`

// DepositSlips loads the firm's deposit slips with the given ids, each with its receipts
// in id order. Ids that do not exist (deleted slips) are absent from the result.
func DepositSlips(ctx context.Context, db sqlx.QueryerContext, firmID int64, ids []int64) ([]DepositSlip, error) {
	var slips []DepositSlip
	if err := sqlx.SelectContext(ctx, db, &slips, `
		SELECT firm_id, id, bank_account_id, slip_number, deposited_on, total_cents
		FROM deposit_slips WHERE firm_id = $1 AND id = ANY($2) ORDER BY id`, firmID, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("load deposit slips: %w", err)
	}
	var receipts []TrustTransaction
	if err := sqlx.SelectContext(ctx, db, &receipts, `SELECT `+trustTransactionColumns+`
		WHERE t.firm_id = $1 AND t.deposit_slip_id = ANY($2)
		ORDER BY t.deposit_slip_id, t.id`, firmID, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("load deposit slip receipts: %w", err)
	}
	byID := make(map[int64]*DepositSlip, len(slips))
	for i := range slips {
		byID[slips[i].ID] = &slips[i]
	}
	for _, r := range receipts {
		if s := byID[*r.DepositSlipID]; s != nil {
			s.Receipts = append(s.Receipts, r)
		}
	}
	return slips, nil
}

// TrustTransactions loads the firm's trust transactions with the given ids, in id order.
func TrustTransactions(ctx context.Context, db sqlx.QueryerContext, firmID int64, ids []int64) ([]TrustTransaction, error) {
	var out []TrustTransaction
	if err := sqlx.SelectContext(ctx, db, &out, `SELECT `+trustTransactionColumns+`
		WHERE t.firm_id = $1 AND t.id = ANY($2)
		ORDER BY t.id`, firmID, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("load trust transactions: %w", err)
	}
	disbursements, err := docNumberSeqs(ctx, db, firmID, purchaseNumbers, 1, ids)
	if err != nil {
		return nil, err
	}
	transfers, err := docNumberSeqs(ctx, db, firmID, transferNumbers, 2, ids)
	if err != nil {
		return nil, err
	}
	for i, t := range out {
		switch t.Kind {
		case TrustDisbursement:
			out[i].DocNumberSeq = disbursements[t.ID]
		case TrustTransferToOperating:
			out[i].DocNumberSeq = transfers[t.ID]
		}
	}
	return out, nil
}

// Expenses loads the firm's expenses with the given ids, in id order.
func Expenses(ctx context.Context, db sqlx.QueryerContext, firmID int64, ids []int64) ([]Expense, error) {
	var out []Expense
	if err := sqlx.SelectContext(ctx, db, &out, `
		SELECT x.firm_id, x.id, x.matter_id, m.client_id, x.kind, x.incurred_on, x.description,
		       x.quantity::text AS quantity, x.unit_price_cents, x.amount_cents, x.payee,
		       x.paid_from_account_id, x.check_number, x.billable, x.invoice_id, m.matter_number
		FROM expenses x
		JOIN matters m ON m.firm_id = x.firm_id AND m.id = x.matter_id
		WHERE x.firm_id = $1 AND x.id = ANY($2)
		ORDER BY x.id`, firmID, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("load expenses: %w", err)
	}
	seqs, err := docNumberSeqs(ctx, db, firmID, purchaseNumbers, 0, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].DocNumberSeq = seqs[out[i].ID]
	}
	return out, nil
}

// SlipIDsOfTrustTransactions returns the deposit slips the given trust transactions are
// on now, distinct and sorted: a change to a receipt changes the slip's Deposit, so the
// slip must sync again. It sees only the current rows: a receipt moved off a slip, or
// deleted, no longer names the slip it left.
func SlipIDsOfTrustTransactions(ctx context.Context, db sqlx.QueryerContext, firmID int64, ids []int64) ([]int64, error) {
	var out []int64
	if err := sqlx.SelectContext(ctx, db, &out, `
		SELECT DISTINCT deposit_slip_id FROM trust_transactions
		WHERE firm_id = $1 AND id = ANY($2) AND deposit_slip_id IS NOT NULL
		ORDER BY deposit_slip_id`, firmID, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("load deposit slips of trust transactions: %w", err)
	}
	return out, nil
}

// BankAccountKinds returns the kind ("operating" or "trust") of the firm's bank accounts
// with the given ids: a hard cost paid from a trust account is a trust disbursement.
func BankAccountKinds(ctx context.Context, db sqlx.QueryerContext, firmID int64, ids []int64) (map[int64]string, error) {
	var rows []struct {
		ID   int64  `db:"id"`
		Kind string `db:"kind"`
	}
	if err := sqlx.SelectContext(ctx, db, &rows, `
		SELECT id, kind FROM bank_accounts WHERE firm_id = $1 AND id = ANY($2)`, firmID, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("load bank accounts: %w", err)
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Kind
	}
	return out, nil
}
