package seed

import (
	"fmt"
	"slices"
)

// fate is what happens to an approved invoice after it is issued.
type fate int

const (
	fatePaid        fate = iota // paid in full, from operating funds or trust
	fatePartial                 // part paid, the rest still owed
	fateInstalments             // paid in two payments
	fateSeveral                 // paid together with the client's next invoices by one payment
	fateUnpaid                  // nothing paid yet
	fateUnpaidOld               // nothing paid, and issued over a year ago
	fateWriteOff                // part paid, the rest written off
	fateCredit                  // a courtesy credit, then the rest paid
	fateDebit                   // a late charge added, then half paid
)

// requiredFates happen at least once in every firm, however small, so that every path of
// the sync has data. Two old unpaid invoices exercise "sync all unpaid invoices".
// The most particular fates come first, so that more general ones do not take the few
// invoices they fit.
var requiredFates = []fate{fateUnpaidOld, fateUnpaidOld, fateSeveral, fateInstalments, fatePartial,
	fateWriteOff, fateCredit, fateDebit}

type weight[T any] struct {
	v T
	w int
}

func pickWeighted[T any](g *generator, ws []weight[T]) T {
	total := 0
	for _, x := range ws {
		total += x.w
	}
	n := g.rnd.IntN(total)
	for _, x := range ws {
		if n < x.w {
			return x.v
		}
		n -= x.w
	}
	panic("seed: unreachable")
}

var fateWeights = []weight[fate]{
	{fatePaid, 60}, {fatePartial, 5}, {fateInstalments, 5}, {fateSeveral, 8}, {fateUnpaid, 12},
	{fateWriteOff, 4}, {fateCredit, 4}, {fateDebit, 2},
}

// receivables decides what each client does with its invoices: payments, allocations and
// adjustments. By construction allocations plus credits and write-offs never exceed an
// invoice's total, and every payment's allocations add up to the payment.
func (g *generator) receivables() {
	byClient := make([][]int, len(g.d.clients))
	invs := g.d.invoices
	for _, ii := range inDateOrder(len(invs), func(i int) date { return invs[i].issued }) {
		if invs[ii].status == "approved" && invs[ii].totalCents > 0 {
			c := g.d.matters[invs[ii].matter].client
			byClient[c] = append(byClient[c], ii)
		}
	}
	for ci, invs := range byClient {
		g.clientReceivables(ci, invs)
	}
}

// clientReceivables handles one client's approved invoices, in issue order.
func (g *generator) clientReceivables(ci int, invs []int) {
	done := make([]bool, len(invs))
	for k, ii := range invs {
		if done[k] {
			continue
		}
		done[k] = true
		inv := g.d.invoices[ii]
		payOn := inv.issued + date(g.between(10, 75))
		if payOn > g.today {
			continue // too recent to be paid yet
		}
		// The client's next open invoices, which one payment might settle with this one.
		var more []int
		for j := k + 1; j < len(invs) && len(more) < 2; j++ {
			if !done[j] && g.d.invoices[invs[j]].issued <= inv.issued+90 {
				more = append(more, j)
			}
		}
		var togetherOn date
		if len(more) > 0 {
			togetherOn = g.d.invoices[invs[more[len(more)-1]]].issued + date(g.between(5, 30))
		}
		eligible := func(f fate) bool {
			switch f {
			case fatePaid, fateUnpaid:
				return true
			case fateSeveral:
				return len(more) > 0 && togetherOn <= g.today
			case fateUnpaidOld:
				return inv.issued < g.today-365
			case fateInstalments:
				return inv.totalCents >= 5000 && payOn+20 <= g.today
			default:
				return inv.totalCents >= 5000 // enough to split into parts
			}
		}
		f := fatePaid
		if !g.d.matters[inv.matter].payInFull {
			if i := slices.IndexFunc(g.required, eligible); i >= 0 {
				f = g.required[i]
				g.required = slices.Delete(g.required, i, i+1)
			} else if f = pickWeighted(g, fateWeights); !eligible(f) {
				f = fatePaid
			}
		}
		owed := inv.totalCents
		switch f {
		case fatePaid:
			g.receive(ii, payOn, owed)
		case fatePartial:
			g.receive(ii, payOn, share(owed, int64(g.between(30, 70)), 100))
		case fateInstalments:
			part := share(owed, int64(g.between(30, 70)), 100)
			g.receive(ii, payOn, part)
			g.receive(ii, min(payOn+date(g.between(20, 60)), g.today), owed-part)
		case fateSeveral:
			allocs := []allocation{{invoice: ii, amountCents: owed}}
			for _, j := range more {
				done[j] = true
				allocs = append(allocs, allocation{invoice: invs[j], amountCents: g.d.invoices[invs[j]].totalCents})
			}
			g.operatingPayment(ci, togetherOn, allocs)
		case fateWriteOff:
			part := share(owed, int64(g.between(50, 90)), 100)
			g.receive(ii, payOn, part)
			g.adjust(ii, "write_off", min(payOn+date(g.between(30, 120)), g.today), owed-part, "Uncollectible balance written off")
		case fateCredit:
			credit := share(owed, int64(g.between(5, 15)), 100)
			g.adjust(ii, "credit", min(inv.issued+date(g.between(1, 10)), payOn), credit, "Courtesy discount")
			g.receive(ii, payOn, owed-credit)
		case fateDebit:
			g.adjust(ii, "debit", min(inv.due+date(g.between(1, 10)), g.today), int64(g.between(1, 3))*2500, "Late payment charge")
			g.receive(ii, payOn, share(owed, 1, 2))
		}
	}
}

// receive records a client paying cents towards an invoice on day on: from the matter's
// trust money when there is some (and the client agrees), the rest from operating funds.
func (g *generator) receive(ii int, on date, cents int64) {
	if cents <= 0 {
		return
	}
	inv := &g.d.invoices[ii]
	m := &g.d.matters[inv.matter]
	if m.trustAccount != none {
		if avail := g.ledgers[inv.matter].available(on); avail > 0 && g.chanceOrFirst(&g.seen.trustPayment, 0.6) {
			fromTrust := min(avail, cents)
			pi := g.addPayment(payment{client: m.client, source: "trust", account: m.trustAccount, received: on,
				amountCents: fromTrust, method: "trust", reference: "Trust transfer"},
				[]allocation{{invoice: ii, amountCents: fromTrust}})
			g.addTrustTxn(trustTxn{account: m.trustAccount, matter: inv.matter, kind: "transfer_to_operating",
				on: on, amountCents: fromTrust, reference: inv.number, description: "Applied to invoice " + inv.number,
				slip: none, payment: pi})
			cents -= fromTrust
		}
	}
	if cents > 0 {
		g.operatingPayment(m.client, on, []allocation{{invoice: ii, amountCents: cents}})
	}
}

var paymentMethods = []weight[string]{{"check", 50}, {"card", 20}, {"ach", 20}, {"wire", 8}, {"cash", 2}}

func (g *generator) operatingPayment(ci int, on date, allocs []allocation) {
	var total int64
	for _, a := range allocs {
		total += a.amountCents
	}
	method := pickWeighted(g, paymentMethods)
	var ref string // at most 21 characters: QBO's PaymentRefNum
	switch method {
	case "check":
		ref = fmt.Sprint(g.between(1001, 9999))
	case "card":
		ref = fmt.Sprintf("VISA-%04d", g.rnd.IntN(10000))
	case "ach":
		ref = fmt.Sprintf("ACH %s", on.time().Format("20060102"))
	case "wire":
		ref = fmt.Sprintf("FW%010d", g.rnd.IntN(1e10))
	}
	g.addPayment(payment{client: ci, source: "operating", account: acctOperating, received: on,
		amountCents: total, method: method, reference: ref}, allocs)
}

func (g *generator) addPayment(p payment, allocs []allocation) int {
	pi := len(g.d.payments)
	g.d.payments = append(g.d.payments, p)
	for _, a := range allocs {
		a.payment = pi
		g.d.allocations = append(g.d.allocations, a)
	}
	return pi
}

func (g *generator) adjust(ii int, kind string, on date, cents int64, reason string) {
	if cents > 0 {
		g.d.adjustments = append(g.d.adjustments, adjustment{invoice: ii, kind: kind, on: on, amountCents: cents, reason: reason})
	}
}
