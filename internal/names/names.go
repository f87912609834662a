// Package names is qbosync's one rule for names and markers in QuickBooks: how a
// practice name is cleaned for QuickBooks (Clean), how QuickBooks compares names (Key,
// Same), how long names are cut (Truncate), and the marker qbosync writes into the
// internal notes of the objects it creates (Marker; a transaction's PrivateNote, a
// customer's or vendor's Notes, never a description a bookkeeper reads). Posting, the
// wizard's validation, namesake detection, the ledger and the adoption rule all use
// it, so a name means one thing everywhere. It imports only the standard library, so
// anything may use it.
package names

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean makes a practice name acceptable to QBO without changing what it says:
// a colon (QBO's hierarchy separator) becomes " -", tabs and line breaks become spaces,
// control characters and the invisible marks that reorder text (bidi overrides and
// isolates) are dropped, runs of white space fold to one, and the ends are trimmed.
//
// It is the one name rule of qbosync: posting, the wizard's validation, namesake
// detection, the ledger and the adoption rule all compare names through it (Key),
// so two spellings QuickBooks would take for one name are one name everywhere.
func Clean(s string) string {
	return CleanText(strings.ReplaceAll(s, ":", " -"))
}

// CleanText is Clean for text that is not a name (a memo, a note): the same control
// and invisible characters go and white space folds, but a colon stays, since only
// names give it a meaning in QuickBooks.
func CleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r), isInvisibleFormat(r):
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// isInvisibleFormat reports the format characters that change how text is shown
// without being seen: bidi embeddings, overrides and isolates (U+202A-U+202E,
// U+2066-U+2069), the directional marks (U+200E, U+200F, U+061C), zero-width
// characters and the byte-order mark. A name carrying them can look like another name,
// or reorder what follows it on an operator's terminal.
func isInvisibleFormat(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r >= 0x200B && r <= 0x200F:
		return true
	case r == 0x061C, r == 0xFEFF, r == 0x2060:
		return true
	}
	return false
}

// Key is how QuickBooks compares names: after Clean, without regard to case.
// Two names with the same key are one name in QuickBooks (it refuses the second with
// 6240), so every "is this name taken" question in qbosync compares keys.
func Key(s string) string { return strings.ToLower(Clean(s)) }

// Same reports whether QuickBooks would take a and b for the same name.
func Same(a, b string) bool { return Key(a) == Key(b) }

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
// recognised as the one standing for a practice record of a firm, e.g. after a lost
// response: "qbosync:client:12/f7" is client 12 of firm 7.
//
// The firm is part of the marker because a QuickBooks company may have been linked to
// another firm before (or by hand to two): a record id, or a payee's name, means
// nothing across firms, and an object carrying another firm's marker is never adopted.
func Marker(firm int64, kind string, id int64) string {
	return MarkerFor(firm, kind, strconv.FormatInt(id, 10))
}

// MarkerFor is the marker of a record whose key is not a single id, such as the part
// "12-3" of payment 12 that pays matter 3's invoices. Keys must not contain spaces.
func MarkerFor(firm int64, kind, key string) string {
	return "qbosync:" + kind + ":" + key + "/f" + strconv.FormatInt(firm, 10)
}

// markerPrefix starts every marker qbosync writes.
const markerPrefix = "qbosync:"

// MarkerIn returns the first marker of qbosync's in notes, or "".
func MarkerIn(notes string) string {
	for _, word := range strings.Fields(notes) {
		if strings.HasPrefix(word, markerPrefix) {
			return word
		}
	}
	return ""
}

// HasAnyMarker reports whether notes carry a marker of qbosync's, of any record or
// firm: such an object stands for something already, and no matching rule may adopt
// it for another record.
func HasAnyMarker(notes string) bool { return strings.Contains(notes, markerPrefix) }
