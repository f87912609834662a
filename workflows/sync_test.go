package workflows_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/qbosync/qbosync/activities"
	"github.com/qbosync/qbosync/internal/reconcile"
	"github.com/qbosync/qbosync/internal/syncer"
	"github.com/qbosync/qbosync/workflows"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

var acts *activities.Activities

func newEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(workflows.SyncWorkflow)
	env.RegisterActivity(acts)
	env.SetTypedSearchAttributesOnStart(syncapi.SearchAttributes())
	return env
}

// countingActivity answers every category with the given counts and records the calls.
func countingActivity(calls *[]syncapi.SyncCategoryInput, counts syncer.Counts) func(context.Context, syncapi.SyncCategoryInput) (syncapi.CategoryResult, error) {
	return func(_ context.Context, in syncapi.SyncCategoryInput) (syncapi.CategoryResult, error) {
		*calls = append(*calls, in)
		return syncapi.CategoryResult{Category: in.Category, Counts: counts}, nil
	}
}

// statusThenCancel queries the sync's status after d of workflow time, then cancels
// it; the summary is filled in by the time ExecuteWorkflow returns.
func statusThenCancel(t *testing.T, env *testsuite.TestWorkflowEnvironment, d time.Duration) *syncapi.Summary {
	var sum syncapi.Summary
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(syncapi.StatusQuery)
		if err != nil {
			t.Error(err)
			return
		}
		_ = v.Get(&sum)
		env.CancelWorkflow()
	}, d)
	return &sum
}

func TestSyncOnceRunsEveryCategoryInOrderAndSummarises(t *testing.T) {
	env := newEnv(t)
	var calls []syncapi.SyncCategoryInput
	env.OnActivity(acts.SyncCategory, mock.Anything, mock.Anything).
		Return(countingActivity(&calls, syncer.Counts{Created: 3, Failed: 1}))

	env.ExecuteWorkflow(workflows.SyncWorkflow, syncapi.SyncInput{FirmID: 7, RealmID: "r1", Once: true, RetryFailed: true})

	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var sum syncapi.Summary
	if err := env.GetWorkflowResult(&sum); err != nil {
		t.Fatal(err)
	}
	if len(calls) != len(syncer.Categories) {
		t.Fatalf("%d activity calls, want one per category (%d)", len(calls), len(syncer.Categories))
	}
	for i, c := range calls {
		if c.Category != syncer.Categories[i].Name || c.FirmID != 7 || c.RealmID != "r1" || !c.RetryFailed {
			t.Errorf("call %d = %+v", i, c)
		}
	}
	if sum.Status != syncapi.StatusCompleted || sum.Cycles != 1 || sum.Failed() != len(syncer.Categories) {
		t.Errorf("summary = %+v", sum)
	}
}

func TestSyncNowSignalsDuringACycleFoldIntoOneMoreCycle(t *testing.T) {
	env := newEnv(t)
	var calls []syncapi.SyncCategoryInput
	// Each category run takes a minute of (skipped) time, so signals can arrive mid-cycle.
	env.OnActivity(acts.SyncCategory, mock.Anything, mock.Anything).After(time.Minute).
		Return(countingActivity(&calls, syncer.Counts{Unchanged: 1}))

	env.RegisterDelayedCallback(func() {
		for range 3 {
			env.SignalWorkflow(syncapi.SyncNowSignal, nil)
		}
	}, 30*time.Second)
	idle := statusThenCancel(t, env, 30*time.Minute)

	env.ExecuteWorkflow(workflows.SyncWorkflow, syncapi.SyncInput{FirmID: 1, RealmID: "r", SweepInterval: time.Hour})

	if want := 2 * len(syncer.Categories); len(calls) != want {
		t.Errorf("%d category runs, want %d: the first cycle and one more for the three signals", len(calls), want)
	}
	if idle.Status != syncapi.StatusIdle || idle.Cycles != 2 {
		t.Errorf("status while waiting = %+v", idle)
	}
	if calls[len(calls)-1].RetryFailed {
		t.Error("retry of failed items repeated after the first cycle")
	}
}

func TestSweepIntervalWakesAnIdleSync(t *testing.T) {
	env := newEnv(t)
	var calls []syncapi.SyncCategoryInput
	env.OnActivity(acts.SyncCategory, mock.Anything, mock.Anything).Return(countingActivity(&calls, syncer.Counts{}))
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, 35*time.Minute)
	env.ExecuteWorkflow(workflows.SyncWorkflow, syncapi.SyncInput{FirmID: 1, RealmID: "r", SweepInterval: 10 * time.Minute})
	if cycles := len(calls) / len(syncer.Categories); cycles != 4 {
		t.Errorf("%d cycles in 35 minutes at a 10 minute sweep, want 4", cycles)
	}
}

func TestNeedsReconnectStopsWithStatus(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(acts.SyncCategory, mock.Anything, mock.Anything).Return(syncapi.CategoryResult{},
		temporal.NewNonRetryableApplicationError("QuickBooks refused the connection: reconnect", syncapi.ErrTypeNeedsReconnect, errors.New("invalid_grant")))
	env.ExecuteWorkflow(workflows.SyncWorkflow, syncapi.SyncInput{FirmID: 1, RealmID: "r", Once: true})
	err := env.GetWorkflowError()
	if err == nil {
		t.Fatal("workflow succeeded although the connection was refused")
	}
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != syncapi.ErrTypeNeedsReconnect {
		t.Fatalf("error = %v", err)
	}
	v, qerr := env.QueryWorkflow(syncapi.StatusQuery)
	if qerr != nil {
		t.Fatal(qerr)
	}
	var sum syncapi.Summary
	_ = v.Get(&sum)
	if sum.Status != syncapi.StatusNeedsReconnect {
		t.Errorf("status = %q", sum.Status)
	}
}

func TestTransientActivityErrorsAreRetried(t *testing.T) {
	env := newEnv(t)
	attempts := 0
	env.OnActivity(acts.SyncCategory, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in syncapi.SyncCategoryInput) (syncapi.CategoryResult, error) {
			attempts++
			if attempts < 3 {
				return syncapi.CategoryResult{}, errors.New("QBO answered 503")
			}
			return syncapi.CategoryResult{Category: in.Category}, nil
		})
	env.ExecuteWorkflow(workflows.SyncWorkflow, syncapi.SyncInput{FirmID: 1, RealmID: "r", Once: true})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("transient errors were not retried: %v", err)
	}
	if attempts < 3 {
		t.Errorf("attempts = %d", attempts)
	}
}

func TestContinuesAsNewWhenSuggestedCarryingCycles(t *testing.T) {
	env := newEnv(t)
	var calls []syncapi.SyncCategoryInput
	env.OnActivity(acts.SyncCategory, mock.Anything, mock.Anything).Return(countingActivity(&calls, syncer.Counts{}))
	env.SetContinueAsNewSuggested(true)
	env.ExecuteWorkflow(workflows.SyncWorkflow, syncapi.SyncInput{FirmID: 3, RealmID: "r", SweepInterval: time.Minute, Cycles: 41, RetryFailed: true})
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("want continue-as-new, got %v", err)
	}
	var next syncapi.SyncInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if next.Cycles != 42 || next.FirmID != 3 || next.RetryFailed {
		t.Errorf("carried state = %+v", next)
	}
}

// runningStatus queries the workflow from inside a delayed callback.
func runningStatus(t *testing.T, env *testsuite.TestWorkflowEnvironment) syncapi.Summary {
	t.Helper()
	v, err := env.QueryWorkflow(syncapi.StatusQuery)
	if err != nil {
		t.Fatal(err)
	}
	var sum syncapi.Summary
	if err := v.Get(&sum); err != nil {
		t.Fatal(err)
	}
	return sum
}

func TestPauseHoldsCyclesUntilResume(t *testing.T) {
	env := newEnv(t)
	var calls []syncapi.SyncCategoryInput
	env.OnActivity(acts.SyncCategory, mock.Anything, mock.Anything).Return(countingActivity(&calls, syncer.Counts{}))
	var whilePaused syncapi.Summary
	var callsWhilePaused int
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(syncapi.PauseSignal, nil) }, time.Minute)
	// Sync-now while paused must not run a cycle; the sweep must not either.
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(syncapi.SyncNowSignal, nil) }, 2*time.Minute)
	env.RegisterDelayedCallback(func() {
		whilePaused, callsWhilePaused = runningStatus(t, env), len(calls)
		env.SignalWorkflow(syncapi.ResumeSignal, nil)
	}, 3*time.Hour)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(syncapi.DisconnectSignal, nil) }, 3*time.Hour+time.Minute)

	env.ExecuteWorkflow(workflows.SyncWorkflow, syncapi.SyncInput{FirmID: 1, RealmID: "r", SweepInterval: 30 * time.Minute})

	if whilePaused.Status != syncapi.StatusPaused || callsWhilePaused != len(syncer.Categories) {
		t.Errorf("while paused: status %q after %d category runs, want paused after the first cycle only", whilePaused.Status, callsWhilePaused)
	}
	if want := 2 * len(syncer.Categories); len(calls) != want {
		t.Errorf("%d category runs, want %d (first cycle, then one on resume)", len(calls), want)
	}
	var sum syncapi.Summary
	if err := env.GetWorkflowResult(&sum); err != nil || sum.Status != syncapi.StatusDisconnected {
		t.Errorf("after disconnect: %+v, %v", sum, err)
	}
}

func TestRetryFailedSignalRetriesOnTheNextCycleOnly(t *testing.T) {
	env := newEnv(t)
	var calls []syncapi.SyncCategoryInput
	env.OnActivity(acts.SyncCategory, mock.Anything, mock.Anything).Return(countingActivity(&calls, syncer.Counts{}))
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(syncapi.RetryFailedSignal, nil) }, time.Minute)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(syncapi.SyncNowSignal, nil) }, 2*time.Minute)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(syncapi.DisconnectSignal, nil) }, 3*time.Minute)
	env.ExecuteWorkflow(workflows.SyncWorkflow, syncapi.SyncInput{FirmID: 1, RealmID: "r", SweepInterval: time.Hour})
	n := len(syncer.Categories)
	if len(calls) != 3*n {
		t.Fatalf("%d category runs, want %d", len(calls), 3*n)
	}
	if calls[0].RetryFailed || !calls[n].RetryFailed || calls[2*n].RetryFailed {
		t.Errorf("retry flags per cycle: %v %v %v, want false true false", calls[0].RetryFailed, calls[n].RetryFailed, calls[2*n].RetryFailed)
	}
}

// Signals that arrive while a cycle runs, just before the run continues as new, must
// reach the next run.
func TestContinueAsNewCarriesSignalsThatArrivedMidCycle(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(acts.SyncCategory, mock.Anything, mock.Anything).After(time.Minute).
		Return(func(_ context.Context, in syncapi.SyncCategoryInput) (syncapi.CategoryResult, error) {
			return syncapi.CategoryResult{Category: in.Category}, nil
		})
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(syncapi.RetryFailedSignal, nil)
		env.SignalWorkflow(syncapi.PauseSignal, nil)
		env.SetContinueAsNewSuggested(true)
	}, 30*time.Second)
	env.ExecuteWorkflow(workflows.SyncWorkflow, syncapi.SyncInput{FirmID: 5, RealmID: "r", SweepInterval: time.Hour})
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("want continue-as-new, got %v", err)
	}
	var next syncapi.SyncInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if !next.Paused || !next.RetryFailed || next.Cycles != 1 {
		t.Errorf("carried state = %+v, want paused, retry-failed, 1 cycle", next)
	}
}

func TestDisconnectIsNotLostToContinueAsNew(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(acts.SyncCategory, mock.Anything, mock.Anything).After(time.Minute).
		Return(syncapi.CategoryResult{}, nil)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(syncapi.DisconnectSignal, nil)
		env.SetContinueAsNewSuggested(true)
	}, 30*time.Second)
	env.ExecuteWorkflow(workflows.SyncWorkflow, syncapi.SyncInput{FirmID: 5, RealmID: "r", SweepInterval: time.Hour})
	var sum syncapi.Summary
	if err := env.GetWorkflowResult(&sum); err != nil || sum.Status != syncapi.StatusDisconnected {
		t.Fatalf("want a completed, disconnected sync; got %+v, %v", sum, err)
	}
}

// When the reconciliation after a cycle finds the books differing, the idle sync says
// so in its status (and the QbosyncStatus search attribute operators filter on), and
// the status query carries the reconciliation's summary.
func TestBooksThatDifferMarkTheSync(t *testing.T) {
	env := newEnv(t)
	var calls []syncapi.SyncCategoryInput
	env.OnActivity(acts.SyncCategory, mock.Anything, mock.Anything).Return(countingActivity(&calls, syncer.Counts{}))
	env.OnActivity(acts.Reconcile, mock.Anything, mock.Anything).
		Return(reconcile.Summary{OK: false, MattersChecked: 9, MattersDiffering: 2, ReceivablesDifferenceCents: 1234}, nil)
	idle := statusThenCancel(t, env, time.Minute)

	env.ExecuteWorkflow(workflows.SyncWorkflow, syncapi.SyncInput{FirmID: 1, RealmID: "r", SweepInterval: time.Hour})

	if idle.Status != syncapi.StatusBooksDiffer || !strings.Contains(idle.Reason, "2 matters") {
		t.Errorf("status %q (%s), want %q naming the 2 matters", idle.Status, idle.Reason, syncapi.StatusBooksDiffer)
	}
	if r := idle.Reconciliation; r == nil || r.MattersDiffering != 2 || r.ReceivablesDifferenceCents != 1234 {
		t.Errorf("reconciliation in the status = %+v", idle.Reconciliation)
	}
}

// A category whose runs keep failing for a reason that is not about one record marks
// the sync stuck, with the category and the error, within one cycle; the categories
// after it wait; the next cycle that passes clears it.
func TestACategoryThatKeepsFailingMarksTheSyncStuck(t *testing.T) {
	env := newEnv(t)
	broken, attempts, laterWhileBroken := true, 0, 0
	env.OnActivity(acts.SyncCategory, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in syncapi.SyncCategoryInput) (syncapi.CategoryResult, error) {
			switch {
			case broken && in.Category == "contacts":
				attempts++
			case broken && in.Category != "ledger":
				laterWhileBroken++
			}
			if broken && in.Category == "contacts" {
				return syncapi.CategoryResult{}, errors.New(`id map: save client 7: duplicate key value violates unique constraint`)
			}
			return syncapi.CategoryResult{Category: in.Category}, nil
		})
	env.OnActivity(acts.Reconcile, mock.Anything, mock.Anything).Return(reconcile.Summary{OK: true}, nil)
	var stuck, after syncapi.Summary
	query := func(into *syncapi.Summary) {
		v, err := env.QueryWorkflow(syncapi.StatusQuery)
		if err != nil {
			t.Error(err)
			return
		}
		_ = v.Get(into)
	}
	env.RegisterDelayedCallback(func() {
		query(&stuck)
		broken = false
		env.SignalWorkflow(syncapi.SyncNowSignal, nil)
	}, 10*time.Minute)
	env.RegisterDelayedCallback(func() { query(&after); env.CancelWorkflow() }, 20*time.Minute)

	env.ExecuteWorkflow(workflows.SyncWorkflow, syncapi.SyncInput{FirmID: 1, RealmID: "r", SweepInterval: time.Hour})

	if stuck.Status != syncapi.StatusStuck || !strings.Contains(stuck.Reason, "contacts") || !strings.Contains(stuck.Reason, "unique constraint") {
		t.Errorf("status while contacts keep failing = %q (%s), want %q naming the category and the error", stuck.Status, stuck.Reason, syncapi.StatusStuck)
	}
	// Ten minutes stuck: each cycle retried the category a few times, and a stuck sync
	// tries again every minute, not every sweep (an hour here).
	if attempts < 10 || laterWhileBroken != 0 {
		t.Errorf("while stuck: %d attempts of contacts, %d runs of later categories; want retried cycles, none after it", attempts, laterWhileBroken)
	}
	if after.Status != syncapi.StatusIdle {
		t.Errorf("status after a cycle passed = %q (%s), want idle", after.Status, after.Reason)
	}
}

// A change never waits for the books: the check runs beside the sync, a change that
// arrives meanwhile is synced at once, and a check whose books a cycle wrote to is
// dropped and made again once the sync is quiet.
func TestAChangeNeverWaitsForTheBooks(t *testing.T) {
	env := newEnv(t)
	start := env.Now()
	var cycleStarts []time.Duration
	env.OnActivity(acts.SyncCategory, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in syncapi.SyncCategoryInput) (syncapi.CategoryResult, error) {
			if in.Category == syncer.Categories[0].Name {
				cycleStarts = append(cycleStarts, env.Now().Sub(start))
			}
			return syncapi.CategoryResult{Category: in.Category, Counts: syncer.Counts{Changes: 1, Created: 1}}, nil
		})
	checks := 0
	var asked []syncapi.ReconcileInput
	env.OnActivity(acts.Reconcile, mock.Anything, mock.Anything).After(20 * time.Minute).Return(
		func(_ context.Context, in syncapi.ReconcileInput) (syncapi.BooksSummary, error) {
			checks++
			asked = append(asked, in)
			return syncapi.BooksSummary{OK: checks > 1, MattersChecked: checks}, nil
		})
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(syncapi.SyncNowSignal, nil) }, time.Minute)
	var during, after syncapi.Summary
	env.RegisterDelayedCallback(func() { queryInto(t, env, &during) }, 10*time.Minute)
	env.RegisterDelayedCallback(func() { queryInto(t, env, &after); env.CancelWorkflow() }, 45*time.Minute)

	env.ExecuteWorkflow(workflows.SyncWorkflow, syncapi.SyncInput{FirmID: 1, RealmID: "r", SweepInterval: time.Hour})

	if len(cycleStarts) != 2 || cycleStarts[1] > 2*time.Minute {
		t.Fatalf("cycles started at %v: want the second at once on the change at 1m, not after the 20m check", cycleStarts)
	}
	if during.Reconciliation != nil || during.Status != syncapi.StatusIdle {
		t.Errorf("while the first check runs: %+v; want idle with no reconciliation yet", during)
	}
	// The first check (0m to 20m) was overlapped by the second cycle's writes: its
	// answer is dropped, and a second check, started as it ended (20m to 40m), counts.
	if r := after.Reconciliation; checks != 2 || r == nil || !r.OK || r.MattersChecked != 2 || after.Status != syncapi.StatusIdle {
		t.Errorf("%d checks, status %q, reconciliation %+v; want the second check's clean books", checks, after.Status, after.Reconciliation)
	}
	// The first check of the books is a full pass; the one owed for the writes may be
	// incremental, the full pass not an hour old (the default 6h interval).
	if len(asked) != 2 || asked[0].Incremental || !asked[1].Incremental || asked[1].FullEvery != workflows.DefaultReconcileInterval {
		t.Errorf("checks asked for %+v; want a full pass, then an incremental check with a full pass every %v", asked, workflows.DefaultReconcileInterval)
	}
	if after.ReconciledAt.Sub(start) != 20*time.Minute {
		t.Errorf("reconciled at %v after the start, want 20m (when the counted check started)", after.ReconciledAt.Sub(start))
	}
}

// An idle firm's books are checked in full once per reconcile interval, not after each
// sweep: a sweep that finds nothing costs QuickBooks nothing. A reconcile signal
// checks at once.
func TestAnIdleSyncChecksTheBooksOncePerInterval(t *testing.T) {
	env := newEnv(t)
	var calls []syncapi.SyncCategoryInput
	env.OnActivity(acts.SyncCategory, mock.Anything, mock.Anything).Return(countingActivity(&calls, syncer.Counts{Unchanged: 4}))
	checks := 0
	env.OnActivity(acts.Reconcile, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in syncapi.ReconcileInput) (syncapi.BooksSummary, error) {
			checks++
			if in.Incremental {
				t.Errorf("check %d is incremental: an idle firm's checks (the first, the signal's, the interval's) are full passes", checks)
			}
			return syncapi.BooksSummary{OK: true}, nil
		})
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(syncapi.ReconcileSignal, nil) }, 30*time.Minute)
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, 150*time.Minute)

	env.ExecuteWorkflow(workflows.SyncWorkflow, syncapi.SyncInput{FirmID: 1, RealmID: "r", SweepInterval: 5 * time.Minute, ReconcileInterval: time.Hour})

	if cycles := len(calls) / len(syncer.Categories); cycles < 25 {
		t.Fatalf("%d cycles in 150 minutes at a 5 minute sweep", cycles)
	}
	// At the start, on the signal at 30m, then a full check an hour after it (1h30m)
	// and at 2h30m's edge not yet: 3.
	if checks != 3 {
		t.Errorf("%d checks of the books in 150 idle minutes with a reconcile at 30m and a 1h interval, want 3", checks)
	}
}

func queryInto(t *testing.T, env *testsuite.TestWorkflowEnvironment, into *syncapi.Summary) {
	t.Helper()
	v, err := env.QueryWorkflow(syncapi.StatusQuery)
	if err != nil {
		t.Error(err)
		return
	}
	if err := v.Get(into); err != nil {
		t.Error(err)
	}
}

// After its first cycle, a sync runs only the categories with work: a sweep that finds
// nothing runs none, and a change runs its category, plus the later categories with
// items waiting for what it wrote.
func TestACycleRunsOnlyTheCategoriesWithWork(t *testing.T) {
	ran, quiet, after := cyclesAroundAChangeOfContacts(t, syncer.Counts{Created: 1})
	first := len(syncer.Categories)
	if got, want := ran[first:], []string{"contacts", "invoices"}; !slices.Equal(got, want) {
		t.Errorf("after the first cycle ran %v, want %v: nothing on the quiet sweeps, then the changed contacts and the invoices waiting for them", got, want)
	}
	if quiet.Cycles != 3 || len(quiet.Categories) != first {
		t.Fatalf("after two quiet sweeps: %d cycles, categories %+v", quiet.Cycles, quiet.Categories)
	}
	for _, c := range quiet.Categories {
		want := map[string]int{"invoices": 3, "hard_costs": 1}[c.Category]
		if c.Failed != want || c.Created != 0 {
			t.Errorf("quiet sweep shows %s %+v, want no writes and %d failing", c.Category, c.Counts, want)
		}
	}
	if after.Cycles != 4 {
		t.Errorf("%d cycles after the change, want 4", after.Cycles)
	}
}

// Only new objects end a wait (waitsOver in internal/syncer): a category that only
// updated what QuickBooks holds does not wake the categories with waiting items.
func TestUpdatesAloneDoNotWakeTheWaitingCategories(t *testing.T) {
	ran, _, after := cyclesAroundAChangeOfContacts(t, syncer.Counts{Updated: 1})
	if got, want := ran[len(syncer.Categories):], []string{"contacts"}; !slices.Equal(got, want) {
		t.Errorf("after the first cycle ran %v, want %v: the invoices wait for matters, and an update makes none", got, want)
	}
	if after.Cycles != 4 {
		t.Errorf("%d cycles after the change, want 4", after.Cycles)
	}
}

// cyclesAroundAChangeOfContacts runs a sync whose invoices have items waiting for their
// matters and whose hard costs have a refusal: a first cycle, two quiet sweeps, then a
// change of contacts whose run returns counts. It returns the categories that ran, in
// order, and the status after the quiet sweeps and after the change.
func cyclesAroundAChangeOfContacts(t *testing.T, counts syncer.Counts) (ran []string, quiet, after syncapi.Summary) {
	env := newEnv(t)
	env.OnActivity(acts.SyncCategory, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in syncapi.SyncCategoryInput) (syncapi.CategoryResult, error) {
			ran = append(ran, in.Category)
			return syncapi.CategoryResult{Category: in.Category, Counts: counts}, nil
		})
	env.OnActivity(acts.Reconcile, mock.Anything, mock.Anything).Return(syncapi.BooksSummary{OK: true}, nil)
	changed := map[string]bool{}
	env.OnActivity(acts.Pending, mock.Anything, mock.Anything).Return(pendingAnswers(
		func(c string) bool { return changed[c] },
		map[string]syncapi.CategoryPending{
			"invoices":   {Failing: 3, Waiting: 2}, // waiting for their matters
			"hard_costs": {Failing: 1},             // a refusal, not waiting
		}))
	// Two sweeps with nothing to do, then a change of a client.
	env.RegisterDelayedCallback(func() {
		queryInto(t, env, &quiet)
		changed["contacts"] = true
		env.SignalWorkflow(syncapi.SyncNowSignal, nil)
	}, 11*time.Minute)
	env.RegisterDelayedCallback(func() { queryInto(t, env, &after); env.CancelWorkflow() }, 12*time.Minute)

	env.ExecuteWorkflow(workflows.SyncWorkflow, syncapi.SyncInput{FirmID: 1, RealmID: "r", SweepInterval: 5 * time.Minute})
	if len(ran) < len(syncer.Categories) {
		t.Fatalf("ran %v: the first cycle runs every category", ran)
	}
	return ran, quiet, after
}

// A client committed while a long run of invoices writes goes to QuickBooks beside it,
// not after it and the next cycle's contacts; other changes wait for the next cycle.
func TestNewContactsRunBesideALongRunOfInvoices(t *testing.T) {
	for _, tc := range []struct {
		changed    []string
		wantBeside bool
	}{
		{changed: []string{"contacts", "invoices"}, wantBeside: true},
		{changed: []string{"invoices"}},
		{changed: nil}, // a sender that does not say what changed
	} {
		t.Run(strings.Join(tc.changed, "+"), func(t *testing.T) {
			env := newEnv(t)
			var calls []syncapi.SyncCategoryInput
			// Each category run takes a minute: the signal comes in the middle of the
			// first cycle's invoices (ledger, contacts, then invoices from 2m to 3m).
			env.OnActivity(acts.SyncCategory, mock.Anything, mock.Anything).After(time.Minute).
				Return(countingActivity(&calls, syncer.Counts{Created: 1}))
			env.OnActivity(acts.Reconcile, mock.Anything, mock.Anything).Return(syncapi.BooksSummary{OK: true}, nil)
			env.OnActivity(acts.Pending, mock.Anything, mock.Anything).Return(pendingAnswers(func(string) bool { return true }, nil))
			var mid syncapi.Summary
			env.RegisterDelayedCallback(func() {
				env.SignalWorkflow(syncapi.SyncNowSignal, syncapi.SyncNow{Categories: tc.changed})
			}, 2*time.Minute+30*time.Second)
			// During the first cycle's last category, after the run beside (2m30 to 3m30).
			env.RegisterDelayedCallback(func() { queryInto(t, env, &mid) }, 5*time.Minute+30*time.Second)
			env.RegisterDelayedCallback(env.CancelWorkflow, time.Hour)
			env.ExecuteWorkflow(workflows.SyncWorkflow, syncapi.SyncInput{FirmID: 1, RealmID: "r", SweepInterval: 2 * time.Hour})

			var ran []string
			for _, c := range calls {
				ran = append(ran, c.Category)
			}
			first := []string{"ledger", "contacts", "invoices", "payments", "trust", "hard_costs"}
			if tc.wantBeside {
				first = slices.Insert(first, 3, "contacts")
			}
			if len(ran) < len(first) || !slices.Equal(ran[:len(first)], first) {
				t.Fatalf("ran %v, want the first cycle %v", ran, first)
			}
			if len(ran) == len(first) {
				t.Errorf("ran %v: no second cycle for the signal", ran)
			}
			i := slices.IndexFunc(mid.Categories, func(c syncapi.CategoryResult) bool { return c.Category == "contacts" })
			want := 1
			if tc.wantBeside {
				want = 2 // its own run's and the run beside's
			}
			if i < 0 || mid.Categories[i].Created != want {
				t.Errorf("the first cycle's contacts result %+v, want %d created", mid.Categories, want)
			}
		})
	}
}

// Customers that a run of the contacts beside the cycle created end the waits of the
// items waiting for them, in the next cycle if the waiting category ran before.
func TestCustomersCreatedBesideTheCycleWakeTheWaitingItems(t *testing.T) {
	env := newEnv(t)
	var ran []string
	env.OnActivity(acts.SyncCategory, mock.Anything, mock.Anything).After(time.Minute).Return(
		func(_ context.Context, in syncapi.SyncCategoryInput) (syncapi.CategoryResult, error) {
			ran = append(ran, in.Category)
			return syncapi.CategoryResult{Category: in.Category, Counts: syncer.Counts{Created: 1}}, nil
		})
	env.OnActivity(acts.Reconcile, mock.Anything, mock.Anything).Return(syncapi.BooksSummary{OK: true}, nil)
	changed := map[string]bool{}
	env.OnActivity(acts.Pending, mock.Anything, mock.Anything).Return(pendingAnswers(
		func(c string) bool { ch := changed[c]; delete(changed, c); return ch },   // the cycle reads them
		map[string]syncapi.CategoryPending{"invoices": {Failing: 2, Waiting: 2}})) // waiting for their matters
	// A hard cost changes; while its run writes, a client comes.
	env.RegisterDelayedCallback(func() {
		changed["hard_costs"] = true
		env.SignalWorkflow(syncapi.SyncNowSignal, syncapi.SyncNow{Categories: []string{"hard_costs"}})
	}, 10*time.Minute)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(syncapi.SyncNowSignal, syncapi.SyncNow{Categories: []string{"contacts"}})
	}, 10*time.Minute+30*time.Second)
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Hour)
	env.ExecuteWorkflow(workflows.SyncWorkflow, syncapi.SyncInput{FirmID: 1, RealmID: "r", SweepInterval: 2 * time.Hour})

	if got, want := ran[len(syncer.Categories):], []string{"hard_costs", "contacts", "invoices"}; !slices.Equal(got, want) {
		t.Errorf("after the first cycle ran %v, want %v: the hard cost, the client beside it, then the invoices waiting for customers", got, want)
	}
}

// pendingAnswers answers the look at what the categories have to do: each changed as
// changed says, with the failing and waiting items standing gives it.
func pendingAnswers(changed func(category string) bool, standing map[string]syncapi.CategoryPending) func(context.Context, syncapi.PendingInput) ([]syncapi.CategoryPending, error) {
	return func(_ context.Context, in syncapi.PendingInput) ([]syncapi.CategoryPending, error) {
		var out []syncapi.CategoryPending
		for _, c := range in.Categories {
			p := standing[c]
			p.Category, p.Changed = c, changed(c)
			out = append(out, p)
		}
		return out, nil
	}
}
