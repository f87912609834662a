// Package setupapi is the contract of a firm's SetupWorkflow, the setup wizard: its
// name and id, its steps and actions with their payload, its state and queries, how a
// refusal travels, and the wizard's rules themselves (Transition), which are plain Go:
// the workflow, its update validator, the web pages and the tests all use the same
// function, without Temporal.
package setupapi

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/qbosync/qbosync/internal/settings"
)

// SetupWorkflowName is the workflow type name, as registered by the worker.
const SetupWorkflowName = "SetupWorkflow"

// SetupWorkflowID is the id of a firm's setup wizard: one per firm at a time.
func SetupWorkflowID(firmID int64) string { return fmt.Sprintf("qbosync-setup-%d", firmID) }

// Input starts a firm's setup wizard, or carries one across continue-as-new.
type Input struct {
	FirmID int64 `json:"firm_id"`
	// State is the setup so far, when this run continues an earlier one.
	State *State `json:"state,omitempty"`
	// Linked is a company the firm connected after submitting an earlier setup: the
	// new setup starts with it, at the Choose mode step.
	Linked *Company `json:"linked,omitempty"`
}

// ErrTypeRefused is the application error type of a refused action (and of a wizard
// activity that refuses, such as a connection that is not there): its details are the
// settings.FieldErrors.
const ErrTypeRefused = "SetupRefused"

// RefusalError is how a refused action travels to the caller: an application error of
// type ErrTypeRefused whose details are the field errors (Refusal reads them back).
// Any other error is returned as it is.
func RefusalError(err error) error {
	var fe settings.FieldErrors
	if !errors.As(err, &fe) {
		return err
	}
	return temporal.NewApplicationErrorWithOptions(fe.Error(), ErrTypeRefused,
		temporal.ApplicationErrorOptions{NonRetryable: true, Details: []any{fe}})
}

// Refusal returns the field errors of a refused setup action, as a client of the
// workflow receives it (from an update, or from an activity of the wizard).
func Refusal(err error) (settings.FieldErrors, bool) {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != ErrTypeRefused {
		return nil, false
	}
	var fe settings.FieldErrors
	if appErr.HasDetails() && appErr.Details(&fe) == nil && len(fe) > 0 {
		return fe, true
	}
	return settings.FieldErrors{{Field: "action", Message: appErr.Message()}}, true
}
