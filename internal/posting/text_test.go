package posting_test

// The text a bookkeeper reads in QuickBooks and the document numbers qbosync sends
// (docs/design.md, "Text a bookkeeper reads"; docs/qbo-api.md, "Document numbers").

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
)

// plainThenMarker checks an internal note: the plain words want, then the marker, and
// the marker nowhere else.
func plainThenMarker(t *testing.T, what, note, want, marker string) {
	t.Helper()
	if note != want+" · "+marker {
		t.Errorf("%s: note %q, want %q", what, note, want+" · "+marker)
	}
}

func TestNotesSayWhatTheObjectIsThenTheMarker(t *testing.T) {
	inv := invoice(100, pms.InvoiceLine{ItemType: "fees", Quantity: "1.00", RateCents: 100, AmountCents: 100})
	inv.FirmID = 3
	memoless, err := posting.QBOInvoice(inv, "99", posting.InvoiceOptions{Lines: posting.LinesAggregate, DocNumberPrefix: "QS-", Items: items})
	if err != nil {
		t.Fatal(err)
	}
	inv.Memo = "  Retainer\treplenishment "
	withMemo, _ := posting.QBOInvoice(inv, "99", posting.InvoiceOptions{Lines: posting.LinesAggregate, Items: items})

	pay := func(source, method, ref string) pms.Payment {
		return pms.Payment{ID: 9, FirmID: 3, Source: source, Method: method, Reference: ref, ReceivedOn: day("2026-04-02"), AmountCents: 100}
	}
	part := posting.PaymentPart{Key: "9-7", MatterNumber: "2026-0007", CustomerID: "58"}
	adj := pms.Adjustment{ID: 3, FirmID: 3, InvoiceID: 42, Kind: "write_off", AdjustedOn: day("2026-05-01"), AmountCents: 1234, Reason: "Goodwill", CreditNumber: 1}

	for _, c := range []struct{ what, note, want, marker string }{
		{"invoice without a memo", memoless.PrivateNote, "Synced from the practice system · invoice QS-2026-0042", "qbosync:invoice:42/f3"},
		{"invoice with a memo", withMemo.PrivateNote, "Retainer replenishment", "qbosync:invoice:42/f3"},
		{"check payment", posting.QBOPayment(pay("operating", "check", "1042"), part, "").PrivateNote, "Check payment 1042 · matter 2026-0007", "qbosync:payment:9-7/f3"},
		{"payment from trust", posting.QBOPayment(pay("trust", "trust", "Trust transfer"), part, "").PrivateNote, "Paid from trust funds · matter 2026-0007", "qbosync:payment:9-7/f3"},
		{"wire without a reference", posting.QBOPayment(pay("operating", "wire", ""), part, "").PrivateNote, "Wire payment · matter 2026-0007", "qbosync:payment:9-7/f3"},
		{"credit memo", posting.AdjustmentCreditMemo(adj, "QS-2026-0042", "58", "16").PrivateNote, "Write-off: Goodwill on invoice QS-2026-0042", "qbosync:adjustment:42-3/f3"},
		{"deposit of a payment's parts", posting.PaymentDeposit(pay("operating", "check", "1042"), []posting.GatheredPart{{PaymentID: "1", AmountCents: 60}, {PaymentID: "2", AmountCents: 40}}, "35").PrivateNote,
			"Check payment 1042 of $1.00 · one deposit for 2 matters", "qbosync:payment_deposit:9/f3"},
		{"applying payment", posting.ApplyingPayment(adj, "58", "130", "140").PrivateNote, "Write-off: Goodwill · credit applied to its invoice", "qbosync:adjustment_payment:42-3/f3"},
	} {
		plainThenMarker(t, c.what, c.note, c.want, c.marker)
	}

	cust, err := posting.ClientCustomer(pms.Client{ID: 12, FirmID: 3, Number: "C-0012", Name: "Hall Properties", Kind: "company"})
	if err != nil {
		t.Fatal(err)
	}
	plainThenMarker(t, "customer", cust.Notes, "Client C-0012 in the practice system", "qbosync:client:12/f3")
	job := posting.MatterJob(pms.Matter{ID: 7, FirmID: 3, Number: "2026-0007", Name: "Lease"}, "58")
	plainThenMarker(t, "sub-customer", job.Notes, "Matter 2026-0007 in the practice system", "qbosync:matter:7/f3")
}

func TestTrustTextNamesMatterWhatAndCheckOnce(t *testing.T) {
	transfer := pms.TrustTransaction{ID: 77, FirmID: 3, Kind: pms.TrustTransferToOperating, TxnOn: day("2026-05-02"), AmountCents: 500,
		Reference: "INV-1004", Description: "Applied to invoice INV-1004", MatterNumber: "2026-0007", PaymentID: ptr(12)}
	je, err := posting.TrustTransferEntry(transfer, trustAcct, "58")
	if err != nil {
		t.Fatal(err)
	}
	if je.Line[0].Description != "Matter 2026-0007 · Applied to invoice INV-1004" {
		t.Errorf("transfer line %q: the invoice number once", je.Line[0].Description)
	}
	plainThenMarker(t, "transfer", je.PrivateNote, "Trust funds moved to operating to pay the firm's invoice · Matter 2026-0007 · Applied to invoice INV-1004", "qbosync:trust_transfer:77/f3")

	d := pms.TrustTransaction{ID: 78, FirmID: 3, Kind: pms.TrustDisbursement, TxnOn: day("2026-05-02"), AmountCents: 500,
		Reference: "1042", Description: "Filing fee", Payee: "County  Clerk", MatterNumber: "2026-0007"}
	p, err := posting.TrustDisbursement(d, trustAcct, "58", "70", "check")
	if err != nil {
		t.Fatal(err)
	}
	if p.Line[0].Description != "Matter 2026-0007 · Filing fee · 1042" {
		t.Errorf("disbursement line %q", p.Line[0].Description)
	}
	plainThenMarker(t, "disbursement", p.PrivateNote, "Paid from trust to County Clerk · Matter 2026-0007 · Filing fee · 1042", "qbosync:trust_disbursement:78/f3")

	r := receipt(101, 1, 250000, "Check 1234")
	r.FirmID = 3
	dep, err := posting.ReceiptDeposit(r, trustAcct, "58")
	if err != nil {
		t.Fatal(err)
	}
	plainThenMarker(t, "receipt", dep.PrivateNote, "Client funds received into trust · Matter M-1 · Retainer · Check 1234", "qbosync:trust_receipt:101/f3")
	s := slip()
	s.FirmID = 3
	sd, err := posting.SlipDeposit(s, trustAcct, slipCustomers)
	if err != nil {
		t.Fatal(err)
	}
	plainThenMarker(t, "slip", sd.PrivateNote, "Deposit slip DS-0007 · 3 client receipts into trust", "qbosync:deposit_slip:9/f3")
}

func TestAggregateLinesSayWhatTheyHold(t *testing.T) {
	on := func(s string) *time.Time { d := day(s); return &d }
	for _, c := range []struct {
		name     string
		itemType string
		lines    []pms.InvoiceLine
		want     string
	}{
		{"time of two timekeepers over a month", "fees", []pms.InvoiceLine{
			{Timekeeper: "Ann O'Neil", Quantity: "2.50", ServiceOn: on("2026-03-02")},
			{Timekeeper: "Bo Li", Quantity: "2.50", ServiceOn: on("2026-03-27")},
			{Timekeeper: "Ann O'Neil", Quantity: "2.50", ServiceOn: on("2026-03-10")},
		}, "Legal services, Mar 2–27, 2026: 7.5 hours (Ann O'Neil 5, Bo Li 2.5)"},
		{"one hour on one day", "fees", []pms.InvoiceLine{{Timekeeper: "Bo Li", Quantity: "1.00", ServiceOn: on("2026-03-02")}},
			"Legal services, Mar 2, 2026: 1 hour (Bo Li 1)"},
		{"across months", "fees", []pms.InvoiceLine{
			{Timekeeper: "Bo Li", Quantity: "0.25", ServiceOn: on("2026-02-27")},
			{Quantity: "0.10", ServiceOn: on("2026-03-03")},
		}, "Legal services, Feb 27 – Mar 3, 2026: 0.35 hours (Bo Li 0.25)"},
		{"across years, no timekeeper", "fees", []pms.InvoiceLine{
			{Quantity: "3", ServiceOn: on("2025-12-30")}, {Quantity: "1.5", ServiceOn: on("2026-01-02")},
		}, "Legal services, Dec 30, 2025 – Jan 2, 2026: 4.5 hours"},
		{"hours that are not plain decimals are not guessed", "fees", []pms.InvoiceLine{{Quantity: "1.125"}, {Quantity: "2"}},
			"Legal services: 2 items"},
		{"costs, no dates", "hard_costs", []pms.InvoiceLine{{Quantity: "1"}, {Quantity: "1"}}, "Costs advanced: 2 items"},
		{"one flat fee", "flat_fees", []pms.InvoiceLine{{Quantity: "1", ServiceOn: on("2026-04-01")}}, "Flat fees, Apr 1, 2026: 1 item"},
	} {
		if got := posting.AggregateDescription(c.itemType, c.lines); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestDocumentNumbersAreUniqueAndKeepThePracticeNumber(t *testing.T) {
	for _, c := range []struct {
		ref  string
		seq  int
		want string
	}{
		{"5001", 0, "5001"},
		{" 5001 ", 1, "5001-2"},
		{"5001", 9, "5001-10"},
		{"", 3, ""},
		{"123456789012345678901", 0, "123456789012345678901"}, // 21: fits
		{"123456789012345678901", 1, "3456789012345678901-2"}, // the suffix stays, the start goes
		{"1234567890123456789012", 0, ""},                     // 22: no DocNumber, as before
	} {
		got := posting.UniqueDocNumber(c.ref, c.seq)
		if got != c.want || utf8.RuneCountInString(got) > posting.MaxDocNumber {
			t.Errorf("UniqueDocNumber(%q, %d) = %q, want %q", c.ref, c.seq, got, c.want)
		}
	}
	for _, c := range []struct {
		invoice string
		n       int
		want    string
	}{
		{"INV-1004", 1, "INV-1004-C1"},
		{"QS-2026-0042", 12, "QS-2026-0042-C12"},
		{"ACME-2026-000000042", 2, "CME-2026-000000042-C2"}, // 19 + 3 > 21: the start goes
		{"INV-7", 0, "INV-7-C1"},
	} {
		if got := posting.CreditMemoDocNumber(c.invoice, c.n); got != c.want || len(got) > posting.MaxDocNumber {
			t.Errorf("CreditMemoDocNumber(%q, %d) = %q, want %q", c.invoice, c.n, got, c.want)
		}
	}

	// Two costs on one check, and two transfers for one invoice, post with different
	// numbers; the check number stays readable in the memo.
	x := pms.Expense{ID: 31, FirmID: 3, Kind: pms.ExpenseHard, IncurredOn: day("2026-02-17"), AmountCents: 100, Payee: "Clerk",
		CheckNumber: "5001", MatterNumber: "2026-0007", DocNumberSeq: 1}
	p, err := posting.HardCostPurchase(x, "35", "80", "58", "70", "cash")
	if err != nil {
		t.Fatal(err)
	}
	if p.DocNumber != "5001-2" || !strings.Contains(p.PrivateNote, "check 5001") {
		t.Errorf("second cost on check 5001: DocNumber %q, note %q", p.DocNumber, p.PrivateNote)
	}
	tr := pms.TrustTransaction{ID: 78, Kind: pms.TrustTransferToOperating, TxnOn: day("2026-05-02"), AmountCents: 5, Reference: "INV-1004", DocNumberSeq: 1}
	if je, _ := posting.TrustTransferEntry(tr, trustAcct, "58"); je.DocNumber != "INV-1004-2" {
		t.Errorf("second transfer for INV-1004: DocNumber %q", je.DocNumber)
	}
	memo := posting.AdjustmentCreditMemo(pms.Adjustment{ID: 4, InvoiceID: 42, Kind: "credit", AmountCents: 5, CreditNumber: 2}, "INV-1004", "58", "16")
	if memo.DocNumber != "INV-1004-C2" || memo.Line[0].Description != "Credit on invoice INV-1004" {
		t.Errorf("credit memo %q: %q", memo.DocNumber, memo.Line[0].Description)
	}
}
