package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/qbosync/qbosync/internal/preview"
	"github.com/qbosync/qbosync/internal/settings"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/internal/web"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// Console is the firm's console's view of its sync (web.Console): the SyncWorkflow's
// status query and signals, the BackfillWorkflow's progress query, and what the store
// keeps (failed items, the latest reconciliation, the connection). It is the same
// source of truth the operator's CLI reads.
type Console struct {
	Store    *store.Store
	Temporal client.Client
	// TaskQueue is where a sync is started again after the firm reconnects QuickBooks.
	TaskQueue string
}

var _ web.Console = (*Console)(nil)

// scope is the firm's live connection's scope.
func (c *Console) scope(ctx context.Context, firmID int64) (store.Scope, error) {
	conn, err := c.Store.LiveConnection(ctx, firmID)
	return store.Scope{FirmID: firmID, RealmID: conn.RealmID}, err
}

// Status is the firm's sync's status query.
func (c *Console) Status(ctx context.Context, firmID int64) (syncapi.Summary, error) {
	sc, err := c.scope(ctx, firmID)
	if err != nil {
		return syncapi.Summary{}, err
	}
	var sum syncapi.Summary
	return sum, query(ctx, c.Temporal, syncapi.SyncWorkflowID(firmID, sc.RealmID), syncapi.StatusQuery, &sum)
}

func query(ctx context.Context, t client.Client, id, name string, into any) error {
	v, err := t.QueryWorkflow(ctx, id, "", name)
	if err != nil {
		return err
	}
	return v.Get(into)
}

// FailedItems lists the firm's records whose latest attempt failed.
func (c *Console) FailedItems(ctx context.Context, firmID int64) ([]syncapi.FailedItem, error) {
	sc, err := c.scope(ctx, firmID)
	if err != nil {
		return nil, err
	}
	items, err := c.Store.FailedItems(ctx, sc)
	if err != nil {
		return nil, err
	}
	out := make([]syncapi.FailedItem, len(items))
	for i, it := range items {
		out[i] = syncapi.FailedItem{Kind: it.Kind, Key: it.SourceKey, Label: it.Label, Code: it.ErrorCode, Message: it.ErrorMessage,
			Explanation: it.Explanation, Attempts: it.Attempts, LastAttemptAt: it.LastAttemptAt, RetryRequested: it.RetryRequested}
	}
	return out, nil
}

// Signal sends the firm's running sync one of its signals.
func (c *Console) Signal(ctx context.Context, firmID int64, signal string) error {
	return c.signal(ctx, firmID, signal, nil)
}

func (c *Console) signal(ctx context.Context, firmID int64, signal string, arg any) error {
	sc, err := c.scope(ctx, firmID)
	if err != nil {
		return err
	}
	return c.Temporal.SignalWorkflow(ctx, syncapi.SyncWorkflowID(firmID, sc.RealmID), "", signal, arg)
}

// RetryItem marks one failed record to be tried again and wakes the sync, whose next
// cycle runs that record's category (the sync-now signal; the request waits in the
// store until a cycle takes it up, so a sync that is busy or paused loses nothing).
func (c *Console) RetryItem(ctx context.Context, firmID int64, kind, key string) error {
	sc, err := c.scope(ctx, firmID)
	if err != nil {
		return err
	}
	err = c.Store.RequestRetry(ctx, sc, kind, key)
	if errors.Is(err, store.ErrNoSuchFailure) {
		return web.ErrNoSuchFailure
	}
	if err != nil {
		return err
	}
	return c.signal(ctx, firmID, syncapi.SyncNowSignal, nil)
}

// Records counts the firm's records by kind and latest outcome.
func (c *Console) Records(ctx context.Context, firmID int64) ([]web.KindRecords, error) {
	sc, err := c.scope(ctx, firmID)
	if err != nil {
		return nil, err
	}
	outcomes, err := c.Store.Outcomes(ctx, sc)
	out := make([]web.KindRecords, len(outcomes))
	for i, o := range outcomes {
		out[i] = web.KindRecords(o)
	}
	return out, err
}

// Books is the latest reconciliation the sync saved, or nil before the first.
func (c *Console) Books(ctx context.Context, firmID int64) (*web.BooksReport, error) {
	sc, err := c.scope(ctx, firmID)
	if err != nil {
		return nil, err
	}
	saved, err := c.Store.LatestReconciliation(ctx, sc)
	if errors.Is(err, store.ErrNoReconciliation) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	b := &web.BooksReport{CheckedAt: saved.CheckedAt}
	if err := json.Unmarshal(saved.Report, &b.Report); err != nil {
		return nil, fmt.Errorf("the saved reconciliation: %w", err)
	}
	return b, nil
}

// Company is the firm's live QuickBooks connection.
func (c *Console) Company(ctx context.Context, firmID int64) (web.Company, error) {
	conn, err := c.Store.LiveConnection(ctx, firmID)
	if err != nil {
		return web.Company{}, err
	}
	_, err = c.Store.SubmittedSettings(ctx, firmID, conn.RealmID)
	if err != nil && !errors.Is(err, store.ErrNoSettings) {
		return web.Company{}, err
	}
	return web.Company{RealmID: conn.RealmID, Name: conn.CompanyName, Status: conn.Status, Reason: conn.StatusReason, Submitted: err == nil}, nil
}

// PreviewBackfill works out what a backfill would bring, as the setup's review page
// does for the first sync: the firm's submitted settings with the backfill's start
// date and unpaid-invoices choice.
func (c *Console) PreviewBackfill(ctx context.Context, firmID int64, f syncapi.BackfillFilter) (settings.Preview, error) {
	sc, err := c.scope(ctx, firmID)
	if err != nil {
		return settings.Preview{}, err
	}
	rec, err := c.Store.SubmittedSettings(ctx, firmID, sc.RealmID)
	if err != nil {
		return settings.Preview{}, err
	}
	s := rec.Settings
	s.SyncOptions.StartDate, s.SyncOptions.SyncAllUnpaidInvoices = f.Since.Format("2006-01-02"), f.Unpaid
	p, err := preview.Compute(ctx, c.Store.DB(), firmID, s)
	// The accounts and items the settings create were made by the first sync: a
	// backfill brings records, not them.
	p.Lines = slices.DeleteFunc(p.Lines, func(l settings.PreviewLine) bool {
		return l.Entity == settings.EntityAccount || l.Entity == settings.EntityItem
	})
	return p, err
}

// StartBackfill asks the firm's sync to run a backfill (its backfill signal, as
// `starter backfill` sends it).
func (c *Console) StartBackfill(ctx context.Context, firmID int64, f syncapi.BackfillFilter) error {
	return c.signal(ctx, firmID, syncapi.BackfillSignal, f)
}

// Backfill is the firm's latest backfill: its progress query, while it runs or after;
// nil when none ever ran.
func (c *Console) Backfill(ctx context.Context, firmID int64) (*web.BackfillRun, error) {
	sc, err := c.scope(ctx, firmID)
	if err != nil {
		return nil, err
	}
	id := syncapi.BackfillWorkflowID(firmID, sc.RealmID)
	d, err := c.Temporal.DescribeWorkflowExecution(ctx, id, "")
	if _, ok := errors.AsType[*serviceerror.NotFound](err); ok {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	run := &web.BackfillRun{Status: backfillStatus(d.GetWorkflowExecutionInfo().GetStatus())}
	if run.Status == web.BackfillDone {
		// Its result, read from history: a query of a closed run would replay it all
		// at every look.
		return run, c.Temporal.GetWorkflow(ctx, id, "").Get(ctx, &run.Progress)
	}
	return run, query(ctx, c.Temporal, id, syncapi.BackfillProgressQuery, &run.Progress)
}

func backfillStatus(s enums.WorkflowExecutionStatus) string {
	switch s {
	case enums.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return web.BackfillRunning
	case enums.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return web.BackfillDone
	}
	return web.BackfillStopped
}

// Restart starts the firm's sync again, as a new run, once its QuickBooks connection
// is mended: a sync that stopped for a reconnect does not come back by itself. A sync
// that is running is left as it is.
func (c *Console) Restart(ctx context.Context, firmID int64) error {
	sc, err := c.scope(ctx, firmID)
	if err != nil {
		return err
	}
	_, err = c.Temporal.ExecuteWorkflow(ctx, SyncStartOptions(c.TaskQueue, sc), syncapi.SyncWorkflowName,
		syncapi.SyncInput{FirmID: firmID, RealmID: sc.RealmID})
	return err
}

// SyncStartOptions are how a firm's continuous sync is started from outside a workflow
// (the starter, the console after a reconnect): its fixed id, its search attributes,
// and joining a run already under way instead of failing.
func SyncStartOptions(queue string, sc store.Scope) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:        syncapi.SyncWorkflowID(sc.FirmID, sc.RealmID),
		TaskQueue: queue,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			syncapi.FirmAttr.ValueSet(fmt.Sprint(sc.FirmID)), syncapi.RealmAttr.ValueSet(sc.RealmID),
			syncapi.StatusAttr.ValueSet(syncapi.StatusRunning)),
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}
}
