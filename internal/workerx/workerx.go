// Package workerx builds the Temporal worker with every qbosync workflow and activity
// registered. The worker binary runs it; integration tests run the same one in-process.
package workerx

import (
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/qbosync/qbosync/activities"
	"github.com/qbosync/qbosync/internal/app"
	"github.com/qbosync/qbosync/workflows"
	"github.com/qbosync/qbosync/workflows/setupapi"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// New returns a worker on the configured task queue, not yet started.
func New(c client.Client, a *app.App) worker.Worker {
	w := worker.New(c, a.Config.Temporal.TaskQueue, worker.Options{})
	Register(w, &activities.Activities{
		Store: a.Store, QBO: a.QBO, PageSize: a.Config.Sync.PageSize, Log: a.Log, Metrics: a.Metrics,
	}, WithRevoke(activities.RevokeEndpoint{
		URL: a.Config.QBO.RevokeURL, ClientID: a.Config.QBO.ClientID, ClientSecret: a.Config.QBO.ClientSecret,
	}))
	return w
}

// Option configures what Register registers.
type Option func(*activities.Setup)

// WithRevoke tells the setup wizard's activities where to revoke the QuickBooks grant
// of a cancelled setup. Without it, cancelling a connected setup fails as a bug.
func WithRevoke(e activities.RevokeEndpoint) Option {
	return func(s *activities.Setup) { s.Revoke = e }
}

// Register registers the workflows and the activities on r.
func Register(r worker.Registry, acts *activities.Activities, opts ...Option) {
	// Registered under their contracts' names, which starters use to start them.
	r.RegisterWorkflowWithOptions(workflows.SyncWorkflow, workflow.RegisterOptions{Name: syncapi.SyncWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.BackfillWorkflow, workflow.RegisterOptions{Name: syncapi.BackfillWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.SetupWorkflow, workflow.RegisterOptions{Name: setupapi.SetupWorkflowName})
	r.RegisterActivity(acts)
	setup := &activities.Setup{Store: acts.Store, QBO: acts.QBO, Log: acts.Log}
	for _, o := range opts {
		o(setup)
	}
	r.RegisterActivity(setup)
}
