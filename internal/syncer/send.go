package syncer

import (
	"context"
	"maps"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/qbosync/qbosync/internal/qbo"
)

// sendFrontAndBack writes ops in full batches from the front and, at the same time,
// one by one from the back. QuickBooks allows a company 40 batch requests a minute and
// 500 requests in all: batches alone stop at 1,140 writes a minute, and the single
// requests beside them (the limiter paces both, per company) bring it near the 1,660
// ceiling. The split follows the budget by itself: while the batch side waits for its
// turn, the singles take from the back. Between minBatch and a batch's worth of ops go
// as one batch; fewer go one by one, unless batchesFree (the company's batch budget is
// mostly unused, qbo.Client.BatchesFree), when a few go as one batch too: one request
// answers them all, where one by one they take 125 ms each of the company's pace,
// which is what a change waits for on a busy firm. Each side writes what it takes; the
// two never share an op. The first error stops both sides from taking more.
func sendFrontAndBack[T any](ctx context.Context, ops []T, batchesFree bool, batch func(context.Context, []T) error, single func(context.Context, T) error) error {
	if len(ops) <= qbo.DefaultMaxBatchItems && (len(ops) >= minBatch || len(ops) > 1 && batchesFree) {
		return batch(ctx, ops) // one request for all
	}
	var mu sync.Mutex
	front, back := 0, len(ops)
	// take hands out the next ops: a batch from the front, or one from the back.
	take := func(fromBack bool) []T {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case front >= back:
			return nil
		case fromBack:
			back--
			return ops[back : back+1]
		case back-front < minBatch:
			return nil // what is left goes alone
		}
		chunk := ops[front:min(front+qbo.DefaultMaxBatchItems, back)]
		front += len(chunk)
		return chunk
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		for chunk := take(false); chunk != nil; chunk = take(false) {
			if err := batch(gctx, chunk); err != nil {
				return err
			}
		}
		return nil
	})
	for range singleSenders {
		g.Go(func() error {
			for one := take(true); one != nil; one = take(true) {
				if err := single(gctx, one[0]); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// minBatch is the fewest ops worth a batch request while the batch budget is in use. With
// the budget in full use, a batch of k ops leaves 30-k writes of a batch unused, and k
// single requests take k-1 requests more than one batch: below 16, singles waste less.
const minBatch = 16

// singleSenders is how many single requests a page keeps going at once: QuickBooks
// answers in a few hundred milliseconds, and the limiter spaces requests 125 ms apart,
// so one sender alone would leave the budget idle.
const singleSenders = 2

// outcomes gathers what concurrent senders settled: the QBO ids of the records they
// wrote, by item key, and the counts.
type outcomes struct {
	mu     sync.Mutex
	ids    map[string]string
	counts *Counts
}

// add runs write with its own ids and counts, and merges them in.
func (o *outcomes) add(write func(ids map[string]string, c *Counts) error) error {
	ids, c := map[string]string{}, Counts{}
	err := write(ids, &c)
	o.mu.Lock()
	defer o.mu.Unlock()
	maps.Copy(o.ids, ids)
	*o.counts = o.counts.Plus(c)
	return err
}
