package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/store"
)

// Engine syncs one firm's categories into one QBO company.
type Engine struct {
	Store    *store.Store
	QBO      *qbo.Client
	Scope    store.Scope
	PageSize int
	Log      *slog.Logger
	// MatchExistingCustomers adopts a QBO customer that qbosync did not create when its
	// name (and e-mail, where both have one) match a client, instead of reporting a clash.
	MatchExistingCustomers bool
	// Progress and BackfillProgress, if set, are called after each page with the cursor
	// reached (the activity heartbeats it).
	Progress         func(pms.Cursor, Counts)
	BackfillProgress func(BackfillCursor, Counts)
}

// Counts are what a category run did, item by item.
type Counts struct {
	Changes   int `json:"changes"` // feed rows (or, in a backfill, records) read
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Adopted   int `json:"adopted"`
	Unchanged int `json:"unchanged"`
	Failed    int `json:"failed"`
}

// Plus returns the sum of two Counts.
func (c Counts) Plus(d Counts) Counts {
	return Counts{
		Changes: c.Changes + d.Changes, Created: c.Created + d.Created, Updated: c.Updated + d.Updated,
		Adopted: c.Adopted + d.Adopted, Unchanged: c.Unchanged + d.Unchanged, Failed: c.Failed + d.Failed,
	}
}

func (c *Counts) add(action string) {
	switch action {
	case store.ActionCreated:
		c.Created++
	case store.ActionUpdated:
		c.Updated++
	case store.ActionAdopted:
		c.Adopted++
	case store.ActionUnchanged:
		c.Unchanged++
	case store.ActionFailed:
		c.Failed++
	}
}

// Category is one kind of practice data and how to sync a page of its changes.
type Category struct {
	Name     string
	Entities []string // change-feed entities it reads
	// syncPage handles the changed records of one page. retry lists failed items to
	// try again alongside.
	syncPage func(ctx context.Context, e *Engine, changes []pms.Change, counts *Counts) error
	// prepare, if set, runs at the start of every run, changes or not (the ledger makes
	// sure the objects the settings name exist).
	prepare func(ctx context.Context, e *Engine, changes []pms.Change, counts *Counts) error
}

// Categories in dependency order: later categories refer to objects earlier ones create.
//
// A running SyncWorkflow keeps the list it started with: workflows/categories.go
// versions the list, and a new category must be added there too.
var Categories = []Category{
	// The ledger's prepare step covers every object the settings name, changed or not;
	// its feed (bank account changes) only needs to be read past.
	{Name: "ledger", Entities: []string{pms.EntityBankAccount}, prepare: syncLedger, syncPage: readPast},
	{Name: "contacts", Entities: []string{pms.EntityClient, pms.EntityMatter}, syncPage: syncContactsPage},
}

// readPast is the page handler of a category whose prepare step does all its work.
func readPast(context.Context, *Engine, []pms.Change, *Counts) error { return nil }

// CategoryNamed returns the category called name.
func CategoryNamed(name string) (Category, error) {
	i := slices.IndexFunc(Categories, func(c Category) bool { return c.Name == name })
	if i < 0 {
		names := make([]string, len(Categories))
		for j, c := range Categories {
			names[j] = c.Name
		}
		return Category{}, fmt.Errorf("unknown category %q (known: %v)", name, names)
	}
	return Categories[i], nil
}

// Run syncs everything in the category's feed since its cursor. With retryFailed, the
// category's failed items are tried again first.
func (e *Engine) Run(ctx context.Context, cat Category, retryFailed bool) (Counts, error) {
	var counts Counts
	unlock, err := e.lockCompany(ctx)
	if err != nil {
		return counts, err
	}
	defer unlock()
	if cat.prepare != nil {
		if err := cat.prepare(ctx, e, nil, &counts); err != nil {
			return counts, err
		}
	}
	if retryFailed {
		if err := e.retryFailed(ctx, cat, &counts); err != nil {
			return counts, err
		}
	}
	cur, err := e.Store.Cursor(ctx, e.Scope, cat.Name)
	if err != nil {
		return counts, err
	}
	for {
		changes, err := pms.ReadChanges(ctx, e.Store.DB(), e.Scope.FirmID, cat.Entities, cur, e.PageSize)
		if err != nil {
			return counts, err
		}
		if len(changes) == 0 {
			return counts, nil
		}
		if err := cat.syncPage(ctx, e, changes, &counts); err != nil {
			return counts, err
		}
		counts.Changes += len(changes)
		cur = changes[len(changes)-1].Cursor
		if err := e.Store.SaveCursor(ctx, e.Scope, cat.Name, cur); err != nil {
			return counts, err
		}
		if e.Progress != nil {
			e.Progress(cur, counts)
		}
	}
}

// retryFailed feeds the category's failed items through the page handler as if their
// records had just changed.
func (e *Engine) retryFailed(ctx context.Context, cat Category, counts *Counts) error {
	failed, err := e.Store.FailedItems(ctx, e.Scope, cat.Entities...)
	if err != nil {
		return err
	}
	var changes []pms.Change
	for _, f := range failed {
		var id int64
		if _, err := fmt.Sscan(f.SourceKey, &id); err != nil {
			return fmt.Errorf("failed item %s %q: %w", f.Kind, f.SourceKey, err)
		}
		changes = append(changes, pms.Change{Entity: f.Kind, EntityID: id, Op: "UPDATE"})
	}
	if len(changes) == 0 {
		return nil
	}
	return cat.syncPage(ctx, e, changes, counts)
}

// itemFailure is an error about one record: it is recorded, and the page goes on.
type itemFailure struct{ store.Failure }

func (f *itemFailure) Error() string { return f.Code + ": " + f.Message }

// asItemFailure turns err into an itemFailure if it is about the record itself (QBO
// refused its content, or a referenced object is gone), and returns nil otherwise.
func asItemFailure(err error) *itemFailure {
	if f, ok := errors.AsType[*itemFailure](err); ok {
		return f
	}
	if qe, ok := errors.AsType[*qbo.Error](err); ok {
		switch qe.Class {
		case qbo.Validation, qbo.NotFound:
			return &itemFailure{store.Failure{Code: qe.Code, Message: qe.Message + ": " + qe.Detail, Explanation: qe.Explanation()}}
		}
	}
	return nil
}

// settle records the outcome of one item. An item failure is recorded and swallowed;
// any other error is returned to stop the page.
func (e *Engine) settle(ctx context.Context, kind, key, label, action string, err error, counts *Counts) error {
	if err == nil {
		counts.add(action)
		return e.Store.RecordSuccess(ctx, e.Scope, kind, key, label, action)
	}
	if f := asItemFailure(err); f != nil {
		counts.add(store.ActionFailed)
		e.Log.Info("item failed", "kind", kind, "key", key, "code", f.Code)
		return e.Store.RecordFailure(ctx, e.Scope, kind, key, label, f.Failure)
	}
	return err
}
