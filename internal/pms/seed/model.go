package seed

import (
	"fmt"
	"time"
)

// The generator builds the whole firm in memory first, as plain records that point at
// each other by their index in the dataset, and only then writes it (insert.go). Keeping
// generation free of I/O makes it deterministic and cheap to reason about: the database
// only hands out ids.

// none marks an absent reference (a NULL foreign key).
const none = -1

// date is a calendar day, counted from 1970-01-01. Plain integers keep date arithmetic
// exact and comparisons trivial; the database receives them as "YYYY-MM-DD".
type date int

// noDate is an absent date (NULL). No seeded record is dated 1970-01-01.
const noDate date = 0

func dateOf(t time.Time) date {
	y, m, d := t.Date()
	return date(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func (d date) time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

func (d date) String() string { return d.time().Format(time.DateOnly) }

// monthEnd is the last day of d's month.
func (d date) monthEnd() date {
	t := d.time()
	return dateOf(time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC))
}

// sql is the value to send to the database: NULL for noDate.
func (d date) sql() any {
	if d == noDate {
		return nil
	}
	return d.String()
}

// share is cents × num / den rounded half up to a whole cent, in integer arithmetic:
// money is never a float. All operands are non-negative, so half up is also half away
// from zero.
func share(cents, num, den int64) int64 {
	return (cents*num + den/2) / den
}

// mulHundredths is the amount of a quantity kept in hundredths (hours, miles, copies) at
// a price in cents: round(quantity × price).
func mulHundredths(hundredths, cents int64) int64 {
	return share(cents, hundredths, 100)
}

// decimal renders a quantity kept in hundredths as a numeric(…, 2) literal.
func decimal(hundredths int64) string {
	return fmt.Sprintf("%d.%02d", hundredths/100, hundredths%100)
}

type role int

const (
	partner role = iota
	associate
	paralegal
)

type timekeeper struct {
	name, initials string
	role           role
	rateCents      int64
	// quarterHours: this timekeeper records time in 0.25 h steps instead of 0.1 h.
	quarterHours bool
	// former timekeepers have left the firm (inactive) on leftOn, with time recorded before.
	former bool
	leftOn date
}

type client struct {
	number, kind, name                     string
	given, family, company                 string
	email, phone                           string
	address, city, region, postal, country string
	archived                               bool
}

type matter struct {
	client               int
	number, name, status string
	responsible          int
	opened, closed       date
	team                 []int // timekeepers who work on it, the responsible partner first
	trustAccount         int   // the trust account holding its client money, or none
	flatFee              bool  // billed as one flat fee; other time is recorded as non-billable
	discountPct          int   // a negotiated discount on every timekeeper's rate
	payInFull            bool  // every bill paid: the client has since been archived
	billFirstMonth       bool  // always billed at its first month end
}

// lastWorkDay is the last day anything can happen on the matter.
func (m *matter) lastWorkDay(today date) date {
	if m.closed != noDate {
		return m.closed
	}
	return today - 1
}

type bankAccount struct {
	kind, name, institution, last4 string
}

type timeEntry struct {
	matter, timekeeper int
	worked             date
	hundredths         int64 // hours × 100
	rateCents          int64
	amountCents        int64
	flatFee, billable  bool
	description        string
	invoice            int
}

type expense struct {
	matter        int
	kind          string // "hard" or "soft"
	incurred      date
	description   string
	qtyHundredths int64
	unitCents     int64
	amountCents   int64
	payee         string
	paidFrom      int
	checkNumber   string
	billable      bool
	invoice       int
}

type invoice struct {
	matter         int
	number, status string
	issued, due    date
	totalCents     int64
	memo           string
}

type invoiceLine struct {
	invoice, lineNo int
	itemType        string
	service         date
	description     string
	qtyHundredths   int64
	rateCents       int64
	amountCents     int64
	timeEntry       int
	expense         int
}

type payment struct {
	client            int
	source            string // "operating" or "trust"
	account           int
	received          date
	amountCents       int64
	method, reference string
}

type allocation struct {
	payment, invoice int
	amountCents      int64
}

type adjustment struct {
	invoice     int
	kind        string
	on          date
	amountCents int64
	reason      string
}

type depositSlip struct {
	account    int
	number     string
	on         date
	totalCents int64
}

type trustTxn struct {
	account, matter               int
	kind                          string
	on                            date
	amountCents                   int64
	payee, reference, description string
	slip, payment                 int
}

// dataset is one firm's practice records, in insertion order.
type dataset struct {
	timekeepers []timekeeper
	clients     []client
	matters     []matter
	accounts    []bankAccount
	timeEntries []timeEntry
	expenses    []expense
	invoices    []invoice
	lines       []invoiceLine
	payments    []payment
	allocations []allocation
	adjustments []adjustment
	slips       []depositSlip
	trustTxns   []trustTxn
}
