package workflows

import (
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/workflows/setupapi"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// interactiveActivity bounds the reads an action waits for (the connection, the
// company's accounts, the preview): a person is waiting, so a few quick tries, then
// the action is refused with the reason.
var interactiveActivity = workflow.ActivityOptions{
	StartToCloseTimeout: time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval: time.Second, BackoffCoefficient: 2, MaximumAttempts: 3,
		NonRetryableErrorTypes: []string{setupapi.ErrTypeRefused, syncapi.ErrTypeNeedsReconnect, syncapi.ErrTypeBug},
	},
}

// durableActivity is for what must happen once decided (saving a draft, submitting,
// revoking): retried until it does.
var durableActivity = workflow.ActivityOptions{
	StartToCloseTimeout: time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
		NonRetryableErrorTypes: []string{setupapi.ErrTypeRefused, syncapi.ErrTypeBug},
	},
}

// SetupWorkflow is a firm's setup wizard (its contract: workflows/setupapi, and the
// JSON API over it in internal/web/README.md): Connect QuickBooks, Choose mode, the
// category steps (Customize only), Sync options, Review, Submit. Every action is a
// signal and an update of the same name (setupapi.Actions); one handler serves both,
// and the wizard's rules (setupapi.Transition) are plain Go that validator and handler
// share.
//
// The draft is saved to PostgreSQL after every change, and the workflow waits without
// timers, so a setup paused with Continue Later waits for days and survives restarts.
// Submit freezes the settings, stores them and starts the firm's SyncWorkflow as an
// abandoned child. The workflow then stays open, refusing every change with the
// reason, until the firm links a different QuickBooks company: that disconnects the
// old company's sync and continues as new, a new setup for the new company. Cancel
// revokes the connection and completes. Long waits continue as new when the server
// suggests it, after every handler has finished and the signals are drained.
func SetupWorkflow(ctx workflow.Context, in setupapi.Input) (setupapi.State, error) {
	r := &setupRun{mu: workflow.NewMutex(ctx), signals: map[string]workflow.ReceiveChannel{}}
	if err := r.register(ctx); err != nil {
		return setupapi.State{}, err
	}
	if in.State != nil {
		r.st = *in.State
	} else if err := r.begin(ctx, in); err != nil {
		return r.st, err
	}
	r.ready = true
	r.upsertAttributes(ctx)

	err := workflow.Await(ctx, func() bool {
		return r.st.Cancelled || r.linked != nil || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
	})
	if err != nil {
		return r.st, err // the workflow itself was cancelled (by an operator)
	}
	r.drain(ctx)
	switch {
	case r.st.Cancelled:
		return r.st, nil
	case r.linked != nil:
		return r.st, workflow.NewContinueAsNewError(ctx, SetupWorkflow, setupapi.Input{FirmID: r.st.FirmID, Linked: r.linked})
	}
	return r.st, workflow.NewContinueAsNewError(ctx, SetupWorkflow, setupapi.Input{FirmID: r.st.FirmID, State: &r.st})
}

// setupRun is one run of a SetupWorkflow.
type setupRun struct {
	st    setupapi.State
	ready bool           // st is loaded; actions that arrive earlier wait
	mu    workflow.Mutex // one action at a time, from updates and signals alike
	busy  int            // actions being handled, from either path
	attrs string         // the search attributes last upserted
	// linked is the company of a new setup, set when the firm links another company.
	linked  *setupapi.Company
	signals map[string]workflow.ReceiveChannel
}

// register sets up the queries, and every action as an update and as a signal.
func (r *setupRun) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, setupapi.StateQuery, func() (setupapi.State, error) { return r.st, nil }); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, setupapi.SummaryQuery, func() (string, error) { return r.st.Summary(), nil }); err != nil {
		return err
	}
	for _, name := range setupapi.Actions {
		err := workflow.SetUpdateHandlerWithOptions(ctx, name,
			func(ctx workflow.Context, a setupapi.Action) (setupapi.State, error) { return r.handle(ctx, name, a) },
			workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, a setupapi.Action) error {
				if !r.ready {
					return nil // the handler waits for the state and checks then
				}
				_, _, err := setupapi.Transition(r.st, name, a, workflow.Now(ctx))
				return setupapi.RefusalError(err)
			}})
		if err != nil {
			return err
		}
		r.signals[name] = workflow.GetSignalChannel(ctx, name)
	}
	workflow.Go(ctx, func(ctx workflow.Context) {
		sel := workflow.NewSelector(ctx)
		for _, name := range setupapi.Actions {
			sel.AddReceive(r.signals[name], func(c workflow.ReceiveChannel, _ bool) {
				var a setupapi.Action
				c.Receive(ctx, &a)
				// A signal cannot be answered: a refusal is kept in the state's Errors.
				_, _ = r.handle(ctx, name, a)
			})
		}
		for {
			sel.Select(ctx)
		}
	})
	return nil
}

// begin starts a new setup: it reads the firm's bank accounts and saves the first draft.
func (r *setupRun) begin(ctx workflow.Context, in setupapi.Input) error {
	now := workflow.Now(ctx)
	r.st = setupapi.State{FirmID: in.FirmID, SetupID: workflow.GetInfo(ctx).WorkflowExecution.RunID,
		Step: setupapi.StepConnect, Steps: setupapi.StepsFor(""), UpdatedAt: now}
	actx := workflow.WithActivityOptions(ctx, interactiveActivity)
	if err := workflow.ExecuteActivity(actx, setupapi.LoadFirmActivity, in.FirmID).Get(ctx, &r.st.Firm); err != nil {
		return err
	}
	r.st.Settings = settings.Defaults(r.st.Firm)
	r.st.Settings.Mode = "" // not chosen yet
	if in.Linked != nil {
		r.st.Company, r.st.Step = *in.Linked, setupapi.StepMode
		r.st.Notice = fmt.Sprintf("QuickBooks company %q is linked: this is a new setup, with new settings, for it.", in.Linked.Name)
	}
	r.saveDraft(ctx)
	return nil
}

// handle performs an action from either path. It refuses with the wizard's field
// errors, or when a fact the action needs cannot be read; otherwise it changes the
// state, records what must be recorded, and returns the new state.
func (r *setupRun) handle(ctx workflow.Context, action string, a setupapi.Action) (setupapi.State, error) {
	r.busy++
	defer func() { r.busy-- }()
	if err := workflow.Await(ctx, func() bool { return r.ready }); err != nil {
		return r.st, err
	}
	if err := r.mu.Lock(ctx); err != nil {
		return r.st, err
	}
	defer r.mu.Unlock()

	prev := r.st
	next, fx, err := setupapi.Transition(prev, action, a, workflow.Now(ctx))
	if err == nil && fx.LoadCatalog && next.Settings.Mode == settings.ModeDefault &&
		workflow.GetVersion(ctx, "default-mode-reads-catalog", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		fx.LoadCatalog = false // setups recorded before Default mode read the catalog replay as they ran
	}
	if err == nil {
		err = r.gather(ctx, &next, fx)
	}
	if err != nil {
		var fe settings.FieldErrors
		errors.As(err, &fe)
		r.st.Errors, r.st.LastAction = fe, action
		workflow.GetLogger(ctx).Info("setup action refused", "action", action, "step", prev.Step, "error", err)
		return r.st, setupapi.RefusalError(err)
	}
	if fx.Relink {
		// The new company gets a new setup (continue-as-new); this one stays submitted.
		r.stopSync(ctx, prev.Company.RealmID)
		r.linked = &next.Company
		return r.st, nil
	}
	r.st = next
	workflow.GetLogger(ctx).Info("setup action", "action", action, "step", r.st.Step, "paused", r.st.Paused)
	if fx.Save {
		r.saveDraft(ctx)
	}
	if fx.Submit {
		r.startSync(ctx)
	}
	r.upsertAttributes(ctx)
	return r.st, nil
}

// gather reads the facts an accepted action needs, and does what must succeed for it
// to count (storing submitted settings, revoking a cancelled connection), into next.
// An error refuses the action, naming the field it concerns.
func (r *setupRun) gather(ctx workflow.Context, next *setupapi.State, fx setupapi.Effects) error {
	ictx := workflow.WithActivityOptions(ctx, interactiveActivity)
	dctx := workflow.WithActivityOptions(ctx, durableActivity)
	scope := setupapi.Scope{FirmID: next.FirmID, RealmID: next.Company.RealmID}
	if fx.CheckConnection {
		var c setupapi.Company
		if err := workflow.ExecuteActivity(ictx, setupapi.CheckConnectionActivity, scope).Get(ctx, &c); err != nil {
			return fieldError("realm_id", "", err)
		}
		next.Company.Name = c.Name
	}
	if fx.LoadCatalog {
		var cat settings.Catalog
		if err := workflow.ExecuteActivity(ictx, setupapi.ListChoicesActivity, scope).Get(ctx, &cat); err != nil {
			return fieldError("mode", "QuickBooks' accounts and items could not be read, so they cannot be offered", err)
		}
		next.Catalog = &cat
		if next.Settings.Mode == settings.ModeDefault {
			// The defaults' new objects must neither clash with the company's names nor
			// take its accounts by name; the review shows the result.
			next.Settings = next.Settings.FitTo(next.FirmID, &cat)
		}
	}
	if fx.Preview {
		var p settings.Preview
		in := setupapi.PreviewInput{FirmID: next.FirmID, Settings: next.Settings}
		if err := workflow.ExecuteActivity(ictx, setupapi.PreviewActivity, in).Get(ctx, &p); err != nil {
			return fieldError("review", "the preview of the first sync could not be worked out", err)
		}
		next.Preview = &p
	}
	if fx.Submit {
		if err := workflow.ExecuteActivity(dctx, setupapi.SubmitActivity, record(*next)).Get(ctx, nil); err != nil {
			return fieldError(setupapi.ActionSubmit, "the settings could not be stored", err)
		}
	}
	if fx.Cancel {
		in := setupapi.CancelInput{FirmID: next.FirmID, SetupID: next.SetupID, RealmID: next.Company.RealmID}
		if err := workflow.ExecuteActivity(dctx, setupapi.CancelActivity, in).Get(ctx, nil); err != nil {
			return fieldError(setupapi.ActionCancel, "the QuickBooks connection could not be revoked", err)
		}
	}
	return nil
}

// record is the state as a settings row.
func record(st setupapi.State) settings.Record {
	return settings.Record{FirmID: st.FirmID, SetupID: st.SetupID, RealmID: st.Company.RealmID, CompanyName: st.Company.Name,
		Step: string(st.Step), Paused: st.Paused, Settings: st.Settings}
}

// saveDraft keeps the draft in PostgreSQL. It is retried until it succeeds: the
// action was accepted, and a draft that is not saved is a draft the firm loses.
func (r *setupRun) saveDraft(ctx workflow.Context) {
	dctx := workflow.WithActivityOptions(ctx, durableActivity)
	if err := workflow.ExecuteActivity(dctx, setupapi.SaveDraftActivity, record(r.st)).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("the setup's draft could not be saved", "error", err)
	}
}

// startSync starts the firm's SyncWorkflow as a child that outlives this workflow
// (ABANDON): the sync runs for as long as the firm is connected, this setup does not.
// If an operator started it already, it is left as it is.
func (r *setupRun) startSync(ctx workflow.Context) {
	id := syncapi.SyncWorkflowID(r.st.FirmID, r.st.Company.RealmID)
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:        id,
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			syncapi.FirmAttr.ValueSet(fmt.Sprint(r.st.FirmID)), syncapi.RealmAttr.ValueSet(r.st.Company.RealmID),
			syncapi.StatusAttr.ValueSet(syncapi.StatusRunning)),
	})
	child := workflow.ExecuteChildWorkflow(cctx, SyncWorkflow, syncapi.SyncInput{FirmID: r.st.FirmID, RealmID: r.st.Company.RealmID})
	err := child.GetChildWorkflowExecution().Get(ctx, nil)
	if err != nil && !temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		workflow.GetLogger(ctx).Error("the sync could not be started", "workflow_id", id, "error", err)
		r.st.Notice = fmt.Sprintf("The settings are submitted, but the sync could not be started (%v); qbosync's operator can start it for firm %d.", err, r.st.FirmID)
		return
	}
	r.st.SyncWorkflowID = id
}

// stopSync tells the sync of a company the firm no longer links to stop, with its
// disconnect signal: it ends at the next category boundary with status disconnected,
// rather than being cancelled in the middle of a write. A sync that is not running is
// fine.
func (r *setupRun) stopSync(ctx workflow.Context, realmID string) {
	id := syncapi.SyncWorkflowID(r.st.FirmID, realmID)
	if err := workflow.SignalExternalWorkflow(ctx, id, "", syncapi.DisconnectSignal, nil).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Info("the old company's sync was not running", "workflow_id", id, "error", err)
	}
}

// upsertAttributes sets the search attributes operators filter setups by, when they
// changed: each upsert is a history event.
func (r *setupRun) upsertAttributes(ctx workflow.Context) {
	key := fmt.Sprintf("%s/%s/%s", r.st.Step, r.st.Status(), r.st.Company.RealmID)
	if key == r.attrs {
		return
	}
	r.attrs = key
	err := workflow.UpsertTypedSearchAttributes(ctx,
		syncapi.FirmAttr.ValueSet(fmt.Sprint(r.st.FirmID)), syncapi.RealmAttr.ValueSet(r.st.Company.RealmID),
		syncapi.SetupStepAttr.ValueSet(string(r.st.Step)), syncapi.StatusAttr.ValueSet(r.st.Status()))
	if err != nil {
		workflow.GetLogger(ctx).Warn("search attributes not set", "error", err)
	}
}

// drain lets every action in flight finish and handles the signals that arrived but
// were not received yet, so that nothing is lost when the run ends or continues as new.
func (r *setupRun) drain(ctx workflow.Context) {
	for {
		_ = workflow.Await(ctx, func() bool { return r.busy == 0 && workflow.AllHandlersFinished(ctx) })
		pending := false
		for _, name := range setupapi.Actions {
			var a setupapi.Action
			for r.signals[name].ReceiveAsync(&a) {
				pending = true
				_, _ = r.handle(ctx, name, a)
				a = setupapi.Action{}
			}
		}
		if !pending && r.busy == 0 && workflow.AllHandlersFinished(ctx) {
			return
		}
	}
}

// fieldError turns an activity's failure into a refusal of the field it concerns.
func fieldError(field, what string, err error) error {
	msg := err.Error()
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		msg = appErr.Message()
	}
	if what != "" {
		msg = what + ": " + msg
	}
	return settings.FieldErrors{{Field: field, Message: msg}}
}
