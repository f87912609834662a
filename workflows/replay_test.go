package workflows_test

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/qbosync/qbosync/workflows"
)

// TestReplayRecordedHistories replays every history recorded from a real server
// (internal/e2e records them with QBOSYNC_RECORD_HISTORIES=1) against today's workflow
// code. A change that would make running workflows fail with a non-determinism error
// fails here; guard such changes with workflow.GetVersion.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 {
		t.Fatalf("found %d recorded histories, want at least: one-shot sync, continuous sync, sync with backfill, backfill", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflow(workflows.SyncWorkflow)
			r.RegisterWorkflow(workflows.SetupWorkflow)
			r.RegisterWorkflow(workflows.BackfillWorkflow)
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, file); err != nil {
				t.Fatalf("replaying %s: %v", file, err)
			}
		})
	}
}
