package posting

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/qbo"
)

// Kinds of the receivables records in the id map and item outcomes.
const (
	// KindPayment is one practice payment's part for one customer: QBO applies a
	// payment only to its own customer's invoices, so a payment of invoices on two
	// matters (sub-customers) becomes two QBO payments, keyed "<payment id>-<matter
	// id>" by the first matter of the part's customer.
	KindPayment = "payment"
	// KindAdjustment is a write-off or credit posted as a credit memo, keyed
	// "<invoice id>-<adjustment id>" so an invoice's credit memos can be listed.
	KindAdjustment = "adjustment"
	// KindAdjustmentPayment is the zero-amount payment that applies a credit memo to its
	// invoice, keyed like the adjustment.
	KindAdjustmentPayment = "adjustment_payment"
)

// PaymentKey is the id-map key of a payment's part for a matter.
func PaymentKey(paymentID, matterID int64) string {
	return fmt.Sprintf("%d-%d", paymentID, matterID)
}

// PaymentKeyPrefix is what the keys of all of a payment's parts start with.
func PaymentKeyPrefix(paymentID int64) string { return fmt.Sprintf("%d-", paymentID) }

// AdjustmentKey is the id-map key of an adjustment.
func AdjustmentKey(a pms.Adjustment) string { return fmt.Sprintf("%d-%d", a.InvoiceID, a.ID) }

// AdjustmentKeyPrefix is what the keys of all of an invoice's adjustments start with.
func AdjustmentKeyPrefix(invoiceID int64) string { return fmt.Sprintf("%d-", invoiceID) }

// MaxPaymentRefNum is QBO's limit on a payment's reference number.
const MaxPaymentRefNum = 21

// PaymentLine is an invoice a payment pays, by its QBO id.
type PaymentLine struct {
	InvoiceID   string // QBO Invoice id
	AmountCents int64
}

// PaymentPart is what one QBO payment of a practice payment holds: the invoices of one
// matter's customer it pays, and what is left unapplied (a credit on that customer).
type PaymentPart struct {
	Key            string // PaymentKey
	MatterNumber   string
	CustomerID     string
	Lines          []PaymentLine
	UnappliedCents int64
}

// PaymentLabel names a payment for the error list: "payment of $1,200.00 on 2026-03-04
// (check 1042)".
func PaymentLabel(p pms.Payment) string {
	ref := ""
	if p.Reference != "" {
		ref = fmt.Sprintf(" (%s %s)", p.Method, p.Reference)
	}
	return fmt.Sprintf("payment of %s on %s%s", cents(p.AmountCents), p.ReceivedOn.Format(time.DateOnly), ref)
}

// QBOPayment is the QBO payment for a part of a practice payment. depositTo is the QBO
// account it is deposited to, or "" for Undeposited Funds.
func QBOPayment(p pms.Payment, part PaymentPart, depositTo string) qbo.Payment {
	total := part.UnappliedCents
	lines := make([]qbo.Line, 0, len(part.Lines))
	for _, l := range part.Lines {
		total += l.AmountCents
		lines = append(lines, qbo.Line{
			Amount:    qbo.Amount(l.AmountCents),
			LinkedTxn: []qbo.LinkedTxn{{TxnID: l.InvoiceID, TxnType: "Invoice"}},
		})
	}
	amount := qbo.Amount(total)
	out := qbo.Payment{
		TxnDate:       p.ReceivedOn.Format(time.DateOnly),
		CustomerRef:   &qbo.Ref{Value: part.CustomerID},
		TotalAmt:      &amount,
		PaymentRefNum: names.Truncate(names.Clean(p.Reference), MaxPaymentRefNum),
		PrivateNote:   notes(paymentNote(p, part), names.MarkerFor(p.FirmID, KindPayment, part.Key)),
		Line:          lines,
	}
	if depositTo != "" {
		out.DepositToAccountRef = &qbo.Ref{Value: depositTo}
	}
	return out
}

// paymentNote says what the payment was in plain words: "Check payment 1042 · matter
// 2026-0012", or "Paid from trust funds · matter 2026-0012" (a trust payment's
// reference, such as "Trust transfer", says nothing the first words do not).
func paymentNote(p pms.Payment, part PaymentPart) string {
	what := paymentMethods[p.Method]
	if what == "" {
		what = "Payment"
	}
	ref := names.Clean(p.Reference)
	if p.Source == "trust" || p.Method == "trust" {
		what, ref = "Paid from trust funds", ""
	}
	if ref != "" {
		what += " " + ref
	}
	if n := names.Clean(part.MatterNumber); n != "" {
		what += " · matter " + n
	}
	return what
}

// paymentMethods name the practice system's payment methods (payments.method).
var paymentMethods = map[string]string{
	"check": "Check payment", "card": "Card payment", "ach": "ACH payment",
	"wire": "Wire payment", "cash": "Cash payment", "trust": "Paid from trust funds",
}

// AdjustmentLabel names a write-off or credit for the error list.
func AdjustmentLabel(a pms.Adjustment, invoiceNumber string) string {
	return fmt.Sprintf("%s of %s on invoice %s", strings.ReplaceAll(a.Kind, "_", "-"), cents(a.AmountCents), invoiceNumber)
}

// AdjustmentCreditMemo is the credit memo for a write-off or credit on an invoice, on the
// invoice's customer, with the write-offs item. invoiceDocNumber is the invoice's number
// as QuickBooks shows it (prefix included); the memo is numbered after it
// (CreditMemoDocNumber), so it never reads like an invoice of QuickBooks' own series.
func AdjustmentCreditMemo(a pms.Adjustment, invoiceDocNumber, customerID, itemID string) qbo.CreditMemo {
	amount := qbo.Amount(a.AmountCents)
	desc := fmt.Sprintf("%s on invoice %s", adjustmentWhat(a), invoiceDocNumber)
	return qbo.CreditMemo{
		DocNumber:   CreditMemoDocNumber(invoiceDocNumber, a.CreditNumber),
		TxnDate:     a.AdjustedOn.Format(time.DateOnly),
		CustomerRef: &qbo.Ref{Value: customerID},
		PrivateNote: notes(desc, names.MarkerFor(a.FirmID, KindAdjustment, AdjustmentKey(a))),
		Line: []qbo.Line{{
			DetailType:  qbo.SalesItemLine,
			Description: names.Truncate(desc, MaxLineDescription),
			Amount:      amount,
			SalesItemLineDetail: &qbo.SalesItemLineDetail{
				ItemRef: &qbo.Ref{Value: itemID}, Qty: "1", UnitPrice: qbo.DecimalFromAmount(amount),
			},
		}},
	}
}

// CreditMemoDocNumber numbers the n-th write-off or credit of an invoice after the
// invoice: "INV-1004-C1". Left to itself QuickBooks numbers a credit memo from the
// series its invoices use (1001, 1002), which a bookkeeper reads as an invoice. When the
// invoice number and the suffix together pass QuickBooks' 21 characters, the start of
// the invoice number goes (its end, where invoice numbers differ, stays): the number
// is deterministic, so a retried or repeated sync sends the same one.
func CreditMemoDocNumber(invoiceDocNumber string, n int) string {
	if n < 1 {
		n = 1
	}
	suffix := "-C" + strconv.Itoa(n)
	base := []rune(strings.TrimSpace(invoiceDocNumber))
	if keep := MaxDocNumber - len(suffix); len(base) > keep {
		base = base[len(base)-keep:]
	}
	return string(base) + suffix
}

// ApplyingPayment is the zero-amount payment that applies a credit memo to its invoice:
// QBO's way of saying the credit settles that invoice rather than sitting on the
// customer.
func ApplyingPayment(a pms.Adjustment, customerID, invoiceID, creditMemoID string) qbo.Payment {
	zero, amount := qbo.Amount(0), qbo.Amount(a.AmountCents)
	return qbo.Payment{
		TxnDate:     a.AdjustedOn.Format(time.DateOnly),
		CustomerRef: &qbo.Ref{Value: customerID},
		TotalAmt:    &zero,
		PrivateNote: notes(adjustmentWhat(a)+" · credit applied to its invoice", names.MarkerFor(a.FirmID, KindAdjustmentPayment, AdjustmentKey(a))),
		Line: []qbo.Line{
			{Amount: amount, LinkedTxn: []qbo.LinkedTxn{{TxnID: invoiceID, TxnType: "Invoice"}}},
			{Amount: amount, LinkedTxn: []qbo.LinkedTxn{{TxnID: creditMemoID, TxnType: "CreditMemo"}}},
		},
	}
}

func adjustmentWhat(a pms.Adjustment) string {
	what := map[string]string{"write_off": "Write-off", "credit": "Credit", "debit": "Charge"}[a.Kind]
	if r := names.Clean(a.Reason); r != "" {
		what += ": " + r
	}
	return what
}

// AddAdjustments puts an invoice's adjustments on its QBO invoice: a debit (a change
// that raises what is owed) as a line with the fees item, and, when write-offs post as
// discount lines (asDiscount), the write-offs and credits as one discount line to the
// write-off account. Credit memos (the default) are posted separately and leave the
// invoice alone.
func AddAdjustments(inv *qbo.Invoice, adjs []pms.Adjustment, items map[string]string, asDiscount bool, writeOffAccount string) error {
	var discount int64
	var reasons []string
	for _, a := range adjs {
		if a.Lowers() {
			if asDiscount {
				discount += a.AmountCents
				reasons = append(reasons, adjustmentWhat(a))
			}
			continue
		}
		amount := qbo.Amount(a.AmountCents)
		// A debit raises what the client owes after billing: a late-payment or interest
		// charge, which is finance-charge income, not legal fees.
		line, err := salesLine("interest", items, names.Truncate(adjustmentWhat(a), 4000), amount, "1", qbo.DecimalFromAmount(amount), a.AdjustedOn.Format(time.DateOnly))
		if err != nil {
			return err
		}
		inv.Line = append(inv.Line, line)
	}
	if discount > 0 {
		inv.Line = append(inv.Line, qbo.Line{
			DetailType:  qbo.DiscountLine,
			Description: names.Truncate(strings.Join(reasons, "; "), 4000),
			Amount:      qbo.Amount(discount),
			DiscountLineDetail: &qbo.DiscountLineDetail{
				DiscountAccountRef: &qbo.Ref{Value: writeOffAccount},
			},
		})
	}
	return nil
}
