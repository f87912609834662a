package qbosim

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// batch posts a batch request and returns its answer.
func (h *harness) batch(query string, items ...map[string]any) apiResult {
	h.t.Helper()
	list := make([]any, len(items))
	for i, it := range items {
		list[i] = it
	}
	return h.do(http.MethodPost, "batch"+query, map[string]any{"BatchItemRequest": list}, "application/json")
}

// byBID indexes a batch answer's items by bId.
func byBID(t *testing.T, res apiResult) map[string]map[string]any {
	t.Helper()
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	out := map[string]map[string]any{}
	for _, it := range anyMaps(res.body["BatchItemResponse"]) {
		out[it["bId"].(string)] = it
	}
	return out
}

func itemFault(t *testing.T, item map[string]any) map[string]any {
	t.Helper()
	f, ok := item["Fault"].(map[string]any)
	require.True(t, ok, "no Fault in %v", item)
	errs := anyMaps(f["Error"])
	require.NotEmpty(t, errs)
	return errs[0]
}

func TestBatchShapes(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	inv := h.invoice(b.amy, b.servicesItem, 10)
	cool := h.entity("customer", "Customer", b.cool)
	res := h.batch("",
		map[string]any{"bId": "bid1", "operation": "create", "Vendor": map[string]any{"DisplayName": "Smith Family Store"}},
		map[string]any{"bId": "bid2", "operation": "create", "Customer": map[string]any{"DisplayName": "Hall Properties"}},
		map[string]any{"bId": "bid3", "operation": "update", "Customer": sparse(cool, map[string]any{"Notes": "batched"})},
		map[string]any{"bId": "bid4", "operation": "delete", "Invoice": map[string]any{"Id": inv["Id"], "SyncToken": "0"}},
		map[string]any{"bId": "bid5", "Query": "select * from Customer where DisplayName = 'Cool Cars'"},
		map[string]any{"bId": "bid6", "Query": "select * from Nothing"},
		map[string]any{"bId": "bid7", "operation": "create", "Widget": map[string]any{}},
	)
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT`, res.body["time"])
	got := byBID(t, res)
	require.Len(t, got, 7)
	assert.Equal(t, "Smith Family Store", got["bid1"]["Vendor"].(map[string]any)["DisplayName"])
	e := itemFault(t, got["bid2"])
	assert.Equal(t, "6240", e["code"], "a fault inside HTTP 200")
	assert.Equal(t, "ValidationFault", got["bid2"]["Fault"].(map[string]any)["type"])
	assert.Equal(t, "batched", got["bid3"]["Customer"].(map[string]any)["Notes"])
	assert.Equal(t, map[string]any{"Id": inv["Id"], "status": "Deleted", "domain": "QBO"}, got["bid4"]["Invoice"])
	qr := got["bid5"]["QueryResponse"].(map[string]any)
	assert.Equal(t, "batched", anyMaps(qr["Customer"])[0]["Notes"], "items run in order: the update is visible")
	assert.Equal(t, "4001", itemFault(t, got["bid6"])["code"])
	assert.Equal(t, "500", itemFault(t, got["bid7"])["code"])
	assert.Equal(t, []string{"bid1", "bid2", "bid3", "bid4", "bid5", "bid6", "bid7"},
		names(anyMaps(res.body["BatchItemResponse"]), "bId"), "answered in request order by default")
	h.get("invoice", inv["Id"].(string)).requireFault(t, http.StatusBadRequest, "610")
}

func TestBatchItemsCannotSeeEachOther(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	probe := h.create("customer", "Customer", map[string]any{"DisplayName": "Probe"})
	n, _ := strconv.Atoi(probe["Id"].(string))
	nextID := strconv.Itoa(n + 1) // what the batch's customer will get

	res := h.batch("",
		map[string]any{"bId": "c", "operation": "create", "Customer": map[string]any{"DisplayName": "New Co"}},
		map[string]any{"bId": "i", "operation": "create", "Invoice": map[string]any{"CustomerRef": ref(nextID), "Line": []any{itemLine(b.servicesItem, 5)}}},
		map[string]any{"bId": "q", "Query": "select * from Customer where DisplayName = 'New Co'"},
		map[string]any{"bId": "u", "operation": "update", "Customer": map[string]any{"Id": nextID, "SyncToken": "0", "sparse": true, "Notes": "x"}},
	)
	got := byBID(t, res)
	require.Equal(t, nextID, got["c"]["Customer"].(map[string]any)["Id"])
	assert.Equal(t, "2500", itemFault(t, got["i"])["code"], "the new customer cannot be referenced yet")
	assert.Equal(t, map[string]any{}, got["q"]["QueryResponse"], "nor found")
	assert.Equal(t, "610", itemFault(t, got["u"])["code"], "nor updated")
	// After the batch it is there for everyone.
	h.create("invoice", "Invoice", map[string]any{"CustomerRef": ref(nextID), "Line": []any{itemLine(b.servicesItem, 5)}})
}

func TestBatchPaymentsAndVoid(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	inv := h.invoice(b.amy, b.servicesItem, 100)
	p := h.payment(b.amy, 100, inv["Id"], 100)
	res := h.batch("",
		map[string]any{"bId": "v", "operation": "update", "optionsData": "void", "Payment": map[string]any{"Id": p["Id"], "SyncToken": "0", "sparse": true}},
		map[string]any{"bId": "p", "operation": "create", "Payment": paymentBody(b.amy, 150, inv["Id"], 150)},
	)
	got := byBID(t, res)
	assertAmount(t, "0.0", got["v"]["Payment"].(map[string]any)["TotalAmt"])
	assert.Equal(t, "6000", itemFault(t, got["p"])["code"], "over-application is refused per item")
	assertAmount(t, "100.0", h.entity("invoice", "Invoice", inv["Id"].(string))["Balance"])
	h.requireBalanced()
}

func TestBatchSizeLimit(t *testing.T) {
	vendors := func(n int) []map[string]any {
		items := make([]map[string]any, n)
		for i := range items {
			items[i] = map[string]any{"bId": fmt.Sprint(i), "operation": "create", "Vendor": map[string]any{"DisplayName": fmt.Sprintf("V%02d", i)}}
		}
		return items
	}
	h := newHarness(t, Options{})
	before := len(h.srv.Entities(h.realm, "Vendor"))
	e := h.batch("", vendors(31)...).requireFault(t, http.StatusBadRequest, "1040")
	assert.Contains(t, e["Detail"], "31")
	assert.Len(t, h.srv.Entities(h.realm, "Vendor"), before, "nothing performed")
	byBID(t, h.batch("", vendors(30)...))
	assert.Len(t, h.srv.Entities(h.realm, "Vendor"), before+30)

	h = newHarness(t, Options{MaxBatchItems: 2})
	h.batch("", vendors(3)...).requireFault(t, http.StatusBadRequest, "1040")
	h.batch("").requireFault(t, http.StatusBadRequest, "2020")
	h.batch("", map[string]any{"operation": "create", "Vendor": map[string]any{"DisplayName": "No bId"}}).requireFault(t, http.StatusBadRequest, "2020")
	h.batch("", vendors(1)[0], vendors(1)[0]).requireFault(t, http.StatusBadRequest, "2010")
	h.do(http.MethodPost, "batch", "{not json", "application/json").requireFault(t, http.StatusBadRequest, "2010")
	got := byBID(t, h.batch("", map[string]any{"bId": "x", "Vendor": map[string]any{"DisplayName": "No op"}}))
	assert.Equal(t, "2020", itemFault(t, got["x"])["code"])
}

func TestBatchRequestID(t *testing.T) {
	h := newHarness(t, Options{})
	item := func(bid, name string) map[string]any {
		return map[string]any{"bId": bid, "operation": "create", "Vendor": map[string]any{"DisplayName": name}}
	}
	h.batch("?requestid="+strings.Repeat("r", 37), item("a", "Too Long")).requireFault(t, http.StatusBadRequest, "2050")
	h.batch("?requestid=ok", item(strings.Repeat("b", 11), "Long bId")).requireFault(t, http.StatusBadRequest, "2050")
	byBID(t, h.batch("", item(strings.Repeat("b", 11), "Long bId Without requestid")))

	rid := "?requestid=" + strings.Repeat("r", 36)
	first := h.batch(rid, item("a", "Once"), item("b", "Twice"))
	byBID(t, first)
	again := h.batch(rid, item("a", "Once"), item("b", "Twice"))
	assert.Equal(t, string(first.raw), string(again.raw), "the whole answer is replayed")
	assert.Len(t, filterByName(h.srv.Entities(h.realm, "Vendor"), "Once"), 1, "and nothing is performed again")

	// Same requestid, other bIds: another request.
	other := byBID(t, h.batch(rid, item("c", "Thrice")))
	assert.Equal(t, "Thrice", other["c"]["Vendor"].(map[string]any)["DisplayName"])
}

func TestBatchShuffledOrder(t *testing.T) {
	h := newHarness(t, Options{ShuffleBatch: true, RandSeed: 7})
	var items []map[string]any
	var want []string
	for i := range 10 {
		bid := fmt.Sprint(i)
		want = append(want, bid)
		items = append(items, map[string]any{"bId": bid, "operation": "create", "Vendor": map[string]any{"DisplayName": "Shuffled " + bid}})
	}
	res := h.batch("", items...)
	got := names(anyMaps(res.body["BatchItemResponse"]), "bId")
	assert.ElementsMatch(t, want, got)
	assert.NotEqual(t, want, got, "executed and answered out of order")
	// Execution order shows in the ids handed out.
	ids := map[string]int{}
	for _, it := range byBID(t, res) {
		id, _ := strconv.Atoi(it["Vendor"].(map[string]any)["Id"].(string))
		ids[it["bId"].(string)] = id
	}
	for i := 1; i < len(got); i++ {
		assert.Less(t, ids[got[i-1]], ids[got[i]])
	}
}

func TestBatchThrottling(t *testing.T) {
	item := map[string]any{"bId": "q", "Query": "select * from Customer"}
	h := newHarness(t, Options{Limits: Limits{BatchPerMinute: 1}})
	byBID(t, h.batch("", item))
	requireThrottled(t, h.batch("", map[string]any{"bId": "v", "operation": "create", "Vendor": map[string]any{"DisplayName": "Throttled Batch"}}))
	assert.Empty(t, filterByName(h.srv.Entities(h.realm, "Vendor"), "Throttled Batch"), "not performed")
	assert.Equal(t, http.StatusOK, h.get("customer", "1").status, "single requests are not batch requests")
	assert.Equal(t, Stats{Requests: 3, Batches: 2, Throttled: 1}, h.srv.Stats(h.realm))

	h = newHarness(t, Options{Limits: Limits{PerMinute: 2}})
	byBID(t, h.batch("", item))
	h.get("customer", "1")
	requireThrottled(t, h.batch("", item))
}
