package activities

import (
	"context"
	"log/slog"

	"go.temporal.io/sdk/activity"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/syncer"
)

// activityLog is log with the running activity's workflow id and type, so that a log
// line leads to its workflow in Temporal Web. Outside an activity it is log.
func activityLog(ctx context.Context, log *slog.Logger) *slog.Logger {
	if !activity.IsActivity(ctx) {
		return log
	}
	info := activity.GetInfo(ctx)
	return log.With("workflow_id", info.WorkflowExecution.ID, "activity", info.ActivityType.Name)
}

// observe has the engine count every item's outcome in the process's metrics.
func (a *Activities) observe(e *syncer.Engine, category string) {
	if a.Metrics == nil {
		return
	}
	e.Settled = func(action, code string) { a.Metrics.ItemSettled(e.Scope.FirmID, category, action, code) }
}

// lagMeter returns what records the lag of each page the category's sync writes: the
// age of the changes between the previous page's cursor and this one's. The lag is a
// measurement: when it cannot be taken the sync goes on without it.
func (a *Activities) lagMeter(ctx context.Context, e *syncer.Engine, cat syncer.Category) func(pms.Cursor) {
	if a.Metrics == nil {
		return func(pms.Cursor) {}
	}
	last, err := a.Store.Cursor(ctx, e.Scope, cat.Name)
	if err != nil {
		e.Log.Warn("cannot measure the sync's lag", "error", err)
		return func(pms.Cursor) {}
	}
	return func(c pms.Cursor) {
		ages, err := pms.ChangeAges(ctx, a.Store.DB(), e.Scope.FirmID, cat.Entities, last, c)
		if err != nil {
			e.Log.Warn("cannot measure the sync's lag", "error", err)
			return
		}
		a.Metrics.Lag(cat.Name, ages)
		last = c
	}
}
