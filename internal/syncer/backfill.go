package syncer

import (
	"context"
	"errors"

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
	ctx, unlock, err := e.lockCompany(ctx, cat.lane())
	if err != nil {
		return counts, from, false, err
	}
	defer unlock()
	if cat.prepare != nil {
		if err := cat.prepare(ctx, e, nil, &counts); err != nil {
			return counts, from, false, err
		}
	}
	cur, err := e.backfillPages(ctx, cat, f, from, budget, &counts)
	return counts, cur, err == nil && cur.Entity >= len(cat.Entities), err
}

// backfillPages brings the category's records selected by f from the cursor on, a page
// at a time with pages in flight (pipeline.go), until about budget records are read or
// none are left, and returns the cursor of the last page landed.
func (e *Engine) backfillPages(ctx context.Context, cat Category, f pms.BackfillFilter, from BackfillCursor, budget int, counts *Counts) (BackfillCursor, error) {
	pl := e.pipeline(ctx, cat)
	defer pl.cancel()
	landed, read, records := from, from, 0
	for read.Entity < len(cat.Entities) && records < budget {
		page, err := pms.BackfillIDs(ctx, e.Store.DB(), e.Scope.FirmID, cat.Entities[read.Entity], f, read.ID, min(e.PageSize, budget-records))
		if err != nil {
			return landed, errors.Join(err, pl.drain())
		}
		if len(page) == 0 {
			read = BackfillCursor{Entity: read.Entity + 1}
			continue
		}
		records += len(page)
		read.ID = page[len(page)-1].EntityID
		at := read
		err = pl.add(page, func(c Counts) error {
			c.Changes = len(page)
			*counts = counts.Plus(c)
			landed = at
			if e.BackfillProgress != nil {
				e.BackfillProgress(landed, *counts)
			}
			return nil
		})
		if err != nil {
			return landed, err
		}
	}
	if err := pl.drain(); err != nil {
		return landed, err
	}
	return read, nil
}
