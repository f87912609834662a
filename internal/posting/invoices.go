package posting

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/qbo"
)

// KindInvoice names invoices in the id map and item outcomes.
const KindInvoice = "invoice"

// Invoice line options (settings: "Invoice item options").
const (
	LinesAggregate  = "aggregate"  // one line per item type
	LinesIndividual = "individual" // one line per time entry and expense
)

// ItemTypes in the order their aggregate lines appear on an invoice.
var ItemTypes = []string{"fees", "flat_fees", "hard_costs", "soft_costs", "interest"}

// itemLabels describe aggregate lines to the client reading the invoice.
var itemLabels = map[string]string{
	"fees": "Legal services", "flat_fees": "Flat fees", "hard_costs": "Costs advanced",
	"soft_costs": "Other charges", "interest": "Interest",
}

// MaxDocNumber is QBO's limit on an invoice number's length.
const MaxDocNumber = 21

// InvoiceOptions are the settings an invoice is posted with.
type InvoiceOptions struct {
	Lines           string            // LinesAggregate or LinesIndividual
	DocNumberPrefix string            // put before the practice invoice number
	Items           map[string]string // item type -> QBO Item id
}

// InvoiceLabel names an invoice in summaries and error lists.
func InvoiceLabel(inv pms.Invoice) string {
	return "invoice " + inv.Number
}

// QBOInvoice is the QBO invoice for a practice invoice, billed to the customer with id
// customerID (the matter's job). Its lines add up to the practice total to the cent, or
// it is refused with an ItemError that says by how much they differ.
func QBOInvoice(inv pms.Invoice, customerID string, opts InvoiceOptions) (qbo.Invoice, error) {
	refuse := func(code, field, msg, explain string) (qbo.Invoice, error) {
		return qbo.Invoice{}, &ItemError{Code: code, Field: field, Message: msg, Explanation: explain}
	}
	docNumber := opts.DocNumberPrefix + inv.Number
	if n := len([]rune(docNumber)); n > MaxDocNumber {
		return refuse("qbosync:doc-number-too-long", "invoice_number",
			fmt.Sprintf("invoice number %q is %d characters; QuickBooks allows %d", docNumber, n, MaxDocNumber),
			fmt.Sprintf("Invoice %s becomes document number %q in QuickBooks, which is longer than the %d characters QuickBooks allows. "+
				"Shorten the invoice number prefix in the settings (or the invoice number); qbosync syncs the invoice when it changes.", inv.Number, docNumber, MaxDocNumber))
	}
	var sum int64
	for _, l := range inv.Lines {
		sum += l.AmountCents
	}
	if sum != inv.TotalCents {
		return refuse("qbosync:invoice-unbalanced", "total",
			fmt.Sprintf("invoice %s: lines add up to %s but the total is %s", inv.Number, cents(sum), cents(inv.TotalCents)),
			fmt.Sprintf("The lines of invoice %s add up to %s, but its total is %s. qbosync posts invoices only when they agree to the cent, "+
				"so the books cannot drift. Correct the invoice in the practice system; qbosync syncs it as soon as it changes.", inv.Number, cents(sum), cents(inv.TotalCents)))
	}
	var lines []qbo.Line
	var err error
	switch opts.Lines {
	case LinesAggregate:
		lines, err = aggregateLines(inv, opts.Items)
	case LinesIndividual:
		lines, err = individualLines(inv, opts.Items)
	default:
		return qbo.Invoice{}, fmt.Errorf("posting: unknown invoice line option %q", opts.Lines)
	}
	if err != nil {
		return qbo.Invoice{}, err
	}
	out := qbo.Invoice{
		DocNumber:   docNumber,
		TxnDate:     inv.IssuedOn.Format(time.DateOnly),
		DueDate:     inv.DueOn.Format(time.DateOnly),
		CustomerRef: &qbo.Ref{Value: customerID},
		PrivateNote: notes(InvoiceMemo(inv, docNumber), names.Marker(inv.FirmID, KindInvoice, inv.ID)),
		Line:        lines,
	}
	return out, nil
}

// InvoiceMemo is the invoice's internal memo in plain words: the practice memo when the
// invoice has one, else where the invoice comes from and its number as QuickBooks
// shows it ("Synced from the practice system · invoice INV-1004").
func InvoiceMemo(inv pms.Invoice, docNumber string) string {
	if memo := names.CleanText(inv.Memo); memo != "" {
		return memo
	}
	return "Synced from the practice system · invoice " + docNumber
}

// aggregateLines is one line per item type, in ItemTypes order, for the sum.
func aggregateLines(inv pms.Invoice, items map[string]string) ([]qbo.Line, error) {
	totals := map[string]int64{}
	byType := map[string][]pms.InvoiceLine{}
	for _, l := range inv.Lines {
		totals[l.ItemType] += l.AmountCents
		byType[l.ItemType] = append(byType[l.ItemType], l)
	}
	var out []qbo.Line
	for _, t := range ItemTypes {
		amount, ok := totals[t]
		if !ok {
			continue
		}
		desc := names.Truncate(AggregateDescription(t, byType[t]), MaxLineDescription)
		line, err := salesLine(t, items, desc, qbo.Amount(amount), "1", qbo.DecimalFromAmount(qbo.Amount(amount)), "")
		if err != nil {
			return nil, err
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		return emptyInvoiceLine(inv, items)
	}
	return out, nil
}

// AggregateDescription says what an aggregate line holds, for the client reading the
// invoice and the bookkeeper reading QuickBooks: the kind of charge, the period its
// entries were worked or incurred in, and for time the hours in all and by timekeeper
// ("Legal services, Mar 2–27, 2026: 7.5 hours (Ann O'Neil 5, Bo Li 2.5)"), for other
// charges how many entries it sums ("Costs advanced, Mar 4, 2026: 2 items"). A part it
// cannot say (no service dates, hours that are not plain decimals) is left out, never
// guessed.
func AggregateDescription(itemType string, lines []pms.InvoiceLine) string {
	desc := itemLabels[itemType]
	if desc == "" {
		desc = strings.ReplaceAll(itemType, "_", " ")
	}
	if period := servicePeriod(lines); period != "" {
		desc += ", " + period
	}
	if itemType == "fees" {
		if hours := hoursByTimekeeper(lines); hours != "" {
			return desc + ": " + hours
		}
	}
	switch n := len(lines); {
	case n == 1 && itemType == "fees":
	case n == 1:
		desc += ": 1 item"
	case n > 1:
		desc += fmt.Sprintf(": %d items", n)
	}
	return desc
}

// servicePeriod is the span of the lines' service dates, "Mar 2–27, 2026", or "" when
// none has one.
func servicePeriod(lines []pms.InvoiceLine) string {
	var first, last time.Time
	for _, l := range lines {
		if l.ServiceOn == nil {
			continue
		}
		if first.IsZero() || l.ServiceOn.Before(first) {
			first = *l.ServiceOn
		}
		if last.IsZero() || l.ServiceOn.After(last) {
			last = *l.ServiceOn
		}
	}
	switch {
	case first.IsZero():
		return ""
	case first.Equal(last):
		return first.Format("Jan 2, 2006")
	case first.Year() == last.Year() && first.Month() == last.Month():
		return fmt.Sprintf("%s %d–%d, %d", first.Format("Jan"), first.Day(), last.Day(), first.Year())
	case first.Year() == last.Year():
		return fmt.Sprintf("%s – %s, %d", first.Format("Jan 2"), last.Format("Jan 2"), first.Year())
	}
	return first.Format("Jan 2, 2006") + " – " + last.Format("Jan 2, 2006")
}

// hoursByTimekeeper is "7.5 hours (Ann O'Neil 5, Bo Li 2.5)": the hours of time lines in
// all and per timekeeper in order of appearance, summed exactly in hundredths. Lines
// without a timekeeper (a fee entered by hand) count in the total only. It is "" when a
// quantity is not a plain decimal.
func hoursByTimekeeper(lines []pms.InvoiceLine) string {
	var total int64
	var who []string
	per := map[string]int64{}
	for _, l := range lines {
		h, ok := hundredths(l.Quantity)
		if !ok {
			return ""
		}
		total += h
		if tk := names.Clean(l.Timekeeper); tk != "" {
			if _, seen := per[tk]; !seen {
				who = append(who, tk)
			}
			per[tk] += h
		}
	}
	unit := " hours"
	if total == 100 {
		unit = " hour"
	}
	out := formatHundredths(total) + unit
	if len(who) > 0 {
		parts := make([]string, len(who))
		for i, tk := range who {
			parts[i] = tk + " " + formatHundredths(per[tk])
		}
		out += " (" + strings.Join(parts, ", ") + ")"
	}
	return out
}

// hundredths reads a non-negative decimal with at most two places ("2.50", "3") as
// hundredths; numeric(9, 2) quantities always are.
func hundredths(s string) (int64, bool) {
	whole, frac, _ := strings.Cut(strings.TrimSpace(s), ".")
	if whole == "" || len(frac) > 2 {
		return 0, false
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseUint(frac, 10, 8)
	if err1 != nil || err2 != nil || w < 0 {
		return 0, false
	}
	return w*100 + int64(f), true
}

// formatHundredths writes hundredths as a decimal without trailing zeros: 750 is 7.5.
func formatHundredths(h int64) string {
	return trimDecimal(fmt.Sprintf("%d.%02d", h/100, h%100))
}

// individualLines is one line per practice line: date, who, hours and rate.
func individualLines(inv pms.Invoice, items map[string]string) ([]qbo.Line, error) {
	var out []qbo.Line
	for _, l := range inv.Lines {
		desc := names.Clean(l.Description)
		if l.Timekeeper != "" {
			desc = names.Clean(l.Timekeeper) + ": " + desc
		}
		date := ""
		if l.ServiceOn != nil {
			date = l.ServiceOn.Format(time.DateOnly)
		}
		amount := qbo.Amount(l.AmountCents)
		qty, price := qbo.Decimal(l.Quantity), qbo.DecimalFromAmount(qbo.Amount(l.RateCents))
		// QBO checks Amount against Qty × UnitPrice. The practice amount is the truth;
		// when rounding makes hours × rate differ from it, the line carries the amount
		// as one unit and names the hours and rate in its description.
		if product, _, err := qbo.MulAmount(qty, price); err != nil || product != amount || l.RateCents == 0 {
			desc = fmt.Sprintf("%s (%s × %s)", desc, trimDecimal(l.Quantity), cents(l.RateCents))
			qty, price = "1", qbo.DecimalFromAmount(amount)
		}
		line, err := salesLine(l.ItemType, items, names.Truncate(desc, 4000), amount, qty, price, date)
		if err != nil {
			return nil, err
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		return emptyInvoiceLine(inv, items)
	}
	return out, nil
}

// emptyInvoiceLine keeps a $0 invoice postable: QBO needs at least one line.
func emptyInvoiceLine(inv pms.Invoice, items map[string]string) ([]qbo.Line, error) {
	line, err := salesLine("fees", items, "No charge", 0, "1", "0", "")
	return []qbo.Line{line}, err
}

func salesLine(itemType string, items map[string]string, desc string, amount qbo.Amount, qty, price qbo.Decimal, date string) (qbo.Line, error) {
	item, ok := items[itemType]
	if !ok || item == "" {
		return qbo.Line{}, fmt.Errorf("posting: no QuickBooks item mapped for %q lines", itemType)
	}
	return qbo.Line{
		DetailType:  "SalesItemLineDetail",
		Description: desc,
		Amount:      amount,
		SalesItemLineDetail: &qbo.SalesItemLineDetail{
			ItemRef: &qbo.Ref{Value: item}, Qty: qty, UnitPrice: price, ServiceDate: date,
		},
	}, nil
}

// cents formats an amount of cents as dollars for people: $1,234.50.
func cents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	whole := strconv.FormatInt(c/100, 10)
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	return fmt.Sprintf("%s$%s.%02d", sign, whole, c%100)
}

// trimDecimal drops a decimal's trailing zeros: "2.50" is 2.5, "3.00" is 3.
func trimDecimal(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}
