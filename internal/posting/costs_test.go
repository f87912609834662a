package posting_test

import (
	"strings"
	"testing"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/settings"
)

func hardCost() pms.Expense {
	return pms.Expense{ID: 31, MatterID: 7, ClientID: 2, Kind: pms.ExpenseHard, IncurredOn: day("2026-02-17"),
		Description: "Court filing fee", Quantity: "1.00", UnitPriceCents: 43550, AmountCents: 43550,
		Payee: "Clerk of the Superior Court", PaidFromAccountID: ptr(1), CheckNumber: "5001", Billable: true, MatterNumber: "2024-0007"}
}

func TestHardCostPurchaseToTheCent(t *testing.T) {
	got, err := posting.HardCostPurchase(hardCost(), "10", "80", "99", "42", settings.PaymentCheck)
	if err != nil {
		t.Fatal(err)
	}
	if got.PaymentType != qbo.PaymentCheck || got.AccountRef.Value != "10" || got.EntityRef.Value != "42" || got.EntityRef.Type != "Vendor" {
		t.Errorf("header = %+v", got)
	}
	if got.DocNumber != "5001" || got.TxnDate != "2026-02-17" || got.PrintStatus != "NotSet" {
		t.Errorf("header = %+v", got)
	}
	if !posting.HasMarker(got.PrivateNote, "qbosync:hard_cost:31") || posting.HasMarker(got.PrivateNote, "qbosync:hard_cost:3") {
		t.Errorf("marker wrong in %q", got.PrivateNote)
	}
	if len(got.Line) != 1 {
		t.Fatalf("%d lines", len(got.Line))
	}
	l := got.Line[0]
	d := l.AccountBasedExpenseLineDetail
	if l.DetailType != qbo.AccountExpenseLine || l.Amount.Cents() != 43550 || l.Description != "Court filing fee" {
		t.Errorf("line = %+v", l)
	}
	// Billable in the practice system, but billed there: QuickBooks must never offer it.
	if d.AccountRef.Value != "80" || d.CustomerRef.Value != "99" || d.BillableStatus != qbo.NotBillable {
		t.Errorf("line detail = %+v", d)
	}
}

func TestHardCostOptions(t *testing.T) {
	x := hardCost()
	x.Billable = false
	x.CheckNumber = "EFT-2026-02-17-0000123" // 22 characters: no DocNumber
	got, err := posting.HardCostPurchase(x, "10", "80", "99", "42", settings.PaymentCash)
	if err != nil {
		t.Fatal(err)
	}
	if got.PaymentType != qbo.PaymentCash || got.PrintStatus != "" || got.DocNumber != "" {
		t.Errorf("header = %+v", got)
	}
	if s := got.Line[0].AccountBasedExpenseLineDetail.BillableStatus; s != qbo.NotBillable {
		t.Errorf("a cost the firm does not bill is %s", s)
	}
	for _, bad := range [][5]string{{"", "80", "99", "42", "check"}, {"10", "", "99", "42", "check"}, {"10", "80", "", "42", "check"}, {"10", "80", "99", "", "check"}, {"10", "80", "99", "42", "card"}} {
		if _, err := posting.HardCostPurchase(hardCost(), bad[0], bad[1], bad[2], bad[3], bad[4]); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestHardCostRefusals(t *testing.T) {
	soft := hardCost()
	soft.Kind, soft.Payee, soft.PaidFromAccountID, soft.CheckNumber = pms.ExpenseSoft, "", nil, ""
	_, err := posting.HardCostPurchase(soft, "10", "80", "99", "42", settings.PaymentCheck)
	ie := itemErr(t, err, "qbosync:not-a-hard-cost", "kind")
	if !strings.Contains(ie.Explanation, "Soft costs") {
		t.Errorf("explanation %q", ie.Explanation)
	}

	zero := hardCost()
	zero.AmountCents = 0
	_, err = posting.HardCostPurchase(zero, "10", "80", "99", "42", settings.PaymentCheck)
	ie = itemErr(t, err, "qbosync:non-positive-amount", "amount_cents")
	if !strings.Contains(ie.Explanation, "$0.00") {
		t.Errorf("explanation %q", ie.Explanation)
	}
}
