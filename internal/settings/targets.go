package settings

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/qbosync/qbosync/internal/names"
)

// QBO entities a Target can name.
const (
	EntityAccount = "Account"
	EntityItem    = "Item"
)

// Role is what a QuickBooks object does for the integration: which entity and types
// fit it, and what qbosync creates when the firm asks for a new one.
type Role struct {
	Key    string
	Label  string // "operating bank account", for messages
	Entity string
	// Types lists the QBO AccountTypes (or item Types) an existing object must have.
	Types []string
	// NewType and NewSubType are what qbosync creates (docs/posting.md, "Objects in
	// QuickBooks").
	NewType, NewSubType string
	// Exclusive accounts stand for one thing only: a bank account or trust liability
	// shared by two roles would make reconciliation unable to tell them apart.
	Exclusive bool
}

// The roles of the objects the integration needs in QuickBooks.
var (
	RoleOperatingBank = &Role{Key: "operating_bank", Label: "operating bank account", Entity: EntityAccount,
		Types: []string{"Bank"}, NewType: "Bank", NewSubType: "Checking", Exclusive: true}
	RoleTrustBank = &Role{Key: "trust_bank", Label: "trust bank account", Entity: EntityAccount,
		Types: []string{"Bank"}, NewType: "Bank", NewSubType: "TrustAccounts", Exclusive: true}
	RoleTrustLiability = &Role{Key: "trust_liability", Label: "trust liability account", Entity: EntityAccount,
		Types: []string{"Other Current Liability"}, NewType: "Other Current Liability", NewSubType: "TrustAccountsLiabilities", Exclusive: true}
	RoleFeeIncome = &Role{Key: "fee_income", Label: "fee income account", Entity: EntityAccount,
		Types: []string{"Income"}, NewType: "Income", NewSubType: "ServiceFeeIncome"}
	RoleReimbursedCosts = &Role{Key: "reimbursed_costs", Label: "reimbursed cost income account", Entity: EntityAccount,
		Types: []string{"Income", "Other Income"}, NewType: "Income", NewSubType: "OtherPrimaryIncome"}
	RoleClientCosts = &Role{Key: "client_costs", Label: "client costs account", Entity: EntityAccount,
		Types: []string{"Expense", "Other Current Asset"}, NewType: "Expense", NewSubType: "LegalProfessionalFees"}
	RoleWriteOffAccount = &Role{Key: "write_offs", Label: "write-off account", Entity: EntityAccount,
		Types: []string{"Income", "Expense"}, NewType: "Income", NewSubType: "DiscountsRefundsGiven"}
	// RoleBadDebtAccount is where uncollectible write-offs land: an expense, as
	// Intuit's instructions for writing off bad debt set it up (Expenses, Bad debts).
	RoleBadDebtAccount = &Role{Key: "bad_debt", Label: "bad debt expense account", Entity: EntityAccount,
		Types: []string{"Expense", "Other Expense"}, NewType: "Expense", NewSubType: "BadDebts"}
	RoleItem = &Role{Key: "item", Label: "item", Entity: EntityItem,
		Types: []string{"Service", "NonInventory"}, NewType: "Service"}
)

// TargetRef is one Target of the settings with where it is and what it is for.
type TargetRef struct {
	Section Section
	// Path is the target's JSON path, e.g. "trust.accounts.0.liability"; its fields
	// are Path+".existing_id" and Path+".name".
	Path   string
	Label  string // "IOLTA Trust Account (…3390): liability"
	Role   *Role
	Target *Target
	// InUse is false when the section that needs the object does not sync.
	InUse bool
}

// Targets lists every Target of s in wizard order, pointing into s.
func (s *Settings) Targets() []TargetRef {
	var out []TargetRef
	add := func(sec Section, path, label string, role *Role, t *Target, inUse bool) {
		out = append(out, TargetRef{Section: sec, Path: path, Label: label, Role: role, Target: t, InUse: inUse})
	}
	for i := range s.OperatingBank.Accounts {
		a := &s.OperatingBank.Accounts[i]
		add(OperatingBank, fmt.Sprintf("operating_bank.accounts.%d.account", i), a.PMSName, RoleOperatingBank, &a.Account, true)
	}
	for i := range s.Trust.Accounts {
		a := &s.Trust.Accounts[i]
		base := fmt.Sprintf("trust.accounts.%d", i)
		add(TrustBank, base+".bank", a.PMSName+": bank account", RoleTrustBank, &a.Bank, s.Trust.Sync)
		add(TrustBank, base+".liability", a.PMSName+": client funds liability", RoleTrustLiability, &a.Liability, s.Trust.Sync)
	}
	add(HardCosts, "hard_costs.expense_account", "Client costs account", RoleClientCosts, &s.HardCosts.ExpenseAccount, s.HardCosts.Sync)
	inv := s.Invoices.SyncInvoices
	m := &s.ItemMapping
	add(ItemMapping, "item_mapping.fee_income_account", "Fee income account (for new items)", RoleFeeIncome, &m.FeeIncomeAccount, inv)
	add(ItemMapping, "item_mapping.reimbursed_costs_account", "Reimbursed cost income account (for new cost items)", RoleReimbursedCosts, &m.ReimbursedCostsAccount, inv)
	add(ItemMapping, "item_mapping.fees", "Time and fees", RoleItem, &m.Fees, inv)
	add(ItemMapping, "item_mapping.flat_fees", "Flat fees", RoleItem, &m.FlatFees, inv)
	add(ItemMapping, "item_mapping.hard_costs", "Hard costs", RoleItem, &m.HardCosts, inv)
	add(ItemMapping, "item_mapping.soft_costs", "Soft costs", RoleItem, &m.SoftCosts, inv)
	add(ItemMapping, "item_mapping.interest", "Interest", RoleItem, &m.Interest, inv)
	add(ItemMapping, "item_mapping.write_offs", "Write-offs", RoleItem, &m.WriteOffs, inv && s.WriteOffs.Sync)
	badDebt := s.WriteOffs.Sync && s.WriteOffs.BadDebt
	add(ItemMapping, "item_mapping.bad_debt", "Bad debt", RoleItem, &m.BadDebt, inv && badDebt)
	add(WriteOffs, "write_offs.account", "Write-off account", RoleWriteOffAccount, &s.WriteOffs.Account, s.WriteOffs.Sync)
	add(WriteOffs, "write_offs.bad_debt_account", "Bad debt expense account", RoleBadDebtAccount, &s.WriteOffs.BadDebtAccount, badDebt)
	return out
}

// QBOObject is an account or item of the connected company, as the Customize pages
// offer it: small, so the list can live in the wizard's state.
type QBOObject struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Type    string `json:"type"`
	SubType string `json:"sub_type,omitempty"`
	// Marker says which firm and target qbosync created the object for, e.g.
	// "qbosync:ledger:trust_bank:12/f7": read from the id map (an account or item
	// carries no marker), or from the description of one an older version created.
	Marker string `json:"marker,omitempty"`
}

// LedgerKey names a target in the id map and in the marker of the object qbosync
// creates for it. Bank accounts are keyed by the practice account's id, not their
// position in the settings, so the key stays when the list changes.
func (s *Settings) LedgerKey(t TargetRef) string {
	parts := strings.Split(t.Path, ".")
	if len(parts) == 4 && parts[1] == "accounts" {
		i, err := strconv.Atoi(parts[2])
		if err == nil {
			switch {
			case parts[0] == "operating_bank" && i < len(s.OperatingBank.Accounts):
				return BankLedgerKey(t.Role, s.OperatingBank.Accounts[i].PMSAccountID)
			case parts[0] == "trust" && i < len(s.Trust.Accounts):
				return BankLedgerKey(t.Role, s.Trust.Accounts[i].PMSAccountID)
			}
		}
	}
	return t.Path
}

// BankLedgerKey names the QBO account that stands, in a role (operating bank, trust
// bank, trust liability), for a practice bank account: "trust_bank:12".
func BankLedgerKey(role *Role, pmsAccountID int64) string {
	return fmt.Sprintf("%s:%d", role.Key, pmsAccountID)
}

// KindLedger names, in the id map and in markers, the accounts and items the settings
// call for.
const KindLedger = "ledger"

// Catalog is the connected company's active accounts and items.
type Catalog struct {
	Accounts []QBOObject `json:"accounts"`
	Items    []QBOObject `json:"items"`
}

func (c *Catalog) list(entity string) []QBOObject {
	if c == nil {
		return nil
	}
	if entity == EntityItem {
		return c.Items
	}
	return c.Accounts
}

func (c *Catalog) find(entity, id string) (QBOObject, bool) {
	list := c.list(entity)
	i := slices.IndexFunc(list, func(o QBOObject) bool { return o.ID == id })
	if id == "" || i < 0 {
		return QBOObject{}, false
	}
	return list[i], true
}

func (c *Catalog) findName(entity, name string) (QBOObject, bool) {
	list := c.list(entity)
	i := slices.IndexFunc(list, func(o QBOObject) bool { return names.Same(o.Name, name) })
	if i < 0 {
		return QBOObject{}, false
	}
	return list[i], true
}

// Choices lists the catalog's objects that fit role, for a Customize page's list.
func (c *Catalog) Choices(role *Role) []QBOObject {
	var out []QBOObject
	for _, o := range c.list(role.Entity) {
		if slices.Contains(role.Types, o.Type) {
			out = append(out, o)
		}
	}
	return out
}

func trimSpace(s string) string { return strings.TrimSpace(s) }

// FitTo returns s with the new objects its defaults name fitted to the company's
// accounts and items, so that the settings of Default mode never clash with the
// company and never use one of its objects by accident:
//   - an account or item the company already has under a default name, of a type that
//     fits, is chosen explicitly (the review shows it as existing, with its id), except
//     for bank accounts and trust liabilities, which stand for money and are never
//     taken by name;
//   - any other default name the company (or another new object of the settings) has
//     already, as QuickBooks compares names, gets a " (practice)" suffix, numbered if
//     that is taken too: the firm's trust account "Checking" becomes a new account
//     "Checking (practice)" beside the company's own "Checking".
//
// Objects the firm chose itself are left as they are.
func (s Settings) FitTo(firmID int64, cat *Catalog) Settings {
	out := s.Clone()
	if cat == nil {
		return out
	}
	taken := map[string]bool{} // entity + name key of every name in use
	for _, entity := range []string{EntityAccount, EntityItem} {
		for _, o := range cat.list(entity) {
			taken[entity+"/"+names.Key(o.Name)] = true
		}
	}
	for _, t := range out.Targets() {
		if !t.Target.IsNew() || t.Target.Name == "" {
			continue
		}
		o, ok := cat.findName(t.Role.Entity, t.Target.Name)
		if ok && o.Marker == names.MarkerFor(firmID, KindLedger, out.LedgerKey(t)) {
			continue // qbosync created it for this very target (an earlier sync): it stays
		}
		if ok && !t.Role.Exclusive && slices.Contains(t.Role.Types, o.Type) {
			*t.Target = Target{ExistingID: o.ID, Name: o.Name}
			continue
		}
		name := t.Target.Name
		for n := 1; taken[t.Role.Entity+"/"+names.Key(name)]; n++ {
			suffix := " (practice)"
			if n > 1 {
				suffix = fmt.Sprintf(" (practice %d)", n)
			}
			name = names.Truncate(t.Target.Name, MaxNameLength-len([]rune(suffix))) + suffix
		}
		t.Target.Name = name
		taken[t.Role.Entity+"/"+names.Key(name)] = true
	}
	return out
}
