package settings

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qbosync/qbosync/internal/names"
)

// FieldError is a refused answer: the field's JSON path (a form field's name too) and
// what is wrong with it and how to fix it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// FieldErrors are all the refused answers of one action.
type FieldErrors []FieldError

func (es FieldErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// Err is es as an error, nil when there is none.
func (es FieldErrors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// For returns the message for a field, or "".
func (es FieldErrors) For(field string) string {
	for _, e := range es {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// Env is what validation checks answers against. Each part may be missing, and the
// checks that need it are skipped.
type Env struct {
	// Firm lists the practice bank accounts every mapping list must match.
	Firm *Firm
	// Catalog is the connected company's accounts and items; without it (Default mode)
	// no existing object can be chosen.
	Catalog *Catalog
	// Today bounds the start date.
	Today time.Time
}

// MaxNameLength is the longest name qbosync gives a new account or item (QBO's limit).
const MaxNameLength = 100

// maxStartAhead is how far ahead a start date may be: a firm may start with its next
// fiscal year, but a date further out is almost always a typing mistake.
const maxStartAhead = 366 * 24 * time.Hour

var prefixRE = regexp.MustCompile(`^[A-Za-z0-9-]{0,5}$`)

// ValidateSection checks one section of s, including the rules that relate it to
// sections saved earlier (an account used twice is reported where it is used last).
func (s Settings) ValidateSection(sec Section, env Env) FieldErrors {
	var out FieldErrors
	for _, e := range s.Validate(env) {
		if e.Field == string(sec) || strings.HasPrefix(e.Field, string(sec)+".") {
			out = append(out, e)
		}
	}
	return out
}

// Validate checks all of s and returns every problem, each naming its field and the
// fix.
func (s Settings) Validate(env Env) FieldErrors {
	v := &validator{env: env}
	if s.Mode != ModeDefault && s.Mode != ModeCustomize {
		v.add("mode", "choose %q (the recommended settings) or %q (decide each category yourself)", ModeDefault, ModeCustomize)
	}
	v.bankList("operating_bank.accounts", "operating", len(s.OperatingBank.Accounts), func(i int) int64 { return s.OperatingBank.Accounts[i].PMSAccountID })
	if s.Trust.Sync {
		v.oneOf("trust.deposit_slips", s.Trust.DepositSlips, SlipPerDeposit, SlipPerReceipt)
	}
	v.bankList("trust.accounts", "trust", len(s.Trust.Accounts), func(i int) int64 { return s.Trust.Accounts[i].PMSAccountID })

	if h := s.HardCosts; h.Sync {
		v.oneOf("hard_costs.payment_type", h.PaymentType, PaymentCheck, PaymentCash)
		v.oneOf("hard_costs.vendors", h.Vendors, VendorPerPayee, VendorOneVendor)
		if h.Vendors == VendorOneVendor {
			v.name("hard_costs.default_vendor", h.DefaultVendor, "the vendor every hard cost is paid to")
		}
	}

	inv := s.Invoices
	v.oneOf("invoices.line_items", inv.LineItems, LinesAggregate, LinesIndividual)
	v.oneOf("invoices.payments_deposit_to", inv.PaymentsDepositTo, DepositUndepositedFunds, DepositOperatingAccount)
	if inv.SyncPayments && !inv.SyncInvoices {
		v.add("invoices.sync_payments", "payments are applied to their invoices in QuickBooks, so they need the invoices too; turn on invoices or turn payments off")
	}
	if inv.PaymentsDepositTo == DepositOperatingAccount && len(s.OperatingBank.Accounts) == 0 {
		v.add("invoices.payments_deposit_to", "the firm has no operating account to deposit to; choose undeposited_funds")
	}
	if !prefixRE.MatchString(inv.DocNumberPrefix) {
		v.add("invoices.doc_number_prefix", "use at most 5 letters, digits or hyphens (QuickBooks invoice numbers are at most 21 characters), or leave it empty")
	}

	if w := s.WriteOffs; w.Sync {
		v.oneOf("write_offs.method", w.Method, WriteOffCreditMemo, WriteOffDiscountLine)
		if w.BadDebt && w.Method != WriteOffCreditMemo {
			v.add("write_offs.bad_debt", "bad debt is booked with credit memos, each dated as its write-off; choose credit_memo as the method, or turn bad debt off")
		}
		if !inv.SyncInvoices {
			v.add("write_offs.sync", "write-offs are applied to invoices, so they need the invoices in QuickBooks; turn on invoices (Invoices and payments) or turn write-offs off")
		}
	}

	v.startDate("sync_options.start_date", s.SyncOptions.StartDate)

	for _, t := range s.Targets() {
		if t.InUse {
			v.target(t)
		}
	}
	v.exclusive(s.Targets())
	return v.errs
}

type validator struct {
	env  Env
	errs FieldErrors
}

func (v *validator) add(field, format string, args ...any) {
	v.errs = append(v.errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) oneOf(field, value string, allowed ...string) {
	if !slices.Contains(allowed, value) {
		quoted := make([]string, len(allowed))
		for i, a := range allowed {
			quoted[i] = fmt.Sprintf("%q", a)
		}
		v.add(field, "%q is not an option; choose %s", value, strings.Join(quoted, " or "))
	}
}

// name checks a name qbosync gives something new in QuickBooks.
func (v *validator) name(field, name, what string) bool {
	switch {
	case name == "":
		v.add(field, "required: give %s a name", what)
	case strings.ContainsAny(name, ":\"\t\n"):
		v.add(field, "%q contains a colon, a double quote or a line break, which QuickBooks does not allow in names; remove it", name)
	case names.Clean(name) != strings.Join(strings.Fields(name), " "):
		v.add(field, "%+q contains control characters or invisible marks that change how text is shown; type the name again without them", name)
	case utf8.RuneCountInString(name) > MaxNameLength:
		v.add(field, "is %d characters long; QuickBooks allows at most %d", utf8.RuneCountInString(name), MaxNameLength)
	default:
		return true
	}
	return false
}

// bankList checks that a mapping list names each of the firm's accounts of a kind
// exactly once.
func (v *validator) bankList(field, kind string, n int, id func(int) int64) {
	if v.env.Firm == nil {
		return
	}
	var seen []int64
	for i := range n {
		got := id(i)
		ok := slices.ContainsFunc(v.env.Firm.BankAccounts, func(b BankAccount) bool { return b.ID == got && b.Kind == kind })
		switch {
		case !ok:
			v.add(fmt.Sprintf("%s.%d.pms_account_id", field, i), "the firm has no %s account %d; map only the accounts the wizard lists", kind, got)
		case slices.Contains(seen, got):
			v.add(fmt.Sprintf("%s.%d.pms_account_id", field, i), "account %d is listed twice; map each account once", got)
		}
		seen = append(seen, got)
	}
}

func (v *validator) startDate(field, value string) {
	const hint = "choose the first day whose records should reach QuickBooks"
	if value == "" {
		v.add(field, "required in YYYY-MM-DD form; %s", hint)
		return
	}
	d, err := time.Parse(time.DateOnly, value)
	switch {
	case err != nil:
		v.add(field, "%q is not a date in YYYY-MM-DD form (e.g. 2026-01-01); %s", value, hint)
	case d.Year() < 2000:
		v.add(field, "%s is before 2000; %s", value, hint)
	case !v.env.Today.IsZero() && d.Sub(v.env.Today) > maxStartAhead:
		v.add(field, "%s is more than a year ahead, so nothing would sync until then; %s", value, hint)
	}
}

// target checks that a Target is a usable new object or an existing one that fits.
func (v *validator) target(t TargetRef) {
	what := "the new " + t.Role.Label
	if t.Target.IsNew() {
		if !v.name(t.Path+".name", t.Target.Name, what) {
			return
		}
		if o, ok := v.env.Catalog.findName(t.Role.Entity, t.Target.Name); ok {
			hint := fmt.Sprintf("choose it as the existing %s, or give the new one another name", t.Role.Label)
			if t.Role.Exclusive {
				// A bank account is never linked by its name: the firm must pick it.
				hint = fmt.Sprintf("qbosync never uses a bank account by its name alone; choose it as the existing %s (Customize) if it is that account, or give the new one another name", t.Role.Label)
			}
			v.add(t.Path+".name", "QuickBooks already has %s %q (id %s), of type %s; %s",
				strings.ToLower(t.Role.Entity), o.Name, o.ID, o.Type, hint)
		}
		return
	}
	field := t.Path + ".existing_id"
	if v.env.Catalog == nil {
		v.add(field, "existing QuickBooks objects can be chosen only in Customize mode, from the list it loads; choose \"create new\" or switch to Customize")
		return
	}
	o, ok := v.env.Catalog.find(t.Role.Entity, t.Target.ExistingID)
	switch {
	case !ok:
		v.add(field, "QuickBooks has no active %s with id %q; choose one from the list, or \"create new\"", strings.ToLower(t.Role.Entity), t.Target.ExistingID)
	case !slices.Contains(t.Role.Types, o.Type):
		v.add(field, "%q is a %s %s, but the %s must be of type %s; choose another, or \"create new\"",
			o.Name, o.Type, strings.ToLower(t.Role.Entity), t.Role.Label, strings.Join(t.Role.Types, " or "))
	}
}

// exclusive reports an existing account that stands for two exclusive roles, and two
// new objects of one entity with the same name (QuickBooks names are unique).
func (v *validator) exclusive(targets []TargetRef) {
	type use struct{ key, label string }
	var used []use
	for _, t := range targets {
		if !t.InUse {
			continue
		}
		var key, field string
		switch {
		case t.Target.IsNew() && t.Target.Name != "":
			key, field = t.Role.Entity+"/name/"+names.Key(t.Target.Name), t.Path+".name"
		case !t.Target.IsNew() && t.Role.Exclusive:
			key, field = t.Role.Entity+"/id/"+t.Target.ExistingID, t.Path+".existing_id"
		default:
			continue
		}
		i := slices.IndexFunc(used, func(u use) bool { return u.key == key })
		if i < 0 {
			used = append(used, use{key, t.Label})
			continue
		}
		if t.Target.IsNew() {
			v.add(field, "%q is already the name of another new %s (%s), as QuickBooks compares names (ignoring case and repeated spaces); QuickBooks names are unique, so give this one another name",
				t.Target.Name, strings.ToLower(t.Role.Entity), used[i].label)
		} else {
			v.add(field, "%q already stands for %s; a bank or trust liability account can stand for one thing only, so choose another or \"create new\"",
				t.Target.Name, used[i].label)
		}
	}
}
