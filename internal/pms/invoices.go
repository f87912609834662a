package pms

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Invoice is a bill the firm issued on a matter, with its lines.
type Invoice struct {
	FirmID   int64 `db:"firm_id"`
	ID       int64 `db:"id"`
	MatterID int64 `db:"matter_id"`
	// MatterNumber names the matter for people ("2026-0012").
	MatterNumber string    `db:"matter_number"`
	Number       string    `db:"invoice_number"`
	Status       string    `db:"status"` // draft, approved or void
	IssuedOn     time.Time `db:"issued_on"`
	DueOn        time.Time `db:"due_on"`
	TotalCents   int64     `db:"total_cents"`
	Memo         string    `db:"memo"`
	Lines        []InvoiceLine
}

// InvoiceLine is one billed item: time, a flat fee, a cost, or interest.
type InvoiceLine struct {
	InvoiceID   int64      `db:"invoice_id"`
	LineNo      int        `db:"line_no"`
	ItemType    string     `db:"item_type"` // fees, flat_fees, hard_costs, soft_costs, interest
	ServiceOn   *time.Time `db:"service_on"`
	Description string     `db:"description"`
	// Quantity is exact decimal text (hours for time), as PostgreSQL's numeric gives it.
	Quantity    string `db:"quantity"`
	RateCents   int64  `db:"rate_cents"`
	AmountCents int64  `db:"amount_cents"`
	// Timekeeper is who worked a time entry; empty for other lines.
	Timekeeper string `db:"timekeeper"`
}

// Invoices loads the firm's invoices with the given ids, with their lines in order.
func Invoices(ctx context.Context, db sqlx.QueryerContext, firmID int64, ids []int64) ([]Invoice, error) {
	var invs []Invoice
	if err := sqlx.SelectContext(ctx, db, &invs, `
		SELECT i.firm_id, i.id, i.matter_id, m.matter_number, i.invoice_number, i.status, i.issued_on, i.due_on, i.total_cents, i.memo
		FROM invoices i JOIN matters m ON m.firm_id = i.firm_id AND m.id = i.matter_id
		WHERE i.firm_id = $1 AND i.id = ANY($2) ORDER BY i.id`, firmID, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("load invoices: %w", err)
	}
	var lines []InvoiceLine
	if err := sqlx.SelectContext(ctx, db, &lines, `
		SELECT l.invoice_id, l.line_no, l.item_type, l.service_on, l.description, l.quantity::text AS quantity,
		       l.rate_cents, l.amount_cents, COALESCE(tk.name, '') AS timekeeper
		FROM invoice_lines l
		LEFT JOIN time_entries te ON te.firm_id = l.firm_id AND te.id = l.time_entry_id
		LEFT JOIN timekeepers tk ON tk.firm_id = te.firm_id AND tk.id = te.timekeeper_id
		WHERE l.firm_id = $1 AND l.invoice_id = ANY($2)
		ORDER BY l.invoice_id, l.line_no`, firmID, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("load invoice lines: %w", err)
	}
	byID := make(map[int64]*Invoice, len(invs))
	for i := range invs {
		byID[invs[i].ID] = &invs[i]
	}
	for _, l := range lines {
		if inv := byID[l.InvoiceID]; inv != nil {
			inv.Lines = append(inv.Lines, l)
		}
	}
	return invs, nil
}
