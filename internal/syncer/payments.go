package syncer

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/store"
)

// syncPaymentsPage syncs the payments changed in a page. A payment follows the
// invoices it pays: the part applied to an invoice that is in QBO posts, linked to it;
// the part applied to an invoice the sync leaves out (dated before the start date and
// paid) stays out; and a payment on an invoice that should be in QBO but is not yet
// waits for it. A payment of invoices on several matters becomes one QBO payment per
// matter, since QBO applies a payment only to its own customer's invoices. A voided
// payment is voided; a deleted one is deleted.
func syncPaymentsPage(ctx context.Context, e *Engine, changes []pms.Change, counts *Counts) error {
	ids := idsOf(changes, pms.EntityPayment)
	if len(ids) == 0 {
		return nil
	}
	b, err := e.books(ctx)
	if err != nil {
		return err
	}
	p := &paymentPage{e: e, b: b, counts: counts}
	if err := p.load(ctx, ids); err != nil {
		return err
	}
	var txns []txn
	for _, id := range ids {
		parts, err := p.payment(ctx, id)
		if err != nil {
			return err
		}
		txns = append(txns, parts...)
	}
	_, err = putTxns(ctx, e, txns, counts)
	return err
}

// paymentPage is one page of payment changes on its way to QBO, with the invoices they
// pay.
type paymentPage struct {
	e      *Engine
	b      *books
	counts *Counts

	payments  []pms.Payment
	invoices  map[string]store.Mapping // the QBO invoices of the invoices paid
	states    map[int64]pms.InvoiceState
	customers map[int64]string
}

// load reads the page's payments, the invoices they pay and the customers they go to.
func (p *paymentPage) load(ctx context.Context, ids []int64) error {
	e, db, firm := p.e, p.e.Store.DB(), p.e.Scope.FirmID
	var err error
	if p.payments, err = pms.Payments(ctx, db, firm, ids); err != nil {
		return err
	}
	var invoiceIDs, matterIDs []int64
	for _, pay := range p.payments {
		for _, a := range pay.Allocations {
			invoiceIDs = append(invoiceIDs, a.InvoiceID)
			matterIDs = append(matterIDs, a.MatterID)
		}
	}
	if p.invoices, err = e.Store.Mappings(ctx, e.Scope, posting.KindInvoice, keysOf(invoiceIDs)); err != nil {
		return err
	}
	if p.states, err = pms.InvoiceStates(ctx, db, firm, invoiceIDs); err != nil {
		return err
	}
	p.customers, err = e.customersOf(ctx, matterIDs)
	return err
}

// payment returns the QBO payments (one per matter) of payment id, retiring the parts it
// no longer has; a deleted or voided payment retires all of them. A payment one of whose
// parts cannot post waits whole: posting part of it would misstate the deposit.
func (p *paymentPage) payment(ctx context.Context, id int64) ([]txn, error) {
	e, b := p.e, p.b
	i := slices.IndexFunc(p.payments, func(pay pms.Payment) bool { return pay.ID == id })
	existing, err := e.Store.MappingsWithPrefix(ctx, e.Scope, posting.KindPayment, posting.PaymentKeyPrefix(id))
	if err != nil {
		return nil, err
	}
	if i < 0 || p.payments[i].Status == "void" || !b.Invoices.SyncPayments {
		// Deleted, voided, or payments not synced at all (then only what an earlier
		// setting posted would be here, and there is none: settings are frozen).
		return nil, retireParts(ctx, e, id, existing, nil, i >= 0 && p.payments[i].Status == "void", p.counts)
	}
	pay := p.payments[i]
	parts, failures := paymentParts(pay, b, e.backfilling, p.invoices, p.states, p.customers)
	for key, err := range failures {
		if err := e.settle(ctx, posting.KindPayment, key, posting.PaymentLabel(pay), "", err, p.counts); err != nil {
			return nil, err
		}
	}
	if len(failures) > 0 {
		return nil, nil
	}
	depositTo, err := e.paymentDeposit(ctx, b, pay) // before the start date: internal/syncer/opening.go
	if f := asItemFailure(err); f != nil {
		return nil, waitAllParts(ctx, e, pay, parts, f, p.counts)
	}
	if err != nil {
		return nil, err
	}
	var txns []txn
	var keep []string
	for _, part := range parts {
		keep = append(keep, part.Key)
		body := posting.QBOPayment(pay, part, depositTo)
		txns = append(txns, txn{
			it: item{Kind: posting.KindPayment, Key: part.Key, Label: posting.PaymentLabel(pay) + partLabel(part, len(parts)),
				Marker: names.MarkerFor(e.Scope.FirmID, posting.KindPayment, part.Key)},
			entity: "Payment", body: body, date: body.TxnDate,
		})
	}
	return txns, retireParts(ctx, e, id, existing, keep, false, p.counts)
}

func partLabel(part posting.PaymentPart, parts int) string {
	if parts < 2 {
		return ""
	}
	return ", part for matter " + part.MatterNumber
}

// paymentParts splits a payment into its QBO payments, one per matter whose invoices
// it pays, or says, by part key, what each waits for. What the payment leaves
// unapplied goes with its first part, as a credit of that customer.
// A payment applied to no invoice at all cannot be placed on a matter and is refused.
func paymentParts(p pms.Payment, b *books, backfill *pms.BackfillFilter, invoices map[string]store.Mapping, states map[int64]pms.InvoiceState,
	customers map[int64]string) ([]posting.PaymentPart, map[string]error) {
	var parts []posting.PaymentPart
	failures := map[string]error{}
	unapplied := p.AmountCents
	for _, a := range p.Allocations {
		unapplied -= a.AmountCents
		key := posting.PaymentKey(p.ID, a.MatterID)
		inv, mapped := invoices[strconv.FormatInt(a.InvoiceID, 10)]
		switch {
		case !mapped && !b.invoiceInScope(states[a.InvoiceID], false, backfill):
			continue // paid an invoice the sync leaves out
		case !mapped:
			failures[key] = waiting(waitingForInvoice,
				fmt.Sprintf("%s: invoice %s is not in QuickBooks", posting.PaymentLabel(p), a.InvoiceNumber),
				fmt.Sprintf("The payment is applied to invoice %s in QuickBooks, and that invoice has not been synced (see its own entry). "+
					"The payment syncs by itself as soon as the invoice does.", a.InvoiceNumber))
			continue
		}
		customer, ok := customers[a.MatterID]
		if !ok {
			failures[key] = matterMissing(posting.PaymentLabel(p), a.MatterNumber)
			continue
		}
		i := slices.IndexFunc(parts, func(x posting.PaymentPart) bool { return x.Key == key })
		if i < 0 {
			parts = append(parts, posting.PaymentPart{Key: key, CustomerID: customer, MatterNumber: a.MatterNumber})
			i = len(parts) - 1
		}
		parts[i].Lines = append(parts[i].Lines, posting.PaymentLine{InvoiceID: inv.QBOID, AmountCents: a.AmountCents})
	}
	if len(p.Allocations) == 0 && b.postsOn(p.ReceivedOn, false) {
		failures[posting.PaymentKey(p.ID, 0)] = &itemFailure{store.Failure{
			Code:    "qbosync:payment-unapplied",
			Message: posting.PaymentLabel(p) + " is not applied to any invoice",
			Explanation: "qbosync posts a payment to the invoices it pays, on their matters' customers in QuickBooks, and this payment pays none. " +
				"Apply it to invoices in the practice system (money held for a client belongs in trust); qbosync syncs it as soon as it changes.",
		}}
	}
	if unapplied > 0 && len(parts) > 0 {
		parts[0].UnappliedCents = unapplied
	}
	return parts, failures
}

// depositAccountFor is the QBO account a payment is deposited to: for money applied
// from trust, the firm's operating account (the trust side is a journal entry); for
// other payments, per the settings, the operating account it went to or "" for
// Undeposited Funds, where the bookkeeper groups payments into the bank's deposits.
func (e *Engine) depositAccountFor(ctx context.Context, b *books, p pms.Payment) (string, error) {
	account := p.BankAccountID
	switch {
	case p.Source == "trust":
		if len(b.OperatingBank.Accounts) == 0 {
			return "", nil
		}
		account = b.OperatingBank.Accounts[0].PMSAccountID
	case b.Invoices.PaymentsDepositTo != settings.DepositOperatingAccount:
		return "", nil
	}
	id, ok, err := e.ledgerID(ctx, settings.BankLedgerKey(settings.RoleOperatingBank, account))
	if err != nil || !ok {
		return "", err
	}
	return id, nil
}

// retireParts voids (void) or deletes a payment's QBO payments whose keys are not in
// keep.
func retireParts(ctx context.Context, e *Engine, paymentID int64, existing []store.Mapping, keep []string, void bool, counts *Counts) error {
	for _, m := range existing {
		if slices.Contains(keep, m.SourceKey) {
			continue
		}
		it := item{Kind: posting.KindPayment, Key: m.SourceKey, Label: fmt.Sprintf("payment #%d", paymentID)}
		if err := retireTxn(ctx, e, it, m, void, counts); err != nil {
			return err
		}
	}
	return nil
}
