package syncer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/store"
)

// KindLedger names, in the id map, the accounts and items the settings call for.
const KindLedger = settings.KindLedger

// syncLedger makes sure every account and item the settings call for is in QBO and in
// the id map: the bank accounts, trust liabilities, income and cost accounts, and the
// items invoices post with. Accounts go first, since new items name their income
// account.
//
// Only an object the firm chose is ever used: one it mapped in the setup (an existing
// id, checked to be of a type that fits before it is recorded), or one qbosync created
// for this firm and target (the id map says so; after a lost answer, an intent and
// QuickBooks' creation time, or the marker an older version wrote into the
// description). An object that merely has the name
// is never adopted, above all a bank account: the sample company's "Checking" is the
// firm's operating account, and adopting it as a trust account would put client money
// into it. Such a name is a failed item that says so, and nothing posts to that target
// until the firm resolves it. The database holds the last line: an operating account, a
// trust bank account and a trust liability can never be recorded as one QBO account
// (internal/db/migrations/00006_safe_identity.sql).
func syncLedger(ctx context.Context, e *Engine, _ []pms.Change, counts *Counts) error {
	s, err := e.Store.SettingsForSync(ctx, e.Scope.FirmID, e.Scope.RealmID)
	if err != nil {
		return err
	}
	targets := s.Targets()
	for _, entity := range []string{settings.EntityAccount, settings.EntityItem} {
		for _, t := range targets {
			if !t.InUse || t.Role.Entity != entity {
				continue
			}
			key := s.LedgerKey(t)
			action, err := ensureLedgerObject(ctx, e, &s, t, key)
			if err := e.settle(ctx, KindLedger, key, t.Label, action, err, counts); err != nil {
				return err
			}
		}
	}
	return nil
}

func ensureLedgerObject(ctx context.Context, e *Engine, s *settings.Settings, t settings.TargetRef, key string) (string, error) {
	it := item{Kind: KindLedger, Key: key, Label: t.Label, Marker: names.MarkerFor(e.Scope.FirmID, KindLedger, key)}
	if !t.Target.IsNew() {
		return recordChosenObject(ctx, e, t, key)
	}
	name := ledgerName(t.Target.Name)
	if t.Role.Entity == settings.EntityAccount {
		action, _, err := upsert(ctx, e, accountSpec, it, qbo.Account{
			Name: name, AccountType: t.Role.NewType, AccountSubType: t.Role.NewSubType, Description: ledgerDescription(t),
		})
		return action, err
	}
	income, err := incomeAccountFor(ctx, e, s, t)
	if err != nil {
		return "", err
	}
	action, _, err := upsert(ctx, e, itemSpec, it, qbo.Item{
		Name: name, Type: t.Role.NewType, IncomeAccountRef: &qbo.Ref{Value: income}, Description: ledgerDescription(t),
	})
	return action, err
}

// maxAccountDescription is QuickBooks' limit on an account's Description.
const maxAccountDescription = 100

// ledgerDescription is the Description of an account or item qbosync creates: what it
// is for, in the bookkeeper's words ("Client funds held in trust · IOLTA Trust"). It
// carries no marker: QuickBooks has no internal-notes field on accounts and items, and
// the Description is what a bookkeeper reads and edits in the chart of accounts. The id
// map says which objects qbosync created, and an intent stands in for the marker after
// a lost answer (named.ownAfterIntent in upsert.go).
func ledgerDescription(t settings.TargetRef) string {
	desc, ok := ledgerDescriptions[t.Path]
	switch {
	case ok:
	case t.Role == settings.RoleOperatingBank:
		desc = "The firm's bank account for its own money · " + t.Label
	case t.Role == settings.RoleTrustBank:
		desc = "Client trust bank account: money held for clients · " + strings.TrimSuffix(t.Label, ": bank account")
	case t.Role == settings.RoleTrustLiability:
		desc = "Client funds held in trust, owed to clients · " + strings.TrimSuffix(t.Label, ": client funds liability")
	default:
		desc = t.Label + " from the practice system"
	}
	return names.Truncate(names.CleanText(desc), maxAccountDescription)
}

// ledgerDescriptions say what each account and item of the settings is for, by path.
var ledgerDescriptions = map[string]string{
	"hard_costs.expense_account":            "Costs the firm advanced for clients' matters",
	"item_mapping.fee_income_account":       "Legal fees billed in the practice system",
	"item_mapping.reimbursed_costs_account": "Client costs billed back in the practice system",
	"item_mapping.fees":                     "Time and fees billed in the practice system",
	"item_mapping.flat_fees":                "Flat fees billed in the practice system",
	"item_mapping.hard_costs":               "Costs advanced for clients, billed back in the practice system",
	"item_mapping.soft_costs":               "The firm's own charges (copies, mileage), billed in the practice system",
	"item_mapping.interest":                 "Interest and late charges billed in the practice system",
	"item_mapping.write_offs":               "Write-offs and credits on the practice system's invoices",
	"item_mapping.bad_debt":                 "Uncollectible balances written off in the practice system",
	"write_offs.account":                    "Write-offs and credits on invoices",
	"write_offs.bad_debt_account":           "Invoices written off as uncollectible",
}

// recordChosenObject records the existing QBO object the firm mapped a target to, once
// QBO shows that it is there, active, and of a type that fits the target: a trust
// liability must be a liability account, a bank account a bank account. The setup
// checked this against the list it offered; the object may have changed since.
func recordChosenObject(ctx context.Context, e *Engine, t settings.TargetRef, key string) (string, error) {
	m, mapped, err := e.Store.Mapping(ctx, e.Scope, KindLedger, key)
	if err != nil || (mapped && m.QBOID == t.Target.ExistingID) {
		return store.ActionUnchanged, err
	}
	var got struct {
		Name, AccountType, Type string
		Active                  *bool
	}
	if err := retryingInPlace(ctx, func() error { return e.QBO.Read(ctx, t.Role.Entity, t.Target.ExistingID, &got) }); err != nil {
		return "", err
	}
	typ := got.AccountType
	if t.Role.Entity == settings.EntityItem {
		typ = got.Type
	}
	if !slices.Contains(t.Role.Types, typ) || (got.Active != nil && !*got.Active) {
		return "", &itemFailure{store.Failure{
			Code: "qbosync:chosen-object-unfit",
			Message: fmt.Sprintf("%s: QuickBooks %s %s (%q) is %s, active %v; the %s must be an active %s",
				t.Label, strings.ToLower(t.Role.Entity), t.Target.ExistingID, got.Name, typ, got.Active == nil || *got.Active, t.Role.Label, strings.Join(t.Role.Types, " or ")),
			Explanation: fmt.Sprintf("The setup maps the %s to QuickBooks %s %q, which is now of type %s or inactive, so it cannot serve as the %s. "+
				"Nothing posts to it until it does: make it an active %s in QuickBooks, or link QuickBooks again and choose another.",
				t.Label, strings.ToLower(t.Role.Entity), got.Name, typ, t.Role.Label, strings.Join(t.Role.Types, " or ")),
		}}
	}
	return store.ActionAdopted, e.Store.SaveMapping(ctx, e.Scope, store.Mapping{
		Kind: KindLedger, SourceKey: key, QBOEntity: t.Role.Entity, QBOID: t.Target.ExistingID, QBOName: got.Name,
	})
}

// incomeAccountFor is the QBO id of the income account a new item posts to: fees,
// flat fees and interest earn fee income, costs are reimbursed cost income, the
// write-off item posts to the write-off account, and the bad debt item to the bad debt
// expense account (an item's "income" account may be an expense: Intuit's own way to
// write off bad debt).
func incomeAccountFor(ctx context.Context, e *Engine, s *settings.Settings, t settings.TargetRef) (string, error) {
	path := "item_mapping.fee_income_account"
	switch t.Path {
	case "item_mapping.hard_costs", "item_mapping.soft_costs":
		path = "item_mapping.reimbursed_costs_account"
	case "item_mapping.write_offs":
		path = "write_offs.account"
	case "item_mapping.bad_debt":
		path = "write_offs.bad_debt_account"
	}
	m, ok, err := e.Store.Mapping(ctx, e.Scope, KindLedger, path)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", &itemFailure{store.Failure{
			Code:    "qbosync:income-account-missing",
			Message: fmt.Sprintf("%s: its income account (%s) is not in QuickBooks", t.Label, path),
			Explanation: fmt.Sprintf("The item for %q posts to an income account that could not be set up in QuickBooks (see that account's own entry). "+
				"The item is created as soon as the account is.", t.Label),
		}}
	}
	return m.QBOID, nil
}

// ledgerName makes a name acceptable for a QBO account or item: no colon (the
// hierarchy separator), no double quote, at most 100 characters.
func ledgerName(name string) string {
	return names.Truncate(names.Clean(strings.ReplaceAll(name, `"`, "'")), 100)
}

// accountSpec and itemSpec are how upsert handles accounts and items. They have no
// matching rule: an account or item is used only when the firm chose it or qbosync
// created it for this target.
var (
	accountSpec = named[qbo.Account]{
		entity:   "Account",
		name:     func(a *qbo.Account) string { return a.Name },
		identity: func(a *qbo.Account) (string, string) { return a.ID, a.SyncToken },
		setIdentity: func(a *qbo.Account, id, token string) {
			a.ID, a.SyncToken, a.Sparse = id, token, true
		},
		notes:     func(a *qbo.Account) string { return a.Description }, // an old marker only
		clash:     ledgerClash[qbo.Account],
		createdAt: func(a *qbo.Account) time.Time { return a.MetaData.CreateTime },
		untouched: func(existing, desired *qbo.Account) bool {
			return existing.AccountType == desired.AccountType && existing.AccountSubType == desired.AccountSubType &&
				(existing.Active == nil || *existing.Active) && noMoney(existing.CurrentBalance) && noMoney(existing.CurrentBalanceWithSubAccounts)
		},
	}
	itemSpec = named[qbo.Item]{
		entity:   "Item",
		name:     func(i *qbo.Item) string { return i.Name },
		identity: func(i *qbo.Item) (string, string) { return i.ID, i.SyncToken },
		setIdentity: func(i *qbo.Item, id, token string) {
			i.ID, i.SyncToken, i.Sparse = id, token, true
		},
		notes:     func(i *qbo.Item) string { return i.Description }, // an old marker only
		clash:     ledgerClash[qbo.Item],
		createdAt: func(i *qbo.Item) time.Time { return i.MetaData.CreateTime },
		untouched: func(existing, desired *qbo.Item) bool {
			return existing.Type == desired.Type && (existing.Active == nil || *existing.Active) &&
				existing.IncomeAccountRef != nil && desired.IncomeAccountRef != nil && existing.IncomeAccountRef.Value == desired.IncomeAccountRef.Value
		},
	}
)

// noMoney reports whether a balance QuickBooks shows is absent or zero.
func noMoney(a *qbo.Amount) bool { return a == nil || a.Cents() == 0 }

// ledgerClash explains a name QBO already uses for an object qbosync may not use: one
// the firm did not choose for this target.
func ledgerClash[T any](_ context.Context, _ *Engine, it item, name string, existing *T) *itemFailure {
	holder := "something"
	if existing != nil {
		holder = "an object qbosync did not create for it"
	}
	return &itemFailure{store.Failure{
		Code:    "6240",
		Message: fmt.Sprintf("Duplicate Name Exists Error: %q is taken by %s", name, holder),
		Explanation: fmt.Sprintf("QuickBooks already has something named %q, and qbosync uses an existing QuickBooks account or item as the %s only when the firm chose it in the setup: "+
			"a bank account in particular is never linked by its name, so that client money never lands in an account the firm did not pick. "+
			"Nothing posts to the %s until this is resolved: choose the existing one (Customize) or give the new one another name, in a new setup, or rename the other in QuickBooks.",
			name, it.Label, it.Label),
	}}
}
