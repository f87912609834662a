package syncer

import (
	"context"
	"errors"
	"maps"
	"strconv"
	"strings"
	"sync"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/store"
)

// Pages in flight (docs/design.md, "Pages in flight"). A category's pages land in
// order, but the next page is loaded, planned and started while the one before it is
// still being written: QuickBooks' request budget then never waits on the engine's own
// work between pages (loading, planning, recording intents and outcomes).
//
// Two pages are in flight together only when neither can see the other's writes: the
// later page's decisions (the records it writes, and the records whose QuickBooks
// state it read while loading) must not meet the records the earlier page writes.
// When they meet, the later page waits for the earlier ones to land and is loaded and
// planned again. A page's follow-up (matters after their clients, credit memos after
// their invoices) reads what the pages before it wrote, so it starts only once they
// have all landed.

// pagesInFlight is how many pages may be on their way through QuickBooks at once. Two
// keep the budget busy: one page writes while the next is staged and starts writing.
const pagesInFlight = 2

// record names a practice record, "<feed entity>:<id>", the unit at which two pages
// meet.
type record string

// recordOfChange is the record a feed change is about.
func recordOfChange(c pms.Change) record {
	return record(c.Entity + ":" + strconv.FormatInt(c.EntityID, 10))
}

// recordOfItem is the record an item (of any category's kind) belongs to: a part
// "12-3" belongs to record 12, and a kind to the feed entity that brings it back
// (Category.Kinds). Kinds outside the feed (ledger objects, vendors) name themselves.
func recordOfItem(kind, key string) record {
	head, _, _ := strings.Cut(key, "-")
	entity, ok := kindEntities[kind]
	if !ok {
		return record(kind + ":" + key)
	}
	return record(entity + ":" + head)
}

// kindEntities maps every category's item kinds to their feed entities.
var kindEntities = map[string]string{}

// init fills kindEntities from Categories, whose pages refer (through their loaders)
// to recordOfItem: a variable's initializer could not.
func init() {
	for _, c := range Categories {
		maps.Copy(kindEntities, c.kinds())
	}
}

// recordSet is a set of records, safe for the goroutines of one page's loading.
type recordSet struct {
	mu  sync.Mutex
	set map[record]struct{}
}

func newRecordSet() *recordSet { return &recordSet{set: map[record]struct{}{}} }

func (s *recordSet) add(r record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set[r] = struct{}{}
}

func (s *recordSet) has(r record) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.set[r]
	return ok
}

// meets reports whether s and t share a record.
func (s *recordSet) meets(t *recordSet) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	for r := range s.set {
		if _, ok := t.set[r]; ok {
			return true
		}
	}
	return false
}

// failedKey carries, in a run's context, the records an item of which failed in the
// run (runFeed).
type failedKey struct{}

// noteFailure records that an item of the record failed in this run.
func noteFailure(ctx context.Context, kind, key string) {
	if failed, ok := ctx.Value(failedKey{}).(*recordSet); ok {
		failed.add(recordOfItem(kind, key))
	}
}

// readsKey carries, in a page's loading context, the set its id-map reads go to.
type readsKey struct{}

// noteReads records that the loading page decides with the QuickBooks state of these
// items. Outside a page's loading (applying, follow-ups) it does nothing.
func noteReads(ctx context.Context, kind string, keys []string) {
	reads, ok := ctx.Value(readsKey{}).(*recordSet)
	if !ok {
		return
	}
	for _, k := range keys {
		reads.add(recordOfItem(kind, k))
	}
}

// mappings reads the id map of the items of kind with the given keys; a loading page
// notes them among its reads.
func (e *Engine) mappings(ctx context.Context, kind string, keys []string) (map[string]store.Mapping, error) {
	noteReads(ctx, kind, keys)
	return e.Store.Mappings(ctx, e.Scope, kind, keys)
}

// mappingsOfRecords reads the id map of the parts of kind of the given records; a
// loading page notes them among its reads.
func (e *Engine) mappingsOfRecords(ctx context.Context, kind string, recordIDs []int64) (map[int64][]store.Mapping, error) {
	noteReads(ctx, kind, keysOf(recordIDs))
	return e.Store.MappingsOfRecords(ctx, e.Scope, kind, recordIDs)
}

// staged is a page loaded and planned, ready to write.
type staged struct {
	// writes are the records the page is about: its changes and its plan's items.
	writes *recordSet
	// reads are the records whose QuickBooks state its plan rests on.
	reads *recordSet
	// apply writes the plan and returns the page's follow-up, if it has one.
	apply func(ctx context.Context, counts *Counts) (followUp func(ctx context.Context, counts *Counts) error, err error)
}

// stager stages pages of a category's changes.
type stager interface {
	stage(ctx context.Context, e *Engine, changes []pms.Change) (staged, error)
}

// stagedNothing is a page with nothing to write.
func stagedNothing(changes []pms.Change) staged {
	st := staged{writes: newRecordSet(), reads: newRecordSet()}
	for _, c := range changes {
		st.writes.add(recordOfChange(c))
	}
	st.apply = func(context.Context, *Counts) (func(context.Context, *Counts) error, error) { return nil, nil }
	return st
}

// syncPage stages and writes one page by itself: retries, and tests.
func syncPage(ctx context.Context, e *Engine, s stager, changes []pms.Change, counts *Counts) error {
	st, err := s.stage(ctx, e, changes)
	if err != nil {
		return err
	}
	followUp, err := st.apply(ctx, counts)
	if err != nil || followUp == nil {
		return err
	}
	return followUp(ctx, counts)
}

// flight is a staged page on its way through QuickBooks.
type flight struct {
	staged
	// land records the landed page (its cursor, its counts) once every page before it
	// has landed.
	land   func(Counts) error
	counts Counts
	done   chan struct{}
	err    error
}

// fly writes the page; its follow-up waits for the page before it (prev) to land.
func (f *flight) fly(ctx context.Context, prev *flight) {
	defer close(f.done)
	followUp, err := f.apply(ctx, &f.counts)
	if err != nil || followUp == nil {
		f.err = err
		return
	}
	if prev != nil {
		select {
		case <-prev.done:
			if prev.err != nil {
				f.err = errors.New("an earlier page failed")
				return
			}
		case <-ctx.Done():
			f.err = ctx.Err()
			return
		}
	}
	f.err = followUp(ctx, &f.counts)
}

// pipeline keeps up to pagesInFlight pages of one category in flight and lands them in
// order.
type pipeline struct {
	e        *Engine
	ctx      context.Context
	cancel   context.CancelFunc
	stager   stager
	inFlight []*flight
}

// pipeline starts a category's pipeline; stop it with drain.
func (e *Engine) pipeline(ctx context.Context, s stager) *pipeline {
	ctx, cancel := context.WithCancel(ctx)
	return &pipeline{e: e, ctx: ctx, cancel: cancel, stager: s}
}

// add stages a page of changes and starts writing it; land is called with its counts
// once it and every page before it have landed. An error ends the pipeline: the pages
// before the failure have landed, and none after it.
//
// A page of no changes (runFeed's, when every change was synced already) stages
// nothing and meets nothing; it lands only to move the cursor.
func (pl *pipeline) add(changes []pms.Change, land func(Counts) error) error {
	if len(changes) == 0 {
		return pl.start(stagedNothing(nil), land)
	}
	st, err := pl.stager.stage(pl.ctx, pl.e, changes)
	if err == nil && pl.meets(st) {
		// It may have decided on what those pages are changing: wait, and decide again.
		if err = pl.drain(); err == nil {
			st, err = pl.stager.stage(pl.ctx, pl.e, changes)
		}
	}
	if err != nil {
		return errors.Join(err, pl.drain())
	}
	return pl.start(st, land)
}

// start starts writing a staged page, after landing the oldest page in flight if there
// are pagesInFlight already.
func (pl *pipeline) start(st staged, land func(Counts) error) error {
	for len(pl.inFlight) >= pagesInFlight {
		if err := pl.landOldest(); err != nil {
			return errors.Join(err, pl.drain())
		}
	}
	var prev *flight
	if n := len(pl.inFlight); n > 0 {
		prev = pl.inFlight[n-1]
	}
	f := &flight{staged: st, land: land, done: make(chan struct{})}
	pl.inFlight = append(pl.inFlight, f)
	go f.fly(pl.ctx, prev)
	return nil
}

// meets reports whether the staged page meets a page in flight.
func (pl *pipeline) meets(st staged) bool {
	for _, f := range pl.inFlight {
		if st.writes.meets(f.writes) || st.reads.meets(f.writes) {
			return true
		}
	}
	return false
}

// landOldest waits for the oldest page in flight and lands it.
func (pl *pipeline) landOldest() error {
	f := pl.inFlight[0]
	<-f.done
	pl.inFlight = pl.inFlight[1:]
	if f.err != nil {
		return f.err
	}
	return f.land(f.counts)
}

// drain lands every page in flight, in order. After a failure the rest are stopped
// and not landed: their writes are settled exactly once all the same, and the next
// run finds them done.
func (pl *pipeline) drain() error {
	for len(pl.inFlight) > 0 {
		if err := pl.landOldest(); err != nil {
			pl.cancel()
			for _, f := range pl.inFlight {
				<-f.done
			}
			pl.inFlight = nil
			return err
		}
	}
	return nil
}
