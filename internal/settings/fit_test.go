package settings_test

import (
	"strings"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/settings"
)

// Default mode names its new objects after the practice's accounts. Where the company
// already has those names, the defaults must neither clash nor take the company's
// object, above all a bank account: trust money must never reach the firm's own
// "Checking".
func TestDefaultsFittedToTheCompanyNeverTakeABankAccountByName(t *testing.T) {
	f := settings.Firm{ID: 9, Name: "Namesake LLP", BankAccounts: []settings.BankAccount{
		{ID: 1, Kind: "operating", Name: "Savings"},
		{ID: 2, Kind: "trust", Name: "Checking"},
		{ID: 3, Kind: "trust", Name: "Undeposited  Funds"},
		{ID: 4, Kind: "operating", Name: "Trust"},
	}}
	cat := &settings.Catalog{
		Accounts: []settings.QBOObject{
			{ID: "4", Name: "Checking", Type: "Bank"},
			{ID: "5", Name: "Savings", Type: "Bank"},
			{ID: "6", Name: "Undeposited Funds", Type: "Other Current Asset"},
			{ID: "7", Name: "Trust", Type: "Bank"},
			{ID: "8", Name: "legal fee income", Type: "Income"},
			{ID: "9", Name: "Client Costs Advanced", Type: "Credit Card"},
		},
		Items: []settings.QBOObject{{ID: "20", Name: "Legal Services", Type: "Service"}},
	}
	s := settings.Defaults(f).FitTo(9, cat)
	s.SyncOptions.StartDate = "2026-01-01"

	for _, tr := range s.Targets() {
		if tr.Role.Exclusive && !tr.Target.IsNew() {
			t.Errorf("%s: bank or liability account taken from the company (%v)", tr.Label, tr.Target)
		}
	}
	for _, want := range []struct{ got, want string }{
		{s.OperatingBank.Accounts[0].Account.Name, "Savings (practice)"},
		{s.Trust.Accounts[0].Bank.Name, "Checking (practice)"},
		{s.Trust.Accounts[1].Bank.Name, "Undeposited  Funds (practice)"},
		{s.OperatingBank.Accounts[1].Account.Name, "Trust (practice)"},
		{s.HardCosts.ExpenseAccount.Name, "Client Costs Advanced (practice)"}, // the company's is a credit card
	} {
		if want.got != want.want {
			t.Errorf("new name %q, want %q", want.got, want.want)
		}
	}
	if got := s.ItemMapping.FeeIncomeAccount; got.ExistingID != "8" {
		t.Errorf("fee income = %v, want the company's own income account 8, chosen explicitly", got)
	}
	if got := s.ItemMapping.Fees; got.ExistingID != "20" {
		t.Errorf("fees item = %v, want the company's own service item 20", got)
	}
	env := settings.Env{Firm: &f, Catalog: cat, Today: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	if errs := s.Validate(env); len(errs) != 0 {
		t.Errorf("fitted defaults are refused: %v", errs)
	}
	// Unfitted, the same defaults are refused where they clash, naming the field.
	errs := settings.Defaults(f).Validate(env).Error()
	if !strings.Contains(errs, "trust.accounts.0.bank.name") || !strings.Contains(errs, "never uses a bank account by its name") {
		t.Errorf("unfitted defaults: %s", errs)
	}
}

// Two practice accounts whose names QuickBooks takes for one ("Cost Advance Account"
// and "Cost  Advance Account") are refused in Customize, and told apart in Default.
func TestNamesThatQuickBooksTakesForOneAreOneName(t *testing.T) {
	f := settings.Firm{ID: 9, Name: "Spacey LLP", BankAccounts: []settings.BankAccount{
		{ID: 1, Kind: "operating", Name: "Cost Advance Account"},
		{ID: 2, Kind: "trust", Name: "Cost  Advance Account"},
	}}
	env := settings.Env{Firm: &f, Catalog: &settings.Catalog{}, Today: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	s := settings.Defaults(f)
	s.SyncOptions.StartDate = "2026-01-01"
	if msg := s.Validate(env).For("trust.accounts.0.bank.name"); !strings.Contains(msg, "already the name of another new account") {
		t.Errorf("refusal = %q", msg)
	}
	fitted := s.FitTo(9, env.Catalog)
	if errs := fitted.Validate(env); len(errs) != 0 {
		t.Errorf("fitted: %v", errs)
	}
	if got := fitted.Trust.Accounts[0].Bank.Name; got != "Cost  Advance Account (practice)" {
		t.Errorf("trust bank = %q", got)
	}
	bidi := settings.Defaults(f)
	bidi.OperatingBank.Accounts[0].Account.Name = "Cost Advance\u202e Account"
	if msg := bidi.Validate(env).For("operating_bank.accounts.0.account.name"); !strings.Contains(msg, "invisible marks") {
		t.Errorf("a name with a bidi override: %q", msg)
	}
}

// An object qbosync created for a target in an earlier sync (its marker names this firm
// and target) keeps the target's name; another firm's, or another target's, does not.
func TestFitToKeepsWhatQbosyncCreatedForTheSameTarget(t *testing.T) {
	f := settings.Firm{ID: 9, BankAccounts: []settings.BankAccount{{ID: 2, Kind: "trust", Name: "IOLTA"}}}
	cat := &settings.Catalog{Accounts: []settings.QBOObject{
		{ID: "50", Name: "IOLTA", Type: "Bank", Marker: "qbosync:ledger:trust_bank:2/f9"},
		{ID: "51", Name: "IOLTA - Client Funds", Type: "Other Current Liability", Marker: "qbosync:ledger:trust_liability:2/f8"},
	}}
	s := settings.Defaults(f).FitTo(9, cat)
	if got := s.Trust.Accounts[0].Bank; got != settings.NewObject("IOLTA") {
		t.Errorf("trust bank = %v, want the name kept (qbosync's own account for it)", got)
	}
	if got := s.Trust.Accounts[0].Liability; got != settings.NewObject("IOLTA - Client Funds (practice)") {
		t.Errorf("liability = %v, want a name of its own (the account is another firm's)", got)
	}
}
