package e2e_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/qbosync/qbosync/internal/settings"
)

// The first sync creates the accounts and items posting needs, with the types the
// posting rules give them, uses one the firm already had only once the firm chose it
// (never by its name alone), and a rerun creates nothing.
func TestLedgerAccountsAndItemsFromTheSettings(t *testing.T) {
	s := newStack(t)
	firm := s.seedSmall(t, 3)
	s.connect(firm)
	// The firm made its own fee income account in QuickBooks before connecting.
	before := len(s.Sim.Entities(s.Realm, "Account"))
	ownFeeIncome := s.create("Account", `{"Name":"Legal Fee Income","AccountType":"Income","AccountSubType":"ServiceFeeIncome"}`)

	s.syncOnce(firm, false)
	// Not chosen: the firm's own account is not taken by its name; the fee income
	// account is a failed item that says how to choose it, and the items that post to
	// it wait for it.
	failed := failedByKey(t, s, firm)
	if f := failed["ledger:item_mapping.fee_income_account"]; f.ErrorCode != "6240" || !strings.Contains(f.Explanation, "chose it in the setup") {
		t.Errorf("fee income account named like the firm's own: %+v", f)
	}
	if f := failed["ledger:item_mapping.fees"]; f.ErrorCode != "qbosync:income-account-missing" {
		t.Errorf("fees item while its income account is missing: %+v", f)
	}
	// Chosen, as Default mode's setup does when the company has the name.
	st := settings.Defaults(mustFirm(t, s, firm)).FitTo(firm, s.catalog(firm))
	if st.ItemMapping.FeeIncomeAccount.ExistingID != ownFeeIncome {
		t.Fatalf("the setup's defaults do not choose the firm's own fee income account: %v", st.ItemMapping.FeeIncomeAccount)
	}
	st.SyncOptions.StartDate = "2000-01-01"
	s.submit(firm, st)
	s.syncOnce(firm, true)

	accounts := map[string]map[string]any{}
	for _, a := range s.Sim.Entities(s.Realm, "Account") {
		accounts[fmt.Sprint(a["Name"])] = a
	}
	var banks []struct {
		Kind string `db:"kind"`
		Name string `db:"name"`
	}
	must(t, s.DB.Select(&banks, `SELECT kind, name FROM bank_accounts WHERE firm_id = $1 AND active`, firm))
	// docs/posting.md, "Objects in QuickBooks": name -> type, subtype.
	want := map[string][2]string{
		"Legal Fee Income":         {"Income", "ServiceFeeIncome"},
		"Reimbursed Client Costs":  {"Income", "OtherPrimaryIncome"},
		"Write-Offs and Discounts": {"Income", "DiscountsRefundsGiven"},
		"Client Costs Advanced":    {"Expense", "LegalProfessionalFees"},
	}
	for _, b := range banks {
		if b.Kind == "operating" {
			want[b.Name] = [2]string{"Bank", "Checking"}
		} else {
			want[b.Name] = [2]string{"Bank", "TrustAccounts"}
			want[b.Name+" - Client Funds"] = [2]string{"Other Current Liability", "TrustAccountsLiabilities"}
		}
	}
	for name, typ := range want {
		a, ok := accounts[name]
		if !ok {
			t.Errorf("account %q missing", name)
			continue
		}
		if a["AccountType"] != typ[0] || a["AccountSubType"] != typ[1] {
			t.Errorf("account %q is %v/%v, want %v/%v", name, a["AccountType"], a["AccountSubType"], typ[0], typ[1])
		}
	}
	if got := len(s.Sim.Entities(s.Realm, "Account")) - before - 1; got != len(want)-1 {
		t.Errorf("%d accounts created, want %d (the firm's own fee income account adopted, not duplicated)", got, len(want)-1)
	}
	if accounts["Legal Fee Income"]["Id"] != ownFeeIncome {
		t.Error("the firm's own Legal Fee Income account was not the one used")
	}

	items := map[string]map[string]any{}
	for _, it := range s.Sim.Entities(s.Realm, "Item") {
		items[fmt.Sprint(it["Name"])] = it
	}
	for name, income := range map[string]string{
		"Legal Services": "Legal Fee Income", "Flat Fees": "Legal Fee Income", "Interest": "Legal Fee Income",
		"Hard Costs": "Reimbursed Client Costs", "Soft Costs": "Reimbursed Client Costs", "Write-Offs": "Write-Offs and Discounts",
	} {
		it, ok := items[name]
		if !ok {
			t.Errorf("item %q missing", name)
			continue
		}
		ref, _ := it["IncomeAccountRef"].(map[string]any)
		if it["Type"] != "Service" || ref["value"] != accounts[income]["Id"] {
			t.Errorf("item %q: type %v, income account %v, want Service posting to %q (%v)", name, it["Type"], ref["value"], income, accounts[income]["Id"])
		}
	}

	accountsNow, itemsNow := len(s.Sim.Entities(s.Realm, "Account")), len(s.Sim.Entities(s.Realm, "Item"))
	s.syncOnce(firm, false)
	if len(s.Sim.Entities(s.Realm, "Account")) != accountsNow || len(s.Sim.Entities(s.Realm, "Item")) != itemsNow {
		t.Error("a rerun created accounts or items")
	}
}
