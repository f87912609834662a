package qbo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// batchResponse is QBO's answer to a batch (docs/qbo-api.md, "Batch"; the
// API reference's example, extended): HTTP 200 with per-item faults, in
// another order than the request's.
const batchResponse = `{"BatchItemResponse":[
 {"bId":"q1","QueryResponse":{"Customer":[{"Id":"58","DisplayName":"Hall","SyncToken":"3","Notes":"qbosync:client:9"}],"startPosition":1,"maxResults":1}},
 {"bId":"del","Invoice":{"Id":"119","status":"Deleted","domain":"QBO"}},
 {"bId":"dup","Fault":{"type":"ValidationFault","Error":[{"Message":"Duplicate Name Exists Error","code":"6240",
   "Detail":"The name supplied already exists. : Id=58","element":""}]}},
 {"bId":"upd","Fault":{"type":"ValidationFault","Error":[{"Message":"Stale Object Error","code":"5010",
   "Detail":"Stale Object Error : You and root were working on this at the same time. root finished before you did, so your work was not saved.","element":""}]}},
 {"bId":"sys","Fault":{"type":"SystemFault","Error":[{"Message":"An application error has occurred while processing your request","code":"10000",
   "Detail":"System Failure Error: An unexpected error occurred"}]}},
 {"bId":"cnt","QueryResponse":{"totalCount":12}},
 {"bId":"none","QueryResponse":{}},
 {"bId":"new","Customer":{"Id":"60","SyncToken":"0","DisplayName":"Smith","Notes":"qbosync:client:10","domain":"QBO","sparse":false}}],
 "time":"2016-04-15T09:01:18.141-07:00"}`

func batchOps() []BatchOp {
	return []BatchOp{
		{BID: "new", Operation: BatchCreate, Entity: "Customer", Body: Customer{DisplayName: "Smith", Notes: "qbosync:client:10"}},
		{BID: "dup", Operation: BatchCreate, Entity: "Customer", Body: Customer{DisplayName: "Hall"}},
		{BID: "upd", Operation: BatchUpdate, Entity: "Customer", Body: Customer{ID: "58", SyncToken: "2", Sparse: true, Notes: "x"}},
		{BID: "del", Operation: BatchDelete, Entity: "Invoice", Body: map[string]string{"Id": "119", "SyncToken": "0"}},
		{BID: "sys", Operation: BatchCreate, Entity: "Invoice", Body: Invoice{CustomerRef: &Ref{Value: "58"}}},
		{BID: "q1", Query: "SELECT * FROM Customer WHERE DisplayName = 'Hall'"},
		{BID: "cnt", Query: "SELECT COUNT(*) FROM Customer"},
		{BID: "none", Query: "SELECT * FROM Customer WHERE DisplayName = 'Nobody'"},
	}
}

func TestBatch(t *testing.T) {
	f := newFakeServer(t, answer(200, jsonCT, batchResponse))
	lim := &fakeLimiter{}
	c := newTestClient(t, f, func(o *Options) { o.Limiter = lim })
	reqID := RequestID("batch", "1")
	results, err := c.Batch(context.Background(), batchOps(), reqID)
	if err != nil {
		t.Fatal(err)
	}

	// The request.
	r := f.requests()[0]
	if r.Method != "POST" || r.Path != "/v3/company/123/batch" || r.Query.Get("requestid") != reqID || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("sent %s %s %v", r.Method, r.Path, r.Query)
	}
	var sent struct{ BatchItemRequest []map[string]json.RawMessage }
	if err := json.Unmarshal([]byte(r.Body), &sent); err != nil || len(sent.BatchItemRequest) != 8 {
		t.Fatalf("body %s: %v", r.Body, err)
	}
	first := sent.BatchItemRequest[0]
	if string(first["bId"]) != `"new"` || string(first["operation"]) != `"create"` ||
		string(first["Customer"]) != `{"DisplayName":"Smith","Notes":"qbosync:client:10"}` {
		t.Errorf("item 0: %v", first)
	}
	if q := sent.BatchItemRequest[5]; string(q["Query"]) != `"SELECT * FROM Customer WHERE DisplayName = 'Hall'"` || q["operation"] != nil {
		t.Errorf("query item: %v", q)
	}
	if len(lim.waits) != 1 || lim.waits[0] != BatchRequest {
		t.Errorf("limiter saw %v; a batch counts once, as a batch", lim.waits)
	}

	// The results, in the order of ops whatever the answer's order.
	if len(results) != 8 {
		t.Fatalf("%d results", len(results))
	}
	for i, op := range batchOps() {
		if results[i].BID != op.BID {
			t.Errorf("result %d has bId %q, want %q", i, results[i].BID, op.BID)
		}
	}
	var created Customer
	if err := results[0].Decode(&created); err != nil || created.ID != "60" || results[0].Entity != "Customer" {
		t.Errorf("create: %+v %v", created, err)
	}
	dup := asError(t, results[1].Err)
	if id, _ := dup.DuplicateNameID(); dup.Class != Validation || dup.Code != "6240" || id != "58" || IsAmbiguous(dup) ||
		!strings.Contains(dup.Explanation(), "Id 58") || !strings.Contains(dup.Error(), "batch create Customer (bId dup)") {
		t.Errorf("dup: %v class %v", dup, dup.Class)
	}
	if err := results[1].Decode(&created); err != results[1].Err {
		t.Errorf("Decode of a failed item = %v", err)
	}
	if e := asError(t, results[2].Err); e.Class != Stale || e.Code != "5010" || !strings.Contains(e.Explanation(), "re-reads") {
		t.Errorf("upd: %v", e)
	}
	if results[3].Err != nil || results[3].Entity != "Invoice" {
		t.Errorf("del: %+v", results[3])
	}
	// A system fault inside a write may have happened: ambiguous.
	if e := asError(t, results[4].Err); e.Class != Transient || !IsAmbiguous(e) || e.Code != "10000" {
		t.Errorf("sys: %v", e)
	}
	var found []Customer
	if err := results[5].Decode(&found); err != nil || len(found) != 1 || found[0].ID != "58" || results[5].Entity != "Customer" {
		t.Errorf("q1: %+v %v", found, err)
	}
	if results[6].TotalCount == nil || *results[6].TotalCount != 12 {
		t.Errorf("cnt: %+v", results[6])
	}
	found = []Customer{{ID: "stale"}}
	if err := results[7].Decode(&found); err != nil || len(found) != 0 || results[7].Entity != "" {
		t.Errorf("none: %+v %v", found, err)
	}
}

func TestBatchMissingAndUnexpectedItems(t *testing.T) {
	ops := []BatchOp{
		{BID: "a", Operation: BatchCreate, Entity: "Customer", Body: Customer{DisplayName: "A"}},
		{BID: "b", Operation: BatchCreate, Entity: "Customer", Body: Customer{DisplayName: "B"}},
	}
	f := newFakeServer(t, answer(200, jsonCT, `{"BatchItemResponse":[{"bId":"b","Customer":{"Id":"2"}}],"time":"x"}`))
	results, err := newTestClient(t, f).Batch(context.Background(), ops, "r")
	if err != nil {
		t.Fatal(err)
	}
	// QBO did not say what became of "a": look before creating it again.
	if e := asError(t, results[0].Err); e.Class != Transient || !IsAmbiguous(e) || results[1].Err != nil {
		t.Errorf("results %+v", results)
	}

	for _, body := range []string{
		`{"BatchItemResponse":[{"bId":"zz","Customer":{"Id":"2"}}]}`,
		`{"BatchItemResponse":[{"bId":"a","Customer":{"Id":"1"}},{"bId":"a","Customer":{"Id":"2"}}]}`,
		`{"BatchItemResponse":[{"Customer":{"Id":"2"}}]}`,
		`{"time":"x"}`,
	} {
		f := newFakeServer(t, answer(200, jsonCT, body))
		_, err := newTestClient(t, f).Batch(context.Background(), ops, "r")
		if ClassOf(err) != Bug || !IsAmbiguous(err) {
			t.Errorf("%s: %v", body, err)
		}
	}
	// An answer for a write that lacks the entity.
	f = newFakeServer(t, answer(200, jsonCT, `{"BatchItemResponse":[{"bId":"a","Vendor":{"Id":"1"}},{"bId":"b","Customer":{"Id":"2"}}]}`))
	results, err = newTestClient(t, f).Batch(context.Background(), ops, "r")
	if err != nil || ClassOf(results[0].Err) != Bug || results[1].Err != nil {
		t.Errorf("%+v %v", results, err)
	}
	// A delete QBO says was not a delete.
	del := []BatchOp{{BID: "d", Operation: BatchDelete, Entity: "Invoice", Body: map[string]string{"Id": "1", "SyncToken": "0"}}}
	f = newFakeServer(t, answer(200, jsonCT, `{"BatchItemResponse":[{"bId":"d","Invoice":{"Id":"1","status":"Voided"}}]}`))
	results, err = newTestClient(t, f).Batch(context.Background(), del, "r")
	if err != nil || ClassOf(results[0].Err) != Bug {
		t.Errorf("%+v %v", results, err)
	}
}

// TestBatchWholeRequestFailures: failures of the batch as a whole are the
// returned error, classified like those of single requests.
func TestBatchWholeRequestFailures(t *testing.T) {
	ops := batchOps()[:2]
	tests := []struct {
		name      string
		status    int
		ct, body  string
		class     Class
		code      string
		ambiguous bool
	}{
		{"401", 401, jsonCT, authFaultLower, Auth, "3200", false},
		{"429", 429, jsonCT, throttleFaultJSON, Transient, "3001", false},
		{"503", 503, "text/html", badGatewayHTML, Transient, "", true},
		{"1040 batch too large", 400, jsonCT, faultBody("ValidationFault", "1040", "Batch size exceeds allowed limit", "Max 30 items allowed", ""), Bug, "1040", false},
		{"fault in 200", 200, jsonCT, faultBody("SystemFault", "10000", "An application error has occurred", "System Failure Error", ""), Transient, "10000", false},
	}
	for _, tt := range tests {
		f := newFakeServer(t, answer(tt.status, tt.ct, tt.body))
		results, err := newTestClient(t, f).Batch(context.Background(), ops, "r")
		e := asError(t, err)
		if results != nil || e.Class != tt.class || e.Code != tt.code || IsAmbiguous(err) != tt.ambiguous || e.HTTPStatus != tt.status {
			t.Errorf("%s: %v (class %v, ambiguous %v)", tt.name, err, e.Class, IsAmbiguous(err))
		}
	}
}

func TestBatchGuards(t *testing.T) {
	f := newFakeServer(t, answer(200, jsonCT, batchResponse))
	c := newTestClient(t, f, func(o *Options) { o.MaxBatchItems = 3 })
	ctx := context.Background()
	op := func(bid string) BatchOp {
		return BatchOp{BID: bid, Operation: BatchCreate, Entity: "Customer", Body: Customer{DisplayName: bid}}
	}
	tests := []struct {
		name  string
		ops   []BatchOp
		reqID string
		want  string
	}{
		{"too many", []BatchOp{op("a"), op("b"), op("c"), op("d")}, "r", "at most 3"},
		{"no bId", []BatchOp{op("")}, "r", "no bId"},
		{"long bId", []BatchOp{op("abcdefghijk")}, "r", "longer than 10"},
		{"same bId", []BatchOp{op("a"), op("a")}, "r", `"a" is used twice`},
		{"bad operation", []BatchOp{{BID: "a", Operation: "merge", Entity: "Customer", Body: Customer{}}}, "r", "not create, update or delete"},
		{"bad entity", []BatchOp{{BID: "a", Operation: BatchCreate, Entity: "customer/x", Body: Customer{}}}, "r", "not a QBO entity name"},
		{"create with Id", []BatchOp{{BID: "a", Operation: BatchCreate, Entity: "Customer", Body: Customer{ID: "1"}}}, "r", "use Update"},
		{"update without SyncToken", []BatchOp{{BID: "a", Operation: BatchUpdate, Entity: "Customer", Body: Customer{ID: "1"}}}, "r", "needs Id and SyncToken"},
		{"query with a body", []BatchOp{{BID: "a", Query: "SELECT * FROM Customer", Body: Customer{}}}, "r", "a query has no"},
		{"no request ID", []BatchOp{op("a")}, "", "needs a request ID"},
		{"request ID too long", []BatchOp{op("a")}, strings.Repeat("x", 37), "longer than 36"},
	}
	for _, tt := range tests {
		_, err := c.Batch(ctx, tt.ops, tt.reqID)
		if ClassOf(err) != Bug || IsAmbiguous(err) || !strings.Contains(fmt.Sprint(err), tt.want) {
			t.Errorf("%s: %v; want a Bug containing %q", tt.name, err, tt.want)
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
	// The default is QBO's 30; 36 characters of request ID are fine.
	c = newTestClient(t, f)
	var ops []BatchOp
	for i := range 31 {
		ops = append(ops, op(fmt.Sprint("b", i)))
	}
	if _, err := c.Batch(ctx, ops, "r"); ClassOf(err) != Bug {
		t.Errorf("31 operations: %v", err)
	}
	if _, err := c.Batch(ctx, batchOps(), strings.Repeat("x", 36)); err != nil {
		t.Errorf("36-character request ID: %v", err)
	}
	// No operations, no request.
	if res, err := c.Batch(ctx, nil, "r"); res != nil || err != nil || len(f.requests()) != 1 {
		t.Errorf("empty batch: %v %v", res, err)
	}
}

// TestBatchQueriesOnly: a batch that only reads needs no request ID and is
// never ambiguous.
func TestBatchQueriesOnly(t *testing.T) {
	f := newFakeServer(t, answer(503, "", ""))
	ops := []BatchOp{{BID: "q", Query: "SELECT * FROM Customer"}}
	_, err := newTestClient(t, f).Batch(context.Background(), ops, "")
	if ClassOf(err) != Transient || IsAmbiguous(err) {
		t.Errorf("err %v", err)
	}
	if r := f.requests()[0]; r.Query.Has("requestid") {
		t.Errorf("sent a request ID: %v", r.Query)
	}
}
