package settings

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/qbosync/qbosync/internal/names"
)

// PreviewExamples is how many QuickBooks names a preview line shows.
const PreviewExamples = 5

// PreviewLine is one kind of QuickBooks object the first sync will post.
type PreviewLine struct {
	Section Section `json:"section"`
	Title   string  `json:"title"`
	Entity  string  `json:"entity"` // the QBO entity posted
	Count   int     `json:"count"`
	// TotalCents is the sum of the amounts, for transactions.
	TotalCents int64    `json:"total_cents"`
	HasTotal   bool     `json:"has_total"`
	Examples   []string `json:"examples,omitempty"`
	Note       string   `json:"note,omitempty"`
}

// Preview is what the first sync will post with a firm's settings: the Review page
// shows it before the firm submits.
type Preview struct {
	StartDate string        `json:"start_date"`
	Lines     []PreviewLine `json:"lines"`
}

// FormatCents writes cents as dollars: 123456 -> "$1,234.56".
func FormatCents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	whole := strconv.FormatInt(c/100, 10)
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("%s$%s.%02d", sign, b.String(), c%100)
}

// Total is the line's total as dollars, or "" when it has none.
func (l PreviewLine) Total() string {
	if !l.HasTotal {
		return ""
	}
	return FormatCents(l.TotalCents)
}

// maxExample keeps a preview's examples to a line each.
const maxExample = 80

// AddExample adds a name to the line's examples, if it has room for more.
func (l *PreviewLine) AddExample(name string) {
	if len(l.Examples) < PreviewExamples {
		l.Examples = append(l.Examples, names.Truncate(name, maxExample))
	}
}

// Text is the preview as plain text for the printable settings: what the first sync
// posts, line by line, with each line's count, total and note.
func (p Preview) Text() string {
	var b strings.Builder
	b.WriteString(fmt.Sprintf("What the first sync posts (records from %s, worked out at the review):\n", p.StartDate))
	for _, l := range p.Lines {
		b.WriteString(fmt.Sprintf("   %s (%s): %d", l.Title, l.Entity, l.Count))
		if t := l.Total(); t != "" {
			b.WriteString(", " + t)
		}
		b.WriteString("\n")
		if l.Note != "" {
			b.WriteString("      " + l.Note + "\n")
		}
	}
	return b.String()
}
