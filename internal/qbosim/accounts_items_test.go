package qbosim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSampleCompany(t *testing.T) {
	h := newHarness(t, Options{})
	accounts := map[string]map[string]any{}
	for _, a := range h.srv.Entities(h.realm, "Account") {
		accounts[a["Name"].(string)] = a
	}
	for name, want := range map[string][3]string{
		"Accounts Receivable (A/R)": {"Accounts Receivable", "AccountsReceivable", "Asset"},
		"Undeposited Funds":         {"Other Current Asset", "UndepositedFunds", "Asset"},
		"Checking":                  {"Bank", "Checking", "Asset"},
		"Services":                  {"Income", "ServiceFeeIncome", "Revenue"},
		"Legal & Professional Fees": {"Expense", "LegalProfessionalFees", "Expense"},
		"Insurance":                 {"Expense", "Insurance", "Expense"},
	} {
		a, ok := accounts[name]
		require.True(t, ok, "missing account %q", name)
		assert.Equal(t, want, [3]string{a["AccountType"].(string), a["AccountSubType"].(string), a["Classification"].(string)}, name)
	}
	customers := names(h.srv.Entities(h.realm, "Customer"), "DisplayName")
	assert.Subset(t, customers, []string{"Amy's Bird Sanctuary", "Bill's Windsurf Shop", "Cool Cars"})
	assert.Subset(t, names(h.srv.Entities(h.realm, "Vendor"), "DisplayName"), []string{"Hall Properties", "Brosnahan Insurance Agency"})

	info := h.get("companyinfo", h.realm)
	require.Equal(t, http.StatusOK, info.status, "%s", info.raw)
	assert.Equal(t, "Sandbox Company_US_1", info.entity(t, "CompanyInfo")["CompanyName"])
	assert.Len(t, h.rows("select * from CompanyInfo", "CompanyInfo"), 1)
	h.post("companyinfo", map[string]any{"CompanyName": "x"}).requireFault(t, http.StatusBadRequest, "500")

	// Accessors hand out copies.
	first := h.srv.Entities(h.realm, "customer")[0]
	first["DisplayName"] = "mutated"
	first["BillAddr"].(map[string]any)["City"] = "mutated"
	again := h.srv.Entities(h.realm, "Customer")[0]
	assert.NotEqual(t, "mutated", again["DisplayName"])
	assert.NotEqual(t, "mutated", again["BillAddr"].(map[string]any)["City"])

	snap, err := h.srv.Snapshot(h.realm)
	require.NoError(t, err)
	assert.Contains(t, string(snap), `"Hall Properties"`)
}

func TestAccountValidation(t *testing.T) {
	h := newHarness(t, Options{})
	trust := h.create("account", "Account", map[string]any{"Name": "IOLTA Trust", "AccountType": "Bank", "AccountSubType": "TrustAccounts"})
	assert.Equal(t, "Asset", trust["Classification"])
	assert.Equal(t, "IOLTA Trust", trust["FullyQualifiedName"])
	assert.Equal(t, false, trust["SubAccount"])
	assert.Equal(t, "0", num(trust["CurrentBalance"]))

	liab := h.create("account", "Account", map[string]any{"Name": "Client Trust Liability", "AccountSubType": "TrustAccountsLiabilities"})
	assert.Equal(t, "Other Current Liability", liab["AccountType"], "type derived from sub-type")
	assert.Equal(t, "Liability", liab["Classification"])

	dflt := h.create("account", "Account", map[string]any{"Name": "Petty Cash", "AccountType": "Bank"})
	assert.Equal(t, "CashOnHand", dflt["AccountSubType"], "default sub-type")

	sub := h.create("account", "Account", map[string]any{
		"Name": "Smith Trust Ledger", "AccountType": "Bank", "AccountSubType": "TrustAccounts",
		"SubAccount": true, "ParentRef": map[string]any{"value": trust["Id"]}, "Classification": "Equity",
	})
	assert.Equal(t, true, sub["SubAccount"])
	assert.Equal(t, "IOLTA Trust:Smith Trust Ledger", sub["FullyQualifiedName"])
	assert.Equal(t, "Asset", sub["Classification"], "read-only Classification is recomputed")
	assert.Equal(t, map[string]any{"value": trust["Id"], "name": "IOLTA Trust"}, sub["ParentRef"])

	for _, tc := range []struct {
		name string
		body map[string]any
		code string
	}{
		{"missing name", map[string]any{"AccountType": "Bank"}, "2020"},
		{"name too long", map[string]any{"Name": strings.Repeat("a", 101), "AccountType": "Bank"}, "2050"},
		{"colon", map[string]any{"Name": "A:B", "AccountType": "Bank"}, "2050"},
		{"double quote", map[string]any{"Name": `The "Good" Bank`, "AccountType": "Bank"}, "2050"},
		{"missing type", map[string]any{"Name": "Typeless"}, "2020"},
		{"unknown type", map[string]any{"Name": "T", "AccountType": "Banking"}, "2170"},
		{"sub-type of another type", map[string]any{"Name": "T", "AccountType": "Bank", "AccountSubType": "Travel"}, "2170"},
		{"duplicate name", map[string]any{"Name": "checking", "AccountType": "Bank"}, "6240"},
		{"parent of other type", map[string]any{"Name": "Wrong parent", "AccountType": "Expense", "ParentRef": map[string]any{"value": trust["Id"]}}, "6000"},
		{"unknown parent", map[string]any{"Name": "No parent", "AccountType": "Bank", "ParentRef": map[string]any{"value": "999"}}, "2500"},
		{"undeposited funds sub-account", map[string]any{"Name": "UF child", "AccountType": "Other Current Asset", "ParentRef": map[string]any{"value": h.idOf("Account", "Name", "Undeposited Funds")}}, "6000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.post("account", tc.body).requireFault(t, http.StatusBadRequest, tc.code)
		})
	}
	// The same name is fine under a different parent: uniqueness is per FullyQualifiedName.
	h.create("account", "Account", map[string]any{"Name": "Checking", "AccountType": "Bank", "ParentRef": map[string]any{"value": trust["Id"]}})

	// Renaming the parent renames the child's FullyQualifiedName.
	h.create("account", "Account", map[string]any{"Id": trust["Id"], "SyncToken": "0", "sparse": true, "Name": "IOLTA"})
	child, _ := h.srv.Entity(h.realm, "Account", sub["Id"].(string))
	assert.Equal(t, "IOLTA:Smith Trust Ledger", child["FullyQualifiedName"])
}

func TestItemValidation(t *testing.T) {
	h := newHarness(t, Options{})
	services := h.idOf("Account", "Name", "Services")
	checking := h.idOf("Account", "Name", "Checking")

	item := h.create("item", "Item", map[string]any{"Name": "Legal Services - Hourly", "Type": "Service", "IncomeAccountRef": map[string]any{"value": services}, "UnitPrice": 350.25})
	assert.Equal(t, map[string]any{"value": services, "name": "Services"}, item["IncomeAccountRef"])
	assert.Equal(t, "350.25", num(item["UnitPrice"]))
	assert.Equal(t, true, item["Active"])
	assert.Equal(t, "Legal Services - Hourly", item["FullyQualifiedName"])

	cat := h.create("item", "Item", map[string]any{"Name": "Litigation", "Type": "Category"})
	sub := h.create("item", "Item", map[string]any{"Name": "Court Filing", "Type": "Service", "IncomeAccountRef": map[string]any{"value": services}, "ParentRef": map[string]any{"value": cat["Id"]}})
	assert.Equal(t, "Litigation:Court Filing", sub["FullyQualifiedName"])
	assert.Equal(t, true, sub["SubItem"])
	assert.Equal(t, "1", num(sub["Level"]))

	// Intuit's steps for writing off bad debt: a non-inventory item whose income
	// account is the Bad debts expense account.
	badDebts := h.create("account", "Account", map[string]any{"Name": "Bad debts", "AccountType": "Expense", "AccountSubType": "BadDebts"})
	badDebt := h.create("item", "Item", map[string]any{"Name": "Bad debt", "Type": "NonInventory", "IncomeAccountRef": map[string]any{"value": badDebts["Id"]}})
	assert.Equal(t, badDebts["Id"], badDebt["IncomeAccountRef"].(map[string]any)["value"])

	inactive := h.create("account", "Account", map[string]any{"Name": "Old Income", "AccountType": "Income"})
	h.create("account", "Account", map[string]any{"Id": inactive["Id"], "SyncToken": "0", "sparse": true, "Active": false})

	for _, tc := range []struct {
		name string
		body map[string]any
		code string
	}{
		{"missing name", map[string]any{"Type": "Service", "IncomeAccountRef": map[string]any{"value": services}}, "2020"},
		{"missing type", map[string]any{"Name": "No type", "IncomeAccountRef": map[string]any{"value": services}}, "2020"},
		{"bundle", map[string]any{"Name": "Bundle", "Type": "Group"}, "2170"},
		{"service without income account", map[string]any{"Name": "Free", "Type": "Service"}, "2020"},
		{"unknown income account", map[string]any{"Name": "Ghost", "Type": "Service", "IncomeAccountRef": map[string]any{"value": "999"}}, "2500"},
		{"inactive income account", map[string]any{"Name": "Stale", "Type": "Service", "IncomeAccountRef": map[string]any{"value": inactive["Id"]}}, "2500"},
		{"non-income account", map[string]any{"Name": "Banked", "Type": "Service", "IncomeAccountRef": map[string]any{"value": checking}}, "2500"},
		{"duplicate name", map[string]any{"Name": "legal services - hourly", "Type": "Service", "IncomeAccountRef": map[string]any{"value": services}}, "6240"},
		{"parent not a category", map[string]any{"Name": "Nested", "Type": "Service", "IncomeAccountRef": map[string]any{"value": services}, "ParentRef": map[string]any{"value": item["Id"]}}, "2500"},
		{"name too long", map[string]any{"Name": strings.Repeat("i", 101), "Type": "Category"}, "2050"},
		{"inventory without quantity", map[string]any{"Name": "Widget", "Type": "Inventory", "IncomeAccountRef": map[string]any{"value": services}, "ExpenseAccountRef": map[string]any{"value": services}, "AssetAccountRef": map[string]any{"value": checking}}, "2020"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.post("item", tc.body).requireFault(t, http.StatusBadRequest, tc.code)
		})
	}
}
