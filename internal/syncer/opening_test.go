package syncer

// A demo firm synced with a start date, read as an accountant reads its books: the
// trust opening entries, full trust balances, and nothing before the start date in
// Undeposited Funds or a bank account (internal/syncer/opening.go).

import (
	"fmt"
	"strings"
	"testing"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/qbosim"
	"github.com/qbosync/qbosync/internal/reconcile"
	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/store"
)

// openingStart splits the demo firm's 18 months of history (seed.DefaultToday is
// 2026-11-01): trust money held before it, invoices unpaid at it, payments before it.
const openingStart = "2026-03-01"

func TestOpeningBalancesCarryTrustAndPreStartReceivables(t *testing.T) {
	for _, matters := range []bool{true, false} {
		t.Run(fmt.Sprintf("matters as sub-customers %v", matters), func(t *testing.T) {
			r := newRig(t, qbosim.Options{})
			firm := r.seedFirm(14, func(s *settings.Settings) {
				s.SyncOptions.StartDate, s.SyncOptions.SyncAllUnpaidInvoices = openingStart, true
				s.Contacts.MattersAsSubCustomers = matters
			})
			r.fixSeedFailures(firm)
			r.syncAll()
			if f := r.failures(); len(f) > 0 {
				t.Fatalf("failed items: %v", f)
			}
			entries := r.withMarkerPrefix("JournalEntry", "qbosync:"+posting.KindTrustOpening+":")
			if len(entries) == 0 {
				t.Fatal("no opening trust entry posted")
			}
			for _, je := range entries {
				if je["TxnDate"] != "2026-02-28" {
					t.Errorf("opening entry %v dated %v, want the day before the start date", je["Id"], je["TxnDate"])
				}
			}
			r.checkBooks(firm, openingStart)
			if n := r.preStartPayments(); n == 0 {
				t.Error("the demo firm has no payment before the start date on an invoice brought over: the test checks nothing of receivables")
			}

			// Earlier trust history changes: a deposit before the start date is edited,
			// another added; the entry follows, and a rerun writes nothing.
			r.exec(`UPDATE trust_transactions SET amount_cents = amount_cents + 1111
				WHERE id = (SELECT min(id) FROM trust_transactions WHERE firm_id = $1 AND kind = 'deposit' AND txn_on < $2::date)`, firm, openingStart)
			r.exec(`INSERT INTO trust_transactions (firm_id, bank_account_id, matter_id, kind, txn_on, amount_cents, reference)
				SELECT firm_id, bank_account_id, matter_id, 'deposit', '2025-12-31', 4242, 'Late entry'
				FROM trust_transactions WHERE firm_id = $1 ORDER BY id DESC LIMIT 1`, firm)
			if c := r.run("trust", false); c.Updated == 0 {
				t.Errorf("trust after earlier history changed: %+v; want the opening entry updated", c)
			}
			r.checkBooks(firm, openingStart)
			if again := r.syncAll(); again.Created+again.Updated+again.Adopted != 0 {
				t.Errorf("a rerun wrote: %+v", again)
			}
		})
	}
}

// With no money in trust on the day before the start date, no entry posts, and one
// posted before is deleted.
func TestOpeningEntryGoesWhenNothingWasHeld(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	firm := r.seedFirm(14, func(s *settings.Settings) { s.SyncOptions.StartDate = openingStart })
	r.fixSeedFailures(firm)
	r.syncAll()
	if len(r.withMarkerPrefix("JournalEntry", "qbosync:"+posting.KindTrustOpening+":")) == 0 {
		t.Fatal("no opening entry to retire")
	}
	r.exec(`DELETE FROM trust_transactions WHERE firm_id = $1 AND txn_on < $2::date`, firm, openingStart)
	r.run("trust", false)
	if got := r.withMarkerPrefix("JournalEntry", "qbosync:"+posting.KindTrustOpening+":"); len(got) != 0 {
		t.Errorf("opening entries left with nothing held: %v", got)
	}
	r.checkBooks(firm, openingStart)
}

// fixSeedFailures resolves the seed's deliberate failures (a client named like one of
// the sample company's vendors, an invalid e-mail), so that every client is in
// QuickBooks and the books can be compared whole.
func (r *rig) fixSeedFailures(firm int64) {
	r.t.Helper()
	r.exec(`UPDATE clients SET email = '' WHERE firm_id = $1 AND email <> '' AND email NOT LIKE '%_@_%._%'`, firm)
	for _, v := range r.sim.Entities(r.realm, "Vendor") {
		r.exec(`UPDATE clients SET name = name || ' (client)' WHERE firm_id = $1 AND lower(name) = lower($2)`, firm, fmt.Sprint(v["DisplayName"]))
	}
}

func (r *rig) withMarkerPrefix(entity, prefix string) []map[string]any {
	var out []map[string]any
	for _, o := range r.sim.Entities(r.realm, entity) {
		if strings.HasPrefix(names.MarkerIn(fmt.Sprint(o["PrivateNote"])), prefix) {
			out = append(out, o)
		}
	}
	return out
}

// preStartPayments counts the payments qbosync deposited to the receipts-before-start
// account.
func (r *rig) preStartPayments() int {
	m, ok := r.mapping(KindLedger, posting.PreStartReceiptsKey)
	if !ok {
		return 0
	}
	n := 0
	for _, p := range r.sim.Entities(r.realm, "Payment") {
		if ref, _ := p["DepositToAccountRef"].(map[string]any); fmt.Sprint(ref["value"]) == m.QBOID {
			n++
		}
	}
	return n
}

// checkBooks reads the sandbox's books as an accountant would: no line before the
// start date in Undeposited Funds or any bank account but the opening trust entries';
// each trust account's bank = liability = the practice system's client balances as of
// now, in full; and the liability held for each client's customers is the client's
// ledger. The reconciliation (with its own reading) agrees.
func (r *rig) checkBooks(firm int64, start string) {
	t := r.t
	t.Helper()
	banks, undeposited := map[string]string{}, ""
	for _, a := range r.sim.Entities(r.realm, "Account") {
		id := fmt.Sprint(a["Id"])
		switch {
		case a["AccountType"] == "Bank":
			banks[id] = fmt.Sprint(a["Name"])
		case a["AccountSubType"] == "UndepositedFunds":
			undeposited = id
		}
	}
	ledger := r.sim.Ledger(r.realm)
	for _, l := range ledger {
		if l.Date >= start || (banks[l.Account] == "" && l.Account != undeposited) {
			continue
		}
		if l.Entity == "JournalEntry" && strings.HasPrefix(names.MarkerIn(l.PrivateNote), "qbosync:"+posting.KindTrustOpening+":") {
			continue // the opening balance itself
		}
		if !names.HasAnyMarker(l.PrivateNote) {
			continue // the sample company's own history
		}
		t.Errorf("%s %s dated %s posts %d to %s (%s) before the start date %s: %q", l.Entity, l.ID, l.Date, l.Cents, l.Account, banks[l.Account], start, l.PrivateNote)
	}

	// The client each QBO customer stands for.
	clientOf := map[string]int64{}
	var rows []struct {
		QBOID  string `db:"qbo_id"`
		Client int64  `db:"client_id"`
	}
	if err := r.e.Store.DB().Select(&rows, `
		SELECT x.qbo_id, m.client_id FROM qbo_id_map x JOIN matters m ON m.firm_id = x.firm_id AND m.id::text = x.source_key
		WHERE x.firm_id = $1 AND x.kind = 'matter'
		UNION ALL SELECT x.qbo_id, x.source_key::bigint FROM qbo_id_map x WHERE x.firm_id = $1 AND x.kind = 'client'`, firm); err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		clientOf[row.QBOID] = row.Client
	}
	var accounts []struct {
		ID        int64  `db:"id"`
		Bank      string `db:"bank"`
		Liability string `db:"liability"`
	}
	if err := r.e.Store.DB().Select(&accounts, `
		SELECT b.id, bank.qbo_id AS bank, liab.qbo_id AS liability FROM bank_accounts b
		JOIN qbo_id_map bank ON bank.firm_id = b.firm_id AND bank.kind = 'ledger' AND bank.source_key = 'trust_bank:' || b.id
		JOIN qbo_id_map liab ON liab.firm_id = b.firm_id AND liab.kind = 'ledger' AND liab.source_key = 'trust_liability:' || b.id
		WHERE b.firm_id = $1 AND b.kind = 'trust'`, firm); err != nil || len(accounts) == 0 {
		t.Fatalf("trust accounts in QuickBooks: %v, %v", accounts, err)
	}
	for _, a := range accounts {
		var clients []struct {
			Client int64 `db:"client_id"`
			Cents  int64 `db:"cents"`
		}
		if err := r.e.Store.DB().Select(&clients, `
			SELECT m.client_id, sum(CASE t.kind WHEN 'deposit' THEN t.amount_cents ELSE -t.amount_cents END)::bigint AS cents
			FROM trust_transactions t JOIN matters m ON m.firm_id = t.firm_id AND m.id = t.matter_id
			WHERE t.firm_id = $1 AND t.bank_account_id = $2 GROUP BY m.client_id`, firm, a.ID); err != nil {
			t.Fatal(err)
		}
		want, total := map[int64]int64{}, int64(0)
		for _, c := range clients {
			if c.Cents != 0 {
				want[c.Client] = c.Cents
			}
			total += c.Cents
		}
		if total == 0 {
			t.Fatalf("trust account %d holds nothing: the test checks nothing", a.ID)
		}
		bank, liab := r.sim.AccountBalance(r.realm, a.Bank), r.sim.AccountBalance(r.realm, a.Liability)
		if bank != total || liab != total {
			t.Errorf("trust account %d: QuickBooks bank %d, liability %d; the practice system's client balances add up to %d", a.ID, bank, liab, total)
		}
		got := map[int64]int64{}
		for _, l := range ledger {
			if l.Account == a.Liability {
				got[clientOf[l.Party]] -= l.Cents // a credit is money held
			}
		}
		for c, cents := range got {
			if cents == 0 {
				delete(got, c)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("trust account %d: client ledgers in QuickBooks %v, in the practice system %v", a.ID, got, want)
		}
	}
	rep, err := reconcile.Firm(t.Context(), r.e.Store.DB(), r.e.QBO, r.e.Scope)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Trust.OK() || len(rep.Trust.Accounts) != len(accounts) {
		t.Errorf("the reconciliation of trust: %+v", rep.Trust)
	}
	if !rep.Receivables.OK() {
		var b strings.Builder
		_ = rep.Format(&b)
		t.Errorf("the reconciliation of receivables:\n%s", b.String())
	}
}

func TestPlanTrustOpening(t *testing.T) {
	bal := func(matter, cents int64) pms.TrustBalance {
		return pms.TrustBalance{BankAccountID: 3, MatterID: matter, MatterNumber: fmt.Sprintf("M-%d", matter), ClientID: 2,
			ClientNumber: "C-2", ClientName: "Acme", BalanceCents: cents}
	}
	facts := func(balances ...pms.TrustBalance) openingFacts {
		f := openingFacts{basis: testBasis(nil), asOf: day("2025-12-31"), accounts: []int64{3}, names: map[int64]string{3: "Trust"},
			balances: map[int64][]pms.TrustBalance{}, existing: map[string]store.Mapping{}, failed: map[string]bool{},
			accts: map[int64]posting.TrustAccountRefs{3: {Bank: "35", Liability: "36"}}, customer: map[int64]string{7: "58", 8: "59"}}
		if len(balances) > 0 {
			f.balances[3] = balances
		}
		return f
	}
	cases := []struct {
		name    string
		facts   openingFacts
		want    []string
		cleared int
	}{
		{"money held: the entry", facts(bal(7, 100_00), bal(8, 5_00)), []string{"write JournalEntry trust_opening 3"}, 0},
		{"a matter with money and no customer waits", facts(bal(7, 100_00), bal(9, 5_00)), []string{"fail trust_opening 3 qbosync:waiting-for-matter"}, 0},
		{"no QuickBooks accounts for the trust account: waits", func() openingFacts {
			f := facts(bal(7, 100_00))
			f.accts = map[int64]posting.TrustAccountRefs{}
			return f
		}(), []string{"fail trust_opening 3 qbosync:waiting-for-setup"}, 0},
		{"nothing held any more: the entry goes", func() openingFacts {
			f := facts()
			f.existing["3"] = store.Mapping{Kind: posting.KindTrustOpening, SourceKey: "3", QBOEntity: "JournalEntry", QBOID: "j1"}
			return f
		}(), []string{"retire trust_opening 3 delete"}, 0},
		{"nothing held, a failure recorded: cleared", func() openingFacts {
			f := facts()
			f.failed["3"] = true
			return f
		}(), nil, 1},
		{"nothing held, nothing posted: nothing", facts(), nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, cleared := planTrustOpening(c.facts)
			checkPlan(t, p, c.want...)
			if len(cleared) != c.cleared {
				t.Errorf("cleared %v, want %d", cleared, c.cleared)
			}
		})
	}
}

// A payment received before the start date goes to the receipts-before-start account,
// whatever the setting and its source, or waits for it; from the start date on, where
// the settings say.
func TestPlanPaymentsReceivedBeforeTheStartDate(t *testing.T) {
	before := testPayment(9, alloc(20, 7, 60_00))
	before.ReceivedOn = day("2025-12-30") // testBasis starts 2026-01-01
	fromTrust := before
	fromTrust.Source = "trust"
	cases := []struct {
		name string
		pay  pms.Payment
		acct receiptsBeforeStart
		want []string
		to   string
	}{
		{"before the start date", before, receiptsBeforeStart{id: "90"}, []string{"write Payment payment 9-7"}, "90"},
		{"from trust, before the start date", fromTrust, receiptsBeforeStart{id: "90"}, []string{"write Payment payment 9-7"}, "90"},
		{"the account is not there: waits", before, receiptsBeforeStart{err: waiting(waitingForLedger, "m", "e")},
			[]string{"fail payment 9-7 qbosync:waiting-for-setup"}, ""},
		{"after the start date: the setting's", testPayment(9, alloc(20, 7, 60_00)), receiptsBeforeStart{}, []string{"write Payment payment 9-7"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := paymentFacts{basis: testBasis(nil), ids: []int64{9}, payments: []pms.Payment{c.pay},
				invoices:  map[string]store.Mapping{"20": mapping(posting.KindInvoice, "20", "q20")},
				customers: map[int64]string{7: "58"}, beforeStart: c.acct,
				banks: map[string]store.Mapping{settings.BankLedgerKey(settings.RoleOperatingBank, 1): {QBOID: "35"}}}
			p := planPayments(f)
			checkPlan(t, p, c.want...)
			if len(p.writes) == 0 {
				return
			}
			got := ""
			if ref := p.writes[0].body.(qbo.Payment).DepositToAccountRef; ref != nil {
				got = ref.Value
			}
			if got != c.to {
				t.Errorf("deposited to %q, want %q", got, c.to)
			}
		})
	}
}

// A payment into the bank split across matters is gathered by a deposit of its own
// from the start date on; before it, its parts go to the receipts-before-start account
// and nothing is gathered into the bank.
func TestPaymentsBeforeTheStartDateAreNeverGatheredIntoTheBank(t *testing.T) {
	for _, c := range []struct {
		received string
		to       string
		gathered int
	}{{"2025-12-30", "90", 0}, {"2026-01-05", "", 1}} {
		pay := testPayment(9, alloc(20, 7, 60_00), alloc(21, 8, 40_00))
		pay.ReceivedOn = day(c.received)
		f := paymentFacts{basis: testBasis(func(s *settings.Settings) { s.Invoices.PaymentsDepositTo = settings.DepositOperatingAccount }),
			ids: []int64{9}, payments: []pms.Payment{pay}, beforeStart: receiptsBeforeStart{id: "90"},
			invoices:  map[string]store.Mapping{"20": mapping(posting.KindInvoice, "20", "q20"), "21": mapping(posting.KindInvoice, "21", "q21")},
			customers: map[int64]string{7: "58", 8: "59"},
			banks:     map[string]store.Mapping{settings.BankLedgerKey(settings.RoleOperatingBank, 1): {QBOID: "35"}}}
		p := planPayments(f)
		checkPlan(t, p, "write Payment payment 9-7", "write Payment payment 9-8")
		for _, w := range p.writes {
			got := ""
			if ref := w.body.(qbo.Payment).DepositToAccountRef; ref != nil {
				got = ref.Value
			}
			if got != c.to {
				t.Errorf("received %s: part %s deposited to %q, want %q", c.received, w.it.Key, got, c.to)
			}
		}
		if g := planGathering(f, map[string]string{"9-7": "p1", "9-8": "p2"}); len(g.writes) != c.gathered {
			t.Errorf("received %s: %d deposits gathering the parts, want %d", c.received, len(g.writes), c.gathered)
		}
	}
}
