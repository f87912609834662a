package qbosim

import (
	"mime"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

const (
	defaultMaxResults = 100
	maxMaxResults     = 1000
)

// handleQuery serves GET /query?query=... and POST /query with the
// statement as an application/text body.
func (s *Server) handleQuery(call *apiCall, c *company) *response {
	text := call.query.Get("query")
	if call.r.Method == http.MethodPost {
		if ct := call.r.Header.Get("Content-Type"); ct != "" {
			mt, _, err := mime.ParseMediaType(ct)
			if err != nil || (mt != "application/text" && mt != "text/plain") {
				return s.faultResponse(call, errUnsupported("Content-Type "+ct+" is not supported for query: send application/text."))
			}
		}
		text = string(call.body)
	}
	if strings.TrimSpace(text) == "" {
		return s.faultResponse(call, errQueryParse("Encountered \"<EOF>\" at line 1, column 1. Was expecting: SELECT"))
	}
	body, f := s.runQuery(c, text, call.now)
	if f != nil {
		return s.faultResponse(call, f)
	}
	return s.jsonResponse(http.StatusOK, map[string]any{"QueryResponse": body, "time": s.envelopeTime(call)})
}

// runQuery parses, validates and evaluates a statement, returning the
// QueryResponse object. The caller holds c.mu.
func (s *Server) runQuery(c *company, text string, now time.Time) (map[string]any, *fault) {
	q, qerr := parseQuery(text)
	if qerr != nil {
		return nil, qerr.fault()
	}
	k, qerr := s.validateQuery(q)
	if qerr != nil {
		return nil, qerr.fault()
	}

	activeOnly := k.nameList && !q.mentions("Active")
	var rows []*record
	candidates, where := c.candidates(k, q.where)
	for _, r := range candidates {
		if (activeOnly && !isActive(r.data)) || c.batchNew[linkKey(k.name, r.id)] {
			continue
		}
		if s.matches(r.data, where) {
			rows = append(rows, r)
		}
	}
	if q.count {
		return map[string]any{"totalCount": len(rows)}, nil
	}
	s.sortRows(rows, q.orderBy)

	start := max(q.start, 1)
	limit := q.maxResults
	if limit == 0 {
		limit = defaultMaxResults
	}
	limit = min(limit, maxMaxResults)
	if start > len(rows) {
		return map[string]any{}, nil // no rows: the entity key is absent
	}
	rows = rows[start-1 : min(start-1+limit, len(rows))]
	out := make([]any, len(rows))
	for i, r := range rows {
		out[i] = s.render(c, k, r)
	}
	return map[string]any{k.name: out, "startPosition": start, "maxResults": len(out)}, nil
}

// validateQuery resolves the entity and checks attributes and operators.
func (s *Server) validateQuery(q *query) (*kind, *queryError) {
	k, ok := kinds.lookup(q.entity)
	if !ok {
		return nil, validationError("Invalid entity name: %s", q.entity)
	}
	if q.maxResults > maxMaxResults && s.opts.RejectMaxResultsOver1000 {
		return nil, validationError("value %d is too large. Max allowed value is %d", q.maxResults, maxMaxResults)
	}
	checkPath := func(path []string) *queryError {
		name, ok := k.canonicalField(path[0])
		if !ok || (k.queryable != nil && !k.queryable[name]) {
			return validationError("property '%s' is not queryable for %s", strings.Join(path, "."), k.name)
		}
		return nil
	}
	for _, c := range q.where {
		if err := checkPath(c.path); err != nil {
			return nil, err
		}
		if len(c.path) == 1 && strings.EqualFold(c.path[0], "Id") && c.op != "=" && c.op != "IN" {
			return nil, &queryError{detail: "Operator " + c.op + " is not supported for property Id; Id supports only = and IN."}
		}
	}
	for _, o := range q.orderBy {
		if err := checkPath(o.path); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// mentions reports whether the WHERE clause constrains attribute name.
func (q *query) mentions(name string) bool {
	for _, c := range q.where {
		if len(c.path) == 1 && strings.EqualFold(c.path[0], name) {
			return true
		}
	}
	return false
}

// attrValue resolves an attribute path against an entity. A reference
// object stands for its id ("ParentRef = '5'"). Missing attributes match
// nothing: QBO returns only attributes that have values.
func attrValue(data map[string]any, path []string) (any, bool) {
	var v any = data
	for _, seg := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = lookupKey(m, seg); !ok || v == nil {
			return nil, false
		}
	}
	if m, ok := v.(map[string]any); ok {
		id, ok := m["value"]
		return id, ok
	}
	return v, true
}

// candidates are the records a query's WHERE clause can match, and the conditions
// left to check on them: the records it names when it filters on Id (= or IN, the
// only operators QBO allows on Id), looked up rather than compared with every record
// of the kind, which for a thousand Ids among tens of thousands of records is the
// difference between a millisecond and seconds; else every live record.
func (c *company) candidates(k *kind, where []condition) ([]*record, []condition) {
	for i, cond := range where {
		if len(cond.path) != 1 || !strings.EqualFold(cond.path[0], "Id") || (cond.op != "=" && cond.op != "IN") {
			continue
		}
		ids := make([]string, 0, len(cond.values))
		for _, lit := range cond.values {
			id := strings.TrimLeft(lit.text, "0")
			if id == "" {
				id = lit.text
			}
			if c.live(k, id) != nil {
				ids = append(ids, id)
			}
		}
		sortIDs(ids)
		ids = slices.Compact(ids)
		out := make([]*record, len(ids))
		for j, id := range ids {
			out[j] = c.live(k, id)
		}
		return out, slices.Delete(slices.Clone(where), i, i+1)
	}
	return c.list(k), where
}

func (s *Server) matches(data map[string]any, where []condition) bool {
	for _, c := range where {
		v, ok := attrValue(data, c.path)
		if !ok || !s.conditionHolds(v, c) {
			return false
		}
	}
	return true
}

func (s *Server) conditionHolds(v any, c condition) bool {
	switch c.op {
	case "LIKE":
		str, ok := v.(string)
		return ok && likeMatch(strings.ToLower(str), strings.ToLower(c.values[0].text))
	case "IN":
		for _, lit := range c.values {
			if cmp, ok := s.compare(v, literalValue(lit)); ok && cmp == 0 {
				return true
			}
		}
		return false
	}
	cmp, ok := s.compare(v, literalValue(c.values[0]))
	if !ok {
		return false
	}
	switch c.op {
	case "=":
		return cmp == 0
	case "<":
		return cmp < 0
	case ">":
		return cmp > 0
	case "<=":
		return cmp <= 0
	default: // ">="
		return cmp >= 0
	}
}

// literalValue turns a query literal into the JSON value it compares as.
func literalValue(l literal) any {
	switch l.kind {
	case litBool:
		return l.text == "true"
	default:
		return l.text
	}
}

// compare orders two attribute values the way QBO's query engine does:
// booleans as booleans, numbers exactly, dates and date-times as instants,
// everything else as case-insensitive text. ok is false for incomparable
// values (e.g. a boolean against a number), which then match nothing.
func (s *Server) compare(a, b any) (int, bool) {
	ab, aIsBool := a.(bool)
	bb, bIsBool := b.(bool)
	if aIsBool || bIsBool {
		if !aIsBool {
			ab, aIsBool = parseBoolText(a)
		}
		if !bIsBool {
			bb, bIsBool = parseBoolText(b)
		}
		if !aIsBool || !bIsBool {
			return 0, false
		}
		return boolRank(ab) - boolRank(bb), true
	}
	if cmp, ok := compareDecimals(a, b); ok {
		return cmp, true
	}
	as, bs := scalarString(a), scalarString(b)
	if ta, ok := parseQBOTime(as, s.loc); ok {
		if tb, ok := parseQBOTime(bs, s.loc); ok {
			return ta.Compare(tb), true
		}
	}
	return strings.Compare(strings.ToLower(as), strings.ToLower(bs)), true
}

func parseBoolText(v any) (bool, bool) {
	switch strings.ToLower(scalarString(v)) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sortRows applies ORDERBY; without one, rows stay in Id order. Entities
// lacking an attribute sort first.
func (s *Server) sortRows(rows []*record, terms []orderTerm) {
	if len(terms) == 0 {
		return
	}
	sort.SliceStable(rows, func(i, j int) bool {
		for _, t := range terms {
			a, okA := attrValue(rows[i].data, t.path)
			b, okB := attrValue(rows[j].data, t.path)
			var cmp int
			switch {
			case !okA && !okB:
				continue
			case !okA:
				cmp = -1
			case !okB:
				cmp = 1
			default:
				cmp, _ = s.compare(a, b)
			}
			if t.desc {
				cmp = -cmp
			}
			if cmp != 0 {
				return cmp < 0
			}
		}
		return false
	})
}

// likeMatch matches s against a LIKE pattern where % is the only wildcard.
func likeMatch(s, pattern string) bool {
	parts := strings.Split(pattern, "%")
	if len(parts) == 1 {
		return s == pattern
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, last)
}
