package qbosim

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func jeLine(posting, account string, amount any, entity map[string]any) map[string]any {
	d := map[string]any{"PostingType": posting, "AccountRef": ref(account)}
	if entity != nil {
		d["Entity"] = entity
	}
	return map[string]any{"DetailType": "JournalEntryLineDetail", "Amount": amount, "JournalEntryLineDetail": d}
}

func customerEntity(id string) map[string]any {
	return map[string]any{"Type": "Customer", "EntityRef": ref(id)}
}

func TestJournalEntryMustBalance(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	e := h.post("journalentry", map[string]any{"Line": []any{
		jeLine("Debit", b.checking, 100, nil), jeLine("Credit", b.services, "99.99", nil),
	}}).requireFault(t, http.StatusBadRequest, "6000")
	assert.Contains(t, e["Detail"], "debits 100.00, credits 99.99")
	assert.Empty(t, h.srv.Entities(h.realm, "JournalEntry"))
	assert.Zero(t, h.srv.AccountBalance(h.realm, b.checking), "nothing posted")

	je := h.create("journalentry", "JournalEntry", map[string]any{"DocNumber": "ADJ-1", "TotalAmt": 5, "Line": []any{
		jeLine("Debit", b.checking, 100, nil),
		map[string]any{"DetailType": "DescriptionOnly", "Description": "note"},
		jeLine("Credit", b.services, 60, nil), jeLine("Credit", b.savings, 40, nil),
	}})
	assertAmount(t, "100.0", je["TotalAmt"])
	assert.Equal(t, false, je["Adjustment"])
	assert.Equal(t, []any{"1", "2", "3", "4"}, []any{lines(je)[0]["Id"], lines(je)[1]["Id"], lines(je)[2]["Id"], lines(je)[3]["Id"]})
	assert.Equal(t, "Checking", lines(je)[0]["JournalEntryLineDetail"].(map[string]any)["AccountRef"].(map[string]any)["name"])
	assert.Equal(t, int64(10000), h.srv.AccountBalance(h.realm, b.checking))
	assert.Equal(t, int64(6000), h.srv.AccountBalance(h.realm, b.services))
	assert.Equal(t, int64(-4000), h.srv.AccountBalance(h.realm, b.savings))
	h.requireBalanced()

	h.post("journalentry", map[string]any{"Line": []any{}}).requireFault(t, http.StatusBadRequest, "2020")
	h.post("journalentry", map[string]any{"Line": []any{jeLine("Sideways", b.checking, 1, nil)}}).requireFault(t, http.StatusBadRequest, "2170")
	h.post("journalentry", map[string]any{"Line": []any{jeLine("Debit", b.checking, -1, nil), jeLine("Credit", b.savings, -1, nil)}}).
		requireFault(t, http.StatusBadRequest, "6000")
}

func TestJournalEntryReceivableAndPayableNeedAName(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	e := h.post("journalentry", map[string]any{"Line": []any{
		jeLine("Debit", b.ar, 10, nil), jeLine("Credit", b.services, 10, nil),
	}}).requireFault(t, http.StatusBadRequest, "6000")
	assert.Contains(t, e["Detail"], "When you use Accounts Receivable, you must choose a customer")
	h.post("journalentry", map[string]any{"Line": []any{
		jeLine("Debit", b.ar, 10, map[string]any{"Type": "Vendor", "EntityRef": ref(b.hall)}), jeLine("Credit", b.services, 10, nil),
	}}).requireFault(t, http.StatusBadRequest, "6000")
	e = h.post("journalentry", map[string]any{"Line": []any{
		jeLine("Debit", b.office, 10, nil), jeLine("Credit", b.ap, 10, customerEntity(b.amy)),
	}}).requireFault(t, http.StatusBadRequest, "6000")
	assert.Contains(t, e["Detail"], "Accounts Payable")

	je := h.create("journalentry", "JournalEntry", map[string]any{"Line": []any{
		jeLine("Debit", b.ar, 10, customerEntity(b.amy)), jeLine("Credit", b.services, 10, nil),
		jeLine("Debit", b.office, 7, nil), jeLine("Credit", b.ap, 7, map[string]any{"Type": "Vendor", "EntityRef": ref(b.hall)}),
	}})
	assert.Equal(t, int64(1000), h.srv.OpenBalance(h.realm, b.amy), "an A/R line with a customer moves its balance")
	assert.Equal(t, map[string]any{"Type": "Customer", "EntityRef": map[string]any{"value": b.amy, "name": "Amy's Bird Sanctuary"}},
		lines(je)[0]["JournalEntryLineDetail"].(map[string]any)["Entity"])
	h.requireBalanced()

	// The trust side of a payment from trust: Dr the liability (the
	// client), Cr the trust bank. Deleting the entry reverses it.
	res := h.do(http.MethodPost, "journalentry?operation=delete", map[string]any{"Id": je["Id"], "SyncToken": "0"}, "application/json")
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	assert.Zero(t, h.srv.OpenBalance(h.realm, b.amy))
	h.requireBalanced()
}

func TestClass(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	c := h.create("class", "Class", map[string]any{"Name": "Litigation"})
	assert.Equal(t, "5000000000000007280", c["Id"], "Intuit's large class ids")
	assert.Equal(t, false, c["SubClass"])
	assert.Equal(t, true, c["Active"])
	sub := h.create("class", "Class", map[string]any{"Name": "Partner A", "ParentRef": ref(c["Id"].(string))})
	assert.Equal(t, "5000000000000007281", sub["Id"])
	assert.Equal(t, "Litigation:Partner A", sub["FullyQualifiedName"])
	assert.Equal(t, true, sub["SubClass"])
	h.create("class", "Class", map[string]any{"Name": "Partner A"}) // another parent: another name
	e := h.post("class", map[string]any{"Name": " litigation "}).requireFault(t, http.StatusBadRequest, "6240")
	assert.Contains(t, e["Detail"], "Id="+c["Id"].(string))
	h.post("class", map[string]any{"Name": "A:B"}).requireFault(t, http.StatusBadRequest, "2050")
	h.post("class", map[string]any{}).requireFault(t, http.StatusBadRequest, "2020")

	classed := func(class string) map[string]any {
		return map[string]any{"CustomerRef": ref(b.amy), "Line": []any{map[string]any{"DetailType": "SalesItemLineDetail", "Amount": 10,
			"SalesItemLineDetail": map[string]any{"ItemRef": ref(b.servicesItem), "ClassRef": ref(class)}}}}
	}
	inv := h.create("invoice", "Invoice", classed(sub["Id"].(string)))
	assert.Equal(t, "Litigation:Partner A", lines(inv)[0]["SalesItemLineDetail"].(map[string]any)["ClassRef"].(map[string]any)["name"])
	h.create("class", "Class", sparse(sub, map[string]any{"Active": false}))
	h.post("invoice", classed(sub["Id"].(string))).requireFault(t, http.StatusBadRequest, "2500")
	h.create("invoice", "Invoice", sparse(inv, map[string]any{"PrivateNote": "an inactive class stays"}))
	assert.Len(t, h.rows("SELECT * FROM Class", "Class"), 2, "active only by default")
	h.do(http.MethodPost, "class?operation=delete", map[string]any{"Id": c["Id"], "SyncToken": "0"}, "application/json").
		requireFault(t, http.StatusBadRequest, "500")
}

// Ledger lists what each transaction posted, line by line, with its date, party and
// note: how a test reads the books as an accountant does, dated. A line on an account
// other than A/R or A/P may name a customer, as trust liability lines do (whose money
// it is), without moving what the customer owes.
func TestLedgerListsEveryLineDated(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	je := h.create("journalentry", "JournalEntry", map[string]any{"TxnDate": "2026-02-28", "PrivateNote": "opening", "Line": []any{
		jeLine("Debit", b.checking, 12.5, nil), jeLine("Credit", b.obe, 12.5, customerEntity(b.amy)),
	}})
	var got []LedgerLine
	for _, l := range h.srv.Ledger(h.realm) {
		if l.Entity == "JournalEntry" && l.ID == je["Id"] {
			got = append(got, l)
		}
	}
	require.Len(t, got, 2)
	assert.Zero(t, h.srv.OpenBalance(h.realm, b.amy))
	assert.Equal(t, LedgerLine{Entity: "JournalEntry", ID: je["Id"].(string), Account: b.checking, Cents: 1250, Date: "2026-02-28", PrivateNote: "opening"}, got[0])
	assert.Equal(t, LedgerLine{Entity: "JournalEntry", ID: je["Id"].(string), Account: b.obe, Cents: -1250, Party: b.amy, PartyType: "Customer",
		Date: "2026-02-28", PrivateNote: "opening"}, got[1])
}
