package syncer

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/posting"
)

// fakePages stages pages whose writes are their changes plus extra records, whose
// reads are given per page, and whose apply and follow-up log what they do and wait
// for the test's go-ahead.
type fakePages struct {
	mu      sync.Mutex
	log     []string
	staged  map[int64]int // times each page (by its first record) was staged
	reads   map[int64][]record
	release map[int64]chan struct{} // closed to let a page's apply finish
	fail    map[int64]error
}

func newFakePages() *fakePages {
	return &fakePages{staged: map[int64]int{}, reads: map[int64][]record{}, release: map[int64]chan struct{}{}, fail: map[int64]error{}}
}

func (f *fakePages) note(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, s)
}

func (f *fakePages) events() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.log)
}

// gate returns the channel that holds page id's apply until closed.
func (f *fakePages) gate(id int64) chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.release[id] == nil {
		f.release[id] = make(chan struct{})
	}
	return f.release[id]
}

func (f *fakePages) stage(ctx context.Context, _ *Engine, changes []pms.Change) (staged, error) {
	id := changes[0].EntityID
	f.mu.Lock()
	f.staged[id]++
	reads := f.reads[id]
	f.mu.Unlock()
	st := stagedNothing(changes)
	for _, r := range reads {
		st.reads.add(r)
	}
	gate := f.gate(id)
	st.apply = func(ctx context.Context, c *Counts) (func(context.Context, *Counts) error, error) {
		f.note("apply " + string(recordOfChange(changes[0])))
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if err := f.fail[id]; err != nil {
			return nil, err
		}
		c.Created++
		return func(context.Context, *Counts) error {
			f.note("follow-up " + string(recordOfChange(changes[0])))
			return nil
		}, nil
	}
	return st, nil
}

func invoicePage(id int64) []pms.Change {
	return []pms.Change{{Entity: pms.EntityInvoice, EntityID: id}}
}

// waitFor waits until the log holds want.
func waitFor(t *testing.T, f *fakePages, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !slices.Contains(f.events(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in %v", want, f.events())
		}
		time.Sleep(time.Millisecond)
	}
}

func TestPagesInFlightLandInOrderAndFollowUpsWaitForThePagesBefore(t *testing.T) {
	f := newFakePages()
	pl := (&Engine{}).pipeline(context.Background(), f)
	defer pl.cancel()
	var landed []int64
	add := func(id int64) {
		t.Helper()
		if err := pl.add(invoicePage(id), func(c Counts) error { landed = append(landed, id); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	add(1)
	add(2) // another invoice: in flight beside page 1
	waitFor(t, f, "apply invoice:2")
	close(f.gate(2))
	time.Sleep(20 * time.Millisecond)
	if slices.Contains(f.events(), "follow-up invoice:2") {
		t.Fatalf("page 2's follow-up ran before page 1 landed: %v", f.events())
	}
	close(f.gate(1))
	if err := pl.drain(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(landed, []int64{1, 2}) {
		t.Errorf("landed %v, want [1 2]", landed)
	}
	ev := f.events()
	if slices.Index(ev, "follow-up invoice:1") > slices.Index(ev, "follow-up invoice:2") {
		t.Errorf("follow-ups out of order: %v", ev)
	}
}

func TestAPageThatMeetsAPageInFlightWaitsAndIsPlannedAgain(t *testing.T) {
	for _, tc := range []struct {
		name  string
		page2 []pms.Change
		reads []record
	}{
		// The same invoice changed twice: its second page decided on a stale id map.
		{name: "same record", page2: append(invoicePage(2), pms.Change{Entity: pms.EntityInvoice, EntityID: 1})},
		// A credit memo's item belongs to its invoice: reading it reads invoice 1.
		{name: "read of its part", page2: invoicePage(2), reads: []record{recordOfItem(posting.KindAdjustment, "1-3")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakePages()
			f.reads[2] = tc.reads
			pl := (&Engine{}).pipeline(context.Background(), f)
			defer pl.cancel()
			if err := pl.add(invoicePage(1), func(Counts) error { return nil }); err != nil {
				t.Fatal(err)
			}
			waitFor(t, f, "apply invoice:1")
			close(f.gate(2))
			go func() { time.Sleep(20 * time.Millisecond); close(f.gate(1)) }()
			if err := pl.add(tc.page2, func(Counts) error { return nil }); err != nil {
				t.Fatal(err)
			}
			if err := pl.drain(); err != nil {
				t.Fatal(err)
			}
			if f.staged[2] != 2 {
				t.Errorf("page 2 staged %d times, want 2 (again after page 1 landed)", f.staged[2])
			}
			ev := f.events()
			if slices.Index(ev, "apply invoice:2") < slices.Index(ev, "follow-up invoice:1") {
				t.Errorf("page 2 applied before page 1 landed: %v", ev)
			}
		})
	}
}

func TestAFailedPageStopsThePagesAfterIt(t *testing.T) {
	f := newFakePages()
	boom := errors.New("boom")
	f.fail[1] = boom
	pl := (&Engine{}).pipeline(context.Background(), f)
	defer pl.cancel()
	var landed []int64
	for _, id := range []int64{1, 2} {
		if err := pl.add(invoicePage(id), func(Counts) error { landed = append(landed, id); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	close(f.gate(1))
	err := pl.drain()
	if !errors.Is(err, boom) {
		t.Fatalf("drain: %v, want boom", err)
	}
	if len(landed) != 0 {
		t.Errorf("landed %v after a failure before them", landed)
	}
	if slices.Contains(f.events(), "follow-up invoice:2") {
		t.Errorf("page 2 followed up after page 1 failed: %v", f.events())
	}
}

func TestRecordsOfItemsAreTheirPracticeRecords(t *testing.T) {
	for _, tc := range []struct {
		kind, key string
		want      record
	}{
		{posting.KindInvoice, "12", "invoice:12"},
		{posting.KindAdjustment, "12-3", "invoice:12"},
		{posting.KindPayment, "7-40", "payment:7"},
		{posting.KindPaymentDeposit, "7", "payment:7"},
		{posting.KindClient, "5", "client:5"},
		{posting.KindTrustReceipt, "9", "trust_transaction:9"},
		{KindLedger, "Account/Trust-Liability", "ledger:Account/Trust-Liability"},
	} {
		if got := recordOfItem(tc.kind, tc.key); got != tc.want {
			t.Errorf("recordOfItem(%s, %s) = %s, want %s", tc.kind, tc.key, got, tc.want)
		}
	}
}
