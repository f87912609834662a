package posting

import (
	"fmt"
	"strconv"
	"time"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/qbo"
)

// KindPaymentDeposit is the one Deposit that gathers the parts of a practice payment
// split across customers (one QBO payment per matter) out of Undeposited Funds into
// the bank account the payment went to, keyed by the payment's id. The bank statement
// shows one line for the check; so does QBO.
const KindPaymentDeposit = "payment_deposit"

// GatheredPart is a part of a payment, now a QBO payment in Undeposited Funds.
type GatheredPart struct {
	PaymentID   string // QBO id
	AmountCents int64
}

// PaymentDeposit is the Deposit of a payment's parts into the QBO bank account bank,
// dated as the payment was received.
func PaymentDeposit(p pms.Payment, parts []GatheredPart, bank string) qbo.Deposit {
	lines := make([]qbo.Line, len(parts))
	for i, part := range parts {
		lines[i] = qbo.Line{
			Amount:    qbo.Amount(part.AmountCents),
			LinkedTxn: []qbo.LinkedTxn{{TxnID: part.PaymentID, TxnType: "Payment", TxnLineID: "0"}},
		}
	}
	// "Check payment 1042 of $1,200.00 · one deposit for 2 matters": what the bank
	// statement shows, in plain words (the date is the deposit's own).
	what := fmt.Sprintf("%s of %s · one deposit for %d matters", paymentNote(p, PaymentPart{}), cents(p.AmountCents), len(parts))
	return qbo.Deposit{
		TxnDate:             p.ReceivedOn.Format(time.DateOnly),
		DepositToAccountRef: &qbo.Ref{Value: bank},
		PrivateNote:         notes(what, names.MarkerFor(p.FirmID, KindPaymentDeposit, strconv.FormatInt(p.ID, 10))),
		Line:                lines,
	}
}

// TotalCents is what the part's QBO payment receives: what it applies to invoices and
// what it leaves unapplied.
func (p PaymentPart) TotalCents() int64 {
	total := p.UnappliedCents
	for _, l := range p.Lines {
		total += l.AmountCents
	}
	return total
}
