// Package web is the setup wizard's web side: server-rendered pages for each step, the
// review page with the preview of the first sync, a printable settings page, the
// QuickBooks sign-in (OAuth) callback, and a JSON API for a practice-management front
// end that draws the wizard itself. Every change goes to the firm's SetupWorkflow as an
// update, so a refused answer is shown at once, next to its field.
//
// A firm's user sees and changes only that firm's setup: every route takes the firm
// from a signed, expiring session (see Sessions), never from the URL.
package web

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/workflows/setupapi"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// Wizard drives firms' SetupWorkflows through Temporal: the web server and the
// starter's setup commands both use it.
type Wizard struct {
	Temporal  client.Client
	TaskQueue string
}

// ErrNoSetup means the firm has no setup to act on.
var ErrNoSetup = errors.New("the firm has no setup yet; start one (starter setup start, or open the wizard)")

// Refused is a refused action: the fields and what to do about each.
type Refused struct {
	Action string
	Fields settings.FieldErrors
}

func (r *Refused) Error() string { return r.Action + " refused: " + r.Fields.Error() }

// Start starts the firm's setup, or returns the one it has: a setup paused for weeks,
// or submitted, is the same setup. After a cancelled setup a new one starts.
func (w *Wizard) Start(ctx context.Context, firmID int64) (setupapi.State, error) {
	run, err := w.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       setupapi.SetupWorkflowID(firmID),
		TaskQueue:                w.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			syncapi.FirmAttr.ValueSet(strconv.FormatInt(firmID, 10)),
			syncapi.SetupStepAttr.ValueSet(string(setupapi.StepConnect))),
	}, setupapi.SetupWorkflowName, setupapi.Input{FirmID: firmID})
	if err != nil {
		return setupapi.State{}, fmt.Errorf("start the setup of firm %d: %w", firmID, err)
	}
	// A new setup first reads the firm's bank accounts; wait for them, or for the
	// reason it could not.
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	for {
		st, err := w.State(ctx, firmID)
		if err != nil || st.Loaded() {
			return st, err
		}
		// Waiting briefly for the run to end doubles as the pause between queries.
		wait, stop := context.WithTimeout(ctx, 100*time.Millisecond)
		err = run.Get(wait, nil)
		stop()
		switch {
		case ctx.Err() != nil:
			return st, fmt.Errorf("the setup of firm %d did not start within %s (is a worker running?)", firmID, startTimeout)
		case wait.Err() == nil:
			return st, fmt.Errorf("the setup of firm %d did not start: %w", firmID, err)
		}
	}
}

// startTimeout bounds how long Start waits for a new setup to read the firm.
const startTimeout = 30 * time.Second

// State returns the firm's setup as it stands.
func (w *Wizard) State(ctx context.Context, firmID int64) (setupapi.State, error) {
	var st setupapi.State
	return st, w.query(ctx, firmID, setupapi.StateQuery, &st)
}

// Summary returns the firm's settings as printable text.
func (w *Wizard) Summary(ctx context.Context, firmID int64) (string, error) {
	var s string
	return s, w.query(ctx, firmID, setupapi.SummaryQuery, &s)
}

func (w *Wizard) query(ctx context.Context, firmID int64, name string, out any) error {
	v, err := w.Temporal.QueryWorkflow(ctx, setupapi.SetupWorkflowID(firmID), "", name)
	if err != nil {
		return noSetup(err)
	}
	return v.Get(out)
}

// Act sends an action as an update and waits for its answer: the new state, or a
// *Refused naming the fields.
func (w *Wizard) Act(ctx context.Context, firmID int64, action string, a setupapi.Action) (setupapi.State, error) {
	var st setupapi.State
	h, err := w.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   setupapi.SetupWorkflowID(firmID),
		UpdateName:   action,
		Args:         []any{a},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, &st)
	}
	if fe, ok := setupapi.Refusal(err); ok {
		return st, &Refused{Action: action, Fields: fe}
	}
	if err != nil {
		return st, noSetup(err)
	}
	return st, nil
}

// Signal sends an action as a signal: it is not answered, and a refusal shows in the
// state's Errors.
func (w *Wizard) Signal(ctx context.Context, firmID int64, action string, a setupapi.Action) error {
	return noSetup(w.Temporal.SignalWorkflow(ctx, setupapi.SetupWorkflowID(firmID), "", action, a))
}

func noSetup(err error) error {
	if _, ok := errors.AsType[*serviceerror.NotFound](err); ok {
		return ErrNoSetup
	}
	return err
}
