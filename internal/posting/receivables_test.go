package posting_test

import (
	"strings"
	"testing"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/qbo"
)

func TestPaymentPartPaysItsInvoicesAndKeepsTheRest(t *testing.T) {
	p := pms.Payment{ID: 9, Source: "operating", ReceivedOn: day("2026-04-02"), AmountCents: 100_00,
		Method: "check", Reference: "A very long check reference 0001"}
	part := posting.PaymentPart{Key: posting.PaymentKey(9, 7), MatterNumber: "M-7", CustomerID: "58",
		Lines: []posting.PaymentLine{{InvoiceID: "130", AmountCents: 60_01}, {InvoiceID: "131", AmountCents: 39_00}}, UnappliedCents: 99}
	got := posting.QBOPayment(p, part, "")
	if got.TotalAmt.Cents() != 100_00 {
		t.Errorf("TotalAmt %v, want the payment's $100.00 (lines plus what is left unapplied)", got.TotalAmt)
	}
	if len(got.Line) != 2 || got.Line[0].LinkedTxn[0].TxnID != "130" || got.Line[1].Amount.Cents() != 39_00 {
		t.Errorf("lines %+v", got.Line)
	}
	if got.DepositToAccountRef != nil {
		t.Error("no deposit account given, yet one is set: Undeposited Funds is QBO's default")
	}
	if n := len([]rune(got.PaymentRefNum)); n > posting.MaxPaymentRefNum {
		t.Errorf("PaymentRefNum %q is %d characters", got.PaymentRefNum, n)
	}
	if !posting.HasMarker(got.PrivateNote, "qbosync:payment:9-7") {
		t.Errorf("marker missing from %q", got.PrivateNote)
	}
	if got := posting.QBOPayment(p, part, "35"); got.DepositToAccountRef == nil || got.DepositToAccountRef.Value != "35" {
		t.Errorf("deposit account %+v, want 35", got.DepositToAccountRef)
	}
}

func TestWriteOffIsACreditMemoAppliedByAZeroPayment(t *testing.T) {
	a := pms.Adjustment{ID: 3, InvoiceID: 42, Kind: "write_off", AdjustedOn: day("2026-05-01"), AmountCents: 12_34, Reason: "Goodwill: loyal client"}
	memo := posting.AdjustmentCreditMemo(a, "2026-0042", "58", "16")
	if len(memo.Line) != 1 || memo.Line[0].Amount.Cents() != 12_34 || memo.Line[0].SalesItemLineDetail.ItemRef.Value != "16" {
		t.Errorf("credit memo lines %+v", memo.Line)
	}
	if !posting.HasMarker(memo.PrivateNote, "qbosync:adjustment:42-3") || strings.Contains(memo.Line[0].Description, ":  ") {
		t.Errorf("note %q, description %q", memo.PrivateNote, memo.Line[0].Description)
	}
	pay := posting.ApplyingPayment(a, "58", "130", "140")
	if pay.TotalAmt.Cents() != 0 || len(pay.Line) != 2 {
		t.Fatalf("applying payment %+v", pay)
	}
	for i, want := range []qbo.LinkedTxn{{TxnID: "130", TxnType: "Invoice"}, {TxnID: "140", TxnType: "CreditMemo"}} {
		if pay.Line[i].LinkedTxn[0] != want || pay.Line[i].Amount.Cents() != 12_34 {
			t.Errorf("line %d: %+v, want %+v for $12.34", i, pay.Line[i], want)
		}
	}
}

func TestAdjustmentsOnTheInvoice(t *testing.T) {
	inv := invoice(500_00, pms.InvoiceLine{ItemType: "fees", Quantity: "2", RateCents: 250_00, AmountCents: 500_00})
	adjs := []pms.Adjustment{
		{ID: 1, InvoiceID: 42, Kind: "debit", AdjustedOn: day("2026-04-10"), AmountCents: 25_00, Reason: "Late payment charge"},
		{ID: 2, InvoiceID: 42, Kind: "credit", AdjustedOn: day("2026-04-11"), AmountCents: 10_00},
		{ID: 3, InvoiceID: 42, Kind: "write_off", AdjustedOn: day("2026-04-12"), AmountCents: 5_01},
	}
	for _, tc := range []struct {
		asDiscount bool
		total      int64 // sales lines less discounts
	}{{false, 525_00}, {true, 509_99}} {
		q, err := posting.QBOInvoice(inv, "58", posting.InvoiceOptions{Lines: posting.LinesAggregate, Items: items})
		if err != nil {
			t.Fatal(err)
		}
		if err := posting.AddAdjustments(&q, adjs, items, tc.asDiscount, "90"); err != nil {
			t.Fatal(err)
		}
		var total int64
		interest := 0
		for _, l := range q.Line {
			if strings.Contains(l.Description, "Late payment charge") {
				interest++
				if got := l.SalesItemLineDetail.ItemRef.Value; got != items["interest"] || l.Amount.Cents() != 25_00 {
					t.Errorf("the late payment charge posts %d cents with item %s, want 2500 with the Interest item %s", l.Amount.Cents(), got, items["interest"])
				}
			}
			if l.DetailType == qbo.DiscountLine {
				total -= l.Amount.Cents()
				if l.DiscountLineDetail.DiscountAccountRef.Value != "90" {
					t.Error("discount not posted to the write-off account")
				}
				continue
			}
			total += l.Amount.Cents()
		}
		if total != tc.total {
			t.Errorf("discount lines %v: invoice comes to %d cents, want %d", tc.asDiscount, total, tc.total)
		}
		if interest != 1 {
			t.Errorf("%d lines for the late payment charge, want 1", interest)
		}
	}
}
