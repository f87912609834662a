package qbosim

import (
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// Batch limits on requestid: "Batch: max 36 characters, and each bId max
// 10 characters when requestid is specified."
const (
	maxBatchRequestIDLen = 36
	maxBatchIDLen        = 10
)

// handleBatch serves POST /batch: {"BatchItemRequest": [...]}. Each item
// carries a bId and either an operation (create, update, delete; update
// with optionsData "void" voids a payment; void voids an invoice) on one
// entity, or a Query. The answer is HTTP 200 with one BatchItemResponse per
// item, correlated by bId, each holding the entity, a QueryResponse or a
// Fault. Items are performed one after the other against the live company,
// but none sees what an earlier item of the same batch created ("a newly
// created customer is not available for a subsequent invoice create
// operation within the same batch"). A requestid replays the whole answer
// when it comes back with the same bIds.
func (s *Server) handleBatch(call *apiCall, c *company) *response {
	if ct := call.r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return s.faultResponse(call, errUnsupported("Content-Type "+ct+" is not supported: send application/json."))
		}
	}
	v, err := decodeJSON(call.body)
	in, _ := v.(map[string]any)
	raw, isList := in["BatchItemRequest"].([]any)
	if err != nil || in == nil || (!isList && in["BatchItemRequest"] != nil) {
		return s.faultResponse(call, errBadProperty("failed to parse json object; BatchItemRequest"))
	}
	if len(raw) == 0 {
		return s.faultResponse(call, errRequired("BatchItemRequest"))
	}
	if len(raw) > s.opts.MaxBatchItems {
		return s.faultResponse(call, validationFault("1040", "Batch size exceeds allowed limit", fmt.Sprintf(
			"The batch has %d BatchItemRequest items; the maximum is %d.", len(raw), s.opts.MaxBatchItems), "BatchItemRequest"))
	}
	items := make([]map[string]any, len(raw))
	bIDs := make([]string, len(raw))
	seen := map[string]bool{}
	for i, r := range raw {
		item, ok := r.(map[string]any)
		if !ok {
			return s.faultResponse(call, errBadProperty("BatchItemRequest: each item must be an object"))
		}
		id, _ := item["bId"].(string)
		switch {
		case id == "":
			return s.faultResponse(call, errRequired("bId"))
		case seen[id]:
			return s.faultResponse(call, errBadProperty("bId "+id+" is used twice; bIds must be unique in a batch"))
		}
		seen[id] = true
		items[i], bIDs[i] = item, id
	}

	rid := call.query.Get("requestid")
	if s.opts.IgnoreRequestID {
		rid = ""
	}
	key := ""
	if rid != "" {
		if len(rid) > maxBatchRequestIDLen {
			return s.faultResponse(call, validationFault("2050", "Length exceeds limit",
				fmt.Sprintf("requestid must not exceed %d characters for a batch request.", maxBatchRequestIDLen), "requestid"))
		}
		for _, id := range bIDs {
			if len(id) > maxBatchIDLen {
				return s.faultResponse(call, validationFault("2050", "Length exceeds limit",
					fmt.Sprintf("bId %s: a bId must not exceed %d characters when requestid is used.", id, maxBatchIDLen), "bId"))
			}
		}
		// "If you pass the same request ID but different batch IDs, they
		// will be considered to be different requests."
		key = "batch\x00" + rid + "\x00" + strings.Join(bIDs, "\x00")
		if prev, ok := c.requests[key]; ok {
			return &response{status: prev.Status, body: prev.Body}
		}
	}

	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	if s.opts.ShuffleBatch {
		order = s.rand.perm(len(items))
	}
	c.batchNew = map[string]bool{}
	answers := make([]any, 0, len(items))
	for _, i := range order {
		answers = append(answers, s.batchItem(call, c, items[i]))
	}
	c.batchNew = nil
	resp := s.jsonResponse(http.StatusOK, map[string]any{"BatchItemResponse": answers, "time": s.envelopeTime(call)})
	if key != "" {
		c.requests[key] = storedReply{Status: resp.status, Body: resp.body}
	}
	s.markDirty()
	return resp
}

// batchItem performs one item and returns its BatchItemResponse.
func (s *Server) batchItem(call *apiCall, c *company, item map[string]any) map[string]any {
	out := map[string]any{"bId": item["bId"]}
	fail := func(f *fault) map[string]any {
		out["Fault"] = map[string]any{"Error": f.errors, "type": f.typ}
		return out
	}
	if q, ok := item["Query"]; ok {
		text, _ := q.(string)
		body, f := s.runQuery(c, text, call.now)
		if f != nil {
			return fail(f)
		}
		out["QueryResponse"] = body
		return out
	}
	var entityKey string
	for key := range item {
		switch key {
		case "bId", "operation", "optionsData":
			continue
		case "ReportQuery", "CDCQuery":
			return fail(errUnsupported("qbosim does not emulate " + key + " batch items."))
		}
		if entityKey != "" {
			return fail(errBadProperty("a batch item carries one entity; found " + entityKey + " and " + key))
		}
		entityKey = key
	}
	if entityKey == "" {
		return fail(errRequired("the item's entity (e.g. \"Invoice\") or Query"))
	}
	k, ok := kinds.lookup(entityKey)
	if !ok {
		return fail(errUnsupported("Entity " + entityKey + " is not supported by qbosim."))
	}
	body, ok := item[entityKey].(map[string]any)
	if !ok {
		return fail(errBadProperty(entityKey + ": an object expected"))
	}
	op, _ := item["operation"].(string)
	if op == "" {
		return fail(errRequired("operation"))
	}
	optionsData, _ := item["optionsData"].(string)
	entity, f := s.execute(c, k, strings.ToLower(op), includeFlags(optionsData), body, call.now)
	if f != nil {
		return fail(f)
	}
	out[k.name] = entity
	return out
}
