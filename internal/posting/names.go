package posting

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/qbosync/qbosync/internal/qbo"
)

// QBO's limits on names (reference/qbo-api.md §2.1).
const (
	MaxDisplayName = 500
	MaxPersonName  = 100 // GivenName, FamilyName
	MaxCompanyName = 100
	MaxEmail       = 100
	MaxPhone       = 30
	MaxNotes       = 2000
)

// CleanName makes a practice name acceptable to QBO without changing what it says:
// a colon (QBO's hierarchy separator) becomes " -", tabs and line breaks become spaces,
// runs of white space fold to one, and the ends are trimmed.
func CleanName(s string) string {
	s = strings.ReplaceAll(s, ":", " -")
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// Truncate shortens s to at most max characters (not bytes), marking the cut with an
// ellipsis so a reader sees the name goes on in the practice system.
func Truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return strings.TrimRightFunc(string(r[:max-1]), unicode.IsSpace) + "…"
}

// Marker is the tag qbosync writes into a QBO object's notes so that the object can be
// recognised as the one standing for a practice record, e.g. after a lost response.
func Marker(kind string, id int64) string {
	return MarkerFor(kind, strconv.FormatInt(id, 10))
}

// MarkerFor is the marker of a record whose key is not a single id, such as the part
// "12-3" of payment 12 that pays matter 3's invoices. Keys must not contain spaces.
func MarkerFor(kind, key string) string {
	return "qbosync:" + kind + ":" + key
}

// HasMarker reports whether notes carry exactly this marker (not one that merely starts
// with it: client 1 must not match qbosync:client:12). It is the rule QBO lookups use.
func HasMarker(notes, marker string) bool { return qbo.HasMarker(notes, marker) }

// validEmail applies QBO's rule: at most 100 characters, with an @ and a dot after it.
func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.ContainsAny(s, " \t\r\n") &&
		utf8.RuneCountInString(s) <= MaxEmail && !strings.HasSuffix(s, ".")
}
