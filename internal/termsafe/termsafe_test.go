package termsafe_test

import (
	"testing"

	"github.com/qbosync/qbosync/internal/termsafe"
)

func TestStringLeavesOrdinaryTextAlone(t *testing.T) {
	for _, s := range []string{
		"", "Hall Properties (C-0009)", "Müller & Söhne GmbH", "José Ñúñez", "Łódź Sp. z o.o.",
		"Ωmega Δ", "東京法律事務所", "שלום", "مكتب المحاماة", "Tenant Eviction – 22 Mill St.",
		"O'Brien \"Bob\" \\ Co", "non\u00a0breaking space", "e\u0301 (combining accent)",
		"می\u200cخواهم", "👩\u200d⚖️ judge", "$1,234.56 — paid",
	} {
		if got := termsafe.String(s); got != s {
			t.Errorf("String(%q) = %q, want it unchanged", s, got)
		}
	}
}

func TestStringEscapesWhatATerminalWouldActOn(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"\x1b]0;pwned\x07Evil\u202eCo", `\x1b]0;pwned\aEvil\u202eCo`},
		{"\x1b[2J\x1b[HClear", `\x1b[2J\x1b[HClear`},
		{"a\x00b\x7fc", `a\x00b\x7fc`},
		{"line\nbreak\rreturn\ttab", `line\nbreak\rreturn\ttab`},
		{"C1 \u009b31m CSI and \u0085 NEL", `C1 \u009b31m CSI and \u0085 NEL`},
		{"\u202aLRE \u202bRLE \u202cPDF \u202dLRO \u202eRLO", `\u202aLRE \u202bRLE \u202cPDF \u202dLRO \u202eRLO`},
		{"\u2066LRI \u2067RLI \u2068FSI \u2069PDI", `\u2066LRI \u2067RLI \u2068FSI \u2069PDI`},
		{"\u200eLRM \u200fRLM \u061cALM", `\u200eLRM \u200fRLM \u061cALM`},
		{"zero\u200bwidth\ufeffBOM", `zero\u200bwidth\ufeffBOM`},
		{"line\u2028sep\u2029para", `line\u2028sep\u2029para`},
		{"bad \xff\xfe bytes", `bad \xff\xfe bytes`},
		{"Müller\x1b[31m", `Müller\x1b[31m`},
	} {
		if got := termsafe.String(c.in); got != c.want {
			t.Errorf("String(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestTextKeepsLineBreaksAndEscapesTheRest(t *testing.T) {
	in := "config: secrets.key is wrong\nclient \x1b[2JEvil\u202eCo\r\n"
	want := "config: secrets.key is wrong\nclient \\x1b[2JEvil\\u202eCo\\r\n"
	if got := termsafe.Text(in); got != want {
		t.Errorf("Text(%q) = %q, want %q", in, got, want)
	}
}
