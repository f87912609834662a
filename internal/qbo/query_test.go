package qbo

import (
	"strings"
	"testing"
	"time"
)

func TestQueryBuild(t *testing.T) {
	tests := []struct {
		q    *Query
		want string
	}{
		{Select("Customer"), `SELECT * FROM Customer`},
		{SelectCount("Invoice"), `SELECT COUNT(*) FROM Invoice`},
		{Select("Customer").Where("DisplayName", "=", "O'Brien"),
			`SELECT * FROM Customer WHERE DisplayName = 'O\'Brien'`},
		{Select("Customer").Where("DisplayName", "=", `back\slash`),
			`SELECT * FROM Customer WHERE DisplayName = 'back\\slash'`},
		{Select("Customer").Where("DisplayName", "=", `ends in \`),
			`SELECT * FROM Customer WHERE DisplayName = 'ends in \\'`},
		{Select("Customer").Where("DisplayName", "=", `\'`),
			`SELECT * FROM Customer WHERE DisplayName = '\\\''`},
		{Select("Customer").Where("DisplayName", "=", "Müller & Associés 100%"),
			`SELECT * FROM Customer WHERE DisplayName = 'Müller & Associés 100%'`},
		{Select("Customer").Where("DisplayName", "like", "O'Br%"),
			`SELECT * FROM Customer WHERE DisplayName LIKE 'O\'Br%'`},
		{Select("Customer").Where("DisplayName", "=", "Smith v. Jones").Where("Active", "IN", List(true, false)),
			`SELECT * FROM Customer WHERE DisplayName = 'Smith v. Jones' AND Active IN (true, false)`},
		{Select("Customer").Where("Id", "in", List("1", "5000000000000007280")),
			`SELECT * FROM Customer WHERE Id IN ('1', '5000000000000007280')`},
		{Select("Invoice").Where("CustomerRef", "=", "58").Where("TotalAmt", ">", Amount(30000)),
			`SELECT * FROM Invoice WHERE CustomerRef = '58' AND TotalAmt > '300.00'`},
		{Select("Invoice").Where("MetaData.LastUpdatedTime", ">=", time.Date(2024, 1, 15, 9, 30, 0, 0, time.FixedZone("PST", -8*3600))),
			`SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime >= '2024-01-15T09:30:00-08:00'`},
		{Select("Item").Where("Level", "<=", 2).Where("Level", "<", uint8(3)),
			`SELECT * FROM Item WHERE Level <= 2 AND Level < 3`},
		{Select("Customer").OrderBy("DisplayName").OrderByDesc("Id"),
			`SELECT * FROM Customer ORDERBY DisplayName, Id DESC`},
		{Select("Customer").Where("Active", "=", false).OrderBy("Id"),
			`SELECT * FROM Customer WHERE Active = false ORDERBY Id`},
	}
	for _, tt := range tests {
		got, err := tt.q.Build()
		if err != nil || got != tt.want {
			t.Errorf("got  %s, %v\nwant %s", got, err, tt.want)
		}
		if s := tt.q.String(); s != tt.want {
			t.Errorf("String() = %s, want %s", s, tt.want)
		}
	}
}

func TestQueryRejects(t *testing.T) {
	tests := []struct {
		q    *Query
		want string
	}{
		{Select("Customer").Where("DisplayName", "!=", "x"), `operator "!=" is not supported`},
		{Select("Customer").Where("DisplayName", "<>", "x"), "not supported"},
		{Select("Customer").Where("DisplayName", "OR", "x"), "not supported"},
		{Select("Customer").Where("DisplayName", "NOT IN", List("x")), "not supported"},
		{Select("Customer").Where("Id", ">", "5"), "only = and IN on Id"},
		{Select("Customer").Where("id", "LIKE", "5%"), "only = and IN on Id"},
		{Select("Customer").Where("Id", "IN", "5"), "IN needs a List"},
		{Select("Customer").Where("Id", "IN", List()), "at least one value"},
		{Select("Customer").Where("Id", "=", List("5")), "single value"},
		{Select("Customer").Where("Balance", "LIKE", 5), "LIKE needs a string"},
		{Select("Customer").Where("Balance", ">", 12.5), "cannot use a float64"},
		{Select("Customer").Where("Active", "IN", List(true, 1.5)), "cannot use a float64"},
		{Select("Customer").Where("DisplayName = 'x' OR 1", "=", "y"), "bad field name"},
		{Select("Customer").Where("", "=", "y"), "bad field name"},
		{Select("Customer").Where("MetaData.", "=", "y"), "bad field name"},
		{Select("Customer").OrderBy("Id; DROP"), "bad field name"},
		{Select("Customer WHERE 1"), "bad entity name"},
		{Select(""), "bad entity name"},
		// The first mistake wins and later calls do not hide it.
		{Select("Customer").Where("Id", ">", "5").Where("DisplayName", "=", "ok"), "only = and IN on Id"},
	}
	for _, tt := range tests {
		got, err := tt.q.Build()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Build() = %q, %v; want error containing %q", got, err, tt.want)
		}
		if s := tt.q.String(); !strings.HasPrefix(s, "<qbo: query") {
			t.Errorf("String() of an invalid query = %q", s)
		}
	}
}

// unquote reads a QBO string literal at the start of s the way QBO's
// parser does (a backslash escapes the next character) and returns its
// value and the rest of s.
func unquote(s string) (value, rest string, ok bool) {
	if !strings.HasPrefix(s, "'") {
		return "", s, false
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 == len(s) {
				return "", s, false
			}
			i++
			b.WriteByte(s[i])
		case '\'':
			return b.String(), s[i+1:], true
		default:
			b.WriteByte(s[i])
		}
	}
	return "", s, false
}

func TestQuoteTable(t *testing.T) {
	for _, s := range []string{"", "plain", "O'Brien", `C:\path\`, `\`, `'`, `''`, `\'`, "Ørsted ñ 東京", "50% off", "tab\tnew\nline"} {
		q := Quote(s)
		got, rest, ok := unquote(q)
		if !ok || got != s || rest != "" {
			t.Errorf("Quote(%q) = %s reads back as %q rest %q ok %v", s, q, got, rest, ok)
		}
	}
}

func FuzzQuote(f *testing.F) {
	for _, s := range []string{"O'Brien", `a\`, `\'`, "Ærø %_", "x' OR '1'='1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Select("Customer").Where("DisplayName", "=", s).Build()
		if err != nil {
			t.Fatal(err)
		}
		lit := strings.TrimPrefix(q, "SELECT * FROM Customer WHERE DisplayName = ")
		got, rest, ok := unquote(lit)
		// The literal must hold exactly s and end the query: nothing in s
		// can close it early and add a clause.
		if !ok || got != s || rest != "" {
			t.Fatalf("value %q became %s: reads %q, rest %q", s, lit, got, rest)
		}
	})
}
