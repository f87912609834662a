package qbo

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// The answer is the documented example's shape (/work/shared/reference/qbo-api.md §8):
// groups per entity, deleted objects with status "Deleted", totalCount above what
// was sent when QBO cut the list short.
func TestCDCSplitsChangedAndDeletedObjects(t *testing.T) {
	f := newFakeServer(t, answer(http.StatusOK, "application/json", `{"CDCResponse":[{"QueryResponse":[
		{"Invoice":[{"Id":"130","SyncToken":"2","TotalAmt":40},{"domain":"QBO","status":"Deleted","Id":"979","MetaData":{"LastUpdatedTime":"2026-12-01T12:55:50-08:00"}}],"startPosition":1,"maxResults":2,"totalCount":2},
		{"Payment":[{"Id":"131"}],"startPosition":1,"maxResults":1,"totalCount":1400}]}],"time":"2026-12-01T13:00:00-08:00"}`))
	c := newTestClient(t, f)
	since := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	got, err := c.CDC(context.Background(), []string{"Invoice", "Payment", "Deposit"}, since)
	if err != nil {
		t.Fatal(err)
	}
	req := f.requests()[0]
	if req.Method != http.MethodGet || req.Path != "/v3/company/123/cdc" || req.Query.Get("entities") != "Invoice,Payment,Deposit" ||
		req.Query.Get("changedSince") != "2026-12-01T08:00:00Z" {
		t.Fatalf("request %s %s %v", req.Method, req.Path, req.Query)
	}
	inv := got["Invoice"]
	if len(inv.Objects) != 1 || len(inv.Deleted) != 1 || inv.Deleted[0] != "979" || !inv.Complete {
		t.Errorf("Invoice changes %+v", inv)
	}
	if got["Payment"].Complete {
		t.Error("1 Payment of 1,400 changed is not the complete list")
	}
	if _, ok := got["Deposit"]; ok {
		t.Error("no Deposit changed, yet there are Deposit changes")
	}
}
