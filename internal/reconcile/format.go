package reconcile

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/termsafe"
)

// dollars formats money as a bookkeeper writes it: $1,234.56, -$12.50.
func dollars(a qbo.Amount) string {
	c := a.Cents()
	sign := ""
	u := uint64(c)
	if c < 0 {
		sign, u = "-", -u
	}
	whole := strconv.FormatUint(u/100, 10)
	var b []byte
	for i := range len(whole) {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, whole[i])
	}
	return fmt.Sprintf("%s$%s.%02d", sign, b, u%100)
}

// Format prints the report for a bookkeeper: the result first, then each difference
// with the records that cause it and what each system says. Nothing is printed about
// the parts that agree beyond a count, so the problems are what the reader sees.
func (r Report) Format(w io.Writer) error {
	p := &printer{w: bufio.NewWriter(w)}
	p.line(0, "QuickBooks reconciliation")
	if r.Since != "" {
		p.line(0, "Period: records dated on or after %s; trust balances in full, with the opening balances as of the day before.", r.Since)
	}
	if r.OK() {
		p.line(0, "Result: the books agree. Receivables and trust balances match the practice system to the cent.")
	} else {
		p.line(0, "Result: the books do NOT agree. The differences and the records that cause them are listed below.")
	}
	p.blank()
	p.receivables(r.Receivables)
	p.blank()
	p.deposits(r.Deposits)
	p.blank()
	if r.TrustSkipped {
		p.line(0, "TRUST ACCOUNTS: not checked; trust money does not sync to QuickBooks (a setting).")
	} else {
		p.trust(r.Trust, r.Since)
	}
	return p.flush()
}

type printer struct {
	w   *bufio.Writer
	err error
}

// line prints one line of the report. Its string arguments are names, numbers and
// explanations from the practice system and QuickBooks, so each is made terminal-safe
// here, once, rather than at every line that prints one.
func (p *printer) line(indent int, format string, args ...any) {
	if p.err != nil {
		return
	}
	for range indent {
		p.w.WriteString("  ")
	}
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = termsafe.String(s)
		}
	}
	_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
}

func (p *printer) blank() { p.line(0, "") }

func (p *printer) flush() error {
	if p.err != nil {
		return p.err
	}
	return p.w.Flush()
}

func (p *printer) receivables(r ReceivablesReport) {
	p.line(0, "RECEIVABLES (what clients owe on invoices)")
	p.line(1, "%d matter(s) with %d invoice(s) in QuickBooks checked: the practice system says %s is owed, QuickBooks shows %s open.",
		r.MattersChecked, r.InvoicesChecked, dollars(r.PMSUnpaid), dollars(r.QBOOpen))
	if len(r.Matters) == 0 {
		p.line(1, "Every matter agrees.")
	}
	for _, m := range r.Matters {
		p.blank()
		p.line(1, "Matter %s %s (client %s)", m.MatterNumber, clean(m.MatterName), clean(m.ClientName))
		p.line(2, "Owed in the practice system: %s. Open in QuickBooks: %s. Difference: %s.",
			dollars(m.PMSUnpaid), dollars(m.QBOOpen), dollars(m.Difference()))
		for _, inv := range m.Invoices {
			p.line(2, "Invoice %s (QuickBooks invoice %s): owed %s in the practice system, open %s in QuickBooks.",
				inv.InvoiceNumber, inv.QBOID, dollars(inv.PMSUnpaid), dollars(inv.QBOBalance))
			for _, c := range inv.Causes {
				p.line(3, "- %s: practice system %s, QuickBooks %s. %s", c.Record, dollars(c.PMS), dollars(c.QBO), c.Why)
			}
		}
	}
	if len(r.Missing) > 0 {
		p.blank()
		p.line(1, "Approved invoices that are not in QuickBooks (%d):", len(r.Missing))
		for _, m := range r.Missing {
			p.line(2, "- Invoice %s of %s, matter %s %s (client %s): total %s, still owed %s. %s",
				m.InvoiceNumber, m.IssuedOn, m.MatterNumber, clean(m.MatterName), clean(m.ClientName), dollars(m.Total), dollars(m.Unpaid), m.Why)
		}
	}
}

func (p *printer) deposits(r DepositsReport) {
	p.line(0, "PAYMENTS INTO THE BANK (one bank entry each, as the bank statement shows them)")
	if r.PaymentsChecked == 0 {
		p.line(1, "No payment goes to a bank account directly (they wait in Undeposited Funds for your deposits); nothing to check.")
		return
	}
	p.line(1, "%d payment(s) checked.", r.PaymentsChecked)
	if r.OK() {
		p.line(1, "Every one is one entry in the bank.")
	}
	for _, e := range r.Payments {
		p.line(2, "- Payment %d of %s from %s (%s), %s: %s", e.PaymentID, e.ReceivedOn, clean(e.Client), clean(e.Reference), dollars(e.Amount), e.Why)
	}
}

func (p *printer) trust(r TrustReport, since string) {
	p.line(0, "TRUST ACCOUNTS (three-way reconciliation)")
	if len(r.Accounts) == 0 {
		p.line(1, "No trust account is linked to QuickBooks accounts; nothing to check.")
	}
	for _, a := range r.Accounts {
		p.blank()
		verdict := "reconciles"
		if !a.OK() {
			verdict = "does NOT reconcile"
		}
		p.line(1, "%s: %s", clean(a.Name), verdict)
		if since != "" {
			p.line(2, "Balances in full (what was held before %s is in QuickBooks through the opening entry):", since)
		}
		p.line(2, "Client ledgers in the practice system: %s", dollars(a.PMS))
		p.line(2, "QuickBooks bank account %s: %s", quoteName(a.QBOBankName, a.QBOBankID), dollars(a.QBOBank))
		p.line(2, "QuickBooks liability account %s: %s", quoteName(a.QBOLiabilityName, a.QBOLiabilityID), dollars(a.QBOLiability))
		if len(a.Clients) > 0 {
			p.line(2, "Clients whose trust ledger differs from QuickBooks:")
			for _, c := range a.Clients {
				name := clean(c.ClientName)
				if c.ClientNumber != "" {
					name += " (" + c.ClientNumber + ")"
				}
				p.line(3, "- %s: practice system %s, QuickBooks %s, difference %s.", name, dollars(c.PMS), dollars(c.QBO), dollars(c.QBO-c.PMS))
			}
		}
		if len(a.Records) > 0 {
			p.line(2, "Trust records that differ:")
			for _, d := range a.Records {
				where := "not in QuickBooks"
				if d.QBOID != "" {
					where = "QuickBooks " + d.QBOEntity + " " + d.QBOID
				}
				p.line(3, "- %s of %s (%s): bank %s in the practice system, %s in QuickBooks. %s",
					capitalize(clean(d.Label)), d.Date, where, dollars(d.PMSBank), dollars(d.QBOBank), d.Why)
				for _, l := range d.Lines {
					who := "a QuickBooks line"
					switch {
					case l.TrustTxnID != 0:
						who = fmt.Sprintf("trust transaction %d, matter %s (%s)", l.TrustTxnID, l.MatterNumber, clean(l.ClientName))
					case l.ClientName != "": // an opening entry's line: what a customer held before the start date
						who = "the opening balance of " + clean(l.ClientName)
					}
					p.line(4, "%s: practice system %s, QuickBooks %s. %s", capitalize(who), dollars(l.PMS), dollars(l.QBO), l.Why)
				}
			}
		}
		if len(a.QBOOnly) > 0 {
			p.line(2, "QuickBooks transactions on these accounts with no trust record in the practice system:")
			for _, t := range a.QBOOnly {
				doc := ""
				if t.DocNumber != "" {
					doc = " no. " + t.DocNumber
				}
				p.line(3, "- %s %s%s of %s: bank %s, liability %s. %s", t.Entity, t.ID, doc, t.Date, dollars(t.Bank), dollars(t.Liability), t.Why)
			}
		}
		if a.UnexplainedBank != 0 || a.UnexplainedLiability != 0 {
			p.line(2, "Not explained by any transaction found: %s on the bank account, %s on the liability account (look for transfers or bill payments in QuickBooks).",
				dollars(a.UnexplainedBank), dollars(a.UnexplainedLiability))
		}
	}
	if len(r.Unmapped) > 0 {
		p.blank()
		names := make([]string, len(r.Unmapped))
		for i, n := range r.Unmapped {
			names[i] = clean(n)
		}
		p.line(1, "Not checked (no QuickBooks bank and liability account linked): %s.", strings.Join(names, ", "))
	}
}

func quoteName(name, id string) string {
	if name == "" {
		return "(Id " + id + ")"
	}
	return `"` + clean(name) + `"`
}

// maxName keeps a name to a readable length in a report line.
const maxName = 80

// clean makes a name from either system printable on one line: whitespace (tabs and
// line breaks included) collapsed, and a very long name shortened.
func clean(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxName {
		s = strings.TrimSpace(string(r[:maxName-1])) + "…"
	}
	return s
}
