package qbosim

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCreateCustomerResponseShape(t *testing.T) {
	h := newHarness(t, Options{})
	res := h.post("customer", map[string]any{
		"DisplayName":      "Smith & Jones LLP",
		"GivenName":        "Ann",
		"PrimaryEmailAddr": map[string]any{"Address": "ann@smith.example"},
		"Balance":          "12.50",
	})
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	assert.NotEmpty(t, res.header.Get("intuit_tid"))
	assert.Contains(t, string(res.raw), `"Smith & Jones LLP"`, "no HTML escaping, as the real API")
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[-+]\d\d:\d\d$`, res.body["time"])

	c := res.entity(t, "Customer")
	assert.Regexp(t, `^\d+$`, c["Id"])
	assert.Equal(t, "0", c["SyncToken"])
	assert.Equal(t, "QBO", c["domain"])
	assert.Equal(t, false, c["sparse"])
	assert.Equal(t, true, c["Active"])
	assert.Equal(t, false, c["Job"])
	assert.Equal(t, "Smith & Jones LLP", c["FullyQualifiedName"])
	assert.Equal(t, "Smith & Jones LLP", c["PrintOnCheckName"])
	assert.Equal(t, "12.50", num(c["Balance"]), "amounts are exact")
	assert.NotContains(t, c, "Level", "top-level customers carry no Level")
	meta := c["MetaData"].(map[string]any)
	assert.Equal(t, "2025-03-14T10:30:00-07:00", meta["CreateTime"], "Pacific time, no fraction")
	assert.Equal(t, meta["CreateTime"], meta["LastUpdatedTime"])

	got := h.get("customer", c["Id"].(string))
	require.Equal(t, http.StatusOK, got.status)
	assert.Equal(t, c, got.entity(t, "Customer"))
}

func TestDisplayNameUniqueAcrossCustomersAndVendors(t *testing.T) {
	h := newHarness(t, Options{})
	hall := h.idOf("Vendor", "DisplayName", "Hall Properties")

	for _, name := range []string{"Hall Properties", "hall properties", "  HALL PROPERTIES "} {
		e := h.post("customer", map[string]any{"DisplayName": name}).requireFault(t, http.StatusBadRequest, "6240")
		assert.Equal(t, "Duplicate Name Exists Error", e["Message"])
		assert.Equal(t, "The name supplied already exists. : Id="+hall, e["Detail"], "the detail carries the existing Id")
	}

	amy := h.idOf("Customer", "DisplayName", "Amy's Bird Sanctuary")
	e := h.post("vendor", map[string]any{"DisplayName": "AMY'S BIRD SANCTUARY"}).requireFault(t, http.StatusBadRequest, "6240")
	assert.Equal(t, "The name supplied already exists. : Id="+amy, e["Detail"])

	// The clash also applies to a DisplayName generated from name parts.
	h.create("customer", "Customer", map[string]any{"GivenName": "Jane", "FamilyName": "Doe"})
	h.post("vendor", map[string]any{"DisplayName": "Jane Doe"}).requireFault(t, http.StatusBadRequest, "6240")
}

func TestDisplayNameCaseSensitiveOption(t *testing.T) {
	h := newHarness(t, Options{CaseSensitiveNames: true})
	h.create("customer", "Customer", map[string]any{"DisplayName": "HALL PROPERTIES"})
	h.post("customer", map[string]any{"DisplayName": "Hall Properties"}).requireFault(t, http.StatusBadRequest, "6240")
}

func TestInactiveNamesStayReserved(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    Options
		collide bool
	}{
		{"default: reserved", Options{}, true},
		{"ReleaseInactiveNames", Options{ReleaseInactiveNames: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.opts)
			c := h.create("customer", "Customer", map[string]any{"DisplayName": "Old Client"})
			off := h.create("customer", "Customer", map[string]any{
				"Id": c["Id"], "SyncToken": c["SyncToken"], "sparse": true, "Active": false,
			})
			assert.Equal(t, false, off["Active"])

			res := h.post("customer", map[string]any{"DisplayName": "old client"})
			if !tc.collide {
				require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
				// Reactivating the old one now clashes with the new active one.
				h.post("customer", map[string]any{"Id": off["Id"], "SyncToken": off["SyncToken"], "sparse": true, "Active": true}).
					requireFault(t, http.StatusBadRequest, "6240")
				return
			}
			e := res.requireFault(t, http.StatusBadRequest, "6240")
			assert.Equal(t, "The name supplied already exists. : Id="+c["Id"].(string), e["Detail"])
		})
	}
}

func TestNameValidation(t *testing.T) {
	h := newHarness(t, Options{})
	cases := []struct {
		name    string
		body    map[string]any
		code    string
		element string
	}{
		{"colon", map[string]any{"DisplayName": "Smith: Estate"}, "2050", "DisplayName"},
		{"tab", map[string]any{"DisplayName": "Smith\tEstate"}, "2050", "DisplayName"},
		{"newline in given name", map[string]any{"GivenName": "Ann\nB"}, "2050", "GivenName"},
		{"no name at all", map[string]any{"CompanyName": "Nameless"}, "2020", "DisplayName"},
		{"display name too long", map[string]any{"DisplayName": strings.Repeat("x", 501)}, "2050", "DisplayName"},
		{"given name too long", map[string]any{"DisplayName": "G", "GivenName": strings.Repeat("g", 101)}, "2050", "GivenName"},
		{"notes too long", map[string]any{"DisplayName": "N", "Notes": strings.Repeat("n", 2001)}, "2050", "Notes"},
		{"company name too long", map[string]any{"DisplayName": "C", "CompanyName": strings.Repeat("c", 101)}, "2050", "CompanyName"},
		{"email without at", map[string]any{"DisplayName": "E", "PrimaryEmailAddr": map[string]any{"Address": "ann.example.com"}}, "2050", "PrimaryEmailAddr.Address"},
		{"email without dot", map[string]any{"DisplayName": "E", "PrimaryEmailAddr": map[string]any{"Address": "ann@localhost"}}, "2050", "PrimaryEmailAddr.Address"},
		{"email too long", map[string]any{"DisplayName": "E", "PrimaryEmailAddr": map[string]any{"Address": strings.Repeat("a", 95) + "@x.com"}}, "2050", "PrimaryEmailAddr.Address"},
		{"unknown property", map[string]any{"DisplayName": "U", "Nickname": "u"}, "2010", ""},
		{"wrong type", map[string]any{"DisplayName": "W", "Active": "yes"}, "2010", ""},
		{"bad enum", map[string]any{"DisplayName": "M", "PreferredDeliveryMethod": "Fax"}, "2170", "PreferredDeliveryMethod"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := h.post("customer", tc.body).requireFault(t, http.StatusBadRequest, tc.code)
			assert.Equal(t, tc.element, e["element"])
		})
	}
	// Exactly at the limits is fine.
	h.create("customer", "Customer", map[string]any{"DisplayName": strings.Repeat("x", 500), "Notes": strings.Repeat("n", 2000)})
}

func TestMalformedRequests(t *testing.T) {
	h := newHarness(t, Options{})
	e := h.do(http.MethodPost, "customer", `{"DisplayName": `, "application/json").requireFault(t, http.StatusBadRequest, "2010")
	assert.Equal(t, "Request has invalid or unsupported property", e["Message"])
	h.do(http.MethodPost, "customer", `["DisplayName"]`, "application/json").requireFault(t, http.StatusBadRequest, "2010")
	h.do(http.MethodPost, "customer", "\xff\xfe", "application/json").requireFault(t, http.StatusBadRequest, "500")
	h.do(http.MethodPost, "customer", `{"DisplayName":"X"}`, "application/xml").requireFault(t, http.StatusBadRequest, "500")
	h.post("widget", map[string]any{"Name": "x"}).requireFault(t, http.StatusBadRequest, "500")
	h.post("Customer", map[string]any{"DisplayName": "Capitalised"}).requireFault(t, http.StatusBadRequest, "500")
	h.do(http.MethodDelete, "customer/1", nil, "").requireFault(t, http.StatusMethodNotAllowed, "500")
}

func TestNameListEntitiesCannotBeDeleted(t *testing.T) {
	h := newHarness(t, Options{})
	amy := h.idOf("Customer", "DisplayName", "Amy's Bird Sanctuary")
	for _, resource := range []string{"customer", "vendor", "account", "item"} {
		e := h.do(http.MethodPost, resource+"?operation=delete", map[string]any{"Id": amy, "SyncToken": "0"}, "application/json").
			requireFault(t, http.StatusBadRequest, "500")
		assert.Equal(t, "Unsupported Operation", e["Message"])
		assert.Equal(t, "Operation Delete is not supported.", e["Detail"])
	}
	_, ok := h.srv.Entity(h.realm, "Customer", amy)
	assert.True(t, ok)
}

func TestIdsArePerRealmStringsSharedByNames(t *testing.T) {
	h := newHarness(t, Options{})
	other := h.srv.AddSampleCompany()
	ids := map[string]bool{}
	for _, kind := range []string{"Customer", "Vendor"} {
		for _, e := range h.srv.Entities(h.realm, kind) {
			id := e["Id"].(string)
			assert.False(t, ids[id], "Customer and Vendor ids come from one sequence: %s reused", id)
			ids[id] = true
		}
	}
	// Another company numbers independently.
	assert.Equal(t, h.srv.Entities(h.realm, "Customer")[0]["Id"], h.srv.Entities(other, "Customer")[0]["Id"])
	assert.True(t, regexp.MustCompile(`^\d{16}$`).MatchString(other))
}
