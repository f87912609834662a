package settings

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// SummaryRow is one printed setting.
type SummaryRow struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// SummarySection is one printed category.
type SummarySection struct {
	Title string       `json:"title"`
	Rows  []SummaryRow `json:"rows"`
}

// Header is what the summary says about whose settings these are.
type Header struct {
	FirmName    string
	FirmID      int64
	CompanyName string
	RealmID     string
	// Status is a sentence: "Draft, not submitted" or "Submitted on ...; frozen".
	Status string
}

// notUsed marks a setting that does not matter with the other answers.
const notUsed = "not used"

// ModeLabel is how a mode is named on pages and in the summary.
func ModeLabel(m Mode) string {
	switch m {
	case ModeDefault:
		return "Default settings"
	case ModeCustomize:
		return "Customized settings"
	}
	return "(not chosen)"
}

// SummarySections lists every setting by category, for a printable page.
func (s Settings) SummarySections() []SummarySection {
	c := s.Clone()
	out := make([]SummarySection, 0, len(Sections))
	for _, sec := range Sections {
		ss := SummarySection{Title: sec.Title()}
		for _, f := range c.Fields(sec) {
			v := f.Display
			if f.Off {
				v = notUsed
			}
			ss.Rows = append(ss.Rows, SummaryRow{Label: f.Label, Value: v})
		}
		if len(ss.Rows) == 0 {
			ss.Rows = append(ss.Rows, SummaryRow{Label: "Accounts", Value: "the firm has none of this kind"})
		}
		out = append(out, ss)
	}
	return out
}

// Summary is the settings as plain text, to print and keep: after Submit they cannot
// change without linking a different QuickBooks company.
func (s Settings) Summary(h Header) string {
	var b strings.Builder
	b.WriteString("qbosync: QuickBooks Online integration settings\n\n")
	head := []SummaryRow{
		{"Firm", fmt.Sprintf("%s (firm %d)", h.FirmName, h.FirmID)},
		{"QuickBooks company", companyLabel(h.CompanyName, h.RealmID)},
		{"Mode", ModeLabel(s.Mode)},
		{"Status", h.Status},
	}
	writeRows(&b, "", head)
	for i, sec := range s.SummarySections() {
		b.WriteString(fmt.Sprintf("\n%d. %s\n", i+1, sec.Title))
		writeRows(&b, "   ", sec.Rows)
	}
	return b.String()
}

func companyLabel(name, realm string) string {
	if realm == "" {
		return "(not connected)"
	}
	return fmt.Sprintf("%s (company %s)", name, realm)
}

// writeRows prints label/value pairs with the values lined up. (Sprintf rather than
// Fprintf: the summary is built in workflow code, where writers count as I/O.)
func writeRows(b *strings.Builder, indent string, rows []SummaryRow) {
	width := 0
	for _, r := range rows {
		width = max(width, utf8.RuneCountInString(r.Label))
	}
	for _, r := range rows {
		pad := strings.Repeat(" ", width-utf8.RuneCountInString(r.Label))
		b.WriteString(fmt.Sprintf("%s%s:%s  %s\n", indent, r.Label, pad, r.Value))
	}
}
