package syncer

import (
	"context"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// BackfillCursor is where a category's backfill stands: which of its entities, and the
// last record id handled.
type BackfillCursor = syncapi.BackfillCursor

// BackfillTotal counts the records a backfill of the category will handle.
func (e *Engine) BackfillTotal(ctx context.Context, cat Category, f pms.BackfillFilter) (int, error) {
	total := 0
	for _, entity := range cat.Entities {
		n, err := pms.BackfillCount(ctx, e.Store.DB(), e.Scope.FirmID, entity, f)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// Backfill syncs the category's records selected by f, from the cursor on, as if each
// had just changed, until about budget records are handled or none are left. It
// returns the cursor reached and whether the category is done. Entities go in the
// category's order (clients before matters), so references resolve.
func (e *Engine) Backfill(ctx context.Context, cat Category, f pms.BackfillFilter, from BackfillCursor, budget int) (Counts, BackfillCursor, bool, error) {
	var counts Counts
	e.backfilling = &f
	defer func() { e.backfilling = nil }()
	ctx, unlock, err := e.lockCompany(ctx)
	if err != nil {
		return counts, from, false, err
	}
	defer unlock()
	if cat.prepare != nil {
		if err := cat.prepare(ctx, e, nil, &counts); err != nil {
			return counts, from, false, err
		}
	}
	cur := from
	for cur.Entity < len(cat.Entities) {
		if counts.Changes >= budget {
			return counts, cur, false, nil
		}
		page, err := pms.BackfillIDs(ctx, e.Store.DB(), e.Scope.FirmID, cat.Entities[cur.Entity], f, cur.ID, min(e.PageSize, budget-counts.Changes))
		if err != nil {
			return counts, cur, false, err
		}
		if len(page) == 0 {
			cur = BackfillCursor{Entity: cur.Entity + 1}
			continue
		}
		if err := cat.syncPage(ctx, e, page, &counts); err != nil {
			return counts, cur, false, err
		}
		counts.Changes += len(page)
		cur.ID = page[len(page)-1].EntityID
		if e.BackfillProgress != nil {
			e.BackfillProgress(cur, counts)
		}
	}
	return counts, cur, true, nil
}
