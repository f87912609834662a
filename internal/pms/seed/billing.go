package seed

import "fmt"

// billItems is the unbilled work an invoice bills: time entries and expenses.
type billItems struct{ entries, expenses []int }

// bill issues a matter's invoices. At each month end the matter may be billed for all its
// unbilled billable work so far; a closed matter gets a final bill for everything when it
// closes. Work after the last bill stays unbilled, as does non-billable time.
func (g *generator) bill(mi int) {
	m := &g.d.matters[mi]
	entries, expenses := g.matterEntries[mi], g.matterExpenses[mi]
	var nextEntry, nextExpense int // the first entry and expense not yet billed
	for cycleEnd := m.opened.monthEnd(); ; cycleEnd = (cycleEnd + 1).monthEnd() {
		final := m.closed != noDate && cycleEnd >= m.closed
		if final {
			cycleEnd = m.closed
		}
		if cycleEnd >= g.today {
			return
		}
		entryEnd := upTo(entries, nextEntry, cycleEnd, func(i int) date { return g.d.timeEntries[i].worked })
		expenseEnd := upTo(expenses, nextExpense, cycleEnd, func(i int) date { return g.d.expenses[i].incurred })
		var items billItems
		for _, ti := range entries[nextEntry:entryEnd] {
			if g.d.timeEntries[ti].billable {
				items.entries = append(items.entries, ti)
			}
		}
		for _, xi := range expenses[nextExpense:expenseEnd] {
			if g.d.expenses[xi].billable {
				items.expenses = append(items.expenses, xi)
			}
		}
		if len(items.entries)+len(items.expenses) == 0 {
			if final {
				return
			}
			continue
		}
		issue, status := cycleEnd+date(g.between(1, 8)), "approved"
		latest := !final && (cycleEnd+1).monthEnd() >= g.today
		switch {
		case latest && g.chanceOrFirst(&g.seen.draft, 0.1):
			// Last month's bills are being reviewed: a few are still drafts.
			issue, status = min(issue, g.today), "draft"
		case issue > g.today:
			continue // not issued yet
		case final, m.billFirstMonth && cycleEnd == m.opened.monthEnd():
			// always billed: the closing bill, and a running matter's first month
		case !g.chance(g.p.billChance):
			continue // the work waits for a later bill
		}
		nextEntry, nextExpense = entryEnd, expenseEnd
		memo := "Professional services through " + cycleEnd.time().Format("January 2, 2006")
		if status == "approved" && !g.seen.void && issue >= g.today-200 && issue <= g.today-45 {
			// One invoice went out with a mistake and was voided; a corrected one replaced
			// it days later. The void keeps its lines; the work now points at the
			// replacement.
			g.seen.void = true
			g.addInvoice(mi, issue, "void", items, "VOID: issued at the wrong rates; replaced by a corrected invoice")
			issue += date(g.between(2, 6))
		}
		g.addInvoice(mi, issue, status, items, memo)
		if final {
			return
		}
	}
}

// upTo returns the end of the run of ids, starting at from, dated on or before end.
func upTo(ids []int, from int, end date, on func(int) date) int {
	for from < len(ids) && on(ids[from]) <= end {
		from++
	}
	return from
}

func (g *generator) addInvoice(mi int, issue date, status string, items billItems, memo string) {
	ii := len(g.d.invoices)
	inv := invoice{matter: mi, status: status, issued: issue, due: issue + 30, memo: memo}
	lineNo := 0
	add := func(l invoiceLine) {
		lineNo++
		l.invoice, l.lineNo = ii, lineNo
		inv.totalCents += l.amountCents
		g.d.lines = append(g.d.lines, l)
	}
	for _, ti := range items.entries {
		e := &g.d.timeEntries[ti]
		l := invoiceLine{itemType: "fees", service: e.worked, description: e.description,
			qtyHundredths: e.hundredths, rateCents: e.rateCents, amountCents: e.amountCents,
			timeEntry: ti, expense: none}
		if e.flatFee {
			l.itemType, l.qtyHundredths = "flat_fees", 100
		}
		add(l)
		e.invoice = ii
	}
	for _, xi := range items.expenses {
		x := &g.d.expenses[xi]
		add(invoiceLine{itemType: x.kind + "_costs", service: x.incurred, description: x.description,
			qtyHundredths: x.qtyHundredths, rateCents: x.unitCents, amountCents: x.amountCents,
			timeEntry: none, expense: xi})
		x.invoice = ii
	}
	if status != "void" {
		// 1.5% a month on the previous bill once past due (whether or not it is still
		// owed: payments are decided later).
		if prev := g.lastApproved(mi); prev != none && g.d.invoices[prev].due < issue {
			if cents := share(g.d.invoices[prev].totalCents, 15, 1000); cents > 0 && g.chanceOrFirst(&g.seen.interest, 0.05) {
				add(invoiceLine{itemType: "interest", service: noDate,
					description:   "Interest at 1.5% per month on overdue balance",
					qtyHundredths: 100, rateCents: cents, amountCents: cents, timeEntry: none, expense: none})
			}
		}
	}
	g.d.invoices = append(g.d.invoices, inv)
	g.matterInvoices[mi] = append(g.matterInvoices[mi], ii)
}

func (g *generator) lastApproved(mi int) int {
	invs := g.matterInvoices[mi]
	for k := len(invs) - 1; k >= 0; k-- {
		if g.d.invoices[invs[k]].status == "approved" {
			return invs[k]
		}
	}
	return none
}

// numberInvoices numbers invoices in the order they were issued.
func (g *generator) numberInvoices() {
	invs := g.d.invoices
	for n, ii := range inDateOrder(len(invs), func(i int) date { return invs[i].issued }) {
		invs[ii].number = fmt.Sprintf("INV-%05d", 10001+n)
	}
}
