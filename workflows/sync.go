package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/qbosync/qbosync/activities"
	"github.com/qbosync/qbosync/internal/syncer"
	"github.com/qbosync/qbosync/internal/temporalx"
)

// Names of the SyncWorkflow's messages.
const (
	SyncNowSignal   = "sync-now"
	SyncStatusQuery = "status"
)

// Sync statuses, also set as the QbosyncStatus search attribute.
const (
	StatusRunning        = "running"
	StatusIdle           = "idle"
	StatusNeedsReconnect = "needs_reconnect"
	StatusFailed         = "failed"
	StatusCompleted      = "completed"
)

// DefaultSweepInterval is how often an idle sync looks for changes by itself.
const DefaultSweepInterval = 5 * time.Minute

// SyncInput starts a firm's sync with one QuickBooks company.
type SyncInput struct {
	FirmID  int64  `json:"firm_id"`
	RealmID string `json:"realm_id"`
	// Once runs every category a single time and completes with the summary, instead
	// of keeping the company in sync.
	Once bool `json:"once,omitempty"`
	// SweepInterval is how long an idle sync waits before looking again (default 5m).
	SweepInterval time.Duration `json:"sweep_interval,omitempty"`
	// RetryFailed tries the failed items of every category again on the first cycle.
	RetryFailed bool `json:"retry_failed,omitempty"`
	// Cycles carries the count of cycles across continue-as-new.
	Cycles int `json:"cycles,omitempty"`
}

// SyncSummary is the state of a sync: the last result of each category.
type SyncSummary struct {
	FirmID     int64                           `json:"firm_id"`
	RealmID    string                          `json:"realm_id"`
	Status     string                          `json:"status"`
	Reason     string                          `json:"reason,omitempty"`
	Cycles     int                             `json:"cycles"`
	LastRunAt  time.Time                       `json:"last_run_at"`
	Categories []activities.SyncCategoryResult `json:"categories"`
}

// Failed counts the items that failed in the last cycle.
func (s SyncSummary) Failed() int {
	n := 0
	for _, c := range s.Categories {
		n += c.Failed
	}
	return n
}

// categoryActivity bounds one category run. The heartbeat timeout notices a dead
// worker within a minute; the run itself may take long on a large first sync.
var categoryActivity = workflow.ActivityOptions{
	StartToCloseTimeout: 2 * time.Hour,
	HeartbeatTimeout:    time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        2 * time.Minute,
		NonRetryableErrorTypes: []string{activities.ErrTypeNeedsReconnect, activities.ErrTypeBug},
	},
}

// SyncWorkflow keeps one firm's QuickBooks company in step with the practice system:
// it runs every category in dependency order, then waits for a sync-now signal or the
// sweep interval, and runs again; it continues as new when its history grows long.
func SyncWorkflow(ctx workflow.Context, in SyncInput) (SyncSummary, error) {
	if in.SweepInterval <= 0 {
		in.SweepInterval = DefaultSweepInterval
	}
	sum := SyncSummary{FirmID: in.FirmID, RealmID: in.RealmID, Cycles: in.Cycles}
	if err := workflow.SetQueryHandler(ctx, SyncStatusQuery, func() (SyncSummary, error) { return sum, nil }); err != nil {
		return sum, err
	}
	syncNow := workflow.GetSignalChannel(ctx, SyncNowSignal)
	setStatus := func(status, reason string) {
		if sum.Status == status {
			return
		}
		sum.Status, sum.Reason = status, reason
		// Upsert only on change: each upsert is a history event.
		_ = workflow.UpsertTypedSearchAttributes(ctx, temporalx.FirmAttr.ValueSet(fmt.Sprint(in.FirmID)),
			temporalx.RealmAttr.ValueSet(in.RealmID), temporalx.StatusAttr.ValueSet(status))
	}
	ctx = workflow.WithActivityOptions(ctx, categoryActivity)
	retryFailed := in.RetryFailed

	for {
		setStatus(StatusRunning, "")
		sum.Categories = sum.Categories[:0]
		for _, cat := range syncer.Categories {
			var res activities.SyncCategoryResult
			var a *activities.Activities
			err := workflow.ExecuteActivity(ctx, a.SyncCategory, activities.SyncCategoryInput{
				FirmID: in.FirmID, RealmID: in.RealmID, Category: cat.Name, RetryFailed: retryFailed,
			}).Get(ctx, &res)
			if err != nil {
				return stop(ctx, &sum, setStatus, err)
			}
			sum.Categories = append(sum.Categories, res)
		}
		retryFailed = false
		sum.Cycles++
		sum.LastRunAt = workflow.Now(ctx)
		if in.Once {
			setStatus(StatusCompleted, "")
			return sum, nil
		}

		setStatus(StatusIdle, "")
		timerCtx, cancelTimer := workflow.WithCancel(ctx)
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(syncNow, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil) })
		sel.AddFuture(workflow.NewTimer(timerCtx, in.SweepInterval), func(workflow.Future) {})
		sel.Select(ctx)
		cancelTimer()
		// Several sync-now signals while busy mean one more cycle, not one each.
		for syncNow.ReceiveAsync(nil) {
		}

		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			next := in
			next.Cycles, next.RetryFailed = sum.Cycles, false
			return sum, workflow.NewContinueAsNewError(ctx, SyncWorkflow, next)
		}
	}
}

// stop ends the workflow after a category failed for good, with a status operators see.
func stop(ctx workflow.Context, sum *SyncSummary, setStatus func(string, string), err error) (SyncSummary, error) {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == activities.ErrTypeNeedsReconnect {
		setStatus(StatusNeedsReconnect, appErr.Error())
	} else {
		setStatus(StatusFailed, err.Error())
	}
	workflow.GetLogger(ctx).Error("sync stopped", "status", sum.Status, "error", err)
	return *sum, err
}
