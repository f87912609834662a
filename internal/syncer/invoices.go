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

// invoicesPage syncs the invoices changed in a page (an adjustment's change is one of
// its invoice): approved invoices in scope are created or updated, with their debits
// (and, per the settings, discount lines); voided ones are voided; deleted ones, and
// ones taken back to draft, are deleted, or voided when payments are applied to them.
// Then the write-offs and credits of the invoices now in QBO are posted as credit memos
// applied to them.
var invoicesPage = page[invoiceFacts]{load: loadInvoices, plan: planInvoices, followUp: syncCreditMemos}

// invoiceFacts are what a page of invoice changes is planned with.
type invoiceFacts struct {
	basis
	ids             []int64
	invs            []pms.Invoice
	states          map[int64]pms.InvoiceState // of the invoices that exist
	mapped          map[string]store.Mapping   // their QBO invoices
	customers       map[int64]string           // by matter
	adjs            map[int64][]pms.Adjustment // by invoice
	writeOffAccount string                     // the QBO account of discount lines
}

// asDiscount says whether write-offs and credits are discount lines of their invoice,
// not credit memos.
func (f invoiceFacts) asDiscount() bool {
	return f.books.WriteOffs.Sync && f.books.WriteOffs.Method == settings.WriteOffDiscountLine
}

// loadInvoices reads the page's invoices, their states, adjustments and mappings, and
// the customers they go to.
func loadInvoices(ctx context.Context, e *Engine, changes []pms.Change) (f invoiceFacts, ok bool, err error) {
	if f.ids = idsOf(changes, pms.EntityInvoice); len(f.ids) == 0 {
		return f, false, nil
	}
	if f.basis, err = e.basis(ctx); err != nil {
		return f, false, err
	}
	db, firm := e.Store.DB(), e.Scope.FirmID
	if f.invs, err = pms.Invoices(ctx, db, firm, f.ids); err != nil {
		return f, false, err
	}
	if f.states, err = pms.InvoiceStates(ctx, db, firm, f.ids, f.scope.Start); err != nil {
		return f, false, err
	}
	if f.mapped, err = e.mappings(ctx, posting.KindInvoice, keysOf(f.ids)); err != nil {
		return f, false, err
	}
	matterIDs := make([]int64, len(f.invs))
	for i, inv := range f.invs {
		matterIDs[i] = inv.MatterID
	}
	if f.customers, err = e.customersOf(ctx, matterIDs); err != nil {
		return f, false, err
	}
	if f.adjs, err = pms.AdjustmentsOfInvoices(ctx, db, firm, f.ids); err != nil {
		return f, false, err
	}
	f.writeOffAccount, _, err = e.ledgerID(ctx, "write_offs.account")
	return f, true, err
}

// planInvoices decides what QBO holds for the page's invoices: the approved ones in
// scope as they are now; the QBO invoices of deleted ones deleted, of voided ones
// voided, and of ones taken back to draft deleted (retireInvoice voids those that
// payments are applied to).
func planInvoices(f invoiceFacts) plan {
	var p plan
	for _, id := range f.ids {
		key := strconv.FormatInt(id, 10)
		if m, ok := f.mapped[key]; ok {
			if _, exists := f.states[id]; !exists {
				p.retire = append(p.retire, retirement{it: item{Kind: posting.KindInvoice, Key: key, Label: fmt.Sprintf("invoice #%d (deleted)", id)}, m: m})
			}
		}
	}
	opts := posting.InvoiceOptions{Lines: f.books.Invoices.LineItems, DocNumberPrefix: f.books.Invoices.DocNumberPrefix, Items: f.books.items}
	for _, inv := range f.invs {
		it := item{Kind: posting.KindInvoice, Key: strconv.FormatInt(inv.ID, 10), Label: posting.InvoiceLabel(inv)}
		m, inBooks := f.mapped[it.Key]
		if inv.Status != "approved" {
			if inBooks {
				p.retire = append(p.retire, retirement{it: it, m: m, void: inv.Status == "void"})
			}
			continue
		}
		if !f.books.Invoices.SyncInvoices || !f.scope.Invoice(f.states[inv.ID], inBooks) {
			continue
		}
		it.Marker = names.Marker(f.firm, posting.KindInvoice, inv.ID)
		body, err := invoiceBody(inv, f.customers, opts, f.adjs[inv.ID], f.asDiscount(), f.writeOffAccount)
		p.post(txn{it: it, entity: "Invoice", body: body, date: body.TxnDate}, err)
	}
	return p
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
func retireInvoice(ctx context.Context, e *Engine, it item, m store.Mapping, void bool, counts *Counts) error {
	id, err := strconv.ParseInt(it.Key, 10, 64)
	if err != nil {
		return err
	}
	memos, err := creditMemoMappings(ctx, e, id)
	if err != nil {
		return err
	}
	if _, err := e.apply(ctx, plan{retire: staleCreditMemos(memos, nil)}, counts); err != nil {
		return err
	}
	if !void {
		var cur qbo.Invoice
		if err := retryingInPlace(ctx, func() error { return e.QBO.Read(ctx, "Invoice", m.QBOID, &cur) }); err != nil && qbo.ClassOf(err) != qbo.NotFound {
			return err
		}
		for _, l := range cur.LinkedTxn {
			void = void || l.TxnType == "Payment"
		}
	}
	return retireTxn(ctx, e, it, m, void, counts)
}

// syncCreditMemos posts the write-offs and credits of the page's invoices now in QBO
// (posted) as credit memos, each applied to its invoice by a zero-amount payment, and
// removes those of adjustments that no longer exist.
func syncCreditMemos(ctx context.Context, e *Engine, f invoiceFacts, posted map[string]string, counts *Counts) error {
	if !f.books.WriteOffs.Sync || f.asDiscount() {
		return nil
	}
	var withMemos []int64
	for _, inv := range f.invs {
		if _, ok := posted[strconv.FormatInt(inv.ID, 10)]; ok {
			withMemos = append(withMemos, inv.ID)
		}
	}
	existing, err := creditMemosOf(ctx, e, withMemos)
	if err != nil {
		return err
	}
	memos := planCreditMemos(f, posted, existing)
	memoIDs, err := e.apply(ctx, memos.plan, counts)
	if err != nil {
		return err
	}
	_, err = e.apply(ctx, memos.applications(f.firm, memoIDs), counts)
	return err
}

// creditMemos are the credit memos of a page's invoices: the plan that posts them, and
// each memo by its key, for the payments that apply them once they are in QBO.
type creditMemos struct {
	plan
	byKey map[string]creditMemo
}

// planCreditMemos decides the credit memos of the invoices now in QBO (posted, QBO
// ids by invoice key): one per write-off or credit, and the retirement of those
// (existing, by invoice key) whose adjustments are gone.
func planCreditMemos(f invoiceFacts, posted map[string]string, existing map[int64][]store.Mapping) creditMemos {
	memos := creditMemos{byKey: map[string]creditMemo{}}
	for _, inv := range f.invs {
		invoiceQBO, ok := posted[strconv.FormatInt(inv.ID, 10)]
		if !ok {
			continue // the invoice failed; its adjustments follow when it syncs
		}
		var keep []string
		for _, a := range f.adjs[inv.ID] {
			if !a.Lowers() {
				continue
			}
			m := creditMemo{a: a, customer: f.customers[inv.MatterID], invoice: invoiceQBO}
			t := m.txn(f.firm, f.books, inv.Number)
			keep = append(keep, t.it.Key)
			memos.post(t, m.ready(f.books, inv.Number))
			memos.byKey[t.it.Key] = m
		}
		memos.retire = append(memos.retire, staleCreditMemos(existing[inv.ID], keep)...)
	}
	return memos
}

// applications are the zero-amount payments applying the memos now in QBO (memoIDs,
// by memo key) to their invoices.
func (memos creditMemos) applications(firm int64, memoIDs map[string]string) plan {
	var p plan
	for _, memo := range memos.writes {
		if memoID, ok := memoIDs[memo.it.Key]; ok {
			p.writes = append(p.writes, memos.byKey[memo.it.Key].applying(firm, memo, memoID))
		}
	}
	return p
}

// creditMemo is a write-off or credit on its way to QBO: the adjustment, the customer
// and the QBO invoice it applies to.
type creditMemo struct {
	a        pms.Adjustment
	customer string
	invoice  string // QBO id
}

// item is the ledger item the memo posts with: the bad debt item for a write-off of an
// uncollectible balance when the firm books those as bad debt, the write-offs item
// otherwise (a courtesy credit is always a discount given, not a loss).
func (m creditMemo) item(b *books) string {
	if m.a.Kind == "write_off" && b.WriteOffs.BadDebt {
		return "bad_debt"
	}
	return "write_offs"
}

// ready says whether the memo can post: it needs its item.
func (m creditMemo) ready(b *books, invoiceNumber string) error {
	if b.items[m.item(b)] != "" {
		return nil
	}
	what := map[string]string{"write_offs": "write-offs", "bad_debt": "bad debt"}[m.item(b)]
	return waiting(waitingForLedger, posting.AdjustmentLabel(m.a, invoiceNumber)+": the QuickBooks "+what+" item is not set up",
		"Write-offs and credits post as credit memos with the "+what+" item chosen in the setup, which could not be set up in QuickBooks "+
			"(see the ledger entries in this list). The write-off syncs by itself once it is.")
}

// txn is the credit memo as a QBO transaction.
func (m creditMemo) txn(firm int64, b *books, invoiceNumber string) txn {
	key := posting.AdjustmentKey(m.a)
	body := posting.AdjustmentCreditMemo(m.a, b.Invoices.DocNumberPrefix+invoiceNumber, m.customer, b.items[m.item(b)])
	return txn{
		it: item{Kind: posting.KindAdjustment, Key: key, Label: posting.AdjustmentLabel(m.a, invoiceNumber),
			Marker: names.MarkerFor(firm, posting.KindAdjustment, key)},
		entity: "CreditMemo", body: body, date: body.TxnDate,
	}
}

// applying is the zero-amount payment that applies the memo, now QBO's memoID, to its
// invoice.
func (m creditMemo) applying(firm int64, memo txn, memoID string) txn {
	body := posting.ApplyingPayment(m.a, m.customer, m.invoice, memoID)
	return txn{
		it: item{Kind: posting.KindAdjustmentPayment, Key: memo.it.Key, Label: "applying " + memo.it.Label,
			Marker: names.MarkerFor(firm, posting.KindAdjustmentPayment, memo.it.Key)},
		entity: "Payment", body: body, date: body.TxnDate,
	}
}

// creditMemoMappings are the QBO credit memos of an invoice and the
// payments applying them, the payments first: a memo applied by a payment cannot go
// before it.
func creditMemoMappings(ctx context.Context, e *Engine, invoiceID int64) ([]store.Mapping, error) {
	ms, err := creditMemosOf(ctx, e, []int64{invoiceID})
	return ms[invoiceID], err
}

// creditMemosOf is creditMemoMappings for a page of invoices, by invoice, in two
// queries.
func creditMemosOf(ctx context.Context, e *Engine, invoiceIDs []int64) (map[int64][]store.Mapping, error) {
	out := map[int64][]store.Mapping{}
	for _, kind := range []string{posting.KindAdjustmentPayment, posting.KindAdjustment} {
		byInvoice, err := e.mappingsOfRecords(ctx, kind, invoiceIDs)
		if err != nil {
			return nil, err
		}
		for id, ms := range byInvoice {
			out[id] = append(out[id], ms...)
		}
	}
	return out, nil
}

// staleCreditMemos are the retirements of the credit memos and applying payments
// among existing whose keys are not in keep.
func staleCreditMemos(existing []store.Mapping, keep []string) []retirement {
	var out []retirement
	for _, m := range existing {
		if !slices.Contains(keep, m.SourceKey) {
			out = append(out, retirement{it: item{Kind: m.Kind, Key: m.SourceKey, Label: fmt.Sprintf("%s %s (removed)", m.Kind, m.SourceKey)}, m: m})
		}
	}
	return out
}
