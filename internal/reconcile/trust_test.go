package reconcile_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/reconcile"
	"github.com/qbosync/qbosync/internal/store"
)

func (e *env) trust(opts reconcile.Options) reconcile.TrustReport {
	e.t.Helper()
	rep, err := reconcile.Trust(e.ctx, e.DB, e.QC, e.Scope, opts)
	require.NoError(e.t, err)
	return rep
}

func accountByID(t *testing.T, rep reconcile.TrustReport, id int64) reconcile.TrustAccount {
	t.Helper()
	for _, a := range rep.Accounts {
		if a.BankAccountID == id {
			return a
		}
	}
	t.Fatalf("no trust account %d in %+v", id, rep.Accounts)
	return reconcile.TrustAccount{}
}

// Trust reconciles in full balances, with or without a start date, whether receipts
// were posted a deposit per slip or per receipt; then a deposit entered in QBO by hand,
// a disbursement the sync could not post and a transfer deleted in QBO are each named.
func TestTrustPeriodAndTheRecordsBehindDifferences(t *testing.T) {
	e := newEnv(t)
	e.seedFirm()
	e.postAll()
	ctx := e.ctx

	// One slip posted a deposit per receipt instead, as the per-receipt setting does.
	var slip int64
	require.NoError(t, e.DB.Get(&slip, `
		SELECT deposit_slip_id FROM trust_transactions WHERE firm_id = $1 AND deposit_slip_id IS NOT NULL
		GROUP BY deposit_slip_id ORDER BY count(*) DESC, deposit_slip_id LIMIT 1`, e.Scope.FirmID))
	slipMap := e.mapping("deposit_slip", strconv.FormatInt(slip, 10))
	require.NoError(t, e.QC.Delete(ctx, "Deposit", slipMap.QBOID, slipMap.SyncToken, qbo.RequestID("test", "delete slip")))
	_, err := e.DB.Exec(`DELETE FROM qbo_id_map WHERE kind = 'deposit_slip' AND source_key = $1`, strconv.FormatInt(slip, 10))
	require.NoError(t, err)
	for _, tt := range e.trustTxns() {
		if tt.SlipID == slip {
			acct := strconv.FormatInt(tt.AccountID, 10)
			e.postDeposit("trust_receipt", strconv.FormatInt(tt.ID, 10), tt.TxnOn, e.ledger("trust_bank:"+acct),
				[]qbo.Line{depositLine(tt.Cents, e.ledger("trust_liability:"+acct), e.customerOf(tt.MatterID))})
		}
	}
	require.True(t, e.trust(reconcile.Options{}).OK(), "receipts posted one by one reconcile too")

	// The start date: the median trust transaction's day.
	var since time.Time
	require.NoError(t, e.DB.Get(&since, `
		SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY txn_on) FROM trust_transactions WHERE firm_id = $1`, e.Scope.FirmID))
	opts := reconcile.Options{Since: since}
	var want []struct {
		Account int64 `db:"bank_account_id"`
		Held    int64 `db:"held"`
		All     int64 `db:"all_held"`
	}
	require.NoError(t, e.DB.Select(&want, `
		SELECT bank_account_id,
		       sum(CASE WHEN kind = 'deposit' THEN amount_cents ELSE -amount_cents END) FILTER (WHERE txn_on >= $2) AS held,
		       sum(CASE WHEN kind = 'deposit' THEN amount_cents ELSE -amount_cents END) AS all_held
		FROM trust_transactions WHERE firm_id = $1 GROUP BY bank_account_id ORDER BY bank_account_id`, e.Scope.FirmID, since))
	rep := e.trust(opts)
	require.True(t, rep.OK(), "%+v", rep)
	require.Len(t, rep.Accounts, len(want))
	for i, w := range want {
		a := rep.Accounts[i]
		assert.Equal(t, w.Account, a.BankAccountID)
		// Records from before the start date that are in QBO on their own (here: all of
		// them) stay themselves, and the balances are full.
		assert.Equal(t, qbo.Amount(w.All), a.PMS, "%s: balances in full", a.Name)
		assert.Equal(t, qbo.Amount(w.All), a.QBOBank)
		assert.Equal(t, qbo.Amount(w.All), a.QBOLiability)
	}
	assert.NotEqual(t, want[0].Held, want[0].All, "the start date splits the history")

	// Choose the records to break, after the start date.
	type pickRow struct {
		ID      int64 `db:"id"`
		Account int64 `db:"bank_account_id"`
		Matter  int64 `db:"matter_id"`
		Client  int64 `db:"client_id"`
		Cents   int64 `db:"amount_cents"`
	}
	pickTxn := func(kind string, notClient int64) pickRow {
		var p pickRow
		require.NoError(t, e.DB.Get(&p, `
			SELECT t.id, t.bank_account_id, t.matter_id, m.client_id, t.amount_cents
			FROM trust_transactions t JOIN matters m ON m.id = t.matter_id
			WHERE t.firm_id = $1 AND t.kind = $2 AND t.txn_on >= $3 AND m.client_id <> $4
			ORDER BY t.txn_on DESC, t.id LIMIT 1`, e.Scope.FirmID, kind, since, notClient))
		return p
	}
	disb := pickTxn("disbursement", 0)
	transfer := pickTxn("transfer_to_operating", disb.Client)

	// The sync could not post the disbursement.
	disbKey := strconv.FormatInt(disb.ID, 10)
	dm := e.mapping("trust_disbursement", disbKey)
	require.NoError(t, e.QC.Delete(ctx, "Purchase", dm.QBOID, dm.SyncToken, qbo.RequestID("test", "delete purchase")))
	_, err = e.DB.Exec(`DELETE FROM qbo_id_map WHERE kind = 'trust_disbursement' AND source_key = $1`, disbKey)
	require.NoError(t, err)
	require.NoError(t, e.Store.RecordFailure(ctx, e.Scope, "trust_disbursement", disbKey, "Trust check", store.Failure{
		Code: "2500", Message: "Invalid Reference Id", Explanation: "The vendor for this check is inactive in QuickBooks."}))

	// Someone deleted the transfer's journal entry in QBO.
	trKey := strconv.FormatInt(transfer.ID, 10)
	tm := e.mapping("trust_transfer", trKey)
	require.NoError(t, e.QC.Delete(ctx, "JournalEntry", tm.QBOID, tm.SyncToken, qbo.RequestID("test", "delete je")))

	// A deposit of $500 entered in QBO by hand for a third client, into the transfer's account.
	var third struct {
		Matter int64 `db:"matter_id"`
		Client int64 `db:"client_id"`
	}
	require.NoError(t, e.DB.Get(&third, `
		SELECT m.id AS matter_id, m.client_id FROM matters m
		WHERE m.firm_id = $1 AND m.client_id NOT IN ($2, $3) ORDER BY m.id LIMIT 1`, e.Scope.FirmID, disb.Client, transfer.Client))
	acct := strconv.FormatInt(transfer.Account, 10)
	var hand qbo.Deposit
	e.create("Deposit", qbo.Deposit{DepositToAccountRef: ref(e.ledger("trust_bank:" + acct)), TxnDate: "2026-10-30",
		Line: []qbo.Line{depositLine(50000, e.ledger("trust_liability:"+acct), e.customerOf(third.Matter))}}, &hand)

	rep = e.trust(opts)
	require.False(t, rep.OK())
	type clientDiff struct {
		account, client int64
		diff            qbo.Amount
	}
	var gotClients []clientDiff
	var gotRecords []string
	for _, a := range rep.Accounts {
		for _, c := range a.Clients {
			gotClients = append(gotClients, clientDiff{a.BankAccountID, c.ClientID, c.QBO - c.PMS})
		}
		for _, r := range a.Records {
			gotRecords = append(gotRecords, r.Kind+" "+r.SourceKey)
		}
	}
	assert.ElementsMatch(t, []clientDiff{
		{disb.Account, disb.Client, qbo.Amount(disb.Cents)},             // QBO still holds what was paid out
		{transfer.Account, transfer.Client, qbo.Amount(transfer.Cents)}, // and what was transferred
		{transfer.Account, third.Client, 50000},                         // and holds the hand deposit
	}, gotClients)
	assert.ElementsMatch(t, []string{"trust_disbursement " + disbKey, "trust_transfer " + trKey}, gotRecords)

	for _, a := range rep.Accounts {
		for _, r := range a.Records {
			switch r.Kind {
			case "trust_disbursement":
				assert.Empty(t, r.QBOID)
				assert.Equal(t, -qbo.Amount(disb.Cents), r.PMSBank)
				assert.Zero(t, r.QBOBank)
				assert.Contains(t, r.Why, "the sync failed: The vendor for this check is inactive in QuickBooks.")
			case "trust_transfer":
				assert.Equal(t, tm.QBOID, r.QBOID)
				assert.Contains(t, r.Why, "deleted in QuickBooks")
			}
		}
		if a.BankAccountID == transfer.Account {
			require.Len(t, a.QBOOnly, 1, "the hand deposit is found: %+v", a.QBOOnly)
			q := a.QBOOnly[0]
			assert.Equal(t, "Deposit", q.Entity)
			assert.Equal(t, hand.ID, q.ID)
			assert.Equal(t, qbo.Amount(50000), q.Bank)
			assert.Equal(t, qbo.Amount(50000), q.Liability)
			assert.Contains(t, q.Why, "not by qbosync")
		} else {
			assert.Empty(t, a.QBOOnly)
		}
		assert.Zero(t, a.UnexplainedBank, "%s", a.Name)
		assert.Zero(t, a.UnexplainedLiability, "%s", a.Name)
		// Bank and liability move together; only the practice side differs.
		assert.Equal(t, a.QBOBank, a.QBOLiability)
	}
	t.Logf("\n%s", e.format(reconcile.Report{Since: since.Format(time.DateOnly), Trust: rep}))
}

// A trust account without its QBO accounts in the id map is named, not checked; a firm
// with no trust account linked reconciles trivially.
func TestTrustAccountsWithoutLedgerMappingsAreNotChecked(t *testing.T) {
	e := newEnv(t)
	e.seedFirm()
	rep := e.trust(reconcile.Options{})
	assert.Empty(t, rep.Accounts)
	assert.ElementsMatch(t, []string{"IOLTA Trust Account", "Real Estate Escrow Trust"}, rep.Unmapped)
	assert.True(t, rep.OK())
}
