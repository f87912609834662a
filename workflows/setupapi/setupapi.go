// Package setupapi is the contract of a firm's SetupWorkflow (the setup wizard): its
// name and id. The wizard's web server and the starter need it to start the setup,
// act on it and read its state.
package setupapi

import "fmt"

// SetupWorkflowName is the workflow type name, as registered by the worker.
const SetupWorkflowName = "SetupWorkflow"

// SetupWorkflowID is the id of a firm's setup wizard: one per firm at a time.
func SetupWorkflowID(firmID int64) string { return fmt.Sprintf("qbosync-setup-%d", firmID) }
