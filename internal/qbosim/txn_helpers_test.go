package qbosim

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ref(id string) map[string]any { return map[string]any{"value": id} }

// books names the sample company's accounts, items and parties by id.
type books struct {
	checking, savings, ar, ap, uf, obe, visa, services, legalFees, office string
	servicesItem, hoursItem                                               string
	amy, bill, cool, freeman, oceanView                                   string
	hall, brosnahan                                                       string
}

func (h *harness) books() books {
	h.t.Helper()
	acct := func(name string) string { return h.idOf("Account", "Name", name) }
	cust := func(name string) string { return h.idOf("Customer", "DisplayName", name) }
	return books{
		checking: acct("Checking"), savings: acct("Savings"), ar: acct("Accounts Receivable (A/R)"),
		ap: acct("Accounts Payable (A/P)"), uf: acct("Undeposited Funds"), obe: acct("Opening Balance Equity"),
		visa: acct("Visa"), services: acct("Services"), legalFees: acct("Legal & Professional Fees"),
		office:       acct("Office Expenses"),
		servicesItem: h.idOf("Item", "Name", "Services"), hoursItem: h.idOf("Item", "Name", "Hours"),
		amy: cust("Amy's Bird Sanctuary"), bill: cust("Bill's Windsurf Shop"), cool: cust("Cool Cars"),
		freeman: cust("Freeman Sporting Goods"), oceanView: cust("0969 Ocean View Road"),
		hall:      h.idOf("Vendor", "DisplayName", "Hall Properties"),
		brosnahan: h.idOf("Vendor", "DisplayName", "Brosnahan Insurance Agency"),
	}
}

// itemLine is a SalesItemLineDetail line with an Amount.
func itemLine(item string, amount any) map[string]any {
	return map[string]any{"DetailType": "SalesItemLineDetail", "Amount": amount,
		"SalesItemLineDetail": map[string]any{"ItemRef": ref(item)}}
}

// invoice creates an invoice for customer with one line per amount.
func (h *harness) invoice(customer, item string, amounts ...any) map[string]any {
	h.t.Helper()
	var lines []any
	for _, a := range amounts {
		lines = append(lines, itemLine(item, a))
	}
	return h.create("invoice", "Invoice", map[string]any{"CustomerRef": ref(customer), "Line": lines})
}

// payment creates a payment of total applying amounts to invoices
// (pairs of invoice id and amount).
func (h *harness) payment(customer string, total any, applied ...any) map[string]any {
	h.t.Helper()
	return h.create("payment", "Payment", paymentBody(customer, total, applied...))
}

func paymentBody(customer string, total any, applied ...any) map[string]any {
	lines := []any{}
	for i := 0; i+1 < len(applied); i += 2 {
		lines = append(lines, linkLine("Invoice", applied[i], applied[i+1]))
	}
	return map[string]any{"CustomerRef": ref(customer), "TotalAmt": total, "Line": lines}
}

// linkLine is a payment line applying amount to a transaction.
func linkLine(txnType string, id, amount any) map[string]any {
	return map[string]any{"Amount": amount, "LinkedTxn": []any{map[string]any{"TxnId": id, "TxnType": txnType}}}
}

// creditBody is a zero payment applying amount of a credit memo to an
// invoice (a write-off).
func creditBody(customer string, invoice, creditMemo, amount any) map[string]any {
	return map[string]any{"CustomerRef": ref(customer), "TotalAmt": 0, "Line": []any{
		linkLine("Invoice", invoice, amount), linkLine("CreditMemo", creditMemo, amount)}}
}

// entity reads one entity through the API.
func (h *harness) entity(resource, entity, id string) map[string]any {
	h.t.Helper()
	res := h.get(resource, id)
	require.Equal(h.t, http.StatusOK, res.status, "%s", res.raw)
	return res.entity(h.t, entity)
}

// requireBalanced asserts that the trial balance balances.
func (h *harness) requireBalanced() {
	h.t.Helper()
	debits, credits := h.srv.TrialBalance(h.realm)
	require.Equal(h.t, debits, credits, "debits and credits")
}

// lines returns an entity's lines.
func lines(e map[string]any) []map[string]any { return anyMaps(e["Line"]) }

func assertAmount(t *testing.T, want string, v any, msgAndArgs ...any) {
	t.Helper()
	assert.Equal(t, want, num(v), msgAndArgs...)
}

// sparse builds a sparse update body of e.
func sparse(e map[string]any, changes map[string]any) map[string]any {
	body := map[string]any{"Id": e["Id"], "SyncToken": e["SyncToken"], "sparse": true}
	for k, v := range changes {
		body[k] = v
	}
	return body
}
