package settings_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/settings"
)

var firm = settings.Firm{ID: 7, Name: "Hall & Oates LLP", BankAccounts: []settings.BankAccount{
	{ID: 11, Kind: "operating", Name: "Operating Account", Last4: "4821"},
	{ID: 12, Kind: "trust", Name: "IOLTA Trust Account", Last4: "3390"},
	{ID: 13, Kind: "operating", Name: "Costs Account"},
}}

var catalog = &settings.Catalog{
	Accounts: []settings.QBOObject{
		{ID: "35", Name: "Checking", Type: "Bank", SubType: "Checking"},
		{ID: "36", Name: "Savings", Type: "Bank", SubType: "Savings"},
		{ID: "40", Name: "Services", Type: "Income", SubType: "ServiceFeeIncome"},
		{ID: "41", Name: "Client Trust Liability", Type: "Other Current Liability"},
		{ID: "42", Name: "Legal & Professional Fees", Type: "Expense"},
	},
	Items: []settings.QBOObject{{ID: "1", Name: "Services", Type: "Service"}, {ID: "2", Name: "Hours", Type: "Service"}},
}

var today = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

func env(c *settings.Catalog) settings.Env {
	return settings.Env{Firm: &firm, Catalog: c, Today: today}
}

func validDefaults() settings.Settings {
	s := settings.Defaults(firm)
	s.SyncOptions.StartDate = "2026-01-01"
	return s
}

// wantErrors checks that errs names exactly these fields, each with a message that
// says what to do.
func wantErrors(t *testing.T, errs settings.FieldErrors, fields ...string) {
	t.Helper()
	if len(errs) != len(fields) {
		t.Fatalf("errors = %v, want one for each of %v", errs, fields)
	}
	for i, f := range fields {
		if errs[i].Field != f {
			t.Errorf("error %d names %q, want %q (%v)", i, errs[i].Field, f, errs[i])
		}
		if len(errs[i].Message) < 20 {
			t.Errorf("error for %s says too little to act on: %q", f, errs[i].Message)
		}
	}
}

func TestDefaultsFollowThePostingRules(t *testing.T) {
	s := settings.Defaults(firm)
	if s.Mode != settings.ModeDefault {
		t.Errorf("mode = %q", s.Mode)
	}
	if len(s.OperatingBank.Accounts) != 2 || s.OperatingBank.Accounts[0].Account != settings.NewObject("Operating Account") ||
		s.OperatingBank.Accounts[0].PMSName != "Operating Account (…4821)" || s.OperatingBank.Accounts[1].PMSAccountID != 13 {
		t.Errorf("operating accounts = %+v", s.OperatingBank.Accounts)
	}
	if tr := s.Trust.Accounts; len(tr) != 1 || tr[0].Bank.Name != "IOLTA Trust Account" || tr[0].Liability.Name != "IOLTA Trust Account - Client Funds" {
		t.Errorf("trust accounts = %+v", tr)
	}
	m := s.ItemMapping
	names := []string{m.FeeIncomeAccount.Name, m.ReimbursedCostsAccount.Name, m.Fees.Name, m.FlatFees.Name, m.HardCosts.Name,
		m.SoftCosts.Name, m.Interest.Name, m.WriteOffs.Name, s.HardCosts.ExpenseAccount.Name, s.WriteOffs.Account.Name}
	want := []string{"Legal Fee Income", "Reimbursed Client Costs", "Legal Services", "Flat Fees", "Hard Costs", "Soft Costs",
		"Interest", "Write-Offs", "Client Costs Advanced", "Write-Offs and Discounts"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("default names = %q, want %q", names, want)
	}
	if s.Invoices.LineItems != settings.LinesAggregate || s.Invoices.PaymentsDepositTo != settings.DepositUndepositedFunds ||
		s.WriteOffs.Method != settings.WriteOffCreditMemo || !s.Contacts.MattersAsSubCustomers || s.Contacts.MatchExistingCustomers ||
		!s.SyncOptions.SyncAllUnpaidInvoices || !s.Trust.Sync || s.Trust.DepositSlips != settings.SlipPerDeposit {
		t.Errorf("defaults = %+v", s)
	}
	for _, tr := range s.Targets() {
		if !tr.Target.IsNew() {
			t.Errorf("%s: Default mode must create, not map: %v", tr.Path, tr.Target)
		}
	}
	// The only decision Default mode leaves is the start date.
	errs := s.Validate(env(nil))
	wantErrors(t, errs, "sync_options.start_date")
	if errs[0].Message != "required in YYYY-MM-DD form; choose the first day whose records should reach QuickBooks" {
		t.Errorf("message = %q", errs[0].Message)
	}
	if errs := validDefaults().Validate(env(nil)); len(errs) != 0 {
		t.Fatalf("defaults with a start date are invalid: %v", errs)
	}
}

func TestStartDate(t *testing.T) {
	for date, ok := range map[string]bool{
		"2026-01-01": true, "2027-06-30": true, "2026-13-01": false, "01/02/2026": false,
		"1999-12-31": false, "2028-01-01": false, " ": false,
	} {
		s := validDefaults().Apply(settings.Answers{SyncOptions: &settings.SyncOptionSettings{StartDate: date}}, nil)
		errs := s.ValidateSection(settings.SyncOptions, env(nil))
		if ok != (len(errs) == 0) {
			t.Errorf("start date %q: errors %v", date, errs)
		}
		if !ok && (len(errs) != 1 || errs[0].Field != "sync_options.start_date" || !strings.Contains(errs[0].Message, "first day")) {
			t.Errorf("start date %q: %v", date, errs)
		}
	}
}

func TestChoicesAndDependencies(t *testing.T) {
	s := validDefaults()
	s.Invoices.LineItems = "itemised"
	s.Invoices.SyncInvoices = false
	s.Invoices.DocNumberPrefix = "INV/2026"
	s.HardCosts.Vendors = settings.VendorOneVendor
	s.Trust.DepositSlips = ""
	errs := s.Validate(env(nil))
	wantErrors(t, errs, "trust.deposit_slips", "hard_costs.default_vendor", "invoices.line_items",
		"invoices.sync_payments", "invoices.doc_number_prefix", "write_offs.sync")
	if !strings.Contains(errs[2].Message, `"aggregate" or "individual"`) {
		t.Errorf("choice message does not list the options: %q", errs[2].Message)
	}
	// A section that does not sync is not checked.
	s = validDefaults()
	s.Trust.Sync, s.Trust.DepositSlips, s.Trust.Accounts[0].Liability.Name = false, "", ""
	if errs := s.Validate(env(nil)); len(errs) != 0 {
		t.Errorf("trust off still checked: %v", errs)
	}
}

func TestCustomizeMapsToExistingObjects(t *testing.T) {
	s := validDefaults().WithMode(settings.ModeCustomize, firm)
	s = s.Apply(settings.Answers{OperatingBank: &settings.OperatingBankSettings{Accounts: []settings.BankAccountMapping{
		{PMSAccountID: 13, Account: settings.Target{ExistingID: "36", Name: "whatever the page sent"}},
	}}}, catalog)
	got := s.OperatingBank.Accounts
	if len(got) != 2 || got[0].Account.Name != "Operating Account" || got[1].Account != (settings.Target{ExistingID: "36", Name: "Savings"}) ||
		got[1].PMSName != "Costs Account" {
		t.Fatalf("after mapping one account = %+v", got)
	}
	if errs := s.Validate(env(catalog)); len(errs) != 0 {
		t.Fatalf("valid mapping refused: %v", errs)
	}
	if errs := s.Validate(env(nil)); len(errs) != 1 || errs[0].Field != "operating_bank.accounts.1.account.existing_id" ||
		!strings.Contains(errs[0].Message, "Customize") {
		t.Errorf("an existing object without the catalog: %v", errs)
	}

	s = s.Apply(settings.Answers{
		Trust: &settings.TrustSettings{Sync: true, DepositSlips: settings.SlipPerReceipt, Accounts: []settings.TrustAccountMapping{
			{PMSAccountID: 12, Bank: settings.Target{ExistingID: "36"}, Liability: settings.Target{ExistingID: "40"}},
			{PMSAccountID: 99, Bank: settings.NewObject("Stray"), Liability: settings.NewObject("Stray liability")},
		}},
		ItemMapping: &settings.ItemMappingSettings{
			FeeIncomeAccount: settings.Target{ExistingID: "40"}, ReimbursedCostsAccount: settings.NewObject("Services"),
			Fees: settings.Target{ExistingID: "1"}, FlatFees: settings.Target{ExistingID: "1"}, HardCosts: settings.Target{ExistingID: "77"},
			SoftCosts: settings.NewObject("Soft: Costs"), Interest: settings.NewObject("Hours"), WriteOffs: settings.NewObject("Legal Services"),
		},
	}, catalog)
	errs := s.Validate(env(catalog))
	wantErrors(t, errs,
		"trust.accounts.1.pms_account_id",            // not an account of the firm
		"trust.accounts.0.liability.existing_id",     // an income account is no liability
		"item_mapping.reimbursed_costs_account.name", // QuickBooks has an account of that name
		"item_mapping.hard_costs.existing_id",        // no such item
		"item_mapping.soft_costs.name",               // a colon
		"item_mapping.interest.name",                 // QuickBooks has an item of that name
		"trust.accounts.0.bank.existing_id",          // Savings is already an operating account
	)
	for _, want := range []string{"no trust account 99", "must be of type Other Current Liability", `already has account "Services" (id 40)`,
		`no active item with id "77"`, "colon", `already has item "Hours"`, "already stands for Costs Account"} {
		if !strings.Contains(errs.Error(), want) {
			t.Errorf("errors do not say %q: %v", want, errs)
		}
	}
	// Two items sharing an existing item is fine; two new objects of one name are not.
	if strings.Contains(errs.Error(), "item_mapping.flat_fees") {
		t.Error("two item types mapped to one existing item were refused")
	}
	s2 := validDefaults()
	s2.ItemMapping.Interest = settings.NewObject("legal services")
	wantErrors(t, s2.Validate(env(nil)), "item_mapping.interest.name")
}

func TestValidateSectionReportsOnlyThatSection(t *testing.T) {
	s := settings.Defaults(firm) // no start date
	s.Invoices.LineItems = "?"
	if errs := s.ValidateSection(settings.Contacts, env(nil)); len(errs) != 0 {
		t.Errorf("contacts: %v", errs)
	}
	wantErrors(t, s.ValidateSection(settings.Invoices, env(nil)), "invoices.line_items")
	wantErrors(t, s.ValidateSection(settings.SyncOptions, env(nil)), "sync_options.start_date")
}

func TestWithModeDefaultResetsCategoriesButKeepsSyncOptions(t *testing.T) {
	s := validDefaults().WithMode(settings.ModeCustomize, firm)
	s.Invoices.LineItems = settings.LinesIndividual
	back := s.WithMode(settings.ModeDefault, firm)
	if back.Invoices.LineItems != settings.LinesAggregate || back.SyncOptions.StartDate != "2026-01-01" || back.Mode != settings.ModeDefault {
		t.Errorf("back to default = %+v", back)
	}
	again := s.WithMode(settings.ModeCustomize, firm)
	if again.Invoices.LineItems != settings.LinesIndividual {
		t.Error("choosing Customize again lost the customized answers")
	}
}

func TestDecodeForm(t *testing.T) {
	s := validDefaults().WithMode(settings.ModeCustomize, firm)
	a := s.DecodeForm(settings.TrustBank, map[string][]string{
		"trust.sync":                         {"false", "true"}, // hidden false, then the ticked box
		"trust.deposit_slips":                {"receipt"},
		"trust.accounts.0.bank.existing_id":  {"35"},
		"trust.accounts.0.bank.name":         {""},
		"trust.accounts.0.liability.name":    {"Client Funds"},
		"trust.accounts.0.liability.ignored": {"x"},
	})
	if a.Trust == nil || !a.Trust.Sync || a.Trust.DepositSlips != "receipt" || a.Trust.Accounts[0].Bank.ExistingID != "35" ||
		a.Trust.Accounts[0].Liability != settings.NewObject("Client Funds") || a.Trust.Accounts[0].PMSAccountID != 12 {
		t.Fatalf("decoded %+v", a.Trust)
	}
	if got := a.Sections(); len(got) != 1 || got[0] != settings.TrustBank {
		t.Errorf("sections = %v", got)
	}
	off := s.DecodeForm(settings.Contacts, map[string][]string{"contacts.matters_as_sub_customers": {"false"}})
	if off.Contacts.MattersAsSubCustomers || off.Contacts.MatchExistingCustomers {
		t.Errorf("unticked boxes = %+v", off.Contacts)
	}
	if s.Trust.DepositSlips != settings.SlipPerDeposit || s.Trust.Accounts[0].Bank.ExistingID != "" {
		t.Error("decoding changed the settings it started from")
	}
}

func TestAnswersTravelAsJSON(t *testing.T) {
	var a settings.Answers
	if err := json.Unmarshal([]byte(`{"sync_options":{"start_date":"2026-02-01","sync_all_unpaid_invoices":false}}`), &a); err != nil {
		t.Fatal(err)
	}
	s := validDefaults().Apply(a, nil)
	if s.SyncOptions.StartDate != "2026-02-01" || s.SyncOptions.SyncAllUnpaidInvoices {
		t.Errorf("applied = %+v", s.SyncOptions)
	}
}

func TestSummaryPrintsEverySetting(t *testing.T) {
	s := validDefaults()
	s.Trust.Sync = false
	text := s.Summary(settings.Header{FirmName: "Hall & Oates LLP", FirmID: 7, CompanyName: "Sandbox Co", RealmID: "9130", Status: "Draft, not submitted"})
	for _, want := range []string{
		"Firm:", "Hall & Oates LLP (firm 7)", "Sandbox Co (company 9130)", "Default settings", "Draft, not submitted",
		"1. Operating bank accounts", "Operating Account (…4821)", `new Bank account "Operating Account"`,
		"2. Trust bank accounts and deposit slips", "Deposit slips", "not used",
		"5. Invoice and payment item mapping", `new item "Legal Services"`,
		"8. Sync options", "Sync start date", "2026-01-01", "Sync all unpaid invoices", "yes",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %q:\n%s", want, text)
		}
	}
	if n := len(s.SummarySections()); n != len(settings.Sections) {
		t.Errorf("%d summary sections, want %d", n, len(settings.Sections))
	}
}

func TestFormatCents(t *testing.T) {
	for c, want := range map[int64]string{0: "$0.00", 5: "$0.05", 123456: "$1,234.56", 100000000: "$1,000,000.00", -2550: "-$25.50"} {
		if got := settings.FormatCents(c); got != want {
			t.Errorf("FormatCents(%d) = %q, want %q", c, got, want)
		}
	}
}

// Bad debt needs credit memos (each dated as its write-off) and its two objects; off,
// neither is asked for.
func TestBadDebt(t *testing.T) {
	s := validDefaults()
	s.WriteOffs.BadDebt, s.WriteOffs.Method = true, settings.WriteOffDiscountLine
	wantErrors(t, s.Validate(env(nil)), "write_offs.bad_debt")
	s.WriteOffs.Method = settings.WriteOffCreditMemo
	if errs := s.Validate(env(nil)); len(errs) != 0 {
		t.Errorf("bad debt with the default objects: %v", errs)
	}
	var inUse []string
	for _, tr := range s.Targets() {
		if tr.InUse && (tr.Role == settings.RoleBadDebtAccount || tr.Path == "item_mapping.bad_debt") {
			inUse = append(inUse, tr.Path)
		}
	}
	if len(inUse) != 2 {
		t.Errorf("bad debt targets in use: %v, want the account and the item", inUse)
	}
	s.WriteOffs.BadDebtAccount = settings.Target{}
	wantErrors(t, s.Validate(env(nil)), "write_offs.bad_debt_account.name")
	s.WriteOffs.BadDebt = false
	if errs := s.Validate(env(nil)); len(errs) != 0 {
		t.Errorf("bad debt off, its account still checked: %v", errs)
	}
}

// The printable settings carry the review's preview: every line with its count, total
// and note, so the paper the firm keeps says what the first sync posted.
func TestPreviewText(t *testing.T) {
	p := settings.Preview{StartDate: "2026-03-01", Lines: []settings.PreviewLine{
		{Title: "Invoices", Entity: "Invoice", Count: 41, TotalCents: 1234567, HasTotal: true, Note: "One line per item type."},
		{Title: "Customers (clients)", Entity: "Customer", Count: 15},
	}}
	text := p.Text()
	for _, want := range []string{"records from 2026-03-01", "Invoices (Invoice): 41, $12,345.67", "One line per item type.", "Customers (clients) (Customer): 15\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("preview text lacks %q:\n%s", want, text)
		}
	}
}
