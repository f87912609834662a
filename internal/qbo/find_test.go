package qbo

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestFindByMarker(t *testing.T) {
	// Three invoices share DocNumber 1069 (QBO does not stop that): one
	// someone typed in QuickBooks, one of another record whose marker
	// starts like ours, and ours, voided since.
	rows := `{"QueryResponse":{"Invoice":[
		{"Id":"1","DocNumber":"1069","SyncToken":"0"},
		{"Id":"2","DocNumber":"1069","SyncToken":"0","PrivateNote":"qbosync:invoice:170"},
		{"Id":"3","DocNumber":"1069","SyncToken":"2","PrivateNote":"Voided qbosync:invoice:17"}],
		"startPosition":1,"maxResults":3},"time":"x"}`
	f := newFakeServer(t, answer(200, jsonCT, rows))
	c := newTestClient(t, f)
	ctx := context.Background()
	var inv Invoice
	found, err := c.FindByMarker(ctx, "Invoice", "DocNumber", "1069", "qbosync:invoice:17", &inv)
	if err != nil || !found || inv.ID != "3" || inv.SyncToken != "2" {
		t.Fatalf("found %v %+v %v", found, inv, err)
	}
	r := f.requests()[0]
	if want := "SELECT * FROM Invoice WHERE DocNumber = '1069' STARTPOSITION 1 MAXRESULTS 1000"; r.Body != want {
		t.Errorf("query %q, want %q", r.Body, want)
	}
	if found, err := c.FindByMarker(ctx, "Invoice", "DocNumber", "1069", "qbosync:invoice:1", nil); err != nil || found {
		t.Errorf("a marker prefix matched: %v %v", found, err)
	}

	// A customer: by DisplayName, inactive ones too, marker in Notes.
	f = newFakeServer(t, answer(200, jsonCT, `{"QueryResponse":{"Customer":[{"Id":"58","DisplayName":"O'Hara","Active":false,
		"Notes":"Client C-0012\nqbosync:client:12"}]},"time":"x"}`))
	c = newTestClient(t, f)
	var cust Customer
	found, err = c.FindByMarker(ctx, "Customer", "DisplayName", "O'Hara", "qbosync:client:12", &cust)
	if err != nil || !found || cust.ID != "58" {
		t.Errorf("customer: %v %+v %v", found, cust, err)
	}
	if want := `SELECT * FROM Customer WHERE DisplayName = 'O\'Hara' AND Active IN (true, false) STARTPOSITION 1 MAXRESULTS 1000`; f.requests()[0].Body != want {
		t.Errorf("query %q, want %q", f.requests()[0].Body, want)
	}
	// Someone else's customer of that name is not ours.
	if found, _ := c.FindByMarker(ctx, "Customer", "DisplayName", "O'Hara", "qbosync:client:13", &cust); found {
		t.Error("found another record's object")
	}

	// Nothing there: not found, and the caller creates (with the same
	// request ID).
	f = newFakeServer(t, answer(200, jsonCT, emptyQueryResponse))
	if found, err := newTestClient(t, f).FindByMarker(ctx, "Payment", "DocNumber", "7", "qbosync:payment:7", nil); found || err != nil {
		t.Errorf("empty: %v %v", found, err)
	}

	// A failed lookup is an error, never "not found".
	f = newFakeServer(t, answer(503, "", ""))
	if found, err := newTestClient(t, f).FindByMarker(ctx, "Invoice", "DocNumber", "7", "qbosync:invoice:7", nil); found || ClassOf(err) != Transient {
		t.Errorf("503: %v %v", found, err)
	}
	for _, args := range [][3]string{{"Invoice", "DocNumber", ""}, {"Invoice", "Doc Number", "1"}, {"In voice", "DocNumber", "1"}} {
		if _, err := c.FindByMarker(ctx, args[0], args[1], args[2], "qbosync:invoice:1", nil); ClassOf(err) != Bug {
			t.Errorf("%v: %v", args, err)
		}
	}
	if _, err := c.FindByMarker(ctx, "Invoice", "DocNumber", "1", "", nil); ClassOf(err) != Bug {
		t.Errorf("no marker: %v", err)
	}
}

// TestFindByMarkerPages: the lookup reads every page.
func TestFindByMarkerPages(t *testing.T) {
	f := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, body string) {
		if strings.Contains(body, "STARTPOSITION 1 ") {
			reply(w, 200, jsonCT, `{"QueryResponse":{"Invoice":[{"Id":"1"},{"Id":"2"}]}}`)
			return
		}
		reply(w, 200, jsonCT, `{"QueryResponse":{"Invoice":[{"Id":"3","PrivateNote":"qbosync:invoice:5"}]}}`)
	})
	c := newTestClient(t, f)
	c.pageSize = 2
	var inv Invoice
	found, err := c.FindByMarker(context.Background(), "Invoice", "DocNumber", "5", "qbosync:invoice:5", &inv)
	if !found || err != nil || inv.ID != "3" || len(f.requests()) != 2 {
		t.Errorf("%v %v %+v after %d requests", found, err, inv, len(f.requests()))
	}
}

func TestHasMarker(t *testing.T) {
	tests := []struct {
		note string
		want bool
	}{
		{"qbosync:client:1", true},
		{"Client C-1 qbosync:client:1", true},
		{"qbosync:client:1\nmore", true},
		{"qbosync:client:1.", true},
		{"Voidedqbosync:client:1", true},
		{"qbosync:client:12", false},
		{"qbosync:client:1:2", false},
		{"qbosync:client:1-b", false},
		{"qbosync:client:12 qbosync:client:1", true},
		{"qbosync:client:", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := HasMarker(tt.note, "qbosync:client:1"); got != tt.want {
			t.Errorf("HasMarker(%q) = %v", tt.note, got)
		}
	}
}

// TestExplanations: every code a bookkeeper may meet has its own plain
// explanation saying what to do.
func TestExplanations(t *testing.T) {
	tests := []struct {
		code, detail string
		status       int
		want         string
	}{
		{"6240", "The name supplied already exists. : Id=58", 400, "Rename one of them"},
		{"6140", "Duplicate Document Number Error", 400, "different number"},
		{"5010", "Stale Object Error", 400, "tries again by itself"},
		{"6540", "Deposited Transaction cannot be changed", 400, "Remove it from the deposit"},
		{"2500", "Invalid Reference Id : Something you're trying to use has been made inactive.", 400, "Make it active again"},
		{"610", "Object Not Found : Another user has deleted this transaction.", 400, "Restore or reactivate it"},
		{"6000", "Business Validation Error: You must set a transaction amount.", 400, "You must set a transaction amount. Correct it"},
		{"3200", "Token expired", 401, "reconnect QuickBooks"},
		{"3001", "The request limit was reached.  Try again later", 429, "waits and resumes by itself"},
		{"620", "TxnID Cannot Be Linked", 400, "could not link"},
		{"6070", "Amount is not equal to Qty * UnitPrice", 400, "quantity times its rate"},
		{"6090", "Discount amount or percent should be provided", 400, "neither an amount nor a percentage"},
		{"10000", "System Failure Error", 500, "internal error"},
		{"10100", "Result Set Big Error", 400, "too large"},
		{"1040", "Batch size exceeds allowed limit", 400, "fault in qbosync"},
	}
	for _, tt := range tests {
		f := newFakeServer(t, answer(tt.status, jsonCT, faultBody("ValidationFault", tt.code, "Message "+tt.code, tt.detail, "")))
		err := newTestClient(t, f).Create(context.Background(), "Invoice", Invoice{}, "r", nil)
		e := asError(t, err)
		x := e.Explanation()
		if !strings.Contains(x, tt.want) || strings.Contains(x, "qbosync sent QuickBooks a request it could not process.") && tt.code != "1040" {
			t.Errorf("%s: %q\nwant it to contain %q", tt.code, x, tt.want)
		}
		if strings.Contains(x, "%!") || strings.Contains(x, fmt.Sprint(nil)) {
			t.Errorf("%s: malformed %q", tt.code, x)
		}
	}
}
