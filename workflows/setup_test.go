package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/qbosync/qbosync/activities"
	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/workflows"
	"github.com/qbosync/qbosync/workflows/setupapi"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

const (
	testFirm  = 7
	testRealm = "9130"
)

var setupActs *activities.Setup

var testFirmFacts = settings.Firm{ID: testFirm, Name: "Hall & Oates LLP", BankAccounts: []settings.BankAccount{
	{ID: 11, Kind: "operating", Name: "Operating Account", Last4: "4821"},
	{ID: 12, Kind: "trust", Name: "IOLTA Trust Account", Last4: "3390"},
}}

var testCatalog = settings.Catalog{
	Accounts: []settings.QBOObject{
		{ID: "35", Name: "Checking", Type: "Bank"},
		{ID: "40", Name: "Services", Type: "Income"},
		{ID: "41", Name: "Client Trust Liability", Type: "Other Current Liability"},
	},
	Items: []settings.QBOObject{{ID: "1", Name: "Services", Type: "Service"}},
}

// fakeSetup stands in for the setup's activities and the sync it starts, and records
// what the workflow asked of them.
type fakeSetup struct {
	mu        sync.Mutex
	drafts    []settings.Record
	submitted []settings.Record
	cancelled []setupapi.CancelInput
	syncs     []syncapi.SyncInput
	stopped   []string
}

func (f *fakeSetup) lastDraft() settings.Record {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.drafts) == 0 {
		return settings.Record{}
	}
	return f.drafts[len(f.drafts)-1]
}

// newSetupEnv returns a test environment with the setup's activities faked. A draft
// takes draftDelay[0] of (skipped) time to save, if given.
func newSetupEnv(t *testing.T, draftDelay ...time.Duration) (*testsuite.TestWorkflowEnvironment, *fakeSetup) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(workflows.SetupWorkflow)
	env.RegisterActivity(setupActs)
	env.SetTypedSearchAttributesOnStart(syncapi.SearchAttributes())
	f := &fakeSetup{}
	env.OnActivity(setupActs.LoadSetupFirm, mock.Anything, mock.Anything).Return(testFirmFacts, nil)
	env.OnActivity(setupActs.CheckSetupConnection, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in setupapi.Scope) (setupapi.Company, error) {
			if in.RealmID == "404" {
				return setupapi.Company{}, temporal.NewNonRetryableApplicationError(
					"firm 7 is not connected to QuickBooks company 404; connect it (Connect QuickBooks) and try again", setupapi.ErrTypeRefused, nil)
			}
			return setupapi.Company{RealmID: in.RealmID, Name: "Company " + in.RealmID}, nil
		})
	env.OnActivity(setupActs.ListQBOChoices, mock.Anything, mock.Anything).Return(testCatalog, nil)
	env.OnActivity(setupActs.PreviewFirstSync, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in setupapi.PreviewInput) (settings.Preview, error) {
			return settings.Preview{StartDate: in.Settings.SyncOptions.StartDate, Lines: []settings.PreviewLine{{Title: "Invoices", Count: 3, TotalCents: 12345, HasTotal: true}}}, nil
		})
	save := env.OnActivity(setupActs.SaveSetupDraft, mock.Anything, mock.Anything)
	if len(draftDelay) > 0 {
		save = save.After(draftDelay[0])
	}
	save.Return(func(_ context.Context, r settings.Record) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.drafts = append(f.drafts, r)
		return nil
	})
	env.OnActivity(setupActs.SubmitSetupSettings, mock.Anything, mock.Anything).Return(func(_ context.Context, r settings.Record) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.submitted = append(f.submitted, r)
		return nil
	})
	env.OnActivity(setupActs.CancelSetup, mock.Anything, mock.Anything).Return(func(_ context.Context, in setupapi.CancelInput) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.cancelled = append(f.cancelled, in)
		return nil
	})
	// A stand-in for the sync: it runs (for a day of skipped time) until it is told to
	// disconnect.
	env.RegisterWorkflowWithOptions(func(ctx workflow.Context, in syncapi.SyncInput) (syncapi.Summary, error) {
		f.mu.Lock()
		f.syncs = append(f.syncs, in)
		f.mu.Unlock()
		if ok, _ := workflow.GetSignalChannel(ctx, syncapi.DisconnectSignal).ReceiveWithTimeout(ctx, 24*time.Hour, nil); ok {
			f.mu.Lock()
			f.stopped = append(f.stopped, workflow.GetInfo(ctx).WorkflowExecution.ID)
			f.mu.Unlock()
		}
		return syncapi.Summary{}, nil
	}, workflow.RegisterOptions{Name: "SyncWorkflow"})
	return env, f
}

// via is how a test sends actions: as signals or as updates.
type via string

const (
	viaSignal via = "signal"
	viaUpdate via = "update"
)

// act is one action of a script and what must come of it.
type act struct {
	action string
	in     setupapi.Action
	// refused names the field of the expected refusal and part of its message; both
	// empty means the action must be accepted.
	field, refused string
	check          func(t *testing.T, st setupapi.State)
}

func (a act) String() string { return fmt.Sprintf("%s %+v", a.action, a.in) }

// drive runs a script against a new SetupWorkflow, one action a minute, sending each
// as a signal or an update, and checks each outcome from the state (signals) or the
// update's answer (updates). It returns the final state.
func drive(t *testing.T, env *testsuite.TestWorkflowEnvironment, how via, in setupapi.Input, script []act) setupapi.State {
	t.Helper()
	state := func() setupapi.State {
		v, err := env.QueryWorkflow(setupapi.StateQuery)
		if err != nil {
			t.Fatalf("query: %v", err)
		}
		var st setupapi.State
		if err := v.Get(&st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	for i, a := range script {
		var refusal error
		at := time.Duration(i+1) * time.Minute
		env.RegisterDelayedCallback(func() {
			switch how {
			case viaSignal:
				env.SignalWorkflow(a.action, a.in)
			case viaUpdate:
				env.UpdateWorkflow(a.action, fmt.Sprintf("u%d", i), &testsuite.TestUpdateCallback{
					OnAccept:   func() {},
					OnReject:   func(err error) { refusal = err },
					OnComplete: func(_ any, err error) { refusal = err },
				}, a.in)
			}
		}, at)
		env.RegisterDelayedCallback(func() {
			st := state()
			if how == viaSignal {
				if len(st.Errors) > 0 && st.LastAction == a.action {
					refusal = st.Errors
				}
			}
			checkOutcome(t, i, a, refusal, st)
		}, at+30*time.Second)
	}
	env.RegisterDelayedCallback(func() {
		if !env.IsWorkflowCompleted() {
			env.CancelWorkflow()
		}
	}, time.Duration(len(script)+1)*time.Minute)
	env.ExecuteWorkflow(workflows.SetupWorkflow, in)
	return state()
}

func checkOutcome(t *testing.T, i int, a act, refusal error, st setupapi.State) {
	t.Helper()
	if a.refused == "" {
		if refusal != nil {
			t.Errorf("step %d %v: refused: %v", i, a, refusal)
		}
	} else {
		fe, ok := refusalFields(refusal)
		if !ok {
			t.Errorf("step %d %v: accepted, want refused (%s: %s); state %s", i, a, a.field, a.refused, st.Step)
		} else if fe.For(a.field) == "" || !strings.Contains(fe.Error(), a.refused) {
			t.Errorf("step %d %v: refused with %v, want %s: ...%s...", i, a, fe, a.field, a.refused)
		}
	}
	if a.check != nil {
		a.check(t, st)
	}
}

func refusalFields(err error) (settings.FieldErrors, bool) {
	if err == nil {
		return nil, false
	}
	var fe settings.FieldErrors
	if errors.As(err, &fe) {
		return fe, true
	}
	return setupapi.Refusal(err)
}

func stepIs(want setupapi.Step) func(*testing.T, setupapi.State) {
	return func(t *testing.T, st setupapi.State) {
		t.Helper()
		if st.Step != want {
			t.Errorf("step = %q, want %q", st.Step, want)
		}
	}
}

func syncOptions(date string, unpaid bool) *settings.Answers {
	return &settings.Answers{SyncOptions: &settings.SyncOptionSettings{StartDate: date, SyncAllUnpaidInvoices: unpaid}}
}

const frozen = "frozen: QuickBooks already holds what they posted. Only linking a different QuickBooks company"

// defaultPath walks Default mode to Submit through every refusal on the way.
func defaultPath(f *fakeSetup) []act {
	return []act{
		{action: setupapi.ActionNext, field: "realm_id", refused: "connect QuickBooks first"},
		{action: setupapi.ActionBack, field: "back", refused: "first step"},
		{action: setupapi.ActionChooseMode, in: setupapi.Action{Mode: settings.ModeDefault}, field: "mode", refused: "go back to it"},
		{action: setupapi.ActionConnected, in: setupapi.Action{RealmID: "not a realm!"}, field: "realm_id", refused: "is not a QuickBooks company id"},
		{action: setupapi.ActionConnected, in: setupapi.Action{RealmID: "404"}, field: "realm_id", refused: "not connected to QuickBooks company 404"},
		{action: setupapi.ActionConnected, in: setupapi.Action{RealmID: testRealm}, check: func(t *testing.T, st setupapi.State) {
			if st.Step != setupapi.StepMode || st.Company != (setupapi.Company{RealmID: testRealm, Name: "Company 9130"}) {
				t.Errorf("after connecting: %s, %+v", st.Step, st.Company)
			}
		}},
		{action: setupapi.ActionNext, field: "mode", refused: "first"},
		{action: setupapi.ActionChooseMode, in: setupapi.Action{Mode: "fancy"}, field: "mode", refused: `choose "default"`},
		{action: setupapi.ActionChooseMode, in: setupapi.Action{Mode: settings.ModeDefault}, check: func(t *testing.T, st setupapi.State) {
			stepIs(setupapi.StepSyncOptions)(t, st)
			// Default mode reads the company's accounts too, to fit its new names around
			// them (settings.FitTo): none of its bank accounts is the company's.
			if st.Settings.Mode != settings.ModeDefault || st.Catalog == nil || len(st.Steps) != 5 {
				t.Errorf("default mode: %+v, catalog %v, steps %v", st.Settings.Mode, st.Catalog, st.Steps)
			}
			for _, tr := range st.Settings.Targets() {
				if tr.Role.Exclusive && !tr.Target.IsNew() {
					t.Errorf("default mode took %s from the company: %v", tr.Label, tr.Target)
				}
			}
			if d := f.lastDraft(); d.Step != "sync_options" || d.RealmID != testRealm || d.Settings.Mode != settings.ModeDefault {
				t.Errorf("draft not saved after choosing the mode: %+v", d)
			}
		}},
		{action: setupapi.ActionSave, field: "answers", refused: "send the answers"},
		{action: setupapi.ActionSave, in: setupapi.Action{Answers: &settings.Answers{Invoices: &settings.InvoiceSettings{}}}, field: "answers", refused: `saves only "sync_options"`},
		{action: setupapi.ActionSave, in: setupapi.Action{Step: setupapi.StepReview, Answers: syncOptions("2026-01-01", true)}, field: "step", refused: "reload the page"},
		{action: setupapi.ActionNext, in: setupapi.Action{Answers: syncOptions("2026-02-30", true)}, field: "sync_options.start_date", refused: "YYYY-MM-DD"},
		{action: setupapi.ActionNext, field: "sync_options.start_date", refused: "required in YYYY-MM-DD form"},
		{action: setupapi.ActionContinueLater, in: setupapi.Action{Step: setupapi.StepSyncOptions, Answers: syncOptions("2026-01-01", false)}, check: func(t *testing.T, st setupapi.State) {
			if !st.Paused || st.PausedAt == nil || st.Settings.SyncOptions.StartDate != "2026-01-01" || st.Step != setupapi.StepSyncOptions {
				t.Errorf("after Continue Later: %+v", st)
			}
			if d := f.lastDraft(); !d.Paused || d.Settings.SyncOptions.StartDate != "2026-01-01" {
				t.Errorf("paused draft not saved: %+v", d)
			}
		}},
		{action: setupapi.ActionNext, field: "next", refused: "paused"},
		{action: setupapi.ActionSave, in: setupapi.Action{Answers: syncOptions("2026-03-01", true)}, field: "save", refused: "resume it first"},
		{action: setupapi.ActionBack, field: "back", refused: "paused"},
		{action: setupapi.ActionSubmit, field: "submit", refused: "paused"},
		{action: setupapi.ActionContinueLater, field: "continue-later", refused: "paused"},
		{action: setupapi.ActionResume, check: func(t *testing.T, st setupapi.State) {
			if st.Paused || st.Step != setupapi.StepSyncOptions || st.Settings.SyncOptions.StartDate != "2026-01-01" {
				t.Errorf("after resume: %+v", st)
			}
		}},
		{action: setupapi.ActionResume, field: "resume", refused: "not paused"},
		{action: setupapi.ActionBack, check: stepIs(setupapi.StepMode)},
		{action: setupapi.ActionNext, check: func(t *testing.T, st setupapi.State) {
			if st.Step != setupapi.StepSyncOptions || st.Settings.SyncOptions.StartDate != "2026-01-01" || st.Settings.SyncOptions.SyncAllUnpaidInvoices {
				t.Errorf("earlier answers lost after Back and Next: %+v", st.Settings.SyncOptions)
			}
		}},
		{action: setupapi.ActionSubmit, field: "submit", refused: "review the settings first"},
		{action: setupapi.ActionNext, check: func(t *testing.T, st setupapi.State) {
			if st.Step != setupapi.StepReview || st.Preview == nil || st.Preview.StartDate != "2026-01-01" {
				t.Errorf("at review: %s, preview %+v", st.Step, st.Preview)
			}
		}},
		{action: setupapi.ActionNext, field: "next", refused: "last step"},
		{action: setupapi.ActionSave, in: setupapi.Action{Answers: syncOptions("2026-01-01", true)}, field: "answers", refused: "no settings to save"},
		{action: setupapi.ActionSubmit, check: func(t *testing.T, st setupapi.State) {
			if !st.Submitted || st.Step != setupapi.StepSubmitted || st.SubmittedAt == nil ||
				st.SyncWorkflowID != syncapi.SyncWorkflowID(testFirm, testRealm) {
				t.Errorf("after submit: %+v", st)
			}
		}},
		{action: setupapi.ActionSubmit, check: stepIs(setupapi.StepSubmitted)}, // idempotent
		{action: setupapi.ActionSave, in: setupapi.Action{Answers: syncOptions("2026-03-01", true)}, field: "save", refused: frozen},
		{action: setupapi.ActionBack, field: "back", refused: frozen},
		{action: setupapi.ActionNext, field: "next", refused: frozen},
		{action: setupapi.ActionContinueLater, field: "continue-later", refused: frozen},
		{action: setupapi.ActionResume, field: "resume", refused: frozen},
		{action: setupapi.ActionChooseMode, in: setupapi.Action{Mode: settings.ModeCustomize}, field: "choose-mode", refused: frozen},
		{action: setupapi.ActionCancel, field: "cancel", refused: frozen},
		{action: setupapi.ActionConnected, in: setupapi.Action{RealmID: testRealm}, check: stepIs(setupapi.StepSubmitted)}, // the same company again
	}
}

func TestSetupDefaultPathWithEveryRefusal(t *testing.T) {
	for _, how := range []via{viaSignal, viaUpdate} {
		t.Run(string(how), func(t *testing.T) {
			env, f := newSetupEnv(t)
			st := drive(t, env, how, setupapi.Input{FirmID: testFirm}, defaultPath(f))
			if len(f.submitted) != 1 || len(f.syncs) != 1 {
				t.Fatalf("submitted %d times, started %d syncs; want once each (submit is idempotent)", len(f.submitted), len(f.syncs))
			}
			sub := f.submitted[0]
			if sub.FirmID != testFirm || sub.RealmID != testRealm || sub.CompanyName != "Company 9130" || sub.Settings.SyncOptions.StartDate != "2026-01-01" ||
				sub.Settings.Mode != settings.ModeDefault || sub.SetupID == "" {
				t.Errorf("submitted record = %+v", sub)
			}
			if f.syncs[0] != (syncapi.SyncInput{FirmID: testFirm, RealmID: testRealm}) {
				t.Errorf("sync started with %+v; only the firm and company may be passed", f.syncs[0])
			}
			if len(f.cancelled) != 0 {
				t.Error("a refused cancel cancelled")
			}
			if !st.Submitted || st.Settings.SyncOptions.StartDate != "2026-01-01" {
				t.Errorf("final state = %+v", st)
			}
			v, err := env.QueryWorkflow(setupapi.SummaryQuery)
			if err != nil {
				t.Fatal(err)
			}
			var summary string
			_ = v.Get(&summary)
			for _, want := range []string{"Hall & Oates LLP (firm 7)", "Company 9130 (company 9130)", "Default settings", "Submitted on", "2026-01-01"} {
				if !strings.Contains(summary, want) {
					t.Errorf("summary lacks %q:\n%s", want, summary)
				}
			}
		})
	}
}

// TestSetupCustomizePathKeepsAnswersAcrossBack walks every Customize step, maps objects
// to existing QuickBooks ones, and refuses a mapping of the wrong type.
func TestSetupCustomizePathKeepsAnswersAcrossBack(t *testing.T) {
	trust := func(liability string) *settings.Answers {
		return &settings.Answers{Trust: &settings.TrustSettings{Sync: true, DepositSlips: settings.SlipPerReceipt,
			Accounts: []settings.TrustAccountMapping{{PMSAccountID: 12, Bank: settings.NewObject("IOLTA"), Liability: settings.Target{ExistingID: liability}}}}}
	}
	invoices := &settings.Answers{Invoices: &settings.InvoiceSettings{SyncInvoices: true, SyncPayments: true,
		LineItems: settings.LinesIndividual, DocNumberPrefix: "QB-", PaymentsDepositTo: settings.DepositOperatingAccount}}
	for _, how := range []via{viaSignal, viaUpdate} {
		t.Run(string(how), func(t *testing.T) {
			env, f := newSetupEnv(t)
			script := []act{
				{action: setupapi.ActionConnected, in: setupapi.Action{RealmID: testRealm}},
				{action: setupapi.ActionChooseMode, in: setupapi.Action{Mode: settings.ModeCustomize}, check: func(t *testing.T, st setupapi.State) {
					if st.Step != setupapi.Step(settings.OperatingBank) || st.Catalog == nil || len(st.Catalog.Accounts) != 3 || len(st.Steps) != 12 {
						t.Errorf("customize: step %s, catalog %v, steps %v", st.Step, st.Catalog, st.Steps)
					}
				}},
				{action: setupapi.ActionSave, in: setupapi.Action{Step: "operating_bank", Answers: &settings.Answers{OperatingBank: &settings.OperatingBankSettings{
					Accounts: []settings.BankAccountMapping{{PMSAccountID: 11, Account: settings.Target{ExistingID: "35"}}}}}},
					check: func(t *testing.T, st setupapi.State) {
						if got := st.Settings.OperatingBank.Accounts[0].Account; got != (settings.Target{ExistingID: "35", Name: "Checking"}) {
							t.Errorf("operating account = %+v", got)
						}
					}},
				{action: setupapi.ActionNext, check: stepIs("trust")},
				{action: setupapi.ActionNext, in: setupapi.Action{Answers: trust("40")}, field: "trust.accounts.0.liability.existing_id", refused: "Other Current Liability"},
				{action: setupapi.ActionNext, in: setupapi.Action{Answers: trust("35")}, field: "trust.accounts.0.liability.existing_id", refused: "must be of type"},
				{action: setupapi.ActionNext, in: setupapi.Action{Answers: trust("41")}, check: stepIs("hard_costs")},
				{action: setupapi.ActionNext, check: stepIs("invoices")},
				{action: setupapi.ActionNext, in: setupapi.Action{Answers: invoices}, check: stepIs("item_mapping")},
				{action: setupapi.ActionBack, check: func(t *testing.T, st setupapi.State) {
					if st.Step != "invoices" || st.Settings.Invoices.LineItems != settings.LinesIndividual || st.Settings.Invoices.DocNumberPrefix != "QB-" {
						t.Errorf("back to invoices: %s %+v", st.Step, st.Settings.Invoices)
					}
				}},
				{action: setupapi.ActionBack, check: stepIs("hard_costs")},
				{action: setupapi.ActionBack, check: func(t *testing.T, st setupapi.State) {
					if st.Step != "trust" || st.Settings.Trust.Accounts[0].Liability.Name != "Client Trust Liability" {
						t.Errorf("back to trust: %s %+v", st.Step, st.Settings.Trust)
					}
				}},
				{action: setupapi.ActionNext, check: stepIs("hard_costs")},
				{action: setupapi.ActionNext, check: stepIs("invoices")},
				{action: setupapi.ActionNext, check: stepIs("item_mapping")},
				{action: setupapi.ActionNext, in: setupapi.Action{Answers: &settings.Answers{ItemMapping: &settings.ItemMappingSettings{}}},
					field: "item_mapping.fees.name", refused: "required"},
				{action: setupapi.ActionNext, check: stepIs("write_offs")},
				{action: setupapi.ActionNext, check: stepIs("contacts")},
				{action: setupapi.ActionNext, in: setupapi.Action{Answers: &settings.Answers{Contacts: &settings.ContactSettings{MatchExistingCustomers: true}}}, check: stepIs("sync_options")},
				{action: setupapi.ActionNext, in: setupapi.Action{Answers: syncOptions("2025-07-01", true)}, check: stepIs(setupapi.StepReview)},
				{action: setupapi.ActionSubmit, check: stepIs(setupapi.StepSubmitted)},
			}
			drive(t, env, how, setupapi.Input{FirmID: testFirm}, script)
			if len(f.submitted) != 1 {
				t.Fatalf("submitted %d times", len(f.submitted))
			}
			s := f.submitted[0].Settings
			if s.Mode != settings.ModeCustomize || s.OperatingBank.Accounts[0].Account.ExistingID != "35" || s.Trust.Accounts[0].Liability.ExistingID != "41" ||
				s.Invoices.LineItems != settings.LinesIndividual || s.Contacts.MattersAsSubCustomers || !s.Contacts.MatchExistingCustomers ||
				s.SyncOptions.StartDate != "2025-07-01" {
				t.Errorf("submitted settings = %+v", s)
			}
		})
	}
}

func TestSetupCancelRevokesAndRefusesEverythingAfter(t *testing.T) {
	for _, how := range []via{viaSignal, viaUpdate} {
		t.Run(string(how), func(t *testing.T) {
			env, f := newSetupEnv(t)
			var after error
			env.RegisterDelayedCallback(func() {
				// An action right behind the cancel: handled after it, so refused.
				switch how {
				case viaSignal:
					env.SignalWorkflow(setupapi.ActionCancel, setupapi.Action{})
					env.SignalWorkflow(setupapi.ActionResume, setupapi.Action{})
				case viaUpdate:
					env.UpdateWorkflow(setupapi.ActionCancel, "c", &testsuite.TestUpdateCallback{
						OnAccept: func() {}, OnReject: func(err error) { t.Errorf("cancel refused: %v", err) }, OnComplete: func(any, error) {}}, setupapi.Action{})
					env.UpdateWorkflow(setupapi.ActionResume, "r", &testsuite.TestUpdateCallback{
						OnAccept: func() {}, OnReject: func(err error) { after = err }, OnComplete: func(_ any, err error) { after = err }}, setupapi.Action{})
				}
			}, 3*time.Minute+45*time.Second)
			script := []act{
				{action: setupapi.ActionConnected, in: setupapi.Action{RealmID: testRealm}},
				{action: setupapi.ActionChooseMode, in: setupapi.Action{Mode: settings.ModeDefault}},
				{action: setupapi.ActionContinueLater}, // cancel is allowed while paused
			}
			st := drive(t, env, how, setupapi.Input{FirmID: testFirm}, script)
			if err := env.GetWorkflowError(); err != nil {
				t.Fatalf("a cancelled setup should complete: %v", err)
			}
			if !st.Cancelled || st.Step != setupapi.StepCancelled || len(f.syncs) != 0 || len(f.submitted) != 0 {
				t.Errorf("after cancel: %+v (syncs %d)", st, len(f.syncs))
			}
			if len(f.cancelled) != 1 || f.cancelled[0] != (setupapi.CancelInput{FirmID: testFirm, SetupID: st.SetupID, RealmID: testRealm}) {
				t.Errorf("cancel recorded as %+v", f.cancelled)
			}
			if how == viaSignal {
				after = st.Errors
			}
			if fe, ok := refusalFields(after); !ok || !strings.Contains(fe.Error(), "cancelled, so nothing syncs") {
				t.Errorf("an action after cancel: %v", after)
			}
		})
	}
}

func TestSetupCancelBeforeConnectingHasNothingToRevoke(t *testing.T) {
	env, f := newSetupEnv(t)
	drive(t, env, viaUpdate, setupapi.Input{FirmID: testFirm}, []act{{action: setupapi.ActionCancel}})
	if len(f.cancelled) != 1 || f.cancelled[0].RealmID != "" {
		t.Errorf("cancelled = %+v", f.cancelled)
	}
}

// TestLinkingAnotherCompanyAfterSubmitStartsANewSetup: the old company's sync is told
// to disconnect and the workflow continues as new for the new company.
func TestLinkingAnotherCompanyAfterSubmitStartsANewSetup(t *testing.T) {
	env, f := newSetupEnv(t)
	script := append(defaultPath(f)[5:6], // connected
		act{action: setupapi.ActionChooseMode, in: setupapi.Action{Mode: settings.ModeDefault}},
		act{action: setupapi.ActionNext, in: setupapi.Action{Answers: syncOptions("2026-01-01", true)}},
		act{action: setupapi.ActionSubmit},
		act{action: setupapi.ActionConnected, in: setupapi.Action{RealmID: "404"}, field: "realm_id", refused: "not connected"},
		act{action: setupapi.ActionConnected, in: setupapi.Action{RealmID: "5550"}},
	)
	drive(t, env, viaUpdate, setupapi.Input{FirmID: testFirm}, script)
	next := continuedAs(t, env)
	if next.FirmID != testFirm || next.State != nil || next.Linked == nil || *next.Linked != (setupapi.Company{RealmID: "5550", Name: "Company 5550"}) {
		t.Errorf("new setup input = %+v", next)
	}
	if len(f.stopped) != 1 || f.stopped[0] != syncapi.SyncWorkflowID(testFirm, testRealm) {
		t.Errorf("old sync stopped: %v", f.stopped)
	}

	// The new setup begins connected, at Choose mode, with fresh settings.
	env2, _ := newSetupEnv(t)
	st := drive(t, env2, viaUpdate, next, []act{{action: setupapi.ActionChooseMode, in: setupapi.Action{Mode: settings.ModeDefault}}})
	if st.Company.RealmID != "5550" || st.Step != setupapi.StepSyncOptions || st.Settings.SyncOptions.StartDate != "" || st.Submitted {
		t.Errorf("new setup = %+v", st)
	}
}

// TestSetupContinuesAsNewAfterDrainingSignals: a long wait continues as new when the
// server suggests it, carrying the state, including a signal that arrived while an
// action was still being handled and had not been received yet.
func TestSetupContinuesAsNewAfterDrainingSignals(t *testing.T) {
	env, _ := newSetupEnv(t, 10*time.Second)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(setupapi.ActionConnected, setupapi.Action{RealmID: testRealm})
	}, time.Minute)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(setupapi.ActionChooseMode, setupapi.Action{Mode: settings.ModeDefault})
	}, 2*time.Minute)
	env.RegisterDelayedCallback(func() {
		// While choose-mode's draft is still being saved: this signal waits in its channel.
		env.SetContinueAsNewSuggested(true)
		env.SignalWorkflow(setupapi.ActionContinueLater, setupapi.Action{Answers: syncOptions("2026-04-01", true)})
	}, 2*time.Minute+5*time.Second)
	env.ExecuteWorkflow(workflows.SetupWorkflow, setupapi.Input{FirmID: testFirm})
	next := continuedAs(t, env)
	st := next.State
	if st == nil || st.Company.RealmID != testRealm || st.Step != setupapi.StepSyncOptions || !st.Paused ||
		st.Settings.SyncOptions.StartDate != "2026-04-01" || st.SetupID == "" {
		t.Fatalf("carried state = %+v", st)
	}

	// The next run picks up where this one left: paused, and resumable.
	env2, f2 := newSetupEnv(t)
	got := drive(t, env2, viaUpdate, next, []act{
		{action: setupapi.ActionNext, field: "next", refused: "paused"},
		{action: setupapi.ActionResume, check: stepIs(setupapi.StepSyncOptions)},
	})
	if got.SetupID != st.SetupID || got.Settings.SyncOptions.StartDate != "2026-04-01" {
		t.Errorf("resumed state = %+v", got)
	}
	if d := f2.lastDraft(); d.SetupID != st.SetupID || d.Paused {
		t.Errorf("draft after resume = %+v", d)
	}
}

// continuedAs returns the input the workflow continued as new with.
func continuedAs(t *testing.T, env *testsuite.TestWorkflowEnvironment) setupapi.Input {
	t.Helper()
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("want continue-as-new, got %v", err)
	}
	var next setupapi.Input
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	return next
}

func TestStepsFor(t *testing.T) {
	got := fmt.Sprint(setupapi.StepsFor(settings.ModeCustomize))
	want := "[connect mode operating_bank trust hard_costs invoices item_mapping write_offs contacts sync_options review submitted]"
	if got != want {
		t.Errorf("customize steps = %s", got)
	}
	if got := fmt.Sprint(setupapi.StepsFor(settings.ModeDefault)); got != "[connect mode sync_options review submitted]" {
		t.Errorf("default steps = %s", got)
	}
}
