package e2e_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/proto"

	"github.com/qbosync/qbosync/activities"
	"github.com/qbosync/qbosync/internal/pms/seed"
	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/internal/web"
	"github.com/qbosync/qbosync/internal/workerx"
	"github.com/qbosync/qbosync/workflows/setupapi"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// setupStack is the e2e stack with a worker of its own for the setup, on its own task
// queue, that a test can stop and replace, as a deploy or a crash would.
type setupStack struct {
	*stack
	queue     string
	worker    worker.Worker
	logs      *bytes.Buffer
	logWriter *syncWriter
	wizard    *web.Wizard
}

func newSetupStack(t *testing.T) *setupStack {
	s := &setupStack{stack: newStack(t), logs: &bytes.Buffer{}}
	s.logWriter = &syncWriter{w: s.logs}
	s.queue = s.Queue + "-setup"
	s.wizard = &web.Wizard{Temporal: s.Temporal, TaskQueue: s.queue}
	s.startWorker()
	t.Cleanup(func() { s.worker.Stop() })
	return s
}

// newSetupFirm is a setup stack with a small demo firm seeded from n.
func newSetupFirm(t *testing.T, n int64) (*setupStack, int64) {
	s := newSetupStack(t)
	return s, s.seedFirm(n)
}

// seedFirm seeds a small demo firm from n and returns its id.
func (s *setupStack) seedFirm(n int64) int64 {
	sum, err := seed.Seed(context.Background(), s.DB, seed.Options{Size: seed.SizeSmall, Seed: n})
	if err != nil {
		s.t.Fatal(err)
	}
	return sum.FirmID
}

// logger writes to the stack's setup log, which the token checks read.
func (s *setupStack) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(s.logWriter, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// startWorker starts a worker with the real registrations (workerx.Register).
func (s *setupStack) startWorker() {
	w := worker.New(s.Temporal, s.queue, worker.Options{})
	workerx.Register(w, &activities.Activities{Store: s.Store, QBO: s.factory, PageSize: 7, Log: s.logger()},
		workerx.WithRevoke(activities.RevokeEndpoint{URL: s.qbo.RevokeURL, ClientID: s.qbo.ClientID, ClientSecret: s.qbo.ClientSecret}))
	if err := w.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.worker = w
}

// restartWorker stops the worker and starts a new one: the new one knows the setup only
// from its history.
func (s *setupStack) restartWorker() {
	s.worker.Stop()
	s.startWorker()
}

func (s *setupStack) act(firm int64, action string, a setupapi.Action) setupapi.State {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := s.wizard.Act(ctx, firm, action, a)
	if err != nil {
		s.t.Fatalf("%s: %v", action, err)
	}
	return st
}

func (s *setupStack) refused(firm int64, action string, a setupapi.Action, field, says string) {
	s.t.Helper()
	_, err := s.wizard.Act(context.Background(), firm, action, a)
	refused, ok := errors.AsType[*web.Refused](err)
	if !ok || refused.Fields.For(field) == "" || !strings.Contains(refused.Error(), says) {
		s.t.Fatalf("%s: got %v, want a refusal of %s saying %q", action, err, field, says)
	}
}

// TestSetupDefaultPathEndToEnd drives the default path to Submit on a real Temporal
// server: Continue Later, then a new worker before Resume, then Submit starts the
// firm's sync, which fills the sandbox. No token reaches the history or the logs.
func TestSetupDefaultPathEndToEnd(t *testing.T) {
	s, firm := newSetupFirm(t, 3)
	ctx := t.Context()
	st, err := s.wizard.Start(ctx, firm)
	must(t, err)
	if st.Step != setupapi.StepConnect || st.Firm.Name == "" || len(st.Settings.OperatingBank.Accounts) == 0 {
		t.Fatalf("new setup = %+v", st)
	}
	again, err := s.wizard.Start(ctx, firm)
	must(t, err)
	if again.SetupID != st.SetupID {
		t.Fatal("starting again made a second setup")
	}

	conn := s.connect(firm)
	st = s.act(firm, setupapi.ActionConnected, setupapi.Action{RealmID: conn.RealmID})
	if st.Step != setupapi.StepMode || st.Company.Name != conn.CompanyName {
		t.Fatalf("after connecting: %+v", st)
	}
	st = s.act(firm, setupapi.ActionChooseMode, setupapi.Action{Mode: settings.ModeDefault})
	if st.Step != setupapi.StepSyncOptions {
		t.Fatalf("after choosing default: %s", st.Step)
	}
	s.refused(firm, setupapi.ActionNext, setupapi.Action{Answers: &settings.Answers{SyncOptions: &settings.SyncOptionSettings{StartDate: "01/01/2025"}}},
		"sync_options.start_date", "YYYY-MM-DD")
	answers := &settings.Answers{SyncOptions: &settings.SyncOptionSettings{StartDate: "2025-06-01", SyncAllUnpaidInvoices: true}}
	st = s.act(firm, setupapi.ActionContinueLater, setupapi.Action{Step: setupapi.StepSyncOptions, Answers: answers})
	if !st.Paused {
		t.Fatal("Continue Later did not pause")
	}
	draft, err := s.Store.SetupSettings(ctx, firm, st.SetupID)
	must(t, err)
	if !draft.Paused || draft.Step != "sync_options" || draft.Settings.SyncOptions.StartDate != "2025-06-01" || draft.RealmID != conn.RealmID {
		t.Fatalf("draft in PostgreSQL = %+v", draft)
	}

	// A new worker: the paused setup lives on in Temporal's history alone.
	s.restartWorker()
	s.refused(firm, setupapi.ActionNext, setupapi.Action{}, "next", "paused")
	st = s.act(firm, setupapi.ActionResume, setupapi.Action{})
	if st.Paused || st.Step != setupapi.StepSyncOptions || st.Settings.SyncOptions.StartDate != "2025-06-01" {
		t.Fatalf("after resume on a new worker: %+v", st)
	}
	st = s.act(firm, setupapi.ActionNext, setupapi.Action{})
	if st.Step != setupapi.StepReview || st.Preview == nil {
		t.Fatalf("at review: %+v", st)
	}
	for _, l := range st.Preview.Lines {
		if l.Title == "Customers (clients)" && l.Count == 0 {
			t.Errorf("the preview shows no customers: %+v", l)
		}
	}
	st = s.act(firm, setupapi.ActionSubmit, setupapi.Action{})
	syncID := syncapi.SyncWorkflowID(firm, conn.RealmID)
	if !st.Submitted || st.SyncWorkflowID != syncID {
		t.Fatalf("after submit: %+v", st)
	}
	st = s.act(firm, setupapi.ActionSubmit, setupapi.Action{})
	if !st.Submitted {
		t.Fatal("a second submit changed the setup")
	}
	s.refused(firm, setupapi.ActionBack, setupapi.Action{}, "back", "Only linking a different QuickBooks company")
	if sub, err := s.Store.SubmittedSettings(ctx, firm, conn.RealmID); err != nil || sub.Settings.SyncOptions.StartDate != "2025-06-01" {
		t.Fatalf("submitted settings = %+v, %v", sub, err)
	}

	// The sync runs by itself, as the setup's abandoned child.
	desc, err := s.Temporal.DescribeWorkflowExecution(ctx, syncID, "")
	must(t, err)
	if desc.WorkflowExecutionInfo.Status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("sync status = %s", desc.WorkflowExecutionInfo.Status)
	}
	syncRun := s.Temporal.GetWorkflow(ctx, syncID, "")
	waitFor(t, "the sync's first cycle", func() bool { return s.status(syncRun).Cycles >= 1 })
	if n := len(s.customers().byMarker); n == 0 {
		t.Error("the sync started by Submit created no customer")
	}

	setupRun := s.Temporal.GetWorkflow(ctx, setupapi.SetupWorkflowID(firm), "")
	tok, err := s.Store.Token(ctx, firm, conn.RealmID)
	must(t, err)
	t.Run("no token in the history or the logs", func(t *testing.T) {
		for _, run := range []client.WorkflowRun{setupRun, syncRun} {
			h := historyBytes(t, s.Temporal, run)
			if !strings.Contains(h, conn.RealmID) {
				t.Fatalf("history of %s looks empty", run.GetID())
			}
			if strings.Contains(h, tok.AccessToken) || strings.Contains(h, tok.RefreshToken) {
				t.Errorf("a token is in the history of %s", run.GetID())
			}
		}
		for _, logs := range []string{s.Log.String(), s.logs.String()} {
			if strings.Contains(logs, tok.AccessToken) || strings.Contains(logs, tok.RefreshToken) {
				t.Error("a token is in the logs")
			}
		}
	})

	must(t, s.Temporal.TerminateWorkflow(ctx, syncID, "", "test done"))
	must(t, s.Temporal.TerminateWorkflow(ctx, setupRun.GetID(), "", "test done"))
	recordHistory(t, s.Temporal, setupRun, "setup_default_v1")
}

// TestSetupCustomizeThenCancelEndToEnd: Customize offers the company's real accounts;
// Cancel revokes the connection, and the setup completes with nothing synced.
func TestSetupCustomizeThenCancelEndToEnd(t *testing.T) {
	s, firm := newSetupFirm(t, 4)
	ctx := t.Context()
	_, err := s.wizard.Start(ctx, firm)
	must(t, err)
	conn := s.connect(firm)
	s.act(firm, setupapi.ActionConnected, setupapi.Action{RealmID: conn.RealmID})
	st := s.act(firm, setupapi.ActionChooseMode, setupapi.Action{Mode: settings.ModeCustomize})
	if st.Step != setupapi.Step(settings.OperatingBank) || st.Catalog == nil {
		t.Fatalf("customize: %+v", st)
	}
	checking := ""
	for _, o := range st.Catalog.Choices(settings.RoleOperatingBank) {
		if o.Name == "Checking" {
			checking = o.ID
		}
	}
	if checking == "" {
		t.Fatalf("the sandbox's Checking account is not offered: %+v", st.Catalog.Accounts)
	}
	a := st.Settings.Section(settings.OperatingBank)
	a.OperatingBank.Accounts[0].Account = settings.Target{ExistingID: checking}
	st = s.act(firm, setupapi.ActionNext, setupapi.Action{Step: st.Step, Answers: &a})
	if st.Step != setupapi.Step(settings.TrustBank) || st.Settings.OperatingBank.Accounts[0].Account.Name != "Checking" {
		t.Fatalf("after mapping to Checking: %+v", st)
	}

	st = s.act(firm, setupapi.ActionCancel, setupapi.Action{})
	if !st.Cancelled {
		t.Fatalf("after cancel: %+v", st)
	}
	var final setupapi.State
	must(t, s.Temporal.GetWorkflow(ctx, setupapi.SetupWorkflowID(firm), "").Get(ctx, &final))
	if !final.Cancelled {
		t.Fatalf("the setup ended as %+v", final)
	}
	if _, err := s.Store.LiveConnection(ctx, firm); !errors.Is(err, store.ErrNotConnected) {
		t.Errorf("the connection survived the cancel: %v", err)
	}
	if _, err := s.factory.Client(ctx, firm, conn.RealmID); !errors.Is(err, store.ErrNotConnected) {
		t.Errorf("a client can still be made for the cancelled company: %v", err)
	}
	rec, err := s.Store.SetupSettings(ctx, firm, st.SetupID)
	if err != nil || rec.Status != settings.StatusCancelled {
		t.Errorf("settings row = %+v, %v", rec, err)
	}
	if _, err := s.wizard.Act(ctx, firm, setupapi.ActionResume, setupapi.Action{}); err == nil {
		t.Error("an action on a cancelled setup succeeded")
	}
	// A new setup can start afresh.
	st, err = s.wizard.Start(ctx, firm)
	must(t, err)
	if st.Cancelled || st.Step != setupapi.StepConnect {
		t.Errorf("a setup after a cancelled one = %+v", st)
	}
}

// historyBytes returns a run's full history in protobuf's wire form, where payloads
// (inputs, results, signal and update arguments, search attributes) appear as the
// bytes they are, not base64 as in JSON: a token anywhere would show as itself.
func historyBytes(t *testing.T, c client.Client, run client.WorkflowRun) string {
	t.Helper()
	iter := c.GetWorkflowHistory(context.Background(), run.GetID(), run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var b strings.Builder
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		wire, err := proto.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(wire)
	}
	if b.Len() == 0 {
		t.Fatalf("no history for %s", run.GetID())
	}
	return b.String()
}
