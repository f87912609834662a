package reconcile_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/reconcile"
)

func (e *env) run(opts reconcile.Options) reconcile.Report {
	e.t.Helper()
	rep, err := reconcile.Run(e.ctx, e.DB, e.QC, e.Scope, opts)
	require.NoError(e.t, err)
	return rep
}

func (e *env) format(rep reconcile.Report) string {
	e.t.Helper()
	var b bytes.Buffer
	require.NoError(e.t, rep.Format(&b))
	return b.String()
}

// A seeded firm posted into QBO exactly as the posting rules say reconciles to the cent;
// a deposit line changed by hand in QBO is then reported as exactly that deposit slip
// and that client, and nothing else.
func TestSeededFirmReconcilesThenAHandEditedDepositIsPinpointed(t *testing.T) {
	e := newEnv(t)
	e.seedFirm()
	e.postAll()

	rep := e.run(reconcile.Options{})
	require.True(t, rep.OK(), "a faithfully posted firm reconciles:\n%s", e.format(rep))
	var n struct{ Matters, Invoices, Trust int }
	require.NoError(t, e.DB.Get(&n.Invoices, `SELECT count(*) FROM invoices WHERE firm_id = $1 AND status <> 'draft'`, e.Scope.FirmID))
	require.NoError(t, e.DB.Get(&n.Matters, `SELECT count(DISTINCT matter_id) FROM invoices WHERE firm_id = $1 AND status <> 'draft'`, e.Scope.FirmID))
	assert.Equal(t, n.Invoices, rep.Receivables.InvoicesChecked)
	assert.Equal(t, n.Matters, rep.Receivables.MattersChecked)
	assert.Equal(t, rep.Receivables.PMSUnpaid, rep.Receivables.QBOOpen)
	assert.NotZero(t, rep.Receivables.PMSUnpaid, "the seeded firm has unpaid invoices")
	require.Len(t, rep.Trust.Accounts, 2, "IOLTA and escrow")
	for _, a := range rep.Trust.Accounts {
		assert.NotZero(t, a.PMS, "%s holds client money", a.Name)
		assert.Equal(t, a.PMS, a.QBOBank)
		assert.Equal(t, a.PMS, a.QBOLiability)
	}
	sum := rep.Summary()
	assert.True(t, sum.OK)
	assert.Zero(t, sum.ReceivablesDifferenceCents+sum.TrustBankDifferenceCents+sum.TrustLiabilityDifferenceCents)
	assert.Contains(t, e.format(rep), "the books agree")

	// A slip with receipts of as many clients as any, so that the others can be seen to
	// agree.
	var pick struct {
		Slip      int64 `db:"slip_id"`
		Txn       int64 `db:"txn_id"`
		Client    int64 `db:"client_id"`
		Account   int64 `db:"bank_account_id"`
		AmountCts int64 `db:"amount_cents"`
	}
	require.NoError(t, e.DB.Get(&pick, `
		WITH slips AS (
		    SELECT t.deposit_slip_id, count(DISTINCT m.client_id) AS clients, count(*) AS receipts
		    FROM trust_transactions t JOIN matters m ON m.id = t.matter_id
		    WHERE t.firm_id = $1 AND t.deposit_slip_id IS NOT NULL GROUP BY t.deposit_slip_id)
		SELECT t.deposit_slip_id AS slip_id, t.id AS txn_id, m.client_id, t.bank_account_id, t.amount_cents
		FROM trust_transactions t JOIN matters m ON m.id = t.matter_id JOIN slips s USING (deposit_slip_id)
		ORDER BY s.clients DESC, s.receipts DESC, t.deposit_slip_id, t.id LIMIT 1`, e.Scope.FirmID))
	t.Logf("changing receipt %d on slip %d", pick.Txn, pick.Slip)

	// A bookkeeper raises the receipt's line by $100 in QBO.
	slipKey := strconv.FormatInt(pick.Slip, 10)
	m := e.mapping("deposit_slip", slipKey)
	dep, err := qbo.Get[qbo.Deposit](e.ctx, e.QC, m.QBOID)
	require.NoError(t, err)
	changed := false
	for i, l := range dep.Line {
		if l.Amount == qbo.Amount(pick.AmountCts) && l.DepositLineDetail.Entity.Value == e.customerOf(matterOf(t, e, pick.Txn)) {
			dep.Line[i].Amount += 10000
			changed = true
			break
		}
	}
	require.True(t, changed)
	var updated qbo.Deposit
	e.update("Deposit", qbo.Deposit{ID: dep.ID, SyncToken: dep.SyncToken, Sparse: true, Line: dep.Line}, &updated)

	rep = e.run(reconcile.Options{})
	require.False(t, rep.OK())
	assert.True(t, rep.Receivables.OK(), "receivables are untouched")
	for _, a := range rep.Trust.Accounts {
		if a.BankAccountID != pick.Account {
			assert.True(t, a.OK(), "the other trust account still reconciles")
			continue
		}
		assert.Equal(t, a.PMS+10000, a.QBOBank, "the deposit raised the QBO bank balance")
		assert.Equal(t, a.PMS+10000, a.QBOLiability, "and the liability with it")
		require.Len(t, a.Records, 1, "exactly one record: %+v", a.Records)
		r := a.Records[0]
		assert.Equal(t, "deposit_slip", r.Kind)
		assert.Equal(t, slipKey, r.SourceKey)
		assert.Equal(t, m.QBOID, r.QBOID)
		assert.Equal(t, r.PMSBank+10000, r.QBOBank)
		assert.Contains(t, r.Why, "changed in QuickBooks after qbosync posted it")
		require.Len(t, r.Lines, 1)
		assert.Equal(t, pick.Txn, r.Lines[0].TrustTxnID)
		assert.Equal(t, qbo.Amount(pick.AmountCts), r.Lines[0].PMS)
		assert.Equal(t, qbo.Amount(pick.AmountCts+10000), r.Lines[0].QBO)
		require.Len(t, a.Clients, 1, "exactly one client: %+v", a.Clients)
		assert.Equal(t, pick.Client, a.Clients[0].ClientID)
		assert.Equal(t, qbo.Amount(10000), a.Clients[0].QBO-a.Clients[0].PMS)
		assert.Empty(t, a.QBOOnly, "nothing was entered in QBO by hand")
		assert.Zero(t, a.UnexplainedBank)
		assert.Zero(t, a.UnexplainedLiability)
	}
	sum = rep.Summary()
	assert.Equal(t, reconcile.Summary{
		MattersChecked: n.Matters, InvoicesChecked: n.Invoices, TrustAccountsChecked: 2, TrustAccountsDiffering: 1,
		ClientsDiffering: 1, TrustRecordsDiffering: 1, TrustBankDifferenceCents: 10000, TrustLiabilityDifferenceCents: 10000,
	}, sum)
	raw, err := json.Marshal(sum)
	require.NoError(t, err)
	assert.Less(t, len(raw), 1024, "small enough for a query result: %s", raw)

	text := e.format(rep)
	t.Logf("\n%s", text)
	assert.Contains(t, text, "do NOT agree")
	assert.Contains(t, text, "Deposit slip DS-")
	assert.Contains(t, text, "$100.00")
	assert.Equal(t, 1, strings.Count(text, "does NOT reconcile"))
}

func matterOf(t *testing.T, e *env, txn int64) int64 {
	t.Helper()
	var id int64
	require.NoError(t, e.DB.Get(&id, `SELECT matter_id FROM trust_transactions WHERE id = $1`, txn))
	return id
}
