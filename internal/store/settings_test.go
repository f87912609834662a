package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/store"
)

// draftSettings are valid settings of a firm with one account of each kind.
func draftSettings() settings.Settings {
	s := settings.Defaults(settings.Firm{ID: 1, Name: "Firm", BankAccounts: []settings.BankAccount{
		{ID: 11, Kind: "operating", Name: "Operating Account"}, {ID: 12, Kind: "trust", Name: "IOLTA Trust Account"}}})
	s.SyncOptions.StartDate = "2026-01-01"
	return s
}

func TestDraftSubmitAndFreeze(t *testing.T) {
	st, firmID := newStore(t)
	ctx := context.Background()
	rec := settings.Record{FirmID: firmID, SetupID: "run-1", RealmID: "9130", CompanyName: "Sandbox Co", Step: "mode", Paused: true, Settings: draftSettings()}
	if err := st.SaveSetupDraft(ctx, rec); err != nil {
		t.Fatal(err)
	}
	rec.Step, rec.Settings.Invoices.DocNumberPrefix = "review", "QB-"
	if err := st.SaveSetupDraft(ctx, rec); err != nil {
		t.Fatal(err)
	}
	got, err := st.SetupSettings(ctx, firmID, "run-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != settings.StatusDraft || got.Step != "review" || !got.Paused || got.Settings.Invoices.DocNumberPrefix != "QB-" ||
		got.CompanyName != "Sandbox Co" || got.Settings.OperatingBank.Accounts[0].PMSAccountID != 11 {
		t.Fatalf("loaded %+v", got)
	}
	if _, err := st.SubmittedSettings(ctx, firmID, "9130"); !errors.Is(err, store.ErrNoSettings) {
		t.Fatalf("a draft counts as submitted: %v", err)
	}

	rec.Step = "submitted"
	if err := st.SubmitSetup(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := st.SubmitSetup(ctx, rec); err != nil {
		t.Fatalf("a retried submit failed: %v", err)
	}
	sub, err := st.SubmittedSettings(ctx, firmID, "9130")
	if err != nil || sub.Status != settings.StatusSubmitted || sub.SubmittedAt == nil || sub.Paused {
		t.Fatalf("submitted = %+v, %v", sub, err)
	}

	changed := rec
	changed.Settings.Invoices.LineItems = settings.LinesIndividual
	if err := st.SubmitSetup(ctx, changed); !errors.Is(err, store.ErrSettingsFrozen) {
		t.Errorf("submitting other settings over submitted ones: %v", err)
	}
	if err := st.SaveSetupDraft(ctx, changed); !errors.Is(err, store.ErrSettingsFrozen) {
		t.Errorf("a draft over submitted settings: %v", err)
	}
	if err := st.CancelSetup(ctx, firmID, "run-1"); !errors.Is(err, store.ErrSettingsFrozen) {
		t.Errorf("cancelling a submitted setup: %v", err)
	}
	// Not even SQL by hand changes submitted settings.
	_, err = st.DB().Exec(`UPDATE setup_settings SET settings = '{}' WHERE setup_id = 'run-1'`)
	if err == nil || !strings.Contains(err.Error(), "frozen") {
		t.Errorf("hand-written update of submitted settings: %v", err)
	}
	if _, err := st.DB().Exec(`DELETE FROM setup_settings WHERE setup_id = 'run-1'`); err == nil {
		t.Error("submitted settings were deleted")
	}

	if err := st.SaveSetupDraft(ctx, settings.Record{FirmID: firmID, SetupID: "run-2", Step: "connect", Settings: draftSettings()}); err != nil {
		t.Fatal(err)
	}
	if err := st.CancelSetup(ctx, firmID, "run-2"); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveSetupDraft(ctx, settings.Record{FirmID: firmID, SetupID: "run-2", Settings: draftSettings()}); !errors.Is(err, store.ErrSettingsFrozen) {
		t.Errorf("a draft over a cancelled setup: %v", err)
	}
}
