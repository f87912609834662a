package workflows

import (
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/qbosync/qbosync/workflows/syncapi"
)

// backfillBudget is how many records one activity handles before it reports back: a
// checkpoint in history and a progress step, every few seconds.
const backfillBudget = 500

var backfillActivity = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Minute,
	// Pages take well under a second; a worker that stops heartbeating for 15 s is gone,
	// and the chunk resumes elsewhere from its last heartbeat.
	HeartbeatTimeout: 15 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        time.Minute,
		NonRetryableErrorTypes: []string{syncapi.ErrTypeNeedsReconnect, syncapi.ErrTypeBug},
	},
}

// BackfillWorkflow brings a firm's existing records into QuickBooks, category by
// category in dependency order, in chunks that each record progress; it is a child of
// the firm's SyncWorkflow, which runs no other writes meanwhile.
func BackfillWorkflow(ctx workflow.Context, in syncapi.BackfillInput) (syncapi.BackfillProgress, error) {
	p := syncapi.BackfillProgress{}
	if in.Progress != nil {
		p = *in.Progress
	}
	if p.StartedAt.IsZero() {
		// Not a command: runs recorded before it replay unchanged.
		p.StartedAt = workflow.Now(ctx)
	}
	if len(p.Categories) == 0 {
		for _, cat := range categoriesFor(ctx) {
			p.Categories = append(p.Categories, syncapi.CategoryProgress{Category: cat})
		}
	}
	if err := workflow.SetQueryHandler(ctx, syncapi.BackfillProgressQuery, func() (syncapi.BackfillProgress, error) { return p, nil }); err != nil {
		return p, err
	}
	ctx = workflow.WithActivityOptions(ctx, backfillActivity)
	if countsFirst(ctx) {
		for i := range p.Categories {
			if err := countBackfill(ctx, in, &p.Categories[i]); err != nil {
				return p, err
			}
		}
	}
	for i := range p.Categories {
		c := &p.Categories[i]
		req := syncapi.BackfillChunkInput{FirmID: in.FirmID, RealmID: in.RealmID, Category: c.Category, Filter: in.Filter, Budget: backfillBudget}
		if err := countBackfill(ctx, in, c); err != nil {
			return p, err
		}
		recordProgress(ctx, in.FirmID, *c)
		for !c.Done {
			req.From = c.Cursor
			var res syncapi.BackfillChunkResult
			if err := workflow.ExecuteActivity(ctx, syncapi.BackfillChunkActivity, req).Get(ctx, &res); err != nil {
				return p, err
			}
			c.Counts = c.Counts.Plus(res.Counts)
			c.Cursor, c.Done = res.Cursor, res.Done
			p.UpdatedAt = workflow.Now(ctx)
			recordProgress(ctx, in.FirmID, *c)
			if !c.Done && workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
				next := in
				next.Progress = &p
				return p, workflow.NewContinueAsNewError(ctx, BackfillWorkflow, next)
			}
		}
	}
	p.Done = true
	return p, nil
}

// countsFirst says whether the backfill counts every category's records before it
// handles any (version 1 of "backfill-count-first"), so that its progress is of the
// whole from the start (the console's bar and estimate of the time left); runs
// recorded before counted each category as it began.
func countsFirst(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, "backfill-count-first", workflow.DefaultVersion, 1) >= 1
}

// countBackfill counts a category's records, once.
func countBackfill(ctx workflow.Context, in syncapi.BackfillInput, c *syncapi.CategoryProgress) error {
	if c.Started {
		return nil
	}
	req := syncapi.BackfillChunkInput{FirmID: in.FirmID, RealmID: in.RealmID, Category: c.Category, Filter: in.Filter, Budget: backfillBudget}
	if err := workflow.ExecuteActivity(ctx, syncapi.CountBackfillActivity, req).Get(ctx, &c.Total); err != nil {
		return err
	}
	c.Started = true
	return nil
}

// recordProgress sets a category's backfill progress on the worker's metrics: the
// records it handles in all and those done. The workflow's metrics handler records
// nothing while replaying and adds nothing to the history, so this needs no version.
func recordProgress(ctx workflow.Context, firm int64, c syncapi.CategoryProgress) {
	h := workflow.GetMetricsHandler(ctx).WithTags(map[string]string{
		"firm": strconv.FormatInt(firm, 10), "category": c.Category,
	})
	h.Gauge("qbosync_backfill_records").Update(float64(c.Total))
	h.Gauge("qbosync_backfill_records_done").Update(float64(c.Changes))
}
