package settings

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
)

// PreviewExamples is how many QuickBooks names a preview line shows.
const PreviewExamples = 5

// PreviewLine is one kind of QuickBooks object the first sync will post.
type PreviewLine struct {
	Section Section `json:"section"`
	Title   string  `json:"title"`
	Entity  string  `json:"entity"` // the QBO entity posted
	Count   int     `json:"count"`
	// TotalCents is the sum of the amounts, for transactions.
	TotalCents int64    `json:"total_cents"`
	HasTotal   bool     `json:"has_total"`
	Examples   []string `json:"examples,omitempty"`
	Note       string   `json:"note,omitempty"`
}

// Preview is what the first sync will post with a firm's settings: the Review page
// shows it before the firm submits.
type Preview struct {
	StartDate string        `json:"start_date"`
	Lines     []PreviewLine `json:"lines"`
}

// FormatCents writes cents as dollars: 123456 -> "$1,234.56".
func FormatCents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	whole := strconv.FormatInt(c/100, 10)
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("%s$%s.%02d", sign, b.String(), c%100)
}

// Total is the line's total as dollars, or "" when it has none.
func (l PreviewLine) Total() string {
	if !l.HasTotal {
		return ""
	}
	return FormatCents(l.TotalCents)
}

// ComputePreview works out, from the practice tables and the posting rules, what the
// first sync of firmID will post with s. It reads only; nothing is sent to QuickBooks.
// Transactions are those dated on or after the start date (and, with "sync all unpaid
// invoices", the invoices still unpaid whatever their date, with what is applied to
// them).
func ComputePreview(ctx context.Context, db sqlx.QueryerContext, firmID int64, s Settings) (Preview, error) {
	if _, err := time.Parse(time.DateOnly, s.SyncOptions.StartDate); err != nil {
		return Preview{}, errors.New("settings: the preview needs a valid start date (sync_options.start_date)")
	}
	p := &previewer{ctx: ctx, db: db, firm: firmID, start: s.SyncOptions.StartDate, unpaid: s.SyncOptions.SyncAllUnpaidInvoices}
	out := Preview{StartDate: s.SyncOptions.StartDate}
	out.Lines = append(out.Lines, setupObjects(s)...)
	steps := []func(Settings) ([]PreviewLine, error){p.contacts, p.invoices, p.payments, p.writeOffs, p.hardCosts, p.trust}
	for _, step := range steps {
		lines, err := step(s)
		if err != nil {
			return Preview{}, fmt.Errorf("settings: preview: %w", err)
		}
		out.Lines = append(out.Lines, lines...)
	}
	return out, nil
}

// setupObjects are the accounts and items the settings ask qbosync to create.
func setupObjects(s Settings) []PreviewLine {
	accounts := PreviewLine{Title: "New accounts", Entity: EntityAccount}
	items := PreviewLine{Title: "New items", Entity: EntityItem}
	existing := 0
	for _, t := range s.Targets() {
		if !t.InUse {
			continue
		}
		if !t.Target.IsNew() {
			existing++
			continue
		}
		l := &accounts
		if t.Role.Entity == EntityItem {
			l = &items
		}
		l.Count++
		l.Examples = append(l.Examples, t.Target.Name)
	}
	if existing > 0 {
		accounts.Note = fmt.Sprintf("%d existing QuickBooks account(s) or item(s) are used as chosen.", existing)
	}
	return []PreviewLine{accounts, items}
}

type previewer struct {
	ctx    context.Context
	db     sqlx.QueryerContext
	firm   int64
	start  string // YYYY-MM-DD, compared as ::date so no time zone shifts it
	unpaid bool
}

// selectedInvoices are the invoices the first sync posts: approved, and dated on or
// after the start date or (with the option) still unpaid.
const selectedInvoices = `
	SELECT i.id, i.invoice_number, i.issued_on, i.total_cents
	FROM invoices i
	WHERE i.firm_id = $1 AND i.status = 'approved'
	  AND (i.issued_on >= $2::date OR ($3::boolean AND i.total_cents
	        - COALESCE((SELECT sum(pa.amount_cents) FROM payment_allocations pa
	                    JOIN payments p ON p.firm_id = pa.firm_id AND p.id = pa.payment_id
	                    WHERE pa.firm_id = i.firm_id AND pa.invoice_id = i.id AND p.status = 'posted'), 0)
	        - COALESCE((SELECT sum(a.amount_cents) FROM adjustments a
	                    WHERE a.firm_id = i.firm_id AND a.invoice_id = i.id AND a.kind IN ('write_off', 'credit')), 0)
	        + COALESCE((SELECT sum(a.amount_cents) FROM adjustments a
	                    WHERE a.firm_id = i.firm_id AND a.invoice_id = i.id AND a.kind = 'debit'), 0) > 0))`

// tally counts and sums the rows of q, which selects label, amount_cents and sort
// columns, and keeps the first labels by sort as examples.
func (p *previewer) tally(l *PreviewLine, q string, args ...any) error {
	var agg struct {
		N     int   `db:"n"`
		Total int64 `db:"total"`
	}
	if err := sqlx.GetContext(p.ctx, p.db, &agg, `SELECT count(*) AS n, COALESCE(sum(amount_cents), 0)::bigint AS total FROM (`+q+`) x`, args...); err != nil {
		return err
	}
	l.Count, l.TotalCents, l.HasTotal = agg.N, agg.Total, true
	var labels []string
	if err := sqlx.SelectContext(p.ctx, p.db, &labels, `SELECT label FROM (`+q+`) x ORDER BY sort, label LIMIT `+strconv.Itoa(PreviewExamples), args...); err != nil {
		return err
	}
	for _, s := range labels {
		l.example(s)
	}
	return nil
}

// maxExample keeps a preview's examples to a line each.
const maxExample = 80

// example adds a name to the line's examples, if it has room for more.
func (l *PreviewLine) example(name string) {
	if len(l.Examples) < PreviewExamples {
		l.Examples = append(l.Examples, names.Truncate(name, maxExample))
	}
}

func (p *previewer) contacts(s Settings) ([]PreviewLine, error) {
	var ids []int64
	if err := sqlx.SelectContext(p.ctx, p.db, &ids, `SELECT id FROM clients WHERE firm_id = $1 ORDER BY id`, p.firm); err != nil {
		return nil, err
	}
	clients, err := pms.Clients(p.ctx, p.db, p.firm, ids)
	if err != nil {
		return nil, err
	}
	cust := PreviewLine{Section: Contacts, Title: "Customers (clients)", Entity: "Customer"}
	failing := 0
	for _, c := range clients {
		qc, err := posting.ClientCustomer(c)
		if err != nil {
			failing++
			continue
		}
		cust.Count++
		cust.example(qc.DisplayName)
	}
	if failing > 0 {
		cust.Note = fmt.Sprintf("%d client(s) cannot be posted as they are (e.g. an invalid e-mail) and will be listed as failed items, with what to fix.", failing)
	}
	if s.Contacts.MatchExistingCustomers {
		cust.Note = strings.TrimSpace(cust.Note + " QuickBooks customers of the same name are linked instead of created.")
	}
	jobs := PreviewLine{Section: Contacts, Title: "Sub-customers (matters)", Entity: "Customer (job)"}
	if !s.Contacts.MattersAsSubCustomers {
		jobs.Note = "Off: transactions go to the client's customer."
		return []PreviewLine{cust, jobs}, nil
	}
	var matterIDs []int64
	if err := sqlx.SelectContext(p.ctx, p.db, &matterIDs, `SELECT id FROM matters WHERE firm_id = $1 ORDER BY id`, p.firm); err != nil {
		return nil, err
	}
	matters, err := pms.Matters(p.ctx, p.db, p.firm, matterIDs)
	if err != nil {
		return nil, err
	}
	jobs.Count = len(matters)
	for _, m := range matters {
		jobs.example(posting.MatterDisplayName(m))
	}
	return []PreviewLine{cust, jobs}, nil
}

func (p *previewer) invoices(s Settings) ([]PreviewLine, error) {
	l := PreviewLine{Section: Invoices, Title: "Invoices", Entity: "Invoice"}
	if !s.Invoices.SyncInvoices {
		l.Note = "Off: invoices do not sync."
		return []PreviewLine{l}, nil
	}
	prefix := s.Invoices.DocNumberPrefix
	err := p.tally(&l, `SELECT $4::text || invoice_number AS label, total_cents AS amount_cents, issued_on AS sort FROM (`+selectedInvoices+`) i`,
		p.firm, p.start, p.unpaid, prefix)
	if err != nil {
		return nil, err
	}
	var lines int
	q := `SELECT count(*) FROM invoice_lines il WHERE il.firm_id = $1 AND il.invoice_id IN (SELECT id FROM (` + selectedInvoices + `) s)`
	if s.Invoices.LineItems == LinesAggregate {
		q = `SELECT count(*) FROM (SELECT DISTINCT il.invoice_id, il.item_type FROM invoice_lines il
			WHERE il.firm_id = $1 AND il.invoice_id IN (SELECT id FROM (` + selectedInvoices + `) s)) x`
	}
	if err := sqlx.GetContext(p.ctx, p.db, &lines, q, p.firm, p.start, p.unpaid); err != nil {
		return nil, err
	}
	l.Note = fmt.Sprintf("%d invoice line(s), %s.", lines, map[string]string{
		LinesAggregate: "one per item type", LinesIndividual: "one per time entry and expense"}[s.Invoices.LineItems])
	if s.SyncOptions.SyncAllUnpaidInvoices {
		l.Note += " Includes unpaid invoices from before the start date."
	}
	return []PreviewLine{l}, nil
}

func (p *previewer) payments(s Settings) ([]PreviewLine, error) {
	l := PreviewLine{Section: Invoices, Title: "Payments", Entity: "Payment"}
	if !s.Invoices.SyncPayments {
		l.Note = "Off: payments do not sync."
		return []PreviewLine{l}, nil
	}
	err := p.tally(&l, `
		SELECT c.name || CASE WHEN p.reference <> '' THEN ' – ' || p.reference ELSE '' END AS label,
		       p.amount_cents, p.received_on AS sort
		FROM payments p JOIN clients c ON c.firm_id = p.firm_id AND c.id = p.client_id
		WHERE p.firm_id = $1 AND p.status = 'posted'
		  AND (p.received_on >= $2::date OR EXISTS (SELECT 1 FROM payment_allocations pa
		       WHERE pa.firm_id = p.firm_id AND pa.payment_id = p.id
		         AND pa.invoice_id IN (SELECT id FROM (`+selectedInvoices+`) s)))`,
		p.firm, p.start, p.unpaid)
	if err != nil {
		return nil, err
	}
	l.Note = "Deposited to Undeposited Funds."
	if s.Invoices.PaymentsDepositTo == DepositOperatingAccount {
		l.Note = "Deposited to the operating account they were paid into."
	}
	return []PreviewLine{l}, nil
}

func (p *previewer) writeOffs(s Settings) ([]PreviewLine, error) {
	entity := "CreditMemo"
	if s.WriteOffs.Method == WriteOffDiscountLine {
		entity = "Invoice discount line"
	}
	l := PreviewLine{Section: WriteOffs, Title: "Write-offs and credits", Entity: entity}
	if !s.WriteOffs.Sync || !s.Invoices.SyncInvoices {
		l.Note = "Off: write-offs do not sync."
		return []PreviewLine{l}, nil
	}
	err := p.tally(&l, `
		SELECT i.invoice_number || ': ' || replace(a.kind, '_', '-') || CASE WHEN a.reason <> '' THEN ' (' || a.reason || ')' ELSE '' END AS label,
		       a.amount_cents, a.adjusted_on AS sort
		FROM adjustments a JOIN invoices i ON i.firm_id = a.firm_id AND i.id = a.invoice_id
		WHERE a.firm_id = $1 AND a.kind IN ('write_off', 'credit')
		  AND i.id IN (SELECT id FROM (`+selectedInvoices+`) s)`,
		p.firm, p.start, p.unpaid)
	return []PreviewLine{l}, err
}

func (p *previewer) hardCosts(s Settings) ([]PreviewLine, error) {
	l := PreviewLine{Section: HardCosts, Title: "Hard costs", Entity: "Purchase"}
	if !s.HardCosts.Sync {
		l.Note = "Off: hard costs do not sync."
		return []PreviewLine{l}, nil
	}
	err := p.tally(&l, `
		SELECT e.payee || CASE WHEN e.description <> '' THEN ' – ' || e.description ELSE '' END AS label,
		       e.amount_cents, e.incurred_on AS sort
		FROM expenses e WHERE e.firm_id = $1 AND e.kind = 'hard' AND e.incurred_on >= $2::date`,
		p.firm, p.start)
	if err != nil {
		return nil, err
	}
	if s.HardCosts.Vendors == VendorOneVendor {
		l.Note = fmt.Sprintf("Paid to the one vendor %q.", s.HardCosts.DefaultVendor)
		return []PreviewLine{l}, nil
	}
	var payees int
	if err := sqlx.GetContext(p.ctx, p.db, &payees, `SELECT count(DISTINCT lower(btrim(payee))) FROM expenses
		WHERE firm_id = $1 AND kind = 'hard' AND incurred_on >= $2::date`, p.firm, p.start); err != nil {
		return nil, err
	}
	l.Note = fmt.Sprintf("Paid to %d vendor(s), one per payee.", payees)
	return []PreviewLine{l}, nil
}

func (p *previewer) trust(s Settings) ([]PreviewLine, error) {
	deposits := PreviewLine{Section: TrustBank, Title: "Trust deposits", Entity: "Deposit"}
	disb := PreviewLine{Section: TrustBank, Title: "Trust disbursements", Entity: "Purchase"}
	if !s.Trust.Sync {
		deposits.Note, disb.Note = "Off: trust money does not sync.", "Off: trust money does not sync."
		return []PreviewLine{deposits, disb}, nil
	}
	var err error
	if s.Trust.DepositSlips == SlipPerDeposit {
		deposits.Note = "One deposit per deposit slip; receipts not on a slip are a deposit each."
		err = p.tally(&deposits, `
			SELECT 'Slip ' || d.slip_number || ' – ' || b.name AS label, d.total_cents AS amount_cents, d.deposited_on AS sort
			FROM deposit_slips d JOIN bank_accounts b ON b.firm_id = d.firm_id AND b.id = d.bank_account_id
			WHERE d.firm_id = $1 AND b.kind = 'trust' AND d.deposited_on >= $2::date
			UNION ALL
			SELECT 'Receipt ' || t.reference AS label, t.amount_cents, t.txn_on AS sort
			FROM trust_transactions t WHERE t.firm_id = $1 AND t.kind = 'deposit' AND t.deposit_slip_id IS NULL AND t.txn_on >= $2::date`,
			p.firm, p.start)
	} else {
		deposits.Note = "One deposit per client receipt."
		err = p.tally(&deposits, `
			SELECT 'Receipt ' || t.reference AS label, t.amount_cents, t.txn_on AS sort
			FROM trust_transactions t WHERE t.firm_id = $1 AND t.kind = 'deposit' AND t.txn_on >= $2::date`,
			p.firm, p.start)
	}
	if err != nil {
		return nil, err
	}
	err = p.tally(&disb, `
		SELECT t.payee AS label, t.amount_cents, t.txn_on AS sort
		FROM trust_transactions t WHERE t.firm_id = $1 AND t.kind = 'disbursement' AND t.txn_on >= $2::date`,
		p.firm, p.start)
	return []PreviewLine{deposits, disb}, err
}
