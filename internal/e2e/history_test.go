package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
)

// recordHistory saves a finished run's history as workflows/testdata/<name>.json when
// QBOSYNC_RECORD_HISTORIES=1. The replay tests in package workflows replay every such
// file against today's workflow code, so a change that would break running workflows
// fails CI. Record a new file (never overwrite an old one) when a workflow changes shape.
func recordHistory(t *testing.T, c client.Client, run client.WorkflowRun, name string) {
	t.Helper()
	if os.Getenv("QBOSYNC_RECORD_HISTORIES") != "1" {
		return
	}
	ctx := context.Background()
	iter := c.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID(), false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var h historypb.History
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, e)
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(&h)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join("..", "..", "workflows", "testdata", name+".json")
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d events to %s", len(h.Events), file)
}
