// Package settings holds the setup wizard's settings: what a firm decides, category by
// category, about how its practice records reach QuickBooks Online. It gives the
// defaults of Default mode (the objects docs/posting.md lists in "Objects in
// QuickBooks"), the validation that refuses bad answers with the field and the fix, a
// printable summary, the Review page's preview of the first sync, and the settings'
// rows in PostgreSQL.
//
// Everything but the preview and the store is pure, so the wizard workflow can use it
// in deterministic code. Money is integer cents, never a float.
package settings

import (
	"fmt"
	"slices"
)

// Mode is how the firm set the integration up.
type Mode string

const (
	// ModeDefault takes Defaults for every category: the fewest decisions.
	ModeDefault Mode = "default"
	// ModeCustomize walks through every category, and lets each bank account, item
	// and account map to an existing QuickBooks object instead of a new one.
	ModeCustomize Mode = "customize"
)

// Section is one category of settings; the Customize steps of the wizard are the
// sections in the order of Sections, and Sync options ends both modes.
type Section string

// The sections, named as in the product page the wizard comes from.
const (
	OperatingBank Section = "operating_bank"
	TrustBank     Section = "trust"
	HardCosts     Section = "hard_costs"
	Invoices      Section = "invoices"
	ItemMapping   Section = "item_mapping"
	WriteOffs     Section = "write_offs"
	Contacts      Section = "contacts"
	SyncOptions   Section = "sync_options"
)

// Sections lists every section in the order the wizard shows them.
var Sections = []Section{OperatingBank, TrustBank, HardCosts, Invoices, ItemMapping, WriteOffs, Contacts, SyncOptions}

// CustomizeSections are the steps only Customize mode shows.
var CustomizeSections = Sections[:len(Sections)-1]

var sectionTitles = map[Section]string{
	OperatingBank: "Operating bank accounts",
	TrustBank:     "Trust bank accounts and deposit slips",
	HardCosts:     "Hard costs",
	Invoices:      "Invoices and payments",
	ItemMapping:   "Invoice and payment item mapping",
	WriteOffs:     "Changes and write-offs",
	Contacts:      "Contacts and matters",
	SyncOptions:   "Sync options",
}

// Title is the section's heading, for pages and the printed summary.
func (s Section) Title() string {
	if t, ok := sectionTitles[s]; ok {
		return t
	}
	return string(s)
}

// Valid reports whether s is one of Sections.
func (s Section) Valid() bool { return slices.Contains(Sections, s) }

// Target says which QuickBooks object stands for something: an existing one, by its
// QuickBooks id, or (ExistingID empty) a new one qbosync creates with Name. For an
// existing object Name is its QuickBooks name, kept for summaries.
type Target struct {
	ExistingID string `json:"existing_id,omitempty"`
	Name       string `json:"name"`
}

// NewObject is a Target that qbosync creates.
func NewObject(name string) Target { return Target{Name: name} }

// IsNew reports whether qbosync creates the object.
func (t Target) IsNew() bool { return t.ExistingID == "" }

func (t Target) String() string {
	if t.IsNew() {
		return fmt.Sprintf("new %q", t.Name)
	}
	return fmt.Sprintf("existing %q (id %s)", t.Name, t.ExistingID)
}

// Settings is everything the wizard decides. The JSON field names are the sections
// and the paths FieldError names.
type Settings struct {
	Mode          Mode                  `json:"mode"`
	OperatingBank OperatingBankSettings `json:"operating_bank"`
	Trust         TrustSettings         `json:"trust"`
	HardCosts     HardCostSettings      `json:"hard_costs"`
	Invoices      InvoiceSettings       `json:"invoices"`
	ItemMapping   ItemMappingSettings   `json:"item_mapping"`
	WriteOffs     WriteOffSettings      `json:"write_offs"`
	Contacts      ContactSettings       `json:"contacts"`
	SyncOptions   SyncOptionSettings    `json:"sync_options"`
}

// OperatingBankSettings maps each of the firm's operating accounts to a QBO bank
// account. Payments deposited to the operating account and hard costs paid from it
// post there.
type OperatingBankSettings struct {
	Accounts []BankAccountMapping `json:"accounts"`
}

// BankAccountMapping is one practice bank account and its QBO Bank account.
type BankAccountMapping struct {
	PMSAccountID int64  `json:"pms_account_id"`
	PMSName      string `json:"pms_name"`
	Account      Target `json:"account"`
}

// Deposit slip modes.
const (
	// SlipPerDeposit posts each deposit slip as one QBO Deposit with a line per client
	// receipt, so it matches the one amount on the bank statement.
	SlipPerDeposit = "slip"
	// SlipPerReceipt posts each client receipt as its own Deposit.
	SlipPerReceipt = "receipt"
)

// TrustSettings says whether client trust money syncs, and maps each trust (IOLTA)
// account to a QBO bank account and the liability that balances it.
type TrustSettings struct {
	Sync         bool                  `json:"sync"`
	DepositSlips string                `json:"deposit_slips"`
	Accounts     []TrustAccountMapping `json:"accounts"`
}

// TrustAccountMapping is one trust account, its QBO bank account and its liability.
type TrustAccountMapping struct {
	PMSAccountID int64  `json:"pms_account_id"`
	PMSName      string `json:"pms_name"`
	Bank         Target `json:"bank"`
	Liability    Target `json:"liability"`
}

// Hard cost choices.
const (
	PaymentCheck    = "check"
	PaymentCash     = "cash"
	VendorPerPayee  = "per_payee"
	VendorOneVendor = "one_vendor"
)

// HardCostSettings says how costs the firm paid to third parties for a matter post:
// a Purchase from the operating account to the client-costs account.
type HardCostSettings struct {
	Sync           bool   `json:"sync"`
	ExpenseAccount Target `json:"expense_account"`
	PaymentType    string `json:"payment_type"`
	Vendors        string `json:"vendors"`
	DefaultVendor  string `json:"default_vendor"`
}

// Invoice line item options.
const (
	// LinesAggregate is one line per item type (fees, flat fees, costs, interest).
	LinesAggregate = "aggregate"
	// LinesIndividual is one line per time entry and expense.
	LinesIndividual = "individual"
)

// Where payments are deposited.
const (
	DepositUndepositedFunds = "undeposited_funds"
	DepositOperatingAccount = "operating_account"
)

// InvoiceSettings are the "Sync invoice options" and "Invoice item options".
type InvoiceSettings struct {
	SyncInvoices      bool   `json:"sync_invoices"`
	SyncPayments      bool   `json:"sync_payments"`
	LineItems         string `json:"line_items"`
	DocNumberPrefix   string `json:"doc_number_prefix"`
	PaymentsDepositTo string `json:"payments_deposit_to"`
}

// ItemMappingSettings maps each kind of invoice line to a QBO item, and the income
// accounts new items post to.
type ItemMappingSettings struct {
	FeeIncomeAccount       Target `json:"fee_income_account"`
	ReimbursedCostsAccount Target `json:"reimbursed_costs_account"`
	Fees                   Target `json:"fees"`
	FlatFees               Target `json:"flat_fees"`
	HardCosts              Target `json:"hard_costs"`
	SoftCosts              Target `json:"soft_costs"`
	Interest               Target `json:"interest"`
	WriteOffs              Target `json:"write_offs"`
	// BadDebt is the item of uncollectible write-offs, under WriteOffSettings.BadDebt.
	BadDebt Target `json:"bad_debt,omitzero"`
}

// Write-off methods.
const (
	WriteOffCreditMemo   = "credit_memo"
	WriteOffDiscountLine = "discount_line"
)

// WriteOffSettings says how write-offs and credit adjustments post. Debit adjustments
// always update their invoice.
type WriteOffSettings struct {
	Sync    bool   `json:"sync"`
	Method  string `json:"method"`
	Account Target `json:"account"`
	// BadDebt books write-offs of uncollectible balances (the practice system's
	// write-offs, as opposed to its courtesy credits) as bad debt expense: credit memos
	// with the bad debt item, whose account is BadDebtAccount, as Intuit's own
	// instructions for writing off bad debt do. Courtesy credits stay contra-income.
	BadDebt        bool   `json:"bad_debt,omitempty"`
	BadDebtAccount Target `json:"bad_debt_account,omitzero"`
}

// ContactSettings say how clients and matters become customers.
type ContactSettings struct {
	MattersAsSubCustomers  bool `json:"matters_as_sub_customers"`
	MatchExistingCustomers bool `json:"match_existing_customers"`
	// MatchExistingVendors pays a payee through a QuickBooks vendor of the same name
	// that qbosync did not create, instead of a vendor of its own ("<name> (payee)").
	MatchExistingVendors bool `json:"match_existing_vendors"`
}

// SyncOptionSettings say from when records sync.
type SyncOptionSettings struct {
	// StartDate is the first day (YYYY-MM-DD) whose records reach QuickBooks.
	StartDate string `json:"start_date"`
	// SyncAllUnpaidInvoices also syncs invoices from before StartDate that are still
	// unpaid, so that their payments, which arrive after it, have an invoice to apply to.
	SyncAllUnpaidInvoices bool `json:"sync_all_unpaid_invoices"`
}

// BankAccount is a practice bank account, as Defaults needs it.
type BankAccount struct {
	ID    int64  `json:"id" db:"id"`
	Kind  string `json:"kind" db:"kind"` // operating or trust
	Name  string `json:"name" db:"name"`
	Last4 string `json:"last4" db:"account_last4"`
}

// Label is how the account is named on pages: its name and the last digits.
func (b BankAccount) Label() string {
	if b.Last4 == "" {
		return b.Name
	}
	return fmt.Sprintf("%s (…%s)", b.Name, b.Last4)
}

// Firm is what the wizard knows of the practice: its name and its bank accounts.
type Firm struct {
	ID           int64         `json:"id"`
	Name         string        `json:"name"`
	BankAccounts []BankAccount `json:"bank_accounts"`
}

// Default names of the objects Default mode creates (docs/posting.md, "Objects in
// QuickBooks").
const (
	NameFeeIncome           = "Legal Fee Income"
	NameClientCostsAdvanced = "Client Costs Advanced"
	NameReimbursedCosts     = "Reimbursed Client Costs"
	NameWriteOffsAccount    = "Write-Offs and Discounts"
	NameFeesItem            = "Legal Services"
	NameFlatFeesItem        = "Flat Fees"
	NameHardCostsItem       = "Hard Costs"
	NameSoftCostsItem       = "Soft Costs"
	NameInterestItem        = "Interest"
	NameWriteOffsItem       = "Write-Offs"
	NameBadDebtAccount      = "Bad Debts"
	NameBadDebtItem         = "Bad Debt"
	// trustLiabilitySuffix names a trust account's liability: "<account> - Client Funds".
	trustLiabilitySuffix = " - Client Funds"
)

// Defaults are the settings of Default mode, the starting point of Customize:
//
//   - every practice bank account gets a new QBO bank account of its name, and every
//     trust account a liability "<name> - Client Funds";
//   - trust money syncs, a deposit slip as one Deposit (as the bank statement shows it);
//   - hard costs sync as checks to "Client Costs Advanced", one vendor per payee;
//   - invoices and payments sync, one line per item type (aggregate), invoice numbers
//     unchanged, payments to Undeposited Funds so the bookkeeper builds the deposits
//     that match the bank (as most peers do);
//   - new items "Legal Services", "Flat Fees", "Hard Costs", "Soft Costs", "Interest"
//     and "Write-Offs", posting to "Legal Fee Income" and "Reimbursed Client Costs";
//   - write-offs and credits sync as credit memos to "Write-Offs and Discounts";
//   - matters become sub-customers of their client's customer; existing QBO customers
//     of the same name are not matched (a clash is reported for a person to decide);
//   - no start date (the firm must choose one), and unpaid invoices from before it sync
//     too, so their later payments have something to apply to.
func Defaults(f Firm) Settings {
	s := Settings{
		Mode:  ModeDefault,
		Trust: TrustSettings{Sync: true, DepositSlips: SlipPerDeposit},
		HardCosts: HardCostSettings{
			Sync: true, ExpenseAccount: NewObject(NameClientCostsAdvanced),
			PaymentType: PaymentCheck, Vendors: VendorPerPayee,
		},
		Invoices: InvoiceSettings{
			SyncInvoices: true, SyncPayments: true, LineItems: LinesAggregate,
			PaymentsDepositTo: DepositUndepositedFunds,
		},
		ItemMapping: ItemMappingSettings{
			FeeIncomeAccount:       NewObject(NameFeeIncome),
			ReimbursedCostsAccount: NewObject(NameReimbursedCosts),
			Fees:                   NewObject(NameFeesItem),
			FlatFees:               NewObject(NameFlatFeesItem),
			HardCosts:              NewObject(NameHardCostsItem),
			SoftCosts:              NewObject(NameSoftCostsItem),
			Interest:               NewObject(NameInterestItem),
			WriteOffs:              NewObject(NameWriteOffsItem),
			BadDebt:                NewObject(NameBadDebtItem),
		},
		WriteOffs: WriteOffSettings{Sync: true, Method: WriteOffCreditMemo, Account: NewObject(NameWriteOffsAccount),
			BadDebtAccount: NewObject(NameBadDebtAccount)},
		Contacts:    ContactSettings{MattersAsSubCustomers: true},
		SyncOptions: SyncOptionSettings{SyncAllUnpaidInvoices: true},
	}
	s.OperatingBank.Accounts = []BankAccountMapping{}
	s.Trust.Accounts = []TrustAccountMapping{}
	for _, b := range f.BankAccounts {
		switch b.Kind {
		case "operating":
			s.OperatingBank.Accounts = append(s.OperatingBank.Accounts,
				BankAccountMapping{PMSAccountID: b.ID, PMSName: b.Label(), Account: NewObject(b.Name)})
		case "trust":
			s.Trust.Accounts = append(s.Trust.Accounts, TrustAccountMapping{
				PMSAccountID: b.ID, PMSName: b.Label(),
				Bank: NewObject(b.Name), Liability: NewObject(b.Name + trustLiabilitySuffix),
			})
		}
	}
	return s
}

// WithMode returns the settings for mode: Default mode is Defaults whatever was
// answered before; Customize starts from what is there. The sync options, which both
// modes ask, are kept.
func (s Settings) WithMode(mode Mode, f Firm) Settings {
	if mode == ModeDefault {
		opts := s.SyncOptions
		s = Defaults(f)
		if opts.StartDate != "" {
			s.SyncOptions = opts
		}
	}
	s.Mode = mode
	return s
}

// Answers are what one wizard step saves: the section of that step, replaced whole,
// except for bank account lists: their entries are matched to the firm's accounts by
// pms_account_id, and an account left out keeps its mapping.
type Answers struct {
	OperatingBank *OperatingBankSettings `json:"operating_bank,omitempty"`
	Trust         *TrustSettings         `json:"trust,omitempty"`
	HardCosts     *HardCostSettings      `json:"hard_costs,omitempty"`
	Invoices      *InvoiceSettings       `json:"invoices,omitempty"`
	ItemMapping   *ItemMappingSettings   `json:"item_mapping,omitempty"`
	WriteOffs     *WriteOffSettings      `json:"write_offs,omitempty"`
	Contacts      *ContactSettings       `json:"contacts,omitempty"`
	SyncOptions   *SyncOptionSettings    `json:"sync_options,omitempty"`
}

// Sections lists the sections the answers hold, in wizard order.
func (a Answers) Sections() []Section {
	var out []Section
	for _, sec := range Sections {
		if a.has(sec) {
			out = append(out, sec)
		}
	}
	return out
}

func (a Answers) has(sec Section) bool {
	switch sec {
	case OperatingBank:
		return a.OperatingBank != nil
	case TrustBank:
		return a.Trust != nil
	case HardCosts:
		return a.HardCosts != nil
	case Invoices:
		return a.Invoices != nil
	case ItemMapping:
		return a.ItemMapping != nil
	case WriteOffs:
		return a.WriteOffs != nil
	case Contacts:
		return a.Contacts != nil
	case SyncOptions:
		return a.SyncOptions != nil
	}
	return false
}

// Section returns the answers for one section of s: its current values, ready to be
// changed and saved.
func (s Settings) Section(sec Section) Answers {
	c := s.Clone()
	switch sec {
	case OperatingBank:
		return Answers{OperatingBank: &c.OperatingBank}
	case TrustBank:
		return Answers{Trust: &c.Trust}
	case HardCosts:
		return Answers{HardCosts: &c.HardCosts}
	case Invoices:
		return Answers{Invoices: &c.Invoices}
	case ItemMapping:
		return Answers{ItemMapping: &c.ItemMapping}
	case WriteOffs:
		return Answers{WriteOffs: &c.WriteOffs}
	case Contacts:
		return Answers{Contacts: &c.Contacts}
	case SyncOptions:
		return Answers{SyncOptions: &c.SyncOptions}
	}
	return Answers{}
}

// Apply returns s with the answered sections replaced. Bank account lists are matched
// to the firm's accounts by id, and names of existing QuickBooks objects are taken
// from the catalog, so what the caller sent for either does not matter. Apply does not
// validate: call Validate on the result.
func (s Settings) Apply(a Answers, cat *Catalog) Settings {
	out := s.Clone()
	if a.OperatingBank != nil {
		out.OperatingBank.Accounts = mergeByID(s.OperatingBank.Accounts, a.OperatingBank.Accounts,
			func(m BankAccountMapping) int64 { return m.PMSAccountID },
			func(old, new BankAccountMapping) BankAccountMapping { old.Account = new.Account; return old })
	}
	if a.Trust != nil {
		accounts := out.Trust.Accounts
		out.Trust = *a.Trust
		out.Trust.Accounts = mergeByID(accounts, a.Trust.Accounts,
			func(m TrustAccountMapping) int64 { return m.PMSAccountID },
			func(old, new TrustAccountMapping) TrustAccountMapping {
				old.Bank, old.Liability = new.Bank, new.Liability
				return old
			})
	}
	if a.HardCosts != nil {
		out.HardCosts = *a.HardCosts
	}
	if a.Invoices != nil {
		out.Invoices = *a.Invoices
	}
	if a.ItemMapping != nil {
		out.ItemMapping = *a.ItemMapping
	}
	if a.WriteOffs != nil {
		out.WriteOffs = *a.WriteOffs
	}
	if a.Contacts != nil {
		out.Contacts = *a.Contacts
	}
	if a.SyncOptions != nil {
		out.SyncOptions = *a.SyncOptions
	}
	for _, t := range out.Targets() {
		t.Target.ExistingID = trimSpace(t.Target.ExistingID)
		t.Target.Name = trimSpace(t.Target.Name)
		if o, ok := cat.find(t.Role.Entity, t.Target.ExistingID); ok {
			t.Target.Name = o.Name
		}
	}
	out.HardCosts.DefaultVendor = trimSpace(out.HardCosts.DefaultVendor)
	out.Invoices.DocNumberPrefix = trimSpace(out.Invoices.DocNumberPrefix)
	out.SyncOptions.StartDate = trimSpace(out.SyncOptions.StartDate)
	return out
}

// mergeByID keeps the firm's list (old), in its order, taking from sent the entry of
// the same id through take; old entries missing from sent stay as they are. Entries of
// sent with ids the firm does not have are appended, so that Validate reports them.
func mergeByID[T any](old, sent []T, id func(T) int64, take func(old, sent T) T) []T {
	out := make([]T, 0, len(old))
	used := make([]bool, len(sent))
	for _, o := range old {
		i := slices.IndexFunc(sent, func(n T) bool { return id(n) == id(o) })
		if i < 0 {
			out = append(out, o)
			continue
		}
		used[i] = true
		out = append(out, take(o, sent[i]))
	}
	for i, n := range sent {
		if !used[i] {
			out = append(out, n)
		}
	}
	return out
}

// Clone returns a deep copy: the copy's slices are its own.
func (s Settings) Clone() Settings {
	s.OperatingBank.Accounts = slices.Clone(s.OperatingBank.Accounts)
	s.Trust.Accounts = slices.Clone(s.Trust.Accounts)
	return s
}
