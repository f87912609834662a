package qbo

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// A Query builds a QBO query such as
//
//	SELECT * FROM Customer WHERE DisplayName = 'O\'Brien' AND Active IN (true, false)
//
// with every value escaped. Names in the practice system contain
// apostrophes and backslashes; pasting them into a query unescaped would at
// best fail and at worst match the wrong record, which for the lookups the
// exactly-once contract depends on means a duplicate in the books.
//
// Methods record the first mistake (an unsupported operator, a bad field
// name, a value of the wrong kind) and Build reports it; a Query is not
// safe for concurrent use.
type Query struct {
	entity string
	count  bool
	conds  []string
	order  []string
	err    error
}

// Select starts a query for all fields of entity, e.g. Select("Customer").
func Select(entity string) *Query {
	q := &Query{entity: entity}
	if !isName(entity) {
		q.err = fmt.Errorf("qbo: query: bad entity name %q", entity)
	}
	return q
}

// SelectCount starts a COUNT(*) query of entity, for Client.Count.
func SelectCount(entity string) *Query {
	q := Select(entity)
	q.count = true
	return q
}

// Values is a parenthesised list of values, the operand of IN.
type Values []any

// List returns a list of values for use with the IN operator:
// Where("Active", "IN", List(true, false)).
func List(vals ...any) Values { return Values(vals) }

// Where adds "field op value", joined to earlier conditions with AND (QBO
// has no OR). Operators are those QBO supports: =, <, >, <=, >=, LIKE and
// IN; Id allows only = and IN. Values may be strings (quoted and escaped),
// bools, integers, Amounts, time.Times (as RFC 3339) or, for IN, a List of
// those. For LIKE, '%' in the value is the wildcard; QBO offers no way to
// match a literal '%'.
func (q *Query) Where(field, op string, value any) *Query {
	if q.err != nil {
		return q
	}
	op = strings.ToUpper(strings.TrimSpace(op))
	text, err := condition(field, op, value)
	if err != nil {
		q.err = fmt.Errorf("qbo: query %s: %v", q.entity, err)
		return q
	}
	q.conds = append(q.conds, text)
	return q
}

// OrderBy sorts ascending by field; call it again for further keys.
func (q *Query) OrderBy(field string) *Query { return q.orderBy(field, "") }

// OrderByDesc sorts descending by field.
func (q *Query) OrderByDesc(field string) *Query { return q.orderBy(field, " DESC") }

func (q *Query) orderBy(field, dir string) *Query {
	if q.err == nil && !isField(field) {
		q.err = fmt.Errorf("qbo: query %s: bad field name %q", q.entity, field)
	}
	q.order = append(q.order, field+dir)
	return q
}

// Build returns the query text, or the first mistake made while building.
// It adds no STARTPOSITION or MAXRESULTS: Client.QueryAll pages itself.
func (q *Query) Build() (string, error) {
	if q.err != nil {
		return "", q.err
	}
	var b strings.Builder
	if q.count {
		b.WriteString("SELECT COUNT(*) FROM ")
	} else {
		b.WriteString("SELECT * FROM ")
	}
	b.WriteString(q.entity)
	if len(q.conds) > 0 {
		b.WriteString(" WHERE ")
		b.WriteString(strings.Join(q.conds, " AND "))
	}
	if len(q.order) > 0 {
		b.WriteString(" ORDERBY ")
		b.WriteString(strings.Join(q.order, ", "))
	}
	return b.String(), nil
}

// String returns the query text for display; an invalid query shows its
// error. Use Build to run a query.
func (q *Query) String() string {
	s, err := q.Build()
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return s
}

// condition formats one WHERE term.
func condition(field, op string, value any) (string, error) {
	if !isField(field) {
		return "", fmt.Errorf("bad field name %q", field)
	}
	switch op {
	case "=", "<", ">", "<=", ">=", "LIKE", "IN":
	default:
		return "", fmt.Errorf("operator %q is not supported by QBO (use =, <, >, <=, >=, LIKE or IN)", op)
	}
	if strings.EqualFold(field, "Id") && op != "=" && op != "IN" {
		return "", fmt.Errorf("QBO allows only = and IN on Id, not %s", op)
	}
	list, isList := value.(Values)
	switch {
	case op == "IN" && !isList:
		return "", errors.New("IN needs a List of values")
	case op != "IN" && isList:
		return "", fmt.Errorf("%s takes a single value, not a List", op)
	case op == "IN" && len(list) == 0:
		return "", errors.New("IN needs at least one value")
	}
	if _, isString := value.(string); op == "LIKE" && !isString {
		return "", errors.New("LIKE needs a string pattern")
	}
	if !isList {
		v, err := literal(value)
		if err != nil {
			return "", err
		}
		return field + " " + op + " " + v, nil
	}
	vs := make([]string, len(list))
	for i, v := range list {
		s, err := literal(v)
		if err != nil {
			return "", err
		}
		vs[i] = s
	}
	return field + " IN (" + strings.Join(vs, ", ") + ")", nil
}

// literal formats one value the way QBO's query language reads it.
func literal(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return Quote(v), nil
	case bool:
		return strconv.FormatBool(v), nil
	case Amount:
		return Quote(v.String()), nil
	case time.Time:
		return Quote(v.Format(time.RFC3339)), nil
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(rv.Uint(), 10), nil
	}
	return "", fmt.Errorf("cannot use a %T as a query value", v)
}

// Quote returns s as a QBO string literal: in single quotes, with
// backslash and apostrophe escaped by a backslash. QBO documents the
// apostrophe escape ('Adam\'s Candy Shop'); escaping the backslash too
// keeps a name ending in '\' from swallowing the closing quote.
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' || s[i] == '\'' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('\'')
	return b.String()
}

// isName reports whether s is a plain identifier, such as an entity name.
func isName(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isLetter(s[i]) && !(s[i] >= '0' && s[i] <= '9') && s[i] != '_' {
			return false
		}
	}
	return true
}

// isField reports whether s is a property name, possibly nested as in
// MetaData.LastUpdatedTime.
func isField(s string) bool {
	for part := range strings.SplitSeq(s, ".") {
		if !isName(part) {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
