package seed

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// params are the knobs that differ between sizes. Everything else, including every edge
// case, is the same in both.
type params struct {
	clients, matters int
	// timekeepers generated in addition to the base team
	partners, associates, paralegals int
	// mean time entries per matter per 30 days it is open
	entriesPerMonth float64
	// chance that a matter with unbilled work is billed at a month end
	billChance float64
}

var sizeParams = map[Size]params{
	SizeSmall: {clients: 15, matters: 25, entriesPerMonth: 2.0, billChance: 0.15},
	SizeMedium: {clients: 200, matters: 500, partners: 3, associates: 6, paralegals: 2,
		entriesPerMonth: 2.5, billChance: 0.33},
	SizeLarge: {clients: 1000, matters: 2500, partners: 8, associates: 18, paralegals: 5,
		entriesPerMonth: 2.5, billChance: 0.33},
}

// Bank accounts, by index in dataset.accounts.
const (
	acctOperating = iota // receives client payments, pays most hard costs
	acctCosts            // a second operating account that pays some hard costs
	acctIOLTA            // the pooled client trust account
	acctEscrow           // a second trust account for real-estate escrow
)

// historyDays is how far back the firm's records go: about 18 months before today.
const historyDays = 548

// generator holds the random source and the indexes built while generating. Every
// collection it iterates is a slice, so the output depends only on the seed.
type generator struct {
	rnd   *rand.Rand
	p     params
	today date
	start date
	d     dataset

	byRole         [3][]int // timekeepers by role
	matterEntries  [][]int  // each matter's time entries, in date order
	matterExpenses [][]int  // each matter's expenses, in date order
	matterInvoices [][]int  // each matter's invoices, in issue order
	ledgers        []ledger // each matter's trust ledger
	emails         map[string]bool
	reserved       map[string]bool // edge-case names the generated clients must not repeat

	// seen records which must-have records exist yet (see chanceOrFirst).
	seen struct{ draft, void, interest, trustPayment, disbursement, splitRetainer bool }
	// fates the receivables still owe the demo (see receivables.go).
	required []fate
}

func generate(size Size, seed int64, today date) *dataset {
	g := &generator{
		// A fixed second word keeps the stream a pure function of Seed.
		rnd:      rand.New(rand.NewPCG(uint64(seed), 0x71b05c0de5eed)),
		p:        sizeParams[size],
		today:    today,
		start:    today - historyDays,
		emails:   map[string]bool{},
		reserved: map[string]bool{},
		required: slices.Clone(requiredFates),
	}
	g.addTimekeepers()
	g.addBankAccounts()
	g.addClientsAndMatters()
	g.matterEntries = make([][]int, len(g.d.matters))
	g.matterExpenses = make([][]int, len(g.d.matters))
	for mi := range g.d.matters {
		g.addWork(mi)
	}
	g.numberChecks()
	g.matterInvoices = make([][]int, len(g.d.matters))
	for mi := range g.d.matters {
		g.bill(mi)
	}
	g.numberInvoices()
	g.ledgers = make([]ledger, len(g.d.matters))
	g.trustDeposits()
	g.receivables()
	g.disbursements()
	g.closeOutTrust()
	g.numberTrustChecks()
	g.depositSlips()
	return &g.d
}

func (g *generator) between(lo, hi int) int { return lo + g.rnd.IntN(hi-lo+1) }

func (g *generator) chance(p float64) bool { return g.rnd.Float64() < p }

// chanceOrFirst is chance(p), except that it is true the first time it is asked about a
// kind of record the demo must contain at least once, so that even a small firm has it.
func (g *generator) chanceOrFirst(seen *bool, p float64) bool {
	if !*seen || g.chance(p) {
		*seen = true
		return true
	}
	return false
}

func pick[T any](g *generator, xs []T) T { return xs[g.rnd.IntN(len(xs))] }

// inDateOrder returns the indexes 0..n-1 ordered by their date, ties by index, for
// numbering records (matters, invoices, checks) in the order they happened.
func inDateOrder(n int, on func(i int) date) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return int(on(a) - on(b)) })
	return order
}

func (g *generator) addTimekeepers() {
	tks := baseTimekeepers()
	for _, n := range []struct {
		role             role
		count            int
		minRate, maxRate int // in $5 steps
	}{
		{partner, g.p.partners, 90, 139},
		{associate, g.p.associates, 50, 75},
		{paralegal, g.p.paralegals, 28, 40},
	} {
		for range n.count {
			tks = append(tks, timekeeper{
				name:      pick(g, givenNames) + " " + pick(g, familyNames),
				role:      n.role,
				rateCents: int64(g.between(n.minRate, n.maxRate)) * 500,
			})
		}
	}
	for i := range tks {
		tks[i].initials = initials(tks[i].name)
		if tks[i].former {
			tks[i].leftOn = g.today - 150
		}
		g.byRole[tks[i].role] = append(g.byRole[tks[i].role], i)
	}
	g.d.timekeepers = tks
}

func (g *generator) addBankAccounts() {
	g.d.accounts = []bankAccount{
		acctOperating: {kind: "operating", name: "Operating Account", institution: "First National Bank", last4: "4821"},
		acctCosts:     {kind: "operating", name: "Cost Advance Account", institution: "Pacific Coast Credit Union", last4: "0917"},
		acctIOLTA:     {kind: "trust", name: "IOLTA Trust Account", institution: "First National Bank", last4: "3390"},
		acctEscrow:    {kind: "trust", name: "Real Estate Escrow Trust", institution: "Pacific Coast Credit Union", last4: "7702"},
	}
}

// normName is a name as a person would compare it: case and outer spaces ignored.
func normName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func (g *generator) addClientsAndMatters() {
	edges := edgeClients()
	for _, e := range edges {
		g.reserved[normName(e.client.name)] = true
		g.emails[e.client.email] = true
	}
	for len(edges) < g.p.clients {
		edges = append(edges, edgeClient{client: g.randomClient()})
	}
	// Spread the edge cases among the generated clients rather than numbering them first.
	g.rnd.Shuffle(len(edges), func(i, j int) { edges[i], edges[j] = edges[j], edges[i] })
	for ci, e := range edges {
		c := e.client
		c.number = fmt.Sprintf("C-%04d", ci+1)
		g.fillContact(&c)
		g.d.clients = append(g.d.clients, c)
		for _, em := range e.matters {
			g.addMatter(ci, em)
		}
	}
	// Every generated client has a matter; the rest go to clients at random.
	for ci, e := range edges {
		if e.matters == nil {
			g.addMatter(ci, edgeMatter{})
		}
	}
	for len(g.d.matters) < g.p.matters {
		if ci := g.rnd.IntN(len(g.d.clients)); !g.d.clients[ci].archived {
			g.addMatter(ci, edgeMatter{})
		}
	}
	// Matter numbers run per year of opening, in opening order: "2026-0001".
	perYear := map[int]int{}
	for _, mi := range inDateOrder(len(g.d.matters), func(i int) date { return g.d.matters[i].opened }) {
		m := &g.d.matters[mi]
		y := m.opened.time().Year()
		perYear[y]++
		m.number = fmt.Sprintf("%d-%04d", y, perYear[y])
	}
}

func (g *generator) randomClient() client {
	for {
		var c client
		cityName := pick(g, cities).name
		if g.chance(0.7) {
			given, family := pick(g, givenNames), pick(g, familyNames)
			c = person(given, family, "", cityName)
			if !g.chance(0.05) {
				c.email = g.uniqueEmail(asciiSlug(given, ".")+"."+asciiSlug(family, ""), pick(g, []string{"example.com", "example.net", "example.org"}))
			}
		} else {
			var name string
			switch g.rnd.IntN(3) {
			case 0:
				name = pick(g, familyNames) + " " + pick(g, companyIndustries) + pick(g, companySuffixes)
			case 1:
				name = pick(g, companyPlaces) + " " + pick(g, companyIndustries) + pick(g, companySuffixes)
			default:
				name = pick(g, familyNames) + " & " + pick(g, familyNames) + pick(g, []string{" LLP", " Associates", ", P.C."})
			}
			c = company(name, "", cityName)
			if !g.chance(0.05) {
				c.email = g.uniqueEmail("billing", asciiSlug(name, "-")+".example")
			}
		}
		if !g.reserved[normName(c.name)] {
			return c
		}
	}
}

// uniqueEmail gives different people different addresses even when their names match.
func (g *generator) uniqueEmail(local, domain string) string {
	email := local + "@" + domain
	for n := 2; g.emails[email]; n++ {
		email = fmt.Sprintf("%s%d@%s", local, n, domain)
	}
	g.emails[email] = true
	return email
}

var asciiFolds = strings.NewReplacer(
	"á", "a", "à", "a", "ä", "a", "å", "a", "ã", "a", "é", "e", "è", "e", "ë", "e", "í", "i",
	"ó", "o", "ö", "o", "ø", "o", "ú", "u", "ü", "u", "ñ", "n", "ç", "c", "ł", "l", "ß", "ss",
	"ễ", "e", "ư", "u",
)

// asciiSlug makes an e-mail-safe word from a name: "Håkansson" -> "hakansson",
// "Bayside Realty, Inc." -> "bayside-realty-inc" with sep "-".
func asciiSlug(s, sep string) string {
	s = asciiFolds.Replace(strings.ToLower(strings.TrimSpace(s)))
	var b strings.Builder
	gap := false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if gap && b.Len() > 0 {
				b.WriteString(sep)
			}
			gap = false
			b.WriteRune(r)
		case r == '\'':
			// O'Neil -> oneil
		default:
			gap = true
		}
	}
	return b.String()
}

// fillContact completes an address and phone number from the client's city.
func (g *generator) fillContact(c *client) {
	if c.country != "" {
		return // a foreign client, given in full
	}
	ct := cities[0]
	for _, x := range cities {
		if x.name == c.city {
			ct = x
		}
	}
	c.city, c.region, c.country = ct.name, ct.region, "US"
	c.address = fmt.Sprintf("%d %s", g.between(1, 9899), pick(g, streets))
	c.postal = fmt.Sprintf("%s%02d", ct.zip, g.between(1, 99))
	c.phone = fmt.Sprintf("(%s) 555-01%02d", ct.area, g.between(0, 99))
}

func (g *generator) addMatter(ci int, em edgeMatter) {
	c := &g.d.clients[ci]
	m := matter{client: ci, name: em.name, flatFee: em.flatFee, trustAccount: none}
	if m.name == "" {
		m.name = g.matterName(c)
		m.flatFee = g.chance(0.06)
	}
	span := int(g.today - g.start)
	if c.archived {
		// Settled and closed long ago, so archiving the client made sense.
		m.opened = g.start + date(g.between(0, 60))
		m.closed = m.opened + date(g.between(90, 150))
		m.payInFull = true
	} else {
		// A third of the matters were already running when the history starts; they are
		// billed in their first month, so the oldest months have bills too.
		m.opened = g.start + date(g.between(0, span-20))
		if g.chance(0.3) {
			m.opened = g.start + date(g.between(0, 30))
			m.billFirstMonth = true
		}
		if left := int(g.today - 15 - m.opened); left >= 90 && g.chance(0.3) {
			m.closed = m.opened + date(g.between(60, min(300, left)))
		}
	}
	switch {
	case m.closed != noDate:
		m.status = "closed"
	case m.opened >= g.today-30 && g.chance(0.5):
		m.status = "pending"
	default:
		m.status = "open"
	}
	switch em.trust {
	case trustIOLTA:
		m.trustAccount = acctIOLTA
	case trustEscrow:
		m.trustAccount = acctEscrow
	default:
		if g.chance(0.35) {
			m.trustAccount = acctIOLTA
			if isRealEstate(m.name) && g.chance(0.5) {
				m.trustAccount = acctEscrow
			}
		}
	}
	if g.chance(0.1) {
		m.discountPct = 10
	}
	m.responsible = pick(g, g.byRole[partner])
	m.team = []int{m.responsible}
	for _, i := range g.rnd.Perm(len(g.byRole[associate]))[:g.between(1, 2)] {
		m.team = append(m.team, g.byRole[associate][i])
	}
	if g.chance(0.6) {
		m.team = append(m.team, pick(g, g.byRole[paralegal]))
	}
	g.d.matters = append(g.d.matters, m)
}

func (g *generator) matterName(c *client) string {
	templates, party := personMatterNames, c.family
	if c.kind == "company" {
		templates, party = companyMatterNames, strings.TrimSpace(c.company)
	}
	name := pick(g, templates)
	if strings.Contains(name, "%s") {
		name = fmt.Sprintf(name, party)
	}
	return name
}

// addWork records a matter's time entries and expenses, in date order.
func (g *generator) addWork(mi int) {
	m := &g.d.matters[mi]
	first, last := m.opened, m.lastWorkDay(g.today)
	days := int(last-first) + 1
	n := max(1, int(math.Round(float64(days)/30*g.p.entriesPerMonth*(0.5+g.rnd.Float64()))))
	if m.status == "pending" {
		n = g.between(0, 2) // just taken on
	}
	dates := make([]date, n)
	for i := range dates {
		dates[i] = first + date(g.rnd.IntN(days))
	}
	if m.billFirstMonth && n > 0 {
		dates[0] = first + date(g.rnd.IntN(int(first.monthEnd()-first)+1)) // work for its first bill
	}
	slices.Sort(dates)
	if m.flatFee {
		ff := pick(g, flatFees)
		g.addTimeEntry(timeEntry{matter: mi, timekeeper: m.responsible, worked: first,
			hundredths: int64(g.between(4, 20)) * 50, rateCents: ff.cents, amountCents: ff.cents,
			flatFee: true, billable: true, description: ff.description, invoice: none})
	}
	for _, on := range dates {
		g.addHourly(mi, on)
		if g.chance(0.12) {
			g.addHardCost(mi, on)
		}
		if g.chance(0.16) {
			g.addSoftCost(mi, on)
		}
	}
}

func (g *generator) addTimeEntry(e timeEntry) {
	g.matterEntries[e.matter] = append(g.matterEntries[e.matter], len(g.d.timeEntries))
	g.d.timeEntries = append(g.d.timeEntries, e)
}

func (g *generator) addHourly(mi int, on date) {
	m := &g.d.matters[mi]
	tk := pick(g, m.team)
	if t := g.d.timekeepers[tk]; t.former && on > t.leftOn {
		tk = m.responsible
	}
	t := g.d.timekeepers[tk]
	e := timeEntry{matter: mi, timekeeper: tk, worked: on, hundredths: g.hours(t),
		rateCents: t.rateCents - share(t.rateCents, int64(m.discountPct), 100), billable: true,
		description: pick(g, feeDescriptions), invoice: none}
	switch {
	case m.flatFee:
		e.billable = false
		e.description += " (covered by flat fee)"
	case g.chance(0.05):
		e.billable = false
		e.description = "Internal: " + e.description
	case g.chance(0.02):
		e.rateCents = 0
		e.description = "No charge: " + e.description
	case g.chance(0.015):
		ff := pick(g, flatFees)
		e.flatFee, e.rateCents, e.description = true, ff.cents, ff.description
	}
	if e.flatFee {
		e.amountCents = e.rateCents // a flat fee bills its price whatever the hours
	} else {
		e.amountCents = mulHundredths(e.hundredths, e.rateCents)
	}
	g.addTimeEntry(e)
}

// hours is a realistic duration in hundredths of an hour: mostly tenths, some long days,
// a few 0.05/0.15 h entries whose amounts land on half cents.
func (g *generator) hours(t timekeeper) int64 {
	switch {
	case t.quarterHours:
		return int64(g.between(1, 16)) * 25
	case g.chance(0.03):
		return pick(g, []int64{5, 15})
	case g.chance(0.2):
		return int64(g.between(10, 80)) * 10
	default:
		return int64(g.between(1, 12)) * 10
	}
}

func (g *generator) addExpense(x expense) {
	g.matterExpenses[x.matter] = append(g.matterExpenses[x.matter], len(g.d.expenses))
	g.d.expenses = append(g.d.expenses, x)
}

func (g *generator) addHardCost(mi int, on date) {
	hc := pick(g, hardCosts)
	cents := hc.minCents + g.rnd.Int64N(hc.maxCents-hc.minCents+1)
	from := acctOperating
	if g.chance(0.3) {
		from = acctCosts
	}
	g.addExpense(expense{matter: mi, kind: "hard", incurred: on, description: hc.description,
		qtyHundredths: 100, unitCents: cents, amountCents: cents, payee: hc.payee, paidFrom: from,
		billable: !g.chance(0.04), invoice: none})
}

func (g *generator) addSoftCost(mi int, on date) {
	sc := pick(g, softCosts)
	qty := sc.minQty + sc.step*g.rnd.Int64N((sc.maxQty-sc.minQty)/sc.step+1)
	g.addExpense(expense{matter: mi, kind: "soft", incurred: on, description: sc.description,
		qtyHundredths: qty, unitCents: sc.unitCents, amountCents: mulHundredths(qty, sc.unitCents),
		paidFrom: none, billable: true, invoice: none})
}

// numberChecks gives hard costs the check numbers of the account that paid them, in the
// order they were written.
func (g *generator) numberChecks() {
	next := map[int]int{acctOperating: 5001, acctCosts: 2001}
	xs := g.d.expenses
	for _, i := range inDateOrder(len(xs), func(i int) date { return xs[i].incurred }) {
		if xs[i].kind == "hard" {
			xs[i].checkNumber = fmt.Sprint(next[xs[i].paidFrom])
			next[xs[i].paidFrom]++
		}
	}
}
