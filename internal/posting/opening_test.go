package posting_test

import (
	"strings"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/qbo"
)

func balance(matter int64, client string, cents int64) pms.TrustBalance {
	return pms.TrustBalance{BankAccountID: 3, MatterID: matter, MatterNumber: "M-" + string(rune('0'+matter)),
		ClientID: int64(client[0]), ClientNumber: "C-" + client, ClientName: "Client " + client, BalanceCents: cents}
}

// jeLine is a journal entry line as the tests compare it: account, side, cents, customer.
type jeLine struct {
	account, side string
	cents         int64
	customer      string
}

func linesOf(je qbo.JournalEntry) []jeLine {
	var out []jeLine
	for _, l := range je.Line {
		d := l.JournalEntryLineDetail
		cust := ""
		if d.Entity != nil {
			cust = d.Entity.EntityRef.Value
		}
		out = append(out, jeLine{d.AccountRef.Value, d.PostingType, l.Amount.Cents(), cust})
	}
	return out
}

// One journal entry per trust account: the bank debited by what the clients hold, the
// liability credited with a line per customer. Matters of one customer are summed
// (matters off: the client's customer), zero balances get no line, an overdrawn ledger
// is a debit on the liability, and nothing held at all is no entry.
func TestTrustOpeningEntry(t *testing.T) {
	perMatter := map[int64]string{1: "58", 2: "59", 3: "60", 4: "61"}
	perClient := map[int64]string{1: "40", 2: "40", 3: "41", 4: "42"}
	for _, tc := range []struct {
		name      string
		balances  []pms.TrustBalance
		customers map[int64]string
		want      []jeLine // nil: no entry
	}{
		{"a line per matter's customer", []pms.TrustBalance{balance(1, "A", 250000), balance(2, "A", 1), balance(3, "B", 123456)}, perMatter,
			[]jeLine{{"35", qbo.Debit, 373457, ""}, {"36", qbo.Credit, 250000, "58"}, {"36", qbo.Credit, 1, "59"}, {"36", qbo.Credit, 123456, "60"}}},
		{"matters of one client's customer are one line", []pms.TrustBalance{balance(1, "A", 250000), balance(2, "A", 1), balance(3, "B", 123456)}, perClient,
			[]jeLine{{"35", qbo.Debit, 373457, ""}, {"36", qbo.Credit, 250001, "40"}, {"36", qbo.Credit, 123456, "41"}}},
		{"zero balances have no line", []pms.TrustBalance{balance(1, "A", 0), balance(3, "B", 500)}, perMatter,
			[]jeLine{{"35", qbo.Debit, 500, ""}, {"36", qbo.Credit, 500, "60"}}},
		{"a client's matters netting to zero have no line", []pms.TrustBalance{balance(1, "A", 700), balance(2, "A", -700), balance(3, "B", 500)}, perClient,
			[]jeLine{{"35", qbo.Debit, 500, ""}, {"36", qbo.Credit, 500, "41"}}},
		{"an overdrawn ledger is a debit on the liability", []pms.TrustBalance{balance(1, "A", 1000), balance(4, "C", -250)}, perMatter,
			[]jeLine{{"35", qbo.Debit, 750, ""}, {"36", qbo.Credit, 1000, "58"}, {"36", qbo.Debit, 250, "61"}}},
		{"overdrafts beyond the money held credit the bank", []pms.TrustBalance{balance(1, "A", 100), balance(4, "C", -250)}, perMatter,
			[]jeLine{{"35", qbo.Credit, 150, ""}, {"36", qbo.Credit, 100, "58"}, {"36", qbo.Debit, 250, "61"}}},
		{"ledgers that net to nothing move no bank", []pms.TrustBalance{balance(1, "A", 250), balance(4, "C", -250)}, perMatter,
			[]jeLine{{"36", qbo.Credit, 250, "58"}, {"36", qbo.Debit, 250, "61"}}},
		{"nothing held: no entry", []pms.TrustBalance{balance(1, "A", 0)}, perMatter, nil},
		{"no balances: no entry", nil, perMatter, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			je, ok, err := posting.TrustOpeningEntry(7, 3, "IOLTA: Main", day("2026-02-28"), tc.balances, trustAcct, tc.customers)
			if err != nil {
				t.Fatal(err)
			}
			if ok != (tc.want != nil) {
				t.Fatalf("ok = %v, want an entry: %v", ok, tc.want != nil)
			}
			if !ok {
				return
			}
			got := linesOf(je)
			if len(got) != len(tc.want) {
				t.Fatalf("lines %v, want %v", got, tc.want)
			}
			var debits, credits int64
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("line %d = %v, want %v", i, got[i], tc.want[i])
				}
				if got[i].side == qbo.Debit {
					debits += got[i].cents
				} else {
					credits += got[i].cents
				}
				if got[i].cents <= 0 {
					t.Errorf("line %d has amount %d: QuickBooks wants positive amounts", i, got[i].cents)
				}
			}
			if debits != credits {
				t.Errorf("out of balance: debits %d, credits %d", debits, credits)
			}
			if je.TxnDate != "2026-02-28" || je.DocNumber != "" {
				t.Errorf("TxnDate %q DocNumber %q; want the day given and no number", je.TxnDate, je.DocNumber)
			}
			if !posting.HasMarker(je.PrivateNote, "qbosync:trust_opening:3/f7") || !strings.Contains(je.PrivateNote, "IOLTA: Main") {
				t.Errorf("PrivateNote %q: want the account's name and the marker", je.PrivateNote)
			}
			for _, l := range je.Line[1:] {
				if !strings.Contains(l.Description, "Client ") || !strings.Contains(l.Description, "2026-02-28") {
					t.Errorf("line description %q does not say whose balance as of when", l.Description)
				}
			}
		})
	}
}

// A matter with money and no customer is the caller's bug; one with nothing needs none.
func TestTrustOpeningEntryNeedsTheCustomersOfMattersWithMoney(t *testing.T) {
	bs := []pms.TrustBalance{balance(1, "A", 100), balance(2, "A", 0)}
	if _, _, err := posting.TrustOpeningEntry(7, 3, "IOLTA", day("2026-02-28"), bs, trustAcct, map[int64]string{1: "58"}); err != nil {
		t.Errorf("a zero balance without a customer: %v", err)
	}
	if _, _, err := posting.TrustOpeningEntry(7, 3, "IOLTA", day("2026-02-28"), bs, trustAcct, map[int64]string{2: "59"}); err == nil {
		t.Error("a balance without a customer posted")
	}
	if _, _, err := posting.TrustOpeningEntry(7, 4, "IOLTA", day("2026-02-28"), bs, trustAcct, map[int64]string{1: "58"}); err == nil {
		t.Error("another account's balances posted")
	}
	if _, _, err := posting.TrustOpeningEntry(7, 3, "IOLTA", day("2026-02-28"), bs, posting.TrustAccountRefs{Bank: "35"}, map[int64]string{1: "58"}); err == nil {
		t.Error("posted without a liability account")
	}
}

// A payment received before the start date was banked before the books begin: it goes
// to the receipts-before-start account, never to Undeposited Funds or a bank account;
// from the start date on, where the settings say.
func TestPaymentDepositAccountBeforeTheStartDate(t *testing.T) {
	for _, tc := range []struct {
		received, start, chosen, want string
	}{
		{"2026-02-27", "2026-03-01", "", "90"},
		{"2026-02-28", "2026-03-01", "12", "90"},
		{"2026-03-01", "2026-03-01", "", ""},
		{"2026-03-01", "2026-03-01", "12", "12"},
		{"1999-01-01", "", "", ""}, // no start date: nothing is before it
	} {
		p := pms.Payment{ReceivedOn: day(tc.received)}
		var start time.Time
		if tc.start != "" {
			start = day(tc.start)
		}
		if got := posting.PaymentDepositAccount(p, start, tc.chosen, "90"); got != tc.want {
			t.Errorf("received %s, start %q, chosen %q: deposit to %q, want %q", tc.received, tc.start, tc.chosen, got, tc.want)
		}
		if got := posting.ReceivedBeforeStart(p, start); got != (tc.want == "90") {
			t.Errorf("received %s, start %q: before start %v", tc.received, tc.start, got)
		}
	}
	if d := posting.OpeningDay(day("2026-03-01")); d.Format("2006-01-02") != "2026-02-28" {
		t.Errorf("opening day of 2026-03-01 = %s", d)
	}
}
