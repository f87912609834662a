package seed

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// A matter's trust balance must never go below zero. Records are generated out of date
// order (deposits first, then payments, then disbursements), so every withdrawal is
// checked against the matter's whole ledger: it may only take what stays covered at every
// later point in time.

type ledgerEntry struct {
	on    date
	cents int64 // positive in, negative out
}

// ledger is a matter's trust activity in replay order: by day, and within a day
// withdrawals before deposits, the strictest order a reader could replay it in.
type ledger []ledgerEntry

func replayKey(e ledgerEntry) int {
	k := int(e.on) * 2
	if e.cents > 0 {
		k++
	}
	return k
}

func (l *ledger) add(on date, cents int64) {
	e := ledgerEntry{on, cents}
	i, _ := slices.BinarySearchFunc(*l, replayKey(e)+1, func(x ledgerEntry, k int) int { return cmp.Compare(replayKey(x), k) })
	*l = slices.Insert(*l, i, e)
}

// available is the most that can be withdrawn on day on without the balance going below
// zero then or at any later point. It cannot use deposits made the same day.
func (l ledger) available(on date) int64 {
	var bal int64
	i := 0
	for ; i < len(l) && l[i].on < on; i++ {
		bal += l[i].cents
	}
	avail := bal
	for ; i < len(l); i++ {
		bal += l[i].cents
		avail = min(avail, bal)
	}
	return max(avail, 0)
}

func (g *generator) addTrustTxn(t trustTxn) int {
	cents := t.amountCents
	if t.kind != "deposit" {
		cents = -cents
	}
	g.ledgers[t.matter].add(t.on, cents)
	g.d.trustTxns = append(g.d.trustTxns, t)
	return len(g.d.trustTxns) - 1
}

// depositDay is the next day the firm takes deposits to the bank, Tuesday or Friday, so
// that several receipts share a deposit slip.
func depositDay(d date) date {
	for {
		switch (int(d) + 4) % 7 { // 1970-01-01 was a Thursday; 0 is Sunday
		case 2, 5:
			return d
		}
		d++
	}
}

// trustDeposits records retainers: one when a trust matter opens (a large escrow deposit
// for real estate), and evergreen top-ups after some bills.
func (g *generator) trustDeposits() {
	for mi := range g.d.matters {
		m := &g.d.matters[mi]
		if m.trustAccount == none {
			continue
		}
		received := m.opened + date(g.between(0, 5))
		switch retainer := int64(g.between(10, 100)) * 25000; {
		case m.trustAccount == acctEscrow:
			g.trustDeposit(mi, received, int64(g.between(50, 400))*100000, "Escrow deposit")
		case g.chanceOrFirst(&g.seen.splitRetainer, 0.15):
			// Paid with two checks, deposited together on one slip.
			first := share(retainer, int64(g.between(30, 70)), 100)
			g.trustDeposit(mi, received, first, "Retainer")
			g.trustDeposit(mi, received, retainer-first, "Retainer (second check)")
		default:
			g.trustDeposit(mi, received, retainer, "Retainer")
		}
		for _, ii := range g.matterInvoices[mi] {
			if inv := g.d.invoices[ii]; inv.status == "approved" && g.chance(0.25) {
				// Top up to cover the bill, rounded up to $500.
				g.trustDeposit(mi, inv.issued+date(g.between(3, 20)), (inv.totalCents+49999)/50000*50000, "Retainer replenishment")
			}
		}
	}
}

func (g *generator) trustDeposit(mi int, received date, cents int64, description string) {
	m := &g.d.matters[mi]
	on := depositDay(received)
	if on > g.today || m.closed != noDate && on > m.closed || cents <= 0 {
		return
	}
	ref := fmt.Sprintf("Check %d", g.between(1001, 9999))
	if g.chance(0.2) {
		ref = fmt.Sprintf("Wire %08d", g.rnd.IntN(1e8))
	}
	g.addTrustTxn(trustTxn{account: m.trustAccount, matter: mi, kind: "deposit", on: on, amountCents: cents,
		reference: ref, description: description, slip: none, payment: none})
}

// disbursements pays third parties from trust on the client's behalf: every escrow
// matter pays out at closing, some other trust matters pay a cost or a settlement.
func (g *generator) disbursements() {
	for mi := range g.d.matters {
		m := &g.d.matters[mi]
		l := g.ledgers[mi]
		if m.trustAccount == none || len(l) == 0 {
			continue
		}
		escrow := m.trustAccount == acctEscrow
		if !escrow && !g.chanceOrFirst(&g.seen.disbursement, 0.3) {
			continue
		}
		first, last := l[0].on+7, m.lastWorkDay(g.today)
		if first > last {
			continue
		}
		on := first + date(g.rnd.IntN(int(last-first)+1))
		pct, payee := g.between(20, 60), pick(g, trustPayees)
		if escrow {
			pct, payee = g.between(70, 95), trustPayees[0]
		}
		if cents := share(l.available(on), int64(pct), 100); cents >= 1000 {
			g.addTrustTxn(trustTxn{account: m.trustAccount, matter: mi, kind: "disbursement", on: on,
				amountCents: cents, payee: payee, description: "Paid on the client's behalf",
				slip: none, payment: none})
		}
	}
}

// closeOutTrust refunds what is left in trust to the client when a matter closes.
func (g *generator) closeOutTrust() {
	for mi := range g.d.matters {
		m := &g.d.matters[mi]
		l := g.ledgers[mi]
		if m.closed == noDate || len(l) == 0 {
			continue
		}
		on := min(max(m.closed, l[len(l)-1].on+1), g.today)
		if cents := l.available(on); cents > 0 {
			g.addTrustTxn(trustTxn{account: m.trustAccount, matter: mi, kind: "disbursement", on: on,
				amountCents: cents, payee: strings.TrimSpace(g.d.clients[m.client].name),
				description: "Refund of unused retainer to client", slip: none, payment: none})
		}
	}
}

// numberTrustChecks gives trust disbursements the check numbers of their account.
func (g *generator) numberTrustChecks() {
	next := map[int]int{acctIOLTA: 1001, acctEscrow: 3001}
	ts := g.d.trustTxns
	for _, i := range inDateOrder(len(ts), func(i int) date { return ts[i].on }) {
		if ts[i].kind == "disbursement" {
			ts[i].reference = fmt.Sprintf("Trust check %d", next[ts[i].account])
			next[ts[i].account]++
		}
	}
}

// depositSlips puts each day's trust deposits into an account on one deposit slip.
func (g *generator) depositSlips() {
	open := map[int]int{} // account -> its latest slip
	perAccount := map[int]int{}
	ts := g.d.trustTxns
	for _, i := range inDateOrder(len(ts), func(i int) date { return ts[i].on }) {
		t := &ts[i]
		if t.kind != "deposit" {
			continue
		}
		si, ok := open[t.account]
		if !ok || g.d.slips[si].on != t.on {
			perAccount[t.account]++
			si = len(g.d.slips)
			open[t.account] = si
			g.d.slips = append(g.d.slips, depositSlip{account: t.account, on: t.on,
				number: fmt.Sprintf("DS-%04d", perAccount[t.account])})
		}
		t.slip = si
		g.d.slips[si].totalCents += t.amountCents
	}
}
