package settings

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// FieldKind says how a field is asked and shown.
type FieldKind string

const (
	KindBool   FieldKind = "bool"
	KindChoice FieldKind = "choice"
	KindText   FieldKind = "text"
	KindDate   FieldKind = "date"
	// KindTarget is a QuickBooks object: "create new" with a name, or an existing one.
	// Its form fields are Path+".existing_id" ("" for new) and Path+".name".
	KindTarget FieldKind = "target"
)

// Option is one answer of a choice.
type Option struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// Field describes one setting: how pages ask for it, how the summary prints it, and
// how a submitted form sets it. The pages, the printed summary and the form decoder
// all work from these descriptions, so they cannot disagree.
type Field struct {
	Path    string    `json:"path"` // the JSON path; the form field's name; FieldError.Field
	Label   string    `json:"label"`
	Help    string    `json:"help,omitempty"`
	Kind    FieldKind `json:"kind"`
	Value   string    `json:"value"` // bool "true"/"false"; a target's existing id
	Options []Option  `json:"options,omitempty"`
	// Target is the QuickBooks object of a KindTarget field.
	Target *TargetRef `json:"-"`
	// Display is the value as the summary prints it.
	Display string `json:"display"`
	// Off is true when the field does not matter with the section's other answers
	// (e.g. the deposit slip option while trust does not sync).
	Off bool `json:"off,omitempty"`

	set func(get func(string) (string, bool))
}

// Fields describes the fields of one section of s, in page order. Their setters write
// into s.
func (s *Settings) Fields(sec Section) []Field {
	var fs []Field
	boolField := func(path, label, help string, p *bool) {
		fs = append(fs, Field{Path: path, Label: label, Help: help, Kind: KindBool, Value: fmt.Sprint(*p), Display: yesNo(*p),
			set: func(get func(string) (string, bool)) {
				if v, ok := get(path); ok {
					*p = v == "true" || v == "on" || v == "1"
				}
			}})
	}
	choice := func(path, label, help string, p *string, off bool, opts ...Option) {
		display := *p
		if i := slices.IndexFunc(opts, func(o Option) bool { return o.Value == *p }); i >= 0 {
			display = opts[i].Label
		}
		fs = append(fs, Field{Path: path, Label: label, Help: help, Kind: KindChoice, Value: *p, Options: opts, Display: display, Off: off,
			set: setString(path, p)})
	}
	text := func(path, label, help string, kind FieldKind, p *string, off bool, empty string) {
		fs = append(fs, Field{Path: path, Label: label, Help: help, Kind: kind, Value: *p, Display: cmp.Or(*p, empty), Off: off,
			set: setString(path, p)})
	}
	targets := s.targetFields(sec)
	switch sec {
	case OperatingBank:
		fs = append(fs, targets...)
	case TrustBank:
		boolField("trust.sync", "Sync trust money", "Deposits, disbursements and trust payments post to the trust bank account and its client funds liability.", &s.Trust.Sync)
		choice("trust.deposit_slips", "Deposit slips", "How client receipts deposited together appear in QuickBooks.", &s.Trust.DepositSlips, !s.Trust.Sync,
			Option{SlipPerDeposit, "One deposit per deposit slip, as the bank statement shows it"},
			Option{SlipPerReceipt, "One deposit per client receipt"})
		fs = append(fs, targets...)
	case HardCosts:
		boolField("hard_costs.sync", "Sync hard costs", "Costs the firm paid to third parties for a matter become purchases from the operating account.", &s.HardCosts.Sync)
		fs = append(fs, targets...)
		choice("hard_costs.payment_type", "Paid by", "", &s.HardCosts.PaymentType, !s.HardCosts.Sync,
			Option{PaymentCheck, "Check"}, Option{PaymentCash, "Cash"})
		choice("hard_costs.vendors", "Payees", "", &s.HardCosts.Vendors, !s.HardCosts.Sync,
			Option{VendorPerPayee, "A QuickBooks vendor for each payee"}, Option{VendorOneVendor, "One vendor for every hard cost"})
		text("hard_costs.default_vendor", "The one vendor's name", "Only with one vendor for every hard cost.", KindText, &s.HardCosts.DefaultVendor,
			!s.HardCosts.Sync || s.HardCosts.Vendors != VendorOneVendor, "(none)")
	case Invoices:
		boolField("invoices.sync_invoices", "Sync invoices", "Approved invoices become QuickBooks invoices; edits and voids follow.", &s.Invoices.SyncInvoices)
		boolField("invoices.sync_payments", "Sync payments", "Payments become QuickBooks payments applied to their invoices.", &s.Invoices.SyncPayments)
		choice("invoices.line_items", "Invoice item options", "", &s.Invoices.LineItems, !s.Invoices.SyncInvoices,
			Option{LinesAggregate, "Aggregate time and expense items (one line per item type)"},
			Option{LinesIndividual, "Individual time and expense items (one line per entry)"})
		text("invoices.doc_number_prefix", "Invoice number prefix", "Optional, up to 5 letters, digits or hyphens, put before every invoice number.", KindText,
			&s.Invoices.DocNumberPrefix, !s.Invoices.SyncInvoices, "(none)")
		choice("invoices.payments_deposit_to", "Deposit payments to", "", &s.Invoices.PaymentsDepositTo, !s.Invoices.SyncPayments,
			Option{DepositUndepositedFunds, "Undeposited Funds (you group them into bank deposits in QuickBooks)"},
			Option{DepositOperatingAccount, "The operating bank account they were paid into"})
	case ItemMapping:
		fs = append(fs, targets...)
	case WriteOffs:
		boolField("write_offs.sync", "Sync write-offs and credits", "Debit adjustments always update their invoice.", &s.WriteOffs.Sync)
		choice("write_offs.method", "Record them as",
			"Credit memos are recommended: each is dated the day of the write-off or credit. A discount line changes the invoice itself, "+
				"so its effect is dated as the invoice: a write-off in November lowers October's income and receivables, and reports already run change.",
			&s.WriteOffs.Method, !s.WriteOffs.Sync,
			Option{WriteOffCreditMemo, "A credit memo applied to the invoice, dated as the write-off (recommended)"},
			Option{WriteOffDiscountLine, "A discount line on the invoice, dated as the invoice (back-dates the write-off)"})
		boolField("write_offs.bad_debt", "Book uncollectible balances as bad debt",
			"Write-offs of balances the client will not pay post to a bad debt expense account (with credit memos); courtesy credits stay with the write-off account.",
			&s.WriteOffs.BadDebt)
		fs = append(fs, targets...)
	case Contacts:
		boolField("contacts.matters_as_sub_customers", "Matters as sub-customers", "Each matter becomes a sub-customer of its client, and its invoices go to it; otherwise they go to the client.", &s.Contacts.MattersAsSubCustomers)
		boolField("contacts.match_existing_customers", "Match existing customers", "Link a client to a QuickBooks customer of the same name (and e-mail) instead of reporting the clash.", &s.Contacts.MatchExistingCustomers)
		boolField("contacts.match_existing_vendors", "Match existing vendors", "Pay a payee through a QuickBooks vendor of the same name instead of a vendor of its own.", &s.Contacts.MatchExistingVendors)
	case SyncOptions:
		text("sync_options.start_date", "Sync start date", "The first day whose records reach QuickBooks (YYYY-MM-DD).", KindDate, &s.SyncOptions.StartDate, false, "(not chosen)")
		boolField("sync_options.sync_all_unpaid_invoices", "Sync all unpaid invoices", "Also sync invoices from before the start date that were still owed on when the books start, or are unpaid now, so the payments received for them reach QuickBooks.", &s.SyncOptions.SyncAllUnpaidInvoices)
	}
	return fs
}

// targetFields describes the section's QuickBooks objects.
func (s *Settings) targetFields(sec Section) []Field {
	var fs []Field
	for _, t := range s.Targets() {
		if t.Section != sec {
			continue
		}
		fs = append(fs, Field{Path: t.Path, Label: t.Label, Kind: KindTarget, Value: t.Target.ExistingID,
			Target: &t, Display: describeTarget(t), Off: !t.InUse,
			set: func(get func(string) (string, bool)) {
				setString(t.Path+".existing_id", &t.Target.ExistingID)(get)
				setString(t.Path+".name", &t.Target.Name)(get)
			}})
	}
	return fs
}

func setString(path string, p *string) func(get func(string) (string, bool)) {
	return func(get func(string) (string, bool)) {
		if v, ok := get(path); ok {
			*p = v
		}
	}
}

// DecodeForm reads a section's answers from a submitted HTML form (or any name to
// values map). A field absent from the form keeps its value in s; a checkbox is sent
// after a hidden "false" of the same name, so its last value counts.
func (s Settings) DecodeForm(sec Section, form map[string][]string) Answers {
	c := s.Clone()
	get := func(name string) (string, bool) {
		v := form[name]
		if len(v) == 0 {
			return "", false
		}
		return v[len(v)-1], true
	}
	for _, f := range c.Fields(sec) {
		f.set(get)
	}
	return c.Section(sec)
}

func describeTarget(t TargetRef) string {
	what := strings.ToLower(t.Role.Entity)
	if t.Role.Entity == EntityAccount {
		what = t.Role.NewType + " account"
	}
	if t.Target.IsNew() {
		return fmt.Sprintf("new %s %q", what, t.Target.Name)
	}
	return fmt.Sprintf("existing %s %q (id %s)", strings.ToLower(t.Role.Entity), t.Target.Name, t.Target.ExistingID)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
