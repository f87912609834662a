package syncer

import (
	"context"
	"slices"

	"github.com/qbosync/qbosync/internal/store"
)

// Pending is what a category has to do, found without QuickBooks: whether its feed has
// changes past its cursor (a category that has never run has) or the firm asked for
// one of its failed items to be tried again, and how many of its items are failing,
// and of those waiting for another record.
type Pending struct {
	Category         string
	Changed          bool
	Failing, Waiting int
}

// PendingWork reads, in a few queries, what each category has to do, so that a sweep
// that finds nothing costs a firm one short activity instead of a run of every
// category.
func PendingWork(ctx context.Context, st *store.Store, sc store.Scope, cats []Category) ([]Pending, error) {
	failing, err := st.FailingByKind(ctx, sc, waitingPrefix)
	if err != nil {
		return nil, err
	}
	out := make([]Pending, 0, len(cats))
	for _, cat := range cats {
		p := Pending{Category: cat.Name}
		if p.Changed, err = st.HasWork(ctx, sc, cat.Name, cat.Entities); err != nil {
			return nil, err
		}
		for kind := range cat.kinds() {
			f := failing[kind]
			p.Failing += f.Failing
			p.Waiting += f.Waiting
			p.Changed = p.Changed || f.Requested > 0
		}
		out = append(out, p)
	}
	return out, nil
}

// FirmsWithWork lists the connected firms one of whose categories has changes past its
// cursor, for the worker's sweep (app.WakeSyncs): one query per category for every
// firm, instead of a timer and an activity per firm.
func FirmsWithWork(ctx context.Context, st *store.Store) ([]int64, error) {
	var out []int64
	for _, cat := range Categories {
		firms, err := st.FirmsWithChangesPast(ctx, cat.Name, cat.Entities)
		if err != nil {
			return nil, err
		}
		out = append(out, firms...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
