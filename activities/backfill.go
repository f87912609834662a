package activities

import (
	"context"

	"go.temporal.io/sdk/temporal"

	"github.com/qbosync/qbosync/internal/app"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/internal/syncer"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// CountBackfill counts the records a category's backfill will handle, for progress.
func (a *Activities) CountBackfill(ctx context.Context, in syncapi.BackfillChunkInput) (int, error) {
	e, cat, err := a.engine(ctx, in.FirmID, in.RealmID, in.Category)
	if err != nil {
		return 0, err
	}
	n, err := e.BackfillTotal(ctx, cat, pms.BackfillFilter(in.Filter))
	if err != nil {
		return 0, classify(ctx, a.Store, e.Scope, err)
	}
	return n, nil
}

// BackfillChunk syncs the next chunk of a category's backfill. It heartbeats its cursor
// and counts after every page; a retry after the worker died resumes from the last
// heartbeat instead of the chunk's start (a record handled twice is harmless: the id map
// makes it unchanged, and writes are exactly-once).
func (a *Activities) BackfillChunk(ctx context.Context, in syncapi.BackfillChunkInput) (syncapi.BackfillChunkResult, error) {
	// A retry after the worker died picks up where the last heartbeat left off, with the
	// counts of what the dead attempt had done.
	res := resumed(ctx, syncapi.BackfillChunkResult{Category: in.Category, Cursor: in.From})
	prior := res.Counts
	e, cat, err := a.engine(ctx, in.FirmID, in.RealmID, in.Category)
	if err != nil {
		return res, err
	}
	hb := startHeartbeat(ctx, res)
	defer hb.stop()
	e.BackfillProgress = func(c syncer.BackfillCursor, n syncer.Counts) {
		hb.progress(syncapi.BackfillChunkResult{Category: in.Category, Counts: prior.Plus(n), Cursor: c})
	}
	counts, cur, done, err := e.Backfill(ctx, cat, pms.BackfillFilter(in.Filter), res.Cursor, in.Budget)
	res.Counts, res.Cursor, res.Done = prior.Plus(counts), cur, done
	if err != nil {
		return res, classify(ctx, a.Store, e.Scope, err)
	}
	return res, nil
}

// engine builds the sync engine for a firm's company and a category.
func (a *Activities) engine(ctx context.Context, firmID int64, realmID, category string) (*syncer.Engine, syncer.Category, error) {
	scope := store.Scope{FirmID: firmID, RealmID: realmID}
	cat, err := syncer.CategoryNamed(category)
	if err != nil {
		return nil, cat, temporal.NewNonRetryableApplicationError(err.Error(), syncapi.ErrTypeBug, err)
	}
	client, err := a.QBO.Client(ctx, firmID, realmID)
	if err != nil {
		return nil, cat, classify(ctx, a.Store, scope, err)
	}
	e := &syncer.Engine{
		Store: a.Store, QBO: client, Scope: scope, PageSize: a.PageSize,
		Log: app.ActivityLog(ctx, a.Log).With("firm", firmID, "realm", realmID, "category", category),
	}
	a.observe(e, category)
	return e, cat, nil
}
