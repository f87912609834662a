package reconcile

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/store"
)

// ReceivablesReport compares, matter by matter, what the practice system says is still
// owed on the invoices the sync posted with what QBO shows as open on them.
type ReceivablesReport struct {
	MattersChecked  int        `json:"matters_checked"`
	InvoicesChecked int        `json:"invoices_checked"`
	PMSUnpaid       qbo.Amount `json:"pms_unpaid"` // over every synced invoice
	QBOOpen         qbo.Amount `json:"qbo_open"`
	// Matters are the matters whose totals differ, by matter number.
	Matters []MatterDifference `json:"matters,omitempty"`
	// Missing are approved invoices the sync should have posted (see Options) and has
	// not: not in the id map. They are outside the totals above.
	Missing []MissingInvoice `json:"missing,omitempty"`
}

// OK reports whether every matter agrees and no invoice is missing.
func (r ReceivablesReport) OK() bool { return len(r.Matters) == 0 && len(r.Missing) == 0 }

// MatterDifference is a matter whose synced invoices are owed one amount in the practice
// system and open for another in QBO.
type MatterDifference struct {
	MatterID     int64      `json:"matter_id"`
	MatterNumber string     `json:"matter_number"`
	MatterName   string     `json:"matter_name"`
	ClientName   string     `json:"client_name"`
	PMSUnpaid    qbo.Amount `json:"pms_unpaid"`
	QBOOpen      qbo.Amount `json:"qbo_open"`
	// Invoices are the invoices that differ, in open balance or in total; together
	// they make up the difference.
	Invoices []InvoiceDifference `json:"invoices"`
}

// Difference is QBO's open balance less the practice system's: positive when QBO shows
// more owed.
func (d MatterDifference) Difference() qbo.Amount { return d.QBOOpen - d.PMSUnpaid }

// InvoiceDifference is one invoice whose QBO balance is not its unpaid balance in the
// practice system, with the records that likely explain why.
type InvoiceDifference struct {
	InvoiceID     int64      `json:"invoice_id"`
	InvoiceNumber string     `json:"invoice_number"`
	QBOID         string     `json:"qbo_id"`
	PMSUnpaid     qbo.Amount `json:"pms_unpaid"`
	QBOBalance    qbo.Amount `json:"qbo_balance"`
	Causes        []Cause    `json:"causes,omitempty"`
}

// Cause is a record that explains (part of) a difference: what the practice system says
// about it, what QBO says, and in words why they differ.
type Cause struct {
	Record string     `json:"record"` // e.g. "payment 12", "write-off 7", "QuickBooks Payment 311"
	PMS    qbo.Amount `json:"pms"`    // 0 when the practice system has no such record
	QBO    qbo.Amount `json:"qbo"`    // 0 when QBO has none
	Why    string     `json:"why"`
}

// MissingInvoice is an approved invoice that is not in QBO.
type MissingInvoice struct {
	InvoiceID     int64      `json:"invoice_id"`
	InvoiceNumber string     `json:"invoice_number"`
	IssuedOn      string     `json:"issued_on"`
	MatterNumber  string     `json:"matter_number"`
	MatterName    string     `json:"matter_name"`
	ClientName    string     `json:"client_name"`
	Total         qbo.Amount `json:"total"`
	Unpaid        qbo.Amount `json:"unpaid"`
	Why           string     `json:"why"`
}

// invoiceBalanceColumns are what an invoice's unpaid balance is made of: its total, debit
// adjustments (which raise it), credits and write-offs (which lower it) and what posted
// payments applied to it. A voided payment applies nothing.
const invoiceBalanceColumns = `
	i.total_cents,
	COALESCE((SELECT sum(a.amount_cents) FROM adjustments a
	          WHERE a.firm_id = i.firm_id AND a.invoice_id = i.id AND a.kind = 'debit'), 0) AS debit_cents,
	COALESCE((SELECT sum(a.amount_cents) FROM adjustments a
	          WHERE a.firm_id = i.firm_id AND a.invoice_id = i.id AND a.kind IN ('credit', 'write_off')), 0) AS credit_cents,
	COALESCE((SELECT sum(pa.amount_cents) FROM payment_allocations pa
	          JOIN payments p ON p.firm_id = pa.firm_id AND p.id = pa.payment_id
	          WHERE pa.firm_id = i.firm_id AND pa.invoice_id = i.id AND p.status = 'posted'), 0) AS paid_cents`

// syncedInvoicesSQL lists the invoices in the id map with what makes up their unpaid
// balance. Voided invoices are included: QBO must show them as owing nothing. The id
// map's key is cast to the invoice's id, not the id to text, so that the join is an
// index lookup whatever the planner believes of the tables: joined as text, a large
// firm just synced, its tables not analyzed yet, got a nested loop over every pair of
// invoice and id map row (30 s). The other joins on an id map key do the same.
const syncedInvoicesSQL = `
	SELECT i.id, i.invoice_number, i.status, i.matter_id, m.matter_number, m.name AS matter_name,
	       c.name AS client_name, x.qbo_id, i.updated_at > x.updated_at AS changed_since_sync,` +
	invoiceBalanceColumns + `
	FROM qbo_id_map x
	JOIN invoices i ON i.firm_id = x.firm_id AND i.id = x.source_key::bigint
	JOIN matters m ON m.firm_id = i.firm_id AND m.id = i.matter_id
	JOIN clients c ON c.firm_id = m.firm_id AND c.id = m.client_id
	WHERE x.firm_id = $1 AND x.realm_id = $2 AND x.kind = 'invoice'
	ORDER BY m.matter_number, i.invoice_number`

// missingInvoicesSQL lists the approved invoices the sync should have posted (issued on
// or after the start date $3, or, with $4, still unpaid or owed on at the start of $3)
// that are not in the id map.
const missingInvoicesSQL = `
	SELECT * FROM (
	    SELECT i.id, i.invoice_number, to_char(i.issued_on, 'YYYY-MM-DD') AS issued_on, (i.issued_on >= $3::date) IS NOT FALSE AS in_period,
	           i.status, i.matter_id, m.matter_number, m.name AS matter_name, c.name AS client_name, '' AS qbo_id,
	           false AS changed_since_sync,` +
	invoiceBalanceColumns + `,
	           i.total_cents
	           + COALESCE((SELECT sum(CASE a.kind WHEN 'debit' THEN a.amount_cents ELSE -a.amount_cents END) FROM adjustments a
	                       WHERE a.firm_id = i.firm_id AND a.invoice_id = i.id AND a.adjusted_on < $3::date), 0)
	           - COALESCE((SELECT sum(pa.amount_cents) FROM payment_allocations pa
	                       JOIN payments p ON p.firm_id = pa.firm_id AND p.id = pa.payment_id
	                       WHERE pa.firm_id = i.firm_id AND pa.invoice_id = i.id AND p.status = 'posted' AND p.received_on < $3::date), 0)
	             AS owed_at_start
	    FROM invoices i
	    JOIN matters m ON m.firm_id = i.firm_id AND m.id = i.matter_id
	    JOIN clients c ON c.firm_id = m.firm_id AND c.id = m.client_id
	    WHERE i.firm_id = $1 AND i.status = 'approved'
	      AND NOT EXISTS (SELECT 1 FROM qbo_id_map x WHERE x.firm_id = i.firm_id AND x.realm_id = $2
	                      AND x.kind = 'invoice' AND x.source_key = i.id::text)
	) inv
	WHERE in_period OR ($4::boolean AND (total_cents + debit_cents - credit_cents - paid_cents > 0 OR owed_at_start > 0))
	ORDER BY matter_number, invoice_number`

// pmsInvoice is an invoice as the practice system has it.
type pmsInvoice struct {
	ID               int64  `db:"id"`
	Number           string `db:"invoice_number"`
	Status           string `db:"status"`
	IssuedOn         string `db:"issued_on"`
	InPeriod         bool   `db:"in_period"`
	MatterID         int64  `db:"matter_id"`
	MatterNumber     string `db:"matter_number"`
	MatterName       string `db:"matter_name"`
	ClientName       string `db:"client_name"`
	QBOID            string `db:"qbo_id"`
	ChangedSinceSync bool   `db:"changed_since_sync"`
	TotalCents       int64  `db:"total_cents"`
	DebitCents       int64  `db:"debit_cents"`
	CreditCents      int64  `db:"credit_cents"`
	PaidCents        int64  `db:"paid_cents"`
	OwedAtStart      int64  `db:"owed_at_start"` // missing invoices only: owed on when the books start
	// discounted: the firm posts write-offs and credits as discount lines on the
	// invoice itself (Options.DiscountLines), so QBO's total is net of them.
	discounted bool
}

// unpaid is what the client still owes on the invoice; a voided invoice is owed nothing.
func (i *pmsInvoice) unpaid() qbo.Amount {
	if i.Status == "void" {
		return 0
	}
	return qbo.Amount(i.TotalCents + i.DebitCents - i.CreditCents - i.PaidCents)
}

// billed is what the QBO invoice's total should be: debit adjustments update the invoice.
func (i *pmsInvoice) billed() qbo.Amount {
	if i.discounted {
		return qbo.Amount(i.TotalCents + i.DebitCents - i.CreditCents)
	}
	return qbo.Amount(i.TotalCents + i.DebitCents)
}

// Receivables checks, for every matter with invoices in the id map, that QBO's open
// balance of those invoices equals their unpaid balance in the practice system, and
// lists the approved invoices the sync should have posted but has not. An invoice whose
// QBO total is not its practice total (debit adjustments included; zero when void) is
// reported too, even when the balances agree.
//
// QBO's side is the Balance of each mapped QBO invoice, read in bulk; an invoice deleted
// in QBO counts as zero. Only the invoices that differ are examined further, so a firm
// whose books agree costs one query per hundred invoices.
func Receivables(ctx context.Context, db sqlx.QueryerContext, qc *qbo.Client, sc store.Scope, opts Options) (ReceivablesReport, error) {
	var invs []pmsInvoice
	if err := sqlx.SelectContext(ctx, db, &invs, syncedInvoicesSQL, sc.FirmID, sc.RealmID); err != nil {
		return ReceivablesReport{}, fmt.Errorf("reconcile: synced invoices: %w", err)
	}
	var ids []string
	for i := range invs {
		invs[i].discounted = opts.DiscountLines
		if opts.checksMatter(invs[i].MatterID) {
			ids = append(ids, invs[i].QBOID)
		}
	}
	qInvs, err := readByID(ctx, qc, opts.known(), "Invoice", ids, func(v *qbo.Invoice) string { return v.ID })
	if err != nil {
		return ReceivablesReport{}, err
	}

	var rep ReceivablesReport
	var differing []*pmsInvoice
	matters := map[int64]*MatterDifference{}
	var order []int64
	for i := range invs {
		inv := &invs[i]
		m, ok := matters[inv.MatterID]
		if !ok {
			m = &MatterDifference{MatterID: inv.MatterID, MatterNumber: inv.MatterNumber, MatterName: inv.MatterName, ClientName: inv.ClientName}
			matters[inv.MatterID] = m
			order = append(order, inv.MatterID)
		}
		if !opts.checksMatter(inv.MatterID) {
			// Untouched since the last check: QuickBooks agreed then (a difference it
			// found is carried over by the incremental check) and is not read again.
			m.PMSUnpaid, m.QBOOpen = m.PMSUnpaid+inv.unpaid(), m.QBOOpen+inv.unpaid()
			rep.PMSUnpaid, rep.QBOOpen = rep.PMSUnpaid+inv.unpaid(), rep.QBOOpen+inv.unpaid()
			rep.InvoicesChecked++
			continue
		}
		var open, total qbo.Amount
		if q := qInvs[inv.QBOID]; q != nil {
			open, total = amountOf(q.Balance), amountOf(q.TotalAmt)
		}
		m.PMSUnpaid += inv.unpaid()
		m.QBOOpen += open
		rep.PMSUnpaid += inv.unpaid()
		rep.QBOOpen += open
		rep.InvoicesChecked++
		// A total that differs is a difference even when the balances agree: an
		// invoice voided in QBO after it was paid shows nothing open on either side,
		// yet its payment is now an unapplied credit in QBO.
		billed := inv.billed()
		if inv.Status == "void" {
			billed = 0
		}
		if open != inv.unpaid() || total != billed {
			differing = append(differing, inv)
			m.Invoices = append(m.Invoices, InvoiceDifference{InvoiceID: inv.ID, InvoiceNumber: inv.Number,
				QBOID: inv.QBOID, PMSUnpaid: inv.unpaid(), QBOBalance: open})
		}
	}
	rep.MattersChecked = len(order)

	fails, err := loadFailures(ctx, db, sc)
	if err != nil {
		return ReceivablesReport{}, err
	}
	causes, err := explainInvoices(ctx, db, qc, sc, differing, qInvs, fails)
	if err != nil {
		return ReceivablesReport{}, err
	}
	for _, id := range order {
		m := matters[id]
		for i := range m.Invoices {
			m.Invoices[i].Causes = causes[m.Invoices[i].InvoiceID]
		}
		// A matter whose invoices differ in opposite directions still has those
		// invoices to fix, even when its totals happen to agree.
		if len(m.Invoices) > 0 {
			rep.Matters = append(rep.Matters, *m)
		}
	}

	var missing []pmsInvoice
	if err := sqlx.SelectContext(ctx, db, &missing, missingInvoicesSQL, sc.FirmID, sc.RealmID, opts.sinceArg(), opts.AllUnpaid); err != nil {
		return ReceivablesReport{}, fmt.Errorf("reconcile: missing invoices: %w", err)
	}
	for _, inv := range missing {
		rep.Missing = append(rep.Missing, MissingInvoice{
			InvoiceID: inv.ID, InvoiceNumber: inv.Number, IssuedOn: inv.IssuedOn,
			MatterNumber: inv.MatterNumber, MatterName: inv.MatterName, ClientName: inv.ClientName,
			Total: inv.billed(), Unpaid: inv.unpaid(),
			Why: fails.why("The invoice", "invoice", strconv.FormatInt(inv.ID, 10)),
		})
	}
	return rep, nil
}

// allocationsSQL lists what each payment applied to the given invoices, with the QBO
// Payment that should carry it: a practice payment becomes one QBO payment per matter it
// pays ("<payment id>-<matter id>").
const allocationsSQL = `
	SELECT pa.invoice_id, p.id AS payment_id, p.status, to_char(p.received_on, 'YYYY-MM-DD') AS received_on,
	       pa.amount_cents, COALESCE(x.qbo_id, '') AS qbo_id, p.id::text || '-' || i.matter_id::text AS source_key
	FROM payment_allocations pa
	JOIN payments p ON p.firm_id = pa.firm_id AND p.id = pa.payment_id
	JOIN invoices i ON i.firm_id = pa.firm_id AND i.id = pa.invoice_id
	LEFT JOIN qbo_id_map x ON x.firm_id = pa.firm_id AND x.realm_id = $2 AND x.kind = 'payment'
	                      AND x.source_key = p.id::text || '-' || i.matter_id::text
	WHERE pa.firm_id = $1 AND pa.invoice_id = ANY($3)
	ORDER BY p.received_on, p.id`

// adjustmentsSQL lists the adjustments of the given invoices with the QBO credit memo
// and the zero-amount payment that applies it.
const adjustmentsSQL = `
	SELECT a.invoice_id, a.id, a.kind, to_char(a.adjusted_on, 'YYYY-MM-DD') AS adjusted_on, a.amount_cents,
	       COALESCE(cm.qbo_id, '') AS credit_memo_id, COALESCE(ap.qbo_id, '') AS payment_qbo_id
	FROM adjustments a
	LEFT JOIN qbo_id_map cm ON cm.firm_id = a.firm_id AND cm.realm_id = $2 AND cm.kind = 'adjustment'
	                       AND cm.source_key = a.id::text
	LEFT JOIN qbo_id_map ap ON ap.firm_id = a.firm_id AND ap.realm_id = $2 AND ap.kind = 'adjustment_payment'
	                       AND ap.source_key = a.id::text
	WHERE a.firm_id = $1 AND a.invoice_id = ANY($3)
	ORDER BY a.adjusted_on, a.id`

// paymentOwnersSQL says which practice record each of the given QBO payments stands for.
const paymentOwnersSQL = `
	SELECT qbo_id, kind, source_key FROM qbo_id_map
	WHERE firm_id = $1 AND realm_id = $2 AND qbo_entity = 'Payment' AND qbo_id = ANY($3)`

type allocationRow struct {
	InvoiceID  int64  `db:"invoice_id"`
	PaymentID  int64  `db:"payment_id"`
	Status     string `db:"status"`
	ReceivedOn string `db:"received_on"`
	Cents      int64  `db:"amount_cents"`
	QBOID      string `db:"qbo_id"`
	SourceKey  string `db:"source_key"`
}

type adjustmentRow struct {
	InvoiceID    int64  `db:"invoice_id"`
	ID           int64  `db:"id"`
	Kind         string `db:"kind"`
	AdjustedOn   string `db:"adjusted_on"`
	Cents        int64  `db:"amount_cents"`
	CreditMemoID string `db:"credit_memo_id"`
	PaymentQBOID string `db:"payment_qbo_id"`
}

// explainInvoices finds, for each differing invoice, the records that explain it: the
// invoice itself (deleted, voided or edited on one side), each payment and adjustment
// applied in the practice system (missing from QBO, or applying a different amount
// there), and each QBO payment applied to the invoice that stands for no practice record.
func explainInvoices(ctx context.Context, db sqlx.QueryerContext, qc *qbo.Client, sc store.Scope,
	invs []*pmsInvoice, qInvs map[string]*qbo.Invoice, fails failures) (map[int64][]Cause, error) {
	out := map[int64][]Cause{}
	if len(invs) == 0 {
		return out, nil
	}
	invIDs := make([]int64, len(invs))
	for i, inv := range invs {
		invIDs[i] = inv.ID
	}
	var allocs []allocationRow
	if err := sqlx.SelectContext(ctx, db, &allocs, allocationsSQL, sc.FirmID, sc.RealmID, pq.Array(invIDs)); err != nil {
		return nil, fmt.Errorf("reconcile: allocations: %w", err)
	}
	var adjs []adjustmentRow
	if err := sqlx.SelectContext(ctx, db, &adjs, adjustmentsSQL, sc.FirmID, sc.RealmID, pq.Array(invIDs)); err != nil {
		return nil, fmt.Errorf("reconcile: adjustments: %w", err)
	}

	// Every QBO payment involved: those the id map names and those QBO links to the
	// invoices.
	var payIDs []string
	for _, a := range allocs {
		payIDs = append(payIDs, a.QBOID)
	}
	for _, a := range adjs {
		payIDs = append(payIDs, a.PaymentQBOID)
	}
	for _, inv := range invs {
		if q := qInvs[inv.QBOID]; q != nil {
			for _, l := range q.LinkedTxn {
				if l.TxnType == "Payment" {
					payIDs = append(payIDs, l.TxnID)
				}
			}
		}
	}
	pays, err := readByID(ctx, qc, nil, "Payment", payIDs, func(v *qbo.Payment) string { return v.ID })
	if err != nil {
		return nil, err
	}
	var owners []struct {
		QBOID     string `db:"qbo_id"`
		Kind      string `db:"kind"`
		SourceKey string `db:"source_key"`
	}
	if err := sqlx.SelectContext(ctx, db, &owners, paymentOwnersSQL, sc.FirmID, sc.RealmID, pq.Array(payIDs)); err != nil {
		return nil, fmt.Errorf("reconcile: payment owners: %w", err)
	}
	owner := map[string]string{}
	for _, o := range owners {
		owner[o.QBOID] = o.Kind + " " + o.SourceKey
	}

	for _, inv := range invs {
		q := qInvs[inv.QBOID]
		var causes []Cause
		add := func(record string, pms, qb qbo.Amount, why string) {
			causes = append(causes, Cause{Record: record, PMS: pms, QBO: qb, Why: why})
		}
		invRecord := "invoice " + inv.Number
		invKey := strconv.FormatInt(inv.ID, 10)
		if q == nil {
			add(invRecord, inv.unpaid(), 0, fmt.Sprintf("QuickBooks invoice %s no longer exists: it was deleted in QuickBooks.", inv.QBOID))
			out[inv.ID] = causes
			continue
		}
		total := amountOf(q.TotalAmt)
		switch {
		case inv.Status != "void" && voidedInQBO(q.PrivateNote):
			add(invRecord, inv.billed(), total, "The invoice was voided in QuickBooks; it is not void in the practice system.")
		case inv.Status == "void" && total != 0:
			why := "The invoice was voided in the practice system but is still open in QuickBooks."
			if f, ok := fails[[2]string{"invoice", invKey}]; ok {
				why += " The sync failed to void it: " + strings.TrimRight(f.text(), ". ") + "."
			}
			add(invRecord, 0, total, why)
		case inv.Status != "void" && total != inv.billed():
			why := "The invoice total differs: it was changed in QuickBooks after it synced."
			debitsMissing := inv.DebitCents != 0 && total == qbo.Amount(inv.TotalCents)
			if f, ok := fails[[2]string{"invoice", invKey}]; ok {
				why = "The invoice total differs: the sync failed to update it: " + strings.TrimRight(f.text(), ". ") + "."
			} else if debitsMissing {
				why = "The invoice total differs: the debit adjustments raising it are not in QuickBooks."
			} else if inv.ChangedSinceSync {
				why = "The invoice total differs: the invoice changed in the practice system after it synced and the change is not in QuickBooks yet."
			}
			add(invRecord, inv.billed(), total, why)
		}

		// What each QBO payment applies to this invoice, and which of them the
		// practice records below account for.
		applied := map[string]qbo.Amount{}
		for _, l := range q.LinkedTxn {
			if l.TxnType != "Payment" {
				continue
			}
			if p := pays[l.TxnID]; p != nil {
				applied[l.TxnID] = appliedTo(p, inv.QBOID)
			}
		}
		explained := map[string]bool{}

		for _, a := range allocs {
			if a.InvoiceID != inv.ID {
				continue
			}
			rec := fmt.Sprintf("payment %d of %s", a.PaymentID, a.ReceivedOn)
			want := qbo.Amount(a.Cents)
			if a.Status != "posted" {
				want = 0
			}
			if a.QBOID == "" {
				if want != 0 {
					add(rec, want, 0, fails.why("The payment", "payment", a.SourceKey, "payment", strconv.FormatInt(a.PaymentID, 10)))
				}
				continue
			}
			explained[a.QBOID] = true
			p := pays[a.QBOID]
			switch got := applied[a.QBOID]; {
			case p == nil && want != 0:
				add(rec, want, 0, fmt.Sprintf("QuickBooks payment %s no longer exists: it was deleted in QuickBooks.", a.QBOID))
			case p == nil || got == want:
			case voidedInQBO(p.PrivateNote):
				add(rec, want, got, fmt.Sprintf("QuickBooks payment %s was voided in QuickBooks; the payment is not void in the practice system.", a.QBOID))
			case want == 0:
				add(rec, 0, got, fmt.Sprintf("The payment was voided in the practice system but QuickBooks payment %s still applies %s to this invoice.", a.QBOID, dollars(got)))
			default:
				add(rec, want, got, fmt.Sprintf("QuickBooks payment %s applies %s to this invoice; the practice system applies %s.", a.QBOID, dollars(got), dollars(want)))
			}
		}

		for _, a := range adjs {
			if a.InvoiceID != inv.ID || a.Kind == "debit" || inv.discounted {
				continue // on the invoice itself (a debit; a discount line): its total, checked above
			}
			label := map[string]string{"write_off": "write-off", "credit": "credit"}[a.Kind]
			rec := fmt.Sprintf("%s %d of %s", label, a.ID, a.AdjustedOn)
			want := qbo.Amount(a.Cents)
			key := strconv.FormatInt(a.ID, 10)
			switch {
			case a.CreditMemoID == "":
				add(rec, want, 0, fails.why("The "+label, "adjustment", key, "adjustment_payment", key))
				continue
			case a.PaymentQBOID == "":
				add(rec, want, 0, fails.why("The "+label+"'s credit memo is in QuickBooks (credit memo "+a.CreditMemoID+") but its application to the invoice",
					"adjustment_payment", key, "adjustment", key))
				continue
			}
			explained[a.PaymentQBOID] = true
			p := pays[a.PaymentQBOID]
			switch got := applied[a.PaymentQBOID]; {
			case p == nil:
				add(rec, want, 0, fmt.Sprintf("QuickBooks payment %s, which applied the credit memo, no longer exists: it was deleted in QuickBooks.", a.PaymentQBOID))
			case got != want:
				add(rec, want, got, fmt.Sprintf("QuickBooks applies %s of credit memo %s to this invoice; the practice system's %s is %s.", dollars(got), a.CreditMemoID, label, dollars(want)))
			}
		}

		// QBO payments applied to the invoice that no practice record of it accounts for.
		var others []string
		for id := range applied {
			if !explained[id] {
				others = append(others, id)
			}
		}
		slices.SortFunc(others, compareIDs)
		for _, id := range others {
			why := fmt.Sprintf("QuickBooks payment %s applies %s to this invoice, but the practice system has no such payment: it was entered in QuickBooks by hand.", id, dollars(applied[id]))
			if o, ok := owner[id]; ok {
				why = fmt.Sprintf("QuickBooks payment %s (qbosync's %s) applies %s to this invoice, but the practice system does not apply that payment to it.", id, o, dollars(applied[id]))
			}
			add("QuickBooks payment "+id, 0, applied[id], why)
		}
		if len(causes) == 0 {
			add(invRecord, inv.unpaid(), amountOf(q.Balance),
				"No single record explains it: the invoice, its payments and adjustments each agree; compare the invoice's history in both systems.")
		}
		out[inv.ID] = causes
	}
	return out, nil
}

// appliedTo is what a QBO payment applies to the invoice with the given Id.
func appliedTo(p *qbo.Payment, invoiceID string) qbo.Amount {
	var sum qbo.Amount
	for _, l := range p.Line {
		for _, lt := range l.LinkedTxn {
			if lt.TxnType == "Invoice" && lt.TxnID == invoiceID {
				sum += l.Amount
			}
		}
	}
	return sum
}

// compareIDs orders QBO Ids numerically (they are decimal strings of any length).
func compareIDs(a, b string) int { return cmp.Or(cmp.Compare(len(a), len(b)), cmp.Compare(a, b)) }

// voidedInQBO reports whether a QBO transaction was voided: QBO zeroes its amounts and
// prepends "Voided" to its PrivateNote.
func voidedInQBO(note string) bool { return strings.HasPrefix(note, "Voided") }
