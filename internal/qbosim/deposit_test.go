package qbosim

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func depositOf(to string, payments ...string) map[string]any {
	var ls []any
	for _, p := range payments {
		ls = append(ls, map[string]any{"LinkedTxn": []any{map[string]any{"TxnId": p, "TxnType": "Payment", "TxnLineId": "0"}}})
	}
	return map[string]any{"DepositToAccountRef": ref(to), "Line": ls}
}

func TestDepositGathersPayments(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	p1 := h.payment(b.amy, 100)
	p2 := h.payment(b.bill, "25.50")
	require.Equal(t, int64(12550), h.srv.AccountBalance(h.realm, b.uf))

	d := h.create("deposit", "Deposit", depositOf(b.checking, p1["Id"].(string), p2["Id"].(string)))
	assertAmount(t, "125.5", d["TotalAmt"])
	assert.Equal(t, map[string]any{"value": b.checking, "name": "Checking"}, d["DepositToAccountRef"])
	ls := lines(d)
	require.Len(t, ls, 2)
	assertAmount(t, "100.0", ls[0]["Amount"], "the payment's amount")
	assert.Equal(t, []any{map[string]any{"TxnId": p1["Id"], "TxnType": "Payment", "TxnLineId": "0"}}, ls[0]["LinkedTxn"])
	assert.Equal(t, "1", ls[0]["Id"])
	assert.Zero(t, h.srv.AccountBalance(h.realm, b.uf), "moved out of Undeposited Funds")
	assert.Equal(t, int64(12550), h.srv.AccountBalance(h.realm, b.checking))
	assert.Equal(t, "0", h.entity("payment", "Payment", p1["Id"].(string))["SyncToken"], "depositing does not change the payment [U]")
	h.requireBalanced()

	// Deleting the deposit puts the money back in Undeposited Funds.
	res := h.do(http.MethodPost, "deposit?operation=delete", map[string]any{"Id": d["Id"], "SyncToken": "0"}, "application/json")
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	assert.Equal(t, int64(12550), h.srv.AccountBalance(h.realm, b.uf))
	assert.Zero(t, h.srv.AccountBalance(h.realm, b.checking))
}

func TestDepositedPaymentCannotBeChanged(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	inv := h.invoice(b.amy, b.servicesItem, 100)
	p := h.payment(b.amy, 100, inv["Id"], 100)
	pid := p["Id"].(string)
	d := h.create("deposit", "Deposit", depositOf(b.checking, pid))

	e := h.post("payment", sparse(p, map[string]any{"PrivateNote": "late edit"})).requireFault(t, http.StatusBadRequest, "6540")
	assert.Equal(t, "Deposited Transaction cannot be changed", e["Message"])
	assert.Contains(t, e["Detail"], "Deposit "+d["Id"].(string))
	h.do(http.MethodPost, "payment?operation=update&include=void", map[string]any{"Id": pid, "SyncToken": "0", "sparse": true}, "application/json").
		requireFault(t, http.StatusBadRequest, "6540")
	h.do(http.MethodPost, "payment?operation=delete", map[string]any{"Id": pid, "SyncToken": "0"}, "application/json").
		requireFault(t, http.StatusBadRequest, "6540")
	assert.Equal(t, p, h.entity("payment", "Payment", pid))

	// Taking it out of the deposit frees it.
	h.create("deposit", "Deposit", map[string]any{"Id": d["Id"], "SyncToken": "0", "DepositToAccountRef": ref(b.checking),
		"Line": []any{map[string]any{"DetailType": "DepositLineDetail", "Amount": 5, "DepositLineDetail": map[string]any{"AccountRef": ref(b.services)}}}})
	res := h.do(http.MethodPost, "payment?operation=update&include=void", map[string]any{"Id": pid, "SyncToken": "0", "sparse": true}, "application/json")
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	h.requireBalanced()
}

func TestPaymentIsDepositedOnce(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	p := h.payment(b.amy, 100)
	pid := p["Id"].(string)
	h.create("deposit", "Deposit", depositOf(b.checking, pid))
	e := h.post("deposit", depositOf(b.savings, pid)).requireFault(t, http.StatusBadRequest, "6000")
	assert.Contains(t, e["Detail"], "already deposited")
	h.post("deposit", depositOf(b.savings, pid, pid)).requireFault(t, http.StatusBadRequest, "6000")

	direct := paymentBody(b.bill, 10)
	direct["DepositToAccountRef"] = ref(b.checking)
	dp := h.create("payment", "Payment", direct)
	e = h.post("deposit", depositOf(b.savings, dp["Id"].(string))).requireFault(t, http.StatusBadRequest, "6000")
	assert.Contains(t, e["Detail"], "Undeposited Funds")

	p2 := h.payment(b.bill, 30)
	wrong := depositOf(b.savings, p2["Id"].(string))
	wrong["Line"].([]any)[0].(map[string]any)["Amount"] = 20
	h.post("deposit", wrong).requireFault(t, http.StatusBadRequest, "6000")
	h.post("deposit", depositOf(b.savings, "9999")).requireFault(t, http.StatusBadRequest, "2500")
	assert.Len(t, h.srv.Entities(h.realm, "Deposit"), 1)
}

func TestDepositLineDetailTrustReceipt(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	trust := h.create("account", "Account", map[string]any{"Name": "IOLTA Trust", "AccountType": "Bank", "AccountSubType": "TrustAccounts"})
	liability := h.create("account", "Account", map[string]any{"Name": "IOLTA Trust - Client Funds", "AccountType": "Other Current Liability", "AccountSubType": "TrustAccountsLiabilities"})
	line := func(amount any, customer string) map[string]any {
		return map[string]any{"DetailType": "DepositLineDetail", "Amount": amount, "DepositLineDetail": map[string]any{
			"AccountRef": ref(liability["Id"].(string)), "Entity": map[string]any{"value": customer, "type": "Customer"}}}
	}
	d := h.create("deposit", "Deposit", map[string]any{"DepositToAccountRef": ref(trust["Id"].(string)), "TotalAmt": 1,
		"Line": []any{line(1500, b.oceanView), line("250.25", b.amy)}})
	assertAmount(t, "1750.25", d["TotalAmt"])
	entity := lines(d)[0]["DepositLineDetail"].(map[string]any)["Entity"]
	assert.Equal(t, map[string]any{"value": b.oceanView, "type": "Customer", "name": "0969 Ocean View Road"}, entity)
	assert.Equal(t, int64(175025), h.srv.AccountBalance(h.realm, trust["Id"].(string)))
	assert.Equal(t, int64(175025), h.srv.AccountBalance(h.realm, liability["Id"].(string)), "trust bank = trust liability")
	assert.Zero(t, h.srv.OpenBalance(h.realm, b.amy), "trust money is not a receivable")
	h.requireBalanced()

	h.post("deposit", map[string]any{"Line": []any{line(1, b.amy)}}).requireFault(t, http.StatusBadRequest, "2020")
	h.post("deposit", map[string]any{"DepositToAccountRef": ref(b.services), "Line": []any{line(1, b.amy)}}).
		requireFault(t, http.StatusBadRequest, "2500")
	h.post("deposit", map[string]any{"DepositToAccountRef": ref(b.checking)}).requireFault(t, http.StatusBadRequest, "2020")
	e := h.post("deposit", map[string]any{"DepositToAccountRef": ref(b.checking), "Line": []any{
		map[string]any{"DetailType": "DepositLineDetail", "Amount": 5, "DepositLineDetail": map[string]any{"AccountRef": ref(b.ar)}}}}).
		requireFault(t, http.StatusBadRequest, "6000")
	assert.Contains(t, e["Detail"], "customer")
}

func TestDepositCashBack(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	p := h.payment(b.amy, 100)
	body := depositOf(b.checking, p["Id"].(string))
	body["CashBack"] = map[string]any{"AccountRef": ref(b.office), "Amount": "20.00", "Memo": "petty cash"}
	d := h.create("deposit", "Deposit", body)
	assertAmount(t, "80.0", d["TotalAmt"], "lines less cash back")
	assertAmount(t, "20.0", d["CashBack"].(map[string]any)["Amount"])
	assert.Equal(t, int64(8000), h.srv.AccountBalance(h.realm, b.checking))
	assert.Equal(t, int64(2000), h.srv.AccountBalance(h.realm, b.office))
	h.requireBalanced()

	again := depositOf(b.checking, h.payment(b.bill, 10)["Id"].(string))
	again["CashBack"] = map[string]any{"Amount": 5}
	h.post("deposit", again).requireFault(t, http.StatusBadRequest, "2020")
}
