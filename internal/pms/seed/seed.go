// Package seed creates a deterministic demo law firm in the practice tables: timekeepers,
// clients, matters, bank accounts, time and expenses, invoices, payments, adjustments and
// trust activity, with the awkward names and edge cases a QuickBooks sync must survive.
//
// The same Options always produce the same data (a PCG stream seeded from Options.Seed,
// no clock, no map iteration), so a demo or a test can be rerun and compared. Seeding is
// idempotent by firm name and atomic: one transaction, all or nothing.
package seed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Size is how big a firm to seed.
type Size string

const (
	// SizeSmall is about 15 clients, 25 matters, a few hundred time entries and 40
	// invoices: every kind of record, seeded in well under a second.
	SizeSmall Size = "small"
	// SizeMedium is a fifth of SizeLarge (200 clients, 500 matters): the large firm's
	// shape for a benchmark's quick look.
	SizeMedium Size = "medium"
	// SizeLarge is about 1,000 clients, 2,500 matters, 60,000 time entries and 8,000
	// invoices, for testing paging, batching and rate limits.
	SizeLarge Size = "large"
)

// ParseSize reads a size as a user types it ("small", "medium", "large").
func ParseSize(s string) (Size, error) {
	size := Size(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := sizeParams[size]; !ok {
		return "", unknownSize(s)
	}
	return size, nil
}

func unknownSize(s string) error {
	return fmt.Errorf("seed: unknown size %q (allowed: %s, %s, %s)", s, SizeSmall, SizeMedium, SizeLarge)
}

// DefaultToday is the as-of date used when Options.Today is zero, fixed so that the
// output never depends on when it is run.
var DefaultToday = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)

// Options say which firm to seed. The zero value is valid: a small firm, seed 0.
type Options struct {
	Size Size // default SizeSmall
	Seed int64
	// FirmName defaults to "Demo Law Firm (<size>, seed <seed>)". Seeding a name that
	// already exists changes nothing.
	FirmName string
	// Today is the as-of date (only its calendar day counts): records are dated in the
	// ~18 months before it. Default DefaultToday.
	Today time.Time
}

// Summary reports the seeded (or already existing) firm.
type Summary struct {
	FirmID int64
	// Created is false when a firm with the name already existed and nothing was written.
	Created bool
	// Counts is the firm's number of rows per practice table, e.g. "invoices" -> 41.
	Counts map[string]int
}

func (o Options) withDefaults() (Options, error) {
	if o.Size == "" {
		o.Size = SizeSmall
	}
	if _, ok := sizeParams[o.Size]; !ok {
		return o, unknownSize(string(o.Size))
	}
	if o.FirmName == "" {
		o.FirmName = fmt.Sprintf("Demo Law Firm (%s, seed %d)", o.Size, o.Seed)
	}
	if strings.TrimSpace(o.FirmName) == "" {
		return o, errors.New("seed: the firm name is blank")
	}
	if o.Today.IsZero() {
		o.Today = DefaultToday
	}
	return o, nil
}

// Seed creates the demo firm described by opts in one transaction and returns its id and
// row counts. If a firm with the same name exists, Seed writes nothing and returns that
// firm with Created false, so running a demo twice does not create a second firm.
func Seed(ctx context.Context, db *sqlx.DB, opts Options) (Summary, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return Summary{}, err
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return Summary{}, fmt.Errorf("seed: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	// Two seeds of the same name at once (two `make demo`s) must not both create it: the
	// second waits here until the first commits, then finds its firm.
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`,
		"qbosync/seed:"+opts.FirmName); err != nil {
		return Summary{}, fmt.Errorf("seed: lock: %w", err)
	}
	sum := Summary{}
	err = tx.GetContext(ctx, &sum.FirmID, `SELECT id FROM firms WHERE name = $1 ORDER BY id LIMIT 1`, opts.FirmName)
	switch {
	case err == nil:
		// Already there: report it as it is now.
	case errors.Is(err, sql.ErrNoRows):
		data := generate(opts.Size, opts.Seed, dateOf(opts.Today))
		if err := tx.GetContext(ctx, &sum.FirmID, `INSERT INTO firms (name) VALUES ($1) RETURNING id`, opts.FirmName); err != nil {
			return Summary{}, fmt.Errorf("seed: create firm: %w", err)
		}
		if err := insert(ctx, tx, sum.FirmID, data); err != nil {
			return Summary{}, err
		}
		sum.Created = true
	default:
		return Summary{}, fmt.Errorf("seed: find firm: %w", err)
	}
	if sum.Counts, err = countRows(ctx, tx, sum.FirmID); err != nil {
		return Summary{}, err
	}
	if err := tx.Commit(); err != nil {
		return Summary{}, fmt.Errorf("seed: commit: %w", err)
	}
	return sum, nil
}
