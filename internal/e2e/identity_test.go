package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/workflows"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// Safe identity (docs/design.md, "Whose object is it"): qbosync posts only to QuickBooks
// objects the firm chose or qbosync created for it, and nothing stalls in silence.

// accountsByName is the sandbox company's accounts by name.
func (s *stack) accountsByName() map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, a := range s.Sim.Entities(s.Realm, "Account") {
		out[fmt.Sprint(a["Name"])] = a
	}
	return out
}

// catalog is the company's accounts and items as the wizard reads them
// (activities.Setup.ListQBOChoices): which of them qbosync created for which of the
// firm's targets comes from the id map, or from an old marker in the description.
func (s *stack) catalog(firm int64) *settings.Catalog {
	cat := &settings.Catalog{}
	sc := store.Scope{FirmID: firm, RealmID: s.Realm}
	marker := func(entity string, o map[string]any) string {
		keys, err := s.Store.ObjectKeys(context.Background(), sc, settings.KindLedger, entity)
		mustTB(s.t, err)
		if key, ok := keys[fmt.Sprint(o["Id"])]; ok {
			return names.MarkerFor(firm, settings.KindLedger, key)
		}
		return names.MarkerIn(fmt.Sprint(o["Description"]))
	}
	for _, a := range s.Sim.Entities(s.Realm, "Account") {
		cat.Accounts = append(cat.Accounts, settings.QBOObject{ID: fmt.Sprint(a["Id"]), Name: fmt.Sprint(a["Name"]), Type: fmt.Sprint(a["AccountType"]),
			Marker: marker(settings.EntityAccount, a)})
	}
	for _, it := range s.Sim.Entities(s.Realm, "Item") {
		cat.Items = append(cat.Items, settings.QBOObject{ID: fmt.Sprint(it["Id"]), Name: fmt.Sprint(it["Name"]), Type: fmt.Sprint(it["Type"]),
			Marker: marker(settings.EntityItem, it)})
	}
	return cat
}

// submit stores settings as the firm's submitted settings, as the wizard's Submit does.
func (s *stack) submit(firm int64, st settings.Settings) {
	s.t.Helper()
	mustTB(s.t, s.Store.SubmitSetup(context.Background(), settings.Record{
		FirmID: firm, SetupID: "e2e-" + randomHex(4), RealmID: s.Realm, CompanyName: "Sandbox", Step: "submitted", Settings: st,
	}))
}

func (s *stack) ledgerID(firm int64, key string) string {
	s.t.Helper()
	m, ok, err := s.Store.Mapping(context.Background(), store.Scope{FirmID: firm, RealmID: s.Realm}, "ledger", key)
	mustTB(s.t, err)
	if !ok {
		return ""
	}
	return m.QBOID
}

// A firm whose practice bank accounts are named like the company's own ("Checking",
// "Savings", "Undeposited Funds"): before the setup fits the names, the sync refuses
// them, naming the clash, and posts no trust money anywhere; with Default mode's
// fitted settings it posts trust money into new trust accounts of the firm's own, and
// not one cent of it reaches an account the firm did not choose.
func TestTrustMoneyNeverPostsIntoAnAccountTheFirmDidNotChoose(t *testing.T) {
	s := newStack(t)
	firm := s.seedSmall(t, 3)
	var banks []settings.BankAccount
	must(t, s.DB.Select(&banks, `SELECT id, kind, name, account_last4 FROM bank_accounts WHERE firm_id = $1 AND active ORDER BY kind, id`, firm))
	names := map[string][]string{"operating": {"Savings"}, "trust": {"Checking", "Undeposited Funds"}}
	var trustIDs []int64
	for _, b := range banks {
		if len(names[b.Kind]) == 0 {
			continue
		}
		_, err := s.DB.Exec(`UPDATE bank_accounts SET name = $2 WHERE id = $1`, b.ID, names[b.Kind][0])
		must(t, err)
		names[b.Kind] = names[b.Kind][1:]
		if b.Kind == "trust" {
			trustIDs = append(trustIDs, b.ID)
		}
	}
	s.connect(firm)
	company := s.accountsByName()
	theirs := []string{fmt.Sprint(company["Checking"]["Id"]), fmt.Sprint(company["Savings"]["Id"])}

	// No setup yet: the defaults name the company's accounts, which are never taken.
	s.syncOnce(firm, false)
	failed := failedByKey(t, s, firm)
	for _, id := range trustIDs {
		f, ok := failed[fmt.Sprintf("ledger:trust_bank:%d", id)]
		if !ok || f.ErrorCode != "6240" || !strings.Contains(f.Explanation, "never linked by its name") {
			t.Errorf("trust bank %d: failure %+v, want a 6240 that says a bank account is never linked by its name", id, f)
		}
		if got := s.ledgerID(firm, fmt.Sprintf("trust_bank:%d", id)); got != "" {
			t.Errorf("trust bank %d recorded as QuickBooks account %s without the firm choosing it", id, got)
		}
	}
	if n := len(s.txnsByMarker("Deposit")); n != 0 {
		t.Errorf("%d trust deposits posted although the firm's trust accounts are not set up", n)
	}

	// Default mode's settings, fitted to the company as the wizard does.
	defaults := settings.Defaults(mustFirm(t, s, firm)).FitTo(firm, s.catalog(firm))
	defaults.SyncOptions.StartDate = "2000-01-01"
	s.submit(firm, defaults)
	s.syncOnce(firm, true)

	accounts := s.accountsByName()
	for _, id := range theirs {
		for name, a := range accounts {
			if fmt.Sprint(a["Id"]) == id && centsOf(t, a["CurrentBalance"]) != 0 {
				t.Errorf("the company's own account %q (%s) holds %v after the sync; qbosync posted into an account the firm did not choose", name, id, a["CurrentBalance"])
			}
		}
	}
	for _, id := range trustIDs {
		bank, liability := s.ledgerID(firm, fmt.Sprintf("trust_bank:%d", id)), s.ledgerID(firm, fmt.Sprintf("trust_liability:%d", id))
		if bank == "" || slices.Contains(theirs, bank) || liability == "" {
			t.Fatalf("trust account %d: bank %q, liability %q; want new accounts of the firm's own", id, bank, liability)
		}
	}
	trustBanks, liabilities := map[string]bool{}, map[string]bool{}
	for _, id := range trustIDs {
		trustBanks[s.ledgerID(firm, fmt.Sprintf("trust_bank:%d", id))] = true
		liabilities[s.ledgerID(firm, fmt.Sprintf("trust_liability:%d", id))] = true
	}
	for name, a := range accounts {
		if trustBanks[fmt.Sprint(a["Id"])] && !strings.HasSuffix(name, " (practice)") {
			t.Errorf("trust bank account is named %q, want the practice's name with \" (practice)\"", name)
		}
	}
	deposits := 0
	for marker, ds := range s.txnsByMarker("Deposit") {
		for _, d := range ds {
			deposits++
			if to := refValue(d["DepositToAccountRef"]); !trustBanks[to] {
				t.Errorf("trust deposit %s went into account %s, not a trust bank account", marker, to)
			}
			lines, _ := d["Line"].([]any)
			for _, l := range lines {
				detail, _ := l.(map[string]any)["DepositLineDetail"].(map[string]any)
				if acct := refValue(detail["AccountRef"]); !liabilities[acct] {
					t.Errorf("a line of trust deposit %s credits account %s, not a trust liability", marker, acct)
				}
			}
		}
	}
	if deposits == 0 {
		t.Error("no trust deposit posted with the fitted settings")
	}
}

func refValue(v any) string {
	ref, _ := v.(map[string]any)
	return fmt.Sprint(ref["value"])
}

func mustFirm(t *testing.T, s *stack, firm int64) settings.Firm {
	t.Helper()
	f, err := s.Store.Firm(t.Context(), firm)
	must(t, err)
	return f
}

// Names QuickBooks takes for one ("Cost Advance Account" and "Cost  Advance Account",
// "Namesake Test Co" and "Namesake\tTest Co") are one name everywhere: the second bank
// account is a failed item (not a sync retrying for ever), and the second client is a
// namesake with its number, not a refused customer "qbosync did not create".
func TestNamesQuickBooksTakesForOneAreOneNameEverywhere(t *testing.T) {
	s := newStack(t)
	firm := s.bulkFirm("Spacey LLP", "S", 1)
	_, err := s.DB.Exec(`
		INSERT INTO bank_accounts (firm_id, kind, name, institution, account_last4) VALUES
		  ($1, 'operating', 'Cost Advance Account', 'Bank', '1111'),
		  ($1, 'trust', 'Cost  Advance Account', 'Bank', '2222')`, firm)
	must(t, err)
	_, err = s.DB.Exec(`
		INSERT INTO clients (firm_id, client_number, kind, name) VALUES
		  ($1, 'N-1', 'company', 'Namesake Test Co'), ($1, 'N-2', 'company', 'Namesake  Test Co'),
		  ($1, 'N-3', 'company', E'namesake\tTEST Co'), ($1, 'N-4', 'company', E'Evil\u202eoC')`, firm)
	must(t, err)
	s.connect(firm)

	sum, _ := s.syncOnce(firm, false) // completes: a stuck category would fail a one-shot sync
	if sum.Status != syncapi.StatusCompleted {
		t.Fatalf("status %q (%s)", sum.Status, sum.Reason)
	}
	stuck, err := s.Store.CategoryErrors(t.Context(), scopeOf(s, firm))
	must(t, err)
	if len(stuck) != 0 {
		t.Errorf("categories stuck: %+v", stuck)
	}
	var trustID int64
	must(t, s.DB.Get(&trustID, `SELECT id FROM bank_accounts WHERE firm_id = $1 AND kind = 'trust'`, firm))
	failed := failedByKey(t, s, firm)
	if f := failed[fmt.Sprintf("ledger:trust_bank:%d", trustID)]; f.ErrorCode != "6240" {
		t.Errorf("trust bank named like the operating account: %+v, want a 6240 failed item", f)
	}
	names := map[string]bool{}
	for _, c := range s.Sim.Entities(s.Realm, "Customer") {
		names[fmt.Sprint(c["DisplayName"])] = true
	}
	for _, want := range []string{"Namesake Test Co", "Namesake Test Co (N-2)", "namesake TEST Co (N-3)", "EviloC"} {
		if !names[want] {
			t.Errorf("customer %q missing (failed: %v)", want, failed)
		}
	}
	for key, f := range failed {
		if strings.HasPrefix(key, "client:") {
			t.Errorf("client %s failed: %s: %s", key, f.ErrorCode, f.Explanation)
		}
	}
}

// "Match existing customers" links a client to the company's customer of the same name
// (and e-mail), with no twin; a customer that already stands for another record (its
// marker says so) is never linked; and a link that would make one customer stand for
// two records is that record's failure, while the rest syncs.
func TestMatchExistingCustomersLinksOnlyWhatStandsForNothingElse(t *testing.T) {
	s := newStack(t)
	firm := s.bulkFirm("Matching LLP", "M", 1)
	_, err := s.DB.Exec(`
		INSERT INTO clients (firm_id, client_number, kind, name, email) VALUES
		  ($1, 'X-1', 'company', 'Cool Cars', 'cool_cars@intuit.com'),
		  ($1, 'X-2', 'company', 'Amy''s Bird Sanctuary', ''),
		  ($1, 'X-3', 'company', 'Bill''s Windsurf Shop', 'someone.else@example.com'),
		  ($1, 'X-4', 'company', 'Marked Co', ''),
		  ($1, 'X-5', 'company', 'Freeman Sporting Goods', '')`, firm)
	must(t, err)
	s.connect(firm)
	marked := s.create("Customer", fmt.Sprintf(`{"DisplayName":"Marked Co","Notes":"synced by qbosync qbosync:client:999999/f%d"}`, firm))
	byName := func() map[string][]map[string]any {
		out := map[string][]map[string]any{}
		for _, c := range s.Sim.Entities(s.Realm, "Customer") {
			out[fmt.Sprint(c["DisplayName"])] = append(out[fmt.Sprint(c["DisplayName"])], c)
		}
		return out
	}
	before := byName()
	// Freeman Sporting Goods' customer already stands for another record of the firm.
	freeman := fmt.Sprint(before["Freeman Sporting Goods"][0]["Id"])
	must(t, s.Store.SaveMapping(t.Context(), scopeOf(s, firm), store.Mapping{Kind: "matter", SourceKey: "999998", QBOEntity: "Customer", QBOID: freeman}))

	st := settings.Defaults(mustFirm(t, s, firm))
	st.Contacts.MatchExistingCustomers = true
	st.SyncOptions.StartDate = "2000-01-01"
	s.submit(firm, st)
	s.syncOnce(firm, false)

	after, failed := byName(), failedByKey(t, s, firm)
	ids := map[string]string{}
	var clients []struct {
		ID     int64  `db:"id"`
		Number string `db:"client_number"`
	}
	must(t, s.DB.Select(&clients, `SELECT id, client_number FROM clients WHERE firm_id = $1`, firm))
	for _, c := range clients {
		ids[c.Number] = fmt.Sprint(c.ID)
	}
	for _, name := range []string{"Cool Cars", "Amy's Bird Sanctuary"} {
		if got := after[name]; len(got) != 1 || got[0]["Id"] != before[name][0]["Id"] {
			t.Errorf("%q: %d customers, want the company's own one linked", name, len(got))
		}
	}
	if f := failed["client:"+ids["X-3"]]; f.ErrorCode != "6240" || !strings.Contains(f.Explanation, "match existing customers\" is on") {
		t.Errorf("a same-name customer with another e-mail: %+v", f)
	}
	if f := failed["client:"+ids["X-4"]]; f.ErrorCode != "6240" || !strings.Contains(f.Explanation, "created for another record") {
		t.Errorf("a customer carrying another record's marker: %+v", f)
	}
	if len(after["Marked Co"]) != 1 || after["Marked Co"][0]["Id"] != marked {
		t.Error("the customer carrying another record's marker was changed or twinned")
	}
	if f := failed["client:"+ids["X-5"]]; f.ErrorCode != "qbosync:object-taken" {
		t.Errorf("a link to a customer that stands for another record: %+v, want its own failure", f)
	}
	if _, ok := failed["client:"+ids["M-1"]]; ok || len(after["M Client 1"]) != 1 {
		t.Error("the rest of the clients did not sync")
	}
}

// A QuickBooks company keeps one firm's books: a second firm is refused, told whose
// company it is; and even when someone links it to another firm after all, that firm
// never adopts the first firm's customers (their markers name the first firm).
func TestACompanyBelongsToOneFirm(t *testing.T) {
	s := newStack(t)
	first := s.bulkFirm("First Firm LLP", "F", 2)
	second := s.bulkFirm("Second Firm LLP", "F", 2) // same client names
	s.connect(first)
	s.syncOnce(first, false)

	_, err := s.tryConnect(second)
	var taken *store.CompanyTakenError
	if !errors.As(err, &taken) || taken.FirmID != first || !strings.Contains(err.Error(), "First Firm LLP") {
		t.Fatalf("connecting a second firm to the company: %v, want a refusal naming First Firm LLP", err)
	}

	// Linked by hand all the same: the first firm disconnected, the second connects.
	must(t, s.Store.MarkConnection(t.Context(), first, s.Realm, store.ConnDisconnected, "test"))
	s.connect(second)
	s.syncOnce(second, false)
	failed := failedByKey(t, s, second)
	clients := 0
	for key, f := range failed {
		if strings.HasPrefix(key, "client:") {
			clients++
			if f.ErrorCode != "6240" || !strings.Contains(f.Explanation, "created for another record") {
				t.Errorf("%s: %+v", key, f)
			}
		}
	}
	if clients != 2 {
		t.Errorf("%d of the second firm's 2 same-name clients refused; want both (none adopts the first firm's customer)", clients)
	}
}

// A category whose run fails as a whole (here the database refuses to move its cursor)
// makes the sync say "stuck", with the category and the error, in the status query,
// Temporal Web's search attribute and `starter errors`; once the cause is gone, the
// next cycle clears it.
func TestACategoryThatCannotRunIsStuckOutLoud(t *testing.T) {
	s := newStack(t)
	firm := s.bulkFirm("Stuck LLP", "K", 3)
	s.connect(firm)
	_, err := s.DB.Exec(`
		CREATE FUNCTION refuse_contacts_cursor() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
		  IF NEW.category = 'contacts' THEN
		    RAISE EXCEPTION 'duplicate key value violates unique constraint "injected"' USING ERRCODE = '23505';
		  END IF;
		  RETURN NEW;
		END $$;
		CREATE TRIGGER refuse_contacts_cursor BEFORE INSERT OR UPDATE ON sync_cursors
		  FOR EACH ROW EXECUTE FUNCTION refuse_contacts_cursor();`)
	must(t, err)

	run, err := s.Temporal.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{
		ID: syncapi.SyncWorkflowID(firm, s.Realm), TaskQueue: s.Queue,
	}, workflows.SyncWorkflow, syncapi.SyncInput{FirmID: firm, RealmID: s.Realm})
	must(t, err)
	t.Cleanup(func() { _ = s.Temporal.TerminateWorkflow(context.Background(), run.GetID(), "", "test over") })

	deadline := time.Now().Add(90 * time.Second)
	var sum syncapi.Summary
	for sum = s.status(run); sum.Status != syncapi.StatusStuck; sum = s.status(run) {
		if time.Now().After(deadline) {
			t.Fatalf("status %q (%s) after 90 s; want stuck", sum.Status, sum.Reason)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(sum.Reason, "contacts") || !strings.Contains(sum.Reason, "injected") {
		t.Errorf("stuck reason %q does not name the category and the error", sum.Reason)
	}
	desc, err := s.Temporal.DescribeWorkflowExecution(t.Context(), run.GetID(), run.GetRunID())
	must(t, err)
	if got := fmt.Sprint(desc.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()["QbosyncStatus"]); !strings.Contains(got, "stuck") {
		t.Errorf("QbosyncStatus = %s, want stuck", got)
	}
	stuck, err := s.Store.CategoryErrors(t.Context(), scopeOf(s, firm))
	must(t, err)
	if len(stuck) != 1 || stuck[0].Category != "contacts" || !strings.Contains(stuck[0].Error, "injected") {
		t.Errorf("category errors = %+v", stuck)
	}

	_, err = s.DB.Exec(`DROP TRIGGER refuse_contacts_cursor ON sync_cursors`)
	must(t, err)
	must(t, s.Temporal.SignalWorkflow(t.Context(), run.GetID(), run.GetRunID(), syncapi.SyncNowSignal, nil))
	waitFor(t, "the sync to pass again", func() bool { return waitingForChanges(s.status(run)) })
	if stuck, _ := s.Store.CategoryErrors(t.Context(), scopeOf(s, firm)); len(stuck) != 0 {
		t.Errorf("category errors after the cause went: %+v", stuck)
	}
	s.checkExactlyOnce(firm)
}
