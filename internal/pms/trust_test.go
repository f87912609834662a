package pms_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/qbosync/qbosync/internal/db/dbtest"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/pms/seed"
	"github.com/qbosync/qbosync/internal/posting"
)

// seededFirm seeds a small demo firm and returns its id.
func seededFirm(t *testing.T, d *sqlx.DB, s int64) int64 {
	t.Helper()
	sum, err := seed.Seed(context.Background(), d, seed.Options{Seed: s})
	if err != nil {
		t.Fatal(err)
	}
	return sum.FirmID
}

func idsOf(t *testing.T, d *sqlx.DB, table string, firmID int64) []int64 {
	t.Helper()
	var ids []int64
	if err := d.Select(&ids, `SELECT id FROM `+table+` WHERE firm_id = $1 ORDER BY id`, firmID); err != nil {
		t.Fatal(err)
	}
	if len(ids) == 0 {
		t.Fatalf("the seeded firm has no %s", table)
	}
	return ids
}

// mattersByID loads every matter of the firm, to check the client and number the
// trust and expense loaders join in.
func mattersByID(t *testing.T, d *sqlx.DB, firmID int64) map[int64]pms.Matter {
	t.Helper()
	ms, err := pms.Matters(context.Background(), d, firmID, idsOf(t, d, "matters", firmID))
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]pms.Matter{}
	for _, m := range ms {
		out[m.ID] = m
	}
	return out
}

func TestDepositSlipsCarryTheirReceiptsWhichAddUpToTheTotal(t *testing.T) {
	d, _ := dbtest.New(t)
	ctx := context.Background()
	firm := seededFirm(t, d, 1)
	matters := mattersByID(t, d, firm)
	ids := idsOf(t, d, "deposit_slips", firm)

	slips, err := pms.DepositSlips(ctx, d, firm, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(slips) != len(ids) {
		t.Fatalf("%d slips, want %d", len(slips), len(ids))
	}
	receipts, multi := 0, 0
	for i, s := range slips {
		if s.ID != ids[i] || s.FirmID != firm {
			t.Fatalf("slip %d: id %d firm %d, want id %d firm %d (in id order)", i, s.ID, s.FirmID, ids[i], firm)
		}
		if s.Number == "" || s.DepositedOn.IsZero() || s.BankAccountID == 0 {
			t.Errorf("slip %d not fully loaded: %+v", s.ID, s)
		}
		if len(s.Receipts) == 0 {
			t.Errorf("slip %s has no receipts", s.Number)
		}
		if len(s.Receipts) > 1 {
			multi++
		}
		var sum int64
		for j, r := range s.Receipts {
			sum += r.AmountCents
			if r.Kind != pms.TrustDeposit || r.DepositSlipID == nil || *r.DepositSlipID != s.ID || r.BankAccountID != s.BankAccountID {
				t.Errorf("slip %s: receipt %+v does not belong on it", s.Number, r)
			}
			if j > 0 && s.Receipts[j-1].ID >= r.ID {
				t.Errorf("slip %s: receipts not in id order", s.Number)
			}
			if m := matters[r.MatterID]; r.ClientID != m.ClientID || r.MatterNumber != m.Number {
				t.Errorf("receipt %d: client %d matter number %q, want %d %q", r.ID, r.ClientID, r.MatterNumber, m.ClientID, m.Number)
			}
			if !r.TxnOn.Equal(s.DepositedOn) {
				t.Errorf("receipt %d dated %v on a slip deposited %v", r.ID, r.TxnOn, s.DepositedOn)
			}
		}
		if sum != s.TotalCents {
			t.Errorf("slip %s: receipts add up to %d, total is %d", s.Number, sum, s.TotalCents)
		}
		receipts += len(s.Receipts)
	}
	var onSlips int
	if err := d.Get(&onSlips, `SELECT count(*) FROM trust_transactions WHERE firm_id = $1 AND deposit_slip_id IS NOT NULL`, firm); err != nil {
		t.Fatal(err)
	}
	if receipts != onSlips {
		t.Errorf("%d receipts loaded, the firm has %d on slips", receipts, onSlips)
	}
	if multi == 0 {
		t.Error("no slip with several receipts: the seed should have some")
	}

	// A subset loads only that subset; unknown ids are simply absent.
	some, err := pms.DepositSlips(ctx, d, firm, []int64{ids[len(ids)-1], -5, ids[0]})
	if err != nil {
		t.Fatal(err)
	}
	if len(some) != 2 || some[0].ID != ids[0] || some[1].ID != ids[len(ids)-1] {
		t.Errorf("subset = %d slips, want slips %d and %d", len(some), ids[0], ids[len(ids)-1])
	}
}

func TestTrustTransactionsOfAllKindsWithTheirMattersClient(t *testing.T) {
	d, _ := dbtest.New(t)
	ctx := context.Background()
	firm := seededFirm(t, d, 1)
	matters := mattersByID(t, d, firm)
	ids := idsOf(t, d, "trust_transactions", firm)

	txns, err := pms.TrustTransactions(ctx, d, firm, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(txns) != len(ids) {
		t.Fatalf("%d trust transactions, want %d", len(txns), len(ids))
	}
	kinds := map[string]int{}
	for i, x := range txns {
		if x.ID != ids[i] || x.FirmID != firm {
			t.Fatalf("transaction %d: id %d, want %d (in id order)", i, x.ID, ids[i])
		}
		kinds[x.Kind]++
		m, ok := matters[x.MatterID]
		if !ok || x.ClientID != m.ClientID || x.MatterNumber != m.Number {
			t.Errorf("transaction %d: client %d matter number %q, want the matter's %d %q", x.ID, x.ClientID, x.MatterNumber, m.ClientID, m.Number)
		}
		if x.AmountCents <= 0 || x.TxnOn.IsZero() || x.BankAccountID == 0 {
			t.Errorf("transaction %d not fully loaded: %+v", x.ID, x)
		}
		switch x.Kind {
		case pms.TrustDeposit:
			if x.PaymentID != nil {
				t.Errorf("deposit %d has a payment", x.ID)
			}
		case pms.TrustDisbursement:
			if x.Payee == "" || x.Reference == "" || x.DepositSlipID != nil {
				t.Errorf("disbursement %d: payee %q reference %q slip %v", x.ID, x.Payee, x.Reference, x.DepositSlipID)
			}
		case pms.TrustTransferToOperating:
			if x.PaymentID == nil || x.DepositSlipID != nil {
				t.Errorf("transfer %d: payment %v slip %v", x.ID, x.PaymentID, x.DepositSlipID)
			}
		default:
			t.Errorf("transaction %d: unknown kind %q", x.ID, x.Kind)
		}
	}
	for _, k := range []string{pms.TrustDeposit, pms.TrustDisbursement, pms.TrustTransferToOperating} {
		if kinds[k] == 0 {
			t.Errorf("no %s loaded: %v", k, kinds)
		}
	}
}

func TestExpensesHardAndSoft(t *testing.T) {
	d, _ := dbtest.New(t)
	ctx := context.Background()
	firm := seededFirm(t, d, 1)
	matters := mattersByID(t, d, firm)
	ids := idsOf(t, d, "expenses", firm)

	xs, err := pms.Expenses(ctx, d, firm, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(xs) != len(ids) {
		t.Fatalf("%d expenses, want %d", len(xs), len(ids))
	}
	kinds := map[string]int{}
	for i, x := range xs {
		if x.ID != ids[i] || x.FirmID != firm {
			t.Fatalf("expense %d: id %d, want %d (in id order)", i, x.ID, ids[i])
		}
		kinds[x.Kind]++
		m := matters[x.MatterID]
		if x.ClientID != m.ClientID || x.MatterNumber != m.Number {
			t.Errorf("expense %d: client %d matter number %q, want %d %q", x.ID, x.ClientID, x.MatterNumber, m.ClientID, m.Number)
		}
		if x.Quantity == "" || x.IncurredOn.IsZero() || x.AmountCents < 0 {
			t.Errorf("expense %d not fully loaded: %+v", x.ID, x)
		}
		switch x.Kind {
		case pms.ExpenseHard:
			if x.Payee == "" || x.PaidFromAccountID == nil || x.CheckNumber == "" || x.AmountCents == 0 {
				t.Errorf("hard cost %d: payee %q paid from %v check %q amount %d", x.ID, x.Payee, x.PaidFromAccountID, x.CheckNumber, x.AmountCents)
			}
		case pms.ExpenseSoft:
			if x.PaidFromAccountID != nil {
				t.Errorf("soft cost %d paid from account %d", x.ID, *x.PaidFromAccountID)
			}
		default:
			t.Errorf("expense %d: unknown kind %q", x.ID, x.Kind)
		}
	}
	if kinds[pms.ExpenseHard] == 0 || kinds[pms.ExpenseSoft] == 0 {
		t.Errorf("kinds loaded: %v, want hard and soft costs", kinds)
	}
	var billed int
	for _, x := range xs {
		if x.InvoiceID != nil {
			billed++
		}
	}
	if billed == 0 {
		t.Error("no expense carries the invoice that billed it")
	}
}

func TestSlipIDsOfTrustTransactions(t *testing.T) {
	d, _ := dbtest.New(t)
	ctx := context.Background()
	firm := seededFirm(t, d, 1)
	txns, err := pms.TrustTransactions(ctx, d, firm, idsOf(t, d, "trust_transactions", firm))
	if err != nil {
		t.Fatal(err)
	}
	var all, notOnSlip []int64
	bySlip := map[int64][]int64{}
	for _, x := range txns {
		all = append(all, x.ID)
		if x.DepositSlipID == nil {
			notOnSlip = append(notOnSlip, x.ID)
		} else {
			bySlip[*x.DepositSlipID] = append(bySlip[*x.DepositSlipID], x.ID)
		}
	}

	got, err := pms.SlipIDsOfTrustTransactions(ctx, d, firm, all)
	if err != nil {
		t.Fatal(err)
	}
	if want := idsOf(t, d, "deposit_slips", firm); !slices.Equal(got, want) {
		t.Errorf("slips of every transaction = %v, want every slip %v", got, want)
	}

	// Two receipts on one slip name it once; transactions on no slip name none.
	for slip, receipts := range bySlip {
		if len(receipts) < 2 {
			continue
		}
		ids := append([]int64{receipts[1], receipts[0]}, notOnSlip...)
		got, err := pms.SlipIDsOfTrustTransactions(ctx, d, firm, ids)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, []int64{slip}) {
			t.Errorf("slips of %v = %v, want [%d]", ids, got, slip)
		}
		break
	}
	if got, err := pms.SlipIDsOfTrustTransactions(ctx, d, firm, notOnSlip); err != nil || len(got) != 0 {
		t.Errorf("slips of transactions on no slip = %v, %v; want none", got, err)
	}
}

// Every loader is scoped to its firm: another firm's ids load nothing.
func TestTrustLoadersAreFirmScoped(t *testing.T) {
	d, _ := dbtest.New(t)
	ctx := context.Background()
	a := seededFirm(t, d, 1)
	b := seededFirm(t, d, 2)
	slipIDs, txnIDs, expIDs := idsOf(t, d, "deposit_slips", a), idsOf(t, d, "trust_transactions", a), idsOf(t, d, "expenses", a)

	if s, err := pms.DepositSlips(ctx, d, b, slipIDs); err != nil || len(s) != 0 {
		t.Errorf("firm %d loaded %d of firm %d's slips (%v)", b, len(s), a, err)
	}
	if x, err := pms.TrustTransactions(ctx, d, b, txnIDs); err != nil || len(x) != 0 {
		t.Errorf("firm %d loaded %d of firm %d's trust transactions (%v)", b, len(x), a, err)
	}
	if x, err := pms.Expenses(ctx, d, b, expIDs); err != nil || len(x) != 0 {
		t.Errorf("firm %d loaded %d of firm %d's expenses (%v)", b, len(x), a, err)
	}
	if x, err := pms.SlipIDsOfTrustTransactions(ctx, d, b, txnIDs); err != nil || len(x) != 0 {
		t.Errorf("firm %d found slips %v of firm %d's transactions (%v)", b, x, a, err)
	}
	// Nothing asked, nothing loaded.
	if s, err := pms.DepositSlips(ctx, d, a, nil); err != nil || len(s) != 0 {
		t.Errorf("no ids loaded %d slips (%v)", len(s), err)
	}
}

// The seeded firm's trust money and hard costs all post as they are: the loaders give
// the posting rules everything they need, and the seed's slips balance.
func TestSeededTrustAndCostsPost(t *testing.T) {
	d, _ := dbtest.New(t)
	ctx := context.Background()
	firm := seededFirm(t, d, 1)
	acct := posting.TrustAccountRefs{Bank: "1", Liability: "2"}
	customers := map[int64]string{}
	for id := range mattersByID(t, d, firm) {
		customers[id] = "c" + strconv.FormatInt(id, 10)
	}

	slips, err := pms.DepositSlips(ctx, d, firm, idsOf(t, d, "deposit_slips", firm))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range slips {
		dep, err := posting.SlipDeposit(s, acct, customers)
		if err != nil {
			t.Fatalf("%s: %v", posting.DepositSlipLabel(s), err)
		}
		var sum int64
		for _, l := range dep.Line {
			sum += l.Amount.Cents()
		}
		if sum != s.TotalCents {
			t.Errorf("%s: lines sum to %d, total %d", posting.DepositSlipLabel(s), sum, s.TotalCents)
		}
	}

	txns, err := pms.TrustTransactions(ctx, d, firm, idsOf(t, d, "trust_transactions", firm))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range txns {
		cust := customers[x.MatterID]
		switch x.Kind {
		case pms.TrustDeposit:
			_, err = posting.ReceiptDeposit(x, acct, cust)
		case pms.TrustTransferToOperating:
			_, err = posting.TrustTransferEntry(x, acct, cust)
		case pms.TrustDisbursement:
			if _, err = posting.PayeeVendor(x.FirmID, x.Payee); err == nil {
				_, err = posting.TrustDisbursement(x, acct, cust, "v", "check")
			}
		}
		if err != nil {
			t.Errorf("%s: %v", posting.TrustTransactionLabel(x), err)
		}
	}

	xs, err := pms.Expenses(ctx, d, firm, idsOf(t, d, "expenses", firm))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range xs {
		if x.Kind != pms.ExpenseHard {
			continue
		}
		if _, err := posting.PayeeVendor(x.FirmID, x.Payee); err != nil {
			t.Errorf("%s: %v", posting.ExpenseLabel(x), err)
		}
		p, err := posting.HardCostPurchase(x, "10", "80", customers[x.MatterID], "v", "check")
		if err != nil {
			t.Errorf("%s: %v", posting.ExpenseLabel(x), err)
		} else if p.Line[0].Amount.Cents() != x.AmountCents || p.DocNumber != x.CheckNumber {
			t.Errorf("%s: amount %d doc %q", posting.ExpenseLabel(x), p.Line[0].Amount.Cents(), p.DocNumber)
		}
	}
}

// Records that share a number learn their place among those posting as the same
// QuickBooks type (hard costs and trust disbursements; transfers), in the order they
// were made, so a new record never renumbers an older one; numbers compare without case
// or surrounding space.
func TestRecordsSharingANumberLearnTheirPlace(t *testing.T) {
	d, _ := dbtest.New(t)
	ctx := context.Background()
	firm := seededFirm(t, d, 3)
	var x struct {
		Matter  int64 `db:"matter_id"`
		Account int64 `db:"paid_from_account_id"`
	}
	if err := d.Get(&x, `SELECT matter_id, paid_from_account_id FROM expenses WHERE firm_id = $1 AND kind = 'hard' LIMIT 1`, firm); err != nil {
		t.Fatal(err)
	}
	var tt struct {
		Account int64 `db:"bank_account_id"`
		Payment int64 `db:"payment_id"`
	}
	if err := d.Get(&tt, `SELECT bank_account_id, payment_id FROM trust_transactions WHERE firm_id = $1 AND kind = 'transfer_to_operating' LIMIT 1`, firm); err != nil {
		t.Fatal(err)
	}
	cost := func(check string) int64 {
		var id int64
		if err := d.Get(&id, `INSERT INTO expenses (firm_id, matter_id, kind, incurred_on, unit_price_cents, amount_cents, payee, paid_from_account_id, check_number)
			VALUES ($1, $2, 'hard', '2026-03-01', 100, 100, 'Clerk', $3, $4) RETURNING id`, firm, x.Matter, x.Account, check); err != nil {
			t.Fatal(err)
		}
		return id
	}
	trust := func(kind, ref string) int64 {
		var id int64
		var payment *int64
		if kind == pms.TrustTransferToOperating {
			payment = &tt.Payment
		}
		if err := d.Get(&id, `INSERT INTO trust_transactions (firm_id, bank_account_id, matter_id, kind, txn_on, amount_cents, payee, reference, payment_id)
			VALUES ($1, $2, $3, $4, '2026-03-01', 100, 'Clerk', $5, $6) RETURNING id`, firm, tt.Account, x.Matter, kind, ref, payment); err != nil {
			t.Fatal(err)
		}
		return id
	}
	// Each insert is its own transaction: created_at orders them.
	c1, c2 := cost("QS-9901"), cost(" qs-9901 ")
	d1 := trust(pms.TrustDisbursement, "QS-9901")
	c3, lone := cost("QS-9901"), cost("QS-9902")
	t1, t2 := trust(pms.TrustTransferToOperating, "QS-INV-77"), trust(pms.TrustTransferToOperating, "QS-INV-77")

	xs, err := pms.Expenses(ctx, d, firm, []int64{c1, c2, c3, lone})
	if err != nil {
		t.Fatal(err)
	}
	place := map[string]int{}
	for _, e := range xs {
		place["cost "+strconv.FormatInt(e.ID, 10)] = e.DocNumberSeq
	}
	ts, err := pms.TrustTransactions(ctx, d, firm, []int64{d1, t1, t2})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ts {
		place["trust "+strconv.FormatInt(e.ID, 10)] = e.DocNumberSeq
	}
	key := func(what string, id int64) string { return what + " " + strconv.FormatInt(id, 10) }
	want := map[string]int{key("cost", c1): 0, key("cost", c2): 1, key("cost", c3): 3, key("cost", lone): 0,
		key("trust", d1): 2, key("trust", t1): 0, key("trust", t2): 1}
	for k, w := range want {
		if place[k] != w {
			t.Errorf("%s: place %d, want %d (all: %v)", k, place[k], w, place)
		}
	}
	if n := posting.UniqueDocNumber(" qs-9901 ", 1); n != "qs-9901-2" {
		t.Errorf("the second cost's number: %q", n)
	}
}
