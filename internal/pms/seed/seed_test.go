package seed

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qbosync/qbosync/internal/db/dbtest"
)

func seedOrFail(t *testing.T, db *sqlx.DB, opts Options) Summary {
	t.Helper()
	sum, err := Seed(context.Background(), db, opts)
	require.NoError(t, err)
	return sum
}

// within fails unless each table's count is in its range.
func within(t *testing.T, counts map[string]int, ranges map[string][2]int) {
	t.Helper()
	for table, r := range ranges {
		assert.GreaterOrEqual(t, counts[table], r[0], table)
		assert.LessOrEqual(t, counts[table], r[1], table)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]Size{"small": SizeSmall, "medium": SizeMedium, "large": SizeLarge, " Large ": SizeLarge} {
		got, err := ParseSize(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
	for _, in := range []string{"", "huge", "smal"} {
		_, err := ParseSize(in)
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), "small")
		assert.Contains(t, err.Error(), "large")
		assert.Contains(t, err.Error(), "medium")
	}
	_, err := Seed(context.Background(), nil, Options{Size: "huge"})
	assert.ErrorContains(t, err, "huge")
}

func TestSeedSmall(t *testing.T) {
	db, _ := dbtest.New(t)
	start := time.Now()
	sum := seedOrFail(t, db, Options{Seed: 1})
	t.Logf("small firm seeded in %v: %v", time.Since(start), sum.Counts)
	assert.True(t, sum.Created)
	var name string
	require.NoError(t, db.Get(&name, `SELECT name FROM firms WHERE id = $1`, sum.FirmID))
	assert.Equal(t, "Demo Law Firm (small, seed 1)", name)
	within(t, sum.Counts, map[string][2]int{
		tClients: {12, 15}, tMatters: {20, 30}, tTimeEntries: {200, 600}, tInvoices: {25, 60},
		tBankAccounts: {3, 4}, tPayments: {15, 80},
	})
	checkFirm(t, db, sum.FirmID, DefaultToday)
}

// TestEverySeedCoversEverything: the must-have records do not depend on a lucky seed.
func TestEverySeedCoversEverything(t *testing.T) {
	db, _ := dbtest.New(t)
	for seed := int64(2); seed <= 9; seed++ {
		sum := seedOrFail(t, db, Options{Seed: seed})
		checkFirm(t, db, sum.FirmID, DefaultToday)
	}
	// Another as-of date moves the whole history with it.
	today := time.Date(2025, time.March, 17, 15, 4, 5, 0, time.FixedZone("PST", -8*3600))
	sum := seedOrFail(t, db, Options{Seed: 1, FirmName: "Demo, as of March 2025", Today: today})
	checkFirm(t, db, sum.FirmID, time.Date(2025, time.March, 17, 0, 0, 0, 0, time.UTC))
}

func TestSameOptionsSameData(t *testing.T) {
	db1, _ := dbtest.New(t)
	db2, _ := dbtest.New(t)
	opts := Options{Seed: 7}
	a := seedOrFail(t, db1, opts)
	// A firm seeded first in the second database shifts every id there.
	seedOrFail(t, db2, Options{Seed: 8})
	b := seedOrFail(t, db2, opts)
	assert.NotEqual(t, a.FirmID, b.FirmID)
	assert.Equal(t, a.Counts, b.Counts)
	dumpA, dumpB := dump(t, db1, a.FirmID), dump(t, db2, b.FirmID)
	require.NotEmpty(t, dumpA)
	assert.True(t, dumpA == dumpB, "the same options gave different data")

	other := seedOrFail(t, db1, Options{Seed: 8})
	assert.NotEqual(t, dumpA, dump(t, db1, other.FirmID), "a different seed gave the same data")
}

func TestGenerateIsAPureFunction(t *testing.T) {
	a := generate(SizeSmall, 3, dateOf(DefaultToday))
	b := generate(SizeSmall, 3, dateOf(DefaultToday))
	assert.True(t, reflect.DeepEqual(a, b))
	assert.False(t, reflect.DeepEqual(a, generate(SizeSmall, 4, dateOf(DefaultToday))))
}

func TestSeedIsIdempotent(t *testing.T) {
	db, _ := dbtest.New(t)
	first := seedOrFail(t, db, Options{Seed: 1})
	before := dump(t, db, first.FirmID)
	var changes int
	require.NoError(t, db.Get(&changes, `SELECT count(*) FROM pms_changes`))

	again := seedOrFail(t, db, Options{Seed: 1})
	assert.False(t, again.Created)
	assert.Equal(t, first.FirmID, again.FirmID)
	assert.Equal(t, first.Counts, again.Counts)
	assert.Equal(t, before, dump(t, db, first.FirmID))
	var firms, changesAfter int
	require.NoError(t, db.Get(&firms, `SELECT count(*) FROM firms`))
	require.NoError(t, db.Get(&changesAfter, `SELECT count(*) FROM pms_changes`))
	assert.Equal(t, 1, firms)
	assert.Equal(t, changes, changesAfter, "the second seed wrote something")
}

// TestConcurrentSeedsCreateOneFirm: two `make demo`s at once still make one firm.
func TestConcurrentSeedsCreateOneFirm(t *testing.T) {
	db, _ := dbtest.New(t)
	const n = 3
	sums := make([]Summary, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { sums[i], errs[i] = Seed(context.Background(), db, Options{Seed: 5}) })
	}
	wg.Wait()
	created := 0
	for i := range n {
		require.NoError(t, errs[i])
		assert.Equal(t, sums[0].FirmID, sums[i].FirmID)
		assert.Equal(t, sums[0].Counts, sums[i].Counts)
		if sums[i].Created {
			created++
		}
	}
	assert.Equal(t, 1, created)
	var firms int
	require.NoError(t, db.Get(&firms, `SELECT count(*) FROM firms`))
	assert.Equal(t, 1, firms)
}

// TestSeedIsAtomic: a failure part-way leaves nothing behind.
func TestSeedIsAtomic(t *testing.T) {
	db, _ := dbtest.New(t)
	// The last table written refuses its rows, after every other table was filled.
	db.MustExec(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'refused by the test'; END $$`)
	db.MustExec(`CREATE TRIGGER refuse BEFORE INSERT ON trust_transactions FOR EACH ROW EXECUTE FUNCTION refuse()`)
	_, err := Seed(context.Background(), db, Options{Seed: 1})
	require.ErrorContains(t, err, "refused by the test")
	for _, table := range append([]string{"firms", "pms_changes"}, practiceTables...) {
		var n int
		require.NoError(t, db.Get(&n, "SELECT count(*) FROM "+table))
		assert.Zero(t, n, table)
	}

	db.MustExec(`DROP TRIGGER refuse ON trust_transactions`)
	assert.True(t, seedOrFail(t, db, Options{Seed: 1}).Created)
}

// TestFirmsAreKeptApart: seeding a second firm neither touches nor borrows the first's rows.
func TestFirmsAreKeptApart(t *testing.T) {
	db, _ := dbtest.New(t)
	a := seedOrFail(t, db, Options{Seed: 1})
	before := dump(t, db, a.FirmID)
	b := seedOrFail(t, db, Options{Seed: 1, FirmName: "O'Brien & Søn: Second Firm"})
	assert.True(t, b.Created)
	assert.NotEqual(t, a.FirmID, b.FirmID)
	assert.Equal(t, before, dump(t, db, a.FirmID))
	// The same seed makes the same data, owned by each firm separately.
	assert.Equal(t, before, dump(t, db, b.FirmID))
	for _, table := range practiceTables {
		var total int
		require.NoError(t, db.Get(&total, "SELECT count(*) FROM "+table))
		assert.Positive(t, a.Counts[table], table)
		assert.Equal(t, a.Counts[table]+b.Counts[table], total, table)
	}
	// A reference across firms would show up as rank 0 in the dump.
	assert.NotContains(t, before, `_id":0`)
	checkFirm(t, db, b.FirmID, DefaultToday)
}

// TestChecksCatchBrokenData shows that the invariant and coverage checks can fail:
// each corruption of a seeded firm must be reported.
func TestChecksCatchBrokenData(t *testing.T) {
	db, _ := dbtest.New(t)
	sum := seedOrFail(t, db, Options{Seed: 1})
	for _, c := range []struct{ mutation, report string }{
		{`UPDATE invoices SET total_cents = total_cents + 1
		  WHERE id = (SELECT min(id) FROM invoices)`, "its total is their sum"},
		{`INSERT INTO adjustments (firm_id, invoice_id, kind, adjusted_on, amount_cents)
		  SELECT firm_id, id, 'write_off', issued_on, total_cents FROM invoices
		  WHERE id = (SELECT min(invoice_id) FROM payment_allocations)`, "never exceed an invoice's total"},
		{`UPDATE payment_allocations SET amount_cents = amount_cents + 1
		  WHERE id = (SELECT min(id) FROM payment_allocations)`, "allocations add up"},
		{`UPDATE deposit_slips SET total_cents = total_cents + 1
		  WHERE id = (SELECT min(id) FROM deposit_slips)`, "a deposit slip's total"},
		{`UPDATE trust_transactions SET amount_cents = amount_cents * 1000
		  WHERE id = (SELECT min(id) FROM trust_transactions WHERE kind = 'disbursement')`, "trust balance is -"},
		{`UPDATE expenses SET check_number = ''
		  WHERE id = (SELECT min(id) FROM expenses WHERE kind = 'hard')`, "a hard cost has a payee"},
		{`UPDATE time_entries SET amount_cents = amount_cents + 1
		  WHERE id = (SELECT min(id) FROM time_entries WHERE NOT flat_fee AND invoice_id IS NULL)`, "round(quantity × rate)"},
		{`UPDATE time_entries SET invoice_id = NULL
		  WHERE id = (SELECT min(id) FROM time_entries WHERE invoice_id IS NOT NULL)`, "bills exactly what"},
		{`UPDATE payments SET received_on = '2020-01-01'
		  WHERE id = (SELECT min(id) FROM payments)`, "after they were issued"},
		{`DELETE FROM adjustments WHERE kind = 'debit'`, "coverage: debits"},
		{`DELETE FROM invoice_lines WHERE item_type = 'interest'`, "coverage: interest lines"},
		{`UPDATE trust_transactions t SET deposit_slip_id = NULL, kind = 'disbursement', payee = 'X'
		  WHERE deposit_slip_id IN (SELECT deposit_slip_id FROM trust_transactions
		      WHERE deposit_slip_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1)
		    AND id NOT IN (SELECT min(id) FROM trust_transactions WHERE deposit_slip_id IS NOT NULL GROUP BY deposit_slip_id)`,
			"coverage: deposit slips with several deposits"},
		{`UPDATE clients SET name = 'Hall Properties, Inc.' WHERE name = 'Hall Properties'`, "edge-case names: the sandbox vendor"},
		{`UPDATE clients SET email = 'john.smith@example.com' WHERE name = 'John Smith'`, "two different clients called John Smith"},
	} {
		tx := db.MustBegin()
		tx.MustExec(c.mutation)
		reports := invariantViolations(t, tx, sum.FirmID, DefaultToday)
		for _, v := range unmet(t, tx, sum.FirmID, DefaultToday, coverage) {
			reports = append(reports, "coverage: "+v)
		}
		for _, v := range unmet(t, tx, sum.FirmID, DefaultToday, edgeNames) {
			reports = append(reports, "edge-case names: "+v)
		}
		require.NoError(t, tx.Rollback())
		assert.True(t, strings.Contains(strings.Join(reports, "\n"), c.report),
			"after %s\nwant a report containing %q, got %q", c.mutation, c.report, reports)
	}
	// The rolled-back data is sound again: the checks are not simply always failing.
	assert.Empty(t, invariantViolations(t, db, sum.FirmID, DefaultToday))
}

func TestSeedLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("a large firm takes several seconds")
	}
	db, _ := dbtest.New(t)
	start := time.Now()
	sum := seedOrFail(t, db, Options{Size: SizeLarge, Seed: 1})
	took := time.Since(start)
	t.Logf("large firm seeded in %v: %v", took, sum.Counts)
	assert.Less(t, took, time.Minute)
	within(t, sum.Counts, map[string][2]int{
		tClients: {1000, 1000}, tMatters: {2500, 2500}, tTimeEntries: {50000, 70000}, tInvoices: {6500, 9500},
		tPayments: {4000, 9000}, tTrustTransactions: {1500, 6000},
	})
	checkFirm(t, db, sum.FirmID, DefaultToday)
}
