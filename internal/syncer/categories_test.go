package syncer

// Unit tests of category runs (Engine.Run) without Temporal: the ledger and the
// contacts, against the sandbox in-process and a real PostgreSQL.

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/pms/seed"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/qbosim"
	"github.com/qbosync/qbosync/internal/reconcile"
	"github.com/qbosync/qbosync/internal/settings"
)

func (r *rig) exec(q string, args ...any) {
	r.t.Helper()
	if _, err := r.e.Store.DB().Exec(q, args...); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) run(category string, retryFailed bool) Counts {
	r.t.Helper()
	cat, err := CategoryNamed(category)
	if err != nil {
		r.t.Fatal(err)
	}
	e := *r.e // a run's caches (books, vendors) do not outlive it
	counts, err := e.Run(r.t.Context(), cat, retryFailed)
	if err != nil {
		r.t.Fatalf("%s: %v", category, err)
	}
	return counts
}

// seedFirm seeds a small demo firm into the rig's database and syncs for it from then
// on; with configure, it first submits the firm's default settings as configure leaves
// them (a start date in 2000, so that every record is in scope).
func (r *rig) seedFirm(seedNo int64, configure func(*settings.Settings)) int64 {
	r.t.Helper()
	sum, err := seed.Seed(r.t.Context(), r.e.Store.DB(), seed.Options{Size: seed.SizeSmall, Seed: seedNo})
	if err != nil {
		r.t.Fatal(err)
	}
	r.e.Scope.FirmID = sum.FirmID
	if configure == nil {
		return sum.FirmID
	}
	f, err := r.e.Store.Firm(r.t.Context(), sum.FirmID)
	if err != nil {
		r.t.Fatal(err)
	}
	s := settings.Defaults(f)
	s.SyncOptions.StartDate = "2000-01-01"
	configure(&s)
	if err := r.e.Store.SubmitSetup(r.t.Context(), settings.Record{FirmID: sum.FirmID, SetupID: "s1", RealmID: r.realm, Settings: s}); err != nil {
		r.t.Fatal(err)
	}
	return sum.FirmID
}

func (r *rig) failures() map[string]string {
	r.t.Helper()
	failed, err := r.e.Store.FailedItems(r.t.Context(), r.e.Scope)
	if err != nil {
		r.t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range failed {
		out[f.Kind+":"+f.SourceKey] = f.ErrorCode
	}
	return out
}

// The ledger sets up every account and item of the default settings once, each of the
// type the posting rules give it; a rerun writes nothing; and a bank account named like
// one of the company's own ("Checking") is a failed item, never the company's account.
func TestLedgerSetsUpTheDefaultsOnceAndNeverTakesABankAccountByName(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	r.exec(`INSERT INTO bank_accounts (firm_id, kind, name) VALUES ($1, 'operating', 'Firm Operating'), ($1, 'trust', 'Firm IOLTA')`, r.e.Scope.FirmID)
	before := len(r.sim.Entities(r.realm, "Account"))
	first := r.run("ledger", false)
	// 2 banks, 1 liability, fee, reimbursed, write-off income and client costs; 6 items.
	if first.Created != 13 || first.Failed != 0 {
		t.Fatalf("first run %+v, failures %v; want 13 created", first, r.failures())
	}
	if got := len(r.sim.Entities(r.realm, "Account")) - before; got != 7 {
		t.Errorf("%d accounts created, want 7", got)
	}
	liab := r.named("Account", "Name", "Firm IOLTA - Client Funds")
	if len(liab) != 1 || liab[0]["AccountType"] != "Other Current Liability" {
		t.Errorf("trust liability = %v", liab)
	}
	if again := r.run("ledger", false); again.Created+again.Updated != 0 || again.Unchanged != 13 {
		t.Errorf("rerun %+v; want all unchanged", again)
	}

	r.exec(`INSERT INTO bank_accounts (firm_id, kind, name) VALUES ($1, 'trust', 'Checking')`, r.e.Scope.FirmID)
	var id int64
	if err := r.e.Store.DB().Get(&id, `SELECT id FROM bank_accounts WHERE name = 'Checking'`); err != nil {
		t.Fatal(err)
	}
	r.run("ledger", false)
	key := settings.BankLedgerKey(settings.RoleTrustBank, id)
	if code := r.failures()["ledger:"+key]; code != "6240" {
		t.Errorf("trust account named Checking: failure %q, want 6240", code)
	}
	if _, mapped := r.mapping(KindLedger, key); mapped {
		t.Error("the trust account named Checking was recorded as the company's Checking account")
	}
}

// Contacts: every client becomes one customer and its matters sub-customers under it;
// a later namesake (as QuickBooks compares names) gets its number; a client whose name
// a vendor holds fails with the holder named, and its matters wait for it; a rerun
// writes nothing.
func TestContactsPageFilesMattersUnderTheirClientsAndNamesakesApart(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	firm := r.e.Scope.FirmID
	r.exec(`INSERT INTO clients (firm_id, client_number, kind, name) VALUES
		($1, 'C-1', 'company', 'Acme Widgets'), ($1, 'C-2', 'company', 'ACME  widgets'), ($1, 'C-3', 'company', 'Hall Properties')`, firm)
	r.exec(`INSERT INTO matters (firm_id, client_id, matter_number, name, opened_on)
		SELECT firm_id, id, 'M-' || client_number, 'General', '2026-01-01' FROM clients WHERE firm_id = $1`, firm)
	r.run("ledger", false)
	counts := r.run("contacts", false)
	if counts.Created != 4 || counts.Failed != 2 {
		t.Fatalf("counts %+v, failures %v; want 4 created (2 clients, 2 matters) and 2 failed", counts, r.failures())
	}
	for _, name := range []string{"Acme Widgets", "ACME widgets (C-2)", "M-C-1 General", "M-C-2 General"} {
		if n := len(r.named("Customer", "DisplayName", name)); n != 1 {
			t.Errorf("customer %q: %d", name, n)
		}
	}
	job := r.named("Customer", "DisplayName", "M-C-1 General")[0]
	parent := r.named("Customer", "DisplayName", "Acme Widgets")[0]
	if ref, _ := job["ParentRef"].(map[string]any); fmt.Sprint(ref["value"]) != fmt.Sprint(parent["Id"]) {
		t.Errorf("matter filed under %v, want its client %v", job["ParentRef"], parent["Id"])
	}
	var hall int64
	if err := r.e.Store.DB().Get(&hall, `SELECT id FROM clients WHERE client_number = 'C-3'`); err != nil {
		t.Fatal(err)
	}
	failed, err := r.e.Store.FailedItems(t.Context(), r.e.Scope, posting.KindClient)
	if err != nil || len(failed) != 1 || failed[0].SourceKey != fmt.Sprint(hall) || !strings.Contains(failed[0].ErrorMessage, "a vendor") {
		t.Errorf("failed clients = %+v, %v; want Hall Properties, naming the vendor", failed, err)
	}
	if code := r.failures()["matter:"+fmt.Sprint(hallMatter(t, r, hall))]; code != "qbosync:client-not-synced" {
		t.Errorf("Hall's matter: %q", code)
	}
	if again := r.run("contacts", false); again.Created+again.Updated != 0 {
		t.Errorf("rerun %+v; want nothing written", again)
	}
}

func hallMatter(t *testing.T, r *rig, client int64) int64 {
	t.Helper()
	var id int64
	if err := r.e.Store.DB().Get(&id, `SELECT id FROM matters WHERE client_id = $1`, client); err != nil {
		t.Fatal(err)
	}
	return id
}

// A demo firm synced category by category, twice, without Temporal: every category
// runs to the end with only the seed's deliberate failures (a client named like the
// sample company's vendor, an invalid e-mail, and what waits for them), every approved
// invoice in scope is in QuickBooks once, and the second run writes nothing.
func TestEveryCategoryOfADemoFirmRunsAndARerunWritesNothing(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	firm := r.seedFirm(2, nil)
	var total Counts
	for _, c := range Categories {
		total = total.Plus(r.run(c.Name, false))
	}
	if total.Created == 0 {
		t.Fatalf("nothing created: %+v", total)
	}
	for key, code := range r.failures() {
		if !strings.HasPrefix(code, "6240") && !strings.HasPrefix(code, "qbosync:") {
			t.Errorf("%s failed with QuickBooks code %s", key, code)
		}
	}
	var approved []int64
	if err := r.e.Store.DB().Select(&approved, `SELECT id FROM invoices WHERE firm_id = $1 AND status = 'approved'`, firm); err != nil {
		t.Fatal(err)
	}
	inQBO := 0
	for _, id := range approved {
		switch n := len(r.withMarker("Invoice", names.Marker(firm, posting.KindInvoice, id))); {
		case n == 1:
			inQBO++
		case n > 1:
			t.Errorf("invoice %d is in QuickBooks %d times", id, n)
		}
	}
	if inQBO == 0 {
		t.Error("no invoice reached QuickBooks")
	}
	var again Counts
	for _, c := range Categories {
		again = again.Plus(r.run(c.Name, false))
	}
	if again.Created+again.Updated+again.Adopted != 0 {
		t.Errorf("a rerun wrote: %+v", again)
	}
}

// syncAll runs every category once.
func (r *rig) syncAll() Counts {
	r.t.Helper()
	var total Counts
	for _, c := range Categories {
		total = total.Plus(r.run(c.Name, false))
	}
	return total
}

// Changes after the first sync: an edited invoice is updated, a voided one voided and
// a deleted one (with nothing paid on it) deleted, with their credit memos first; the
// rest is left alone.
func TestChangedVoidedAndDeletedInvoicesFollowThePracticeSystem(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	firm := r.seedFirm(4, nil)
	r.e.Scope.FirmID = firm
	r.syncAll()
	// Three unpaid invoices in QuickBooks: one edited, one voided, one deleted.
	var ids []int64
	if err := r.e.Store.DB().Select(&ids, `
		SELECT i.id FROM invoices i JOIN qbo_id_map m ON m.firm_id = i.firm_id AND m.kind = 'invoice' AND m.source_key = i.id::text
		WHERE i.firm_id = $1 AND i.status = 'approved'
		  AND NOT EXISTS (SELECT 1 FROM payment_allocations a WHERE a.invoice_id = i.id)
		ORDER BY i.id LIMIT 3`, firm); err != nil || len(ids) != 3 {
		t.Fatalf("unpaid synced invoices: %v, %v", ids, err)
	}
	edited, voided, deleted := ids[0], ids[1], ids[2]
	r.exec(`UPDATE invoices SET memo = 'Corrected memo' WHERE id = $1`, edited)
	r.exec(`UPDATE invoices SET status = 'void' WHERE id = $1`, voided)
	r.exec(`DELETE FROM adjustments WHERE invoice_id = $1`, deleted)
	r.exec(`UPDATE time_entries SET invoice_id = NULL WHERE invoice_id = $1`, deleted)
	r.exec(`UPDATE expenses SET invoice_id = NULL WHERE invoice_id = $1`, deleted)
	r.exec(`DELETE FROM invoice_lines WHERE invoice_id = $1`, deleted)
	r.exec(`DELETE FROM invoices WHERE id = $1`, deleted)
	counts := r.run("invoices", false)
	if counts.Updated < 2 {
		t.Errorf("counts %+v; want the edit and the void as updates", counts)
	}
	marker := func(id int64) string { return names.Marker(firm, posting.KindInvoice, id) }
	if got := r.withMarker("Invoice", marker(edited)); len(got) != 1 || !strings.Contains(fmt.Sprint(got[0]["PrivateNote"]), "Corrected memo") {
		t.Errorf("edited invoice: %v", got)
	}
	if got := r.withMarker("Invoice", marker(voided)); len(got) != 1 || centsOfAny(got[0]["TotalAmt"]) != 0 {
		t.Errorf("voided invoice: %v", got)
	}
	if got := r.withMarker("Invoice", marker(deleted)); len(got) != 0 {
		t.Errorf("deleted invoice still in QuickBooks: %v", got)
	}
	if again := r.run("invoices", false); again.Created+again.Updated != 0 {
		t.Errorf("rerun %+v", again)
	}
}

// Edits of invoices that payments were applied to after the sync wrote them (each
// payment made a new version of its invoices in QuickBooks) are written over the
// current versions, read in one query first: not a refused update, a read and an
// update again for each.
func TestEditsOfPaidInvoicesReadTheirCurrentSyncTokensOnce(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	firm := r.seedFirm(4, nil)
	r.syncAll()
	var ids []int64
	if err := r.e.Store.DB().Select(&ids, `
		SELECT DISTINCT a.invoice_id FROM payment_allocations a
		JOIN qbo_id_map m ON m.firm_id = $1 AND m.kind = 'invoice' AND m.source_key = a.invoice_id::text
		JOIN invoices i ON i.id = a.invoice_id AND i.status = 'approved'
		ORDER BY a.invoice_id LIMIT 8`, firm); err != nil || len(ids) < 2 {
		t.Fatalf("paid synced invoices: %v, %v", ids, err)
	}
	stale := 0
	for _, id := range ids {
		m, _ := r.mapping(posting.KindInvoice, fmt.Sprint(id))
		inv := r.sim.Entities(r.realm, "Invoice")
		for _, o := range inv {
			if o["Id"] == m.QBOID && fmt.Sprint(o["SyncToken"]) != m.SyncToken {
				stale++
			}
		}
		r.exec(`UPDATE invoices SET memo = 'Edited after payment' WHERE id = $1`, id)
	}
	if stale != len(ids) {
		t.Fatalf("%d of %d invoices moved by their payments since the sync wrote them; the test needs all", stale, len(ids))
	}
	r.sim.ResetStats(r.realm)
	counts := r.run("invoices", false)
	// The seed's invoices that wait for their matters are tried again and fail again.
	if counts.Updated != len(ids) {
		t.Fatalf("counts %+v, failures %v; want %d updated", counts, r.failures(), len(ids))
	}
	// The rig's client is unpaced, so its batch budget is free and the few updates go
	// as one batch: a stale SyncToken would show as a read and an update more each.
	if got := r.sim.Stats(r.realm); got.Requests != 2 || got.Batches != 1 {
		t.Errorf("%d requests (%d batches) for %d edits; want one read of their SyncTokens and one batch of the updates", got.Requests, got.Batches, len(ids))
	}
	for _, id := range ids {
		got := r.withMarker("Invoice", names.Marker(firm, posting.KindInvoice, id))
		if len(got) != 1 || !strings.Contains(fmt.Sprint(got[0]["PrivateNote"]), "Edited after payment") {
			t.Errorf("invoice %d: %v", id, got)
		}
	}
}

func centsOfAny(v any) int64 {
	var whole, frac int64
	fmt.Sscanf(strings.Replace(fmt.Sprint(v), ".", " ", 1), "%d %d", &whole, &frac)
	return whole*100 + frac
}

// A backfill brings the records that predate the feed in chunks, through the same page
// handlers, and resumes from its cursor; a sync afterwards finds nothing to write.
func TestBackfillInChunksThenASyncWritesNothing(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	firm := r.seedFirm(6, nil)
	// The records predate the feed: forget their changes, as a practice database that
	// had data before qbosync's triggers.
	r.exec(`DELETE FROM pms_changes WHERE firm_id = $1`, firm)
	f := pms.BackfillFilter{Since: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), Unpaid: true}
	for _, cat := range Categories {
		e := *r.e
		total, err := e.BackfillTotal(t.Context(), cat, f)
		if err != nil {
			t.Fatal(err)
		}
		var cur BackfillCursor
		handled, chunks := 0, 0
		for done := false; !done; chunks++ {
			var counts Counts
			counts, cur, done, err = e.Backfill(t.Context(), cat, f, cur, 25)
			if err != nil {
				t.Fatalf("%s: %v", cat.Name, err)
			}
			handled += counts.Changes
		}
		if handled != total || (total > 50 && chunks < 2) {
			t.Errorf("%s: %d of %d records in %d chunks", cat.Name, handled, total, chunks)
		}
	}
	if n := len(r.sim.Entities(r.realm, "Invoice")); n == 0 {
		t.Fatal("the backfill brought no invoice")
	}
	if again := r.syncAll(); again.Created+again.Updated+again.Adopted != 0 {
		t.Errorf("a sync after the backfill wrote: %+v", again)
	}
}

// Objects the firm chose in the setup are recorded once QuickBooks shows they fit the
// role (fee income: an income account); one that does not (a bank account as the trust
// liability) is a failed item and is never recorded. "Match existing customers" links a
// same-name customer of the company.
func TestChosenObjectsAreRecordedOnlyWhenTheyFit(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	firm := r.e.Scope.FirmID
	r.exec(`INSERT INTO bank_accounts (firm_id, kind, name) VALUES ($1, 'operating', 'Firm Op'), ($1, 'trust', 'Firm Trust')`, firm)
	r.exec(`INSERT INTO clients (firm_id, client_number, kind, name, email) VALUES ($1, 'C-1', 'company', 'Cool Cars', 'cool_cars@intuit.com')`, firm)
	f, err := r.e.Store.Firm(t.Context(), firm)
	if err != nil {
		t.Fatal(err)
	}
	id := func(name string) string { return fmt.Sprint(r.named("Account", "Name", name)[0]["Id"]) }
	s := settings.Defaults(f)
	s.Mode, s.SyncOptions.StartDate = settings.ModeCustomize, "2026-01-01"
	s.ItemMapping.FeeIncomeAccount = settings.Target{ExistingID: id("Services"), Name: "Services"}
	s.Trust.Accounts[0].Liability = settings.Target{ExistingID: id("Checking"), Name: "Checking"}
	s.Contacts.MatchExistingCustomers = true
	if err := r.e.Store.SubmitSetup(t.Context(), settings.Record{FirmID: firm, SetupID: "s1", RealmID: r.realm, Settings: s}); err != nil {
		t.Fatal(err)
	}
	r.run("ledger", false)
	if m, ok := r.mapping(KindLedger, "item_mapping.fee_income_account"); !ok || m.QBOID != id("Services") {
		t.Errorf("fee income = %+v, %v; want the chosen Services account", m, ok)
	}
	liability := settings.BankLedgerKey(settings.RoleTrustLiability, f.BankAccounts[1].ID)
	if code := r.failures()["ledger:"+liability]; code != "qbosync:chosen-object-unfit" {
		t.Errorf("a bank account chosen as the trust liability: failure %q", code)
	}
	if _, ok := r.mapping(KindLedger, liability); ok {
		t.Error("a bank account was recorded as the trust liability")
	}
	r.run("contacts", false)
	if got := r.named("Customer", "DisplayName", "Cool Cars"); len(got) != 1 {
		t.Errorf("Cool Cars: %d customers, want the company's own one linked", len(got))
	}
}

// Payees are vendors of their own, never another party's: a payee named like one of
// the company's vendors gets " (payee)", unless "match existing vendors" links it. And a
// payment voided in the practice system is voided in QuickBooks, every part of it.
func TestPayeesAndVoidedPayments(t *testing.T) {
	for _, match := range []bool{false, true} {
		t.Run(fmt.Sprintf("match existing vendors %v", match), func(t *testing.T) {
			r := newRig(t, qbosim.Options{})
			firm := r.seedFirm(8, func(s *settings.Settings) { s.Contacts.MatchExistingVendors = match })
			r.syncAll()
			// A synced hard cost now names the company's vendor as its payee.
			r.exec(`UPDATE expenses SET payee = 'Brosnahan Insurance Agency'
				WHERE id = (SELECT min(x.id) FROM expenses x JOIN qbo_id_map m ON m.firm_id = x.firm_id AND m.kind = 'hard_cost' AND m.source_key = x.id::text
				            WHERE x.firm_id = $1)`, firm)
			if counts := r.run("hard_costs", false); counts.Updated != 1 {
				t.Errorf("hard costs after the payee changed: %+v", counts)
			}
			vendors := len(r.named("Vendor", "DisplayName", "Brosnahan Insurance Agency"))
			twins := len(r.named("Vendor", "DisplayName", "Brosnahan Insurance Agency (payee)"))
			if vendors != 1 || (match && twins != 0) || (!match && twins != 1) {
				t.Errorf("vendors named Brosnahan: %d, with (payee): %d", vendors, twins)
			}

			var pay int64
			if err := r.e.Store.DB().Get(&pay, `
				SELECT p.id FROM payments p JOIN qbo_id_map m ON m.firm_id = p.firm_id AND m.kind = 'payment' AND starts_with(m.source_key, p.id::text || '-')
				WHERE p.firm_id = $1 AND p.status = 'posted' AND p.source = 'operating' ORDER BY p.id LIMIT 1`, firm); err != nil {
				t.Fatal(err)
			}
			r.exec(`UPDATE payments SET status = 'void' WHERE id = $1`, pay)
			r.run("payments", false)
			parts, err := r.e.Store.MappingsWithPrefix(t.Context(), r.e.Scope, posting.KindPayment, posting.PaymentKeyPrefix(pay))
			if err != nil || len(parts) == 0 {
				t.Fatalf("parts of payment %d: %v, %v", pay, parts, err)
			}
			for _, p := range parts {
				var got map[string]any
				for _, o := range r.sim.Entities(r.realm, "Payment") {
					if fmt.Sprint(o["Id"]) == p.QBOID {
						got = o
					}
				}
				if got == nil || centsOfAny(got["TotalAmt"]) != 0 {
					t.Errorf("part %s of the voided payment: %v", p.SourceKey, got)
				}
			}
		})
	}
}

// A payee named like a client qbosync made the customer of (a trust refund's payee is
// the client) gets its "(payee)" vendor at once: one create, not a refused create and
// two lookups first.
func TestAPayeeNamedLikeOurCustomerGetsItsPayeeVendorAtOnce(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	firm := r.seedFirm(8, nil)
	r.syncAll()
	const client = "Zeta Holdings"
	r.exec(`INSERT INTO clients (firm_id, client_number, kind, name) VALUES ($1, 'Z-1', 'company', $2)`, firm, client)
	r.run("contacts", false)
	r.exec(`UPDATE expenses SET payee = $2
		WHERE id = (SELECT min(x.id) FROM expenses x JOIN qbo_id_map m ON m.firm_id = x.firm_id AND m.kind = 'hard_cost' AND m.source_key = x.id::text
		            WHERE x.firm_id = $1)`, firm, "  "+strings.ToUpper(client)+" ")
	r.sim.ResetStats(r.realm)
	if counts := r.run("hard_costs", false); counts.Updated != 1 {
		t.Fatalf("hard costs after the payee changed: %+v, failures %v", counts, r.failures())
	}
	vendors := r.sim.Entities(r.realm, "Vendor")
	found := 0
	for _, v := range vendors {
		if names.Same(fmt.Sprint(v["DisplayName"]), client+" (payee)") {
			found++
		}
	}
	// The vendor's create and the hard cost's update: nothing refused, nothing looked up.
	if st := r.sim.Stats(r.realm); found != 1 || st.Requests != 2 {
		t.Errorf("%d vendors named %q (payee), %d requests; want one, made in one request beside the update", found, client, st.Requests)
	}
}

// With matters off, no sub-customers are made and invoices go to the client's customer.
func TestMattersOffPostsToTheClient(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	r.seedFirm(10, func(s *settings.Settings) { s.Contacts.MattersAsSubCustomers = false })
	r.syncAll()
	clients := map[string]bool{}
	for _, c := range r.sim.Entities(r.realm, "Customer") {
		if job, _ := c["Job"].(bool); job && posting.HasMarker(fmt.Sprint(c["Notes"]), "qbosync:matter") {
			t.Errorf("a matter became a sub-customer: %v", c["DisplayName"])
		}
		if names.HasAnyMarker(fmt.Sprint(c["Notes"])) {
			clients[fmt.Sprint(c["Id"])] = true
		}
	}
	invoices := 0
	for _, inv := range r.sim.Entities(r.realm, "Invoice") {
		invoices++
		if ref, _ := inv["CustomerRef"].(map[string]any); !clients[fmt.Sprint(ref["value"])] {
			t.Errorf("invoice %v is on customer %v, not a client's", inv["DocNumber"], ref["value"])
		}
	}
	if invoices == 0 {
		t.Error("no invoice posted")
	}
}

// A hard cost the practice system bills on an invoice reaches QuickBooks twice: as the
// firm's purchase and as the invoice's Hard Costs line. QuickBooks must never offer the
// purchase for billing again, so no expense line qbosync writes is Billable.
func TestHardCostsAreNeverOfferedForBillingInQuickBooks(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	firm := r.seedFirm(12, nil)
	r.syncAll()
	var billed []int64
	if err := r.e.Store.DB().Select(&billed, `
		SELECT x.id FROM expenses x JOIN qbo_id_map m ON m.firm_id = x.firm_id AND m.kind = 'hard_cost' AND m.source_key = x.id::text
		JOIN qbo_id_map i ON i.firm_id = x.firm_id AND i.kind = 'invoice' AND i.source_key = x.invoice_id::text
		WHERE x.firm_id = $1 AND x.billable`, firm); err != nil {
		t.Fatal(err)
	}
	if len(billed) == 0 {
		t.Fatal("the demo firm has no billed hard cost in QuickBooks to check")
	}
	for _, p := range r.sim.Entities(r.realm, "Purchase") {
		if !names.HasAnyMarker(fmt.Sprint(p["PrivateNote"])) {
			continue
		}
		lines, _ := p["Line"].([]any)
		for _, l := range lines {
			d, _ := l.(map[string]any)["AccountBasedExpenseLineDetail"].(map[string]any)
			if d["BillableStatus"] != "NotBillable" {
				t.Errorf("purchase %v (%v) has a line QuickBooks offers for billing: %v", p["Id"], p["PrivateNote"], d["BillableStatus"])
			}
		}
	}
}

// Every practice payment into the bank is one bank entry in QuickBooks, whether its
// parts are one client's (matters off: one payment) or several matters' (matters on:
// parts in Undeposited Funds and one deposit gathering them), and nothing of it is
// left waiting in Undeposited Funds.
func TestEveryPracticePaymentIsOneBankEntry(t *testing.T) {
	for _, mattersOn := range []bool{false, true} {
		t.Run(fmt.Sprintf("matters as sub-customers %v", mattersOn), func(t *testing.T) {
			r := newRig(t, qbosim.Options{})
			firm := r.seedFirm(14, func(s *settings.Settings) {
				s.Contacts.MattersAsSubCustomers = mattersOn
				s.Invoices.PaymentsDepositTo = settings.DepositOperatingAccount
			})
			r.syncAll()
			undeposited := map[string]bool{}
			for _, a := range r.sim.Entities(r.realm, "Account") {
				undeposited[fmt.Sprint(a["Id"])] = a["AccountSubType"] == "UndepositedFunds"
			}
			payments := map[string]map[string]any{}
			for _, p := range r.sim.Entities(r.realm, "Payment") {
				payments[fmt.Sprint(p["Id"])] = p
			}
			var ids []int64
			if err := r.e.Store.DB().Select(&ids, `SELECT id FROM payments WHERE firm_id = $1 AND status = 'posted' AND source = 'operating' ORDER BY id`, firm); err != nil {
				t.Fatal(err)
			}
			split := 0
			for _, id := range ids {
				parts, err := r.e.Store.MappingsWithPrefix(t.Context(), r.e.Scope, posting.KindPayment, posting.PaymentKeyPrefix(id))
				if err != nil {
					t.Fatal(err)
				}
				if len(parts) == 0 {
					continue
				}
				direct := 0
				for _, m := range parts {
					if ref, _ := payments[m.QBOID]["DepositToAccountRef"].(map[string]any); ref != nil && !undeposited[fmt.Sprint(ref["value"])] {
						direct++
					}
				}
				_, gathered := r.mapping(posting.KindPaymentDeposit, fmt.Sprint(id))
				entries := direct
				if gathered {
					entries++
					split++
				}
				if entries != 1 || (gathered && direct != 0) {
					t.Errorf("payment %d: %d parts, %d straight into the bank, gathered by a deposit %v: want one bank entry", id, len(parts), direct, gathered)
				}
				if !mattersOn && len(parts) != 1 {
					t.Errorf("payment %d is %d QuickBooks payments of one client", id, len(parts))
				}
			}
			if mattersOn && split == 0 {
				t.Fatal("no payment of the demo firm is split across matters: nothing to check")
			}
			// The reconciliation checks the same from its side, and names a payment whose
			// deposit someone deleted in QuickBooks.
			rep, err := reconcile.Firm(t.Context(), r.e.Store.DB(), r.e.QBO, r.e.Scope)
			if err != nil {
				t.Fatal(err)
			}
			if d := rep.Deposits; d.PaymentsChecked == 0 || !d.OK() {
				t.Errorf("deposits check: %+v; want every payment checked and one bank entry", d)
			}
			if mattersOn {
				var id int64
				if err := r.e.Store.DB().Get(&id, `SELECT source_key::bigint FROM qbo_id_map WHERE firm_id = $1 AND kind = $2 ORDER BY 1 DESC LIMIT 1`, firm, posting.KindPaymentDeposit); err != nil {
					t.Fatal(err)
				}
				dep, _ := r.mapping(posting.KindPaymentDeposit, fmt.Sprint(id))
				var cur identity
				if err := r.e.QBO.Read(t.Context(), "Deposit", dep.QBOID, &cur); err != nil {
					t.Fatal(err)
				}
				if err := r.e.QBO.Delete(t.Context(), "Deposit", cur.ID, cur.SyncToken, "by hand"); err != nil {
					t.Fatal(err)
				}
				rep, err := reconcile.Firm(t.Context(), r.e.Store.DB(), r.e.QBO, r.e.Scope)
				if err != nil {
					t.Fatal(err)
				}
				if d := rep.Deposits.Payments; len(d) != 1 || d[0].PaymentID != id || d[0].BankEntries != 0 || !strings.Contains(d[0].Why, "Undeposited Funds") {
					t.Errorf("after deleting payment %d's deposit by hand the check says %+v", id, d)
				}
				if rep.OK() || rep.Summary().PaymentsNotOneBankEntry != 1 {
					t.Error("the books agree with a payment missing from the bank")
				}
			}
			if mattersOn {
				// Voiding a gathered payment takes its deposit out first (QBO would keep
				// the voided parts' money in the bank), then voids the parts.
				var id int64
				if err := r.e.Store.DB().Get(&id, `SELECT source_key::bigint FROM qbo_id_map WHERE firm_id = $1 AND kind = $2 ORDER BY 1 LIMIT 1`, firm, posting.KindPaymentDeposit); err != nil {
					t.Fatal(err)
				}
				dep, _ := r.mapping(posting.KindPaymentDeposit, fmt.Sprint(id))
				r.exec(`UPDATE payments SET status = 'void' WHERE id = $1`, id)
				r.run("payments", false)
				if _, still := r.mapping(posting.KindPaymentDeposit, fmt.Sprint(id)); still || slices.ContainsFunc(r.sim.Entities(r.realm, "Deposit"), func(d map[string]any) bool { return fmt.Sprint(d["Id"]) == dep.QBOID }) {
					t.Errorf("payment %d voided, its deposit %s is still there", id, dep.QBOID)
				}
				for key, code := range r.failures() {
					if strings.HasPrefix(key, fmt.Sprintf("payment:%d-", id)) || strings.HasPrefix(key, posting.KindPaymentDeposit+":") {
						t.Errorf("after the void, %s failed: %s", key, code)
					}
				}
			}
			if !mattersOn && split != 0 {
				t.Errorf("%d deposits gather payments of one client", split)
			}
		})
	}
}

// A firm that posts write-offs and credits as discount lines reconciles as clean as
// one that posts credit memos: the reconciliation expects the discount on the invoice
// itself, not a credit memo (it used to report every such invoice as differing).
func TestDiscountLineFirmReconcilesLikeACreditMemoFirm(t *testing.T) {
	differing := func(method string) []int64 {
		r := newRig(t, qbosim.Options{})
		firm := r.seedFirm(15, func(s *settings.Settings) { s.WriteOffs.Method = method })
		r.syncAll()
		var lowered int
		if err := r.e.Store.DB().Get(&lowered, `SELECT count(*) FROM adjustments a JOIN qbo_id_map m ON m.firm_id = a.firm_id
			AND m.kind = 'invoice' AND m.source_key = a.invoice_id::text WHERE a.firm_id = $1 AND a.kind <> 'debit'`, firm); err != nil {
			t.Fatal(err)
		}
		if lowered == 0 {
			t.Fatal("no synced invoice has a write-off or credit: nothing to check")
		}
		rep, err := reconcile.Firm(t.Context(), r.e.Store.DB(), r.e.QBO, r.e.Scope)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, m := range rep.Receivables.Matters {
			out = append(out, m.MatterID)
		}
		return out
	}
	memos, discounts := differing(settings.WriteOffCreditMemo), differing(settings.WriteOffDiscountLine)
	if !slices.Equal(memos, discounts) {
		t.Errorf("matters differing: %v with discount lines, %v with credit memos; want the same", discounts, memos)
	}
}

// With bad debt on, a write-off of an uncollectible balance is a credit memo with the
// bad debt item, whose account is the Bad Debts expense (Intuit's own way); a courtesy
// credit stays a credit memo with the write-offs item, on the contra-income account.
func TestUncollectibleWriteOffsAreBadDebtExpense(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	firm := r.seedFirm(16, func(s *settings.Settings) { s.WriteOffs.BadDebt = true })
	r.syncAll()
	ledger := func(key string) string {
		m, ok := r.mapping(KindLedger, key)
		if !ok {
			t.Fatalf("%s is not set up: failures %v", key, r.failures())
		}
		return m.QBOID
	}
	badDebtItem, writeOffItem, badDebts := ledger("item_mapping.bad_debt"), ledger("item_mapping.write_offs"), ledger("write_offs.bad_debt_account")
	var accountType string
	for _, a := range r.sim.Entities(r.realm, "Account") {
		if fmt.Sprint(a["Id"]) == badDebts {
			accountType = fmt.Sprint(a["AccountType"])
		}
	}
	if accountType != "Expense" {
		t.Errorf("the bad debt account is %q, want an Expense", accountType)
	}
	var adjs []struct {
		ID    int64  `db:"id"`
		Kind  string `db:"kind"`
		Cents int64  `db:"amount_cents"`
		QBOID string `db:"qbo_id"`
	}
	if err := r.e.Store.DB().Select(&adjs, `SELECT a.id, a.kind, a.amount_cents, m.qbo_id FROM adjustments a
		JOIN qbo_id_map m ON m.firm_id = a.firm_id AND m.kind = 'adjustment' AND m.source_key = a.invoice_id || '-' || a.id
		WHERE a.firm_id = $1 AND a.kind <> 'debit'`, firm); err != nil {
		t.Fatal(err)
	}
	memos := map[string]map[string]any{}
	for _, m := range r.sim.Entities(r.realm, "CreditMemo") {
		memos[fmt.Sprint(m["Id"])] = m
	}
	seen := map[string]int{}
	var writtenOff int64
	for _, a := range adjs {
		lines, _ := memos[a.QBOID]["Line"].([]any)
		if len(lines) == 0 {
			t.Fatalf("adjustment %d: credit memo %s not in QuickBooks", a.ID, a.QBOID)
		}
		d, _ := lines[0].(map[string]any)["SalesItemLineDetail"].(map[string]any)
		item := fmt.Sprint(d["ItemRef"].(map[string]any)["value"])
		want := writeOffItem
		if a.Kind == "write_off" {
			want = badDebtItem
			writtenOff += a.Cents
		}
		if item != want {
			t.Errorf("%s %d posts with item %s, want %s", a.Kind, a.ID, item, want)
		}
		seen[a.Kind]++
	}
	if seen["write_off"] == 0 || seen["credit"] == 0 {
		t.Fatalf("synced adjustments %v: want both write-offs and credits to check", seen)
	}
	if got := r.sim.AccountBalance(r.realm, badDebts); got != writtenOff {
		t.Errorf("Bad Debts expense is %d cents, want the %d cents written off", got, writtenOff)
	}
}

// A sweep that finds no changes costs QuickBooks nothing: an idle firm's cycle reads
// the feed and the id map, never QuickBooks.
func TestAnIdleCycleSendsQuickBooksNoRequest(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	r.seedFirm(17, nil)
	r.syncAll()
	r.sim.ResetStats(r.realm)
	r.syncAll()
	if st := r.sim.Stats(r.realm); st.Requests != 0 {
		t.Errorf("an idle cycle sent QuickBooks %d requests (%+v), want none", st.Requests, st)
	}
}

// A record waiting for another is tried again once something of the kind it waits for
// has come into QuickBooks since its last try, and not at every run: a hard cost whose
// matter's client has a bad e-mail waits without cost until the client is fixed.
func TestWaitingItemsAreTriedAgainWhenWhatTheyWaitForMayHaveCome(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	firm := r.seedFirm(17, nil)
	r.syncAll()
	attempts := func() map[string]int {
		var rows []struct {
			Key      string `db:"source_key"`
			Attempts int    `db:"attempts"`
		}
		if err := r.e.Store.DB().Select(&rows, `SELECT source_key, attempts FROM sync_items
			WHERE firm_id = $1 AND kind = $2 AND status = 'failed' AND error_code = $3`, firm, posting.KindHardCost, waitingForMatter); err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, row := range rows {
			out[row.Key] = row.Attempts
		}
		return out
	}
	before := attempts()
	if len(before) == 0 {
		t.Fatal("the seeded firm has no hard cost waiting for its matter; the test needs one")
	}
	r.run("hard_costs", false)
	if after := attempts(); !maps.Equal(after, before) {
		t.Errorf("with nothing new in QuickBooks the waiting hard costs were tried again: attempts %v, then %v", before, after)
	}
	r.fixSeedFailures(firm)
	r.run("contacts", false)
	r.run("hard_costs", false)
	if left := attempts(); len(left) != 0 {
		t.Errorf("after their matters came, hard costs still wait: %v", left)
	}
}

// A run reads its feed as far as it reached when the run began: changes that arrive
// while it runs wait for the next run, so a stream of edits cannot keep one category
// running and the ones after it waiting.
func TestARunReadsItsFeedAsFarAsItReachedWhenItBegan(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	firm := r.seedFirm(17, nil)
	r.syncAll()
	var ids []int64
	if err := r.e.Store.DB().Select(&ids, `SELECT id FROM invoices WHERE firm_id = $1 AND status = 'approved' ORDER BY id LIMIT 4`, firm); err != nil || len(ids) < 4 {
		t.Fatalf("approved invoices: %v, %v", ids, err)
	}
	for _, id := range ids[:3] {
		r.exec(`UPDATE invoices SET memo = 'edited' WHERE id = $1`, id)
	}
	e := *r.e
	e.PageSize = 1
	edited := false
	e.Progress = func(pms.Cursor, Counts) {
		if !edited { // another edit lands while the run goes on
			edited = true
			r.exec(`UPDATE invoices SET memo = 'edited meanwhile' WHERE id = $1`, ids[3])
		}
	}
	cat, err := CategoryNamed("invoices")
	if err != nil {
		t.Fatal(err)
	}
	counts, err := e.Run(t.Context(), cat, false)
	if err != nil {
		t.Fatal(err)
	}
	if counts.Changes != 3 {
		t.Errorf("the run read %d changes, want the 3 there when it began", counts.Changes)
	}
	if next := r.run("invoices", false); next.Changes != 1 {
		t.Errorf("the next run read %d changes, want the 1 that came meanwhile", next.Changes)
	}
}

// countingPages counts how often each record is staged.
type countingPages struct {
	stager
	mu     sync.Mutex
	staged map[record]int
}

func (c *countingPages) stage(ctx context.Context, e *Engine, changes []pms.Change) (staged, error) {
	c.mu.Lock()
	for _, ch := range changes {
		c.staged[recordOfChange(ch)]++
	}
	c.mu.Unlock()
	return c.stager.stage(ctx, e, changes)
}

// A run loads and plans a record once: a later change of it in the run's feed was
// committed before the run began, so the page that synced it saw it. A record whose
// item failed in the run is looked at again.
func TestARunLooksOnceAtARecordItSynced(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	firm := r.seedFirm(17, nil)
	r.syncAll()
	var inv []struct {
		ID       int64 `db:"id"`
		MatterID int64 `db:"matter_id"`
	}
	if err := r.e.Store.DB().Select(&inv, `SELECT DISTINCT ON (matter_id) id, matter_id FROM invoices WHERE firm_id = $1 AND status = 'approved' ORDER BY matter_id, id LIMIT 5`, firm); err != nil || len(inv) < 5 {
		t.Fatalf("approved invoices of five matters: %v, %v", inv, err)
	}
	waits, synced := inv[0], inv[1]
	// The matter of one invoice is no longer in QuickBooks' id map: that invoice waits.
	r.exec(`DELETE FROM qbo_id_map WHERE firm_id = $1 AND kind = 'matter' AND source_key = $2`, firm, fmt.Sprint(waits.MatterID))
	// Each changes, three others change, and each changes again: by then the page of
	// its first change has landed (two pages are in flight at most).
	for _, round := range []string{"first", "second"} {
		for _, i := range inv {
			r.exec(`UPDATE invoices SET memo = $2 WHERE id = $1`, i.ID, round+" edit")
		}
	}
	cat, err := CategoryNamed("invoices")
	if err != nil {
		t.Fatal(err)
	}
	pages := &countingPages{stager: cat.pages, staged: map[record]int{}}
	cat.pages = pages
	e := *r.e
	e.PageSize = 1
	counts, err := e.Run(t.Context(), cat, false)
	if err != nil {
		t.Fatal(err)
	}
	if counts.Changes != 10 {
		t.Errorf("the run read %d changes, want 10", counts.Changes)
	}
	rec := func(id int64) record { return recordOfChange(pms.Change{Entity: pms.EntityInvoice, EntityID: id}) }
	if n := pages.staged[rec(synced.ID)]; n != 1 {
		t.Errorf("the synced invoice was staged %d times, want once", n)
	}
	if n := pages.staged[rec(waits.ID)]; n != 2 {
		t.Errorf("the waiting invoice was staged %d times, want at each of its 2 changes", n)
	}
	if got := r.withMarker("Invoice", names.Marker(firm, posting.KindInvoice, synced.ID)); len(got) != 1 || !strings.Contains(fmt.Sprint(got[0]), "second edit") {
		t.Errorf("the synced invoice in QuickBooks is not as last edited: %v", got)
	}
	if next := r.run("invoices", false); next.Changes != 0 {
		t.Errorf("the next run read %d changes, want none: the cursor passed them all", next.Changes)
	}
}

// The contacts write in a lane of their own, beside the invoices: both runs go at
// once, nothing is created twice, the invoices whose customers were not there yet wait
// and go in the next run, and the books come out as they do one run after the other
// (the demo firm's own faults, a client with a bad e-mail and one named like a vendor,
// included).
func TestContactsAndInvoicesWriteBesideEachOther(t *testing.T) {
	oneByOne := booksAfterContactsAndInvoices(t, false)
	beside := booksAfterContactsAndInvoices(t, true)
	if beside != oneByOne {
		t.Errorf("the books after the runs beside each other: %+v\nafter one run after the other: %+v", beside, oneByOne)
	}
}

// booksAfterContactsAndInvoices syncs a demo firm's ledger, then its contacts and
// invoices one after the other or beside each other, then every category once, and
// returns the reconciliation's summary.
func booksAfterContactsAndInvoices(t *testing.T, beside bool) reconcile.Summary {
	r := newRig(t, qbosim.Options{})
	r.seedFirm(23, nil)
	r.run("ledger", false)
	var wg sync.WaitGroup
	for _, name := range []string{"contacts", "invoices"} {
		cat, err := CategoryNamed(name)
		if err != nil {
			t.Fatal(err)
		}
		e := *r.e
		e.PageSize = 7
		run := func() {
			if c, err := e.Run(t.Context(), cat, false); err != nil || c.Changes == 0 {
				t.Errorf("%s: %+v, %v", name, c, err)
			}
		}
		if beside {
			wg.Go(run)
		} else {
			run()
		}
	}
	wg.Wait()
	r.syncAll()
	markers := map[string]int{}
	for _, entity := range []string{"Customer", "Invoice"} {
		for _, o := range r.sim.Entities(r.realm, entity) {
			note, _ := o["PrivateNote"].(string)
			if entity == "Customer" {
				note, _ = o["Notes"].(string)
			}
			if m := names.MarkerIn(note); m != "" {
				markers[m]++
			}
		}
	}
	if len(markers) == 0 {
		t.Fatal("no customer or invoice in QuickBooks carries a marker")
	}
	for m, n := range markers {
		if n > 1 {
			t.Errorf("%s is in QuickBooks %d times", m, n)
		}
	}
	rep, err := reconcile.Firm(t.Context(), r.e.Store.DB(), r.e.QBO, r.e.Scope)
	if err != nil {
		t.Fatal(err)
	}
	return rep.Summary()
}

// New payees get their vendors in one batch request while batches are free; a payee
// whose name another party holds goes alone and gets its "(payee)" vendor, and no
// vendor is made twice.
func TestNewPayeesGetTheirVendorsInOneBatch(t *testing.T) {
	r := newRig(t, qbosim.Options{})
	r.seedFirm(8, nil)
	e := *r.e
	fresh := []string{"Acme Couriers", "Blue Print Co", "Court Reporters Inc", "Delta Filings"}
	r.sim.ResetStats(r.realm)
	if err := e.ensureVendors(t.Context(), fresh); err != nil {
		t.Fatal(err)
	}
	if st := r.sim.Stats(r.realm); st.Requests != 1 || st.Batches != 1 {
		t.Errorf("four new payees took %d requests (%d batches), want one batch", st.Requests, st.Batches)
	}
	// The sample company's vendor Hall Properties is not the payee's (match existing
	// vendors is off): that payee goes alone, as "Hall Properties (payee)".
	if err := e.ensureVendors(t.Context(), append(fresh, "Hall Properties", "Echo Legal Print")); err != nil {
		t.Fatal(err)
	}
	for _, p := range append(fresh, "Hall Properties", "Echo Legal Print") {
		v, known := vendorOf(e.runVendors(), p)
		if !known || v.err != nil || v.id == "" {
			t.Errorf("payee %q: %+v (known %t)", p, v, known)
			continue
		}
		marker, n := names.MarkerFor(e.Scope.FirmID, posting.KindVendor, posting.PayeeKey(p)), 0
		for _, v := range r.sim.Entities(r.realm, "Vendor") {
			if notes, _ := v["Notes"].(string); posting.HasMarker(notes, marker) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("payee %q's vendor is in QuickBooks %d times", p, n)
		}
		if _, mapped := r.mapping(posting.KindVendor, posting.PayeeKey(p)); !mapped {
			t.Errorf("payee %q's vendor is not in the id map", p)
		}
	}
	if got := r.named("Vendor", "DisplayName", "Hall Properties (payee)"); len(got) != 1 {
		t.Errorf("vendors named Hall Properties (payee): %d, want 1", len(got))
	}
}

// A vendor batch whose answer is lost may have been performed: its payees go alone,
// find their vendors by name and marker, and adopt them.
func TestAVendorBatchWhoseAnswerIsLostMakesNothingTwice(t *testing.T) {
	r := newRig(t, qbosim.Options{IgnoreRequestID: true})
	r.seedFirm(8, nil)
	e := *r.e
	payees := []string{"Foxtrot Couriers", "Golf Print Co", "Hotel Reporters"}
	r.faults(qbosim.Faults{LoseNextResponses: 1})
	if err := e.ensureVendors(t.Context(), payees); err != nil {
		t.Fatal(err)
	}
	for _, p := range payees {
		marker, n := names.MarkerFor(e.Scope.FirmID, posting.KindVendor, posting.PayeeKey(p)), 0
		for _, v := range r.sim.Entities(r.realm, "Vendor") {
			if notes, _ := v["Notes"].(string); posting.HasMarker(notes, marker) {
				n++
			}
		}
		if v, known := vendorOf(e.runVendors(), p); n != 1 || !known || v.err != nil {
			t.Errorf("payee %q: %d vendors in QuickBooks, run's vendor %+v", p, n, v)
		}
	}
}
