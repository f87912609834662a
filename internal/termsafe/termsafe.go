// Package termsafe makes text that comes from outside qbosync safe to print on an
// operator's terminal.
//
// Client names, matter names, memos, and the explanations that quote them come from the
// practice system and from QuickBooks, where anyone who can type a client's name can
// put control characters in it. Printed raw, an escape sequence can retitle the
// terminal, move the cursor or rewrite what is already on the screen, and a
// bidirectional override (U+202E) shows a line in another order than it reads. So the
// CLI prints such text through String or Text, which show those characters escaped,
// and leave ordinary text, "Müller" and "José" included, as it is.
package termsafe

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// String returns s with every character a terminal would act on, or that would not
// show, escaped as Go quotes it: C0 and C1 controls and DEL (`\x1b`, `\a`, `\n`,
// `\u009b`), format characters such as the bidirectional controls U+200E, U+200F,
// U+202A..U+202E and U+2066..U+2069 (`\u202e`), line and paragraph separators, and
// bytes that are not UTF-8 (`\xff`). The zero-width (non-)joiners U+200C and U+200D
// stay: words in Persian and Indic scripts, and emoji, need them, and they move
// nothing.
func String(s string) string { return escape(s, false) }

// Text is String for text of several lines, such as an error that joins several: its
// line breaks stay, and everything else String escapes is escaped.
func Text(s string) string { return escape(s, true) }

func escape(s string, keepNewlines bool) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case shows(r) || r == '\n' && keepNewlines:
			b.WriteString(s[i : i+size])
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
		i += size
	}
	return b.String()
}

// shows reports whether r prints as itself: letters, marks, numbers, punctuation,
// symbols and spaces do; controls, format characters (the joiners excepted),
// separators and code points Unicode has not assigned do not.
func shows(r rune) bool {
	return unicode.IsGraphic(r) || r == '\u200c' || r == '\u200d'
}
