// Package workflows holds qbosync's Temporal workflows. Workflow code is deterministic:
// no I/O, no clocks but workflow.Now, no map iteration, no goroutines but workflow.Go.
// Side effects live in package activities. A change to a workflow that is running in
// production is guarded with workflow.GetVersion, and the replay tests in this package
// replay committed histories so that a breaking change fails CI.
package workflows
