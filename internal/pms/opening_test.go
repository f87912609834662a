package pms_test

import (
	"context"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/db/dbtest"
	"github.com/qbosync/qbosync/internal/pms"
)

// The balances as of a day are the sums, per trust account and matter, of the trust
// transactions dated on or before it (deposits in, the rest out), computed here
// independently from the loaded transactions; zero balances and other firms' money are
// left out, and a transaction dated the day after does not count.
func TestTrustBalancesAsOfADay(t *testing.T) {
	d, _ := dbtest.New(t)
	ctx := context.Background()
	firm := seededFirm(t, d, 3)
	seededFirm(t, d, 4) // another firm's trust money must not count
	txns, err := pms.TrustTransactions(ctx, d, firm, idsOf(t, d, "trust_transactions", firm))
	if err != nil {
		t.Fatal(err)
	}
	day := txns[len(txns)/2].TxnOn // a day with activity on it, in the middle of the history
	type key struct{ account, matter int64 }
	want := map[key]int64{}
	for _, tx := range txns {
		if tx.TxnOn.After(day) {
			continue
		}
		k := key{tx.BankAccountID, tx.MatterID}
		if tx.Kind == pms.TrustDeposit {
			want[k] += tx.AmountCents
		} else {
			want[k] -= tx.AmountCents
		}
	}
	for k, v := range want {
		if v == 0 {
			delete(want, k)
		}
	}
	got, err := pms.TrustBalancesAsOf(ctx, d, firm, day, pms.PostedAlone{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || len(got) != len(want) {
		t.Fatalf("%d balances, want %d (%v)", len(got), len(want), want)
	}
	matters := mattersByID(t, d, firm)
	for _, b := range got {
		if b.BalanceCents != want[key{b.BankAccountID, b.MatterID}] {
			t.Errorf("account %d matter %s: %d, want %d", b.BankAccountID, b.MatterNumber, b.BalanceCents, want[key{b.BankAccountID, b.MatterID}])
		}
		if m := matters[b.MatterID]; m.Number != b.MatterNumber || m.ClientID != b.ClientID || b.ClientNumber == "" || b.ClientName == "" {
			t.Errorf("balance %+v does not carry its matter's client (%+v)", b, m)
		}
	}

	// A deposit dated the day after does not count; moved onto the day, it does.
	var account, matter int64
	if err := d.QueryRow(`SELECT bank_account_id, matter_id FROM trust_transactions WHERE firm_id = $1 ORDER BY id LIMIT 1`, firm).Scan(&account, &matter); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := d.Get(&id, `INSERT INTO trust_transactions (firm_id, bank_account_id, matter_id, kind, txn_on, amount_cents)
		VALUES ($1, $2, $3, 'deposit', $4, 12345) RETURNING id`, firm, account, matter, day.AddDate(0, 0, 1)); err != nil {
		t.Fatal(err)
	}
	balanceOf := func() int64 {
		t.Helper()
		got, err := pms.TrustBalancesAsOf(ctx, d, firm, day, pms.PostedAlone{})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range got {
			if b.BankAccountID == account && b.MatterID == matter {
				return b.BalanceCents
			}
		}
		return 0
	}
	before := balanceOf()
	if before != want[key{account, matter}] {
		t.Errorf("a deposit dated the day after counted: %d, want %d", before, want[key{account, matter}])
	}
	if _, err := d.Exec(`UPDATE trust_transactions SET txn_on = $2 WHERE id = $1`, id, day); err != nil {
		t.Fatal(err)
	}
	if got := balanceOf(); got != before+12345 {
		t.Errorf("a deposit dated on the day: balance %d, want %d", got, before+12345)
	}
	if got, err := pms.TrustBalancesAsOf(ctx, d, firm, time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), pms.PostedAlone{}); err != nil || len(got) != 0 {
		t.Errorf("balances before any activity: %v, %v; want none", got, err)
	}
}

// What qbosync posts on its own is left out of the opening balances: a transaction in
// QuickBooks on its own, the receipts of a slip in QuickBooks, and, when slips post as
// one deposit, a receipt on a slip deposited after the day.
func TestTrustBalancesAsOfLeaveOutWhatPostsAlone(t *testing.T) {
	d, _ := dbtest.New(t)
	ctx := context.Background()
	firm := seededFirm(t, d, 5)
	var ids []int64
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var account, matter int64
	must(d.QueryRow(`SELECT bank_account_id, matter_id FROM trust_transactions WHERE firm_id = $1 ORDER BY id LIMIT 1`, firm).Scan(&account, &matter))
	// A fresh matter of the same client, so that its balance is only what this test adds.
	must(d.Get(&matter, `INSERT INTO matters (firm_id, client_id, matter_number, name, opened_on)
		SELECT firm_id, client_id, 'T-1', 'Opening test', '2025-01-01' FROM matters WHERE id = $1 RETURNING id`, matter))
	var late, early int64
	must(d.Get(&late, `INSERT INTO deposit_slips (firm_id, bank_account_id, slip_number, deposited_on, total_cents)
		VALUES ($1, $2, 'T-LATE', '2026-03-02', 100) RETURNING id`, firm, account))
	must(d.Get(&early, `INSERT INTO deposit_slips (firm_id, bank_account_id, slip_number, deposited_on, total_cents)
		VALUES ($1, $2, 'T-EARLY', '2026-02-27', 20) RETURNING id`, firm, account))
	for _, row := range []struct {
		slip  *int64
		cents int64
	}{{&late, 100}, {&early, 20}, {nil, 3000}, {nil, 40000}} {
		var id int64
		must(d.Get(&id, `INSERT INTO trust_transactions (firm_id, bank_account_id, matter_id, kind, txn_on, amount_cents, deposit_slip_id)
			VALUES ($1, $2, $3, 'deposit', '2026-02-27', $4, $5) RETURNING id`, firm, account, matter, row.cents, row.slip))
		ids = append(ids, id)
	}
	day := time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		posted pms.PostedAlone
		want   int64
	}{
		{"all", pms.PostedAlone{}, 43120},
		{"a receipt on a slip deposited after the day is the slip's", pms.PostedAlone{SlipsPostAsOne: true}, 43020},
		{"a transaction in QuickBooks on its own", pms.PostedAlone{Txns: ids[3:]}, 3120},
		{"the receipts of a slip in QuickBooks", pms.PostedAlone{Slips: []int64{early}}, 43100},
		{"together", pms.PostedAlone{Txns: ids[2:3], Slips: []int64{early}, SlipsPostAsOne: true}, 40000},
	} {
		got, err := pms.TrustBalancesAsOf(ctx, d, firm, day, tc.posted)
		must(err)
		var cents int64
		for _, b := range got {
			if b.MatterID == matter {
				cents = b.BalanceCents
			}
		}
		if cents != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, cents, tc.want)
		}
	}
}
