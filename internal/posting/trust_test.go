package posting_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/settings"
)

var trustAcct = posting.TrustAccountRefs{Bank: "35", Liability: "36"}

func ptr(v int64) *int64 { return &v }

func receipt(id, matter, amount int64, ref string) pms.TrustTransaction {
	return pms.TrustTransaction{ID: id, BankAccountID: 3, MatterID: matter, Kind: pms.TrustDeposit, TxnOn: day("2026-04-03"),
		AmountCents: amount, Reference: ref, Description: "Retainer", DepositSlipID: ptr(9), MatterNumber: "M-" + string(rune('0'+matter))}
}

// A slip of three receipts for two matters: $2,500.00 + $1,234.56 + $0.01 = $3,734.57.
func slip() pms.DepositSlip {
	return pms.DepositSlip{ID: 9, BankAccountID: 3, Number: "DS-0007", DepositedOn: day("2026-04-03"), TotalCents: 373457,
		Receipts: []pms.TrustTransaction{receipt(101, 1, 250000, "Check 1234"), receipt(102, 2, 123456, "Wire 00012345"), receipt(103, 1, 1, "Check 77")}}
}

var slipCustomers = map[int64]string{1: "58", 2: "59"}

func itemErr(t *testing.T, err error, code, field string) *posting.ItemError {
	t.Helper()
	var ie *posting.ItemError
	if !errors.As(err, &ie) || ie.Code != code || ie.Field != field {
		t.Fatalf("err = %v, want ItemError %s on %s", err, code, field)
	}
	if !strings.Contains(ie.Explanation, "practice system") {
		t.Errorf("explanation does not say where to fix it: %q", ie.Explanation)
	}
	return ie
}

func TestSlipDepositOneLinePerReceiptToTheCent(t *testing.T) {
	s := slip()
	got, err := posting.SlipDeposit(s, trustAcct, slipCustomers)
	if err != nil {
		t.Fatal(err)
	}
	if got.DocNumber != "DS-0007" || got.TxnDate != "2026-04-03" || got.DepositToAccountRef == nil || got.DepositToAccountRef.Value != "35" {
		t.Errorf("header = %+v", got)
	}
	if !posting.HasMarker(got.PrivateNote, "qbosync:deposit_slip:9") || posting.HasMarker(got.PrivateNote, "qbosync:deposit_slip:1") {
		t.Errorf("marker wrong in %q", got.PrivateNote)
	}
	if len(got.Line) != 3 {
		t.Fatalf("%d lines, want 3", len(got.Line))
	}
	var sum int64
	wantCust := []string{"58", "59", "58"}
	for i, l := range got.Line {
		r := s.Receipts[i]
		d := l.DepositLineDetail
		if l.DetailType != qbo.DepositLine || d == nil || d.AccountRef.Value != "36" || d.Entity.Value != wantCust[i] || d.Entity.Type != "Customer" {
			t.Errorf("line %d = %+v %+v", i, l, d)
		}
		if l.Amount.Cents() != r.AmountCents {
			t.Errorf("line %d amount %d, want %d", i, l.Amount.Cents(), r.AmountCents)
		}
		if !strings.Contains(l.Description, r.MatterNumber) || !strings.Contains(l.Description, r.Reference) {
			t.Errorf("line %d description %q does not name the matter and the check", i, l.Description)
		}
		sum += l.Amount.Cents()
	}
	if sum != s.TotalCents {
		t.Errorf("lines sum to %d, want %d", sum, s.TotalCents)
	}
}

func TestSlipThatDoesNotAddUpIsRefusedInDollars(t *testing.T) {
	s := slip()
	s.TotalCents = 383457 // $100.00 more than the receipts
	_, err := posting.SlipDeposit(s, trustAcct, slipCustomers)
	ie := itemErr(t, err, "qbosync:slip-unbalanced", "total_cents")
	for _, want := range []string{"$3,734.57", "$3,834.57", "$100.00", "DS-0007"} {
		if !strings.Contains(ie.Explanation, want) {
			t.Errorf("explanation %q lacks %q", ie.Explanation, want)
		}
	}
	// A slip with no receipts at all does not add up either.
	s = slip()
	s.Receipts = nil
	itemErr(t, func() error { _, err := posting.SlipDeposit(s, trustAcct, slipCustomers); return err }(), "qbosync:slip-unbalanced", "total_cents")
}

func TestSlipRefusals(t *testing.T) {
	s := slip()
	s.Number = "DEPOSIT-SLIP-2026-000001" // 24 characters
	_, err := posting.SlipDeposit(s, trustAcct, slipCustomers)
	itemErr(t, err, "qbosync:doc-number-too-long", "slip_number")

	s = slip()
	s.Receipts[1].BankAccountID = 4
	_, err = posting.SlipDeposit(s, trustAcct, slipCustomers)
	itemErr(t, err, "qbosync:slip-account-mismatch", "bank_account_id")

	// A customer not resolved is the caller's bug: a plain error, not one for the bookkeeper.
	_, err = posting.SlipDeposit(slip(), trustAcct, map[int64]string{1: "58"})
	var ie *posting.ItemError
	if err == nil || errors.As(err, &ie) {
		t.Errorf("missing customer: %v", err)
	}
	if _, err = posting.SlipDeposit(slip(), posting.TrustAccountRefs{Bank: "35"}, slipCustomers); err == nil || errors.As(err, &ie) {
		t.Errorf("missing liability account: %v", err)
	}
}

func TestReceiptDeposit(t *testing.T) {
	r := receipt(101, 1, 250000, "Check 1234")
	r.DepositSlipID = nil
	got, err := posting.ReceiptDeposit(r, trustAcct, "58")
	if err != nil {
		t.Fatal(err)
	}
	if got.DepositToAccountRef.Value != "35" || got.TxnDate != "2026-04-03" || got.DocNumber != "Check 1234" || len(got.Line) != 1 {
		t.Fatalf("deposit = %+v", got)
	}
	l := got.Line[0]
	if l.Amount.Cents() != 250000 || l.DepositLineDetail.AccountRef.Value != "36" || l.DepositLineDetail.Entity.Value != "58" {
		t.Errorf("line = %+v %+v", l, l.DepositLineDetail)
	}
	if !posting.HasMarker(got.PrivateNote, "qbosync:trust_receipt:101") {
		t.Errorf("no marker in %q", got.PrivateNote)
	}

	r.Reference = "Wire transfer reference 0099887766" // too long for a DocNumber: left out, kept in the line
	got, err = posting.ReceiptDeposit(r, trustAcct, "58")
	if err != nil || got.DocNumber != "" || !strings.Contains(got.Line[0].Description, "0099887766") {
		t.Errorf("long reference: doc %q, description %q, %v", got.DocNumber, got.Line[0].Description, err)
	}

	r.AmountCents = 0
	_, err = posting.ReceiptDeposit(r, trustAcct, "58")
	itemErr(t, err, "qbosync:non-positive-amount", "amount_cents")

	r.AmountCents, r.Kind = 100, pms.TrustDisbursement
	if _, err = posting.ReceiptDeposit(r, trustAcct, "58"); err == nil {
		t.Error("a disbursement was posted as a receipt")
	}
}

func TestTrustTransferEntryBalancesLiabilityAgainstBank(t *testing.T) {
	x := pms.TrustTransaction{ID: 77, BankAccountID: 3, MatterID: 1, Kind: pms.TrustTransferToOperating, TxnOn: day("2026-05-02"),
		AmountCents: 98765, Reference: "Applied to 2026-0042", PaymentID: ptr(500), MatterNumber: "M-1"}
	got, err := posting.TrustTransferEntry(x, trustAcct, "58")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Line) != 2 {
		t.Fatalf("%d lines", len(got.Line))
	}
	var debit, credit int64
	for _, l := range got.Line {
		d := l.JournalEntryLineDetail
		switch d.PostingType {
		case qbo.Debit:
			debit += l.Amount.Cents()
			if d.AccountRef.Value != "36" || d.Entity == nil || d.Entity.Type != "Customer" || d.Entity.EntityRef.Value != "58" {
				t.Errorf("debit line = %+v", d)
			}
		case qbo.Credit:
			credit += l.Amount.Cents()
			if d.AccountRef.Value != "35" {
				t.Errorf("credit line = %+v", d)
			}
		}
	}
	if debit != 98765 || credit != 98765 {
		t.Errorf("debits %d credits %d, want 98765 each", debit, credit)
	}
	if got.DocNumber != "Applied to 2026-0042" || got.TxnDate != "2026-05-02" || !posting.HasMarker(got.PrivateNote, "qbosync:trust_transfer:77") {
		t.Errorf("header = %+v", got)
	}
	x.Reference = "Applied to invoice 2026-0042"
	if got, _ := posting.TrustTransferEntry(x, trustAcct, "58"); got.DocNumber != "" {
		t.Errorf("a reference longer than 21 characters became DocNumber %q", got.DocNumber)
	}
	x.Kind = pms.TrustDeposit
	if _, err := posting.TrustTransferEntry(x, trustAcct, "58"); err == nil {
		t.Error("a deposit was posted as a transfer")
	}
}

func TestTrustDisbursementIsACheckFromTrustOnTheLiability(t *testing.T) {
	x := pms.TrustTransaction{ID: 88, BankAccountID: 3, MatterID: 2, Kind: pms.TrustDisbursement, TxnOn: day("2026-06-30"),
		AmountCents: 1234567, Payee: "Pacific Title & Escrow Co.", Reference: "Trust check 1001", MatterNumber: "M-2"}
	got, err := posting.TrustDisbursement(x, trustAcct, "59", "42", settings.PaymentCheck)
	if err != nil {
		t.Fatal(err)
	}
	if got.PaymentType != qbo.PaymentCheck || got.AccountRef.Value != "35" || got.EntityRef.Value != "42" || got.EntityRef.Type != "Vendor" {
		t.Errorf("header = %+v", got)
	}
	if got.PrintStatus != "NotSet" {
		t.Errorf("a check written in the practice system is queued for printing: %q", got.PrintStatus)
	}
	if got.DocNumber != "Trust check 1001" || got.TxnDate != "2026-06-30" || !posting.HasMarker(got.PrivateNote, "qbosync:trust_disbursement:88") {
		t.Errorf("header = %+v", got)
	}
	if len(got.Line) != 1 {
		t.Fatalf("%d lines", len(got.Line))
	}
	l := got.Line[0]
	d := l.AccountBasedExpenseLineDetail
	if l.DetailType != qbo.AccountExpenseLine || l.Amount.Cents() != 1234567 || d.AccountRef.Value != "36" || d.CustomerRef.Value != "59" || d.BillableStatus != qbo.NotBillable {
		t.Errorf("line = %+v %+v", l, d)
	}

	cash, err := posting.TrustDisbursement(x, trustAcct, "59", "42", settings.PaymentCash)
	if err != nil || cash.PaymentType != qbo.PaymentCash || cash.PrintStatus != "" {
		t.Errorf("cash: %+v %v", cash, err)
	}
	if _, err := posting.TrustDisbursement(x, trustAcct, "59", "42", "card"); err == nil {
		t.Error("an unknown payment type was accepted")
	}
	if _, err := posting.TrustDisbursement(x, trustAcct, "59", "", settings.PaymentCheck); err == nil {
		t.Error("no vendor was accepted")
	}
}
