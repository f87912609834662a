package pms_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/qbosync/qbosync/internal/db/dbtest"
	"github.com/qbosync/qbosync/internal/pms"
)

func newFirm(t *testing.T, d *sqlx.DB, name string) int64 {
	t.Helper()
	var id int64
	if err := d.Get(&id, `INSERT INTO firms (name) VALUES ($1) RETURNING id`, name); err != nil {
		t.Fatal(err)
	}
	return id
}

func insertClient(ctx context.Context, q sqlx.ExecerContext, firmID int64, number string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO clients (firm_id, client_number, kind, name) VALUES ($1, $2, 'person', $2)`, firmID, number)
	return err
}

// readAll pages through the feed until it is empty.
func readAll(t *testing.T, d *sqlx.DB, firmID int64, cur pms.Cursor, page int) ([]pms.Change, pms.Cursor) {
	t.Helper()
	var all []pms.Change
	for {
		changes, err := pms.ReadChanges(context.Background(), d, firmID, []string{pms.EntityClient}, cur, page)
		if err != nil {
			t.Fatal(err)
		}
		if len(changes) == 0 {
			return all, cur
		}
		all = append(all, changes...)
		cur = changes[len(changes)-1].Cursor
	}
}

// A transaction that started first but commits last must still be read, after the
// one that committed first, and not before it commits.
func TestFeedReadsATransactionThatCommitsLate(t *testing.T) {
	d, _ := dbtest.New(t)
	ctx := context.Background()
	firm := newFirm(t, d, "F")

	slow, err := d.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Rollback()
	if err := insertClient(ctx, slow, firm, "STARTED-FIRST"); err != nil {
		t.Fatal(err)
	}
	if err := insertClient(ctx, d, firm, "COMMITTED-FIRST"); err != nil {
		t.Fatal(err)
	}
	got, cur := readAll(t, d, firm, pms.Cursor{}, 10)
	if len(got) != 1 {
		t.Fatalf("read %d changes while the slow transaction was open, want the committed one", len(got))
	}
	if err := slow.Commit(); err != nil {
		t.Fatal(err)
	}
	later, _ := readAll(t, d, firm, cur, 10)
	if len(later) != 1 || later[0].EntityID == got[0].EntityID {
		t.Fatalf("after the slow commit the feed returned %+v; the late change was passed over", later)
	}
}

// A long write transaction that does not touch practice data must not hold the feed
// back: a change must reach QBO in seconds whatever else the database is doing.
func TestFeedIsNotHeldBackByUnrelatedTransactions(t *testing.T) {
	d, _ := dbtest.New(t)
	ctx := context.Background()
	firm := newFirm(t, d, "F")
	if _, err := d.Exec(`CREATE TABLE unrelated (x int)`); err != nil {
		t.Fatal(err)
	}
	long, err := d.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer long.Rollback()
	if _, err := long.Exec(`INSERT INTO unrelated VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	if err := insertClient(ctx, d, firm, "C1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := readAll(t, d, firm, pms.Cursor{}, 10); len(got) != 1 {
		t.Fatalf("read %d changes, want 1: an unrelated open transaction held the feed back", len(got))
	}
}

// Many writers commit in random order while a reader pages through the feed. At the
// end, every committed change has been read exactly once and nothing rolled back
// appears.
func TestFeedConcurrentWritersNothingSkippedNothingTwice(t *testing.T) {
	d, _ := dbtest.New(t)
	d.SetMaxOpenConns(30)
	ctx := context.Background()
	firm := newFirm(t, d, "F")
	other := newFirm(t, d, "Other")

	const writers, perWriter = 12, 25
	var wg sync.WaitGroup
	committed := make(chan string, writers*perWriter)
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for i := range perWriter {
				tx, err := d.BeginTxx(ctx, nil)
				if err != nil {
					errs <- err
					return
				}
				number := fmt.Sprintf("W%02d-%03d", w, i)
				if err := insertClient(ctx, tx, firm, number); err != nil {
					errs <- err
					return
				}
				_ = insertClient(ctx, tx, other, number) // another firm's noise
				// Hold the transaction open for a while so commits interleave out of order.
				time.Sleep(time.Duration(rng.IntN(4000)) * time.Microsecond)
				if rng.IntN(10) == 0 {
					tx.Rollback()
					continue
				}
				if err := tx.Commit(); err != nil {
					errs <- err
					return
				}
				committed <- number
			}
		}()
	}

	seen := map[int64]int{}
	var cur pms.Cursor
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	read := func() {
		changes, next := readAll(t, d, firm, cur, 7)
		cur = next
		for _, c := range changes {
			seen[c.EntityID]++
		}
	}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
			read()
			time.Sleep(time.Millisecond)
		}
	}
	read()
	close(committed)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	var numbers []string
	for n := range committed {
		numbers = append(numbers, n)
	}
	if len(numbers) < writers*perWriter/2 {
		t.Fatalf("only %d transactions committed; the test did not exercise concurrency", len(numbers))
	}
	var want []int64
	if err := d.Select(&want, `SELECT id FROM clients WHERE firm_id = $1 AND client_number = ANY($2)`, firm, pq.Array(numbers)); err != nil {
		t.Fatal(err)
	}
	if len(want) != len(numbers) {
		t.Fatalf("setup: %d committed numbers but %d rows", len(numbers), len(want))
	}
	for _, id := range want {
		if seen[id] != 1 {
			t.Errorf("client %d read %d times, want exactly once", id, seen[id])
		}
	}
	if len(seen) != len(want) {
		t.Errorf("read %d distinct clients but %d were committed: rolled-back or another firm's rows leaked", len(seen), len(want))
	}
}

func TestFeedRecordsLineChangesAsInvoiceChanges(t *testing.T) {
	d, _ := dbtest.New(t)
	ctx := context.Background()
	firm := newFirm(t, d, "F")
	var client, matter, invoice int64
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.Get(&client, `INSERT INTO clients (firm_id, client_number, kind, name) VALUES ($1,'C1','person','A') RETURNING id`, firm))
	must(d.Get(&matter, `INSERT INTO matters (firm_id, client_id, matter_number, name, opened_on) VALUES ($1,$2,'M1','m','2026-01-01') RETURNING id`, firm, client))
	must(d.Get(&invoice, `INSERT INTO invoices (firm_id, matter_id, invoice_number, status, issued_on, due_on, total_cents) VALUES ($1,$2,'I1','approved','2026-01-01','2026-01-31',100) RETURNING id`, firm, matter))
	var cur pms.Cursor
	changes, err := pms.ReadChanges(ctx, d, firm, []string{pms.EntityInvoice}, cur, 100)
	must(err)
	cur = changes[len(changes)-1].Cursor
	_, err = d.Exec(`INSERT INTO invoice_lines (firm_id, invoice_id, line_no, item_type, amount_cents) VALUES ($1,$2,1,'fees',100)`, firm, invoice)
	must(err)
	changes, err = pms.ReadChanges(ctx, d, firm, []string{pms.EntityInvoice}, cur, 100)
	must(err)
	if len(changes) != 1 || changes[0].EntityID != invoice || changes[0].Entity != pms.EntityInvoice {
		t.Fatalf("a new invoice line should read as a change of invoice %d, got %+v", invoice, changes)
	}
}
