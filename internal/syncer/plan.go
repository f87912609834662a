package syncer

import (
	"context"
	"maps"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/store"
)

// A category handles a page of changes in three steps, the same for every category
// (page.sync): load what its decisions need (the records, what they posted as before,
// the QuickBooks objects they refer to), decide without any I/O what QuickBooks should
// hold (a plan), and apply the plan with the one apply below, which records intents,
// writes in batches and settles every outcome. The decisions are pure functions of
// the loaded facts (planInvoices, planPayments, ...), table-tested in plan_test.go.

// plan is what a page of changes asks of QuickBooks.
type plan struct {
	// customers are the QBO customers (clients, matters) to hold. Customers are
	// name-list objects, written one by one by their unique names (upsert).
	customers []customer
	// writes are the transactions QuickBooks should hold, created or updated.
	writes []txn
	// retire are the transactions whose records were voided or deleted, or that a
	// record no longer posts as.
	retire []retirement
	// failures are the records that cannot post now, and why: a waiting failure is
	// retried by itself once what it waits for is in QuickBooks.
	failures []failure
	// payees are the payees whose vendors the plan needs and the facts did not have:
	// the page makes sure they exist, and plans again (page.sync).
	payees []string
}

// customer is a client's or matter's QBO customer as it should be.
type customer struct {
	it   item
	body qbo.Customer
	// matchExisting links a same-named customer qbosync did not create, under the
	// firm's "match existing customers" (sameCustomer).
	matchExisting bool
}

// retirement takes one transaction out of the books: voided (it must stay visible,
// or payments are applied to it) or deleted.
type retirement struct {
	it   item
	m    store.Mapping
	void bool
}

// failure is a record that cannot post, and the item failure saying why.
type failure struct {
	it  item
	err error
}

// fail records that the record it cannot post, with err (an item failure).
func (p *plan) fail(it item, err error) { p.failures = append(p.failures, failure{it, err}) }

// post adds t to the writes, or, when building its body failed with err, records the
// failure instead.
func (p *plan) post(t txn, err error) {
	if err != nil {
		p.fail(t.it, err)
		return
	}
	p.writes = append(p.writes, t)
}

// hold adds a customer to hold for the record it, or, when building its body failed
// with err, records the failure instead.
func (p *plan) hold(c customer, err error) {
	if err != nil {
		p.fail(c.it, err)
		return
	}
	p.customers = append(p.customers, c)
}

// needPayee notes that the plan needs payee's vendor, which the facts lack.
func (p *plan) needPayee(payee string) { p.payees = append(p.payees, payee) }

// page is one category's way through a page of changes. D is the facts its plan
// decides with.
type page[D any] struct {
	// load reads the facts; ok false means the page has nothing for the category
	// (no records of its entities, or the category is off in the settings).
	load func(ctx context.Context, e *Engine, changes []pms.Change) (facts D, ok bool, err error)
	// plan decides, without I/O.
	plan func(D) plan
	// followUp, if set, writes what refers to objects the plan made, whose QBO ids
	// (by item key) it gets.
	followUp func(ctx context.Context, e *Engine, facts D, posted map[string]string, counts *Counts) error
}

// stage loads and plans one page of changes; its apply writes the plan, then the
// follow-up. The page's id-map reads while loading are noted, so that a pipeline
// knows which records its plan rests on (pipeline.go).
func (pg page[D]) stage(ctx context.Context, e *Engine, changes []pms.Change) (staged, error) {
	st := stagedNothing(changes)
	facts, ok, err := pg.load(context.WithValue(ctx, readsKey{}, st.reads), e, changes)
	if err != nil || !ok {
		return st, err
	}
	p := pg.plan(facts)
	if len(p.payees) > 0 {
		// The facts hold the run's vendors (e.vendors), which ensureVendors fills in.
		if err := e.ensureVendors(ctx, p.payees); err != nil {
			return st, err
		}
		p = pg.plan(facts)
	}
	for _, it := range p.items() {
		st.writes.add(recordOfItem(it.Kind, it.Key))
	}
	st.apply = func(ctx context.Context, counts *Counts) (func(context.Context, *Counts) error, error) {
		posted, err := e.apply(ctx, p, counts)
		if err != nil || pg.followUp == nil {
			return nil, err
		}
		return func(ctx context.Context, counts *Counts) error { return pg.followUp(ctx, e, facts, posted, counts) }, nil
	}
	return st, nil
}

// items are the items a plan is about.
func (p plan) items() []item {
	var out []item
	for _, c := range p.customers {
		out = append(out, c.it)
	}
	for _, t := range p.writes {
		out = append(out, t.it)
	}
	for _, r := range p.retire {
		out = append(out, r.it)
	}
	for _, f := range p.failures {
		out = append(out, f.it)
	}
	return out
}

// apply carries out a plan: it records the failures, retires what is to go, upserts
// the customers, then makes QuickBooks hold the writes (putTxns). It returns the QBO
// ids of the customers and writes now in QuickBooks, by item key.
func (e *Engine) apply(ctx context.Context, p plan, counts *Counts) (map[string]string, error) {
	for _, f := range p.failures {
		if err := e.settle(ctx, f.it.Kind, f.it.Key, f.it.Label, "", f.err, counts); err != nil {
			return nil, err
		}
	}
	for _, r := range p.retire {
		retire := retireTxn
		if r.it.Kind == posting.KindInvoice {
			retire = retireInvoice // its credit memos go first, and it is voided if paid
		}
		if err := retire(ctx, e, r.it, r.m, r.void, counts); err != nil {
			return nil, err
		}
	}
	held, err := e.holdCustomers(ctx, p.customers, counts)
	if err != nil {
		return nil, err
	}
	posted, err := putTxns(ctx, e, p.writes, counts)
	if err != nil {
		return nil, err
	}
	maps.Copy(posted, held)
	return posted, nil
}

// basis is what every plan decides with: the firm (its markers), its settings and
// ledger items, and the scope rules.
type basis struct {
	firm  int64
	books *books
	scope posting.Scope
}

// basis loads the run's basis.
func (e *Engine) basis(ctx context.Context) (basis, error) {
	b, err := e.books(ctx)
	if err != nil {
		return basis{}, err
	}
	return basis{firm: e.Scope.FirmID, books: b, scope: posting.Scope{
		Start: b.start, AllUnpaidInvoices: b.SyncOptions.SyncAllUnpaidInvoices, Backfill: e.backfilling,
	}}, nil
}
