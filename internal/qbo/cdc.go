package qbo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MaxCDCLookBack is how far back change data capture reaches: QBO refuses a
// changedSince older than 30 days.
const MaxCDCLookBack = 30 * 24 * time.Hour

// Changes is one entity's part of a change data capture answer.
type Changes struct {
	// Objects are the changed objects' full payloads, in order of last update;
	// Deleted the Ids of those deleted in the window.
	Objects []json.RawMessage
	Deleted []string
	// Complete is false when QBO returned fewer objects than changed (it sends
	// at most 1000 per entity): ask for a shorter window, or read in full.
	Complete bool
}

// CDC asks QBO which objects of the given entities changed (or were deleted)
// since a time no more than MaxCDCLookBack ago: one request for all of them,
// GET /cdc?entities=...&changedSince=.... An entity with no changes is absent
// from the answer.
func (c *Client) CDC(ctx context.Context, entities []string, since time.Time) (map[string]Changes, error) {
	r := &request{op: "cdc", method: http.MethodGet, resource: "cdc", params: url.Values{
		"entities": {strings.Join(entities, ",")}, "changedSince": {since.Format(time.RFC3339)},
	}}
	for _, e := range entities {
		if !isName(e) {
			return nil, r.bug("%q is not a QBO entity name", e)
		}
	}
	res, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	var env struct {
		CDCResponse []struct {
			QueryResponse []map[string]json.RawMessage
		}
	}
	if err := json.Unmarshal(res.body, &env); err != nil {
		return nil, res.decodeError(err)
	}
	if len(env.CDCResponse) == 0 {
		return nil, res.decodeError(errors.New("the answer has no CDCResponse"))
	}
	out := map[string]Changes{}
	for _, group := range env.CDCResponse[0].QueryResponse {
		for _, e := range entities {
			raw, ok := lookupKey(group, e)
			if !ok {
				continue
			}
			ch, err := decodeChanges(raw, group)
			if err != nil {
				return nil, res.decodeError(fmt.Errorf("CDCResponse %s: %w", e, err))
			}
			out[e] = ch
		}
	}
	return out, nil
}

// decodeChanges splits one entity's objects into changed and deleted ones.
func decodeChanges(raw json.RawMessage, group map[string]json.RawMessage) (Changes, error) {
	var objs []json.RawMessage
	if err := json.Unmarshal(raw, &objs); err != nil {
		return Changes{}, err
	}
	ch := Changes{Complete: true}
	if t, ok := lookupKey(group, "totalCount"); ok {
		var total int
		if err := json.Unmarshal(t, &total); err != nil {
			return Changes{}, fmt.Errorf("totalCount: %w", err)
		}
		ch.Complete = total <= len(objs)
	}
	for _, o := range objs {
		var head struct {
			ID     string `json:"Id"`
			Status string `json:"status"`
		}
		if err := json.Unmarshal(o, &head); err != nil {
			return Changes{}, err
		}
		if head.Status == "Deleted" {
			ch.Deleted = append(ch.Deleted, head.ID)
			continue
		}
		ch.Objects = append(ch.Objects, o)
	}
	return ch, nil
}
