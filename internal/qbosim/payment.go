package qbosim

import (
	"fmt"
	"strings"
)

// Payment: money received from a customer, applied through its lines to
// invoices and credit memos. TotalAmt is the client's; UnappliedAmt is the
// part not applied (a credit on the customer). Posting: Dr the deposit
// account (Undeposited Funds unless DepositToAccountRef says otherwise),
// Cr Accounts Receivable (the customer) TotalAmt.
var paymentKind = txnKind(&kind{
	name:    "Payment",
	derived: []string{"HomeTotalAmt", "UnappliedAmt"},
	refTargets: map[string]string{
		"CustomerRef": "Customer", "DepositToAccountRef": "Account", "ARAccountRef": "Account",
	},
	// "property 'UnappliedAmt' is not queryable" (integrators' reports).
	queryable: set("TxnDate", "CustomerRef", "TotalAmt"),
	txn: &txnSpec{
		voidBy: "include", zeroAmounts: zeroPaymentAmounts, mayChange: notDeposited,
	},
}, fields{
	"CustomerRef": tRef, "ARAccountRef": tRef, "DepositToAccountRef": tRef, "PaymentMethodRef": tRef,
	"PaymentRefNum": tString, "CreditCardPayment": tObject, "UnappliedAmt": tNumber, "ProcessPayment": tBool,
	"TaxExemptionRef": tRef,
})

// paymentTarget is what one payment applies to one invoice or credit memo.
type paymentTarget struct {
	k      *kind
	r      *record
	amount int64
}

func preparePayment(w *writeCtx) *fault {
	if f := w.prepareTxn(); f != nil {
		return f
	}
	cust, f := w.optionalRef("CustomerRef", customerKind, true)
	if f != nil {
		return f
	}
	total, _, f := amount(w.body, "TotalAmt", "TotalAmt", true)
	if f != nil {
		return f
	}
	if total < 0 {
		return errBusiness("TotalAmt must not be negative; a refund is not a Payment.")
	}
	w.body["TotalAmt"] = formatCents(total)
	if _, f := w.accountRef(w.body, "DepositToAccountRef", "DepositToAccountRef", false, "Bank", "Other Current Asset"); f != nil {
		return f
	}
	if _, f := w.accountRef(w.body, "ARAccountRef", "ARAccountRef", false, "Accounts Receivable"); f != nil {
		return f
	}
	if f := w.checkStrings(textRule("PaymentRefNum", 21)); f != nil {
		return f
	}
	w.setDefault("ProcessPayment", false)

	lines, f := w.lines()
	if f != nil {
		return f
	}
	targets := map[string]*paymentTarget{}
	var order []string
	for _, line := range lines {
		t, amt, f := w.paymentLine(line, cust)
		if f != nil {
			return f
		}
		key := linkKey(t.k.name, t.r.id)
		if targets[key] == nil {
			targets[key] = &paymentTarget{k: t.k, r: t.r}
			order = append(order, key)
		}
		targets[key].amount += amt
	}
	self := linkKey(w.k.name, w.selfID())
	for _, key := range order {
		t := targets[key]
		tTotal, _, _ := parseCents(t.r.data["TotalAmt"])
		open := tTotal - w.c.appliedTo(key, self)
		if t.amount > open {
			what := "open balance"
			if t.k == creditMemoKind {
				what = "remaining credit"
			}
			return errBusiness(fmt.Sprintf("The payment applies %s to %s %s (Id %s) but its %s is %s.",
				reportMoney(t.amount), t.k.name, stringField(t.r.data, "DocNumber"), t.r.id, what, reportMoney(open)))
		}
	}
	stored, links, applied := paymentApplication(lines)
	if applied < 0 {
		return errBusiness("The credits applied by this payment exceed the invoices it pays: a credit memo can only be applied to an invoice in the same payment.")
	}
	if applied > total {
		return errBusiness(fmt.Sprintf("The payment's lines apply %s, more than its TotalAmt %s.", reportMoney(applied), reportMoney(total)))
	}
	setOrDelete(w.body, "Line", stored)
	w.body["UnappliedAmt"] = formatCents(total - applied)
	setOrDelete(w.body, keyLinks, links)

	deposit, f := w.depositAccountFor()
	if f != nil {
		return f
	}
	ar, f := w.receivableFor()
	if f != nil {
		return f
	}
	w.setPostings([]posting{
		w.post(deposit.id, total, nil, nil),
		w.post(ar.id, -total, cust, customerKind),
	})
	return nil
}

// depositAccountFor returns the payment's DepositToAccountRef account,
// defaulting (and setting the reference) to Undeposited Funds.
func (w *writeCtx) depositAccountFor() (*record, *fault) {
	if id := refValue(w.body["DepositToAccountRef"]); id != "" {
		return w.c.get(accountKind, id), nil
	}
	uf, f := w.s.undepositedFunds(w.c, w.now)
	if f != nil {
		return nil, f
	}
	w.body["DepositToAccountRef"] = map[string]any{"value": uf.id}
	return uf, nil
}

// paymentLine validates one payment line {"Amount", "LinkedTxn": [{TxnId,
// TxnType}]} and normalises it in place.
func (w *writeCtx) paymentLine(line map[string]any, cust *record) (paymentTarget, int64, *fault) {
	amt, _, f := amount(line, "Amount", "Line.Amount", true)
	if f != nil {
		return paymentTarget{}, 0, f
	}
	if amt < 0 {
		return paymentTarget{}, 0, errBusiness("A payment line amount must not be negative.")
	}
	linked := anyMaps(line["LinkedTxn"])
	switch {
	case len(linked) == 0:
		return paymentTarget{}, 0, errRequired("Line.LinkedTxn")
	case len(linked) > 1:
		return paymentTarget{}, 0, errBusiness("A payment line links exactly one transaction; send one line per invoice or credit memo.")
	}
	id := scalarString(linked[0]["TxnId"])
	typ := stringField(linked[0], "TxnType")
	if id == "" {
		return paymentTarget{}, 0, errRequired("Line.LinkedTxn.TxnId")
	}
	var tk *kind
	switch typ {
	case "Invoice":
		tk = invoiceKind
	case "CreditMemo":
		tk = creditMemoKind
	case "":
		return paymentTarget{}, 0, errRequired("Line.LinkedTxn.TxnType")
	case "JournalEntry", "Expense", "Check", "CreditCardCredit":
		return paymentTarget{}, 0, errUnsupported("qbosim does not emulate applying a Payment to a " + typ + ".")
	default:
		return paymentTarget{}, 0, errInvalidEnum("Line.LinkedTxn.TxnType", typ)
	}
	r := w.c.visible(tk, id)
	if r == nil {
		return paymentTarget{}, 0, errInvalidReference("Line.LinkedTxn.TxnId", id, tk.name+" not found")
	}
	if isVoided(r.data) {
		return paymentTarget{}, 0, errBusiness(fmt.Sprintf("%s %s is voided; a payment cannot be applied to it.", tk.name, id))
	}
	if refValue(r.data["CustomerRef"]) != cust.id {
		return paymentTarget{}, 0, errBusiness(fmt.Sprintf("%s %s belongs to another customer; a payment can only be applied to its customer's transactions.", tk.name, id))
	}
	for key := range line {
		if key != "Amount" && key != "LinkedTxn" && key != "Description" {
			delete(line, key) // LineEx and the like are the server's
		}
	}
	line["Amount"] = formatCents(amt)
	line["LinkedTxn"] = []any{map[string]any{"TxnId": id, "TxnType": typ}}
	return paymentTarget{k: tk, r: r}, amt, nil
}

// paymentApplication derives, from validated payment lines, the stored
// lines, the links (one per invoice or credit memo, zero amounts left out)
// and the net amount applied (invoices less credits).
func paymentApplication(lines []map[string]any) ([]any, []link, int64) {
	stored := make([]any, 0, len(lines))
	sums := map[string]int64{}
	var order []string
	var applied int64
	for _, l := range lines {
		stored = append(stored, l)
		lt := anyMaps(l["LinkedTxn"])
		if len(lt) != 1 {
			continue
		}
		amt, _, _ := parseCents(l["Amount"])
		key := linkKey(stringField(lt[0], "TxnType"), scalarString(lt[0]["TxnId"]))
		if _, seen := sums[key]; !seen {
			order = append(order, key)
		}
		sums[key] += amt
		if stringField(lt[0], "TxnType") == creditMemoKind.name {
			applied -= amt
		} else {
			applied += amt
		}
	}
	var links []link
	for _, key := range order {
		if sums[key] != 0 {
			kindName, id, _ := strings.Cut(key, ":")
			links = append(links, link{Kind: kindName, ID: id, Amount: sums[key]})
		}
	}
	return stored, links, applied
}

// onlyInvoiceLines drops the credit-memo lines of a payment.
func onlyInvoiceLines(lines []map[string]any) []map[string]any {
	var out []map[string]any
	for _, l := range lines {
		if lt := anyMaps(l["LinkedTxn"]); len(lt) == 1 && stringField(lt[0], "TxnType") == invoiceKind.name {
			out = append(out, l)
		}
	}
	return out
}

// notDeposited: "If funds for the payment have been deposited, you must
// delete the associated deposit object before voiding the payment object";
// a deposited payment cannot be changed or deleted either (6540).
func notDeposited(c *company, k *kind, r *record, op string) *fault {
	sources := c.linkSources(linkKey(k.name, r.id))
	if len(sources) == 0 {
		return nil
	}
	_, depositID, _ := strings.Cut(sources[0], ":")
	return validationFault("6540", "Deposited Transaction cannot be changed", fmt.Sprintf(
		"Deposited Transaction cannot be changed: Payment %s is included in Deposit %s; remove it from the deposit (or delete the deposit) before you %s it.",
		r.id, depositID, op), "")
}

// zeroPaymentAmounts is the voided form of a payment's data: amounts zero,
// lines kept (with their links) at zero.
func zeroPaymentAmounts(data map[string]any) {
	var lines []any
	for _, l := range anyMaps(data["Line"]) {
		l["Amount"] = formatCents(0)
		lines = append(lines, l)
	}
	data["Line"] = lines
	data["UnappliedAmt"] = formatCents(0)
}

// setOrDelete stores a non-empty slice under key and removes the key for an
// empty one: QBO leaves out properties without a value.
func setOrDelete[T any](m map[string]any, key string, v []T) {
	if len(v) == 0 {
		delete(m, key)
		return
	}
	m[key] = v
}
