package qbosim

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mixedScenario books a little of everything a law firm's sync posts and
// returns the ids it made.
func mixedScenario(h *harness, b books) map[string]string {
	h.t.Helper()
	ids := map[string]string{}
	trust := h.create("account", "Account", map[string]any{"Name": "IOLTA Trust", "AccountType": "Bank", "AccountSubType": "TrustAccounts"})
	liability := h.create("account", "Account", map[string]any{"Name": "IOLTA Trust - Client Funds", "AccountType": "Other Current Liability", "AccountSubType": "TrustAccountsLiabilities"})
	ids["trust"], ids["liability"] = trust["Id"].(string), liability["Id"].(string)

	inv1 := h.invoice(b.oceanView, b.hoursItem, 477.5)
	inv2 := h.invoice(b.amy, b.servicesItem, 1000, "250.25")
	inv3 := h.invoice(b.bill, b.servicesItem, 80)
	voided := h.invoice(b.cool, b.servicesItem, 999)
	h.do(http.MethodPost, "invoice?operation=void", map[string]any{"Id": voided["Id"], "SyncToken": "0"}, "application/json")
	deleted := h.invoice(b.cool, b.servicesItem, 55)
	h.do(http.MethodPost, "invoice?operation=delete", map[string]any{"Id": deleted["Id"], "SyncToken": "0"}, "application/json")

	// Operating payment into Undeposited Funds, then deposited.
	p1 := h.payment(b.amy, 600, inv2["Id"], 600)
	h.create("deposit", "Deposit", depositOf(b.checking, p1["Id"].(string)))
	// A write-off: credit memo applied with a zero payment.
	cm := h.create("creditmemo", "CreditMemo", map[string]any{"CustomerRef": ref(b.bill), "Line": []any{itemLine(b.servicesItem, 30)}})
	h.create("payment", "Payment", creditBody(b.bill, inv3["Id"], cm["Id"], 30))
	// Trust receipt, then a payment from trust: the payment to operating and the trust journal entry.
	h.create("deposit", "Deposit", map[string]any{"DepositToAccountRef": ref(ids["trust"]), "Line": []any{
		map[string]any{"DetailType": "DepositLineDetail", "Amount": 2000, "DepositLineDetail": map[string]any{
			"AccountRef": ref(ids["liability"]), "Entity": map[string]any{"value": b.oceanView, "type": "Customer"}}}}})
	body := paymentBody(b.oceanView, 400, inv1["Id"], 400)
	body["DepositToAccountRef"] = ref(b.checking)
	h.create("payment", "Payment", body)
	h.create("journalentry", "JournalEntry", map[string]any{"Line": []any{
		jeLine("Debit", ids["liability"], 400, customerEntity(b.oceanView)), jeLine("Credit", ids["trust"], 400, nil)}})
	// A hard cost paid by check for the matter.
	h.create("purchase", "Purchase", map[string]any{"PaymentType": "Check", "AccountRef": ref(b.checking),
		"EntityRef": map[string]any{"value": b.hall, "type": "Vendor"},
		"Line":      []any{expenseLine(b.legalFees, "65.40", map[string]any{"CustomerRef": ref(b.oceanView), "BillableStatus": "Billable"})}})
	// An unapplied payment: a credit on the customer.
	h.payment(b.cool, 12)
	return ids
}

// reportRows returns the report's rows.
func reportRows(t *testing.T, rep map[string]any) []map[string]any {
	t.Helper()
	return anyMaps(rep["Rows"].(map[string]any)["Row"])
}

// colValues returns the values of a row's cells: key "ColData" for a data
// row, "Header" or "Summary" for a section's.
func colValues(row map[string]any, key string) []any {
	cells := row["ColData"]
	if key != "ColData" {
		cells = row[key].(map[string]any)["ColData"]
	}
	var out []any
	for _, c := range anyMaps(cells) {
		out = append(out, c["value"])
	}
	return out
}

func (h *harness) report(path string) map[string]any {
	h.t.Helper()
	res := h.do(http.MethodGet, "reports/"+path, nil, "")
	require.Equal(h.t, http.StatusOK, res.status, "%s", res.raw)
	return res.body
}

func TestTrialBalanceBalancesAfterMixedScenario(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	ids := mixedScenario(h, b)
	h.requireBalanced()

	rep := h.report("TrialBalance")
	header := rep["Header"].(map[string]any)
	assert.Equal(t, "TrialBalance", header["ReportName"])
	assert.Equal(t, "Accrual", header["ReportBasis"])
	assert.Equal(t, "USD", header["Currency"])
	assert.Equal(t, []any{map[string]any{"Name": "NoReportData", "Value": "false"}}, header["Option"])
	cols := anyMaps(rep["Columns"].(map[string]any)["Column"])
	assert.Equal(t, []string{"", "Debit", "Credit"}, names(cols, "ColTitle"))
	assert.Equal(t, []string{"Account", "Money", "Money"}, names(cols, "ColType"))

	rows := reportRows(t, rep)
	last := rows[len(rows)-1]
	assert.Equal(t, "GrandTotal", last["group"])
	total := colValues(last, "Summary")
	assert.Equal(t, "TOTAL", total[0])
	assert.Equal(t, total[1], total[2], "debits equal credits")

	byName := map[string][]any{}
	for _, r := range rows[:len(rows)-1] {
		cd := anyMaps(r["ColData"])
		require.NotEmpty(t, cd[0]["id"])
		byName[cd[0]["value"].(string)] = []any{cd[1]["value"], cd[2]["value"]}
	}
	// Checking: +600 deposit +400 trust-paid payment -65.40 check.
	assert.Equal(t, []any{"934.60", ""}, byName["Checking"])
	assert.Equal(t, []any{"1600.00", ""}, byName["IOLTA Trust"])
	assert.Equal(t, []any{"", "1600.00"}, byName["IOLTA Trust - Client Funds"], "trust bank = trust liability")
	assert.Equal(t, []any{"", "1777.75"}, byName["Services"], "477.50 + 1250.25 + 80 - 30 written off; the void and the delete left no trace")
	assert.NotContains(t, byName, "Opening Balance Equity")
	assert.Equal(t, int64(160000), h.srv.AccountBalance(h.realm, ids["trust"]))

	// As of yesterday nothing had happened.
	old := h.report("TrialBalance?end_date=2025-03-13")
	assert.Len(t, reportRows(t, old), 1)
	assert.Equal(t, "true", old["Header"].(map[string]any)["Option"].([]any)[0].(map[string]any)["Value"])
	assert.Equal(t, "2025-03-13", old["Header"].(map[string]any)["EndPeriod"])
}

func TestCustomerBalanceReport(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	mixedScenario(h, b)
	h.invoice(b.freeman, b.servicesItem, 10) // the parent owes on its own too
	h.invoice(b.idOfJob(h, "55 Twin Lane"), b.servicesItem, 85)

	rep := h.report("CustomerBalance")
	cols := anyMaps(rep["Columns"].(map[string]any)["Column"])
	assert.Equal(t, []string{"Customer", "Money"}, names(cols, "ColType"))
	rows := reportRows(t, rep)
	require.Len(t, rows, 5, "Amy, Bill, Cool Cars, Freeman (a section) and the total")
	assert.Equal(t, []any{"Amy's Bird Sanctuary", "650.25"}, colValues(rows[0], "ColData"))
	assert.Equal(t, b.amy, anyMaps(rows[0]["ColData"])[0]["id"])
	assert.Equal(t, []any{"Bill's Windsurf Shop", "50.00"}, colValues(rows[1], "ColData"), "80 less the 30 written off")
	assert.Equal(t, []any{"Cool Cars", "-12.00"}, colValues(rows[2], "ColData"), "an unapplied payment is a credit")

	freeman := rows[3]
	assert.Equal(t, "Section", freeman["type"])
	assert.Equal(t, []any{"Freeman Sporting Goods", ""}, colValues(freeman, "Header"))
	sub := anyMaps(freeman["Rows"].(map[string]any)["Row"])
	require.Len(t, sub, 3)
	assert.Equal(t, []any{"Freeman Sporting Goods", "10.00"}, colValues(sub[0], "ColData"), "the parent's own balance first")
	assert.Equal(t, []any{"0969 Ocean View Road", "77.50"}, colValues(sub[1], "ColData"))
	assert.Equal(t, []any{"55 Twin Lane", "85.00"}, colValues(sub[2], "ColData"))
	assert.Equal(t, []any{"Total Freeman Sporting Goods", "172.50"}, colValues(freeman, "Summary"))
	assert.Equal(t, []any{"TOTAL", "860.75"}, colValues(rows[4], "Summary"))

	// The total is the A/R account's balance; each row the customer's.
	assert.Equal(t, int64(86075), h.srv.AccountBalance(h.realm, b.ar))
	assert.Equal(t, int64(7750), h.srv.OpenBalance(h.realm, b.oceanView))
	parent, _ := h.srv.Entity(h.realm, "Customer", b.freeman)
	assertAmount(t, "10.0", parent["Balance"])
	assertAmount(t, "172.5", parent["BalanceWithJobs"])

	only := reportRows(t, h.report("CustomerBalance?customer="+b.amy))
	require.Len(t, only, 2)
	assert.Equal(t, []any{"TOTAL", "650.25"}, colValues(only[1], "Summary"))
}

func (b books) idOfJob(h *harness, name string) string {
	return h.idOf("Customer", "DisplayName", name)
}

func TestAccountListReport(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	h.invoice(b.amy, b.servicesItem, 100)
	rows := reportRows(t, h.report("AccountList"))
	var ar, services []any
	for _, r := range rows {
		switch anyMaps(r["ColData"])[0]["id"] {
		case b.ar:
			ar = colValues(r, "ColData")
		case b.services:
			services = colValues(r, "ColData")
		}
	}
	assert.Equal(t, []any{"Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable", "", "100.00"}, ar)
	assert.Equal(t, []any{"Services", "Income", "ServiceFeeIncome", "", "100.00"}, services)
	assert.Equal(t, "Checking", colValues(rows[0], "ColData")[0], "bank accounts first")

	h.do(http.MethodGet, "reports/ProfitAndLoss", nil, "").requireFault(t, http.StatusBadRequest, "500")
	h.do(http.MethodGet, "reports/TrialBalance?accounting_method=Cash", nil, "").requireFault(t, http.StatusBadRequest, "500")
	h.do(http.MethodGet, "reports/TrialBalance?end_date=yesterday", nil, "").requireFault(t, http.StatusBadRequest, "2010")
}

func TestOpeningBalancesArePosted(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	c := h.create("customer", "Customer", map[string]any{"DisplayName": "Opening Client", "Balance": "40.00"})
	savings := h.create("account", "Account", map[string]any{"Name": "Reserve", "AccountType": "Bank", "OpeningBalance": 500})
	loan := h.create("account", "Account", map[string]any{"Name": "Bank Loan", "AccountType": "Long Term Liability", "OpeningBalance": 200})
	assertAmount(t, "500", savings["CurrentBalance"])
	assert.Equal(t, int64(4000), h.srv.OpenBalance(h.realm, c["Id"].(string)))
	assert.Equal(t, int64(4000), h.srv.AccountBalance(h.realm, b.ar))
	assert.Equal(t, int64(20000), h.srv.AccountBalance(h.realm, loan["Id"].(string)))
	assert.Equal(t, int64(34000), h.srv.AccountBalance(h.realm, b.obe), "40 + 500 - 200 against Opening Balance Equity")
	h.requireBalanced()

	inv := h.invoice(c["Id"].(string), b.servicesItem, 10)
	got := h.entity("customer", "Customer", c["Id"].(string))
	assertAmount(t, "50.00", got["Balance"], "opening balance as written plus activity")
	h.payment(c["Id"].(string), 10, inv["Id"], 10)
	assertAmount(t, "40.00", h.entity("customer", "Customer", c["Id"].(string))["Balance"])
}

func TestTransactionsSurviveRestart(t *testing.T) {
	h, opts, _ := newDurableHarness(t, filepath.Join(t.TempDir(), "state.json"))
	first := h.srv
	b := h.books()
	mixedScenario(h, b)
	inv := h.invoice(b.amy, b.servicesItem, 10)
	p := h.payment(b.amy, 10, inv["Id"], 10)
	h.create("deposit", "Deposit", depositOf(b.checking, p["Id"].(string)))
	beforeTB := h.report("TrialBalance")
	beforeInv := h.entity("invoice", "Invoice", inv["Id"].(string))
	snap, err := first.Snapshot(h.realm)
	require.NoError(t, err)
	assert.Contains(t, string(snap), `"Invoice"`, "snapshots include transactions")
	assert.Contains(t, string(snap), `"qbosim.postings"`, "and their postings")
	h.stop()
	h.start(opts)
	assert.Equal(t, beforeTB["Rows"], h.report("TrialBalance")["Rows"], "the ledger is rebuilt")
	assert.Equal(t, beforeInv, h.entity("invoice", "Invoice", inv["Id"].(string)))
	h.requireBalanced()
	h.post("payment", sparse(p, map[string]any{"PrivateNote": "x"})).requireFault(t, http.StatusBadRequest, "6540")
	h.post("payment", paymentBody(b.amy, 1, inv["Id"], 1)).requireFault(t, http.StatusBadRequest, "6000")
	next := h.invoice(b.amy, b.servicesItem, 1)
	assert.Equal(t, "1008", next["DocNumber"], "the numbering continues")
}
