package app

import (
	"context"
	"log/slog"

	"go.temporal.io/sdk/activity"
)

// ActivityLog is log with the running activity's workflow id and type, so that a log
// line leads to its workflow in Temporal Web. Outside an activity it is log.
func ActivityLog(ctx context.Context, log *slog.Logger) *slog.Logger {
	if !activity.IsActivity(ctx) {
		return log
	}
	info := activity.GetInfo(ctx)
	return log.With("workflow_id", info.WorkflowExecution.ID, "activity", info.ActivityType.Name)
}
