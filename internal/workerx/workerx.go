// Package workerx builds the Temporal worker with every qbosync workflow and activity
// registered. The worker binary runs it; integration tests run the same one in-process.
package workerx

import (
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/qbosync/qbosync/activities"
	"github.com/qbosync/qbosync/internal/app"
	"github.com/qbosync/qbosync/workflows"
)

// New returns a worker on the configured task queue, not yet started.
func New(c client.Client, a *app.App) worker.Worker {
	w := worker.New(c, a.Config.Temporal.TaskQueue, worker.Options{})
	Register(w, &activities.Activities{
		Store: a.Store, QBO: a.QBO, PageSize: a.Config.Sync.PageSize, Log: a.Log,
	})
	return w
}

// Register registers the workflows and the activities on r.
func Register(r worker.Registry, acts *activities.Activities) {
	r.RegisterWorkflow(workflows.SyncWorkflow)
	r.RegisterWorkflow(workflows.BackfillWorkflow)
	r.RegisterActivity(acts)
}
