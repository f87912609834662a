package qbosim

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func expenseLine(account string, amount any, detail map[string]any) map[string]any {
	d := map[string]any{"AccountRef": ref(account)}
	for k, v := range detail {
		d[k] = v
	}
	return map[string]any{"DetailType": "AccountBasedExpenseLineDetail", "Amount": amount, "AccountBasedExpenseLineDetail": d}
}

func TestPurchaseCheckForAHardCost(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	p := h.create("purchase", "Purchase", map[string]any{
		"PaymentType": "Check", "AccountRef": ref(b.checking), "DocNumber": "1001", "TotalAmt": 1,
		"EntityRef": map[string]any{"value": b.hall, "type": "Vendor", "name": "whatever"},
		"Line": []any{
			expenseLine(b.legalFees, 250, map[string]any{"CustomerRef": ref(b.oceanView), "BillableStatus": "Billable"}),
			expenseLine(b.office, "12.5", nil),
		},
	})
	assertAmount(t, "262.5", p["TotalAmt"])
	assert.Equal(t, "NeedToPrint", p["PrintStatus"])
	assert.Equal(t, map[string]any{"value": b.hall, "type": "Vendor", "name": "Hall Properties"}, p["EntityRef"])
	d0 := lines(p)[0]["AccountBasedExpenseLineDetail"].(map[string]any)
	assert.Equal(t, "Billable", d0["BillableStatus"])
	assert.Equal(t, "0969 Ocean View Road", d0["CustomerRef"].(map[string]any)["name"])
	assert.Equal(t, "NotBillable", lines(p)[1]["AccountBasedExpenseLineDetail"].(map[string]any)["BillableStatus"])
	assert.Equal(t, int64(-26250), h.srv.AccountBalance(h.realm, b.checking), "Cr the bank")
	assert.Equal(t, int64(25000), h.srv.AccountBalance(h.realm, b.legalFees), "Dr the expense")
	h.requireBalanced()

	// A customer-only EntityRef without a type is found among customers.
	p2 := h.create("purchase", "Purchase", map[string]any{"PaymentType": "Cash", "AccountRef": ref(b.checking),
		"EntityRef": ref(b.amy), "Line": []any{expenseLine(b.office, 1, nil)}})
	assert.Equal(t, "Customer", p2["EntityRef"].(map[string]any)["type"])
}

func TestPurchaseRules(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	line := []any{expenseLine(b.office, 10, nil)}
	h.post("purchase", map[string]any{"AccountRef": ref(b.checking), "Line": line}).requireFault(t, http.StatusBadRequest, "2020")
	h.post("purchase", map[string]any{"PaymentType": "Barter", "AccountRef": ref(b.checking), "Line": line}).requireFault(t, http.StatusBadRequest, "2170")
	h.post("purchase", map[string]any{"PaymentType": "Check", "Line": line}).requireFault(t, http.StatusBadRequest, "2020")
	e := h.post("purchase", map[string]any{"PaymentType": "CreditCard", "AccountRef": ref(b.checking), "Line": line}).requireFault(t, http.StatusBadRequest, "2500")
	assert.Contains(t, e["Detail"], "Credit Card")
	h.post("purchase", map[string]any{"PaymentType": "Check", "AccountRef": ref(b.visa), "Line": line}).requireFault(t, http.StatusBadRequest, "2500")
	h.post("purchase", map[string]any{"PaymentType": "Check", "AccountRef": ref(b.checking)}).requireFault(t, http.StatusBadRequest, "2020")
	h.post("purchase", map[string]any{"PaymentType": "Check", "AccountRef": ref(b.checking),
		"Line": []any{expenseLine(b.ar, 10, nil)}}).requireFault(t, http.StatusBadRequest, "2500")
	h.post("purchase", map[string]any{"PaymentType": "Check", "AccountRef": ref(b.checking),
		"Line": []any{expenseLine(b.office, 10, map[string]any{"BillableStatus": "Billable"})}}).requireFault(t, http.StatusBadRequest, "6000")
	h.post("purchase", map[string]any{"PaymentType": "Check", "AccountRef": ref(b.checking),
		"Line": []any{expenseLine(b.office, 10, map[string]any{"BillableStatus": "Maybe"})}}).requireFault(t, http.StatusBadRequest, "2170")
	h.post("purchase", map[string]any{"PaymentType": "Check", "AccountRef": ref(b.checking), "EntityRef": ref("9999"), "Line": line}).
		requireFault(t, http.StatusBadRequest, "2500")
	h.post("purchase", map[string]any{"PaymentType": "Check", "AccountRef": ref(b.checking), "Credit": true, "Line": line}).
		requireFault(t, http.StatusBadRequest, "6000")
	assert.Empty(t, h.srv.Entities(h.realm, "Purchase"))

	// A card charge grows the card's liability; a card refund shrinks it.
	h.create("purchase", "Purchase", map[string]any{"PaymentType": "CreditCard", "AccountRef": ref(b.visa), "Line": []any{expenseLine(b.office, 40, nil)}})
	assert.Equal(t, int64(4000), h.srv.AccountBalance(h.realm, b.visa))
	refund := h.create("purchase", "Purchase", map[string]any{"PaymentType": "CreditCard", "AccountRef": ref(b.visa), "Credit": true,
		"Line": []any{expenseLine(b.office, 15, nil)}})
	assert.Equal(t, int64(2500), h.srv.AccountBalance(h.realm, b.visa))
	assert.Equal(t, int64(2500), h.srv.AccountBalance(h.realm, b.office))
	h.requireBalanced()

	// Purchases are deleted, not voided, here.
	h.do(http.MethodPost, "purchase?operation=void", map[string]any{"Id": refund["Id"], "SyncToken": "0"}, "application/json").
		requireFault(t, http.StatusBadRequest, "500")
	res := h.do(http.MethodPost, "purchase?operation=delete", map[string]any{"Id": refund["Id"], "SyncToken": "0"}, "application/json")
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	assert.Equal(t, int64(4000), h.srv.AccountBalance(h.realm, b.visa))
}
