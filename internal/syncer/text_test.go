package syncer

// What a bookkeeper reads in QuickBooks (docs/design.md, "Text a bookkeeper reads") and
// the document numbers QuickBooks would refuse (docs/qbo-api.md, "Document numbers"),
// on demo firms synced into the sandbox, which enforces QuickBooks' duplicate-number
// rules by default.

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/qbosim"
	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/store"
)

// written is every object the id map says qbosync wrote for the rig's firm, as the
// sandbox holds it now, with the id-map kind it stands for.
func (r *rig) written() []writtenObject {
	r.t.Helper()
	var rows []struct {
		Kind   string `db:"kind"`
		Key    string `db:"source_key"`
		Entity string `db:"qbo_entity"`
		ID     string `db:"qbo_id"`
	}
	if err := r.e.Store.DB().Select(&rows, `SELECT kind, source_key, qbo_entity, qbo_id FROM qbo_id_map
		WHERE firm_id = $1 AND realm_id = $2 ORDER BY kind, source_key`, r.e.Scope.FirmID, r.realm); err != nil {
		r.t.Fatal(err)
	}
	out := make([]writtenObject, 0, len(rows))
	for _, row := range rows {
		o, ok := r.sim.Entity(r.realm, row.Entity, row.ID)
		if !ok {
			continue // deleted since (a voided record's object may be)
		}
		out = append(out, writtenObject{kind: row.Kind, key: row.Key, entity: row.Entity, obj: o})
	}
	return out
}

type writtenObject struct {
	kind, key, entity string
	obj               map[string]any
}

func (w writtenObject) String() string {
	return fmt.Sprintf("%s %v (%s %s)", w.entity, w.obj["Id"], w.kind, w.key)
}

// internalNotes are the fields QuickBooks keeps as internal notes: the only place
// qbosync's marker may stand.
var internalNotes = map[string]bool{"PrivateNote": true, "Notes": true}

// unreadable says what a bookkeeper could not read in text that says what an object or
// line is, or "": it must have words, no machine marker or sync boilerplate, and not say
// one thing twice ("Applied to invoice INV-1004 — INV-1004").
func unreadable(s string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "empty"
	case !strings.ContainsFunc(s, unicode.IsLetter):
		return "no words"
	case strings.Contains(s, "qbosync:"):
		return "a machine marker"
	case strings.Contains(strings.ToLower(s), "synced by qbosync"):
		return "sync boilerplate"
	}
	var parts []string
	for _, p := range regexp.MustCompile(` [·—] `).Split(s, -1) {
		parts = append(parts, strings.ToLower(strings.TrimSpace(p)))
	}
	for i, a := range parts {
		for j, b := range parts {
			if i != j && b != "" && strings.Contains(a, b) {
				return fmt.Sprintf("says %q twice", b)
			}
		}
	}
	return ""
}

// scanText checks every string of o: a marker only in internal notes, with plain words
// before it; descriptions readable.
func scanText(t *testing.T, w writtenObject, path string, v any) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			p := path + "." + k
			s, isString := x.(string)
			switch {
			case internalNotes[k] && isString:
				marker := names.MarkerIn(s)
				if marker == "" {
					t.Errorf("%s: %s %q carries no marker", w, p, s)
					continue
				}
				plain := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(s, "Voided")), marker))
				plain = strings.TrimSpace(strings.TrimSuffix(plain, "·"))
				if why := unreadable(plain); why != "" || strings.Count(s, "qbosync:") != 1 || !strings.HasSuffix(s, marker) {
					t.Errorf("%s: %s %q: want plain words, then the marker last (%s)", w, p, s, why)
				}
			case k == "Description" && isString:
				if why := unreadable(s); why != "" {
					t.Errorf("%s: %s %q: %s", w, p, s, why)
				}
			case isString && strings.Contains(s, "qbosync:"):
				t.Errorf("%s: %s %q: a machine marker outside the internal notes", w, p, s)
			default:
				scanText(t, w, p, x)
			}
		}
	case []any:
		for i, x := range v {
			scanText(t, w, fmt.Sprintf("%s[%d]", path, i), x)
		}
	}
}

// Every object qbosync writes for a demo firm reads cleanly: qbosync's marker only in
// PrivateNote or Notes, last, after plain words; every description a bookkeeper could
// read; aggregate invoice lines that say what they hold; credit memos numbered after
// their invoice.
func TestEveryObjectQbosyncWritesReadsCleanly(t *testing.T) {
	for _, lines := range []string{settings.LinesAggregate, settings.LinesIndividual} {
		t.Run(lines, func(t *testing.T) {
			r := newRig(t, qbosim.Options{})
			r.seedFirm(21, func(s *settings.Settings) { s.Invoices.LineItems = lines })
			r.syncAll()
			noRefusedNumbers(t, r)
			objects := r.written()
			byEntity := map[string]int{}
			invoiceNumbers := map[string]bool{}
			for _, w := range objects {
				byEntity[w.entity]++
				scanText(t, w, w.entity, w.obj)
				if w.entity == "Invoice" {
					invoiceNumbers[fmt.Sprint(w.obj["DocNumber"])] = true
				}
			}
			for _, entity := range []string{"Account", "Item", "Customer", "Vendor", "Invoice", "CreditMemo", "Payment", "Deposit", "Purchase", "JournalEntry"} {
				if byEntity[entity] == 0 {
					t.Errorf("the demo firm wrote no %s to check", entity)
				}
				// And nothing in the company, mapped or not, has a marker outside the
				// internal notes.
				for _, o := range r.sim.Entities(r.realm, entity) {
					for k, v := range o {
						if text := fmt.Sprint(v); !internalNotes[k] && strings.Contains(text, "qbosync:") {
							t.Errorf("%s %v: %s holds a marker: %.200s", entity, o["Id"], k, text)
						}
					}
				}
			}
			for _, w := range objects {
				switch {
				case w.entity == "Account" || w.entity == "Item":
					if d, _ := w.obj["Description"].(string); d == "" {
						t.Errorf("%s has no description", w)
					}
				case w.entity == "CreditMemo":
					doc := fmt.Sprint(w.obj["DocNumber"])
					base, n, ok := strings.Cut(doc, "-C")
					if !ok || !invoiceNumbers[base] || n == "" || len(doc) > posting.MaxDocNumber {
						t.Errorf("%s is numbered %q, want its invoice's number and -C<n>", w, doc)
					}
				case w.entity == "Invoice":
					for _, l := range w.obj["Line"].([]any) {
						d, _ := l.(map[string]any)["Description"].(string)
						if slices.Contains([]string{"legal services", "flat fees", "costs advanced", "other charges", "interest", "hard cost"}, strings.ToLower(d)) {
							t.Errorf("%s: line %q says only what kind of charge it is", w, d)
						}
					}
				}
			}
		})
	}
}

// noRefusedNumbers fails the test if QuickBooks refused any record a document number
// (6140).
func noRefusedNumbers(t *testing.T, r *rig) {
	t.Helper()
	for key, code := range r.failures() {
		if code == "6140" {
			t.Errorf("%s: QuickBooks refused its document number", key)
		}
	}
}

// Two hard costs paid by one check, a trust check with the same number, and two
// transfers for one invoice post cleanly under QuickBooks' duplicate-number rules, by
// check and by cash: the first keeps the practice number, the others get "-2", "-3",
// and an edit keeps the numbers.
func TestSharedCheckAndInvoiceNumbersPostAsUniqueDocumentNumbers(t *testing.T) {
	for _, paidBy := range []string{settings.PaymentCheck, settings.PaymentCash} {
		t.Run(paidBy, func(t *testing.T) {
			r := newRig(t, qbosim.Options{})
			firm := r.seedFirm(22, func(s *settings.Settings) { s.HardCosts.PaymentType = paidBy })
			r.syncAll()
			// A hard cost and a transfer in QuickBooks already.
			var x struct {
				ID         int64     `db:"id"`
				Matter     int64     `db:"matter_id"`
				Account    int64     `db:"paid_from_account_id"`
				Payee      string    `db:"payee"`
				IncurredOn time.Time `db:"incurred_on"`
			}
			if err := r.e.Store.DB().Get(&x, `SELECT x.id, x.matter_id, x.paid_from_account_id, x.payee, x.incurred_on FROM expenses x
				JOIN qbo_id_map m ON m.firm_id = x.firm_id AND m.kind = 'hard_cost' AND m.source_key = x.id::text
				WHERE x.firm_id = $1 ORDER BY x.id LIMIT 1`, firm); err != nil {
				t.Fatal(err)
			}
			var tt struct {
				ID      int64  `db:"id"`
				Ref     string `db:"reference"`
				Account int64  `db:"bank_account_id"`
				Matter  int64  `db:"matter_id"`
			}
			if err := r.e.Store.DB().Get(&tt, `SELECT t.id, t.reference, t.bank_account_id, t.matter_id FROM trust_transactions t
				JOIN qbo_id_map m ON m.firm_id = t.firm_id AND m.kind = 'trust_transfer' AND m.source_key = t.id::text
				WHERE t.firm_id = $1 AND t.reference <> '' ORDER BY t.id LIMIT 1`, firm); err != nil {
				t.Fatal(err)
			}
			// Check 880001 paid two costs; the trust account wrote a check 880001 too.
			r.exec(`UPDATE expenses SET check_number = '880001' WHERE id = $1`, x.ID)
			r.exec(`INSERT INTO expenses (firm_id, matter_id, kind, incurred_on, description, unit_price_cents, amount_cents, payee, paid_from_account_id, check_number, billable)
				VALUES ($1, $2, 'hard', $3, 'Courier', 4500, 4500, $4, $5, '880001', false)`, firm, x.Matter, x.IncurredOn, x.Payee, x.Account)
			r.exec(`INSERT INTO trust_transactions (firm_id, bank_account_id, matter_id, kind, txn_on, amount_cents, payee, reference, description)
				VALUES ($1, $2, $3, 'disbursement', $4, 1200, 'County Recorder', '880001', 'Recording fee')`, firm, tt.Account, tt.Matter, x.IncurredOn)
			// A second transfer for the same invoice (the first did not cover it).
			r.exec(`INSERT INTO trust_transactions (firm_id, bank_account_id, matter_id, kind, txn_on, amount_cents, reference, description, payment_id)
				SELECT firm_id, bank_account_id, matter_id, kind, txn_on, 100, reference, description, payment_id FROM trust_transactions WHERE id = $1`, tt.ID)

			r.syncAll()
			noRefusedNumbers(t, r)
			docs := func(entity, number string) []string {
				var out []string
				for _, o := range r.sim.Entities(r.realm, entity) {
					if d := fmt.Sprint(o["DocNumber"]); d == number || strings.HasPrefix(d, number+"-") {
						out = append(out, d)
					}
				}
				slices.Sort(out)
				return out
			}
			if got, want := docs("Purchase", "880001"), []string{"880001", "880001-2", "880001-3"}; !slices.Equal(got, want) {
				t.Errorf("purchases numbered %v, want %v", got, want)
			}
			if got, want := docs("JournalEntry", tt.Ref), []string{tt.Ref, tt.Ref + "-2"}; !slices.Equal(got, want) {
				t.Errorf("transfers numbered %v, want %v", got, want)
			}

			// An edit of the first cost keeps every number; nothing fails.
			r.exec(`UPDATE expenses SET amount_cents = amount_cents + 1, unit_price_cents = unit_price_cents + 1 WHERE id = $1`, x.ID)
			if c := r.syncAll(); c.Updated == 0 {
				t.Errorf("after an edit: %+v", c)
			}
			noRefusedNumbers(t, r)
			if got := docs("Purchase", "880001"); len(got) != 3 || got[0] != "880001" {
				t.Errorf("after an edit, purchases numbered %v", got)
			}
		})
	}
}

// An account or item carries no marker; after a lost create answer qbosync still
// finds its own (QuickBooks made it, under the name, after the intent that found the
// name free) and makes no twin, whatever requestid does.
func TestLedgerAfterALostAnswerAdoptsItsOwnAccountWithoutAMarker(t *testing.T) {
	for _, ignoreRequestID := range []bool{false, true} {
		t.Run(fmt.Sprintf("requestid ignored %v", ignoreRequestID), func(t *testing.T) {
			r := newRig(t, qbosim.Options{IgnoreRequestID: ignoreRequestID})
			r.exec(`INSERT INTO bank_accounts (firm_id, kind, name) VALUES ($1, 'trust', 'Lost IOLTA')`, r.e.Scope.FirmID)
			r.faults(qbosim.Faults{LoseNextResponses: 1})
			if c := r.run("ledger", false); c.Failed != 0 {
				t.Fatalf("ledger %+v, failures %v", c, r.failures())
			}
			for _, name := range []string{"Lost IOLTA", "Lost IOLTA - Client Funds", "Legal Fee Income"} {
				if got := r.named("Account", "Name", name); len(got) != 1 {
					t.Errorf("%d accounts named %q, want 1", len(got), name)
				}
			}
			for _, a := range r.sim.Entities(r.realm, "Account") {
				if d := fmt.Sprint(a["Description"]); strings.Contains(d, "qbosync:") {
					t.Errorf("account %v carries a marker in its description: %q", a["Name"], d)
				}
			}
			var intents int
			if err := r.e.Store.DB().Get(&intents, `SELECT count(*) FROM qbo_write_intents`); err != nil || intents != 0 {
				t.Errorf("%d intents left, %v", intents, err)
			}
		})
	}
}

// A firm upgraded mid-way: an account an older version created, with its marker in
// the description and no mapping (its answer was lost), is still qbosync's own: it is
// adopted, not twinned, and its description rewritten in plain words.
func TestLedgerAdoptsAnAccountWithAnOldMarkerInItsDescription(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	var made qbo.Account
	if err := r.e.QBO.Create(t.Context(), "Account", qbo.Account{Name: "Legal Fee Income", AccountType: "Income", AccountSubType: "ServiceFeeIncome",
		Description: names.MarkerFor(r.e.Scope.FirmID, KindLedger, "item_mapping.fee_income_account")}, "old-version-create", &made); err != nil {
		t.Fatal(err)
	}
	old := made.ID
	if c := r.run("ledger", false); c.Failed != 0 {
		t.Fatalf("ledger %+v, failures %v", c, r.failures())
	}
	if got := r.named("Account", "Name", "Legal Fee Income"); len(got) != 1 || fmt.Sprint(got[0]["Id"]) != old {
		t.Fatalf("accounts named Legal Fee Income: %v, want the old one (%s) only", got, old)
	} else if d := fmt.Sprint(got[0]["Description"]); strings.Contains(d, "qbosync:") || unreadable(d) != "" {
		t.Errorf("the old account's description is still %q", d)
	}
	if m, ok := r.mapping(KindLedger, "item_mapping.fee_income_account"); !ok || m.QBOID != old {
		t.Errorf("mapping %+v, %v", m, ok)
	}
}

// The rule that stands in for a marker on accounts and items: created at or after the
// intent, of the shape asked for, holding no money; nothing else.
func TestOwnAfterIntentNeverTakesAForeignAccountOrOneWithMoney(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	intent := &store.Intent{CreatedAt: at}
	desired := qbo.Account{Name: "IOLTA", AccountType: "Bank", AccountSubType: "TrustAccounts"}
	money := qbo.Amount(1)
	account := func(created time.Time, edit func(*qbo.Account)) *qbo.Account {
		a := desired
		a.MetaData.CreateTime = created
		if edit != nil {
			edit(&a)
		}
		return &a
	}
	for _, c := range []struct {
		name   string
		intent *store.Intent
		got    *qbo.Account
		own    bool
	}{
		{"made after the intent", intent, account(at.Add(time.Second), nil), true},
		{"made in the intent's second, by another clock", intent, account(at.Add(-time.Second), nil), true},
		{"made long before", intent, account(at.Add(-time.Hour), nil), false},
		{"no intent (the name was taken when qbosync looked)", nil, account(at.Add(time.Second), nil), false},
		{"holds money", intent, account(at.Add(time.Second), func(a *qbo.Account) { a.CurrentBalance = &money }), false},
		{"another type", intent, account(at.Add(time.Second), func(a *qbo.Account) { a.AccountSubType = "Checking" }), false},
		{"inactive", intent, account(at.Add(time.Second), func(a *qbo.Account) { f := false; a.Active = &f }), false},
	} {
		if got := accountSpec.ownAfterIntent(c.intent, c.got, &desired); got != c.own {
			t.Errorf("%s: own = %v, want %v", c.name, got, c.own)
		}
	}
}

// Every account and item the settings can call for gets a description of its own, in
// plain words, within QuickBooks' 100 characters for an account.
func TestEveryLedgerObjectHasADescriptionOfItsOwn(t *testing.T) {
	s := settings.Defaults(settings.Firm{ID: 3, Name: "Rig LLP", BankAccounts: []settings.BankAccount{
		{ID: 1, Kind: "operating", Name: "Operating"}, {ID: 2, Kind: "trust", Name: "IOLTA " + strings.Repeat("Trust ", 30)},
	}})
	s.WriteOffs.BadDebt = true
	seen := map[string]bool{}
	for _, tr := range s.Targets() {
		d := ledgerDescription(tr)
		if why := unreadable(d); why != "" || utf8.RuneCountInString(d) > maxAccountDescription || strings.HasSuffix(d, " from the practice system") {
			t.Errorf("%s: description %q (%s)", tr.Path, d, why)
		}
		if seen[d] && tr.Role != settings.RoleOperatingBank {
			t.Errorf("%s: description %q is another object's too", tr.Path, d)
		}
		seen[d] = true
	}
}
