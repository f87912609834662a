package qbo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Operations of a BatchOp.
const (
	BatchCreate = "create"
	BatchUpdate = "update"
	BatchDelete = "delete"
)

// MaxBIDLen is the longest bId QBO accepts in a batch sent with a request
// ID.
const MaxBIDLen = 10

// A BatchOp is one operation of a batch: a write (Operation, Entity and
// Body, as for Create, Update and Delete) or a Query (and nothing else).
type BatchOp struct {
	// BID identifies the operation in the answer: unique in the batch, at
	// most MaxBIDLen characters, and the same on every retry of the batch
	// (QBO recognises a repeated batch by its request ID and its bIds).
	BID string
	// Operation is BatchCreate, BatchUpdate or BatchDelete.
	Operation string
	// Entity is the entity name, e.g. "Invoice".
	Entity string
	// Body is the entity, marshalled as JSON. An update or delete needs Id
	// and SyncToken (a delete needs nothing else); a create must have no
	// Id.
	Body any
	// Query is a query, e.g. one built with Select, instead of a write.
	Query string
}

// A BatchResult is the answer to one BatchOp.
type BatchResult struct {
	BID string
	// Err is this operation's own failure, an *Error classified and
	// explained like the error of a single request (a 6240 is Validation,
	// a 5010 Stale...); nil if it succeeded.
	Err error
	// Entity names what the answer holds: the written entity, e.g.
	// "Invoice", or a query's rows' entity ("" when no row matched).
	Entity string
	// TotalCount is a COUNT query's answer.
	TotalCount *int

	raw json.RawMessage // the entity, or a query's rows as a JSON array
}

// Decode decodes the written entity (for a delete, QBO's {"status":
// "Deleted","Id":...}) or a query's rows (into a pointer to a slice) into
// out. It returns Err if the operation failed.
func (r *BatchResult) Decode(out any) error {
	if r.Err != nil {
		return r.Err
	}
	if out == nil || r.raw == nil {
		return nil
	}
	if err := json.Unmarshal(r.raw, out); err != nil {
		return &Error{Op: "batch item " + r.BID, Class: Bug, Err: err, Message: "cannot decode the answer: " + err.Error()}
	}
	return nil
}

// Batch sends up to Options.MaxBatchItems (default 30) operations in one
// request, which counts once against QBO's 500 requests a minute and once
// against its 40 batch requests a minute: the way to write more than 500
// objects a minute.
//
// The operations are independent. QBO does not promise to execute them in
// order, and none can see another's result: an object created in a batch
// cannot be referred to by another operation of the same batch (an invoice
// for a customer created alongside it fails). Create what others refer to
// in an earlier request.
//
// The results are in the order of ops, correlated by bId whatever the
// order of QBO's answer. A failure of one operation (QBO's Fault inside an
// HTTP 200) is that result's Err, classified and explained like any other
// *Error; the others stand. A failure of the whole request (401, 429, 5xx,
// code 1040 for a batch too large, a broken connection) is the returned
// error, with no results; it may be ambiguous for the writes in it
// (IsAmbiguous), like a single write.
//
// requestID (at most MaxBatchRequestIDLen, 36, characters) is required
// when the batch writes. QBO answers a repeated request ID with the same
// bIds with its first answer, so retry an ambiguous batch as it was, but
// send the operations that failed on their own in a new batch with a new
// request ID. A batch of queries only should have no request ID, or a
// repeated one would be answered with stale rows.
func (c *Client) Batch(ctx context.Context, ops []BatchOp, requestID string) ([]BatchResult, error) {
	if len(ops) == 0 {
		return nil, nil
	}
	r := &request{op: "batch", method: http.MethodPost, resource: "batch", requestID: requestID, kind: BatchRequest, read: true}
	if len(ops) > c.maxBatch {
		return nil, r.bug("%d operations in one batch; QBO takes at most %d", len(ops), c.maxBatch)
	}
	items := make([]map[string]any, len(ops))
	index := make(map[string]int, len(ops))
	for i, op := range ops {
		item, err := batchItem(op)
		if err != nil {
			return nil, r.bug("operation %d (bId %q): %s", i, op.BID, err)
		}
		if _, dup := index[op.BID]; dup {
			return nil, r.bug("bId %q is used twice", op.BID)
		}
		index[op.BID] = i
		items[i] = item
		if op.Query == "" {
			r.read = false
		}
	}
	body, err := json.Marshal(map[string]any{"BatchItemRequest": items})
	if err != nil {
		return nil, r.bug("cannot encode the request body: %v", err)
	}
	r.body = body
	res, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	return res.batchResults(ops, index)
}

// batchItem checks op and returns its BatchItemRequest.
func batchItem(op BatchOp) (map[string]any, error) {
	switch {
	case op.BID == "":
		return nil, errors.New("no bId")
	case len(op.BID) > MaxBIDLen:
		return nil, fmt.Errorf("bId is longer than %d characters", MaxBIDLen)
	case op.Query != "":
		if op.Operation != "" || op.Entity != "" || op.Body != nil {
			return nil, errors.New("a query has no Operation, Entity or Body")
		}
		return map[string]any{"bId": op.BID, "Query": op.Query}, nil
	}
	switch op.Operation {
	case BatchCreate, BatchUpdate, BatchDelete:
	default:
		return nil, fmt.Errorf("operation %q is not create, update or delete", op.Operation)
	}
	if !isName(op.Entity) {
		return nil, fmt.Errorf("%q is not a QBO entity name", op.Entity)
	}
	body, err := encodeWrite(op.Operation, op.Entity, op.Body)
	if err != nil {
		return nil, errors.New(err.(*Error).Message)
	}
	return map[string]any{"bId": op.BID, "operation": op.Operation, op.Entity: json.RawMessage(body)}, nil
}

// batchResults decodes a BatchItemResponse into one result per operation.
func (res *response) batchResults(ops []BatchOp, index map[string]int) ([]BatchResult, error) {
	var env struct{ BatchItemResponse []map[string]json.RawMessage }
	if err := json.Unmarshal(res.body, &env); err != nil {
		return nil, res.decodeError(err)
	}
	if env.BatchItemResponse == nil {
		return nil, res.decodeError(errors.New("the answer has no BatchItemResponse"))
	}
	results := make([]BatchResult, len(ops))
	answered := make([]bool, len(ops))
	for _, item := range env.BatchItemResponse {
		var bid string
		if raw, ok := lookupKey(item, "bId"); !ok || json.Unmarshal(raw, &bid) != nil {
			return nil, res.decodeError(errors.New("an answer item has no bId"))
		}
		i, ok := index[bid]
		if !ok || answered[i] {
			return nil, res.decodeError(fmt.Errorf("the answer has an unexpected or repeated bId %q", bid))
		}
		answered[i] = true
		results[i] = res.batchResult(ops[i], item)
	}
	for i, op := range ops {
		if !answered[i] {
			// QBO did not say what became of it: as for a write whose
			// answer was lost, look before writing again.
			results[i] = BatchResult{BID: op.BID, Err: &Error{Op: batchOpName(op), IntuitTID: res.header.Get("intuit_tid"),
				Class: Transient, Ambiguous: op.Query == "", Message: "QBO's answer has no item for this bId"}}
		}
	}
	return results, nil
}

// batchOpName names an operation for errors and logs.
func batchOpName(op BatchOp) string {
	if op.Query != "" {
		return "batch query (bId " + op.BID + ")"
	}
	return "batch " + op.Operation + " " + op.Entity + " (bId " + op.BID + ")"
}

// batchResult decodes the answer to one operation.
func (res *response) batchResult(op BatchOp, item map[string]json.RawMessage) BatchResult {
	out := BatchResult{BID: op.BID}
	name := batchOpName(op)
	itemErr := func(class Class, format string, args ...any) BatchResult {
		out.Err = &Error{Op: name, IntuitTID: res.header.Get("intuit_tid"), Class: class,
			Ambiguous: op.Query == "", Message: fmt.Sprintf(format, args...)}
		return out
	}
	if raw, ok := lookupKey(item, "Fault"); ok {
		out.Err = res.itemFault(op, name, raw)
		return out
	}
	if op.Query != "" {
		raw, ok := lookupKey(item, "QueryResponse")
		if !ok {
			return itemErr(Bug, "the answer has no QueryResponse")
		}
		if f, ok := lookupKey(mapOf(raw), "Fault"); ok {
			out.Err = res.itemFault(op, name, f)
			return out
		}
		var err error
		out.Entity, out.raw, out.TotalCount, err = queryRows(raw)
		if err != nil {
			return itemErr(Bug, "cannot decode the answer: %v", err)
		}
		return out
	}
	raw, ok := lookupKey(item, op.Entity)
	if !ok {
		return itemErr(Bug, "the answer has no %s", op.Entity)
	}
	if op.Operation == BatchDelete {
		if err := checkDeleted(name, raw); err != nil {
			out.Err = err
			return out
		}
	}
	out.Entity, out.raw = op.Entity, raw
	return out
}

// itemFault turns the Fault of one batch item into its *Error.
func (res *response) itemFault(op BatchOp, name string, raw json.RawMessage) *Error {
	e := &Error{Op: name, IntuitTID: res.header.Get("intuit_tid")}
	var fj faultJSON
	if err := json.Unmarshal(raw, &fj); err != nil || len(fj.Error) == 0 {
		e.Class, e.Message = Bug, "cannot decode the item's fault"
		return e
	}
	e.setFault(fj.fault())
	e.Class = classify(http.StatusOK, e.FaultType, e.Code)
	// A system fault inside a write may come after the write was done,
	// like a 5xx; a validation fault is a refusal.
	e.Ambiguous = op.Query == "" && e.Class == Transient
	return e
}

// mapOf decodes a JSON object, or returns nil.
func mapOf(raw json.RawMessage) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(raw, &m)
	return m
}

// queryRows splits a QueryResponse into its rows' entity, the rows as a
// JSON array and a COUNT query's totalCount.
func queryRows(raw json.RawMessage) (entity string, rows json.RawMessage, total *int, err error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", nil, nil, err
	}
	rows = json.RawMessage("[]")
	for k, v := range m {
		switch {
		case strings.EqualFold(k, "totalCount"):
			if err := json.Unmarshal(v, &total); err != nil {
				return "", nil, nil, err
			}
		case strings.EqualFold(k, "startPosition"), strings.EqualFold(k, "maxResults"):
		case bytes.HasPrefix(bytes.TrimSpace(v), []byte("[")):
			entity, rows = k, v
		}
	}
	return entity, rows, total, nil
}
