package audit

import (
	"slices"
	"strings"
	"testing"
)

// The check finds a record on two objects, a client with no customer, and an id-map
// row whose object is gone; another firm's markers and refused records are no finding.
func TestCheckFindsDuplicatesAndMissing(t *testing.T) {
	in := input{
		contacts: []record{{Kind: "client", SourceKey: "1"}, {Kind: "client", SourceKey: "2"}, {Kind: "matter", SourceKey: "3"}, {Kind: "matter", SourceKey: "4"}},
		mappings: []record{
			{Kind: "invoice", SourceKey: "10", Entity: "Invoice", QBOID: "100"},
			{Kind: "invoice", SourceKey: "11", Entity: "Invoice", QBOID: "101"},
		},
		failed: map[string]bool{"matter:4": true},
		objects: []object{
			{"Customer", "1", "qbosync:client:1/f7"},
			{"Customer", "2", "qbosync:matter:3/f7"},
			{"Customer", "3", "qbosync:client:2/f8"}, // another firm's client 2
			{"Invoice", "100", "qbosync:invoice:10/f7"},
			{"Invoice", "102", "qbosync:invoice:10/f7"}, // created twice
			{"Invoice", "103", ""},                      // not qbosync's
		},
	}
	r := in.check(7)
	if want := []string{"qbosync:invoice:10/f7 on Invoice 100, Invoice 102"}; !slices.Equal(r.Duplicates, want) {
		t.Errorf("duplicates = %q, want %q", r.Duplicates, want)
	}
	if len(r.Missing) != 2 || !strings.HasPrefix(r.Missing[0], "client 2 ") || !strings.HasPrefix(r.Missing[1], "invoice 11 ") {
		t.Errorf("missing = %q, want client 2 and invoice 11", r.Missing)
	}
	if r.Records != 6 || r.Objects != 4 || r.Failed != 1 {
		t.Errorf("records %d, objects %d, failed %d; want 6, 4, 1", r.Records, r.Objects, r.Failed)
	}
	if r.OK() {
		t.Error("OK with duplicates and missing records")
	}
}

// A clean company: every record once.
func TestCheckCleanCompany(t *testing.T) {
	in := input{
		contacts: []record{{Kind: "client", SourceKey: "1"}},
		mappings: []record{{Kind: "client", SourceKey: "1", Entity: "Customer", QBOID: "5"}},
		objects:  []object{{"Customer", "5", "qbosync:client:1/f7"}},
	}
	if r := in.check(7); len(r.Duplicates) != 0 || len(r.Missing) != 0 {
		t.Errorf("clean company: duplicates %q, missing %q", r.Duplicates, r.Missing)
	}
}
