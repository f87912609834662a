package syncer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/store"
)

// syncInvoicesPage syncs the invoices changed in a page (an adjustment's change is one
// of its invoice): approved invoices in scope are created or updated, with their debits
// (and, per the settings, discount lines); voided ones are voided; deleted ones, and
// ones taken back to draft, are deleted, or voided when payments are applied to them.
// Then the write-offs and credits of the invoices now in QBO are posted as credit memos
// applied to them.
func syncInvoicesPage(ctx context.Context, e *Engine, changes []pms.Change, counts *Counts) error {
	ids := idsOf(changes, pms.EntityInvoice)
	if len(ids) == 0 {
		return nil
	}
	b, err := e.books(ctx)
	if err != nil {
		return err
	}
	p := &invoicePage{e: e, b: b, counts: counts, ids: ids,
		asDiscount: b.WriteOffs.Sync && b.WriteOffs.Method == settings.WriteOffDiscountLine}
	if err := p.load(ctx); err != nil {
		return err
	}
	if err := p.retireDeleted(ctx); err != nil {
		return err
	}
	txns, posted, err := p.transactions(ctx)
	if err != nil {
		return err
	}
	qboIDs, err := putTxns(ctx, e, txns, counts)
	if err != nil || !b.WriteOffs.Sync || p.asDiscount {
		return err
	}
	return syncCreditMemos(ctx, e, b, posted, p.adjs, p.customers, qboIDs, counts)
}

// invoicePage is one page of invoice changes on its way to QBO.
type invoicePage struct {
	e          *Engine
	b          *books
	counts     *Counts
	asDiscount bool // write-offs and credits are discount lines, not credit memos

	ids       []int64
	invs      []pms.Invoice
	states    map[int64]pms.InvoiceState
	mapped    map[string]store.Mapping
	customers map[int64]string
	adjs      map[int64][]pms.Adjustment
}

// load reads the page's invoices, their states, adjustments and mappings, and the
// customers they go to.
func (p *invoicePage) load(ctx context.Context) error {
	e, db, firm := p.e, p.e.Store.DB(), p.e.Scope.FirmID
	var err error
	if p.invs, err = pms.Invoices(ctx, db, firm, p.ids); err != nil {
		return err
	}
	if p.states, err = pms.InvoiceStates(ctx, db, firm, p.ids); err != nil {
		return err
	}
	if p.mapped, err = e.Store.Mappings(ctx, e.Scope, posting.KindInvoice, keysOf(p.ids)); err != nil {
		return err
	}
	matterIDs := make([]int64, len(p.invs))
	for i, inv := range p.invs {
		matterIDs[i] = inv.MatterID
	}
	if p.customers, err = e.customersOf(ctx, matterIDs); err != nil {
		return err
	}
	p.adjs, err = pms.AdjustmentsOfInvoices(ctx, db, firm, p.ids)
	return err
}

// retireDeleted deletes (or voids) the QBO invoices of invoices deleted from the
// practice system.
func (p *invoicePage) retireDeleted(ctx context.Context) error {
	for _, id := range p.ids {
		if _, exists := p.states[id]; exists {
			continue
		}
		if m, ok := p.mapped[strconv.FormatInt(id, 10)]; ok {
			if err := retireInvoice(ctx, p.e, id, fmt.Sprintf("invoice #%d (deleted)", id), m, false, p.counts); err != nil {
				return err
			}
		}
	}
	return nil
}

// transactions builds the QBO invoices of the approved invoices in scope, and retires
// those voided or taken back to draft; it returns the invoices it builds.
func (p *invoicePage) transactions(ctx context.Context) ([]txn, []pms.Invoice, error) {
	e, b := p.e, p.b
	opts := posting.InvoiceOptions{Lines: b.Invoices.LineItems, DocNumberPrefix: b.Invoices.DocNumberPrefix, Items: b.items}
	writeOffAccount, _, err := e.ledgerID(ctx, "write_offs.account")
	if err != nil {
		return nil, nil, err
	}
	var txns []txn
	var posted []pms.Invoice
	for _, inv := range p.invs {
		key, label := strconv.FormatInt(inv.ID, 10), posting.InvoiceLabel(inv)
		m, isMapped := p.mapped[key]
		if inv.Status != "approved" {
			if isMapped {
				if err := retireInvoice(ctx, e, inv.ID, label, m, inv.Status == "void", p.counts); err != nil {
					return nil, nil, err
				}
			}
			continue
		}
		if !b.Invoices.SyncInvoices || !b.invoiceInScope(p.states[inv.ID], isMapped, e.backfilling) {
			continue
		}
		body, err := invoiceBody(inv, p.customers, opts, p.adjs[inv.ID], p.asDiscount, writeOffAccount)
		t := txn{it: item{Kind: posting.KindInvoice, Key: key, Label: label, Marker: names.Marker(e.Scope.FirmID, posting.KindInvoice, inv.ID)},
			entity: "Invoice", body: body, date: body.TxnDate}
		if err == nil {
			posted = append(posted, inv)
		}
		if txns, err = e.stage(ctx, txns, t, err, p.counts); err != nil {
			return nil, nil, err
		}
	}
	return txns, posted, nil
}

// invoiceBody is the QBO invoice for inv, or an item failure saying why it cannot be.
func invoiceBody(inv pms.Invoice, customers map[int64]string, opts posting.InvoiceOptions, adjs []pms.Adjustment, asDiscount bool, writeOffAccount string) (qbo.Invoice, error) {
	customer, ok := customers[inv.MatterID]
	if !ok {
		return qbo.Invoice{}, matterMissing("invoice "+inv.Number, inv.MatterNumber)
	}
	for _, t := range posting.ItemTypes {
		if opts.Items[t] == "" {
			return qbo.Invoice{}, waiting(waitingForLedger, fmt.Sprintf("invoice %s: the QuickBooks item for %s lines is not set up", inv.Number, t),
				"Invoices post with the items chosen in the setup, and one of them could not be set up in QuickBooks (see the ledger entries in this list). "+
					"The invoice syncs by itself once it is.")
		}
	}
	body, err := posting.QBOInvoice(inv, customer, opts)
	if err != nil {
		return qbo.Invoice{}, itemErr(err)
	}
	if err := posting.AddAdjustments(&body, adjs, opts.Items, asDiscount, writeOffAccount); err != nil {
		return qbo.Invoice{}, err
	}
	return body, nil
}

// itemErr turns a posting refusal into an item failure; other errors pass unchanged.
func itemErr(err error) error {
	if ie, ok := errors.AsType[*posting.ItemError](err); ok {
		return &itemFailure{store.Failure{Code: ie.Code, Message: ie.Message, Explanation: ie.Explanation}}
	}
	return err
}

// retireInvoice takes an invoice out of the books: its credit memos first (they exist
// only for it), then the invoice, voided if asked or if payments are applied to it (QBO
// would leave them dangling), deleted otherwise.
func retireInvoice(ctx context.Context, e *Engine, invoiceID int64, label string, m store.Mapping, void bool, counts *Counts) error {
	if err := retireCreditMemos(ctx, e, invoiceID, nil, counts); err != nil {
		return err
	}
	key := strconv.FormatInt(invoiceID, 10)
	if !void {
		var cur qbo.Invoice
		if err := retryingInPlace(ctx, func() error { return e.QBO.Read(ctx, "Invoice", m.QBOID, &cur) }); err != nil && qbo.ClassOf(err) != qbo.NotFound {
			return err
		}
		for _, l := range cur.LinkedTxn {
			void = void || l.TxnType == "Payment"
		}
	}
	it := item{Kind: posting.KindInvoice, Key: key, Label: label}
	return retireTxn(ctx, e, it, m, void, counts)
}

// syncCreditMemos posts the write-offs and credits of invoices now in QBO as credit
// memos, each applied to its invoice by a zero-amount payment, and removes those of
// adjustments that no longer exist.
func syncCreditMemos(ctx context.Context, e *Engine, b *books, invs []pms.Invoice, adjs map[int64][]pms.Adjustment, customers map[int64]string, invoiceIDs map[string]string, counts *Counts) error {
	byKey := map[string]creditMemo{}
	var memos []txn
	for _, inv := range invs {
		invoiceQBO, ok := invoiceIDs[strconv.FormatInt(inv.ID, 10)]
		if !ok {
			continue // the invoice failed; its adjustments follow when it syncs
		}
		var keep []string
		for _, a := range adjs[inv.ID] {
			if !a.Lowers() {
				continue
			}
			key := posting.AdjustmentKey(a)
			keep = append(keep, key)
			m := creditMemo{a: a, customer: customers[inv.MatterID], invoice: invoiceQBO}
			var err error
			if memos, err = e.stage(ctx, memos, m.txn(e, b, inv.Number), m.ready(b, inv.Number), counts); err != nil {
				return err
			}
			byKey[key] = m
		}
		if err := retireCreditMemos(ctx, e, inv.ID, keep, counts); err != nil {
			return err
		}
	}
	memoIDs, err := putTxns(ctx, e, memos, counts)
	if err != nil {
		return err
	}
	var applications []txn
	for _, memo := range memos {
		if memoID, ok := memoIDs[memo.it.Key]; ok {
			applications = append(applications, byKey[memo.it.Key].applying(e, memo, memoID))
		}
	}
	_, err = putTxns(ctx, e, applications, counts)
	return err
}

// creditMemo is a write-off or credit on its way to QBO: the adjustment, the customer
// and the QBO invoice it applies to.
type creditMemo struct {
	a        pms.Adjustment
	customer string
	invoice  string // QBO id
}

// ready says whether the memo can post: it needs the write-offs item.
func (m creditMemo) ready(b *books, invoiceNumber string) error {
	if b.items["write_offs"] != "" {
		return nil
	}
	return waiting(waitingForLedger, posting.AdjustmentLabel(m.a, invoiceNumber)+": the QuickBooks write-offs item is not set up",
		"Write-offs and credits post as credit memos with the write-offs item chosen in the setup, which could not be set up in QuickBooks "+
			"(see the ledger entries in this list). The write-off syncs by itself once it is.")
}

// txn is the credit memo as a QBO transaction.
func (m creditMemo) txn(e *Engine, b *books, invoiceNumber string) txn {
	key := posting.AdjustmentKey(m.a)
	body := posting.AdjustmentCreditMemo(m.a, b.Invoices.DocNumberPrefix+invoiceNumber, m.customer, b.items["write_offs"])
	return txn{
		it: item{Kind: posting.KindAdjustment, Key: key, Label: posting.AdjustmentLabel(m.a, invoiceNumber),
			Marker: names.MarkerFor(e.Scope.FirmID, posting.KindAdjustment, key)},
		entity: "CreditMemo", body: body, date: body.TxnDate,
	}
}

// applying is the zero-amount payment that applies the memo, now QBO's memoID, to its
// invoice.
func (m creditMemo) applying(e *Engine, memo txn, memoID string) txn {
	body := posting.ApplyingPayment(m.a, m.customer, m.invoice, memoID)
	return txn{
		it: item{Kind: posting.KindAdjustmentPayment, Key: memo.it.Key, Label: "applying " + memo.it.Label,
			Marker: names.MarkerFor(e.Scope.FirmID, posting.KindAdjustmentPayment, memo.it.Key)},
		entity: "Payment", body: body, date: body.TxnDate,
	}
}

// retireCreditMemos deletes the credit memos of an invoice (and the payments applying
// them) whose keys are not in keep.
func retireCreditMemos(ctx context.Context, e *Engine, invoiceID int64, keep []string, counts *Counts) error {
	prefix := posting.AdjustmentKeyPrefix(invoiceID)
	for _, kind := range []string{posting.KindAdjustmentPayment, posting.KindAdjustment} {
		ms, err := e.Store.MappingsWithPrefix(ctx, e.Scope, kind, prefix)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if slices.Contains(keep, m.SourceKey) {
				continue
			}
			it := item{Kind: kind, Key: m.SourceKey, Label: fmt.Sprintf("%s %s (removed)", kind, m.SourceKey)}
			if err := retireTxn(ctx, e, it, m, false, counts); err != nil {
				return err
			}
		}
	}
	return nil
}
