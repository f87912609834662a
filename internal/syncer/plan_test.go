package syncer

// Table tests of the categories' plans: pure functions of the loaded facts, so each
// case builds the facts by hand and reads the plan, without a database or QuickBooks.

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/store"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func ptr(v int64) *int64 { return &v }

// testBasis is a firm (id 5) with one operating account (1) and one trust account (3),
// the default settings, every ledger item set up, and books starting 2026-01-01.
func testBasis(change func(*settings.Settings)) basis {
	s := settings.Defaults(settings.Firm{ID: 5, BankAccounts: []settings.BankAccount{
		{ID: 1, Name: "Operating", Kind: "operating"}, {ID: 3, Name: "Trust", Kind: "trust"}}})
	s.SyncOptions.StartDate = "2026-01-01"
	if change != nil {
		change(&s)
	}
	b := &books{Settings: s, start: day(s.SyncOptions.StartDate), items: map[string]string{}}
	for t := range itemTypes {
		b.items[t] = "item-" + t
	}
	return basis{firm: 5, books: b, scope: posting.Scope{Start: b.start, AllUnpaidInvoices: s.SyncOptions.SyncAllUnpaidInvoices}}
}

// summary is a plan in words, one line per decision, in the plan's order:
// "fail <kind> <key> <code>", "retire <kind> <key> void|delete", "hold <kind> <key>",
// "write <entity> <kind> <key>", "need payee <payee>".
func summary(p plan) []string {
	var out []string
	for _, f := range p.failures {
		code := "not an item failure: " + f.err.Error()
		if itf := asItemFailure(f.err); itf != nil {
			code = itf.Code
		}
		out = append(out, fmt.Sprintf("fail %s %s %s", f.it.Kind, f.it.Key, code))
	}
	for _, r := range p.retire {
		how := "delete"
		if r.void {
			how = "void"
		}
		out = append(out, fmt.Sprintf("retire %s %s %s", r.it.Kind, r.it.Key, how))
	}
	for _, c := range p.customers {
		out = append(out, fmt.Sprintf("hold %s %s", c.it.Kind, c.it.Key))
	}
	for _, w := range p.writes {
		out = append(out, fmt.Sprintf("write %s %s %s", w.entity, w.it.Kind, w.it.Key))
	}
	for _, payee := range p.payees {
		out = append(out, "need payee "+payee)
	}
	return out
}

func checkPlan(t *testing.T, got plan, want ...string) {
	t.Helper()
	if s := summary(got); !slices.Equal(s, want) {
		t.Errorf("plan:\n  %s\nwant:\n  %s", strings.Join(s, "\n  "), strings.Join(want, "\n  "))
	}
	for _, w := range got.writes {
		if w.it.Marker == "" || w.date == "" || w.it.Label == "" {
			t.Errorf("write %s %s: marker %q, date %q, label %q: a write needs all three (lookup after a lost answer, the failed-items list)",
				w.it.Kind, w.it.Key, w.it.Marker, w.date, w.it.Label)
		}
	}
}

func mapping(kind, key, id string) store.Mapping {
	return store.Mapping{Kind: kind, SourceKey: key, QBOEntity: "Invoice", QBOID: id, SyncToken: "0"}
}

func testInvoice(id int64, status, issued string) pms.Invoice {
	return pms.Invoice{ID: id, Number: fmt.Sprintf("INV-%d", id), MatterID: 7, MatterNumber: "M-7", Status: status,
		IssuedOn: day(issued), DueOn: day(issued).AddDate(0, 0, 30), TotalCents: 450_00,
		Lines: []pms.InvoiceLine{{LineNo: 1, ItemType: "fees", Quantity: "1.50", RateCents: 300_00, AmountCents: 450_00}}}
}

// invoiceFactsOf are the facts of a page of the given invoices: each exists unless
// it is in deleted, is unpaid unless paid, and goes to matter 7's customer "58".
func invoiceFactsOf(b basis, invs []pms.Invoice, deleted []int64, paid ...int64) invoiceFacts {
	f := invoiceFacts{basis: b, invs: invs, states: map[int64]pms.InvoiceState{}, mapped: map[string]store.Mapping{},
		customers: map[int64]string{7: "58"}, adjs: map[int64][]pms.Adjustment{}, writeOffAccount: "90"}
	for _, inv := range invs {
		f.ids = append(f.ids, inv.ID)
		unpaid := inv.TotalCents
		if slices.Contains(paid, inv.ID) {
			unpaid = 0
		}
		f.states[inv.ID] = pms.InvoiceState{ID: inv.ID, Status: inv.Status, IssuedOn: inv.IssuedOn, UnpaidCents: unpaid}
	}
	f.ids = append(f.ids, deleted...)
	slices.Sort(f.ids)
	return f
}

func TestPlanInvoices(t *testing.T) {
	inBooks := func(f *invoiceFacts, ids ...int64) {
		for _, id := range ids {
			key := fmt.Sprint(id)
			f.mapped[key] = mapping(posting.KindInvoice, key, "q"+key)
		}
	}
	cases := []struct {
		name   string
		change func(*settings.Settings)
		facts  func(b basis) invoiceFacts
		want   []string
	}{
		{"an approved invoice dated from the start date posts", nil, func(b basis) invoiceFacts {
			return invoiceFactsOf(b, []pms.Invoice{testInvoice(1, "approved", "2026-01-01")}, nil)
		}, []string{"write Invoice invoice 1"}},
		{"before the start date: paid stays out, unpaid comes with sync-all-unpaid", nil, func(b basis) invoiceFacts {
			return invoiceFactsOf(b, []pms.Invoice{testInvoice(1, "approved", "2025-12-31"), testInvoice(2, "approved", "2025-12-31")}, nil, 1)
		}, []string{"write Invoice invoice 2"}},
		{"before the start date without sync-all-unpaid: out, unless already in the books",
			func(s *settings.Settings) { s.SyncOptions.SyncAllUnpaidInvoices = false }, func(b basis) invoiceFacts {
				f := invoiceFactsOf(b, []pms.Invoice{testInvoice(1, "approved", "2025-06-01"), testInvoice(2, "approved", "2025-06-01")}, nil)
				inBooks(&f, 2)
				return f
			}, []string{"write Invoice invoice 2"}},
		{"voided is voided, back to draft is deleted, deleted is deleted; never posted is left alone", nil, func(b basis) invoiceFacts {
			f := invoiceFactsOf(b, []pms.Invoice{testInvoice(1, "void", "2026-02-01"), testInvoice(2, "draft", "2026-02-01"), testInvoice(4, "void", "2026-02-01")}, []int64{3})
			inBooks(&f, 1, 2, 3)
			return f
		}, []string{"retire invoice 3 delete", "retire invoice 1 void", "retire invoice 2 delete"}},
		{"a draft never posts", nil, func(b basis) invoiceFacts {
			return invoiceFactsOf(b, []pms.Invoice{testInvoice(1, "draft", "2026-02-01")}, nil)
		}, nil},
		{"a matter whose customer is not in QuickBooks waits", nil, func(b basis) invoiceFacts {
			f := invoiceFactsOf(b, []pms.Invoice{testInvoice(1, "approved", "2026-02-01")}, nil)
			f.customers = map[int64]string{}
			return f
		}, []string{"fail invoice 1 " + waitingForMatter}},
		{"an item not set up in QuickBooks: the invoice waits", nil, func(b basis) invoiceFacts {
			b.books.items = map[string]string{"fees": "11"}
			return invoiceFactsOf(b, []pms.Invoice{testInvoice(1, "approved", "2026-02-01")}, nil)
		}, []string{"fail invoice 1 " + waitingForLedger}},
		{"an invoice that does not add up is refused, the rest posts", nil, func(b basis) invoiceFacts {
			bad := testInvoice(1, "approved", "2026-02-01")
			bad.TotalCents++
			return invoiceFactsOf(b, []pms.Invoice{bad, testInvoice(2, "approved", "2026-02-01")}, nil)
		}, []string{"fail invoice 1 qbosync:invoice-unbalanced", "write Invoice invoice 2"}},
		{"invoices off: nothing posts, and what is in the books still retires",
			func(s *settings.Settings) { s.Invoices.SyncInvoices = false }, func(b basis) invoiceFacts {
				f := invoiceFactsOf(b, []pms.Invoice{testInvoice(1, "approved", "2026-02-01"), testInvoice(2, "void", "2026-02-01")}, nil)
				inBooks(&f, 2)
				return f
			}, []string{"retire invoice 2 void"}},
		{"a backfill brings what it was asked for", func(s *settings.Settings) { s.SyncOptions.SyncAllUnpaidInvoices = false }, func(b basis) invoiceFacts {
			b.scope.Backfill = &pms.BackfillFilter{Since: day("2025-06-01")}
			return invoiceFactsOf(b, []pms.Invoice{testInvoice(1, "approved", "2025-06-01"), testInvoice(2, "approved", "2025-05-31")}, nil, 2)
		}, []string{"write Invoice invoice 1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkPlan(t, planInvoices(c.facts(testBasis(c.change))), c.want...)
		})
	}
}

func TestPlanInvoicesDiscountLinesPostOnTheInvoice(t *testing.T) {
	b := testBasis(func(s *settings.Settings) { s.WriteOffs.Method = settings.WriteOffDiscountLine })
	f := invoiceFactsOf(b, []pms.Invoice{testInvoice(1, "approved", "2026-02-01")}, nil)
	f.adjs[1] = []pms.Adjustment{{ID: 8, InvoiceID: 1, Kind: "write_off", AdjustedOn: day("2026-03-01"), AmountCents: 50_00, Reason: "courtesy"}}
	p := planInvoices(f)
	checkPlan(t, p, "write Invoice invoice 1")
	inv := p.writes[0].body.(qbo.Invoice)
	var total int64
	for _, l := range inv.Line {
		if l.DetailType == "DiscountLineDetail" {
			total -= l.Amount.Cents()
		} else if l.DetailType == "SalesItemLineDetail" {
			total += l.Amount.Cents()
		}
	}
	if total != 400_00 {
		t.Errorf("invoice nets %d cents, want 40000 ($450.00 less the $50.00 write-off on a discount line)", total)
	}
	if got := (invoiceFacts{basis: b}).asDiscount(); !got {
		t.Error("asDiscount is false with the discount-line method")
	}
}

func TestPlanCreditMemos(t *testing.T) {
	b := testBasis(nil)
	f := invoiceFactsOf(b, []pms.Invoice{testInvoice(1, "approved", "2026-02-01"), testInvoice(2, "approved", "2026-02-01")}, nil)
	f.adjs[1] = []pms.Adjustment{
		{ID: 8, InvoiceID: 1, Kind: "write_off", AdjustedOn: day("2026-03-01"), AmountCents: 50_00},
		{ID: 9, InvoiceID: 1, Kind: "debit", AdjustedOn: day("2026-03-01"), AmountCents: 10_00}, // on the invoice itself
	}
	f.adjs[2] = []pms.Adjustment{{ID: 10, InvoiceID: 2, Kind: "credit", AdjustedOn: day("2026-03-02"), AmountCents: 5_00}}
	existing := map[int64][]store.Mapping{1: {
		{Kind: posting.KindAdjustmentPayment, SourceKey: "1-7", QBOID: "p7"}, {Kind: posting.KindAdjustment, SourceKey: "1-7", QBOID: "c7"},
		{Kind: posting.KindAdjustment, SourceKey: "1-8", QBOID: "c8"},
	}}
	// Invoice 2 failed: its credit waits for it, and nothing of it is retired.
	memos := planCreditMemos(f, map[string]string{"1": "q1"}, existing)
	checkPlan(t, memos.plan,
		"retire adjustment_payment 1-7 delete", "retire adjustment 1-7 delete", "write CreditMemo adjustment 1-8")
	apps := memos.applications(f.firm, map[string]string{"1-8": "c8"})
	checkPlan(t, apps, "write Payment adjustment_payment 1-8")
	if got := apps.writes[0].body.(qbo.Payment); got.TotalAmt.Cents() != 0 || got.Line[0].LinkedTxn[0].TxnID != "q1" || got.Line[1].LinkedTxn[0].TxnID != "c8" {
		t.Errorf("applying payment %+v: want $0.00 linking invoice q1 and memo c8", got)
	}
	if got := memos.applications(f.firm, nil); len(got.writes) != 0 {
		t.Errorf("a memo not in QuickBooks is applied: %v", summary(got))
	}
	b.books.items["write_offs"] = ""
	checkPlan(t, planCreditMemos(f, map[string]string{"1": "q1"}, nil).plan, "fail adjustment 1-8 "+waitingForLedger)
}

func testPayment(id int64, allocs ...pms.Allocation) pms.Payment {
	p := pms.Payment{ID: id, ClientID: 2, Source: "operating", BankAccountID: 1, ReceivedOn: day("2026-02-10"), Method: "check", Reference: "1001", Status: "posted"}
	for _, a := range allocs {
		a.PaymentID = id
		p.AmountCents += a.AmountCents
		p.Allocations = append(p.Allocations, a)
	}
	return p
}

func alloc(invoice, matter, cents int64) pms.Allocation {
	return pms.Allocation{InvoiceID: invoice, InvoiceNumber: fmt.Sprintf("INV-%d", invoice), MatterID: matter, MatterNumber: fmt.Sprintf("M-%d", matter), AmountCents: cents}
}

func TestPlanPayments(t *testing.T) {
	facts := func(b basis, pays ...pms.Payment) paymentFacts {
		f := paymentFacts{basis: b, payments: pays, parts: map[int64][]store.Mapping{},
			invoices: map[string]store.Mapping{"20": mapping(posting.KindInvoice, "20", "q20"), "21": mapping(posting.KindInvoice, "21", "q21")},
			states: map[int64]pms.InvoiceState{
				20: {ID: 20, Status: "approved", IssuedOn: day("2026-01-05"), UnpaidCents: 100_00},
				22: {ID: 22, Status: "approved", IssuedOn: day("2025-11-05")},                     // paid, before the start: out
				23: {ID: 23, Status: "approved", IssuedOn: day("2026-01-20"), UnpaidCents: 10_00}, // in scope, not synced yet
			},
			customers: map[int64]string{7: "58", 8: "59"},
			banks:     map[string]store.Mapping{settings.BankLedgerKey(settings.RoleOperatingBank, 1): {QBOID: "35"}}}
		for _, p := range pays {
			f.ids = append(f.ids, p.ID)
		}
		return f
	}
	part := func(key string) store.Mapping {
		return store.Mapping{Kind: posting.KindPayment, SourceKey: key, QBOID: "p" + key}
	}
	cases := []struct {
		name  string
		facts func(b basis) paymentFacts
		want  []string
	}{
		{"one payment of invoices on two matters is one QuickBooks payment per matter", func(b basis) paymentFacts {
			return facts(b, testPayment(9, alloc(20, 7, 60_00), alloc(21, 8, 40_00)))
		}, []string{"write Payment payment 9-7", "write Payment payment 9-8"}},
		{"the part applied to an invoice the sync leaves out stays out", func(b basis) paymentFacts {
			return facts(b, testPayment(9, alloc(20, 7, 60_00), alloc(22, 7, 40_00)))
		}, []string{"write Payment payment 9-7"}},
		{"a payment on an invoice not yet in QuickBooks waits whole", func(b basis) paymentFacts {
			return facts(b, testPayment(9, alloc(20, 7, 60_00), alloc(23, 8, 10_00)))
		}, []string{"fail payment 9-8 " + waitingForInvoice}},
		{"a matter whose customer is missing: the payment waits", func(b basis) paymentFacts {
			f := facts(b, testPayment(9, alloc(20, 7, 60_00)))
			f.customers = nil
			return f
		}, []string{"fail payment 9-7 " + waitingForMatter}},
		{"a payment applied to nothing is refused", func(b basis) paymentFacts {
			return facts(b, testPayment(9))
		}, []string{"fail payment 9-0 qbosync:payment-unapplied"}},
		{"voided: its parts are voided; deleted: deleted", func(b basis) paymentFacts {
			void := testPayment(9, alloc(20, 7, 60_00))
			void.Status = "void"
			f := facts(b, void)
			f.ids = append(f.ids, 10)
			f.parts[9], f.parts[10] = []store.Mapping{part("9-7")}, []store.Mapping{part("10-8")}
			return f
		}, []string{"retire payment 9-7 void", "retire payment 10-8 delete"}},
		{"a part no longer paid is deleted, the rest updated", func(b basis) paymentFacts {
			f := facts(b, testPayment(9, alloc(20, 7, 60_00)))
			f.parts[9] = []store.Mapping{part("9-7"), part("9-8")}
			return f
		}, []string{"retire payment 9-8 delete", "write Payment payment 9-7"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkPlan(t, planPayments(c.facts(testBasis(nil))), c.want...)
		})
	}
}

func TestPlanPaymentsDepositAccount(t *testing.T) {
	fromTrust := testPayment(9, alloc(20, 7, 60_00))
	fromTrust.Source, fromTrust.BankAccountID = "trust", 3
	cases := []struct {
		name      string
		depositTo string
		pay       pms.Payment
		want      string
	}{
		{"Undeposited Funds by default", settings.DepositUndepositedFunds, testPayment(9, alloc(20, 7, 60_00)), ""},
		{"the operating account it went to, if the firm asks", settings.DepositOperatingAccount, testPayment(9, alloc(20, 7, 60_00)), "35"},
		{"money applied from trust lands in operating whatever the setting", settings.DepositUndepositedFunds, fromTrust, "35"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := testBasis(func(s *settings.Settings) { s.Invoices.PaymentsDepositTo = c.depositTo })
			f := paymentFacts{basis: b, ids: []int64{9}, payments: []pms.Payment{c.pay},
				invoices:  map[string]store.Mapping{"20": mapping(posting.KindInvoice, "20", "q20")},
				customers: map[int64]string{7: "58"},
				banks:     map[string]store.Mapping{settings.BankLedgerKey(settings.RoleOperatingBank, 1): {QBOID: "35"}}}
			p := planPayments(f)
			checkPlan(t, p, "write Payment payment 9-7")
			got := ""
			if ref := p.writes[0].body.(qbo.Payment).DepositToAccountRef; ref != nil {
				got = ref.Value
			}
			if got != c.want {
				t.Errorf("deposited to %q, want %q", got, c.want)
			}
		})
	}
}

func trustTxn(id int64, kind string, on string) pms.TrustTransaction {
	return pms.TrustTransaction{ID: id, BankAccountID: 3, MatterID: 7, MatterNumber: "M-7", Kind: kind, TxnOn: day(on),
		AmountCents: 250_00, Reference: fmt.Sprintf("R%d", id), Description: "retainer", Payee: "Clerk of Court"}
}

func TestPlanTrust(t *testing.T) {
	facts := func(b basis, txns ...pms.TrustTransaction) trustFacts {
		f := trustFacts{basis: b, bySlip: b.books.Trust.DepositSlips == settings.SlipPerDeposit, trustTxns: txns,
			slipMaps: map[string]store.Mapping{}, own: map[string]map[string]store.Mapping{},
			accts:     map[int64]posting.TrustAccountRefs{3: {Bank: "b3", Liability: "l3"}},
			customers: map[int64]string{7: "58"}, vendors: map[string]vendorRef{posting.PayeeKey("Clerk of Court"): {id: "v1"}}}
		for _, t := range txns {
			f.txnIDs = append(f.txnIDs, t.ID)
		}
		return f
	}
	own := func(f *trustFacts, kind, key string) {
		if f.own[kind] == nil {
			f.own[kind] = map[string]store.Mapping{}
		}
		f.own[kind][key] = store.Mapping{Kind: kind, SourceKey: key, QBOID: "o" + key}
	}
	onSlip := trustTxn(1, pms.TrustDeposit, "2026-02-01")
	onSlip.DepositSlipID = ptr(40)
	slip := pms.DepositSlip{ID: 40, BankAccountID: 3, Number: "DS-40", DepositedOn: day("2026-02-01"), TotalCents: 250_00, Receipts: []pms.TrustTransaction{onSlip}}
	cases := []struct {
		name   string
		change func(*settings.Settings)
		facts  func(b basis) trustFacts
		want   []string
	}{
		{"receipt, transfer and disbursement post as a deposit, a journal entry and a check", nil, func(b basis) trustFacts {
			return facts(b, trustTxn(1, pms.TrustDeposit, "2026-02-01"), trustTxn(2, pms.TrustTransferToOperating, "2026-02-02"), trustTxn(3, pms.TrustDisbursement, "2026-02-03"))
		}, []string{"write Deposit trust_receipt 1", "write JournalEntry trust_transfer 2", "write Purchase trust_disbursement 3"}},
		{"before the start date: out, unless in the books", nil, func(b basis) trustFacts {
			f := facts(b, trustTxn(1, pms.TrustDeposit, "2025-12-31"), trustTxn(2, pms.TrustDeposit, "2025-12-31"))
			own(&f, posting.KindTrustReceipt, "2")
			return f
		}, []string{"write Deposit trust_receipt 2"}},
		{"a receipt on a slip posts on the slip's deposit, and keeps its own deposit until the slip posts", nil, func(b basis) trustFacts {
			f := facts(b, onSlip)
			f.slips, f.slipIDs = []pms.DepositSlip{slip}, []int64{40}
			own(&f, posting.KindTrustReceipt, "1")
			return f
		}, []string{"write Deposit deposit_slip 40"}},
		{"with a deposit per receipt, a receipt on a slip is a deposit of its own",
			func(s *settings.Settings) { s.Trust.DepositSlips = settings.SlipPerReceipt }, func(b basis) trustFacts {
				return facts(b, onSlip)
			}, []string{"write Deposit trust_receipt 1"}},
		{"a deleted slip and transaction are deleted; a changed kind retires what it posted as", nil, func(b basis) trustFacts {
			f := facts(b, trustTxn(2, pms.TrustDisbursement, "2026-02-02"))
			f.slipIDs, f.txnIDs = []int64{41}, []int64{1, 2}
			f.slipMaps["41"] = store.Mapping{Kind: posting.KindDepositSlip, SourceKey: "41", QBOID: "s41"}
			own(&f, posting.KindTrustReceipt, "1")
			own(&f, posting.KindTrustTransfer, "2")
			return f
		}, []string{"retire deposit_slip 41 delete", "retire trust_receipt 1 delete", "retire trust_transfer 2 delete", "write Purchase trust_disbursement 2"}},
		{"an account without QuickBooks trust accounts, and a matter without a customer, wait", nil, func(b basis) trustFacts {
			other := trustTxn(2, pms.TrustDeposit, "2026-02-01")
			other.BankAccountID, other.MatterID = 4, 8
			f := facts(b, other, trustTxn(3, pms.TrustDeposit, "2026-02-01"))
			f.customers = nil
			return f
		}, []string{"fail trust_receipt 2 " + waitingForLedger, "fail trust_receipt 3 " + waitingForMatter}},
		{"a payee the run has not met: the plan asks for its vendor", nil, func(b basis) trustFacts {
			d := trustTxn(3, pms.TrustDisbursement, "2026-02-03")
			d.Payee = "Court Reporters Inc"
			return facts(b, d)
		}, []string{"need payee Court Reporters Inc"}},
		{"a payee whose vendor cannot be: the disbursement fails with why", nil, func(b basis) trustFacts {
			f := facts(b, trustTxn(3, pms.TrustDisbursement, "2026-02-03"))
			f.vendors[posting.PayeeKey("Clerk of Court")] = vendorRef{err: &itemFailure{store.Failure{Code: vendorNameTaken}}}
			return f
		}, []string{"fail trust_disbursement 3 " + vendorNameTaken}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkPlan(t, planTrust(c.facts(testBasis(c.change))), c.want...)
		})
	}
}

func TestPlanHardCosts(t *testing.T) {
	cost := func(id int64, on string) pms.Expense {
		return pms.Expense{ID: id, MatterID: 7, MatterNumber: "M-7", Kind: pms.ExpenseHard, IncurredOn: day(on), Description: "Filing fee",
			Quantity: "1.00", UnitPriceCents: 435_50, AmountCents: 435_50, Payee: "Clerk of Court", PaidFromAccountID: ptr(1), CheckNumber: "5001"}
	}
	facts := func(b basis, xs ...pms.Expense) hardCostFacts {
		f := hardCostFacts{basis: b, expenses: xs, mapped: map[string]store.Mapping{}, customers: map[int64]string{7: "58"},
			kinds: map[int64]string{1: "operating", 3: "trust"},
			ledger: map[string]store.Mapping{"hard_costs.expense_account": {QBOID: "80"},
				settings.BankLedgerKey(settings.RoleOperatingBank, 1): {QBOID: "35"}},
			vendors: map[string]vendorRef{posting.PayeeKey("Clerk of Court"): {id: "v1"}}}
		for _, x := range xs {
			f.ids = append(f.ids, x.ID)
		}
		return f
	}
	cases := []struct {
		name   string
		change func(*settings.Settings)
		facts  func(b basis) hardCostFacts
		want   []string
	}{
		{"a hard cost from the start date is a purchase; one before it stays out", nil, func(b basis) hardCostFacts {
			return facts(b, cost(1, "2026-01-01"), cost(2, "2025-12-31"))
		}, []string{"write Purchase hard_cost 1"}},
		{"a cost turned soft, or deleted, is deleted from QuickBooks", nil, func(b basis) hardCostFacts {
			soft := cost(1, "2026-02-01")
			soft.Kind = pms.ExpenseSoft
			f := facts(b, soft)
			f.ids = append(f.ids, 2)
			f.mapped["1"], f.mapped["2"] = store.Mapping{QBOID: "p1"}, store.Mapping{QBOID: "p2"}
			return f
		}, []string{"retire hard_cost 1 delete", "retire hard_cost 2 delete"}},
		{"paid from trust is refused; a bank account outside the settings waits", nil, func(b basis) hardCostFacts {
			fromTrust, elsewhere := cost(1, "2026-02-01"), cost(2, "2026-02-01")
			fromTrust.PaidFromAccountID, elsewhere.PaidFromAccountID = ptr(3), ptr(9)
			return facts(b, fromTrust, elsewhere)
		}, []string{"fail hard_cost 1 qbosync:hard-cost-from-trust", "fail hard_cost 2 " + waitingForLedger}},
		{"one vendor for all costs: its vendor is asked for, not the payee's",
			func(s *settings.Settings) {
				s.HardCosts.Vendors, s.HardCosts.DefaultVendor = settings.VendorOneVendor, "Costs Vendor"
			},
			func(b basis) hardCostFacts { return facts(b, cost(1, "2026-02-01")) },
			[]string{"need payee Costs Vendor"}},
		{"a matter without a customer waits", nil, func(b basis) hardCostFacts {
			f := facts(b, cost(1, "2026-02-01"))
			f.customers = nil
			return f
		}, []string{"fail hard_cost 1 " + waitingForMatter}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkPlan(t, planHardCosts(c.facts(testBasis(c.change))), c.want...)
		})
	}
}

func TestPlanContacts(t *testing.T) {
	b := testBasis(func(s *settings.Settings) { s.Contacts.MatchExistingCustomers = true })
	clients := planClients(clientFacts{basis: b, clients: []pms.Client{
		{ID: 1, Name: "Hall Properties", Email: "office@hall.example"},
		{ID: 2, Name: "Bad Mail", Email: "not an address"},
	}})
	checkPlan(t, clients, "fail client 2 qbosync:invalid-email", "hold client 1")
	if !clients.customers[0].matchExisting || clients.customers[0].it.Marker == "" {
		t.Errorf("client customer %+v: want match-existing from the settings, and a marker", clients.customers[0])
	}
	matters := planMatters(matterFacts{basis: b,
		matters: []pms.Matter{{ID: 7, ClientID: 1, Number: "M-7", Name: "Lease"}, {ID: 8, ClientID: 2, Number: "M-8", Name: "Deed"}, {ID: 9, ClientID: 3, Number: "M-9"}},
		clients: map[string]store.Mapping{"1": {QBOID: "58"}},
		failed:  map[string]string{"2": "Bad Mail (C-2)"}})
	checkPlan(t, matters, "fail matter 8 qbosync:client-not-synced", "fail matter 9 qbosync:client-not-synced", "hold matter 7")
	if got := matters.customers[0].body.ParentRef; got == nil || got.Value != "58" || matters.customers[0].matchExisting {
		t.Errorf("matter under %+v (match existing %v), want under the client's 58, never matched", got, matters.customers[0].matchExisting)
	}
	if msg := asItemFailure(matters.failures[0].err).Explanation; !strings.Contains(msg, "Bad Mail (C-2)") || !strings.Contains(msg, "could not be synced") {
		t.Errorf("a matter of a failed client says %q: want the client's label and that it failed", msg)
	}
}

// One practice payment is one line on the bank statement, and one deposit in QBO.
func TestPlanPaymentsOneDepositPerPracticePayment(t *testing.T) {
	facts := func(depositTo string, customers map[int64]string) paymentFacts {
		b := testBasis(func(s *settings.Settings) { s.Invoices.PaymentsDepositTo = depositTo })
		return paymentFacts{basis: b, ids: []int64{9}, payments: []pms.Payment{testPayment(9, alloc(20, 7, 60_00), alloc(21, 8, 40_00))},
			parts: map[int64][]store.Mapping{}, deposits: map[string]store.Mapping{},
			invoices:  map[string]store.Mapping{"20": mapping(posting.KindInvoice, "20", "q20"), "21": mapping(posting.KindInvoice, "21", "q21")},
			customers: customers,
			banks:     map[string]store.Mapping{settings.BankLedgerKey(settings.RoleOperatingBank, 1): {QBOID: "35"}}}
	}
	depositOf := func(w txn) string {
		if ref := w.body.(qbo.Payment).DepositToAccountRef; ref != nil {
			return ref.Value
		}
		return "Undeposited Funds"
	}
	t.Run("matters off: the client's one payment, straight into the bank", func(t *testing.T) {
		f := facts(settings.DepositOperatingAccount, map[int64]string{7: "58", 8: "58"})
		p := planPayments(f)
		checkPlan(t, p, "write Payment payment 9-7")
		if got := p.writes[0].body.(qbo.Payment); got.TotalAmt.Cents() != 100_00 || len(got.Line) != 2 || depositOf(p.writes[0]) != "35" {
			t.Errorf("payment %+v into %s: want $100.00 on both invoices, into 35", got, depositOf(p.writes[0]))
		}
		checkPlan(t, planGathering(f, map[string]string{"9-7": "p1"}))
	})
	t.Run("matters on, into the bank: parts wait in Undeposited Funds, one deposit gathers them", func(t *testing.T) {
		f := facts(settings.DepositOperatingAccount, map[int64]string{7: "58", 8: "59"})
		p := planPayments(f)
		checkPlan(t, p, "write Payment payment 9-7", "write Payment payment 9-8")
		for _, w := range p.writes {
			if depositOf(w) != "Undeposited Funds" {
				t.Errorf("%s deposited to %s, want Undeposited Funds until the deposit gathers it", w.it.Key, depositOf(w))
			}
		}
		checkPlan(t, planGathering(f, map[string]string{"9-7": "p1"})) // a part failed: no deposit yet
		g := planGathering(f, map[string]string{"9-7": "p1", "9-8": "p2"})
		checkPlan(t, g, "write Deposit payment_deposit 9")
		d := g.writes[0].body.(qbo.Deposit)
		if d.DepositToAccountRef.Value != "35" || d.TxnDate != "2026-02-10" || len(d.Line) != 2 || d.Line[0].Amount.Cents()+d.Line[1].Amount.Cents() != 100_00 ||
			d.Line[1].LinkedTxn[0] != (qbo.LinkedTxn{TxnID: "p2", TxnType: "Payment", TxnLineID: "0"}) {
			t.Errorf("deposit %+v: want $100.00 into 35 on the day received, linking both parts", d)
		}
	})
	t.Run("matters on, Undeposited Funds: the bookkeeper's deposits, none of qbosync's", func(t *testing.T) {
		f := facts(settings.DepositUndepositedFunds, map[int64]string{7: "58", 8: "59"})
		checkPlan(t, planPayments(f), "write Payment payment 9-7", "write Payment payment 9-8")
		checkPlan(t, planGathering(f, map[string]string{"9-7": "p1", "9-8": "p2"}))
	})
	t.Run("a gathered payment that changes: its deposit goes first, then comes back", func(t *testing.T) {
		f := facts(settings.DepositOperatingAccount, map[int64]string{7: "58", 8: "59"})
		posted := planPayments(f).writes
		for _, w := range posted {
			hash, _ := contentHash(w.body)
			f.parts[9] = append(f.parts[9], store.Mapping{Kind: posting.KindPayment, SourceKey: w.it.Key, QBOID: "p" + w.it.Key, ContentHash: hash})
		}
		f.deposits["9"] = store.Mapping{Kind: posting.KindPaymentDeposit, SourceKey: "9", QBOID: "d9"}
		checkPlan(t, planPayments(f), "write Payment payment 9-7", "write Payment payment 9-8") // unchanged: the deposit stays
		f.payments[0].Allocations[1].AmountCents = 30_00
		f.payments[0].AmountCents = 90_00
		checkPlan(t, planPayments(f), "retire payment_deposit 9 delete", "write Payment payment 9-7", "write Payment payment 9-8")
		f.payments[0].Status = "void"
		checkPlan(t, planPayments(f), "retire payment_deposit 9 delete", "retire payment 9-7 void", "retire payment 9-8 void")
	})
}
