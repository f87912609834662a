package seed

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The practice tables, in an order that respects their foreign keys (which are checked
// row by row, not deferred). These are also the keys of Summary.Counts.
const (
	tTimekeepers        = "timekeepers"
	tClients            = "clients"
	tMatters            = "matters"
	tBankAccounts       = "bank_accounts"
	tInvoices           = "invoices"
	tTimeEntries        = "time_entries"
	tExpenses           = "expenses"
	tInvoiceLines       = "invoice_lines"
	tPayments           = "payments"
	tPaymentAllocations = "payment_allocations"
	tAdjustments        = "adjustments"
	tDepositSlips       = "deposit_slips"
	tTrustTransactions  = "trust_transactions"
)

// practiceTables are the firm-scoped tables Seed fills, parents before children.
var practiceTables = []string{
	tTimekeepers, tClients, tMatters, tBankAccounts, tInvoices, tTimeEntries, tExpenses,
	tInvoiceLines, tPayments, tPaymentAllocations, tAdjustments, tDepositSlips, tTrustTransactions,
}

// copySpec says how to write one table: its columns after firm_id and id, and each row's
// values for them. ids receives the table's ids before any row is written, so rows of
// every table can refer to rows of any other.
type copySpec struct {
	table string
	n     int
	ids   *[]int64
	cols  []string
	row   func(i int) []any
}

// ref is the id of row i of a table, or NULL for none.
func ref(ids []int64, i int) any {
	if i == none {
		return nil
	}
	return ids[i]
}

// insert writes the dataset with COPY, which is what makes a large firm fast. Ids are
// taken from each table's own sequence up front, so references are resolved in memory
// and no row has to be read back.
func insert(ctx context.Context, tx *sqlx.Tx, firmID int64, d *dataset) error {
	var tk, cl, ma, ba, inv, te, ex, ln, pay, al, adj, ds, tt []int64
	specs := []copySpec{
		{tTimekeepers, len(d.timekeepers), &tk, []string{"name", "initials", "default_rate_cents", "active"},
			func(i int) []any {
				t := d.timekeepers[i]
				return []any{t.name, t.initials, t.rateCents, !t.former}
			}},
		{tClients, len(d.clients), &cl, []string{"client_number", "kind", "name", "given_name", "family_name",
			"company_name", "email", "phone", "address_line1", "city", "region", "postal_code", "country", "archived"},
			func(i int) []any {
				c := d.clients[i]
				return []any{c.number, c.kind, c.name, c.given, c.family, c.company, c.email, c.phone,
					c.address, c.city, c.region, c.postal, c.country, c.archived}
			}},
		{tMatters, len(d.matters), &ma, []string{"client_id", "matter_number", "name", "status",
			"responsible_timekeeper_id", "opened_on", "closed_on"},
			func(i int) []any {
				m := d.matters[i]
				return []any{cl[m.client], m.number, m.name, m.status, tk[m.responsible], m.opened.sql(), m.closed.sql()}
			}},
		{tBankAccounts, len(d.accounts), &ba, []string{"kind", "name", "institution", "account_last4"},
			func(i int) []any {
				a := d.accounts[i]
				return []any{a.kind, a.name, a.institution, a.last4}
			}},
		{tInvoices, len(d.invoices), &inv, []string{"matter_id", "invoice_number", "status", "issued_on", "due_on",
			"total_cents", "memo"},
			func(i int) []any {
				v := d.invoices[i]
				return []any{ma[v.matter], v.number, v.status, v.issued.sql(), v.due.sql(), v.totalCents, v.memo}
			}},
		{tTimeEntries, len(d.timeEntries), &te, []string{"matter_id", "timekeeper_id", "worked_on", "hours",
			"rate_cents", "amount_cents", "flat_fee", "billable", "description", "invoice_id"},
			func(i int) []any {
				e := d.timeEntries[i]
				return []any{ma[e.matter], tk[e.timekeeper], e.worked.sql(), decimal(e.hundredths), e.rateCents,
					e.amountCents, e.flatFee, e.billable, e.description, ref(inv, e.invoice)}
			}},
		{tExpenses, len(d.expenses), &ex, []string{"matter_id", "kind", "incurred_on", "description", "quantity",
			"unit_price_cents", "amount_cents", "payee", "paid_from_account_id", "check_number", "billable", "invoice_id"},
			func(i int) []any {
				x := d.expenses[i]
				return []any{ma[x.matter], x.kind, x.incurred.sql(), x.description, decimal(x.qtyHundredths),
					x.unitCents, x.amountCents, x.payee, ref(ba, x.paidFrom), x.checkNumber, x.billable, ref(inv, x.invoice)}
			}},
		{tInvoiceLines, len(d.lines), &ln, []string{"invoice_id", "line_no", "item_type", "service_on", "description",
			"quantity", "rate_cents", "amount_cents", "time_entry_id", "expense_id"},
			func(i int) []any {
				l := d.lines[i]
				return []any{inv[l.invoice], int64(l.lineNo), l.itemType, l.service.sql(), l.description,
					decimal(l.qtyHundredths), l.rateCents, l.amountCents, ref(te, l.timeEntry), ref(ex, l.expense)}
			}},
		{tPayments, len(d.payments), &pay, []string{"client_id", "source", "bank_account_id", "received_on",
			"amount_cents", "method", "reference"},
			func(i int) []any {
				p := d.payments[i]
				return []any{cl[p.client], p.source, ba[p.account], p.received.sql(), p.amountCents, p.method, p.reference}
			}},
		{tPaymentAllocations, len(d.allocations), &al, []string{"payment_id", "invoice_id", "amount_cents"},
			func(i int) []any {
				a := d.allocations[i]
				return []any{pay[a.payment], inv[a.invoice], a.amountCents}
			}},
		{tAdjustments, len(d.adjustments), &adj, []string{"invoice_id", "kind", "adjusted_on", "amount_cents", "reason"},
			func(i int) []any {
				a := d.adjustments[i]
				return []any{inv[a.invoice], a.kind, a.on.sql(), a.amountCents, a.reason}
			}},
		{tDepositSlips, len(d.slips), &ds, []string{"bank_account_id", "slip_number", "deposited_on", "total_cents"},
			func(i int) []any {
				s := d.slips[i]
				return []any{ba[s.account], s.number, s.on.sql(), s.totalCents}
			}},
		{tTrustTransactions, len(d.trustTxns), &tt, []string{"bank_account_id", "matter_id", "kind", "txn_on",
			"amount_cents", "payee", "reference", "description", "deposit_slip_id", "payment_id"},
			func(i int) []any {
				t := d.trustTxns[i]
				return []any{ba[t.account], ma[t.matter], t.kind, t.on.sql(), t.amountCents, t.payee, t.reference,
					t.description, ref(ds, t.slip), ref(pay, t.payment)}
			}},
	}
	for _, s := range specs {
		ids, err := allocateIDs(ctx, tx, s.table, s.n)
		if err != nil {
			return err
		}
		*s.ids = ids
	}
	for _, s := range specs {
		if err := copyRows(ctx, tx, firmID, s); err != nil {
			return err
		}
	}
	return nil
}

// allocateIDs takes n ids from the table's id sequence. They are sorted so that ids
// follow generation order, which keeps the seeded data's ids in a meaningful order.
func allocateIDs(ctx context.Context, tx *sqlx.Tx, table string, n int) ([]int64, error) {
	var ids []int64
	if n == 0 {
		return ids, nil
	}
	err := tx.SelectContext(ctx, &ids,
		`SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`, table, n)
	if err != nil {
		return nil, fmt.Errorf("seed: allocate %s ids: %w", table, err)
	}
	slices.Sort(ids)
	return ids, nil
}

func copyRows(ctx context.Context, tx *sqlx.Tx, firmID int64, s copySpec) error {
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn(s.table, append([]string{"firm_id", "id"}, s.cols...)...))
	if err != nil {
		return fmt.Errorf("seed: copy into %s: %w", s.table, err)
	}
	defer stmt.Close()
	ids := *s.ids
	for i := range s.n {
		if _, err := stmt.ExecContext(ctx, append([]any{firmID, ids[i]}, s.row(i)...)...); err != nil {
			return fmt.Errorf("seed: copy into %s: %w", s.table, err)
		}
	}
	// The final Exec without values flushes the rows and reports any error from the server.
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("seed: copy into %s: %w", s.table, err)
	}
	return stmt.Close()
}

// countRows counts each practice table's rows of the firm.
func countRows(ctx context.Context, q sqlx.QueryerContext, firmID int64) (map[string]int, error) {
	parts := make([]string, len(practiceTables))
	for i, t := range practiceTables {
		// t is one of our own constants, never input.
		parts[i] = fmt.Sprintf("SELECT '%s' AS name, count(*) AS n FROM %s WHERE firm_id = $1", t, t)
	}
	var rows []struct {
		Name string `db:"name"`
		N    int    `db:"n"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, strings.Join(parts, " UNION ALL "), firmID); err != nil {
		return nil, fmt.Errorf("seed: count rows: %w", err)
	}
	counts := make(map[string]int, len(rows))
	for _, r := range rows {
		counts[r.Name] = r.N
	}
	return counts, nil
}
