package workflows_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/syncer"
	"github.com/qbosync/qbosync/workflows"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// newBackfillEnv is a test environment whose backfill activities pretend each category
// has total records and hand them out in chunks of the requested budget, from the
// cursor each chunk is given. It returns the environment and the chunk counter.
func newBackfillEnv(t *testing.T, total int) (*testsuite.TestWorkflowEnvironment, *int) {
	env := newEnv(t)
	env.RegisterWorkflow(workflows.BackfillWorkflow)
	chunks := new(int)
	env.OnActivity(acts.CountBackfill, mock.Anything, mock.Anything).Return(
		func(context.Context, syncapi.BackfillChunkInput) (int, error) { return total, nil })
	env.OnActivity(acts.BackfillChunk, mock.Anything, mock.Anything).Return(func(_ context.Context, in syncapi.BackfillChunkInput) (syncapi.BackfillChunkResult, error) {
		*chunks++
		start := int(in.From.ID)
		n := min(in.Budget, total-start)
		return syncapi.BackfillChunkResult{
			Category: in.Category,
			Counts:   syncer.Counts{Changes: n, Created: n},
			Cursor:   syncer.BackfillCursor{ID: int64(start + n)},
			Done:     start+n == total,
		}, nil
	})
	return env, chunks
}

func TestBackfillRunsEveryCategoryInChunksAndReportsProgress(t *testing.T) {
	env, chunks := newBackfillEnv(t, 1234)
	env.ExecuteWorkflow(workflows.BackfillWorkflow, syncapi.BackfillInput{FirmID: 1, RealmID: "r"})

	var p syncapi.BackfillProgress
	if err := env.GetWorkflowResult(&p); err != nil {
		t.Fatal(err)
	}
	done, total := p.Handled()
	if !p.Done || done != 1234*len(syncer.Categories) || total != done {
		t.Errorf("progress %d of %d, done %v", done, total, p.Done)
	}
	if want := 3 * len(syncer.Categories); *chunks != want { // 500 + 500 + 234
		t.Errorf("%d chunks, want %d", *chunks, want)
	}
}

func TestBackfillContinuesAsNewCarryingProgress(t *testing.T) {
	env, _ := newBackfillEnv(t, 1234)
	env.SetContinueAsNewSuggested(true)

	env.ExecuteWorkflow(workflows.BackfillWorkflow, syncapi.BackfillInput{FirmID: 1, RealmID: "r"})

	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("want continue-as-new, got %v", err)
	}
	var next syncapi.BackfillInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	c := next.Progress.Categories[0]
	if !c.Started || c.Total != 1234 || c.Cursor.ID != 500 || c.Changes != 500 || c.Done {
		t.Errorf("carried progress = %+v", c)
	}
}

func TestSyncRunsARequestedBackfillAsAChildThenACycle(t *testing.T) {
	env := newEnv(t)
	env.RegisterWorkflow(workflows.BackfillWorkflow)
	var order []string
	env.OnWorkflow(workflows.BackfillWorkflow, mock.Anything, mock.Anything).Return(
		func(_ workflow.Context, in syncapi.BackfillInput) (syncapi.BackfillProgress, error) {
			order = append(order, "backfill since "+in.Filter.Since.Format(time.DateOnly))
			return syncapi.BackfillProgress{Done: true}, nil
		})
	env.OnActivity(acts.SyncCategory, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in syncapi.SyncCategoryInput) (syncapi.CategoryResult, error) {
			order = append(order, "cycle")
			return syncapi.CategoryResult{Category: in.Category}, nil
		})
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(syncapi.BackfillSignal, pms.BackfillFilter{Since: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC), Unpaid: true})
	}, time.Minute)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(syncapi.DisconnectSignal, nil) }, 2*time.Minute)

	env.ExecuteWorkflow(workflows.SyncWorkflow, syncapi.SyncInput{FirmID: 1, RealmID: "r", SweepInterval: time.Hour})

	var sum syncapi.Summary
	if err := env.GetWorkflowResult(&sum); err != nil {
		t.Fatal(err)
	}
	n := len(syncer.Categories)
	if len(order) != 2*n+1 || order[n] != "backfill since 2025-07-01" {
		t.Fatalf("order = %v: want a cycle, the backfill, then a cycle", order)
	}
	if sum.Backfill == nil || !sum.Backfill.Done {
		t.Errorf("summary does not report the backfill: %+v", sum.Backfill)
	}
}

// A backfill counts every category before it handles any (version 1 of
// "backfill-count-first"), so that its progress is of the whole from the first chunk,
// and it says when it started and last moved, for the console's rate.
func TestBackfillCountsEveryCategoryFirst(t *testing.T) {
	env := newEnv(t)
	env.RegisterWorkflow(workflows.BackfillWorkflow)
	var order []string
	env.OnActivity(acts.CountBackfill, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in syncapi.BackfillChunkInput) (int, error) {
			order = append(order, "count "+in.Category)
			return 10, nil
		})
	env.OnActivity(acts.BackfillChunk, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in syncapi.BackfillChunkInput) (syncapi.BackfillChunkResult, error) {
			order = append(order, "chunk "+in.Category)
			return syncapi.BackfillChunkResult{Category: in.Category, Counts: syncer.Counts{Changes: 10, Unchanged: 10}, Done: true}, nil
		})
	env.ExecuteWorkflow(workflows.BackfillWorkflow, syncapi.BackfillInput{FirmID: 1, RealmID: "r"})

	var p syncapi.BackfillProgress
	if err := env.GetWorkflowResult(&p); err != nil {
		t.Fatal(err)
	}
	n := len(syncer.Categories)
	if len(order) != 2*n || order[n-1] != "count "+syncer.Categories[n-1].Name || order[n] != "chunk "+syncer.Categories[0].Name {
		t.Errorf("order = %v: want every count, then the chunks", order)
	}
	if p.StartedAt.IsZero() || p.UpdatedAt.Before(p.StartedAt) {
		t.Errorf("started %v, updated %v", p.StartedAt, p.UpdatedAt)
	}
}
