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
		PrivateNote: notes(inv.Memo, names.Marker(inv.FirmID, KindInvoice, inv.ID)),
		Line:        lines,
	}
	return out, nil
}

// aggregateLines is one line per item type, in ItemTypes order, for the sum.
func aggregateLines(inv pms.Invoice, items map[string]string) ([]qbo.Line, error) {
	totals := map[string]int64{}
	for _, l := range inv.Lines {
		totals[l.ItemType] += l.AmountCents
	}
	var out []qbo.Line
	for _, t := range ItemTypes {
		amount, ok := totals[t]
		if !ok {
			continue
		}
		line, err := salesLine(t, items, itemLabels[t], qbo.Amount(amount), "1", qbo.DecimalFromAmount(qbo.Amount(amount)), "")
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
