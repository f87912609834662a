package qbosim

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cdc asks for the changes to entities since a time and returns each entity's
// group of the answer.
func (h *harness) cdc(entities string, since time.Time) map[string]map[string]any {
	h.t.Helper()
	res := h.do(http.MethodGet, "cdc?entities="+url.QueryEscape(entities)+"&changedSince="+url.QueryEscape(since.Format(time.RFC3339)), nil, "")
	require.Equal(h.t, http.StatusOK, res.status, "%s", res.raw)
	resp := res.body["CDCResponse"].([]any)
	require.Len(h.t, resp, 1)
	out := map[string]map[string]any{}
	for _, g := range resp[0].(map[string]any)["QueryResponse"].([]any) {
		for key, v := range g.(map[string]any) {
			if _, ok := v.([]any); ok {
				out[key] = g.(map[string]any)
			}
		}
	}
	return out
}

func cdcIDs(group map[string]any, entity string) []string {
	var ids []string
	for _, o := range group[entity].([]any) {
		ids = append(ids, o.(map[string]any)["Id"].(string))
	}
	return ids
}

func TestCDCReturnsWhatChangedSinceThenWithDeletionsLast(t *testing.T) {
	h := newHarness(t, Options{})
	b := h.books()
	before := h.invoice(b.amy, b.servicesItem, 100)
	h.clock.Advance(time.Minute)
	since := h.clock.Now()

	edited := h.create("invoice", "Invoice", sparse(before, map[string]any{"PrivateNote": "edited by hand"}))
	h.clock.Advance(time.Second)
	added := h.invoice(b.bill, b.servicesItem, 40)
	h.clock.Advance(time.Second)
	doomed := h.invoice(b.amy, b.servicesItem, 7)
	h.clock.Advance(time.Second)
	res := h.do(http.MethodPost, "invoice?operation=delete", map[string]any{"Id": doomed["Id"], "SyncToken": "0"}, "application/json")
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)

	got := h.cdc("Invoice,Payment", since)
	require.Contains(t, got, "Invoice")
	assert.NotContains(t, got, "Payment", "no payment changed: no group for it")
	inv := got["Invoice"]
	assert.Equal(t, []string{edited["Id"].(string), added["Id"].(string), doomed["Id"].(string)}, cdcIDs(inv, "Invoice"),
		"in order of last update, the deleted one after the live ones")
	objs := inv["Invoice"].([]any)
	assert.Equal(t, "edited by hand", objs[0].(map[string]any)["PrivateNote"], "full payloads")
	gone := objs[2].(map[string]any)
	assert.Equal(t, "Deleted", gone["status"])
	assert.NotContains(t, gone, "TotalAmt", "a deleted object is its Id and status only")
	assert.Equal(t, "3", num(inv["totalCount"]))

	// Nothing changed since now: one empty group.
	h.clock.Advance(time.Minute)
	assert.Empty(t, h.cdc("Invoice", h.clock.Now()))
}

func TestCDCRefusesWhatQuickBooksRefuses(t *testing.T) {
	h := newHarness(t, Options{})
	now := h.clock.Now()
	for _, tc := range []struct{ query, code string }{
		{"entities=Invoice", "2020"},                                          // no changedSince
		{"changedSince=" + url.QueryEscape(now.Format(time.RFC3339)), "2020"}, // no entities
		{"entities=Invoice&changedSince=" + url.QueryEscape(now.Add(-31*24*time.Hour).Format(time.RFC3339)), "2050"},
		{"entities=Invoice&changedSince=yesterday", "2050"},
		{"entities=TaxCode&changedSince=" + now.Format(time.DateOnly), "500"},
		{"entities=Invoice,Widget&changedSince=" + now.Format(time.DateOnly), "2170"},
	} {
		h.do(http.MethodGet, "cdc?"+tc.query, nil, "").requireFault(t, http.StatusBadRequest, tc.code)
	}
}

func TestCDCCapsEachEntityAtAThousandObjects(t *testing.T) {
	h := newHarness(t, Options{})
	since := h.clock.Now()
	h.srv.mu.Lock()
	c := h.srv.companies[h.realm]
	h.srv.mu.Unlock()
	c.mu.Lock()
	k, _ := kinds.lookup("Class")
	for i := range maxCDCObjects + 5 {
		h.srv.commit(c, k, nil, map[string]any{"Name": "Class " + num(i), "Active": true}, since.Add(time.Duration(i)*time.Millisecond))
	}
	c.mu.Unlock()
	g := h.cdc("Class", since)["Class"]
	assert.Len(t, g["Class"], maxCDCObjects)
	assert.Equal(t, "1005", num(g["totalCount"]), "totalCount says the window was too long")
}
