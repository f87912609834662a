package posting

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/qbo"
)

// Kinds of trust record in the id map and item outcomes. A receipt is posted either on
// its deposit slip's Deposit (KindDepositSlip) or, not on a slip or with the "per
// receipt" setting, as a Deposit of its own (KindTrustReceipt).
const (
	KindDepositSlip       = "deposit_slip"
	KindTrustReceipt      = "trust_receipt"
	KindTrustTransfer     = "trust_transfer"
	KindTrustDisbursement = "trust_disbursement"
)

// MaxLineDescription is QBO's limit on a transaction line's Description.
const MaxLineDescription = 4000

// TrustAccountRefs are the QBO accounts of one trust (IOLTA) account: Bank is the Bank
// account the money sits in, Liability the Other Current Liability that says whose it
// is. Every trust posting moves both by the same amount, so the two always balance.
type TrustAccountRefs struct {
	Bank      string // QBO Account id
	Liability string // QBO Account id
}

func (a TrustAccountRefs) check() error {
	if a.Bank == "" || a.Liability == "" {
		return fmt.Errorf("posting: trust account refs incomplete (bank %q, liability %q): resolve both QBO accounts first", a.Bank, a.Liability)
	}
	return nil
}

// DepositSlipLabel names a deposit slip in summaries and error lists.
func DepositSlipLabel(s pms.DepositSlip) string {
	return "deposit slip " + names.Clean(s.Number)
}

// TrustTransactionLabel names a trust transaction in summaries and error lists, e.g.
// "trust deposit Check 1234 (matter 2024-0007)".
func TrustTransactionLabel(t pms.TrustTransaction) string {
	what := map[string]string{
		pms.TrustDeposit: "trust deposit", pms.TrustDisbursement: "trust disbursement",
		pms.TrustTransferToOperating: "trust transfer",
	}[t.Kind]
	if what == "" {
		what = "trust transaction"
	}
	ref := names.Clean(t.Reference)
	if ref == "" {
		ref = "#" + strconv.FormatInt(t.ID, 10)
	}
	return names.Truncate(fmt.Sprintf("%s %s (matter %s)", what, ref, names.Clean(t.MatterNumber)), 120)
}

// SlipDeposit is the QBO Deposit for a deposit slip: one Deposit into the trust bank
// account, as the bank statement shows it, with one line per client receipt booked to
// the trust liability for the receipt's matter (customers maps a matter id to its QBO
// customer id). The lines add up to the slip total to the cent, or the slip is refused
// with an ItemError: a Deposit that disagreed with the statement would break the
// three-way reconciliation.
//
// A matter missing from customers is the caller's bug (customers are resolved before
// trust money posts), so it is a plain error, not an ItemError.
func SlipDeposit(slip pms.DepositSlip, acct TrustAccountRefs, customers map[int64]string) (qbo.Deposit, error) {
	if err := acct.check(); err != nil {
		return qbo.Deposit{}, err
	}
	label := DepositSlipLabel(slip)
	if n := utf8.RuneCountInString(slip.Number); n > MaxDocNumber {
		return qbo.Deposit{}, &ItemError{
			Code: "qbosync:doc-number-too-long", Field: "slip_number",
			Message: fmt.Sprintf("%s: the slip number is %d characters; QuickBooks allows %d", label, n, MaxDocNumber),
			Explanation: fmt.Sprintf("Deposit slip number %q becomes the deposit's number in QuickBooks, which allows at most %d characters. "+
				"Shorten the slip number in the practice system; qbosync syncs the slip as soon as it changes.", slip.Number, MaxDocNumber),
		}
	}
	var sum int64
	for _, r := range slip.Receipts {
		if r.Kind != pms.TrustDeposit || r.DepositSlipID == nil || *r.DepositSlipID != slip.ID {
			return qbo.Deposit{}, fmt.Errorf("posting: %s: trust transaction %d (%s) is not a receipt on this slip", label, r.ID, r.Kind)
		}
		if r.BankAccountID != slip.BankAccountID {
			return qbo.Deposit{}, &ItemError{
				Code: "qbosync:slip-account-mismatch", Field: "bank_account_id",
				Message: fmt.Sprintf("%s: %s is recorded in another bank account than the slip", label, TrustTransactionLabel(r)),
				Explanation: fmt.Sprintf("The receipt %s is on %s, but the receipt and the slip name different bank accounts. "+
					"A deposit goes into one account; correct the receipt's account (or move it to a slip of its account) in the practice system. "+
					"qbosync syncs the slip as soon as it changes.", TrustTransactionLabel(r), label),
			}
		}
		if err := positiveAmount(r); err != nil {
			return qbo.Deposit{}, err
		}
		sum += r.AmountCents
	}
	if sum != slip.TotalCents {
		return qbo.Deposit{}, &ItemError{
			Code: "qbosync:slip-unbalanced", Field: "total_cents",
			Message: fmt.Sprintf("%s: %d receipts add up to %s but the slip total is %s", label, len(slip.Receipts), cents(sum), cents(slip.TotalCents)),
			Explanation: fmt.Sprintf("The %d client receipts on %s add up to %s, but the slip's total is %s (a difference of %s). "+
				"The bank shows the slip as one deposit of its total, and each receipt is money held for a client, so qbosync posts a slip only when they agree to the cent. "+
				"In the practice system, add the receipt that is missing from the slip, take off one that was deposited separately, or correct the slip total; "+
				"qbosync syncs the slip as soon as it changes.",
				len(slip.Receipts), label, cents(sum), cents(slip.TotalCents), cents(abs(slip.TotalCents-sum))),
		}
	}
	lines := make([]qbo.Line, 0, len(slip.Receipts))
	for _, r := range slip.Receipts {
		cust := customers[r.MatterID]
		if cust == "" {
			return qbo.Deposit{}, fmt.Errorf("posting: %s: no QuickBooks customer for matter %d (%s): resolve customers first", label, r.MatterID, TrustTransactionLabel(r))
		}
		lines = append(lines, receiptLine(r, acct, cust))
	}
	return qbo.Deposit{
		DocNumber:           slip.Number,
		TxnDate:             slip.DepositedOn.Format(time.DateOnly),
		DepositToAccountRef: &qbo.Ref{Value: acct.Bank},
		PrivateNote:         notes(slipNote(slip), names.Marker(slip.FirmID, KindDepositSlip, slip.ID)),
		Line:                lines,
	}, nil
}

// ReceiptDeposit is the QBO Deposit for one client receipt on its own: a receipt on no
// slip, or any receipt when the firm posts one deposit per receipt. It moves the trust
// bank account and the client's trust liability up by the same amount.
func ReceiptDeposit(t pms.TrustTransaction, acct TrustAccountRefs, customerID string) (qbo.Deposit, error) {
	if err := checkTrust(t, pms.TrustDeposit, acct, customerID); err != nil {
		return qbo.Deposit{}, err
	}
	return qbo.Deposit{
		DocNumber:           docNumberIfFits(t.Reference),
		TxnDate:             t.TxnOn.Format(time.DateOnly),
		DepositToAccountRef: &qbo.Ref{Value: acct.Bank},
		PrivateNote:         notes("Client funds received into trust · "+trustDescription(t), names.Marker(t.FirmID, KindTrustReceipt, t.ID)),
		Line:                []qbo.Line{receiptLine(t, acct, customerID)},
	}, nil
}

// receiptLine books a receipt to the trust liability of the matter's customer.
func receiptLine(r pms.TrustTransaction, acct TrustAccountRefs, customerID string) qbo.Line {
	return qbo.Line{
		DetailType:  qbo.DepositLine,
		Description: trustDescription(r),
		Amount:      qbo.Amount(r.AmountCents),
		DepositLineDetail: &qbo.DepositLineDetail{
			AccountRef: &qbo.Ref{Value: acct.Liability},
			Entity:     &qbo.Ref{Value: customerID, Type: "Customer"},
		},
	}
}

// TrustTransferEntry is the QBO JournalEntry for trust money applied to the firm's
// invoice (kind transfer_to_operating): debit the trust liability for the matter's
// customer, credit the trust bank account, so both fall by the same amount. The paid
// side (receivables down, operating up) is the linked Payment, posted with the payments
// (docs/posting.md, "Payment from trust"); this entry only takes the money out of trust.
func TrustTransferEntry(t pms.TrustTransaction, acct TrustAccountRefs, customerID string) (qbo.JournalEntry, error) {
	if err := checkTrust(t, pms.TrustTransferToOperating, acct, customerID); err != nil {
		return qbo.JournalEntry{}, err
	}
	desc := trustDescription(t)
	amount := qbo.Amount(t.AmountCents)
	return qbo.JournalEntry{
		DocNumber:   UniqueDocNumber(t.Reference, t.DocNumberSeq),
		TxnDate:     t.TxnOn.Format(time.DateOnly),
		PrivateNote: notes("Trust funds moved to operating to pay the firm's invoice · "+desc, names.Marker(t.FirmID, KindTrustTransfer, t.ID)),
		Line: []qbo.Line{
			{
				DetailType: qbo.JournalEntryLine, Description: desc, Amount: amount,
				JournalEntryLineDetail: &qbo.JournalEntryLineDetail{
					PostingType: qbo.Debit,
					AccountRef:  &qbo.Ref{Value: acct.Liability},
					Entity:      &qbo.JournalEntryEntity{Type: "Customer", EntityRef: &qbo.Ref{Value: customerID}},
				},
			},
			{
				DetailType: qbo.JournalEntryLine, Description: desc, Amount: amount,
				JournalEntryLineDetail: &qbo.JournalEntryLineDetail{
					PostingType: qbo.Credit,
					AccountRef:  &qbo.Ref{Value: acct.Bank},
				},
			},
		},
	}, nil
}

// TrustDisbursement is the QBO Purchase for trust money paid to a third party on the
// client's behalf: a check (or cash, per the hard-cost "paid by" setting, paymentType
// "check" or "cash") from the trust bank account to the payee's vendor (vendorID), with
// one line on the trust liability for the matter's customer. The line is NotBillable:
// it is the client's own money, not a cost to bill, and QBO would otherwise make lines
// with a customer billable when the company bills expenses.
func TrustDisbursement(t pms.TrustTransaction, acct TrustAccountRefs, customerID, vendorID, paymentType string) (qbo.Purchase, error) {
	if err := checkTrust(t, pms.TrustDisbursement, acct, customerID); err != nil {
		return qbo.Purchase{}, err
	}
	if vendorID == "" {
		return qbo.Purchase{}, fmt.Errorf("posting: %s: no QuickBooks vendor for payee %q: resolve vendors first", TrustTransactionLabel(t), t.Payee)
	}
	pt, err := purchasePaymentType(paymentType)
	if err != nil {
		return qbo.Purchase{}, err
	}
	return qbo.Purchase{
		PaymentType: pt,
		PrintStatus: checkPrintStatus(pt),
		AccountRef:  &qbo.Ref{Value: acct.Bank},
		EntityRef:   &qbo.Ref{Value: vendorID, Type: "Vendor"},
		DocNumber:   UniqueDocNumber(t.Reference, t.DocNumberSeq),
		TxnDate:     t.TxnOn.Format(time.DateOnly),
		PrivateNote: notes("Paid from trust to "+names.Clean(t.Payee)+" · "+trustDescription(t), names.Marker(t.FirmID, KindTrustDisbursement, t.ID)),
		Line: []qbo.Line{{
			DetailType:  qbo.AccountExpenseLine,
			Description: trustDescription(t),
			Amount:      qbo.Amount(t.AmountCents),
			AccountBasedExpenseLineDetail: &qbo.AccountBasedExpenseLineDetail{
				AccountRef:     &qbo.Ref{Value: acct.Liability},
				CustomerRef:    &qbo.Ref{Value: customerID},
				BillableStatus: qbo.NotBillable,
			},
		}},
	}, nil
}

// checkTrust refuses what cannot post: the wrong kind of transaction or an unresolved
// reference (the caller's bugs, plain errors), or an amount that is not positive (the
// practice record's, an ItemError).
func checkTrust(t pms.TrustTransaction, kind string, acct TrustAccountRefs, customerID string) error {
	if t.Kind != kind {
		return fmt.Errorf("posting: %s is a %q trust transaction, not %q", TrustTransactionLabel(t), t.Kind, kind)
	}
	if err := acct.check(); err != nil {
		return err
	}
	if customerID == "" {
		return fmt.Errorf("posting: %s: no QuickBooks customer for matter %d: resolve customers first", TrustTransactionLabel(t), t.MatterID)
	}
	return positiveAmount(t)
}

func positiveAmount(t pms.TrustTransaction) error {
	if t.AmountCents > 0 {
		return nil
	}
	return &ItemError{
		Code: "qbosync:non-positive-amount", Field: "amount_cents",
		Message: fmt.Sprintf("%s: the amount is %s", TrustTransactionLabel(t), cents(t.AmountCents)),
		Explanation: fmt.Sprintf("The %s has an amount of %s. Trust amounts are positive (the kind says which way the money moves). "+
			"Correct the amount in the practice system, or delete the transaction; qbosync syncs it as soon as it changes.", TrustTransactionLabel(t), cents(t.AmountCents)),
	}
}

// trustDescription tells the bookkeeper reading a line which matter, what for and which
// check: "Matter 2026-0012 · Filing fee · Check 1234". A reference the description
// already names ("Applied to invoice INV-1004", reference "INV-1004") is not repeated.
func trustDescription(t pms.TrustTransaction) string {
	parts := []string{"Matter " + names.Clean(t.MatterNumber)}
	desc, ref := names.Clean(t.Description), names.Clean(t.Reference)
	if desc != "" {
		parts = append(parts, desc)
	}
	if ref != "" && !strings.Contains(strings.ToLower(desc), strings.ToLower(ref)) {
		parts = append(parts, ref)
	}
	return names.Truncate(strings.Join(parts, " · "), MaxLineDescription)
}

// slipNote says what a deposit slip's Deposit is: "Deposit slip DS-0007 · 3 client
// receipts into trust".
func slipNote(slip pms.DepositSlip) string {
	n := len(slip.Receipts)
	what := "client receipts"
	if n == 1 {
		what = "client receipt"
	}
	return fmt.Sprintf("Deposit slip %s · %d %s into trust", names.Clean(slip.Number), n, what)
}

// docNumberIfFits is a practice reference (a check number) as a QBO DocNumber, or empty
// when it is longer than QBO allows: the number is a convenience for finding the
// transaction, the marker identifies it, so a long reference is not worth refusing the
// money over. It stays in the line's description.
func docNumberIfFits(ref string) string {
	ref = strings.TrimSpace(ref)
	if utf8.RuneCountInString(ref) > MaxDocNumber {
		return ""
	}
	return ref
}

// UniqueDocNumber is the document number of the record that is the seq-th (from 0) to
// carry the practice number ref among the records posting as one QuickBooks type
// (pms.Expense.DocNumberSeq): ref itself for the first, then "ref-2", "ref-3". QuickBooks
// refuses a duplicate number on cash purchases always and on checks and journal entries
// when the company warns of duplicates (docs/qbo-api.md, "Document numbers"), and two
// costs paid by one check, or two transfers for one invoice, share a number in the
// practice system. The check number stays readable at the start; should number and
// suffix pass 21 characters, the number's start goes, never the suffix. A reference
// too long for a DocNumber gives none (docNumberIfFits).
func UniqueDocNumber(ref string, seq int) string {
	ref = docNumberIfFits(ref)
	if ref == "" || seq <= 0 {
		return ref
	}
	suffix := "-" + strconv.Itoa(seq+1)
	r := []rune(ref)
	if keep := MaxDocNumber - len(suffix); len(r) > keep {
		r = r[len(r)-keep:]
	}
	return string(r) + suffix
}

// The "paid by" setting's values (settings.PaymentCheck and settings.PaymentCash;
// settings imports posting, so posting cannot import settings).
const (
	paymentSettingCheck = "check"
	paymentSettingCash  = "cash"
)

// purchasePaymentType is the QBO PaymentType for the "paid by" setting.
func purchasePaymentType(setting string) (string, error) {
	switch setting {
	case paymentSettingCheck:
		return qbo.PaymentCheck, nil
	case paymentSettingCash:
		return qbo.PaymentCash, nil
	}
	return "", fmt.Errorf("posting: unknown payment type setting %q (want %q or %q)", setting, paymentSettingCheck, paymentSettingCash)
}

// checkPrintStatus keeps a synced check out of QBO's "to print" queue: the check was
// written in the practice system (QBO's default for a new check is NeedToPrint).
func checkPrintStatus(paymentType string) string {
	if paymentType == qbo.PaymentCheck {
		return "NotSet"
	}
	return ""
}

func abs(c int64) int64 {
	if c < 0 {
		return -c
	}
	return c
}
