package qbosim

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSyncTokenIncrementsAndStaleIsRejected(t *testing.T) {
	h := newHarness(t, Options{})
	c := h.create("customer", "Customer", map[string]any{"DisplayName": "Versioned"})
	id := c["Id"].(string)
	require.Equal(t, "0", c["SyncToken"])

	h.clock.Advance(time.Minute)
	v1 := h.create("customer", "Customer", map[string]any{"Id": id, "SyncToken": "0", "sparse": true, "Notes": "one"})
	assert.Equal(t, "1", v1["SyncToken"])
	meta := v1["MetaData"].(map[string]any)
	assert.Equal(t, c["MetaData"].(map[string]any)["CreateTime"], meta["CreateTime"])
	assert.NotEqual(t, meta["CreateTime"], meta["LastUpdatedTime"])

	v2 := h.create("customer", "Customer", map[string]any{"Id": id, "SyncToken": "1", "sparse": true, "Notes": "two"})
	assert.Equal(t, "2", v2["SyncToken"])

	// Reusing an old SyncToken loses: 5010, and nothing changes.
	e := h.post("customer", map[string]any{"Id": id, "SyncToken": "1", "sparse": true, "Notes": "lost"}).
		requireFault(t, http.StatusBadRequest, "5010")
	assert.Equal(t, "Stale Object Error", e["Message"])
	got, _ := h.srv.Entity(h.realm, "Customer", id)
	assert.Equal(t, "two", got["Notes"])
	assert.Equal(t, "2", got["SyncToken"])

	// A numeric SyncToken is accepted as well.
	v3 := h.create("customer", "Customer", map[string]any{"Id": id, "SyncToken": 2, "sparse": true, "Notes": "three"})
	assert.Equal(t, "3", v3["SyncToken"])

	h.post("customer", map[string]any{"Id": id, "sparse": true, "Notes": "x"}).requireFault(t, http.StatusBadRequest, "2020")
}

func TestUnknownIDIsObjectNotFound(t *testing.T) {
	h := newHarness(t, Options{})
	e := h.get("customer", "9999").requireFault(t, http.StatusBadRequest, "610")
	assert.Equal(t, "Object Not Found", e["Message"])
	h.post("customer", map[string]any{"Id": "9999", "SyncToken": "0", "DisplayName": "Ghost"}).requireFault(t, http.StatusBadRequest, "610")
	// Vendor ids are not customer ids.
	hall := h.idOf("Vendor", "DisplayName", "Hall Properties")
	h.get("customer", hall).requireFault(t, http.StatusBadRequest, "610")
	// operation=update requires an Id.
	h.do(http.MethodPost, "customer?operation=update", map[string]any{"DisplayName": "No Id"}, "application/json").
		requireFault(t, http.StatusBadRequest, "2020")
}

func TestSparseVersusFullUpdate(t *testing.T) {
	h := newHarness(t, Options{})
	c := h.create("customer", "Customer", map[string]any{
		"DisplayName": "Update Me", "GivenName": "Ada", "Notes": "keep?", "CompanyName": "Update Co",
		"PrimaryPhone": map[string]any{"FreeFormNumber": "555-0100"}, "Balance": "40.00",
	})
	id := c["Id"].(string)

	sparse := h.create("customer", "Customer", map[string]any{"Id": id, "SyncToken": "0", "sparse": true, "Notes": "changed"})
	assert.Equal(t, "changed", sparse["Notes"])
	assert.Equal(t, "Ada", sparse["GivenName"], "sparse: missing elements are left untouched")
	assert.Equal(t, map[string]any{"FreeFormNumber": "555-0100"}, sparse["PrimaryPhone"])

	full := h.create("customer", "Customer", map[string]any{"Id": id, "SyncToken": "1", "DisplayName": "Update Me", "Notes": "full"})
	assert.Equal(t, "full", full["Notes"])
	assert.NotContains(t, full, "GivenName", "full update: omitted writable fields are cleared")
	assert.NotContains(t, full, "PrimaryPhone")
	assert.NotContains(t, full, "CompanyName")
	assert.Equal(t, "Update Me", full["PrintOnCheckName"], "defaults are recomputed")
	assert.Equal(t, "40.00", num(full["Balance"]), "write-on-create Balance survives")
	assert.Equal(t, true, full["Active"])

	// Read-only values sent by the client are ignored and recomputed.
	ro := h.create("customer", "Customer", map[string]any{
		"Id": id, "SyncToken": "2", "sparse": true, "FullyQualifiedName": "Hacked", "Balance": 999, "Level": 3,
	})
	assert.Equal(t, "Update Me", ro["FullyQualifiedName"])
	assert.Equal(t, "40.00", num(ro["Balance"]))
	assert.NotContains(t, ro, "Level")

	// null clears a property in a sparse update.
	cleared := h.create("customer", "Customer", map[string]any{"Id": id, "SyncToken": "3", "sparse": true, "Notes": nil})
	assert.NotContains(t, cleared, "Notes")

	// A full update without any name is rejected: DisplayName cannot be removed.
	h.post("customer", map[string]any{"Id": id, "SyncToken": "4"}).requireFault(t, http.StatusBadRequest, "2020")
}

func TestSubCustomersHierarchy(t *testing.T) {
	h := newHarness(t, Options{})
	client := h.create("customer", "Customer", map[string]any{"DisplayName": "Smith Family Trust", "Balance": "100"})
	cid := client["Id"].(string)
	matter := h.create("customer", "Customer", map[string]any{
		"DisplayName": "Smith v. Jones (2024-001)", "Job": true, "ParentRef": map[string]any{"value": cid}, "Balance": "25.5",
	})
	mid := matter["Id"].(string)
	assert.Equal(t, true, matter["Job"])
	assert.Equal(t, "1", num(matter["Level"]))
	assert.Equal(t, "Smith Family Trust:Smith v. Jones (2024-001)", matter["FullyQualifiedName"])
	assert.Equal(t, map[string]any{"value": cid, "name": "Smith Family Trust"}, matter["ParentRef"])

	// BalanceWithJobs rolls the job's balance up into the parent.
	parent, _ := h.srv.Entity(h.realm, "Customer", cid)
	assert.Equal(t, "125.5", num(parent["BalanceWithJobs"]))

	// Nest to the limit: four levels under the top-level parent.
	prev := mid
	for i := 2; i <= 4; i++ {
		sub := h.create("customer", "Customer", map[string]any{
			"DisplayName": "Sub " + strconv.Itoa(i), "Job": true, "ParentRef": map[string]any{"value": prev},
		})
		assert.Equal(t, strconv.Itoa(i), num(sub["Level"]))
		prev = sub["Id"].(string)
	}
	h.post("customer", map[string]any{"DisplayName": "Too Deep", "Job": true, "ParentRef": map[string]any{"value": prev}}).
		requireFault(t, http.StatusBadRequest, "6000")

	// Renaming the parent renames every descendant's FullyQualifiedName.
	h.create("customer", "Customer", map[string]any{"Id": cid, "SyncToken": "0", "sparse": true, "DisplayName": "Smith Trust"})
	deepest, _ := h.srv.Entity(h.realm, "Customer", prev)
	assert.Equal(t, "Smith Trust:Smith v. Jones (2024-001):Sub 2:Sub 3:Sub 4", deepest["FullyQualifiedName"])
	child, _ := h.srv.Entity(h.realm, "Customer", mid)
	assert.Equal(t, "Smith Trust:Smith v. Jones (2024-001)", child["FullyQualifiedName"])
	assert.Equal(t, "0", child["SyncToken"], "recomputed names do not bump SyncToken [U]")
	rows := h.rows("SELECT * FROM Customer WHERE FullyQualifiedName LIKE 'Smith Trust:%'", "Customer")
	assert.Len(t, rows, 4)

	// Moving the matter under itself or its own descendant is refused.
	h.post("customer", map[string]any{"Id": cid, "SyncToken": "1", "sparse": true, "ParentRef": map[string]any{"value": mid}}).
		requireFault(t, http.StatusBadRequest, "6000")
}

func TestSubCustomerReferenceRules(t *testing.T) {
	h := newHarness(t, Options{})
	hall := h.idOf("Vendor", "DisplayName", "Hall Properties")
	amy := h.idOf("Customer", "DisplayName", "Amy's Bird Sanctuary")

	e := h.post("customer", map[string]any{"DisplayName": "Job of a vendor", "Job": true, "ParentRef": map[string]any{"value": hall}}).
		requireFault(t, http.StatusBadRequest, "2500")
	assert.Equal(t, "ParentRef", e["element"])
	h.post("customer", map[string]any{"DisplayName": "Orphan", "Job": true, "ParentRef": map[string]any{"value": "424242"}}).
		requireFault(t, http.StatusBadRequest, "2500")
	h.post("customer", map[string]any{"DisplayName": "No parent", "Job": true}).requireFault(t, http.StatusBadRequest, "2020")
	h.post("customer", map[string]any{"DisplayName": "Top billed", "BillWithParent": true}).requireFault(t, http.StatusBadRequest, "6000")

	// An inactive parent cannot take new jobs ...
	job := h.create("customer", "Customer", map[string]any{"DisplayName": "Amy job", "Job": true, "ParentRef": map[string]any{"value": amy}})
	h.create("customer", "Customer", map[string]any{"Id": amy, "SyncToken": "0", "sparse": true, "Active": false})
	h.post("customer", map[string]any{"DisplayName": "Late job", "Job": true, "ParentRef": map[string]any{"value": amy}}).
		requireFault(t, http.StatusBadRequest, "2500")
	// ... but existing references to it remain intact.
	upd := h.create("customer", "Customer", map[string]any{"Id": job["Id"], "SyncToken": "0", "sparse": true, "Notes": "still here"})
	assert.Equal(t, amy, upd["ParentRef"].(map[string]any)["value"])

	// ParentRef without Job still makes a sub-customer.
	sub := h.create("customer", "Customer", map[string]any{"DisplayName": "Implicit job", "ParentRef": map[string]any{"value": h.idOf("Customer", "DisplayName", "Cool Cars")}})
	assert.Equal(t, true, sub["Job"])
}
