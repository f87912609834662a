package qbosim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInvoiceShapeTotalsAndPosting(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	inv := h.create("invoice", "Invoice", map[string]any{
		"CustomerRef": ref(b.amy),
		"TotalAmt":    1, "Balance": 1, "HomeBalance": 1, // read-only: ignored
		"PrivateNote": "qbosync:invoice:42",
		"Line": []any{
			map[string]any{"DetailType": "SalesItemLineDetail", "Description": "Research",
				"SalesItemLineDetail": map[string]any{"ItemRef": ref(b.hoursItem), "Qty": 1.5, "UnitPrice": "200", "ServiceDate": "2025-03-01"}},
			map[string]any{"DetailType": "DescriptionOnly", "Description": "Thank you", "Amount": 999},
			map[string]any{"Id": "77", "DetailType": "SalesItemLineDetail", "Amount": "25.50",
				"SalesItemLineDetail": map[string]any{"ItemRef": map[string]any{"value": b.servicesItem, "name": "stale name"}}},
			map[string]any{"DetailType": "DiscountLineDetail", "Amount": 5.5, "DiscountLineDetail": map[string]any{"PercentBased": false}},
		},
	})
	assert.Equal(t, "0", inv["SyncToken"])
	assert.Equal(t, "1001", inv["DocNumber"], "auto-numbered")
	assert.Equal(t, "2025-03-14", inv["TxnDate"], "today in the company's time zone")
	assert.Equal(t, "2025-04-13", inv["DueDate"], "TxnDate + 30")
	assertAmount(t, "320.0", inv["TotalAmt"], "300 + 25.50 - 5.50")
	assertAmount(t, "320.0", inv["Balance"])
	assert.NotContains(t, inv, "HomeBalance")
	assert.Equal(t, map[string]any{"value": b.amy, "name": "Amy's Bird Sanctuary"}, inv["CustomerRef"])
	assert.Equal(t, map[string]any{"value": "USD", "name": "United States Dollar"}, inv["CurrencyRef"])

	ls := lines(inv)
	require.Len(t, ls, 5, "four lines and the appended subtotal")
	assert.Equal(t, []any{"1", "2", "3", "4", nil}, []any{ls[0]["Id"], ls[1]["Id"], ls[2]["Id"], ls[3]["Id"], ls[4]["Id"]})
	assertAmount(t, "300.0", ls[0]["Amount"], "Qty * UnitPrice")
	assert.Equal(t, map[string]any{"value": b.hoursItem, "name": "Hours"}, ls[0]["SalesItemLineDetail"].(map[string]any)["ItemRef"])
	assert.NotContains(t, ls[1], "Amount", "a description line has no amount")
	assertAmount(t, "25.5", ls[2]["Amount"])
	assert.Equal(t, "Services", ls[2]["SalesItemLineDetail"].(map[string]any)["ItemRef"].(map[string]any)["name"])
	assert.Equal(t, "SubTotalLineDetail", ls[4]["DetailType"])
	assertAmount(t, "325.5", ls[4]["Amount"], "subtotal before discounts")
	assert.Equal(t, "1", num(ls[0]["LineNum"]))

	// The books: Dr A/R 320, Cr Services income 325.50, Dr discounts 5.50.
	assert.Equal(t, int64(32000), h.srv.OpenBalance(h.realm, b.amy))
	assert.Equal(t, int64(32000), h.srv.AccountBalance(h.realm, b.ar))
	assert.Equal(t, int64(32550), h.srv.AccountBalance(h.realm, b.services), "income in its natural (credit) sign")
	disc := h.idOf("Account", "Name", "Discounts given")
	assert.Equal(t, int64(-550), h.srv.AccountBalance(h.realm, disc), "created on first use; a debit on an income account")
	h.requireBalanced()
	amy, _ := h.srv.Entity(h.realm, "Customer", b.amy)
	assertAmount(t, "320.0", amy["Balance"])
	assert.Equal(t, "0", amy["SyncToken"], "customer balances move without a new version")
	ar, _ := h.srv.Entity(h.realm, "Account", b.ar)
	assertAmount(t, "320.0", ar["CurrentBalance"])

	next := h.invoice(b.amy, b.servicesItem, 10)
	assert.Equal(t, "1002", next["DocNumber"])
	assert.Equal(t, inv, h.entity("invoice", "Invoice", inv["Id"].(string)), "a read answers what the create did")
}

func TestInvoiceCustomerMustBeActive(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	line := []any{itemLine(b.servicesItem, 10)}
	e := h.post("invoice", map[string]any{"CustomerRef": ref("424242"), "Line": line}).requireFault(t, http.StatusBadRequest, "2500")
	assert.Equal(t, "CustomerRef", e["element"])
	h.post("invoice", map[string]any{"CustomerRef": ref(b.hall), "Line": line}).requireFault(t, http.StatusBadRequest, "2500")
	h.post("invoice", map[string]any{"Line": line}).requireFault(t, http.StatusBadRequest, "2020")
	h.create("customer", "Customer", map[string]any{"Id": b.cool, "SyncToken": "0", "sparse": true, "Active": false})
	e = h.post("invoice", map[string]any{"CustomerRef": ref(b.cool), "Line": line}).requireFault(t, http.StatusBadRequest, "2500")
	assert.Equal(t, "Invalid Reference Id", e["Message"])
	assert.Empty(t, h.srv.Entities(h.realm, "Invoice"))
}

func TestInvoiceNeedsASalesLine(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	for _, body := range []map[string]any{
		{"CustomerRef": ref(b.amy)},
		{"CustomerRef": ref(b.amy), "Line": []any{}},
		{"CustomerRef": ref(b.amy), "Line": []any{map[string]any{"DetailType": "DescriptionOnly", "Description": "only words"}}},
	} {
		e := h.post("invoice", body).requireFault(t, http.StatusBadRequest, "2020")
		assert.Equal(t, "Line", e["element"])
	}
	h.post("invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": []any{map[string]any{"Amount": 10}}}).
		requireFault(t, http.StatusBadRequest, "2020") // no DetailType
	h.post("invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": []any{
		map[string]any{"DetailType": "SalesItemLineDetail", "Amount": 10, "SalesItemLineDetail": map[string]any{}}}}).
		requireFault(t, http.StatusBadRequest, "2020") // no ItemRef
	h.post("invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": []any{
		map[string]any{"DetailType": "SalesItemLineDetail", "SalesItemLineDetail": map[string]any{"ItemRef": ref(b.servicesItem)}}}}).
		requireFault(t, http.StatusBadRequest, "2020") // no Amount, no Qty*UnitPrice
	h.post("invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": []any{
		map[string]any{"DetailType": "JournalEntryLineDetail", "Amount": 10}}}).requireFault(t, http.StatusBadRequest, "2170")
	h.post("invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": []any{itemLine("999", 10)}}).
		requireFault(t, http.StatusBadRequest, "2500")
	assert.Empty(t, h.srv.Entities(h.realm, "Invoice"))
}

func TestInvoiceLengthLimits(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	line := []any{itemLine(b.servicesItem, 10)}
	e := h.post("invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": line, "DocNumber": strings.Repeat("9", 22)}).
		requireFault(t, http.StatusBadRequest, "2050")
	assert.Equal(t, "DocNumber", e["element"])
	h.post("invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": line, "PrivateNote": strings.Repeat("n", 4001)}).
		requireFault(t, http.StatusBadRequest, "2050")
	h.create("invoice", "Invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": line, "DocNumber": strings.Repeat("9", 21),
		"PrivateNote": strings.Repeat("n", 4000)})
}

func TestInvoiceAmountChecks(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	qtyLine := func(amount any) map[string]any {
		l := map[string]any{"DetailType": "SalesItemLineDetail",
			"SalesItemLineDetail": map[string]any{"ItemRef": ref(b.hoursItem), "Qty": "1.5", "UnitPrice": "133.333"}}
		if amount != nil {
			l["Amount"] = amount
		}
		return l
	}
	e := h.post("invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": []any{qtyLine("199.99")}}).
		requireFault(t, http.StatusBadRequest, "6070")
	assert.Contains(t, e["Detail"], "200.00")
	// 1.5 * 133.333 = 199.9995, rounded half up to the cent.
	inv := h.create("invoice", "Invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": []any{qtyLine(nil)}})
	assertAmount(t, "200.0", inv["TotalAmt"])
	h.create("invoice", "Invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": []any{qtyLine(200)}})

	h.post("invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": []any{itemLine(b.servicesItem, "10.005")}}).
		requireFault(t, http.StatusBadRequest, "6000")
	h.post("invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": []any{itemLine(b.servicesItem, "ten")}}).
		requireFault(t, http.StatusBadRequest, "2010")
	h.post("invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": []any{itemLine(b.servicesItem, -10)}}).
		requireFault(t, http.StatusBadRequest, "6000") // negative total
	h.post("invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": []any{itemLine(b.servicesItem, 10),
		map[string]any{"DetailType": "DiscountLineDetail", "DiscountLineDetail": map[string]any{}}}}).
		requireFault(t, http.StatusBadRequest, "6090")

	pct := h.create("invoice", "Invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": []any{itemLine(b.servicesItem, "33.33"),
		map[string]any{"DetailType": "DiscountLineDetail", "DiscountLineDetail": map[string]any{"PercentBased": true, "DiscountPercent": 10}}}})
	assertAmount(t, "30.0", pct["TotalAmt"], "10% of 33.33 is 3.333, rounded to 3.33")
	h.requireBalanced()
}

func TestDuplicateDocNumber(t *testing.T) {
	line := func(b books) []any { return []any{itemLine(b.servicesItem, 10)} }
	h := newHarness(t, Options{})
	b := h.books()
	h.create("invoice", "Invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": line(b), "DocNumber": "INV-7"})
	h.create("invoice", "Invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": line(b), "DocNumber": "INV-7"})
	assert.Len(t, h.srv.Entities(h.realm, "Invoice"), 2, "duplicates are accepted by default")

	h = newHarness(t, Options{RejectDuplicateDocNumber: true})
	b = h.books()
	first := h.create("invoice", "Invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": line(b), "DocNumber": "INV-7"})
	e := h.post("invoice", map[string]any{"CustomerRef": ref(b.bill), "Line": line(b), "DocNumber": "INV-7"}).
		requireFault(t, http.StatusBadRequest, "6140")
	assert.Equal(t, "Duplicate Doc Num", e["Message"])
	assert.Contains(t, e["Detail"], "TxnId="+first["Id"].(string))
	res := h.do(http.MethodPost, "invoice?include=allowduplicatedocnum", map[string]any{"CustomerRef": ref(b.bill), "Line": line(b), "DocNumber": "INV-7"}, "application/json")
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	// Updating an invoice that keeps its number is no duplicate; a credit
	// memo may share an invoice's number.
	h.create("invoice", "Invoice", sparse(first, map[string]any{"PrivateNote": "same number"}))
	h.create("creditmemo", "CreditMemo", map[string]any{"CustomerRef": ref(b.amy), "Line": line(b), "DocNumber": "INV-7"})
}

func TestInvoiceSparseAndFullUpdate(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	inv := h.create("invoice", "Invoice", map[string]any{"CustomerRef": ref(b.amy), "PrivateNote": "memo", "Line": []any{
		itemLine(b.servicesItem, 100), itemLine(b.servicesItem, 50)}})
	id := inv["Id"].(string)

	// Sparse without Line: the lines stay.
	v1 := h.create("invoice", "Invoice", sparse(inv, map[string]any{"PrivateNote": "changed"}))
	assert.Equal(t, "1", v1["SyncToken"])
	assert.Equal(t, "changed", v1["PrivateNote"])
	assert.Equal(t, lines(inv), lines(v1))

	// Sparse with Line: all or none. Line 1 is updated in place, line 2 is
	// dropped, and a line without Id (or with an unknown one) is new.
	l1 := lines(v1)[0]
	l1["Amount"] = 80
	v2 := h.create("invoice", "Invoice", sparse(v1, map[string]any{"Line": []any{l1, itemLine(b.hoursItem, 5),
		map[string]any{"Id": "99", "DetailType": "SalesItemLineDetail", "Amount": 1, "SalesItemLineDetail": map[string]any{"ItemRef": ref(b.servicesItem)}}}}))
	ls := lines(v2)
	require.Len(t, ls, 4)
	assert.Equal(t, []any{"1", "3", "4"}, []any{ls[0]["Id"], ls[1]["Id"], ls[2]["Id"]})
	assertAmount(t, "86.0", v2["TotalAmt"])
	assert.Equal(t, "changed", v2["PrivateNote"])
	assert.Equal(t, int64(8600), h.srv.OpenBalance(h.realm, b.amy), "the ledger is re-posted")

	// A stale SyncToken loses.
	h.post("invoice", sparse(v1, map[string]any{"PrivateNote": "late"})).requireFault(t, http.StatusBadRequest, "5010")

	// Full update: omitted writable fields are cleared; no Line means none.
	h.post("invoice", map[string]any{"Id": id, "SyncToken": "2", "CustomerRef": ref(b.amy)}).requireFault(t, http.StatusBadRequest, "2020")
	full := h.create("invoice", "Invoice", map[string]any{"Id": id, "SyncToken": "2", "CustomerRef": ref(b.bill),
		"Line": []any{itemLine(b.servicesItem, 70)}})
	assert.NotContains(t, full, "PrivateNote")
	assert.Equal(t, v2["DocNumber"], full["DocNumber"], "the number is kept")
	assertAmount(t, "70.0", full["TotalAmt"])
	assert.Equal(t, "5", lines(full)[0]["Id"], "new line ids continue after the highest")
	assert.Zero(t, h.srv.OpenBalance(h.realm, b.amy))
	assert.Equal(t, int64(7000), h.srv.OpenBalance(h.realm, b.bill), "moved to the new customer")
	h.requireBalanced()
}

func TestInvoiceVoid(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	inv := h.create("invoice", "Invoice", map[string]any{"CustomerRef": ref(b.amy), "PrivateNote": "qbosync:invoice:9",
		"Line": []any{map[string]any{"DetailType": "SalesItemLineDetail", "SalesItemLineDetail": map[string]any{"ItemRef": ref(b.hoursItem), "Qty": 2, "UnitPrice": 150}}}})
	id := inv["Id"].(string)

	h.do(http.MethodPost, "invoice?operation=void", map[string]any{"Id": id, "SyncToken": "7"}, "application/json").
		requireFault(t, http.StatusBadRequest, "5010")
	h.do(http.MethodPost, "invoice?operation=update&include=void", map[string]any{"Id": id, "SyncToken": "0", "sparse": true}, "application/json").
		requireFault(t, http.StatusBadRequest, "500")
	res := h.do(http.MethodPost, "invoice?operation=void", map[string]any{"Id": id, "SyncToken": "0"}, "application/json")
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	v := res.entity(t, "Invoice")
	assert.Equal(t, "1", v["SyncToken"])
	assertAmount(t, "0.0", v["TotalAmt"])
	assertAmount(t, "0.0", v["Balance"])
	assert.Equal(t, "Voided - qbosync:invoice:9", v["PrivateNote"])
	assertAmount(t, "0.0", lines(v)[0]["Amount"])
	assert.Equal(t, "0", num(lines(v)[0]["SalesItemLineDetail"].(map[string]any)["Qty"]))
	assert.Equal(t, inv["DocNumber"], v["DocNumber"], "the transaction remains")
	assert.Zero(t, h.srv.OpenBalance(h.realm, b.amy))
	assert.Zero(t, h.srv.AccountBalance(h.realm, b.services))
	h.requireBalanced()

	h.post("invoice", sparse(v, map[string]any{"PrivateNote": "edit"})).requireFault(t, http.StatusBadRequest, "6000")
	again := h.do(http.MethodPost, "invoice?operation=void", map[string]any{"Id": id, "SyncToken": "1"}, "application/json")
	require.Equal(t, http.StatusOK, again.status)
	assert.Equal(t, "1", again.entity(t, "Invoice")["SyncToken"], "voiding twice changes nothing")
	assert.Equal(t, v, h.entity("invoice", "Invoice", id))
}

func TestInvoiceDelete(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	inv := h.invoice(b.amy, b.servicesItem, 40)
	id := inv["Id"].(string)
	h.do(http.MethodPost, "invoice?operation=delete", map[string]any{"Id": id, "SyncToken": "3"}, "application/json").
		requireFault(t, http.StatusBadRequest, "5010")
	res := h.do(http.MethodPost, "invoice?operation=delete", map[string]any{"Id": id, "SyncToken": "0"}, "application/json")
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	assert.Equal(t, map[string]any{"status": "Deleted", "domain": "QBO", "Id": id}, res.entity(t, "Invoice"))
	assert.Zero(t, h.srv.OpenBalance(h.realm, b.amy))
	h.requireBalanced()

	h.get("invoice", id).requireFault(t, http.StatusBadRequest, "610")
	h.do(http.MethodPost, "invoice?operation=delete", map[string]any{"Id": id, "SyncToken": "0"}, "application/json").
		requireFault(t, http.StatusBadRequest, "610")
	h.post("invoice", sparse(inv, map[string]any{"PrivateNote": "ghost"})).requireFault(t, http.StatusBadRequest, "610")
	assert.Empty(t, h.rows("SELECT * FROM Invoice", "Invoice"))
	h.do(http.MethodPost, "invoice?operation=delete", map[string]any{"SyncToken": "0"}, "application/json").
		requireFault(t, http.StatusBadRequest, "2020")
	// Name-list entities cannot be deleted.
	h.do(http.MethodPost, "customer?operation=delete", map[string]any{"Id": b.amy, "SyncToken": "0"}, "application/json").
		requireFault(t, http.StatusBadRequest, "500")
}

func TestInactiveReferencesKeepWorking(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	inv := h.create("invoice", "Invoice", map[string]any{"CustomerRef": ref(b.cool), "Line": []any{itemLine(b.hoursItem, 300)}})
	h.create("item", "Item", map[string]any{"Id": b.hoursItem, "SyncToken": "0", "sparse": true, "Active": false})
	h.create("customer", "Customer", map[string]any{"Id": b.cool, "SyncToken": "0", "sparse": true, "Active": false})

	v1 := h.create("invoice", "Invoice", sparse(inv, map[string]any{"PrivateNote": "still fine"}))
	v2 := h.create("invoice", "Invoice", map[string]any{"Id": v1["Id"], "SyncToken": v1["SyncToken"], "CustomerRef": ref(b.cool),
		"Line": v1["Line"]})
	assert.Equal(t, "Hours", lines(v2)[0]["SalesItemLineDetail"].(map[string]any)["ItemRef"].(map[string]any)["name"])

	h.post("invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": []any{itemLine(b.hoursItem, 1)}}).
		requireFault(t, http.StatusBadRequest, "2500")
	h.post("invoice", map[string]any{"CustomerRef": ref(b.cool), "Line": []any{itemLine(b.servicesItem, 1)}}).
		requireFault(t, http.StatusBadRequest, "2500")
}

func TestCreditMemo(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	inv := h.invoice(b.amy, b.servicesItem, 100)
	cm := h.create("creditmemo", "CreditMemo", map[string]any{"CustomerRef": ref(b.amy), "TotalAmt": 5,
		"Line": []any{itemLine(b.servicesItem, 30)}})
	assert.Equal(t, "1002", cm["DocNumber"], "credit memos share the sales form numbers")
	assertAmount(t, "30.0", cm["TotalAmt"])
	assertAmount(t, "30.0", cm["Balance"])
	assertAmount(t, "30.0", cm["RemainingCredit"])
	assert.Equal(t, "SubTotalLineDetail", lines(cm)[1]["DetailType"])
	assert.Equal(t, int64(7000), h.srv.OpenBalance(h.realm, b.amy), "Dr income, Cr A/R")
	assert.Equal(t, int64(7000), h.srv.AccountBalance(h.realm, b.services))
	h.requireBalanced()

	h.do(http.MethodPost, "creditmemo?operation=void", map[string]any{"Id": cm["Id"], "SyncToken": "0"}, "application/json").
		requireFault(t, http.StatusBadRequest, "500")
	h.post("creditmemo", map[string]any{"Line": []any{itemLine(b.servicesItem, 1)}}).requireFault(t, http.StatusBadRequest, "2020")
	res := h.do(http.MethodPost, "creditmemo?operation=delete", map[string]any{"Id": cm["Id"], "SyncToken": "0"}, "application/json")
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	assert.Equal(t, int64(10000), h.srv.OpenBalance(h.realm, b.amy))
	_ = inv
}

func TestTransactionQueries(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	a := h.invoice(b.amy, b.servicesItem, 100)
	h.invoice(b.bill, b.servicesItem, 50)
	h.payment(b.amy, 100, a["Id"], 100)

	rows := h.rows("SELECT * FROM Invoice WHERE DocNumber = '1001'", "Invoice")
	require.Len(t, rows, 1)
	assert.Equal(t, a["Id"], rows[0]["Id"])
	assert.Equal(t, []string{"1002"}, names(h.rows("SELECT * FROM Invoice WHERE Balance > '0'", "Invoice"), "DocNumber"))
	assert.Len(t, h.rows("SELECT * FROM Invoice WHERE CustomerRef = '"+b.bill+"'", "Invoice"), 1)
	assert.Equal(t, []string{"1002", "1001"}, names(h.rows("SELECT * FROM Invoice ORDERBY DocNumber DESC", "Invoice"), "DocNumber"))
	assert.Len(t, h.rows("SELECT * FROM Payment WHERE TxnDate = '2025-03-14'", "Payment"), 1)
	assert.Equal(t, float64(2), mustJSONFloat(t, h.query("SELECT COUNT(*) FROM Invoice").body["QueryResponse"].(map[string]any)["totalCount"]))

	// Only QBO's filterable properties may be filtered on.
	e := h.query("SELECT * FROM Invoice WHERE PrivateNote LIKE '%qbosync%'").requireFault(t, http.StatusBadRequest, "4001")
	assert.Contains(t, e["Detail"], "not queryable")
	h.query("SELECT * FROM Payment WHERE UnappliedAmt > '0'").requireFault(t, http.StatusBadRequest, "4001")
}

func mustJSONFloat(t *testing.T, v any) float64 {
	t.Helper()
	f, err := v.(interface{ Float64() (float64, error) }).Float64()
	require.NoError(t, err)
	return f
}

func TestTransactionDates(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	line := []any{itemLine(b.servicesItem, 10)}
	inv := h.create("invoice", "Invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": line, "TxnDate": "2024-12-20"})
	assert.Equal(t, "2025-01-19", inv["DueDate"])
	due := h.create("invoice", "Invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": line, "TxnDate": "2024-12-20", "DueDate": "2024-12-31"})
	assert.Equal(t, "2024-12-31", due["DueDate"])
	h.post("invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": line, "TxnDate": "2024-13-01"}).requireFault(t, http.StatusBadRequest, "2010")
	h.post("invoice", map[string]any{"CustomerRef": ref(b.amy), "Line": line, "DueDate": "soon"}).requireFault(t, http.StatusBadRequest, "2010")
	h.post("payment", map[string]any{"CustomerRef": ref(b.amy), "TotalAmt": 1, "TxnDate": "20250314"}).requireFault(t, http.StatusBadRequest, "2010")
	// Postings carry the TxnDate: the trial balance as of a date sees them.
	assert.Len(t, reportRows(t, h.report("TrialBalance?end_date=2024-12-19")), 1)
	assert.Len(t, reportRows(t, h.report("TrialBalance?end_date=2024-12-20")), 3)
}
