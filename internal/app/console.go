package app

import (
	"context"

	"go.temporal.io/sdk/client"

	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// Console is the firm's console's view of its sync (web.Console): the SyncWorkflow's
// status query and signals, and the failed items the store keeps. It is the same
// source of truth the operator's CLI reads.
type Console struct {
	Store    *store.Store
	Temporal client.Client
}

// Status is the firm's sync's status query.
func (c *Console) Status(ctx context.Context, firmID int64) (syncapi.Summary, error) {
	conn, err := c.Store.LiveConnection(ctx, firmID)
	if err != nil {
		return syncapi.Summary{}, err
	}
	v, err := c.Temporal.QueryWorkflow(ctx, syncapi.SyncWorkflowID(firmID, conn.RealmID), "", syncapi.StatusQuery)
	if err != nil {
		return syncapi.Summary{}, err
	}
	var sum syncapi.Summary
	return sum, v.Get(&sum)
}

// FailedItems lists the firm's records whose latest attempt failed.
func (c *Console) FailedItems(ctx context.Context, firmID int64) ([]syncapi.FailedItem, error) {
	conn, err := c.Store.LiveConnection(ctx, firmID)
	if err != nil {
		return nil, err
	}
	items, err := c.Store.FailedItems(ctx, store.Scope{FirmID: firmID, RealmID: conn.RealmID})
	if err != nil {
		return nil, err
	}
	out := make([]syncapi.FailedItem, len(items))
	for i, it := range items {
		out[i] = syncapi.FailedItem{Kind: it.Kind, Key: it.SourceKey, Label: it.Label, Code: it.ErrorCode, Message: it.ErrorMessage,
			Explanation: it.Explanation, Attempts: it.Attempts, LastAttemptAt: it.LastAttemptAt}
	}
	return out, nil
}

// Signal sends the firm's running sync one of its signals.
func (c *Console) Signal(ctx context.Context, firmID int64, signal string) error {
	conn, err := c.Store.LiveConnection(ctx, firmID)
	if err != nil {
		return err
	}
	return c.Temporal.SignalWorkflow(ctx, syncapi.SyncWorkflowID(firmID, conn.RealmID), "", signal, nil)
}
