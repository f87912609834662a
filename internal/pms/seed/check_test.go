package seed

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

// invariant is a rule the seeded data must keep. Its query lists the offending rows of
// firm $1 (one text column); $2, where used, is the as-of date.
type invariant struct{ name, query string }

var invariants = []invariant{
	{"an invoice has lines and its total is their sum", `
SELECT i.invoice_number FROM invoices i LEFT JOIN invoice_lines l ON l.invoice_id = i.id
WHERE i.firm_id = $1 GROUP BY i.id
HAVING count(l.id) = 0 OR i.total_cents <> sum(l.amount_cents) OR max(l.line_no) <> count(l.id)`},
	{"allocations, credits and write-offs never exceed an invoice's total", `
SELECT i.invoice_number FROM invoices i
LEFT JOIN (SELECT invoice_id, sum(amount_cents) AS cents FROM payment_allocations WHERE firm_id = $1
           GROUP BY invoice_id) a ON a.invoice_id = i.id
LEFT JOIN (SELECT invoice_id, sum(amount_cents) AS cents FROM adjustments WHERE firm_id = $1
           AND kind IN ('credit', 'write_off') GROUP BY invoice_id) j ON j.invoice_id = i.id
WHERE i.firm_id = $1 AND i.total_cents < coalesce(a.cents, 0) + coalesce(j.cents, 0)`},
	{"only approved invoices are paid or adjusted, on or after their issue date", `
SELECT i.invoice_number FROM invoices i WHERE i.firm_id = $1 AND (
    (i.status <> 'approved' AND (EXISTS (SELECT FROM payment_allocations a WHERE a.invoice_id = i.id)
                              OR EXISTS (SELECT FROM adjustments j WHERE j.invoice_id = i.id)))
 OR EXISTS (SELECT FROM adjustments j WHERE j.invoice_id = i.id AND j.adjusted_on < i.issued_on))`},
	{"a payment's allocations add up to it", `
SELECT p.id::text FROM payments p LEFT JOIN payment_allocations a ON a.payment_id = p.id
WHERE p.firm_id = $1 GROUP BY p.id HAVING count(a.id) = 0 OR p.amount_cents <> sum(a.amount_cents)`},
	{"a payment pays its own client's invoices, after they were issued", `
SELECT a.id::text FROM payment_allocations a
JOIN payments p ON p.id = a.payment_id JOIN invoices i ON i.id = a.invoice_id JOIN matters m ON m.id = i.matter_id
WHERE a.firm_id = $1 AND (m.client_id <> p.client_id OR p.received_on < i.issued_on)`},
	{"a payment comes from an account of its source; a trust payment has exactly one matching transfer", `
SELECT p.id::text FROM payments p JOIN bank_accounts b ON b.id = p.bank_account_id
WHERE p.firm_id = $1 AND (b.kind <> p.source
 OR (SELECT count(*) FROM trust_transactions t WHERE t.payment_id = p.id) <> (p.source = 'trust')::int
 OR (p.source = 'trust' AND NOT EXISTS (SELECT FROM trust_transactions t WHERE t.payment_id = p.id
        AND t.kind = 'transfer_to_operating' AND t.amount_cents = p.amount_cents
        AND t.txn_on = p.received_on AND t.bank_account_id = p.bank_account_id)))`},
	{"a transfer to operating is on the matter of the invoices its payment pays", `
SELECT t.id::text FROM trust_transactions t
JOIN payment_allocations a ON a.payment_id = t.payment_id JOIN invoices i ON i.id = a.invoice_id
WHERE t.firm_id = $1 AND i.matter_id <> t.matter_id`},
	{"trust transactions are in trust accounts; deposits are on slips", `
SELECT t.id::text FROM trust_transactions t JOIN bank_accounts b ON b.id = t.bank_account_id
WHERE t.firm_id = $1 AND (b.kind <> 'trust' OR (t.kind = 'deposit') <> (t.deposit_slip_id IS NOT NULL))`},
	{"a deposit slip's total is the sum of its deposits, all in its account on its day", `
SELECT s.slip_number FROM deposit_slips s LEFT JOIN trust_transactions t ON t.deposit_slip_id = s.id
WHERE s.firm_id = $1 GROUP BY s.id
HAVING count(t.id) = 0 OR s.total_cents <> sum(t.amount_cents)
    OR bool_or(t.bank_account_id <> s.bank_account_id OR t.txn_on <> s.deposited_on)`},
	{"a hard cost has a payee, an operating account and a check number; a soft cost has none", `
SELECT x.id::text FROM expenses x LEFT JOIN bank_accounts b ON b.id = x.paid_from_account_id
WHERE x.firm_id = $1 AND CASE x.kind
    WHEN 'hard' THEN btrim(x.payee) = '' OR b.kind IS DISTINCT FROM 'operating' OR x.check_number = ''
    ELSE x.payee <> '' OR x.paid_from_account_id IS NOT NULL OR x.check_number <> '' END`},
	{"amounts are round(quantity × rate) to the cent; a flat fee is its rate", `
SELECT 'time entry ' || id FROM time_entries WHERE firm_id = $1 AND amount_cents <> CASE WHEN flat_fee
    THEN rate_cents ELSE ((hours * 100)::bigint * rate_cents + 50) / 100 END
UNION ALL
SELECT 'expense ' || id FROM expenses WHERE firm_id = $1
    AND amount_cents <> ((quantity * 100)::bigint * unit_price_cents + 50) / 100`},
	{"an invoice line bills exactly what its time entry or expense says", `
SELECT l.id::text FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
LEFT JOIN time_entries e ON e.id = l.time_entry_id LEFT JOIN expenses x ON x.id = l.expense_id
WHERE l.firm_id = $1 AND CASE
    WHEN e.id IS NOT NULL THEN l.amount_cents <> e.amount_cents OR e.matter_id <> i.matter_id OR NOT e.billable
        OR l.item_type <> CASE WHEN e.flat_fee THEN 'flat_fees' ELSE 'fees' END
        OR (i.status <> 'void' AND e.invoice_id IS DISTINCT FROM i.id)
    WHEN x.id IS NOT NULL THEN l.amount_cents <> x.amount_cents OR x.matter_id <> i.matter_id OR NOT x.billable
        OR l.item_type <> x.kind || '_costs'
        OR (i.status <> 'void' AND x.invoice_id IS DISTINCT FROM i.id)
    ELSE l.item_type <> 'interest' END`},
	{"billed work has exactly one line on its invoice, which is not void", `
SELECT 'time entry ' || e.id FROM time_entries e JOIN invoices i ON i.id = e.invoice_id
WHERE e.firm_id = $1 AND (i.status = 'void'
    OR (SELECT count(*) FROM invoice_lines l WHERE l.time_entry_id = e.id AND l.invoice_id = i.id) <> 1)
UNION ALL
SELECT 'expense ' || x.id FROM expenses x JOIN invoices i ON i.id = x.invoice_id
WHERE x.firm_id = $1 AND (i.status = 'void'
    OR (SELECT count(*) FROM invoice_lines l WHERE l.expense_id = x.id AND l.invoice_id = i.id) <> 1)`},
	{"work and money move while the matter is open; nothing is dated after today or before the history", `
SELECT 'matter ' || matter_number FROM matters WHERE firm_id = $1
    AND (opened_on < $2::date - 550 OR opened_on > $2 OR closed_on > $2 OR closed_on < opened_on
         OR (status = 'closed') <> (closed_on IS NOT NULL))
UNION ALL
SELECT 'time entry ' || e.id FROM time_entries e JOIN matters m ON m.id = e.matter_id
WHERE e.firm_id = $1 AND e.worked_on NOT BETWEEN m.opened_on AND coalesce(m.closed_on, $2)
UNION ALL
SELECT 'expense ' || x.id FROM expenses x JOIN matters m ON m.id = x.matter_id
WHERE x.firm_id = $1 AND x.incurred_on NOT BETWEEN m.opened_on AND coalesce(m.closed_on, $2)
UNION ALL
SELECT 'invoice ' || invoice_number FROM invoices WHERE firm_id = $1 AND issued_on > $2
UNION ALL
SELECT 'payment ' || id FROM payments WHERE firm_id = $1 AND received_on > $2
UNION ALL
SELECT 'adjustment ' || id FROM adjustments WHERE firm_id = $1 AND adjusted_on > $2
UNION ALL
SELECT 'trust transaction ' || t.id FROM trust_transactions t JOIN matters m ON m.id = t.matter_id
WHERE t.firm_id = $1 AND (t.txn_on < m.opened_on OR t.txn_on > $2 OR (t.kind = 'deposit' AND t.txn_on > m.closed_on))`},
	{"numbers look like C-0001, 2026-0001 (the year the matter opened) and INV-10001", `
SELECT client_number FROM clients WHERE firm_id = $1 AND client_number !~ '^C-[0-9]{4}$'
UNION ALL
SELECT matter_number FROM matters WHERE firm_id = $1
    AND matter_number !~ ('^' || extract(year FROM opened_on) || '-[0-9]{4}$')
UNION ALL
SELECT invoice_number FROM invoices WHERE firm_id = $1 AND invoice_number !~ '^INV-[0-9]{5}$'`},
}

// queryArgs are a check's parameters: the firm, and the as-of date if the query uses it
// (PostgreSQL refuses parameters a statement does not use).
func queryArgs(query string, firmID int64, today time.Time) []any {
	if strings.Contains(query, "$2") {
		return []any{firmID, today.Format(time.DateOnly)}
	}
	return []any{firmID}
}

// invariantViolations checks the invariants and the trust ledgers of a firm and
// describes every violation; none means the data is sound.
func invariantViolations(t *testing.T, db sqlx.Queryer, firmID int64, today time.Time) []string {
	t.Helper()
	var found []string
	for _, inv := range invariants {
		var rows []string
		if err := sqlx.Select(db, &rows, inv.query, queryArgs(inv.query, firmID, today)...); err != nil {
			t.Fatalf("%s: %v", inv.name, err)
		}
		if len(rows) > 0 {
			found = append(found, fmt.Sprintf("%s: %d violations, e.g. %q", inv.name, len(rows), rows[0]))
		}
	}
	return append(found, negativeTrustBalances(t, db, firmID)...)
}

// negativeTrustBalances replays every matter's trust ledger in date order, a day's
// withdrawals before its deposits (the strictest order), and reports each point where a
// balance goes below zero.
func negativeTrustBalances(t *testing.T, db sqlx.Queryer, firmID int64) []string {
	t.Helper()
	var txns []struct {
		Matter int64  `db:"matter_id"`
		Kind   string `db:"kind"`
		On     string `db:"txn_on"`
		Cents  int64  `db:"amount_cents"`
	}
	err := sqlx.Select(db, &txns, `SELECT matter_id, kind, txn_on::text, amount_cents FROM trust_transactions
		WHERE firm_id = $1 ORDER BY matter_id, txn_on, kind = 'deposit', id`, firmID)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	var matter, bal int64
	for _, x := range txns {
		if x.Matter != matter {
			matter, bal = x.Matter, 0
		}
		if x.Kind == "deposit" {
			bal += x.Cents
		} else {
			bal -= x.Cents
		}
		if bal < 0 {
			found = append(found, fmt.Sprintf("matter %d's trust balance is %d cents on %s", matter, bal, x.On))
		}
	}
	return found
}

// expectation is something a demo firm must contain: query counts it for firm $1 ($2 is
// the as-of date where used), and the count must be within [min, max] (max 0: no limit).
type expectation struct {
	what     string
	min, max int
	query    string
}

// countWhere counts the firm's rows of table that meet cond.
func countWhere(table, cond string) string {
	return "SELECT count(*) FROM " + table + " WHERE firm_id = $1 AND " + cond
}

// groupsOfSeveral counts the values of column that more than one of the firm's rows of
// table share: clients with several matters, payments of several invoices.
func groupsOfSeveral(table, column string) string {
	return "SELECT count(*) FROM (SELECT FROM " + table + " WHERE firm_id = $1 AND " + column +
		" IS NOT NULL GROUP BY " + column + " HAVING count(*) > 1) x"
}

// coverage: every kind of record, so every path of the sync has data.
var coverage = []expectation{
	{"operating bank accounts", 2, 0, countWhere("bank_accounts", "kind = 'operating'")},
	{"trust bank accounts", 1, 2, countWhere("bank_accounts", "kind = 'trust' AND account_last4 ~ '^[0-9]{4}$'")},
	{"timekeepers", 4, 0, `SELECT count(*) FROM timekeepers WHERE firm_id = $1`},
	{"inactive timekeepers", 1, 0, countWhere("timekeepers", "NOT active")},
	{"person clients", 1, 0, countWhere("clients", "kind = 'person'")},
	{"company clients", 1, 0, countWhere("clients", "kind = 'company'")},
	{"clients without e-mail", 2, 0, countWhere("clients", "email = ''")},
	{"clients with several matters", 1, 0, groupsOfSeveral("matters", "client_id")},
	{"open matters", 1, 0, countWhere("matters", "status = 'open'")},
	{"closed matters", 1, 0, countWhere("matters", "status = 'closed'")},
	{"billed time entries", 1, 0, countWhere("time_entries", "invoice_id IS NOT NULL")},
	{"unbilled billable time entries", 1, 0, countWhere("time_entries", "invoice_id IS NULL AND billable")},
	{"non-billable time entries", 1, 0, countWhere("time_entries", "NOT billable")},
	{"flat-fee time entries", 1, 0, countWhere("time_entries", "flat_fee")},
	{"time entries on a half cent, rounded", 1, 0, countWhere("time_entries", "NOT flat_fee AND (hours * rate_cents) % 1 = 0.5")},
	{"hard costs", 1, 0, countWhere("expenses", "kind = 'hard'")},
	{"hard costs paid from each operating account", 2, 0, `SELECT count(DISTINCT paid_from_account_id) FROM expenses WHERE firm_id = $1 AND kind = 'hard'`},
	{"soft costs", 1, 0, countWhere("expenses", "kind = 'soft'")},
	{"draft invoices", 1, 0, countWhere("invoices", "status = 'draft'")},
	{"void invoices", 1, 1, countWhere("invoices", "status = 'void'")},
	{"non-approved invoices, in percent", 0, 20, `SELECT 100 * count(*) FILTER (WHERE status <> 'approved') / count(*) FROM invoices WHERE firm_id = $1`},
	{"fees lines", 1, 0, countWhere("invoice_lines", "item_type = 'fees'")},
	{"flat fees lines", 1, 0, countWhere("invoice_lines", "item_type = 'flat_fees'")},
	{"hard costs lines", 1, 0, countWhere("invoice_lines", "item_type = 'hard_costs'")},
	{"soft costs lines", 1, 0, countWhere("invoice_lines", "item_type = 'soft_costs'")},
	{"interest lines", 1, 0, countWhere("invoice_lines", "item_type = 'interest'")},
	{"payments from operating", 1, 0, countWhere("payments", "source = 'operating'")},
	{"payments from trust", 1, 0, countWhere("payments", "source = 'trust'")},
	{"payments across several invoices", 1, 0, groupsOfSeveral("payment_allocations", "payment_id")},
	{"invoices paid in several payments", 1, 0, groupsOfSeveral("payment_allocations", "invoice_id")},
	{"partly paid invoices", 1, 0, `
SELECT count(*) FROM invoices i
JOIN (SELECT invoice_id, sum(amount_cents) AS cents FROM payment_allocations GROUP BY invoice_id) a ON a.invoice_id = i.id
WHERE i.firm_id = $1 AND i.status = 'approved' AND a.cents < i.total_cents`},
	{"unpaid approved invoices", 1, 0, `
SELECT count(*) FROM invoices i WHERE firm_id = $1 AND status = 'approved' AND total_cents > 0
  AND NOT EXISTS (SELECT FROM payment_allocations a WHERE a.invoice_id = i.id)`},
	{"unpaid approved invoices over a year old", 2, 0, `
SELECT count(*) FROM invoices i WHERE firm_id = $1 AND status = 'approved' AND issued_on < $2::date - 365
  AND NOT EXISTS (SELECT FROM payment_allocations a WHERE a.invoice_id = i.id)`},
	{"write-offs", 1, 0, countWhere("adjustments", "kind = 'write_off'")},
	{"credits", 1, 0, countWhere("adjustments", "kind = 'credit'")},
	{"debits", 1, 0, countWhere("adjustments", "kind = 'debit'")},
	{"trust deposits", 1, 0, countWhere("trust_transactions", "kind = 'deposit'")},
	{"trust disbursements", 1, 0, countWhere("trust_transactions", "kind = 'disbursement'")},
	{"trust transfers to operating", 1, 0, countWhere("trust_transactions", "kind = 'transfer_to_operating'")},
	{"deposit slips with several deposits", 1, 0, groupsOfSeveral("trust_transactions", "deposit_slip_id")},
	{"invoices more than 15 months old", 1, 0, countWhere("invoices", "issued_on < $2::date - 456")},
	{"invoices in the last two months", 1, 0, countWhere("invoices", "issued_on >= $2::date - 61")},
}

// edgeNames: the names a QuickBooks sync must survive, in every firm.
var edgeNames = []expectation{
	{"an apostrophe: O'Brien", 1, 0, countWhere("clients", "name = 'Patrick O''Brien'")},
	{"an apostrophe: D'Angelo", 1, 0, countWhere("clients", "family_name = 'D''Angelo'")},
	{"a matter named with a colon", 1, 0, countWhere("matters", "name = 'Re: Estate of Smith'")},
	{"a company named with a colon", 1, 0, countWhere("clients", "kind = 'company' AND name = 'Acme: West Division'")},
	{"accents: José Núñez", 1, 0, countWhere("clients", "name = 'José Núñez'")},
	{"accents: Zoë Brontë", 1, 0, countWhere("clients", "name = 'Zoë Brontë'")},
	{"non-ASCII: Søren Kierkegaard Ltd.", 1, 0, countWhere("clients", "company_name = 'Søren Kierkegaard Ltd.'")},
	{"non-ASCII: Müller GmbH", 1, 0, countWhere("clients", "company_name = 'Müller GmbH'")},
	{"a company name over 100 characters", 1, 0, countWhere("clients", "kind = 'company' AND char_length(company_name) > 100")},
	{"a matter number and name over 500 characters", 1, 0, countWhere("matters", "char_length(matter_number || ' ' || name) > 500")},
	{"an ampersand and a comma", 1, 0, countWhere("clients", "name = 'Smith, Jones & Partners LLP'")},
	{"leading and trailing spaces", 1, 0, countWhere("clients", "name ~ '^ ' AND name ~ ' $'")},
	{"two different clients called John Smith", 1, 1, `
SELECT count(*) FROM (SELECT FROM clients WHERE firm_id = $1 AND name = 'John Smith'
    HAVING count(*) = 2 AND count(DISTINCT email) = 2 AND count(DISTINCT client_number) = 2) x`},
	{"the sandbox vendor's name: Hall Properties", 1, 0, countWhere("clients", "kind = 'company' AND name = 'Hall Properties'")},
	{"a tab and a newline in a matter name", 1, 0, countWhere("matters", `name ~ E'\t' AND name ~ E'\n'`)},
	{"an invalid e-mail", 1, 0, countWhere("clients", "email = 'jsmith at example'")},
	{"an archived client", 1, 0, countWhere("clients", "archived")},
}

// unmet checks expectations and describes each one the firm does not meet.
func unmet(t *testing.T, db sqlx.Queryer, firmID int64, today time.Time, exps []expectation) []string {
	t.Helper()
	var found []string
	for _, e := range exps {
		var n int
		if err := sqlx.Get(db, &n, e.query, queryArgs(e.query, firmID, today)...); err != nil {
			t.Fatalf("%s: %v", e.what, err)
		}
		if n < e.min || e.max > 0 && n > e.max {
			found = append(found, fmt.Sprintf("%s: %d, want %d..%d", e.what, n, e.min, e.max))
		}
	}
	return found
}

// checkFirm fails the test for every broken invariant and missing kind of record.
func checkFirm(t *testing.T, db sqlx.Queryer, firmID int64, today time.Time) {
	t.Helper()
	for _, v := range invariantViolations(t, db, firmID, today) {
		t.Error(v)
	}
	for _, v := range unmet(t, db, firmID, today, coverage) {
		t.Error("coverage: " + v)
	}
	for _, v := range unmet(t, db, firmID, today, edgeNames) {
		t.Error("edge-case names: " + v)
	}
}
