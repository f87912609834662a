package qbosim

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// QuickBooks' duplicate-number rules, as Intuit's Purchase reference has them and the
// sandbox enforces by default (doc.go, "Duplicate DocNumbers").

func TestCashAndCreditCardPurchasesAreAlwaysRefusedADuplicateNumber(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	cash := func(doc string) map[string]any {
		return map[string]any{"PaymentType": "Cash", "AccountRef": ref(b.checking), "DocNumber": doc, "Line": []any{expenseLine(b.office, 10, nil)}}
	}
	card := func(doc string) map[string]any {
		return map[string]any{"PaymentType": "CreditCard", "AccountRef": ref(b.visa), "DocNumber": doc, "Line": []any{expenseLine(b.office, 10, nil)}}
	}
	first := h.create("purchase", "Purchase", cash("5001"))
	e := h.post("purchase", cash("5001")).requireFault(t, http.StatusBadRequest, "6140")
	assert.Contains(t, e["Detail"], "TxnId="+first["Id"].(string))
	h.post("purchase", cash(" 5001 ")).requireFault(t, http.StatusBadRequest, "6140")
	h.post("purchase", card("5001")).requireFault(t, http.StatusBadRequest, "6140")
	// allowduplicatedocnum does not let a cash purchase through [U], and the company's
	// preferences do not matter.
	require.NoError(t, h.srv.SetPreference(h.realm, PrefWarnDuplicateCheckNumber, false))
	res := h.do(http.MethodPost, "purchase?include=allowduplicatedocnum", cash("5001"), "application/json")
	res.requireFault(t, http.StatusBadRequest, "6140")
	// A number of its own is fine; so is an update that keeps the number.
	h.create("purchase", "Purchase", cash("5001-2"))
	h.create("purchase", "Purchase", sparse(first, map[string]any{"PrivateNote": "same number"}))
	assert.Len(t, h.srv.Entities(h.realm, "Purchase"), 2)
}

func TestChecksAndJournalEntriesAreRefusedADuplicateNumberWhileTheCompanyWarns(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	check := map[string]any{"PaymentType": "Check", "AccountRef": ref(b.checking), "DocNumber": "1042", "Line": []any{expenseLine(b.office, 10, nil)}}
	entry := map[string]any{"DocNumber": "INV-1004", "Line": []any{jeLine("Debit", b.office, 5, nil), jeLine("Credit", b.checking, 5, nil)}}

	// The sample company warns of duplicate check and journal numbers, as Intuit's does.
	prefs := h.do(http.MethodGet, "preferences", nil, "").entity(t, "Preferences")
	assert.Contains(t, prefs["OtherPrefs"].(map[string]any)["NameValue"], map[string]any{"Name": PrefWarnDuplicateCheckNumber, "Value": "true"})
	h.create("purchase", "Purchase", check)
	h.create("journalentry", "JournalEntry", entry)
	h.post("purchase", check).requireFault(t, http.StatusBadRequest, "6140")
	h.post("journalentry", entry).requireFault(t, http.StatusBadRequest, "6140")
	// Within one batch too: the second item sees the first.
	second := map[string]any{"PaymentType": "Check", "AccountRef": ref(b.checking), "DocNumber": "2001", "Line": []any{expenseLine(b.office, 10, nil)}}
	res := h.batch("", map[string]any{"bId": "1", "operation": "create", "Purchase": second}, map[string]any{"bId": "2", "operation": "create", "Purchase": second})
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	items := res.body["BatchItemResponse"].([]any)
	faults := 0
	for _, it := range items {
		if f, ok := it.(map[string]any)["Fault"].(map[string]any); ok {
			faults++
			assert.Equal(t, "6140", f["Error"].([]any)[0].(map[string]any)["code"])
		}
	}
	assert.Equal(t, 1, faults, "one of two checks numbered 2001 in one batch is refused")

	// include=allowduplicatedocnum lets a duplicate check or entry through.
	res = h.do(http.MethodPost, "purchase?include=allowduplicatedocnum", check, "application/json")
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	res = h.do(http.MethodPost, "journalentry?include=allowduplicatedocnum", entry, "application/json")
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)

	// With the warnings off, duplicates are accepted.
	require.NoError(t, h.srv.SetPreference(h.realm, PrefWarnDuplicateCheckNumber, false))
	require.NoError(t, h.srv.SetPreference(h.realm, PrefWarnDuplicateJournalNumber, false))
	h.create("purchase", "Purchase", check)
	h.create("journalentry", "JournalEntry", entry)
	assert.Len(t, h.srv.Entities(h.realm, "JournalEntry"), 3)
}
