package pms

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Adjustment changes what a client owes on an invoice after it was issued: a
// write-off or a credit lowers it, a debit raises it.
type Adjustment struct {
	FirmID      int64     `db:"firm_id"`
	ID          int64     `db:"id"`
	InvoiceID   int64     `db:"invoice_id"`
	Kind        string    `db:"kind"` // write_off, credit or debit
	AdjustedOn  time.Time `db:"adjusted_on"`
	AmountCents int64     `db:"amount_cents"`
	Reason      string    `db:"reason"`
	// CreditNumber counts the invoice's write-offs and credits in id order, 1 for the
	// first (0 for a debit): its credit memo is numbered after the invoice with it
	// ("INV-1004-C2", posting.CreditMemoDocNumber).
	CreditNumber int `db:"credit_number"`
}

// Lowers reports whether the adjustment lowers what is owed (a write-off or a credit).
func (a Adjustment) Lowers() bool { return a.Kind != "debit" }

// AdjustmentsOfInvoices loads the adjustments of the given invoices, by invoice, in id
// order.
func AdjustmentsOfInvoices(ctx context.Context, db sqlx.QueryerContext, firmID int64, invoiceIDs []int64) (map[int64][]Adjustment, error) {
	var rows []Adjustment
	if err := sqlx.SelectContext(ctx, db, &rows, `
		SELECT firm_id, id, invoice_id, kind, adjusted_on, amount_cents, reason,
		       CASE WHEN kind = 'debit' THEN 0
		            ELSE row_number() OVER (PARTITION BY invoice_id, kind = 'debit' ORDER BY id) END AS credit_number
		FROM adjustments WHERE firm_id = $1 AND invoice_id = ANY($2) ORDER BY id`, firmID, pq.Array(invoiceIDs)); err != nil {
		return nil, fmt.Errorf("load adjustments: %w", err)
	}
	out := map[int64][]Adjustment{}
	for _, a := range rows {
		out[a.InvoiceID] = append(out[a.InvoiceID], a)
	}
	return out, nil
}

// Payment is money a client paid, from operating funds or applied from trust, with
// the invoices it pays.
type Payment struct {
	FirmID        int64     `db:"firm_id"`
	ID            int64     `db:"id"`
	ClientID      int64     `db:"client_id"`
	Source        string    `db:"source"` // operating or trust
	BankAccountID int64     `db:"bank_account_id"`
	ReceivedOn    time.Time `db:"received_on"`
	AmountCents   int64     `db:"amount_cents"`
	Method        string    `db:"method"`
	Reference     string    `db:"reference"`
	Status        string    `db:"status"` // posted or void
	Allocations   []Allocation
}

// Allocation is the part of a payment applied to one invoice.
type Allocation struct {
	PaymentID     int64  `db:"payment_id"`
	InvoiceID     int64  `db:"invoice_id"`
	InvoiceNumber string `db:"invoice_number"`
	MatterID      int64  `db:"matter_id"`
	MatterNumber  string `db:"matter_number"`
	AmountCents   int64  `db:"amount_cents"`
}

// Payments loads the firm's payments with the given ids and their allocations (in
// invoice id order).
func Payments(ctx context.Context, db sqlx.QueryerContext, firmID int64, ids []int64) ([]Payment, error) {
	var ps []Payment
	if err := sqlx.SelectContext(ctx, db, &ps, `
		SELECT firm_id, id, client_id, source, bank_account_id, received_on, amount_cents, method, reference, status
		FROM payments WHERE firm_id = $1 AND id = ANY($2) ORDER BY id`, firmID, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("load payments: %w", err)
	}
	var allocs []Allocation
	if err := sqlx.SelectContext(ctx, db, &allocs, `
		SELECT a.payment_id, a.invoice_id, i.invoice_number, i.matter_id, m.matter_number, a.amount_cents
		FROM payment_allocations a
		JOIN invoices i ON i.firm_id = a.firm_id AND i.id = a.invoice_id
		JOIN matters m ON m.firm_id = i.firm_id AND m.id = i.matter_id
		WHERE a.firm_id = $1 AND a.payment_id = ANY($2)
		ORDER BY a.payment_id, a.invoice_id`, firmID, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("load payment allocations: %w", err)
	}
	byID := make(map[int64]*Payment, len(ps))
	for i := range ps {
		byID[ps[i].ID] = &ps[i]
	}
	for _, a := range allocs {
		if p := byID[a.PaymentID]; p != nil {
			p.Allocations = append(p.Allocations, a)
		}
	}
	return ps, nil
}

// unpaidCents is the SQL for what is still owed on invoice i: its total, plus debits,
// less credits, write-offs and the allocations of posted payments.
const unpaidCents = `(i.total_cents
	+ COALESCE((SELECT sum(CASE ad.kind WHEN 'debit' THEN ad.amount_cents ELSE -ad.amount_cents END)
	            FROM adjustments ad WHERE ad.firm_id = i.firm_id AND ad.invoice_id = i.id), 0)
	- COALESCE((SELECT sum(pa.amount_cents)
	            FROM payment_allocations pa
	            JOIN payments p ON p.firm_id = pa.firm_id AND p.id = pa.payment_id AND p.status = 'posted'
	            WHERE pa.firm_id = i.firm_id AND pa.invoice_id = i.id), 0))`

// owedBeforeCents is the SQL for what was owed on invoice i at the start of day $3: its
// total, with the adjustments dated before that day, less the posted payments received
// before it.
const owedBeforeCents = `(i.total_cents
	+ COALESCE((SELECT sum(CASE ad.kind WHEN 'debit' THEN ad.amount_cents ELSE -ad.amount_cents END)
	            FROM adjustments ad WHERE ad.firm_id = i.firm_id AND ad.invoice_id = i.id AND ad.adjusted_on < $3::date), 0)
	- COALESCE((SELECT sum(pa.amount_cents)
	            FROM payment_allocations pa
	            JOIN payments p ON p.firm_id = pa.firm_id AND p.id = pa.payment_id AND p.status = 'posted'
	            WHERE pa.firm_id = i.firm_id AND pa.invoice_id = i.id AND p.received_on < $3::date), 0))`

// InvoiceState is what decides whether an invoice is in the sync's scope.
type InvoiceState struct {
	ID          int64     `db:"id"`
	Status      string    `db:"status"`
	IssuedOn    time.Time `db:"issued_on"`
	UnpaidCents int64     `db:"unpaid"`
	// OwedAtStartCents is what was owed on it when the books start (the start of the
	// day given to InvoiceStates): an invoice open then is an opening receivable, and
	// the payments that settled it after are money the books must show.
	OwedAtStartCents int64 `db:"owed_at_start"`
}

// InvoiceStates returns the state of each of the given invoices, by id, with what was
// owed on each at the start of day start.
func InvoiceStates(ctx context.Context, db sqlx.QueryerContext, firmID int64, ids []int64, start time.Time) (map[int64]InvoiceState, error) {
	var rows []InvoiceState
	if err := sqlx.SelectContext(ctx, db, &rows, `SELECT i.id, i.status, i.issued_on, `+unpaidCents+` AS unpaid, `+owedBeforeCents+` AS owed_at_start
		FROM invoices i WHERE i.firm_id = $1 AND i.id = ANY($2)`, firmID, pq.Array(ids), start.Format(time.DateOnly)); err != nil {
		return nil, fmt.Errorf("invoice states: %w", err)
	}
	out := make(map[int64]InvoiceState, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}
