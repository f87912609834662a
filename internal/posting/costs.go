package posting

import (
	"fmt"
	"strconv"
	"time"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/qbo"
)

// KindHardCost names hard costs in the id map and item outcomes.
const KindHardCost = "hard_cost"

// ExpenseLabel names an expense in summaries and error lists, e.g.
// "hard cost check 5001 (matter 2024-0007)".
func ExpenseLabel(x pms.Expense) string {
	what := x.Kind + " cost"
	if ref := names.Clean(x.CheckNumber); ref != "" {
		what += " check " + ref
	} else {
		what += " #" + strconv.FormatInt(x.ID, 10)
	}
	return names.Truncate(fmt.Sprintf("%s (matter %s)", what, names.Clean(x.MatterNumber)), 120)
}

// HardCostPurchase is the QBO Purchase for a hard cost: money the firm paid a third
// party for a matter. It is paid from the operating bank account (bankAccountID) to the
// payee's vendor (vendorID) by check or cash (paymentType, the "paid by" setting:
// "check" or "cash"), with one line on the client costs account (costsAccountID) for
// the matter's customer (customerID). The line is always NotBillable: the firm bills
// its costs through the practice system, whose invoice reaches QBO with a Hard Costs
// line, so a Billable expense would have QBO offer the same cost again as an unbilled
// charge on the client's next invoice, inviting double billing. (QBO sets
// HasBeenBilled itself when one of its own invoices bills a charge; qbosync never sends
// it.)
//
// Soft costs are the firm's own charges, paid to nobody: they reach QBO only as
// invoice lines, and are refused here. So is a zero amount: QBO would record a $0
// check that pays nothing.
func HardCostPurchase(x pms.Expense, bankAccountID, costsAccountID, customerID, vendorID, paymentType string) (qbo.Purchase, error) {
	label := ExpenseLabel(x)
	if x.Kind != pms.ExpenseHard {
		return qbo.Purchase{}, &ItemError{
			Code: "qbosync:not-a-hard-cost", Field: "kind",
			Message: fmt.Sprintf("%s is a %q cost, not a hard cost", label, x.Kind),
			Explanation: fmt.Sprintf("Only hard costs, paid by the firm to a third party, are recorded in QuickBooks as purchases; %s is a %s cost. "+
				"Soft costs reach QuickBooks on the invoices that bill them. If the firm did pay someone for it, make it a hard cost "+
				"with its payee and bank account in the practice system; qbosync syncs it as soon as it changes.", label, x.Kind),
		}
	}
	if x.AmountCents <= 0 {
		return qbo.Purchase{}, &ItemError{
			Code: "qbosync:non-positive-amount", Field: "amount_cents",
			Message: fmt.Sprintf("%s: the amount is %s", label, cents(x.AmountCents)),
			Explanation: fmt.Sprintf("The %s has an amount of %s, and a hard cost records money the firm paid out. "+
				"Enter the amount paid in the practice system, or delete the expense if nothing was paid; qbosync syncs it as soon as it changes.", label, cents(x.AmountCents)),
		}
	}
	for _, ref := range []struct{ name, id string }{
		{"operating bank account", bankAccountID}, {"client costs account", costsAccountID},
		{"customer", customerID}, {"vendor", vendorID},
	} {
		if ref.id == "" {
			return qbo.Purchase{}, fmt.Errorf("posting: %s: no QuickBooks %s: resolve it first", label, ref.name)
		}
	}
	pt, err := purchasePaymentType(paymentType)
	if err != nil {
		return qbo.Purchase{}, err
	}
	desc := names.Clean(x.Description)
	if desc == "" {
		desc = "Cost advanced for matter " + names.Clean(x.MatterNumber)
	}
	note := fmt.Sprintf("Cost advanced for matter %s · paid to %s", names.Clean(x.MatterNumber), names.Clean(x.Payee))
	if ref := names.Clean(x.CheckNumber); ref != "" {
		note += " · check " + ref
	}
	return qbo.Purchase{
		PaymentType: pt,
		PrintStatus: checkPrintStatus(pt),
		AccountRef:  &qbo.Ref{Value: bankAccountID},
		EntityRef:   &qbo.Ref{Value: vendorID, Type: "Vendor"},
		DocNumber:   UniqueDocNumber(x.CheckNumber, x.DocNumberSeq),
		TxnDate:     x.IncurredOn.Format(time.DateOnly),
		PrivateNote: notes(note, names.Marker(x.FirmID, KindHardCost, x.ID)),
		Line: []qbo.Line{{
			DetailType:  qbo.AccountExpenseLine,
			Description: names.Truncate(desc, MaxLineDescription),
			Amount:      qbo.Amount(x.AmountCents),
			AccountBasedExpenseLineDetail: &qbo.AccountBasedExpenseLineDetail{
				AccountRef:     &qbo.Ref{Value: costsAccountID},
				CustomerRef:    &qbo.Ref{Value: customerID},
				BillableStatus: qbo.NotBillable,
			},
		}},
	}, nil
}
