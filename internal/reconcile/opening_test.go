package reconcile_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/reconcile"
)

// With a start date, what the firm held before it reaches QBO as one opening journal
// entry per trust account, a line per customer, instead of the records themselves
// (docs/design.md, "Opening balances"). Reconciliation compares full balances: the
// opening entry's lines against the practice ledgers before the start date, customer
// by customer; a slip deposited from the start date on keeps its earlier receipts. An
// opening line moved to another client is named, on both clients and on the entry.
func TestTrustOpeningEntriesCarryWhatWasHeldBeforeTheStartDate(t *testing.T) {
	e := newEnv(t)
	e.seedFirm()
	e.postAll()
	ctx := e.ctx
	var since time.Time
	require.NoError(t, e.DB.Get(&since, `
		SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY txn_on) FROM trust_transactions WHERE firm_id = $1`, e.Scope.FirmID))
	day := since.Format(time.DateOnly)

	// Take out of QBO every record the sync would not post on its own: dated before the
	// start date (a slip by its deposit date), and fold it into the opening entries.
	var slipDates []struct {
		ID   int64  `db:"id"`
		Date string `db:"date"`
	}
	require.NoError(t, e.DB.Select(&slipDates, `SELECT id, to_char(deposited_on, 'YYYY-MM-DD') AS date FROM deposit_slips WHERE firm_id = $1`, e.Scope.FirmID))
	slipDate := map[int64]string{}
	for _, s := range slipDates {
		slipDate[s.ID] = s.Date
	}
	type key struct {
		account  int64
		customer string
	}
	held := map[key]int64{}
	var order []key
	gone := map[[2]string]bool{}
	kept := 0
	for _, tt := range e.trustTxns() {
		kind, k, date := map[string]string{"deposit": "trust_receipt", "disbursement": "trust_disbursement", "transfer_to_operating": "trust_transfer"}[tt.Kind],
			strconv.FormatInt(tt.ID, 10), tt.TxnOn
		if tt.SlipID != 0 {
			kind, k, date = "deposit_slip", strconv.FormatInt(tt.SlipID, 10), slipDate[tt.SlipID]
		}
		if date >= day {
			if tt.TxnOn < day {
				kept++ // a receipt before the start date on a slip deposited after it
			}
			continue
		}
		if !gone[[2]string{kind, k}] {
			m := e.mapping(kind, k)
			require.NoError(t, e.QC.Delete(ctx, m.QBOEntity, m.QBOID, m.SyncToken, qbo.RequestID("test", "delete", kind, k)))
			_, err := e.DB.Exec(`DELETE FROM qbo_id_map WHERE kind = $1 AND source_key = $2`, kind, k)
			require.NoError(t, err)
			gone[[2]string{kind, k}] = true
		}
		kk := key{tt.AccountID, e.customerOf(tt.MatterID)}
		if _, ok := held[kk]; !ok {
			order = append(order, kk)
		}
		if tt.Kind == "deposit" {
			held[kk] += tt.Cents
		} else {
			held[kk] -= tt.Cents
		}
	}
	require.NotEmpty(t, gone, "nothing before the start date")
	entries := map[int64]qbo.JournalEntry{}
	lines := map[int64][]qbo.Line{}
	totals := map[int64]int64{}
	for _, kk := range order {
		if held[kk] == 0 {
			continue
		}
		side, cents := qbo.Credit, held[kk]
		if cents < 0 {
			side, cents = qbo.Debit, -cents
		}
		lines[kk.account] = append(lines[kk.account], jeLine(cents, side, e.ledger("trust_liability:"+strconv.FormatInt(kk.account, 10)), kk.customer))
		totals[kk.account] += held[kk]
	}
	asOf := since.AddDate(0, 0, -1).Format(time.DateOnly)
	for account, ls := range lines {
		acct := strconv.FormatInt(account, 10)
		side, cents := qbo.Debit, totals[account]
		if cents < 0 {
			side, cents = qbo.Credit, -cents
		}
		var je qbo.JournalEntry
		e.create("JournalEntry", qbo.JournalEntry{TxnDate: asOf, PrivateNote: marker("trust_opening", acct),
			Line: append([]qbo.Line{jeLine(cents, side, e.ledger("trust_bank:"+acct), "")}, ls...)}, &je)
		e.mapRecord("trust_opening", acct, "JournalEntry", je.ID, je.SyncToken)
		entries[account] = je
	}
	require.NotEmpty(t, entries)

	rep := e.trust(reconcile.Options{Since: since})
	require.True(t, rep.OK(), "%s", e.format(reconcile.Report{Since: day, Trust: rep}))
	var all []struct {
		Account int64 `db:"bank_account_id"`
		Held    int64 `db:"held"`
	}
	require.NoError(t, e.DB.Select(&all, `
		SELECT bank_account_id, sum(CASE WHEN kind = 'deposit' THEN amount_cents ELSE -amount_cents END) AS held
		FROM trust_transactions WHERE firm_id = $1 GROUP BY bank_account_id`, e.Scope.FirmID))
	for _, w := range all {
		a := accountByID(t, rep, w.Account)
		assert.Equal(t, qbo.Amount(w.Held), a.PMS, "%s: full balances", a.Name)
		assert.Equal(t, a.PMS, a.QBOBank)
		assert.Equal(t, a.PMS, a.QBOLiability)
	}
	t.Logf("%d receipts before the start date stay with their slips deposited after it", kept)

	// Without the start date, the records before it are missing from QBO.
	require.False(t, e.trust(reconcile.Options{}).OK())

	// Someone moves $10.00 of one client's opening balance to another client in QBO.
	var account int64
	var je qbo.JournalEntry
	for a, j := range entries {
		if len(j.Line) >= 3 {
			account, je = a, j
			break
		}
	}
	require.NotEmpty(t, je.ID, "no opening entry with two customers")
	var cur qbo.JournalEntry
	require.NoError(t, e.QC.Read(ctx, "JournalEntry", je.ID, &cur))
	move := func(l *qbo.Line, cents qbo.Amount, side string) {
		if l.JournalEntryLineDetail.PostingType == side {
			l.Amount += cents
		} else {
			l.Amount -= cents
		}
	}
	move(&cur.Line[1], 1000, qbo.Debit)
	move(&cur.Line[2], 1000, qbo.Credit)
	e.update("JournalEntry", cur, &cur)
	rep = e.trust(reconcile.Options{Since: since})
	a := accountByID(t, rep, account)
	require.False(t, a.OK())
	assert.Equal(t, a.PMS, a.QBOBank, "the bank still agrees")
	require.Len(t, a.Records, 1, "%+v", a.Records)
	assert.Equal(t, "trust_opening", a.Records[0].Kind)
	assert.Equal(t, strconv.FormatInt(account, 10), a.Records[0].SourceKey)
	assert.Contains(t, a.Records[0].Why, "changed in QuickBooks")
	assert.Len(t, a.Clients, 2, "both clients are named: %+v", a.Clients)
	var net qbo.Amount
	for _, c := range a.Clients {
		net += c.QBO - c.PMS
	}
	assert.Zero(t, net)
	for _, l := range a.Records[0].Lines {
		assert.NotEmpty(t, l.ClientName, "an opening line names its client: %+v", l)
	}
	t.Logf("\n%s", e.format(reconcile.Report{Since: day, Trust: rep}))
}

func jeLine(cents int64, side, account, customer string) qbo.Line {
	d := &qbo.JournalEntryLineDetail{PostingType: side, AccountRef: ref(account)}
	if customer != "" {
		d.Entity = &qbo.JournalEntryEntity{Type: "Customer", EntityRef: ref(customer)}
	}
	return qbo.Line{Amount: qbo.Amount(cents), DetailType: qbo.JournalEntryLine, JournalEntryLineDetail: d}
}
