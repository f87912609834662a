// Package preview works out what a firm's first sync will post with its settings, from
// the practice tables and the posting rules, for the setup's Review page. It reads the
// practice database; it sends nothing to QuickBooks.
package preview

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/settings"
)

// Compute works out, from the practice tables and the posting rules, what the
// first sync of firmID will post with s. It reads only; nothing is sent to QuickBooks.
// Transactions are those dated on or after the start date (and, with "sync all unpaid
// invoices", the invoices still unpaid whatever their date, with what is applied to
// them).
func Compute(ctx context.Context, db sqlx.QueryerContext, firmID int64, s settings.Settings) (settings.Preview, error) {
	if _, err := time.Parse(time.DateOnly, s.SyncOptions.StartDate); err != nil {
		return settings.Preview{}, errors.New("settings: the preview needs a valid start date (sync_options.start_date)")
	}
	p := &previewer{ctx: ctx, db: db, firm: firmID, start: s.SyncOptions.StartDate, unpaid: s.SyncOptions.SyncAllUnpaidInvoices}
	out := settings.Preview{StartDate: s.SyncOptions.StartDate}
	out.Lines = append(out.Lines, setupObjects(s)...)
	steps := []func(settings.Settings) ([]settings.PreviewLine, error){p.contacts, p.invoices, p.payments, p.writeOffs, p.hardCosts, p.trust}
	for _, step := range steps {
		lines, err := step(s)
		if err != nil {
			return settings.Preview{}, fmt.Errorf("settings: preview: %w", err)
		}
		out.Lines = append(out.Lines, lines...)
	}
	return out, nil
}

// setupObjects are the accounts and items the settings ask qbosync to create.
func setupObjects(s settings.Settings) []settings.PreviewLine {
	accounts := settings.PreviewLine{Title: "New accounts", Entity: settings.EntityAccount}
	items := settings.PreviewLine{Title: "New items", Entity: settings.EntityItem}
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
		if t.Role.Entity == settings.EntityItem {
			l = &items
		}
		l.Count++
		l.Examples = append(l.Examples, t.Target.Name)
	}
	if existing > 0 {
		accounts.Note = fmt.Sprintf("%d existing QuickBooks account(s) or item(s) are used as chosen.", existing)
	}
	return []settings.PreviewLine{accounts, items}
}

type previewer struct {
	ctx    context.Context
	db     sqlx.QueryerContext
	firm   int64
	start  string // YYYY-MM-DD, compared as ::date so no time zone shifts it
	unpaid bool
}

// selectedInvoices are the invoices the first sync posts: approved, and dated on or
// after the start date or (with the option) owed on when the books start or still
// unpaid. Its two balances count the adjustments and posted payments of all time
// (unpaid now) and of the days before the start (owed then).
var selectedInvoices = `
	SELECT i.id, i.invoice_number, i.issued_on, i.total_cents
	FROM invoices i
	WHERE i.firm_id = $1 AND i.status = 'approved'
	  AND (i.issued_on >= $2::date OR ($3::boolean AND (` + owedCents("") + ` > 0 OR ` + owedCents("$2::date") + ` > 0)))`

// owedCents is the SQL for what is owed on invoice i: before the day before (a SQL
// date), or now when before is empty.
func owedCents(before string) string {
	adjusted, received := "", ""
	if before != "" {
		adjusted, received = " AND a.adjusted_on < "+before, " AND p.received_on < "+before
	}
	return `(i.total_cents
	        - COALESCE((SELECT sum(pa.amount_cents) FROM payment_allocations pa
	                    JOIN payments p ON p.firm_id = pa.firm_id AND p.id = pa.payment_id
	                    WHERE pa.firm_id = i.firm_id AND pa.invoice_id = i.id AND p.status = 'posted'` + received + `), 0)
	        + COALESCE((SELECT sum(CASE a.kind WHEN 'debit' THEN a.amount_cents ELSE -a.amount_cents END) FROM adjustments a
	                    WHERE a.firm_id = i.firm_id AND a.invoice_id = i.id` + adjusted + `), 0))`
}

// tally counts and sums the rows of q, which selects label, amount_cents and sort
// columns, and keeps the first labels by sort as examples.
func (p *previewer) tally(l *settings.PreviewLine, q string, args ...any) error {
	var agg struct {
		N     int   `db:"n"`
		Total int64 `db:"total"`
	}
	if err := sqlx.GetContext(p.ctx, p.db, &agg, `SELECT count(*) AS n, COALESCE(sum(amount_cents), 0)::bigint AS total FROM (`+q+`) x`, args...); err != nil {
		return err
	}
	l.Count, l.TotalCents, l.HasTotal = agg.N, agg.Total, true
	var labels []string
	if err := sqlx.SelectContext(p.ctx, p.db, &labels, `SELECT label FROM (`+q+`) x ORDER BY sort, label LIMIT `+strconv.Itoa(settings.PreviewExamples), args...); err != nil {
		return err
	}
	for _, s := range labels {
		l.AddExample(s)
	}
	return nil
}

func (p *previewer) contacts(s settings.Settings) ([]settings.PreviewLine, error) {
	var ids []int64
	if err := sqlx.SelectContext(p.ctx, p.db, &ids, `SELECT id FROM clients WHERE firm_id = $1 ORDER BY id`, p.firm); err != nil {
		return nil, err
	}
	clients, err := pms.Clients(p.ctx, p.db, p.firm, ids)
	if err != nil {
		return nil, err
	}
	cust := settings.PreviewLine{Section: settings.Contacts, Title: "Customers (clients)", Entity: "Customer"}
	failing := 0
	for _, c := range clients {
		qc, err := posting.ClientCustomer(c)
		if err != nil {
			failing++
			continue
		}
		cust.Count++
		cust.AddExample(qc.DisplayName)
	}
	if failing > 0 {
		cust.Note = fmt.Sprintf("%d client(s) cannot be posted as they are (e.g. an invalid e-mail) and will be listed as failed items, with what to fix.", failing)
	}
	if s.Contacts.MatchExistingCustomers {
		cust.Note = strings.TrimSpace(cust.Note + " QuickBooks customers of the same name are linked instead of created.")
	}
	jobs := settings.PreviewLine{Section: settings.Contacts, Title: "Sub-customers (matters)", Entity: "Customer (job)"}
	if !s.Contacts.MattersAsSubCustomers {
		jobs.Note = "Off: transactions go to the client's customer."
		return []settings.PreviewLine{cust, jobs}, nil
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
		jobs.AddExample(posting.MatterDisplayName(m))
	}
	return []settings.PreviewLine{cust, jobs}, nil
}

func (p *previewer) invoices(s settings.Settings) ([]settings.PreviewLine, error) {
	l := settings.PreviewLine{Section: settings.Invoices, Title: "Invoices", Entity: "Invoice"}
	if !s.Invoices.SyncInvoices {
		l.Note = "Off: invoices do not sync."
		return []settings.PreviewLine{l}, nil
	}
	prefix := s.Invoices.DocNumberPrefix
	err := p.tally(&l, `SELECT $4::text || invoice_number AS label, total_cents AS amount_cents, issued_on AS sort FROM (`+selectedInvoices+`) i`,
		p.firm, p.start, p.unpaid, prefix)
	if err != nil {
		return nil, err
	}
	var lines int
	q := `SELECT count(*) FROM invoice_lines il WHERE il.firm_id = $1 AND il.invoice_id IN (SELECT id FROM (` + selectedInvoices + `) s)`
	if s.Invoices.LineItems == settings.LinesAggregate {
		q = `SELECT count(*) FROM (SELECT DISTINCT il.invoice_id, il.item_type FROM invoice_lines il
			WHERE il.firm_id = $1 AND il.invoice_id IN (SELECT id FROM (` + selectedInvoices + `) s)) x`
	}
	if err := sqlx.GetContext(p.ctx, p.db, &lines, q, p.firm, p.start, p.unpaid); err != nil {
		return nil, err
	}
	l.Note = fmt.Sprintf("%d invoice line(s), %s.", lines, map[string]string{
		settings.LinesAggregate: "one per item type", settings.LinesIndividual: "one per time entry and expense"}[s.Invoices.LineItems])
	if s.SyncOptions.SyncAllUnpaidInvoices {
		l.Note += " Includes unpaid invoices from before the start date."
	}
	return []settings.PreviewLine{l}, nil
}

func (p *previewer) payments(s settings.Settings) ([]settings.PreviewLine, error) {
	l := settings.PreviewLine{Section: settings.Invoices, Title: "Payments", Entity: "Payment"}
	if !s.Invoices.SyncPayments {
		l.Note = "Off: payments do not sync."
		return []settings.PreviewLine{l}, nil
	}
	// A payment posts with the invoices it pays: one of them must sync. One applied to
	// no invoice at all is taken up too, and refused with what to do.
	err := p.tally(&l, `
		SELECT c.name || CASE WHEN p.reference <> '' THEN ' – ' || p.reference ELSE '' END AS label,
		       p.amount_cents, p.received_on AS sort
		FROM payments p JOIN clients c ON c.firm_id = p.firm_id AND c.id = p.client_id
		WHERE p.firm_id = $1 AND p.status = 'posted'
		  AND (EXISTS (SELECT 1 FROM payment_allocations pa
		       WHERE pa.firm_id = p.firm_id AND pa.payment_id = p.id
		         AND pa.invoice_id IN (SELECT id FROM (`+selectedInvoices+`) s))
		    OR (p.received_on >= $2::date AND NOT EXISTS (SELECT 1 FROM payment_allocations pa
		       WHERE pa.firm_id = p.firm_id AND pa.payment_id = p.id)))`,
		p.firm, p.start, p.unpaid)
	if err != nil {
		return nil, err
	}
	// Money received from the start date on for invoices that stay out: the bank has it,
	// QuickBooks will not. Only possible without "sync all unpaid invoices".
	left := settings.PreviewLine{Section: settings.Invoices, Title: "Payments left out (they pay invoices from before the start date)", Entity: "Payment"}
	err = p.tally(&left, `
		SELECT c.name || CASE WHEN p.reference <> '' THEN ' – ' || p.reference ELSE '' END AS label,
		       p.amount_cents, p.received_on AS sort
		FROM payments p JOIN clients c ON c.firm_id = p.firm_id AND c.id = p.client_id
		WHERE p.firm_id = $1 AND p.status = 'posted' AND p.received_on >= $2::date
		  AND EXISTS (SELECT 1 FROM payment_allocations pa WHERE pa.firm_id = p.firm_id AND pa.payment_id = p.id)
		  AND NOT EXISTS (SELECT 1 FROM payment_allocations pa
		       WHERE pa.firm_id = p.firm_id AND pa.payment_id = p.id
		         AND pa.invoice_id IN (SELECT id FROM (`+selectedInvoices+`) s))`,
		p.firm, p.start, p.unpaid)
	if err != nil {
		return nil, err
	}
	left.Note = "Received on or after the start date, but they pay only invoices from before it, which do not sync: " +
		"QuickBooks would not have this money. Turn on \"sync all unpaid invoices\" to bring those invoices and these payments over, or enter them by hand."
	l.Note = "Deposited to Undeposited Funds."
	if s.Invoices.PaymentsDepositTo == settings.DepositOperatingAccount {
		l.Note = "Deposited to the operating account they were paid into; a payment split across matters is one deposit of its parts."
	}
	before := settings.PreviewLine{Section: settings.Invoices, Title: "Payments received before the start date", Entity: "Payment"}
	err = p.tally(&before, `
		SELECT c.name || CASE WHEN p.reference <> '' THEN ' – ' || p.reference ELSE '' END AS label,
		       p.amount_cents, p.received_on AS sort
		FROM payments p JOIN clients c ON c.firm_id = p.firm_id AND c.id = p.client_id
		WHERE p.firm_id = $1 AND p.status = 'posted' AND p.received_on < $2::date
		  AND EXISTS (SELECT 1 FROM payment_allocations pa
		       WHERE pa.firm_id = p.firm_id AND pa.payment_id = p.id
		         AND pa.invoice_id IN (SELECT id FROM (`+selectedInvoices+`) s))`,
		p.firm, p.start, p.unpaid)
	if err != nil {
		return nil, err
	}
	before.Note = fmt.Sprintf("Included in the payments above. An invoice from before the start date comes over with what was paid on it, "+
		"but money received before the start date was banked before the books in QuickBooks begin: it is in the bank's opening balance. "+
		"So these payments are deposited to the account %q, never to Undeposited Funds or a bank account; "+
		"the invoices show as paid, receivables are what is open, and the account's balance is cleared against Opening Balance Equity with the opening bank balance.",
		posting.PreStartReceiptsName)
	lines := []settings.PreviewLine{l, before}
	if left.Count > 0 {
		lines = append(lines, left)
	}
	return lines, nil
}

func (p *previewer) writeOffs(s settings.Settings) ([]settings.PreviewLine, error) {
	entity := "CreditMemo"
	if s.WriteOffs.Method == settings.WriteOffDiscountLine {
		entity = "Invoice discount line"
	}
	l := settings.PreviewLine{Section: settings.WriteOffs, Title: "Write-offs and credits", Entity: entity}
	if !s.WriteOffs.Sync || !s.Invoices.SyncInvoices {
		l.Note = "Off: write-offs do not sync."
		return []settings.PreviewLine{l}, nil
	}
	switch {
	case s.WriteOffs.Method == settings.WriteOffDiscountLine:
		l.Note = "On the invoice itself, dated as the invoice (back-dated)."
	case s.WriteOffs.BadDebt:
		l.Note = "Credit memos dated as each adjustment: write-offs of uncollectible balances to bad debt expense, courtesy credits to the write-off account."
	default:
		l.Note = "Credit memos dated as each adjustment, to the write-off account."
	}
	err := p.tally(&l, `
		SELECT i.invoice_number || ': ' || replace(a.kind, '_', '-') || CASE WHEN a.reason <> '' THEN ' (' || a.reason || ')' ELSE '' END AS label,
		       a.amount_cents, a.adjusted_on AS sort
		FROM adjustments a JOIN invoices i ON i.firm_id = a.firm_id AND i.id = a.invoice_id
		WHERE a.firm_id = $1 AND a.kind IN ('write_off', 'credit')
		  AND i.id IN (SELECT id FROM (`+selectedInvoices+`) s)`,
		p.firm, p.start, p.unpaid)
	return []settings.PreviewLine{l}, err
}

func (p *previewer) hardCosts(s settings.Settings) ([]settings.PreviewLine, error) {
	l := settings.PreviewLine{Section: settings.HardCosts, Title: "Hard costs", Entity: "Purchase"}
	if !s.HardCosts.Sync {
		l.Note = "Off: hard costs do not sync."
		return []settings.PreviewLine{l}, nil
	}
	err := p.tally(&l, `
		SELECT e.payee || CASE WHEN e.description <> '' THEN ' – ' || e.description ELSE '' END AS label,
		       e.amount_cents, e.incurred_on AS sort
		FROM expenses e WHERE e.firm_id = $1 AND e.kind = 'hard' AND e.incurred_on >= $2::date`,
		p.firm, p.start)
	if err != nil {
		return nil, err
	}
	if s.HardCosts.Vendors == settings.VendorOneVendor {
		l.Note = fmt.Sprintf("Paid to the one vendor %q.", s.HardCosts.DefaultVendor)
		return []settings.PreviewLine{l}, nil
	}
	var payees int
	if err := sqlx.GetContext(p.ctx, p.db, &payees, `SELECT count(DISTINCT lower(btrim(payee))) FROM expenses
		WHERE firm_id = $1 AND kind = 'hard' AND incurred_on >= $2::date`, p.firm, p.start); err != nil {
		return nil, err
	}
	l.Note = fmt.Sprintf("Paid to %d vendor(s), one per payee.", payees)
	return []settings.PreviewLine{l}, nil
}

func (p *previewer) trust(s settings.Settings) ([]settings.PreviewLine, error) {
	deposits := settings.PreviewLine{Section: settings.TrustBank, Title: "Trust deposits", Entity: "Deposit"}
	disb := settings.PreviewLine{Section: settings.TrustBank, Title: "Trust disbursements", Entity: "Purchase"}
	if !s.Trust.Sync {
		deposits.Note, disb.Note = "Off: trust money does not sync.", "Off: trust money does not sync."
		return []settings.PreviewLine{deposits, disb}, nil
	}
	var err error
	if s.Trust.DepositSlips == settings.SlipPerDeposit {
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
	// Trust money is the client's and is paid to whom the practice system says, so a
	// disbursement is always paid to its payee's own vendor, even when hard costs use
	// one vendor for everything (internal/syncer/trust.go, planTrustTxn).
	disb.Note = "Paid from the trust account to a QuickBooks vendor of each payee's own, whatever the hard costs' vendor setting."
	err = p.tally(&disb, `
		SELECT t.payee AS label, t.amount_cents, t.txn_on AS sort
		FROM trust_transactions t WHERE t.firm_id = $1 AND t.kind = 'disbursement' AND t.txn_on >= $2::date`,
		p.firm, p.start)
	if err != nil {
		return nil, err
	}
	opening, err := p.trustOpening(s)
	return append(opening, deposits, disb), err
}

// trustOpening is a line per trust account for its opening entry: what the clients
// held in it at the end of the day before the start date, by the same rule the sync
// posts it with (posting.TrustOpeningEntry over pms.TrustBalancesAsOf; at the first
// sync nothing is in QuickBooks on its own yet). The count is the clients holding money,
// the total what the trust bank and the client funds liability open with.
func (p *previewer) trustOpening(s settings.Settings) ([]settings.PreviewLine, error) {
	start, err := time.Parse(time.DateOnly, p.start)
	if err != nil {
		return nil, err
	}
	asOf := posting.OpeningDay(start)
	balances, err := pms.TrustBalancesAsOf(p.ctx, p.db, p.firm, asOf, pms.PostedAlone{SlipsPostAsOne: s.Trust.DepositSlips == settings.SlipPerDeposit})
	if err != nil {
		return nil, err
	}
	var out []settings.PreviewLine
	for _, a := range s.Trust.Accounts {
		l := settings.PreviewLine{Section: settings.TrustBank, Title: "Opening trust balance: " + a.PMSName, Entity: "JournalEntry dated " + asOf.Format(time.DateOnly),
			HasTotal: true}
		byClient := map[int64]int64{}
		var clients []pms.TrustBalance
		for _, b := range balances {
			if b.BankAccountID != a.PMSAccountID {
				continue
			}
			if _, ok := byClient[b.ClientID]; !ok {
				clients = append(clients, b)
			}
			byClient[b.ClientID] += b.BalanceCents
			l.TotalCents += b.BalanceCents
		}
		for _, c := range clients {
			if byClient[c.ClientID] != 0 {
				l.Count++
				l.AddExample(fmt.Sprintf("%s %s", c.ClientName, settings.FormatCents(byClient[c.ClientID])))
			}
		}
		per := "client"
		if s.Contacts.MattersAsSubCustomers {
			per = "matter (on its sub-customer)"
		}
		l.Note = fmt.Sprintf("What %d client(s) held in trust at the end of %s, as the practice system's trust ledgers say: "+
			"one journal entry that debits the trust bank account and credits its client funds liability, a line per %s, so that QuickBooks' trust balances are the clients' from the first day. "+
			"It is kept up to date if trust history before the start date changes.", l.Count, asOf.Format(time.DateOnly), per)
		if l.Count == 0 {
			l.Note = fmt.Sprintf("No client held money in this account at the end of %s: no opening entry.", asOf.Format(time.DateOnly))
		}
		out = append(out, l)
	}
	return out, nil
}
