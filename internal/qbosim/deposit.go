package qbosim

import (
	"fmt"
	"strings"
)

// Deposit: money put into a bank (or other current asset) account. A line
// either gathers a payment out of Undeposited Funds (LinkedTxn to the
// Payment; a payment can be deposited once, and is frozen while it is) or
// records money from an account directly (DepositLineDetail with AccountRef
// and an optional Entity: how client trust receipts are booked). Posting:
// Dr DepositToAccountRef TotalAmt; Cr each payment's deposit account
// (Undeposited Funds) or each line's account; Dr the CashBack account.
var depositKind = txnKind(&kind{
	name:       "Deposit",
	derived:    []string{"TotalAmt", "HomeTotalAmt"},
	refTargets: map[string]string{"DepositToAccountRef": "Account"},
	queryable:  set("TxnDate", "TotalAmt"),
	txn:        &txnSpec{lineIDs: true},
}, fields{"DepositToAccountRef": tRef, "CashBack": tObject})

func prepareDeposit(w *writeCtx) *fault {
	if f := w.prepareTxn(); f != nil {
		return f
	}
	to, f := w.accountRef(w.body, "DepositToAccountRef", "DepositToAccountRef", true, "Bank", "Other Current Asset")
	if f != nil {
		return f
	}
	lines, f := w.requiredLines()
	if f != nil {
		return f
	}
	var ps []posting
	var total int64
	var links []link
	seen := map[string]bool{}
	for _, line := range lines {
		var p posting
		var amt int64
		if _, linked := line["LinkedTxn"]; linked {
			payment, a, f := w.depositedPayment(line, seen)
			if f != nil {
				return f
			}
			amt = a
			links = append(links, link{Kind: paymentKind.name, ID: payment.id, Amount: amt})
			p = w.post(refValue(payment.data["DepositToAccountRef"]), -amt, nil, nil)
		} else {
			acct, entity, ek, a, f := w.depositLine(line)
			if f != nil {
				return f
			}
			amt = a
			p = w.post(acct.id, -amt, entity, ek)
		}
		total += amt
		ps = append(ps, p)
	}
	if cb, ok := w.body["CashBack"].(map[string]any); ok {
		cb = cloneMap(cb)
		amt, _, f := amount(cb, "Amount", "CashBack.Amount", false)
		if f != nil {
			return f
		}
		acct, f := w.accountRef(cb, "AccountRef", "CashBack.AccountRef", amt != 0)
		if f != nil {
			return f
		}
		if amt != 0 {
			cb["Amount"] = formatCents(amt)
			total -= amt
			ps = append(ps, w.post(acct.id, amt, nil, nil))
		}
		w.body["CashBack"] = cb
	}
	if total < 0 {
		return errBusiness(fmt.Sprintf("The deposit total %s is negative.", reportMoney(total)))
	}
	w.setLines(lines)
	w.body["TotalAmt"] = formatCents(total)
	setOrDelete(w.body, keyLinks, links)
	w.setPostings(append(ps, w.post(to.id, total, nil, nil)))
	return nil
}

// depositedPayment validates a line that deposits a payment.
func (w *writeCtx) depositedPayment(line map[string]any, seen map[string]bool) (*record, int64, *fault) {
	linked := anyMaps(line["LinkedTxn"])
	if len(linked) != 1 {
		return nil, 0, errBusiness("A deposit line links exactly one payment.")
	}
	id, typ := scalarString(linked[0]["TxnId"]), stringField(linked[0], "TxnType")
	switch {
	case id == "":
		return nil, 0, errRequired("Line.LinkedTxn.TxnId")
	case typ == "":
		return nil, 0, errRequired("Line.LinkedTxn.TxnType")
	case typ != paymentKind.name:
		return nil, 0, errUnsupported("qbosim emulates deposits of payments only, not of a " + typ + ".")
	}
	p := w.c.visible(paymentKind, id)
	if p == nil {
		return nil, 0, errInvalidReference("Line.LinkedTxn.TxnId", id, "Payment not found")
	}
	if isVoided(p.data) {
		return nil, 0, errBusiness("Payment " + id + " is voided and cannot be deposited.")
	}
	if seen[id] {
		return nil, 0, errBusiness("Payment " + id + " appears twice in this deposit.")
	}
	seen[id] = true
	self := linkKey(w.k.name, w.selfID())
	for _, source := range w.c.linkSources(linkKey(paymentKind.name, id)) {
		if source != self {
			_, depositID, _ := strings.Cut(source, ":")
			return nil, 0, errBusiness(fmt.Sprintf("Payment %s is already deposited in Deposit %s; a payment can be deposited once.", id, depositID))
		}
	}
	if from := w.c.get(accountKind, refValue(p.data["DepositToAccountRef"])); from == nil ||
		stringField(from.data, "AccountSubType") != "UndepositedFunds" {
		return nil, 0, errBusiness("Payment " + id + " was deposited to account " + refValue(p.data["DepositToAccountRef"]) +
			" directly; only payments held in Undeposited Funds can be gathered into a deposit.")
	}
	paid, _, _ := parseCents(p.data["TotalAmt"])
	amt, present, f := amount(line, "Amount", "Line.Amount", false)
	if f != nil {
		return nil, 0, f
	}
	if present && amt != paid {
		return nil, 0, errBusiness(fmt.Sprintf("The deposit line for Payment %s is %s but the payment is %s.", id, reportMoney(amt), reportMoney(paid)))
	}
	txnLineID := scalarString(linked[0]["TxnLineId"])
	if txnLineID == "" {
		txnLineID = "0"
	}
	line["Amount"] = formatCents(paid)
	line["LinkedTxn"] = []any{map[string]any{"TxnId": id, "TxnType": typ, "TxnLineId": txnLineID}}
	return p, paid, nil
}

// depositLine validates a DepositLineDetail line.
func (w *writeCtx) depositLine(line map[string]any) (*record, *record, *kind, int64, *fault) {
	const el = "Line.DepositLineDetail"
	if dt := stringField(line, "DetailType"); dt != "DepositLineDetail" {
		if dt == "" {
			return nil, nil, nil, 0, errRequired("Line.DetailType")
		}
		return nil, nil, nil, 0, errInvalidEnum("Line.DetailType", dt)
	}
	d, f := detail(line, "DepositLineDetail", true)
	if f != nil {
		return nil, nil, nil, 0, f
	}
	acct, f := w.accountRef(d, "AccountRef", el+".AccountRef", true)
	if f != nil {
		return nil, nil, nil, 0, f
	}
	var entity *record
	var ek *kind
	if e, ok := d["Entity"].(map[string]any); ok {
		e = cloneMap(e)
		typ := stringField(e, "type")
		holder := map[string]any{"Entity": e}
		if entity, ek, f = w.entityRef(holder, "Entity", el+".Entity", typ); f != nil {
			return nil, nil, nil, 0, f
		}
		d["Entity"] = map[string]any{"value": entity.id, "type": ek.name}
	}
	if f := receivableRule(acct, ek); f != nil {
		return nil, nil, nil, 0, f
	}
	if _, f := w.lineRef(d, "ClassRef", el+".ClassRef", classKind, false); f != nil {
		return nil, nil, nil, 0, f
	}
	if f := checkLen(d, "CheckNum", el+".CheckNum", 20); f != nil {
		return nil, nil, nil, 0, f
	}
	amt, _, f := amount(line, "Amount", "Line.Amount", true)
	if f != nil {
		return nil, nil, nil, 0, f
	}
	line["Amount"] = formatCents(amt)
	return acct, entity, ek, amt, nil
}

// checkLen limits a string property of a nested object.
func checkLen(m map[string]any, key, element string, max int) *fault {
	if n := len([]rune(stringField(m, key))); n > max {
		return errLength(element, max, n)
	}
	return nil
}
