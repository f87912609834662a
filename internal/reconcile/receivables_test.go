package reconcile_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/reconcile"
	"github.com/qbosync/qbosync/internal/store"
)

// candidate is an invoice a scenario can use.
type candidate struct {
	Invoice  int64 `db:"invoice_id"`
	Matter   int64 `db:"matter_id"`
	Payment  int64 `db:"payment_id"`
	Cents    int64 `db:"cents"`
	Unpaid   int64 `db:"unpaid"`
	Customer string
}

// picker hands out invoices on matters no other scenario uses, so each scenario shows
// as a matter of its own.
type picker struct {
	e    *env
	used map[int64]bool
}

func (p *picker) pick(query string) candidate {
	p.e.t.Helper()
	var cs []candidate
	p.e.must(p.e.DB.Select(&cs, query, p.e.Scope.FirmID))
	for _, c := range cs {
		if !p.used[c.Matter] {
			p.used[c.Matter] = true
			c.Customer = p.e.customerOf(c.Matter)
			return c
		}
	}
	p.e.t.Fatalf("no invoice left for %s", query)
	return candidate{}
}

// Untouched unpaid invoices: no payment, no adjustment.
const untouchedInvoices = `
	SELECT i.id AS invoice_id, i.matter_id, 0 AS payment_id, i.total_cents AS cents, i.total_cents AS unpaid
	FROM invoices i
	WHERE i.firm_id = $1 AND i.status = 'approved' AND i.total_cents > 0
	  AND NOT EXISTS (SELECT 1 FROM payment_allocations pa WHERE pa.invoice_id = i.id)
	  AND NOT EXISTS (SELECT 1 FROM adjustments a WHERE a.invoice_id = i.id)
	ORDER BY i.id`

// Invoices paid by an operating payment that pays nothing else.
const singlyPaidInvoices = `
	SELECT pa.invoice_id, i.matter_id, p.id AS payment_id, pa.amount_cents AS cents,
	       i.total_cents
	       + COALESCE((SELECT sum(a.amount_cents) FROM adjustments a WHERE a.invoice_id = i.id AND a.kind = 'debit'), 0)
	       - COALESCE((SELECT sum(a.amount_cents) FROM adjustments a WHERE a.invoice_id = i.id AND a.kind <> 'debit'), 0)
	       - (SELECT sum(x.amount_cents) FROM payment_allocations x JOIN payments y ON y.id = x.payment_id
	          WHERE x.invoice_id = i.id AND y.status = 'posted') AS unpaid
	FROM payments p JOIN payment_allocations pa ON pa.payment_id = p.id JOIN invoices i ON i.id = pa.invoice_id
	WHERE p.firm_id = $1 AND p.source = 'operating' AND p.status = 'posted'
	  AND (SELECT count(*) FROM payment_allocations x WHERE x.payment_id = p.id) = 1
	ORDER BY p.id`

// Each kind of receivables drift is found on its own matter and explained by the record
// that causes it; approved invoices the sync has not posted are listed, as the start
// date and "sync all unpaid invoices" say.
func TestReceivablesNameTheRecordsBehindEachDifference(t *testing.T) {
	e := newEnv(t)
	e.seedFirm()
	e.postAll()
	p := &picker{e: e, used: map[int64]bool{}}
	ctx := e.ctx

	// A write-off the sync could not post: its credit memo and zero payment are not in
	// QBO, a failure is recorded.
	writeOff := p.pick(`
		SELECT a.invoice_id, i.matter_id, a.id AS payment_id, a.amount_cents AS cents, 0 AS unpaid
		FROM adjustments a JOIN invoices i ON i.id = a.invoice_id
		WHERE a.firm_id = $1 AND a.kind = 'write_off' ORDER BY a.id`)
	woKey := strconv.FormatInt(writeOff.Payment, 10)
	woPay, woMemo := e.mapping("adjustment_payment", woKey), e.mapping("adjustment", woKey)
	require.NoError(t, e.QC.Delete(ctx, "Payment", woPay.QBOID, woPay.SyncToken, qbo.RequestID("test", "delete", "wo-pay")))
	memo, err := qbo.Get[qbo.CreditMemo](ctx, e.QC, woMemo.QBOID) // applying it made a new version
	require.NoError(t, err)
	require.NoError(t, e.QC.Delete(ctx, "CreditMemo", memo.ID, memo.SyncToken, qbo.RequestID("test", "delete", "wo-memo")))
	_, err = e.DB.Exec(`DELETE FROM qbo_id_map WHERE kind IN ('adjustment', 'adjustment_payment') AND source_key = $1`, woKey)
	require.NoError(t, err)
	require.NoError(t, e.Store.RecordFailure(ctx, e.Scope, "adjustment", woKey, "Write-off", store.Failure{
		Code: "2500", Message: "Invalid Reference Id", Explanation: "The item \"Write-Offs\" is inactive in QuickBooks"}))

	// A payment deleted in QBO.
	deleted := p.pick(singlyPaidInvoices)
	delKey := strconv.FormatInt(deleted.Payment, 10) + "-" + strconv.FormatInt(deleted.Matter, 10)
	delMap := e.mapping("payment", delKey)
	require.NoError(t, e.QC.Delete(ctx, "Payment", delMap.QBOID, delMap.SyncToken, qbo.RequestID("test", "delete", delKey)))

	// A payment the sync could not post: not in QBO, not in the id map, a failure recorded.
	failed := p.pick(singlyPaidInvoices)
	failKey := strconv.FormatInt(failed.Payment, 10) + "-" + strconv.FormatInt(failed.Matter, 10)
	failMap := e.mapping("payment", failKey)
	require.NoError(t, e.QC.Delete(ctx, "Payment", failMap.QBOID, failMap.SyncToken, qbo.RequestID("test", "delete", failKey)))
	_, err = e.DB.Exec(`DELETE FROM qbo_id_map WHERE kind = 'payment' AND source_key = $1`, failKey)
	require.NoError(t, err)
	require.NoError(t, e.Store.RecordFailure(ctx, e.Scope, "payment", failKey, "Payment", store.Failure{
		Code: "6000", Message: "A business validation error has occurred",
		Explanation: "QuickBooks refused the payment because the accounting period is closed."}))

	// An invoice whose amount a bookkeeper raised by $50 in QBO.
	edited := p.pick(untouchedInvoices)
	e.raiseInQBO(edited, 5000)

	// A payment entered in QBO by hand.
	hand := p.pick(untouchedInvoices)
	handInv := e.mapping("invoice", strconv.FormatInt(hand.Invoice, 10)).QBOID
	var handPay qbo.Payment
	total := qbo.Amount(2500)
	e.create("Payment", qbo.Payment{CustomerRef: ref(hand.Customer), TotalAmt: &total, DepositToAccountRef: ref(e.operatingBank()),
		Line: []qbo.Line{{Amount: 2500, LinkedTxn: []qbo.LinkedTxn{{TxnID: handInv, TxnType: "Invoice"}}}}}, &handPay)

	// An invoice voided in the practice system and still open in QBO.
	voided := p.pick(untouchedInvoices)
	_, err = e.DB.Exec(`UPDATE invoices SET status = 'void', updated_at = now() WHERE id = $1`, voided.Invoice)
	require.NoError(t, err)

	// A payment and an invoice voided in QBO.
	voidedPay := p.pick(singlyPaidInvoices)
	vpKey := strconv.FormatInt(voidedPay.Payment, 10) + "-" + strconv.FormatInt(voidedPay.Matter, 10)
	vpMap := e.mapping("payment", vpKey)
	require.NoError(t, e.QC.Void(ctx, "Payment", vpMap.QBOID, vpMap.SyncToken, qbo.RequestID("test", "void", vpKey), nil))
	voidedInv := p.pick(singlyPaidInvoices)
	viMap := e.mapping("invoice", strconv.FormatInt(voidedInv.Invoice, 10))
	viNow, err := qbo.Get[qbo.Invoice](ctx, e.QC, viMap.QBOID)
	require.NoError(t, err)
	require.NoError(t, e.QC.Void(ctx, "Invoice", viNow.ID, viNow.SyncToken, qbo.RequestID("test", "void", viNow.ID), nil))

	// An approved invoice the sync has not posted yet, issued 2026-10-20.
	var missingID int64
	require.NoError(t, e.DB.Get(&missingID, `
		INSERT INTO invoices (firm_id, matter_id, invoice_number, status, issued_on, due_on, total_cents)
		VALUES ($1, $2, 'T-9001', 'approved', '2026-10-20', '2026-11-19', 12345) RETURNING id`, e.Scope.FirmID, voided.Matter))

	rep, err := reconcile.Receivables(ctx, e.DB, e.QC, e.Scope, reconcile.Options{})
	require.NoError(t, err)
	byMatter := map[int64]reconcile.MatterDifference{}
	for _, m := range rep.Matters {
		byMatter[m.MatterID] = m
	}
	require.Len(t, rep.Matters, 8, "one matter per scenario: %+v", rep.Matters)

	only := func(c candidate, pms, qb qbo.Amount) reconcile.InvoiceDifference {
		t.Helper()
		m, ok := byMatter[c.Matter]
		require.True(t, ok, "matter %d differs", c.Matter)
		require.Len(t, m.Invoices, 1)
		d := m.Invoices[0]
		assert.Equal(t, c.Invoice, d.InvoiceID)
		assert.Equal(t, pms, d.PMSUnpaid, "invoice %d: practice system", c.Invoice)
		assert.Equal(t, qb, d.QBOBalance, "invoice %d: QuickBooks", c.Invoice)
		assert.Equal(t, qb-pms, m.Difference())
		require.Len(t, d.Causes, 1, "causes: %+v", d.Causes)
		return d
	}

	wm := byMatter[writeOff.Matter]
	require.Len(t, wm.Invoices, 1)
	assert.Equal(t, qbo.Amount(writeOff.Cents), wm.Invoices[0].QBOBalance-wm.Invoices[0].PMSUnpaid)
	require.Len(t, wm.Invoices[0].Causes, 1, "%+v", wm.Invoices[0].Causes)
	assert.True(t, strings.HasPrefix(wm.Invoices[0].Causes[0].Record, "write-off "+woKey+" of "), wm.Invoices[0].Causes[0].Record)
	assert.Equal(t, qbo.Amount(writeOff.Cents), wm.Invoices[0].Causes[0].PMS)
	assert.Equal(t, `The write-off is not in QuickBooks: the sync failed: The item "Write-Offs" is inactive in QuickBooks.`, wm.Invoices[0].Causes[0].Why)

	d := only(deleted, qbo.Amount(deleted.Unpaid), qbo.Amount(deleted.Unpaid+deleted.Cents))
	assert.Equal(t, qbo.Amount(deleted.Cents), d.Causes[0].PMS)
	assert.Zero(t, d.Causes[0].QBO)
	assert.Contains(t, d.Causes[0].Why, "deleted in QuickBooks")
	assert.Contains(t, d.Causes[0].Record, "payment "+strconv.FormatInt(deleted.Payment, 10))

	d = only(failed, qbo.Amount(failed.Unpaid), qbo.Amount(failed.Unpaid+failed.Cents))
	assert.Contains(t, d.Causes[0].Why, "not in QuickBooks: the sync failed: QuickBooks refused the payment because the accounting period is closed.")

	d = only(edited, qbo.Amount(edited.Cents), qbo.Amount(edited.Cents+5000))
	assert.Equal(t, qbo.Amount(edited.Cents), d.Causes[0].PMS)
	assert.Equal(t, qbo.Amount(edited.Cents+5000), d.Causes[0].QBO)
	assert.Contains(t, d.Causes[0].Why, "changed in QuickBooks")

	d = only(hand, qbo.Amount(hand.Cents), qbo.Amount(hand.Cents-2500))
	assert.Equal(t, "QuickBooks payment "+handPay.ID, d.Causes[0].Record)
	assert.Equal(t, qbo.Amount(2500), d.Causes[0].QBO)
	assert.Contains(t, d.Causes[0].Why, "by hand")

	d = only(voided, 0, qbo.Amount(voided.Cents))
	assert.Contains(t, d.Causes[0].Why, "voided in the practice system but is still open in QuickBooks")

	d = only(voidedPay, qbo.Amount(voidedPay.Unpaid), qbo.Amount(voidedPay.Unpaid+voidedPay.Cents))
	assert.Contains(t, d.Causes[0].Why, "was voided in QuickBooks")

	// Voiding an invoice in QBO also unapplies its payments: each is named too.
	vm := byMatter[voidedInv.Matter]
	require.Len(t, vm.Invoices, 1)
	assert.Equal(t, qbo.Amount(voidedInv.Unpaid), vm.Invoices[0].PMSUnpaid)
	assert.Zero(t, vm.Invoices[0].QBOBalance)
	require.GreaterOrEqual(t, len(vm.Invoices[0].Causes), 2, "%+v", vm.Invoices[0].Causes)
	assert.Contains(t, vm.Invoices[0].Causes[0].Why, "The invoice was voided in QuickBooks")
	assert.Contains(t, vm.Invoices[0].Causes[1].Record, "payment "+strconv.FormatInt(voidedInv.Payment, 10))
	assert.Zero(t, vm.Invoices[0].Causes[1].QBO)

	require.Len(t, rep.Missing, 1)
	assert.Equal(t, missingID, rep.Missing[0].InvoiceID)
	assert.Equal(t, qbo.Amount(12345), rep.Missing[0].Unpaid)
	assert.Contains(t, rep.Missing[0].Why, "has not posted it")

	// Before the start date it is not expected in QBO, unless unpaid invoices are synced
	// whatever their date.
	since := time.Date(2026, 10, 21, 0, 0, 0, 0, time.UTC)
	rep2, err := reconcile.Receivables(ctx, e.DB, e.QC, e.Scope, reconcile.Options{Since: since})
	require.NoError(t, err)
	assert.Empty(t, rep2.Missing)
	assert.Len(t, rep2.Matters, 8, "mapped invoices are checked whatever their date")
	rep3, err := reconcile.Receivables(ctx, e.DB, e.QC, e.Scope, reconcile.Options{Since: since, AllUnpaid: true})
	require.NoError(t, err)
	require.Len(t, rep3.Missing, 1)
	assert.Equal(t, missingID, rep3.Missing[0].InvoiceID)

	full := reconcile.Report{Receivables: rep}
	sum := full.Summary()
	assert.False(t, sum.OK)
	assert.Equal(t, 8, sum.MattersDiffering)
	assert.Equal(t, 8, sum.InvoicesDiffering)
	assert.Equal(t, 1, sum.InvoicesMissing)
	assert.Equal(t, deleted.Cents+failed.Cents+5000+2500+voided.Cents+voidedPay.Cents+voidedInv.Unpaid+writeOff.Cents, sum.ReceivablesDifferenceCents)

	text := e.format(full)
	t.Logf("\n%s", text)
	assert.Contains(t, text, "Approved invoices that are not in QuickBooks (1)")
	assert.Contains(t, text, "Invoice T-9001 of 2026-10-20")
	assert.Contains(t, text, "$123.45")
}

// Firm takes its options from the settings the firm submitted: the start date, "sync all
// unpaid invoices", and whether trust money syncs at all.
func TestFirmReconcilesWithTheSubmittedSettings(t *testing.T) {
	e := newEnv(t)
	e.seedFirm()
	e.postAll()
	// Until settings are submitted the sync posts with the defaults: everything, trust too.
	rep, err := reconcile.Firm(e.ctx, e.DB, e.QC, e.Scope)
	require.NoError(t, err)
	assert.True(t, rep.OK())
	assert.Empty(t, rep.Since)
	assert.False(t, rep.TrustSkipped)
	assert.Len(t, rep.Trust.Accounts, 2)

	// Forget the invoices, as if they had never been posted.
	_, err = e.DB.Exec(`DELETE FROM qbo_id_map WHERE kind = 'invoice'`)
	require.NoError(t, err)
	_, err = e.DB.Exec(`
		INSERT INTO setup_settings (firm_id, setup_id, realm_id, status, settings, submitted_at)
		VALUES ($1, 'setup-1', $2, 'submitted',
		        '{"trust": {"sync": false}, "sync_options": {"start_date": "2026-06-01", "sync_all_unpaid_invoices": true}}', now())`,
		e.Scope.FirmID, e.Scope.RealmID)
	require.NoError(t, err)
	rep, err = reconcile.Firm(e.ctx, e.DB, e.QC, e.Scope)
	require.NoError(t, err)
	assert.Equal(t, "2026-06-01", rep.Since)
	assert.True(t, rep.TrustSkipped)
	assert.Empty(t, rep.Trust.Accounts)

	// Every invoice the settings select is missing: from the start date, or from before
	// it and owed on then or now.
	var want int
	require.NoError(t, e.DB.Get(&want, `
		SELECT count(*) FROM invoices i WHERE i.firm_id = $1 AND i.status = 'approved' AND (i.issued_on >= '2026-06-01'
		   OR i.total_cents + COALESCE((SELECT sum(amount_cents) FROM adjustments a WHERE a.invoice_id = i.id AND a.kind = 'debit'), 0)
		      - COALESCE((SELECT sum(amount_cents) FROM adjustments a WHERE a.invoice_id = i.id AND a.kind <> 'debit'), 0)
		      - COALESCE((SELECT sum(pa.amount_cents) FROM payment_allocations pa JOIN payments p ON p.id = pa.payment_id
		                  WHERE pa.invoice_id = i.id AND p.status = 'posted'), 0) > 0
		   OR i.total_cents + COALESCE((SELECT sum(amount_cents) FROM adjustments a WHERE a.invoice_id = i.id AND a.kind = 'debit' AND a.adjusted_on < '2026-06-01'), 0)
		      - COALESCE((SELECT sum(amount_cents) FROM adjustments a WHERE a.invoice_id = i.id AND a.kind <> 'debit' AND a.adjusted_on < '2026-06-01'), 0)
		      - COALESCE((SELECT sum(pa.amount_cents) FROM payment_allocations pa JOIN payments p ON p.id = pa.payment_id
		                  WHERE pa.invoice_id = i.id AND p.status = 'posted' AND p.received_on < '2026-06-01'), 0) > 0)`, e.Scope.FirmID))
	assert.NotZero(t, want)
	assert.Len(t, rep.Receivables.Missing, want)
	assert.False(t, rep.OK())
	assert.Contains(t, e.format(rep), "TRUST ACCOUNTS: not checked")
}
