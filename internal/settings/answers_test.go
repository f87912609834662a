package settings_test

import (
	"testing"

	"github.com/qbosync/qbosync/internal/settings"
)

// A section sent with fields left out keeps the stored values of those fields: the
// JSON API's clients may send only what changed.
func TestPartialAnswersKeepTheStoredValues(t *testing.T) {
	s := validDefaults()
	s.HardCosts.ExpenseAccount = settings.Target{ExistingID: "42", Name: "Legal & Professional Fees"}
	s.HardCosts.Vendors = settings.VendorOneVendor
	s.HardCosts.DefaultVendor = "Court Services"
	s.OperatingBank.Accounts[1].Account = settings.Target{ExistingID: "36", Name: "Savings"}

	a, err := s.DecodeAnswers([]byte(`{"hard_costs": {"payment_type": "cash"}, "sync_options": {"start_date": "2026-02-01"},
		"operating_bank": {"accounts": [{"pms_account_id": 11, "account": {"name": "Main Operating"}}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	got := s.Apply(a, catalog)
	hc := got.HardCosts
	if hc.PaymentType != settings.PaymentCash || !hc.Sync || hc.Vendors != settings.VendorOneVendor || hc.DefaultVendor != "Court Services" ||
		hc.ExpenseAccount.ExistingID != "42" {
		t.Errorf("hard costs = %+v; want cash and every other field as stored", hc)
	}
	if so := got.SyncOptions; so.StartDate != "2026-02-01" || !so.SyncAllUnpaidInvoices {
		t.Errorf("sync options = %+v; want the new date and unpaid invoices still synced", so)
	}
	accts := got.OperatingBank.Accounts
	if accts[0].Account != settings.NewObject("Main Operating") || accts[1].Account.ExistingID != "36" || accts[0].PMSName == "" {
		t.Errorf("operating accounts = %+v; want account 11 a new object (taken whole), 13 as stored", accts)
	}
	if len(a.Sections()) != 3 || got.Invoices != s.Invoices {
		t.Errorf("answered %v; a section not sent is not answered", a.Sections())
	}
	for _, bad := range []string{`{"hard_costs": {"paymnt_type": "cash"}}`, `{"hard_costs": {"expense_account": {"id": "42"}}}`, `{"sync_options": {}} {}`} {
		if _, err := s.DecodeAnswers([]byte(bad)); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}
