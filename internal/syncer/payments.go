package syncer

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/store"
)

// paymentsPage syncs the payments changed in a page. A payment follows the invoices it
// pays: the part applied to an invoice that is in QBO posts, linked to it; the part
// applied to an invoice the sync leaves out (dated before the start date and paid)
// stays out; and a payment on an invoice that should be in QBO but is not yet waits for
// it. A payment of invoices of several customers (matters, when matters are
// sub-customers) becomes one QBO payment per customer, since QBO applies a payment
// only to its own customer's invoices; when the payment went to a bank account, those
// parts wait in Undeposited Funds and one Deposit gathers them into the bank, so the
// one line on the bank statement is one deposit in QBO. A voided payment is voided; a
// deleted one is deleted.
var paymentsPage = page[paymentFacts]{load: loadPayments, plan: planPayments, followUp: gatherParts}

// paymentFacts are what a page of payment changes is planned with.
type paymentFacts struct {
	basis
	ids       []int64
	payments  []pms.Payment
	parts     map[int64][]store.Mapping  // the QBO payments each payment posted as
	deposits  map[string]store.Mapping   // the deposits gathering them, by payment key
	invoices  map[string]store.Mapping   // the QBO invoices of the invoices paid
	states    map[int64]pms.InvoiceState // of the invoices paid
	customers map[int64]string           // by matter
	banks     map[string]store.Mapping   // the operating bank accounts, by ledger key
	// beforeStart is where payments received before the start date go (internal/syncer/opening.go).
	beforeStart receiptsBeforeStart
}

// loadPayments reads the page's payments, what they posted as, the invoices they pay,
// the customers and the bank accounts they go to.
func loadPayments(ctx context.Context, e *Engine, changes []pms.Change) (f paymentFacts, ok bool, err error) {
	if f.ids = idsOf(changes, pms.EntityPayment); len(f.ids) == 0 {
		return f, false, nil
	}
	if f.basis, err = e.basis(ctx); err != nil {
		return f, false, err
	}
	db, firm := e.Store.DB(), e.Scope.FirmID
	if f.payments, err = pms.Payments(ctx, db, firm, f.ids); err != nil {
		return f, false, err
	}
	if f.parts, err = e.mappingsOfRecords(ctx, posting.KindPayment, f.ids); err != nil {
		return f, false, err
	}
	if f.deposits, err = e.mappings(ctx, posting.KindPaymentDeposit, keysOf(f.ids)); err != nil {
		return f, false, err
	}
	var invoiceIDs, matterIDs []int64
	var bankKeys []string
	for _, pay := range f.payments {
		bankKeys = append(bankKeys, operatingBankKey(f.books, pay))
		for _, a := range pay.Allocations {
			invoiceIDs = append(invoiceIDs, a.InvoiceID)
			matterIDs = append(matterIDs, a.MatterID)
		}
	}
	if f.invoices, err = e.mappings(ctx, posting.KindInvoice, keysOf(invoiceIDs)); err != nil {
		return f, false, err
	}
	if f.states, err = pms.InvoiceStates(ctx, db, firm, invoiceIDs, f.scope.Start); err != nil {
		return f, false, err
	}
	if f.banks, err = e.mappings(ctx, KindLedger, bankKeys); err != nil {
		return f, false, err
	}
	if f.customers, err = e.customersOf(ctx, matterIDs); err != nil {
		return f, false, err
	}
	return f, true, f.loadReceiptsBeforeStart(ctx, e)
}

// planPayments decides, payment by payment, its QBO payments (one per customer) and
// the retirement of the parts it no longer has; a deleted or voided payment retires
// all of them. A payment one of whose parts cannot post waits whole: posting part of
// it would misstate the deposit. The deposit gathering a payment's parts is retired
// first whenever its parts change: QBO keeps a deposited payment's amount tied to
// its deposit line, so the parts change out of Undeposited Funds, and the deposit is
// made again after them (gatherParts).
func planPayments(f paymentFacts) plan {
	var p plan
	for _, id := range f.ids {
		writes, failures, keep := f.planPayment(id)
		for _, fail := range failures {
			p.fail(fail.it, fail.err)
		}
		if failures != nil {
			continue
		}
		void := slices.ContainsFunc(f.payments, func(pay pms.Payment) bool { return pay.ID == id && pay.Status == "void" })
		stale := staleParts(id, f.parts[id], keep, void)
		key := strconv.FormatInt(id, 10)
		if m, ok := f.deposits[key]; ok && (len(stale) > 0 || partsChanged(writes, f.parts[id]) || !f.gathers(id, len(writes))) {
			p.retire = append(p.retire, retirement{it: item{Kind: posting.KindPaymentDeposit, Key: key, Label: fmt.Sprintf("deposit of payment #%d", id)}, m: m})
		}
		p.retire = append(p.retire, stale...)
		p.writes = append(p.writes, writes...)
	}
	return p
}

// planPayment is payment id's QBO payments and the keys they keep, or its failures;
// a payment deleted, voided or not synced at all has none (everything it posted goes).
func (f paymentFacts) planPayment(id int64) ([]txn, []failure, []string) {
	i := slices.IndexFunc(f.payments, func(pay pms.Payment) bool { return pay.ID == id })
	if i < 0 || f.payments[i].Status == "void" || !f.books.Invoices.SyncPayments {
		// Not synced at all: only what an earlier setting posted would be here, and
		// there is none (settings are frozen).
		return nil, nil, nil
	}
	pay := f.payments[i]
	parts, failures := paymentParts(pay, f.scope, f.invoices, f.states, f.customers)
	if len(failures) > 0 {
		var out []failure
		for key, err := range failures {
			out = append(out, failure{item{Kind: posting.KindPayment, Key: key, Label: posting.PaymentLabel(pay)}, err})
		}
		slices.SortFunc(out, func(a, b failure) int { return strings.Compare(a.it.Key, b.it.Key) })
		return nil, out, nil
	}
	depositTo, err := f.depositTo(pay) // before the start date: internal/syncer/opening.go
	if err != nil {                    // the account for payments received before the start date is not there
		var out []failure
		for _, part := range parts {
			out = append(out, failure{item{Kind: posting.KindPayment, Key: part.Key, Label: posting.PaymentLabel(pay) + partLabel(part, len(parts))}, err})
		}
		return nil, out, nil
	}
	if f.gathers(id, len(parts)) {
		depositTo = "" // Undeposited Funds, until the payment's deposit gathers them
	}
	var writes []txn
	var keep []string
	for _, part := range parts {
		keep = append(keep, part.Key)
		body := posting.QBOPayment(pay, part, depositTo)
		writes = append(writes, txn{
			it: item{Kind: posting.KindPayment, Key: part.Key, Label: posting.PaymentLabel(pay) + partLabel(part, len(parts)),
				Marker: names.MarkerFor(f.firm, posting.KindPayment, part.Key)},
			entity: "Payment", body: body, date: body.TxnDate,
		})
	}
	return writes, nil, keep
}

// gathers says whether payment id, posted as n parts, needs a deposit of its own to
// gather them: it has several parts, and it went to a bank account in QBO rather than
// to Undeposited Funds (where the bookkeeper builds the bank's deposits). A payment
// received before the start date never does: it was banked before the books begin.
func (f paymentFacts) gathers(id int64, n int) bool {
	i := slices.IndexFunc(f.payments, func(pay pms.Payment) bool { return pay.ID == id })
	return n > 1 && i >= 0 && f.banks[operatingBankKey(f.books, f.payments[i])].QBOID != "" &&
		!posting.ReceivedBeforeStart(f.payments[i], f.scope.Start)
}

// partsChanged says whether the QBO payments writes differ from what the parts posted
// as before (existing): one is new, or its content changed.
func partsChanged(writes []txn, existing []store.Mapping) bool {
	for _, w := range writes {
		i := slices.IndexFunc(existing, func(m store.Mapping) bool { return m.SourceKey == w.it.Key })
		if i < 0 {
			return true
		}
		if hash, err := contentHash(w.body); err != nil || hash != existing[i].ContentHash {
			return true
		}
	}
	return false
}

// gatherParts makes the deposit of each page payment posted in several parts that
// went to a bank account, once every part is in QBO (posted holds their ids).
func gatherParts(ctx context.Context, e *Engine, f paymentFacts, posted map[string]string, counts *Counts) error {
	_, err := e.apply(ctx, planGathering(f, posted), counts)
	return err
}

// planGathering decides the deposits of the page's payments posted in several parts:
// one per payment, into the bank account it went to, linking its parts now in QBO.
func planGathering(f paymentFacts, posted map[string]string) plan {
	var p plan
	for _, pay := range f.payments {
		writes, failures, _ := f.planPayment(pay.ID)
		if failures != nil || !f.gathers(pay.ID, len(writes)) {
			continue
		}
		var gathered []posting.GatheredPart
		for _, w := range writes {
			if id, ok := posted[w.it.Key]; ok {
				gathered = append(gathered, posting.GatheredPart{PaymentID: id, AmountCents: w.body.(qbo.Payment).TotalAmt.Cents()})
			}
		}
		if len(gathered) < len(writes) {
			continue // a part failed; the deposit follows when it posts
		}
		key := strconv.FormatInt(pay.ID, 10)
		body := posting.PaymentDeposit(pay, gathered, f.banks[operatingBankKey(f.books, pay)].QBOID)
		p.writes = append(p.writes, txn{
			it: item{Kind: posting.KindPaymentDeposit, Key: key, Label: "deposit of " + posting.PaymentLabel(pay),
				Marker: names.MarkerFor(f.firm, posting.KindPaymentDeposit, key)},
			entity: "Deposit", body: body, date: body.TxnDate,
		})
	}
	return p
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
func paymentParts(p pms.Payment, scope posting.Scope, invoices map[string]store.Mapping, states map[int64]pms.InvoiceState,
	customers map[int64]string) ([]posting.PaymentPart, map[string]error) {
	var parts []posting.PaymentPart
	failures := map[string]error{}
	unapplied := p.AmountCents
	for _, a := range p.Allocations {
		unapplied -= a.AmountCents
		key := posting.PaymentKey(p.ID, a.MatterID)
		inv, mapped := invoices[strconv.FormatInt(a.InvoiceID, 10)]
		switch {
		case !mapped && !scope.Invoice(states[a.InvoiceID], false):
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
		// One part per customer: with matters off, a payment of two matters' invoices
		// is one QBO payment of their client, keyed by its first matter.
		i := slices.IndexFunc(parts, func(x posting.PaymentPart) bool { return x.CustomerID == customer })
		if i < 0 {
			parts = append(parts, posting.PaymentPart{Key: key, CustomerID: customer, MatterNumber: a.MatterNumber})
			i = len(parts) - 1
		}
		parts[i].Lines = append(parts[i].Lines, posting.PaymentLine{InvoiceID: inv.QBOID, AmountCents: a.AmountCents})
	}
	if len(p.Allocations) == 0 && scope.PostsOn(p.ReceivedOn, false) {
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

// operatingBankKey is the ledger key of the QBO account a payment is deposited to:
// for money applied from trust, the firm's (first) operating account (the trust side
// is a journal entry); for other payments, per the settings, the operating account it
// went to, or "" for Undeposited Funds, where the bookkeeper groups payments into the
// bank's deposits.
func operatingBankKey(b *books, p pms.Payment) string {
	account := p.BankAccountID
	switch {
	case p.Source == "trust":
		if len(b.OperatingBank.Accounts) == 0 {
			return ""
		}
		account = b.OperatingBank.Accounts[0].PMSAccountID
	case b.Invoices.PaymentsDepositTo != settings.DepositOperatingAccount:
		return ""
	}
	return settings.BankLedgerKey(settings.RoleOperatingBank, account)
}

// staleParts are the retirements, voided (void) or deleted, of a payment's QBO payments
// (existing) whose keys are not in keep.
func staleParts(paymentID int64, existing []store.Mapping, keep []string, void bool) []retirement {
	var out []retirement
	for _, m := range existing {
		if !slices.Contains(keep, m.SourceKey) {
			out = append(out, retirement{it: item{Kind: posting.KindPayment, Key: m.SourceKey, Label: fmt.Sprintf("payment #%d", paymentID)}, m: m, void: void})
		}
	}
	return out
}
