package activities

import (
	"context"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/syncer"
)

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
