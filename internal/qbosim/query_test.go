package qbosim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseQuery(t *testing.T) {
	q, err := parseQuery(`select * from Customer where DisplayName = 'Amy\'s \\ Bird' and Active IN (true, false) AND Balance >= -12.5 ` +
		`order by MetaData.LastUpdatedTime desc, Id startposition 11 maxresults 5`)
	require.Nil(t, err)
	assert.False(t, q.count)
	assert.Equal(t, "Customer", q.entity)
	require.Len(t, q.where, 3)
	assert.Equal(t, condition{path: []string{"DisplayName"}, op: "=", values: []literal{{litString, `Amy's \ Bird`}}, col: 30}, q.where[0])
	assert.Equal(t, []literal{{litBool, "true"}, {litBool, "false"}}, q.where[1].values)
	assert.Equal(t, []literal{{litNumber, "-12.5"}}, q.where[2].values)
	assert.Equal(t, []orderTerm{{path: []string{"MetaData", "LastUpdatedTime"}, desc: true}, {path: []string{"Id"}}}, q.orderBy)
	assert.Equal(t, 11, q.start)
	assert.Equal(t, 5, q.maxResults)

	q, err = parseQuery("SELECT COUNT(*) FROM Vendor MAXRESULTS 3 STARTPOSITION 2")
	require.Nil(t, err)
	assert.True(t, q.count)
	assert.Equal(t, 2, q.start)

	q, err = parseQuery("SELECT Id, DisplayName FROM Customer ORDERBY DisplayName")
	require.Nil(t, err, "a projection is accepted (and ignored)")
	assert.Equal(t, []orderTerm{{path: []string{"DisplayName"}}}, q.orderBy)

	for src, want := range map[string]string{
		"":                  `Encountered "<EOF>" at line 1, column 1. Was expecting: SELECT`,
		"SELECT * Customer": `Encountered "Customer" at line 1, column 10. Was expecting: FROM`,
		"SELECT * FROM Customer WHERE A = 1 OR B = 2": "The OR operator is not supported",
		"SELECT * FROM Customer WHERE (A = 1)":        "Parentheses are not supported",
		"SELECT * FROM Customer WHERE A != 1":         "Operator != is not supported",
		"SELECT * FROM Customer WHERE A <> 1":         "Operator <> is not supported",
		"SELECT * FROM Customer WHERE A = 'open":      "Unterminated string literal",
		"SELECT * FROM Customer WHERE A = \"x\"":      `Lexical error at line 1, column 34`,
		"SELECT * FROM Customer WHERE A LIKE 5":       "Was expecting: a quoted pattern",
		"SELECT * FROM Customer WHERE A = B":          "Was expecting a value",
		"SELECT * FROM Customer ORDER DisplayName":    "Was expecting: BY",
		"SELECT * FROM Customer MAXRESULTS ten":       "an integer after MAXRESULTS",
		"SELECT * FROM Customer LIMIT 10":             `Encountered "LIMIT"`,
		"SELECT COUNT(Id) FROM Customer":              "Was expecting: *",
	} {
		_, err := parseQuery(src)
		require.NotNil(t, err, src)
		assert.False(t, err.validation, src)
		assert.Contains(t, err.detail, want, src)
	}
	_, err = parseQuery("SELECT * FROM Customer STARTPOSITION 0")
	require.NotNil(t, err)
	assert.True(t, err.validation)
	assert.Equal(t, "value 0 is too small. Min allowed value is 1", err.detail)
}

func TestLikeMatch(t *testing.T) {
	for _, tc := range []struct {
		s, pattern string
		want       bool
	}{
		{"amy's bird", "amy%", true}, {"amy's bird", "%bird", true}, {"amy's bird", "%'s%", true},
		{"amy's bird", "amy", false}, {"amy's bird", "amy's bird", true}, {"ab", "a%b%b", false},
		{"abb", "%ab%b", true}, {"a", "a%a", false}, {"", "%", true}, {"x_y", "x_y", true}, {"xzy", "x_y", false},
	} {
		assert.Equal(t, tc.want, likeMatch(tc.s, tc.pattern), "%q LIKE %q", tc.s, tc.pattern)
	}
}

func TestQueryOverHTTP(t *testing.T) {
	h := newHarness(t, Options{})
	amy := h.idOf("Customer", "DisplayName", "Amy's Bird Sanctuary")

	// Escaped apostrophes; keywords, entity, attribute names and values are case-insensitive.
	rows := h.rows(`sElEcT * FrOm customer WhErE displayname = 'AMY\'S BIRD SANCTUARY'`, "Customer")
	require.Len(t, rows, 1)
	assert.Equal(t, amy, rows[0]["Id"])
	assert.Equal(t, "QBO", rows[0]["domain"])

	assert.ElementsMatch(t, []string{"Bill's Windsurf Shop"}, names(h.rows("SELECT * FROM Customer WHERE DisplayName LIKE 'bill%'", "Customer"), "DisplayName"))
	assert.ElementsMatch(t, []string{"Amy's Bird Sanctuary", "Bill's Windsurf Shop"},
		names(h.rows(`SELECT * FROM Customer WHERE DisplayName LIKE '%\'s%'`, "Customer"), "DisplayName"))
	// SQL-style doubled quotes are not an escape in QBO's grammar.
	h.query("SELECT * FROM Customer WHERE DisplayName LIKE '%''s%'").requireFault(t, http.StatusBadRequest, "4000")

	cool := h.idOf("Customer", "DisplayName", "Cool Cars")
	assert.ElementsMatch(t, []string{amy, cool}, ids(h.rows(fmt.Sprintf("SELECT * FROM Customer WHERE Id IN ('%s', %s, '99999')", amy, cool), "Customer")))
	assert.Len(t, h.rows("SELECT * FROM Customer WHERE Id = '"+amy+"'", "Customer"), 1)

	// ParentRef compares by its value; nested MetaData attributes and dates work.
	freeman := h.idOf("Customer", "DisplayName", "Freeman Sporting Goods")
	jobs := h.rows("SELECT * FROM Customer WHERE ParentRef = '"+freeman+"' ORDERBY DisplayName DESC", "Customer")
	assert.Equal(t, []string{"55 Twin Lane", "0969 Ocean View Road"}, names(jobs, "DisplayName"))
	assert.Len(t, h.rows("SELECT * FROM Customer WHERE Job = true", "Customer"), 2)
	all := len(h.srv.Entities(h.realm, "Customer"))
	assert.Len(t, h.rows("SELECT * FROM Customer WHERE MetaData.LastUpdatedTime >= '2025-03-14'", "Customer"), all)
	assert.Len(t, h.rows("SELECT * FROM Customer WHERE Metadata.CreateTime > '2025-03-14T10:30:00-07:00'", "Customer"), 0)
	assert.Len(t, h.rows("SELECT * FROM Customer WHERE MetaData.CreateTime <= '2025-03-14T17:30:00Z'", "Customer"), all)

	// Amounts compare exactly as numbers.
	h.create("customer", "Customer", map[string]any{"DisplayName": "Owes", "Balance": "10.10"})
	assert.Equal(t, []string{"Owes"}, names(h.rows("SELECT * FROM Customer WHERE Balance > 10.09 AND Balance < '10.2'", "Customer"), "DisplayName"))

	// ORDER BY with a space is accepted; default order is by Id.
	byName := names(h.rows("SELECT * FROM Vendor ORDER BY DisplayName", "Vendor"), "DisplayName")
	assert.IsNonDecreasing(t, lower(byName))
	byID := ids(h.rows("SELECT * FROM Vendor", "Vendor"))
	assert.True(t, sort.SliceIsSorted(byID, func(i, j int) bool { return lessID(byID[i], byID[j]) }), "%v", byID)
}

func TestQueryPagingCountAndEmpty(t *testing.T) {
	h := newHarness(t, Options{})
	for i := 0; i < 12; i++ {
		h.create("vendor", "Vendor", map[string]any{"DisplayName": fmt.Sprintf("Paged Vendor %02d", i)})
	}
	q := "SELECT * FROM Vendor WHERE DisplayName LIKE 'Paged%' ORDERBY DisplayName"
	res := h.query(q + " STARTPOSITION 6 MAXRESULTS 5")
	require.Equal(t, http.StatusOK, res.status)
	qr := res.body["QueryResponse"].(map[string]any)
	assert.Equal(t, "6", num(qr["startPosition"]))
	assert.Equal(t, "5", num(qr["maxResults"]), "maxResults is the count returned")
	assert.Equal(t, []string{"Paged Vendor 05", "Paged Vendor 06", "Paged Vendor 07", "Paged Vendor 08", "Paged Vendor 09"},
		names(h.rows(q+" STARTPOSITION 6 MAXRESULTS 5", "Vendor"), "DisplayName"))
	last := h.query(q + " STARTPOSITION 11 MAXRESULTS 5").body["QueryResponse"].(map[string]any)
	assert.Equal(t, "2", num(last["maxResults"]))

	count := h.query("SELECT COUNT(*) FROM Vendor WHERE DisplayName LIKE 'Paged%' MAXRESULTS 1")
	assert.Equal(t, map[string]any{"totalCount": json.Number("12")}, count.body["QueryResponse"])

	empty := h.query("SELECT * FROM Customer WHERE DisplayName = 'Nobody'")
	require.Equal(t, http.StatusOK, empty.status)
	assert.Equal(t, map[string]any{}, empty.body["QueryResponse"], "no rows: {}")
	assert.Contains(t, string(empty.raw), `"QueryResponse":{}`)
	beyond := h.query(q + " STARTPOSITION 100")
	assert.Equal(t, map[string]any{}, beyond.body["QueryResponse"])

	// Default page is 100 rows; MAXRESULTS above 1000 clamps by default.
	for i := 0; i < 100; i++ {
		h.create("vendor", "Vendor", map[string]any{"DisplayName": fmt.Sprintf("Bulk %03d", i)})
	}
	assert.Len(t, h.rows("SELECT * FROM Vendor", "Vendor"), 100)
	assert.Len(t, h.rows("SELECT * FROM Vendor MAXRESULTS 5000", "Vendor"), 112+4)
}

func TestQueryActiveFilter(t *testing.T) {
	h := newHarness(t, Options{})
	c := h.create("customer", "Customer", map[string]any{"DisplayName": "Dormant"})
	h.create("customer", "Customer", map[string]any{"Id": c["Id"], "SyncToken": "0", "sparse": true, "Active": false})
	assert.Empty(t, h.rows("SELECT * FROM Customer WHERE DisplayName = 'Dormant'", "Customer"), "inactive hidden by default")
	assert.Len(t, h.rows("SELECT * FROM Customer WHERE DisplayName = 'Dormant' AND Active IN (true, false)", "Customer"), 1)
	assert.Len(t, h.rows("SELECT * FROM Customer WHERE Active = false", "Customer"), 1)
	assert.Len(t, h.rows("SELECT * FROM Customer WHERE Active = 'false'", "Customer"), 1)
}

func TestQueryErrorsOverHTTP(t *testing.T) {
	h := newHarness(t, Options{})
	for q, code := range map[string]string{
		"SELECT * FROM Customer WHERE Id LIKE '1%'":                  "4000",
		"SELECT * FROM Customer WHERE Id > '1'":                      "4000",
		"SELECT * FROM Customer WHERE DisplayName = 'a' OR Id = '1'": "4000",
		"SELECT * FROM Customer STARTPOSITION 0":                     "4001",
		"SELECT * FROM Customer MAXRESULTS 0":                        "4001",
		"SELECT * FROM Customer WHERE Nickname = 'x'":                "4001",
		"SELECT * FROM Customer ORDERBY Nickname":                    "4001",
		"SELECT * FROM Invoices":                                     "4001",
		"DELETE FROM Customer":                                       "4000",
	} {
		e := h.query(q).requireFault(t, http.StatusBadRequest, code)
		if code == "4001" {
			assert.Equal(t, "Invalid query", e["Message"], q)
			assert.True(t, strings.HasPrefix(e["Detail"].(string), "QueryValidationError: "), q)
		} else {
			assert.Equal(t, "Error parsing query", e["Message"], q)
			assert.True(t, strings.HasPrefix(e["Detail"].(string), "QueryParserError: "), q)
		}
	}
	e := h.query("SELECT * FROM Customer STARTPOSITION 0").fault(t)
	assert.Equal(t, "QueryValidationError: value 0 is too small. Min allowed value is 1", e["Detail"])

	strict := newHarness(t, Options{RejectMaxResultsOver1000: true})
	strict.query("SELECT * FROM Customer MAXRESULTS 1001").requireFault(t, http.StatusBadRequest, "4001")
}

func TestQueryByPOST(t *testing.T) {
	h := newHarness(t, Options{})
	res := h.do(http.MethodPost, "query?minorversion=65", "SELECT * FROM Customer WHERE DisplayName = 'Cool Cars'", "application/text")
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	assert.Len(t, res.body["QueryResponse"].(map[string]any)["Customer"], 1)
	h.do(http.MethodPost, "query", `{"query":"SELECT * FROM Customer"}`, "application/json").requireFault(t, http.StatusBadRequest, "500")
}

func ids(rows []map[string]any) []string { return names(rows, "Id") }

func lower(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(s)
	}
	return out
}
