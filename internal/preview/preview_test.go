package preview_test

import (
	"context"
	"strings"
	"testing"

	"github.com/qbosync/qbosync/internal/db/dbtest"
	"github.com/qbosync/qbosync/internal/pms/seed"
	"github.com/qbosync/qbosync/internal/preview"
	"github.com/qbosync/qbosync/internal/settings"
)

// TestPreviewCountsWhatTheFirstSyncPosts checks the preview against the practice data,
// worked out here independently of the preview's SQL.
func TestPreviewCountsWhatTheFirstSyncPosts(t *testing.T) {
	d, _ := dbtest.New(t)
	ctx := context.Background()
	sum, err := seed.Seed(ctx, d, seed.Options{Size: seed.SizeSmall, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	f := sum.FirmID
	var accounts []settings.BankAccount
	must(t, d.Select(&accounts, `SELECT id, kind, name, account_last4 FROM bank_accounts WHERE firm_id = $1 ORDER BY id`, f))
	s := settings.Defaults(settings.Firm{ID: f, BankAccounts: accounts})
	s.Invoices.DocNumberPrefix = "QB-"

	type invoice struct {
		ID      int64 `db:"id"`
		Total   int64 `db:"total_cents"`
		Balance int64 `db:"balance"`
	}
	var invoices []invoice
	must(t, d.Select(&invoices, `
		SELECT i.id, i.total_cents, i.total_cents
		  - COALESCE((SELECT sum(pa.amount_cents) FROM payment_allocations pa JOIN payments p ON p.id = pa.payment_id
		              WHERE pa.invoice_id = i.id AND p.status = 'posted'), 0)
		  - COALESCE((SELECT sum(amount_cents) FROM adjustments WHERE invoice_id = i.id AND kind <> 'debit'), 0)
		  + COALESCE((SELECT sum(amount_cents) FROM adjustments WHERE invoice_id = i.id AND kind = 'debit'), 0) AS balance
		FROM invoices i WHERE i.firm_id = $1 AND i.status = 'approved'`, f))
	var allTotal, unpaidN int
	var unpaidTotal int64
	for _, inv := range invoices {
		allTotal += int(inv.Total)
		if inv.Balance > 0 {
			unpaidN++
			unpaidTotal += inv.Total
		}
	}
	if unpaidN == 0 || unpaidN == len(invoices) {
		t.Fatalf("the seed should hold paid and unpaid invoices (%d of %d unpaid)", unpaidN, len(invoices))
	}
	count := func(q string) (n int, total int64) {
		var r struct {
			N     int   `db:"n"`
			Total int64 `db:"total"`
		}
		must(t, d.Get(&r, q, f))
		return r.N, r.Total
	}

	// Everything since 2000: every record.
	s.SyncOptions.StartDate = "2000-01-01"
	p, err := preview.Compute(ctx, d, f, s)
	must(t, err)
	lines := byTitle(p)
	var clients, matters int
	must(t, d.Get(&clients, `SELECT count(*) FROM clients WHERE firm_id = $1`, f))
	must(t, d.Get(&matters, `SELECT count(*) FROM matters WHERE firm_id = $1`, f))
	cust := lines["Customers (clients)"]
	if cust.Count == 0 || cust.Count >= clients || !strings.Contains(cust.Note, "failed items") {
		t.Errorf("customers = %+v of %d clients; the seed's invalid e-mail should be announced", cust, clients)
	}
	if jobs := lines["Sub-customers (matters)"]; jobs.Count != matters || len(jobs.Examples) != settings.PreviewExamples {
		t.Errorf("jobs = %+v, want %d", jobs, matters)
	}
	inv := lines["Invoices"]
	if inv.Count != len(invoices) || inv.TotalCents != int64(allTotal) || !strings.HasPrefix(inv.Examples[0], "QB-") {
		t.Errorf("invoices = %+v, want %d totalling %d", inv, len(invoices), allTotal)
	}
	n, total := count(`SELECT count(*) AS n, COALESCE(sum(amount_cents), 0) AS total FROM payments WHERE firm_id = $1 AND status = 'posted'`)
	if pay := lines["Payments"]; pay.Count != n || pay.TotalCents != total {
		t.Errorf("payments = %+v, want %d totalling %d", pay, n, total)
	}
	n, total = count(`SELECT count(*) AS n, COALESCE(sum(amount_cents), 0) AS total FROM expenses WHERE firm_id = $1 AND kind = 'hard'`)
	if hc := lines["Hard costs"]; hc.Count != n || hc.TotalCents != total || n == 0 {
		t.Errorf("hard costs = %+v, want %d totalling %d", hc, n, total)
	}
	n, total = count(`SELECT count(*) AS n, COALESCE(sum(amount_cents), 0) AS total FROM trust_transactions WHERE firm_id = $1 AND kind = 'deposit'`)
	if dep := lines["Trust deposits"]; dep.TotalCents != total || dep.Count == 0 || dep.Count > n {
		t.Errorf("trust deposits = %+v; the receipts total %d in %d receipts", dep, total, n)
	}
	var wantAccounts int
	for _, tr := range s.Targets() {
		if tr.InUse && tr.Role.Entity == settings.EntityAccount {
			wantAccounts++
		}
	}
	if acc := lines["New accounts"]; acc.Count != wantAccounts || acc.Count < 7 {
		t.Errorf("new accounts = %+v, want %d", acc, wantAccounts)
	}
	if items := lines["New items"]; items.Count != 6 {
		t.Errorf("new items = %+v, want the six of the posting rules", items)
	}

	// From 2026-03-01: each trust account opens with what its clients held the day
	// before (receipts on slips deposited from the start date on go with their slip),
	// and the payments received before it on invoices that come over (issued from the
	// start date, or owed on then or now) are named.
	s.SyncOptions.StartDate = "2026-03-01"
	p, err = preview.Compute(ctx, d, f, s)
	must(t, err)
	lines = byTitle(p)
	for _, a := range s.Trust.Accounts {
		var want struct {
			N     int   `db:"n"`
			Total int64 `db:"total"`
		}
		must(t, d.Get(&want, `
			SELECT count(*) FILTER (WHERE held <> 0) AS n, COALESCE(sum(held), 0)::bigint AS total FROM (
				SELECT m.client_id, sum(CASE WHEN t.kind = 'deposit' THEN t.amount_cents ELSE -t.amount_cents END) AS held
				FROM trust_transactions t JOIN matters m ON m.id = t.matter_id
				LEFT JOIN deposit_slips s ON s.id = t.deposit_slip_id
				WHERE t.firm_id = $1 AND t.bank_account_id = $2 AND t.txn_on < '2026-03-01'
				  AND (s.id IS NULL OR s.deposited_on < '2026-03-01')
				GROUP BY m.client_id) x`, f, a.PMSAccountID))
		l, ok := lines["Opening trust balance: "+a.PMSName]
		if !ok || l.Count != want.N || l.TotalCents != want.Total || want.N == 0 || !strings.Contains(l.Entity, "2026-02-28") {
			t.Errorf("opening balance of %s = %+v, want %d clients holding %d", a.PMSName, l, want.N, want.Total)
		}
	}
	n, total = count(`SELECT count(*) AS n, COALESCE(sum(amount_cents), 0) AS total FROM payments p WHERE firm_id = $1 AND status = 'posted'
		AND received_on < '2026-03-01' AND EXISTS (SELECT 1 FROM payment_allocations pa JOIN invoices i ON i.id = pa.invoice_id
		WHERE pa.payment_id = p.id AND i.status = 'approved' AND (i.issued_on >= '2026-03-01' OR i.total_cents
		  - COALESCE((SELECT sum(a.amount_cents) FROM payment_allocations a JOIN payments q ON q.id = a.payment_id WHERE a.invoice_id = i.id AND q.status = 'posted'), 0)
		  - COALESCE((SELECT sum(amount_cents) FROM adjustments WHERE invoice_id = i.id AND kind <> 'debit'), 0)
		  + COALESCE((SELECT sum(amount_cents) FROM adjustments WHERE invoice_id = i.id AND kind = 'debit'), 0) > 0
		  OR i.total_cents
		  - COALESCE((SELECT sum(a.amount_cents) FROM payment_allocations a JOIN payments q ON q.id = a.payment_id
		              WHERE a.invoice_id = i.id AND q.status = 'posted' AND q.received_on < '2026-03-01'), 0)
		  - COALESCE((SELECT sum(amount_cents) FROM adjustments WHERE invoice_id = i.id AND kind <> 'debit' AND adjusted_on < '2026-03-01'), 0)
		  + COALESCE((SELECT sum(amount_cents) FROM adjustments WHERE invoice_id = i.id AND kind = 'debit' AND adjusted_on < '2026-03-01'), 0) > 0))`)
	if l := lines["Payments received before the start date"]; l.Count != n || l.TotalCents != total || n == 0 ||
		!strings.Contains(l.Note, "Receipts Before Start Date") || !strings.Contains(l.Note, "never to Undeposited Funds") {
		t.Errorf("payments before the start date = %+v, want %d totalling %d", l, n, total)
	}

	// From the far future, without unpaid invoices: nothing but contacts.
	s.SyncOptions.StartDate, s.SyncOptions.SyncAllUnpaidInvoices = "2100-01-01", false
	p, err = preview.Compute(ctx, d, f, s)
	must(t, err)
	lines = byTitle(p)
	for _, title := range []string{"Invoices", "Payments", "Write-offs and credits", "Hard costs", "Trust deposits", "Trust disbursements"} {
		if l := lines[title]; l.Count != 0 || l.TotalCents != 0 {
			t.Errorf("%s from 2100 = %+v", title, l)
		}
	}
	// ... and with them: exactly the unpaid invoices, and what was applied to them.
	s.SyncOptions.SyncAllUnpaidInvoices = true
	p, err = preview.Compute(ctx, d, f, s)
	must(t, err)
	lines = byTitle(p)
	if l := lines["Invoices"]; l.Count != unpaidN || l.TotalCents != unpaidTotal {
		t.Errorf("unpaid invoices = %+v, want %d totalling %d", l, unpaidN, unpaidTotal)
	}

	// Sections that are off say so and count nothing.
	s.Invoices.SyncInvoices, s.Invoices.SyncPayments, s.Contacts.MattersAsSubCustomers = false, false, false
	p, err = preview.Compute(ctx, d, f, s)
	must(t, err)
	lines = byTitle(p)
	for _, title := range []string{"Invoices", "Payments", "Sub-customers (matters)", "Write-offs and credits"} {
		if l := lines[title]; l.Count != 0 || !strings.HasPrefix(l.Note, "Off") {
			t.Errorf("%s while off = %+v", title, l)
		}
	}
}

func byTitle(p settings.Preview) map[string]settings.PreviewLine {
	out := map[string]settings.PreviewLine{}
	for _, l := range p.Lines {
		out[l.Title] = l
	}
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
