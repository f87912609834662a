package qbosim

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// Change data capture, as docs describe it (/work/shared/reference/qbo-api.md §8,
// "CDC"): GET /cdc?entities=Customer,Invoice&changedSince=<date or datetime>
// returns, per entity asked for, the objects changed since then — full payloads,
// in order of last update, then the objects deleted in the window as
// {"Id","status":"Deleted","domain","MetaData"} — up to maxCDCObjects per entity.
const (
	// maxCDCLookBack is how far back changedSince may reach.
	maxCDCLookBack = 30 * 24 * time.Hour
	// maxCDCObjects caps one entity's objects in an answer; totalCount still
	// says how many changed, so a caller can tell it must ask for a shorter
	// window. [U] whether QBO reports totalCount this way.
	maxCDCObjects = 1000
)

// cdcUnsupported are the entities QBO's CDC refuses.
var cdcUnsupported = map[string]bool{"journalcode": true, "timeactivity": true, "taxagency": true, "taxcode": true, "taxrate": true}

// handleCDC serves GET /cdc.
func (s *Server) handleCDC(call *apiCall, c *company) *response {
	if call.r.Method != http.MethodGet {
		return s.faultResponse(call, errMethodNotAllowed(call.r.Method, call.r.URL.Path))
	}
	ks, f := cdcKinds(call.query.Get("entities"))
	if f != nil {
		return s.faultResponse(call, f)
	}
	since, f := s.cdcSince(call.query.Get("changedSince"), call.now)
	if f != nil {
		return s.faultResponse(call, f)
	}
	var groups []any
	for _, k := range ks {
		if g := s.cdcGroup(c, k, since); g != nil {
			groups = append(groups, g)
		}
	}
	if len(groups) == 0 {
		groups = []any{map[string]any{}} // no changes: one empty object, as QBO answers
	}
	return s.jsonResponse(http.StatusOK, map[string]any{
		"CDCResponse": []any{map[string]any{"QueryResponse": groups}},
		"time":        s.envelopeTime(call),
	})
}

// cdcKinds reads the entities parameter: a comma-separated list of entity names.
func cdcKinds(param string) ([]*kind, *fault) {
	if strings.TrimSpace(param) == "" {
		return nil, errRequired("entities")
	}
	var out []*kind
	for name := range strings.SplitSeq(param, ",") {
		name = strings.TrimSpace(name)
		if cdcUnsupported[strings.ToLower(name)] {
			return nil, errUnsupported("Change data capture does not support " + name + ".")
		}
		k, ok := kinds.lookup(name)
		if !ok {
			return nil, errInvalidEnum("entities", name)
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

// cdcSince reads changedSince: a date (midnight in the company's time zone) or a
// datetime with an offset, no more than 30 days ago.
func (s *Server) cdcSince(param string, now time.Time) (time.Time, *fault) {
	if param == "" {
		return time.Time{}, errRequired("changedSince")
	}
	t, err := time.Parse(time.RFC3339, param)
	if err != nil {
		if t, err = time.ParseInLocation(time.DateOnly, param, s.loc); err != nil {
			return time.Time{}, errInvalidString("changedSince", "is not a date (YYYY-MM-DD) or a datetime with an offset (2015-11-28T10:00:00-08:00)")
		}
	}
	if now.Sub(t) > maxCDCLookBack {
		return time.Time{}, errInvalidString("changedSince", "is more than 30 days ago: change data capture looks back at most 30 days")
	}
	return t, nil
}

// cdcGroup is one entity's part of the answer, nil when none of its objects
// changed since then.
func (s *Server) cdcGroup(c *company, k *kind, since time.Time) map[string]any {
	type change struct {
		r  *record
		at time.Time
	}
	var live, gone []change
	for _, r := range c.entities[k.name] {
		at := lastUpdated(r)
		switch {
		case at.Before(since):
		case r.deleted:
			gone = append(gone, change{r, at})
		default:
			live = append(live, change{r, at})
		}
	}
	total := len(live) + len(gone)
	if total == 0 {
		return nil
	}
	byTime := func(a, b change) int { return a.at.Compare(b.at) }
	slices.SortFunc(live, byTime)
	slices.SortFunc(gone, byTime)
	objs := make([]any, 0, min(total, maxCDCObjects))
	for _, ch := range append(live, gone...) {
		if len(objs) == maxCDCObjects {
			break
		}
		if ch.r.deleted {
			objs = append(objs, map[string]any{"Id": ch.r.id, "status": "Deleted", "domain": "QBO", "MetaData": ch.r.data["MetaData"]})
			continue
		}
		objs = append(objs, s.render(c, k, ch.r))
	}
	return map[string]any{k.name: objs, "startPosition": 1, "maxResults": len(objs), "totalCount": total}
}

// lastUpdated is a record's MetaData.LastUpdatedTime (for a tombstone, when it
// was deleted); zero when it has none.
func lastUpdated(r *record) time.Time {
	meta, _ := r.data["MetaData"].(map[string]any)
	text, _ := meta["LastUpdatedTime"].(string)
	t, _ := time.Parse(metaTimeLayout, text)
	return t
}
