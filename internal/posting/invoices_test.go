package posting_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/qbo"
)

var items = map[string]string{"fees": "11", "flat_fees": "12", "hard_costs": "13", "soft_costs": "14", "interest": "15"}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func invoice(total int64, lines ...pms.InvoiceLine) pms.Invoice {
	for i := range lines {
		lines[i].LineNo = i + 1
	}
	return pms.Invoice{ID: 42, Number: "2026-0042", MatterID: 7, Status: "approved",
		IssuedOn: day("2026-03-01"), DueOn: day("2026-03-31"), TotalCents: total, Lines: lines}
}

func lineSum(t *testing.T, inv qbo.Invoice) int64 {
	t.Helper()
	var sum int64
	for _, l := range inv.Line {
		sum += l.Amount.Cents()
	}
	return sum
}

func TestAggregateInvoiceOneLinePerItemTypeToTheCent(t *testing.T) {
	// 1.5 h × $300.00 = $450.00 and 0.3 h × $250.00 = $75.00 of fees; a $35.25 filing fee;
	// 2 copies at $0.15; total $560.55.
	inv := invoice(56055,
		pms.InvoiceLine{ItemType: "fees", Quantity: "1.50", RateCents: 30000, AmountCents: 45000},
		pms.InvoiceLine{ItemType: "hard_costs", Quantity: "1.00", RateCents: 3525, AmountCents: 3525},
		pms.InvoiceLine{ItemType: "fees", Quantity: "0.30", RateCents: 25000, AmountCents: 7500},
		pms.InvoiceLine{ItemType: "soft_costs", Quantity: "2.00", RateCents: 15, AmountCents: 30},
	)
	got, err := posting.QBOInvoice(inv, "99", posting.InvoiceOptions{Lines: posting.LinesAggregate, DocNumberPrefix: "QS-", Items: items})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		item   string
		amount int64
	}{{"11", 52500}, {"13", 3525}, {"14", 30}}
	if len(got.Line) != len(want) {
		t.Fatalf("%d lines, want %d: %+v", len(got.Line), len(want), got.Line)
	}
	for i, w := range want {
		l := got.Line[i]
		if l.SalesItemLineDetail.ItemRef.Value != w.item || l.Amount.Cents() != w.amount || l.SalesItemLineDetail.Qty != "1" {
			t.Errorf("line %d = item %s amount %d qty %s, want item %s amount %d qty 1", i, l.SalesItemLineDetail.ItemRef.Value, l.Amount.Cents(), l.SalesItemLineDetail.Qty, w.item, w.amount)
		}
	}
	if lineSum(t, got) != 56055 {
		t.Errorf("lines sum to %d, want 56055", lineSum(t, got))
	}
	if got.DocNumber != "QS-2026-0042" || got.TxnDate != "2026-03-01" || got.DueDate != "2026-03-31" || got.CustomerRef.Value != "99" {
		t.Errorf("header = %+v", got)
	}
	if !posting.HasMarker(got.PrivateNote, "qbosync:invoice:42") {
		t.Errorf("no marker in %q", got.PrivateNote)
	}
}

func TestIndividualInvoiceLinesKeepHoursRateAndThePracticeAmount(t *testing.T) {
	svc := day("2026-02-14")
	inv := invoice(75000+4142+3525,
		// 2.5 h × $300.00 = $750.00 exactly.
		pms.InvoiceLine{ItemType: "fees", Quantity: "2.50", RateCents: 30000, AmountCents: 75000, Timekeeper: "Ann O'Neil", Description: "Draft: motion", ServiceOn: &svc},
		// 0.33 h × $125.50 = $41.415: the practice rounded half up to $41.42, as QBO does.
		pms.InvoiceLine{ItemType: "fees", Quantity: "0.33", RateCents: 12550, AmountCents: 4142, Timekeeper: "Bo Li", Description: "Call"},
		pms.InvoiceLine{ItemType: "hard_costs", Quantity: "1.00", RateCents: 3525, AmountCents: 3525, Description: "Filing fee"},
	)
	got, err := posting.QBOInvoice(inv, "99", posting.InvoiceOptions{Lines: posting.LinesIndividual, Items: items})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Line) != 3 || lineSum(t, got) != inv.TotalCents {
		t.Fatalf("%d lines summing to %d, want 3 summing to %d", len(got.Line), lineSum(t, got), inv.TotalCents)
	}
	first := got.Line[0]
	if first.SalesItemLineDetail.Qty != "2.50" || first.SalesItemLineDetail.UnitPrice != "300.00" || first.SalesItemLineDetail.ServiceDate != "2026-02-14" {
		t.Errorf("first line detail = %+v", first.SalesItemLineDetail)
	}
	if first.Description != "Ann O'Neil: Draft - motion" {
		t.Errorf("first line description = %q", first.Description)
	}
	if second := got.Line[1]; second.SalesItemLineDetail.Qty != "0.33" || second.Amount.Cents() != 4142 {
		t.Errorf("rounded line = %+v amount %d", second.SalesItemLineDetail, second.Amount.Cents())
	}
}

func TestIndividualLineWhoseAmountIsNotHoursTimesRateKeepsTheAmount(t *testing.T) {
	// The practice rounded 0.33 h × $125.50 down to $41.41; hours × rate would say $41.42.
	inv := invoice(4141, pms.InvoiceLine{ItemType: "fees", Quantity: "0.33", RateCents: 12550, AmountCents: 4141, Description: "Call"})
	got, err := posting.QBOInvoice(inv, "99", posting.InvoiceOptions{Lines: posting.LinesIndividual, Items: items})
	if err != nil {
		t.Fatal(err)
	}
	l := got.Line[0]
	if l.Amount.Cents() != 4141 || l.SalesItemLineDetail.Qty != "1" || l.SalesItemLineDetail.UnitPrice != "41.41" {
		t.Errorf("line = %+v amount %d, want one unit of $41.41", l.SalesItemLineDetail, l.Amount.Cents())
	}
	if !strings.Contains(l.Description, "0.33 × $125.50") {
		t.Errorf("hours and rate not named: %q", l.Description)
	}
}

func TestInvoiceThatDoesNotAddUpIsRefusedWithTheDifference(t *testing.T) {
	inv := invoice(10001, pms.InvoiceLine{ItemType: "fees", Quantity: "1.00", RateCents: 10000, AmountCents: 10000})
	_, err := posting.QBOInvoice(inv, "99", posting.InvoiceOptions{Lines: posting.LinesAggregate, Items: items})
	var ie *posting.ItemError
	if !errors.As(err, &ie) || ie.Code != "qbosync:invoice-unbalanced" {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"$100.00", "$100.01", "practice system"} {
		if !strings.Contains(ie.Explanation, want) {
			t.Errorf("explanation %q lacks %q", ie.Explanation, want)
		}
	}
}

func TestInvoiceNumberTooLongForQBO(t *testing.T) {
	inv := invoice(100, pms.InvoiceLine{ItemType: "fees", Quantity: "1.00", RateCents: 100, AmountCents: 100})
	inv.Number = "2026-000000000000042"
	_, err := posting.QBOInvoice(inv, "99", posting.InvoiceOptions{Lines: posting.LinesAggregate, DocNumberPrefix: "ACME-", Items: items})
	var ie *posting.ItemError
	if !errors.As(err, &ie) || ie.Field != "invoice_number" || !strings.Contains(ie.Explanation, "prefix") {
		t.Fatalf("err = %v", err)
	}
}

func TestZeroInvoiceStillHasALine(t *testing.T) {
	got, err := posting.QBOInvoice(invoice(0), "99", posting.InvoiceOptions{Lines: posting.LinesIndividual, Items: items})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Line) != 1 || got.Line[0].Amount != 0 {
		t.Fatalf("lines = %+v", got.Line)
	}
}
