package qbosim

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPaymentAppliesToInvoice(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	inv := h.invoice(b.amy, b.servicesItem, 100)
	id := inv["Id"].(string)
	h.clock.Advance(time.Minute)

	p := h.payment(b.amy, 60, id, 60)
	assertAmount(t, "60.0", p["TotalAmt"])
	assertAmount(t, "0.0", p["UnappliedAmt"])
	assert.Equal(t, map[string]any{"value": b.uf, "name": "Undeposited Funds"}, p["DepositToAccountRef"], "the default deposit account")
	assert.Equal(t, []map[string]any{{"Amount": jsonNum("60.0"), "LinkedTxn": []any{map[string]any{"TxnId": id, "TxnType": "Invoice"}}}}, lines(p))

	got := h.entity("invoice", "Invoice", id)
	assertAmount(t, "40.0", got["Balance"])
	assert.Equal(t, "1", got["SyncToken"], "applying a payment makes a new version of the invoice")
	assert.NotEqual(t, inv["MetaData"].(map[string]any)["LastUpdatedTime"], got["MetaData"].(map[string]any)["LastUpdatedTime"])
	assert.Equal(t, []any{map[string]any{"TxnId": p["Id"], "TxnType": "Payment"}}, got["LinkedTxn"])
	assert.Equal(t, int64(4000), h.srv.OpenBalance(h.realm, b.amy))
	assert.Equal(t, int64(6000), h.srv.AccountBalance(h.realm, b.uf), "Dr Undeposited Funds")
	h.requireBalanced()

	// A stale invoice SyncToken is now refused.
	h.post("invoice", sparse(inv, map[string]any{"PrivateNote": "stale"})).requireFault(t, http.StatusBadRequest, "5010")

	p2 := h.payment(b.amy, 40, id, 40)
	got = h.entity("invoice", "Invoice", id)
	assertAmount(t, "0.0", got["Balance"], "paid")
	assert.Equal(t, "2", got["SyncToken"])
	assert.Equal(t, []any{map[string]any{"TxnId": p["Id"], "TxnType": "Payment"}, map[string]any{"TxnId": p2["Id"], "TxnType": "Payment"}}, got["LinkedTxn"])
	assert.Zero(t, h.srv.OpenBalance(h.realm, b.amy))
	assert.Len(t, h.rows("SELECT * FROM Invoice WHERE Balance = '0'", "Invoice"), 1)
}

func jsonNum(s string) any {
	v, _ := decodeJSON([]byte(s))
	return v
}

func TestPaymentUnappliedAmount(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	inv := h.invoice(b.bill, b.servicesItem, 100)
	p := h.payment(b.bill, 150, inv["Id"], 100)
	assertAmount(t, "50.0", p["UnappliedAmt"], "TotalAmt less what the lines apply")
	assert.Equal(t, int64(-5000), h.srv.OpenBalance(h.realm, b.bill), "the unapplied part is a credit")

	p = h.create("payment", "Payment", map[string]any{"CustomerRef": ref(b.cool), "TotalAmt": "12.34", "UnappliedAmt": 0})
	assertAmount(t, "12.34", p["UnappliedAmt"], "a payment without lines is wholly unapplied")
	assert.NotContains(t, p, "Line")
	h.requireBalanced()

	h.post("payment", map[string]any{"CustomerRef": ref(b.cool)}).requireFault(t, http.StatusBadRequest, "2020")
	h.post("payment", map[string]any{"TotalAmt": 5}).requireFault(t, http.StatusBadRequest, "2020")
	h.post("payment", map[string]any{"CustomerRef": ref(b.cool), "TotalAmt": -5}).requireFault(t, http.StatusBadRequest, "6000")
}

func TestPaymentCannotExceedOpenBalance(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	inv := h.invoice(b.amy, b.servicesItem, 100)
	id := inv["Id"].(string)
	h.payment(b.amy, 60, id, 60)
	before := h.entity("invoice", "Invoice", id)

	e := h.post("payment", paymentBody(b.amy, 50, id, 50)).requireFault(t, http.StatusBadRequest, "6000")
	assert.Equal(t, "A business validation error has occurred while processing your request", e["Message"])
	assert.Contains(t, e["Detail"], "open balance is 40.00")
	assert.Contains(t, e["Detail"], "applies 50.00")
	// Two lines for the same invoice count together.
	h.post("payment", paymentBody(b.amy, 50, id, 25, id, 25)).requireFault(t, http.StatusBadRequest, "6000")
	// Lines may not apply more than the payment's total.
	h.post("payment", paymentBody(b.amy, 10, id, 20)).requireFault(t, http.StatusBadRequest, "6000")
	// Someone else's invoice, an unknown one, a negative line.
	h.post("payment", paymentBody(b.bill, 10, id, 10)).requireFault(t, http.StatusBadRequest, "6000")
	h.post("payment", paymentBody(b.amy, 10, "9999", 10)).requireFault(t, http.StatusBadRequest, "2500")
	h.post("payment", paymentBody(b.amy, 10, id, -10)).requireFault(t, http.StatusBadRequest, "6000")

	assert.Equal(t, before, h.entity("invoice", "Invoice", id), "nothing happened")
	assert.Len(t, h.srv.Entities(h.realm, "Payment"), 1)
}

func TestPaymentDepositAccount(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	body := paymentBody(b.amy, 25)
	body["DepositToAccountRef"] = ref(b.checking)
	p := h.create("payment", "Payment", body)
	assert.Equal(t, "Checking", p["DepositToAccountRef"].(map[string]any)["name"])
	assert.Equal(t, int64(2500), h.srv.AccountBalance(h.realm, b.checking))

	body["DepositToAccountRef"] = ref(b.services)
	e := h.post("payment", body).requireFault(t, http.StatusBadRequest, "2500")
	assert.Contains(t, e["Detail"], "Bank or Other Current Asset")
}

func TestPaymentAppliesCreditMemo(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	inv := h.invoice(b.amy, b.servicesItem, 100)
	cm := h.create("creditmemo", "CreditMemo", map[string]any{"CustomerRef": ref(b.amy), "Line": []any{itemLine(b.servicesItem, 30)}})
	// A zero-amount payment linking both applies the credit (a write-off).
	p := h.create("payment", "Payment", creditBody(b.amy, inv["Id"], cm["Id"], 30))
	assertAmount(t, "0.0", p["UnappliedAmt"])
	assertAmount(t, "70.0", h.entity("invoice", "Invoice", inv["Id"].(string))["Balance"])
	gotCM := h.entity("creditmemo", "CreditMemo", cm["Id"].(string))
	assertAmount(t, "0.0", gotCM["RemainingCredit"])
	assertAmount(t, "0.0", gotCM["Balance"])
	assert.Equal(t, "1", gotCM["SyncToken"])
	assert.Equal(t, int64(7000), h.srv.OpenBalance(h.realm, b.amy))
	h.requireBalanced()

	// The credit cannot be used twice, nor applied on its own.
	h.post("payment", creditBody(b.amy, inv["Id"], cm["Id"], 1)).requireFault(t, http.StatusBadRequest, "6000")
	cm2 := h.create("creditmemo", "CreditMemo", map[string]any{"CustomerRef": ref(b.amy), "Line": []any{itemLine(b.servicesItem, 5)}})
	h.post("payment", map[string]any{"CustomerRef": ref(b.amy), "TotalAmt": 0, "Line": []any{linkLine("CreditMemo", cm2["Id"], 5)}}).
		requireFault(t, http.StatusBadRequest, "6000")

	// An applied credit memo cannot be deleted; the payment first.
	h.do(http.MethodPost, "creditmemo?operation=delete", map[string]any{"Id": cm["Id"], "SyncToken": "1"}, "application/json").
		requireFault(t, http.StatusBadRequest, "6000")
	h.do(http.MethodPost, "payment?operation=delete", map[string]any{"Id": p["Id"], "SyncToken": "0"}, "application/json")
	res := h.do(http.MethodPost, "creditmemo?operation=delete", map[string]any{"Id": cm["Id"], "SyncToken": "2"}, "application/json")
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
}

func TestPaymentUpdateReapplies(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	a := h.invoice(b.amy, b.servicesItem, 100)
	c := h.invoice(b.amy, b.servicesItem, 50)
	p := h.payment(b.amy, 100, a["Id"], 100)

	// Move 50 of it to the other invoice: both invoices get new versions.
	p1 := h.create("payment", "Payment", sparse(p, map[string]any{"Line": paymentBody(b.amy, 0, a["Id"], 50, c["Id"], 50)["Line"]}))
	assert.Equal(t, "1", p1["SyncToken"])
	gotA, gotC := h.entity("invoice", "Invoice", a["Id"].(string)), h.entity("invoice", "Invoice", c["Id"].(string))
	assertAmount(t, "50.0", gotA["Balance"])
	assertAmount(t, "0.0", gotC["Balance"])
	assert.Equal(t, "2", gotA["SyncToken"])
	assert.Equal(t, "1", gotC["SyncToken"])

	// Sparse without Line keeps the application; an empty Line removes it.
	p2 := h.create("payment", "Payment", sparse(p1, map[string]any{"PaymentRefNum": "1234"}))
	assert.Equal(t, lines(p1), lines(p2))
	p3 := h.create("payment", "Payment", sparse(p2, map[string]any{"Line": []any{}}))
	assertAmount(t, "100.0", p3["UnappliedAmt"])
	assertAmount(t, "100.0", h.entity("invoice", "Invoice", a["Id"].(string))["Balance"])
	assert.NotContains(t, h.entity("invoice", "Invoice", c["Id"].(string)), "LinkedTxn")
	assert.Equal(t, int64(5000), h.srv.OpenBalance(h.realm, b.amy))
	h.requireBalanced()
}

func TestPaymentVoid(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	inv := h.invoice(b.amy, b.servicesItem, 100)
	p := h.payment(b.amy, 100, inv["Id"], 100)
	body := map[string]any{"Id": p["Id"], "SyncToken": "0", "sparse": true}

	h.do(http.MethodPost, "payment?operation=void", body, "application/json").requireFault(t, http.StatusBadRequest, "500")
	res := h.do(http.MethodPost, "payment?operation=update&include=void", body, "application/json")
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	v := res.entity(t, "Payment")
	assert.Equal(t, "1", v["SyncToken"])
	assertAmount(t, "0.0", v["TotalAmt"])
	assertAmount(t, "0.0", v["UnappliedAmt"])
	assert.Equal(t, "Voided", v["PrivateNote"])
	assertAmount(t, "0.0", lines(v)[0]["Amount"])

	got := h.entity("invoice", "Invoice", inv["Id"].(string))
	assertAmount(t, "100.0", got["Balance"], "the invoice is open again")
	assert.NotContains(t, got, "LinkedTxn")
	assert.Equal(t, "2", got["SyncToken"])
	assert.Equal(t, int64(10000), h.srv.OpenBalance(h.realm, b.amy))
	assert.Zero(t, h.srv.AccountBalance(h.realm, b.uf))
	h.requireBalanced()
	h.post("payment", sparse(v, map[string]any{"PrivateNote": "x"})).requireFault(t, http.StatusBadRequest, "6000")
}

func TestPaymentDeleteReopensInvoices(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	inv := h.invoice(b.amy, b.servicesItem, 100)
	p := h.payment(b.amy, 100, inv["Id"], 100)
	res := h.do(http.MethodPost, "payment?operation=delete", map[string]any{"Id": p["Id"], "SyncToken": "0"}, "application/json")
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	assertAmount(t, "100.0", h.entity("invoice", "Invoice", inv["Id"].(string))["Balance"])
	h.get("payment", p["Id"].(string)).requireFault(t, http.StatusBadRequest, "610")
	h.requireBalanced()
}

func TestInvoiceWithPaymentsDeleteAndVoid(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	inv := h.invoice(b.amy, b.servicesItem, 100)
	p := h.payment(b.amy, 60, inv["Id"], 60)
	cur := h.entity("invoice", "Invoice", inv["Id"].(string))

	e := h.do(http.MethodPost, "invoice?operation=delete", map[string]any{"Id": cur["Id"], "SyncToken": cur["SyncToken"]}, "application/json").
		requireFault(t, http.StatusBadRequest, "6000")
	assert.Contains(t, e["Detail"], "unlink")
	// Lowering the total under what is paid, or changing the customer, is refused too.
	h.post("invoice", sparse(cur, map[string]any{"Line": []any{itemLine(b.servicesItem, 50)}})).requireFault(t, http.StatusBadRequest, "6000")
	h.post("invoice", sparse(cur, map[string]any{"CustomerRef": ref(b.bill)})).requireFault(t, http.StatusBadRequest, "6000")

	// Voiding unapplies the payment: its money becomes the customer's credit.
	res := h.do(http.MethodPost, "invoice?operation=void", map[string]any{"Id": cur["Id"], "SyncToken": cur["SyncToken"]}, "application/json")
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	assert.Equal(t, "2", res.entity(t, "Invoice")["SyncToken"])
	gotP := h.entity("payment", "Payment", p["Id"].(string))
	assert.Equal(t, "1", gotP["SyncToken"])
	assert.Empty(t, lines(gotP))
	assertAmount(t, "60.0", gotP["UnappliedAmt"])
	assert.Equal(t, int64(-6000), h.srv.OpenBalance(h.realm, b.amy))
	assert.NotContains(t, h.entity("invoice", "Invoice", inv["Id"].(string)), "LinkedTxn")
	h.requireBalanced()
}
