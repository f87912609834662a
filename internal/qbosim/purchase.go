package qbosim

import "fmt"

// Purchase: an expense paid by cash, check or credit card (hard costs,
// trust disbursements). AccountRef is where the money comes from (a Bank
// account for Cash and Check, a Credit Card account for CreditCard);
// AccountBasedExpenseLineDetail lines say where it goes. Posting: Cr
// AccountRef TotalAmt, Dr each line's account (with the line's customer);
// a card refund (Credit true) the reverse.
var purchaseKind = txnKind(&kind{
	name:       "Purchase",
	derived:    []string{"TotalAmt", "HomeTotalAmt"},
	refTargets: map[string]string{"AccountRef": "Account"},
	queryable:  set("DocNumber", "TxnDate", "PaymentType", "TotalAmt"),
	txn:        &txnSpec{lineIDs: true},
}, fields{
	"AccountRef": tRef, "PaymentType": tString, "EntityRef": tRef, "Credit": tBool, "RemitToAddr": tObject,
	"PrintStatus": tString, "PaymentMethodRef": tRef, "Memo": tString, "PurchaseEx": tAny,
	"IncludeInAnnualTPAR": tBool,
})

var purchaseSourceTypes = map[string]string{"Cash": "Bank", "Check": "Bank", "CreditCard": "Credit Card"}

func preparePurchase(w *writeCtx) *fault {
	if f := w.prepareTxn(); f != nil {
		return f
	}
	typ := stringField(w.body, "PaymentType")
	acctType, ok := purchaseSourceTypes[typ]
	switch {
	case typ == "":
		return errRequired("PaymentType")
	case !ok:
		return errInvalidEnum("PaymentType", typ)
	}
	// "You must specify an AccountRef for all purchases."
	from, f := w.accountRef(w.body, "AccountRef", "AccountRef", true, acctType)
	if f != nil {
		return f
	}
	credit := boolField(w.body, "Credit", false)
	if credit && typ != "CreditCard" {
		return errBusiness("Credit (a refund) is valid only for PaymentType CreditCard.")
	}
	var payee *record
	var payeeKind *kind
	if e, ok := w.body["EntityRef"].(map[string]any); ok {
		if payee, payeeKind, f = w.entityRef(w.body, "EntityRef", "EntityRef", stringField(e, "type")); f != nil {
			return f
		}
		w.body["EntityRef"] = map[string]any{"value": payee.id, "type": payeeKind.name}
	}
	if typ == "Check" {
		w.setDefault("PrintStatus", "NeedToPrint")
		if !oneOf(stringField(w.body, "PrintStatus"), "NotSet", "NeedToPrint", "PrintComplete") {
			return errInvalidEnum("PrintStatus", stringField(w.body, "PrintStatus"))
		}
	} else {
		delete(w.body, "PrintStatus")
	}
	if f := w.checkStrings(textRule("Memo", 4000)); f != nil {
		return f
	}

	lines, f := w.requiredLines()
	if f != nil {
		return f
	}
	sign := int64(1) // money out: the lines are debited
	if credit {
		sign = -1
	}
	var total int64
	var ps []posting
	for _, line := range lines {
		acct, cust, amt, f := w.expenseLine(line)
		if f != nil {
			return f
		}
		total += amt
		ps = append(ps, w.post(acct.id, sign*amt, cust, customerKind))
	}
	if total < 0 {
		return errBusiness(fmt.Sprintf("The purchase total %s is negative.", reportMoney(total)))
	}
	w.setLines(lines)
	w.body["TotalAmt"] = formatCents(total)
	w.setPostings(append(ps, w.post(from.id, -sign*total, payee, payeeKind)))
	return nil
}

// expenseLine validates an AccountBasedExpenseLineDetail line.
func (w *writeCtx) expenseLine(line map[string]any) (*record, *record, int64, *fault) {
	const el = "Line.AccountBasedExpenseLineDetail"
	switch dt := stringField(line, "DetailType"); dt {
	case "AccountBasedExpenseLineDetail":
	case "ItemBasedExpenseLineDetail":
		return nil, nil, 0, errUnsupported("qbosim does not emulate ItemBasedExpenseLineDetail lines; use AccountBasedExpenseLineDetail.")
	case "":
		return nil, nil, 0, errRequired("Line.DetailType")
	default:
		return nil, nil, 0, errInvalidEnum("Line.DetailType", dt)
	}
	if n := len([]rune(stringField(line, "Description"))); n > 4000 {
		return nil, nil, 0, errLength("Line.Description", 4000, n)
	}
	d, f := detail(line, "AccountBasedExpenseLineDetail", true)
	if f != nil {
		return nil, nil, 0, f
	}
	acct, f := w.accountRef(d, "AccountRef", el+".AccountRef", true)
	if f != nil {
		return nil, nil, 0, f
	}
	switch stringField(acct.data, "AccountType") {
	case "Accounts Receivable", "Accounts Payable":
		return nil, nil, 0, errInvalidReference(el+".AccountRef", acct.id, "an expense line cannot post to "+stringField(acct.data, "AccountType"))
	}
	cust, f := w.lineRef(d, "CustomerRef", el+".CustomerRef", customerKind, false)
	if f != nil {
		return nil, nil, 0, f
	}
	if _, f := w.lineRef(d, "ClassRef", el+".ClassRef", classKind, false); f != nil {
		return nil, nil, 0, f
	}
	// BillableStatus is documented read-only; integrations send it on
	// create and QBO shows it back, so the sandbox accepts the enum. [U]
	status := stringField(d, "BillableStatus")
	switch status {
	case "":
		d["BillableStatus"] = "NotBillable"
	case "Billable", "NotBillable", "HasBeenBilled":
	default:
		return nil, nil, 0, errInvalidEnum(el+".BillableStatus", status)
	}
	if status == "Billable" && cust == nil {
		return nil, nil, 0, errBusiness("A billable expense line needs a CustomerRef.")
	}
	if f := plainRef(d, "TaxCodeRef", el+".TaxCodeRef"); f != nil {
		return nil, nil, 0, f
	}
	amt, _, f := amount(line, "Amount", "Line.Amount", true)
	if f != nil {
		return nil, nil, 0, f
	}
	line["Amount"] = formatCents(amt)
	return acct, cust, amt, nil
}
