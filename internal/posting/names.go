package posting

import (
	"strings"
	"unicode/utf8"

	"github.com/qbosync/qbosync/internal/qbo"
)

// QBO's limits on names (docs/qbo-api.md, "Names and their limits").
const (
	MaxDisplayName = 500
	MaxPersonName  = 100 // GivenName, FamilyName
	MaxCompanyName = 100
	MaxEmail       = 100
	MaxPhone       = 30
	MaxNotes       = 2000
)

// HasMarker reports whether notes carry exactly this marker (not one that merely starts
// with it: client 1 must not match qbosync:client:12). It is the rule QBO lookups use.
func HasMarker(notes, marker string) bool { return qbo.HasMarker(notes, marker) }

// validEmail applies QBO's rule: at most 100 characters, with an @ and a dot after it.
func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.ContainsAny(s, " \t\r\n") &&
		utf8.RuneCountInString(s) <= MaxEmail && !strings.HasSuffix(s, ".")
}
