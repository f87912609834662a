package reconcile

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/store"
)

// TrustReport is the three-way reconciliation of every trust bank account the sync
// posts to. Amounts are money held in trust: deposits positive, disbursements and
// transfers to operating negative; a QBO balance is in the account's natural sign (the
// bank's debit balance, the liability's credit balance).
type TrustReport struct {
	Accounts []TrustAccount `json:"accounts,omitempty"`
	// Unmapped names the practice trust accounts without both QBO accounts in the id
	// map: there is nothing in QBO to check them against (trust sync off, or the ledger
	// not set up yet).
	Unmapped []string `json:"unmapped,omitempty"`
}

// OK reports whether every trust account reconciles.
func (r TrustReport) OK() bool {
	for _, a := range r.Accounts {
		if !a.OK() {
			return false
		}
	}
	return true
}

// TrustAccount is one trust bank account: its three balances and, where they or a
// client's ledger disagree, the records that cause it.
type TrustAccount struct {
	BankAccountID    int64  `json:"bank_account_id"`
	Name             string `json:"name"`
	QBOBankID        string `json:"qbo_bank_id"`
	QBOBankName      string `json:"qbo_bank_name"`
	QBOLiabilityID   string `json:"qbo_liability_id"`
	QBOLiabilityName string `json:"qbo_liability_name"`
	// PMS is the sum of the practice system's client trust ledgers for the account.
	PMS qbo.Amount `json:"pms"`
	// QBOBank and QBOLiability are the QBO balances of the bank and liability accounts,
	// in full: with a start date, what the firm held before it is in them through the
	// opening entry (docs/design.md, "Opening balances").
	QBOBank      qbo.Amount `json:"qbo_bank"`
	QBOLiability qbo.Amount `json:"qbo_liability"`
	// Clients are the clients whose ledger differs from the liability QBO holds for
	// their customers, by client number.
	Clients []ClientTrustDifference `json:"clients,omitempty"`
	// Records are the practice trust records whose QBO counterpart differs or is missing.
	Records []TrustRecordDifference `json:"records,omitempty"`
	// QBOOnly are QBO transactions on the account's bank or liability that stand for no
	// practice trust record, such as a deposit entered in QBO by hand. QBO is searched
	// for them only when its balances are not fully explained by qbosync's records.
	QBOOnly []QBOTransaction `json:"qbo_only,omitempty"`
	// UnexplainedBank and UnexplainedLiability are what remains of the QBO balances once
	// qbosync's records and QBOOnly are accounted for: activity the search does not
	// cover (a Transfer, a bill payment, a transaction dated outside the period).
	UnexplainedBank      qbo.Amount `json:"unexplained_bank,omitempty"`
	UnexplainedLiability qbo.Amount `json:"unexplained_liability,omitempty"`
}

// OK reports whether the three balances agree and nothing in the account differs.
func (a TrustAccount) OK() bool {
	return a.QBOBank == a.PMS && a.QBOLiability == a.PMS && len(a.Clients) == 0 && len(a.Records) == 0 &&
		len(a.QBOOnly) == 0 && a.UnexplainedBank == 0 && a.UnexplainedLiability == 0
}

// ClientTrustDifference is a client whose trust ledger in the practice system differs
// from the trust liability QBO holds for the client's customers (the client's and its
// matters').
type ClientTrustDifference struct {
	ClientID     int64      `json:"client_id"` // 0: QBO lines whose customer stands for no client
	ClientNumber string     `json:"client_number"`
	ClientName   string     `json:"client_name"`
	PMS          qbo.Amount `json:"pms"`
	QBO          qbo.Amount `json:"qbo"`
}

// TrustRecordDifference is a practice trust record (a deposit slip, a receipt, a
// transfer to operating, a disbursement) whose QBO transaction does not say the same.
type TrustRecordDifference struct {
	Kind      string `json:"kind"` // the id map kind: deposit_slip, trust_receipt, trust_transfer, trust_disbursement
	SourceKey string `json:"source_key"`
	Label     string `json:"label"` // e.g. "deposit slip DS-0003"
	Date      string `json:"date"`
	QBOEntity string `json:"qbo_entity,omitempty"`
	QBOID     string `json:"qbo_id,omitempty"` // empty when the record is not in QBO
	// PMSBank and QBOBank are the record's effect on the trust bank account.
	PMSBank qbo.Amount `json:"pms_bank"`
	QBOBank qbo.Amount `json:"qbo_bank"`
	// Lines are the client lines that differ: a receipt, the liability side of a
	// transfer or disbursement.
	Lines []TrustLineDifference `json:"lines,omitempty"`
	Why   string                `json:"why"`
}

// TrustLineDifference is one trust transaction's line in a QBO transaction.
type TrustLineDifference struct {
	TrustTxnID   int64      `json:"trust_txn_id"` // 0: a QBO line no practice transaction accounts for
	MatterNumber string     `json:"matter_number,omitempty"`
	ClientName   string     `json:"client_name,omitempty"`
	PMS          qbo.Amount `json:"pms"`
	QBO          qbo.Amount `json:"qbo"`
	Why          string     `json:"why"`
}

// QBOTransaction is a QBO transaction on a trust account that qbosync did not post for
// a practice trust record.
type QBOTransaction struct {
	Entity    string     `json:"entity"`
	ID        string     `json:"id"`
	Date      string     `json:"date"`
	DocNumber string     `json:"doc_number,omitempty"`
	Bank      qbo.Amount `json:"bank"`      // its effect on the trust bank account
	Liability qbo.Amount `json:"liability"` // and on the trust liability
	Why       string     `json:"why"`
}

// trustAccountsSQL lists the practice trust accounts with the QBO bank and liability
// accounts the ledger category mapped them to (empty when not mapped).
const trustAccountsSQL = `
	SELECT b.id, b.name, COALESCE(bank.qbo_id, '') AS bank_qbo_id, COALESCE(liab.qbo_id, '') AS liability_qbo_id
	FROM bank_accounts b
	LEFT JOIN qbo_id_map bank ON bank.firm_id = b.firm_id AND bank.realm_id = $2 AND bank.kind = 'ledger'
	                         AND bank.source_key = 'trust_bank:' || b.id::text
	LEFT JOIN qbo_id_map liab ON liab.firm_id = b.firm_id AND liab.realm_id = $2 AND liab.kind = 'ledger'
	                         AND liab.source_key = 'trust_liability:' || b.id::text
	WHERE b.firm_id = $1 AND b.kind = 'trust'
	ORDER BY b.id`

// trustTxnsSQL lists every trust transaction with the date of its deposit slip, the
// customer they belong to in QBO (the matter's, or the client's when matters are not
// synced as sub-customers) and the id map entries that may stand for them: their deposit
// slip's, or their own. A *_changed column says the practice record changed after the
// mapping was last written.
const trustTxnsSQL = `
	SELECT t.id, t.bank_account_id, t.kind, to_char(t.txn_on, 'YYYY-MM-DD') AS txn_on, t.amount_cents,
	       t.payee, t.reference, m.matter_number, c.id AS client_id, c.client_number, c.name AS client_name,
	       COALESCE(t.deposit_slip_id, 0) AS slip_id, COALESCE(s.slip_number, '') AS slip_number,
	       COALESCE(to_char(s.deposited_on, 'YYYY-MM-DD'), '') AS slip_date,
	       COALESCE(mm.qbo_id, cm.qbo_id, '') AS customer_id,
	       COALESCE(sm.qbo_entity, '') AS slip_entity, COALESCE(sm.qbo_id, '') AS slip_qbo_id,
	       COALESCE(sm.sync_token, '') AS slip_sync_token,
	       COALESCE(t.updated_at > sm.updated_at OR s.updated_at > sm.updated_at, false) AS slip_changed,
	       COALESCE(tm.qbo_entity, '') AS own_entity, COALESCE(tm.qbo_id, '') AS own_qbo_id,
	       COALESCE(tm.sync_token, '') AS own_sync_token, COALESCE(t.updated_at > tm.updated_at, false) AS own_changed
	FROM trust_transactions t
	JOIN matters m ON m.firm_id = t.firm_id AND m.id = t.matter_id
	JOIN clients c ON c.firm_id = m.firm_id AND c.id = m.client_id
	LEFT JOIN deposit_slips s ON s.firm_id = t.firm_id AND s.id = t.deposit_slip_id
	LEFT JOIN qbo_id_map mm ON mm.firm_id = t.firm_id AND mm.realm_id = $2 AND mm.kind = 'matter'
	                       AND mm.source_key = t.matter_id::text
	LEFT JOIN qbo_id_map cm ON cm.firm_id = t.firm_id AND cm.realm_id = $2 AND cm.kind = 'client'
	                       AND cm.source_key = c.id::text
	LEFT JOIN qbo_id_map sm ON sm.firm_id = t.firm_id AND sm.realm_id = $2 AND sm.kind = 'deposit_slip'
	                       AND sm.source_key = t.deposit_slip_id::text
	LEFT JOIN qbo_id_map tm ON tm.firm_id = t.firm_id AND tm.realm_id = $2
	                       AND tm.kind = CASE t.kind WHEN 'deposit' THEN 'trust_receipt'
	                                                 WHEN 'disbursement' THEN 'trust_disbursement'
	                                                 ELSE 'trust_transfer' END
	                       AND tm.source_key = t.id::text
	WHERE t.firm_id = $1
	ORDER BY t.bank_account_id, t.txn_on, t.id`

// openingEntriesSQL lists the opening entries the sync posted, one per trust account
// (keyed by the practice account's id), as the id map records them.
const openingEntriesSQL = `
	SELECT source_key, qbo_entity, qbo_id, sync_token FROM qbo_id_map
	WHERE firm_id = $1 AND realm_id = $2 AND kind = 'trust_opening'`

// customerClientsSQL says which client each mapped QBO customer belongs to: a matter's
// sub-customer to the matter's client, a client's customer to the client.
const customerClientsSQL = `
	SELECT x.qbo_id, c.id AS client_id, c.client_number, c.name AS client_name
	FROM qbo_id_map x
	JOIN matters m ON m.firm_id = x.firm_id AND m.id = x.source_key::bigint
	JOIN clients c ON c.firm_id = m.firm_id AND c.id = m.client_id
	WHERE x.firm_id = $1 AND x.realm_id = $2 AND x.kind = 'matter'
	UNION ALL
	SELECT x.qbo_id, c.id, c.client_number, c.name
	FROM qbo_id_map x
	JOIN clients c ON c.firm_id = x.firm_id AND c.id = x.source_key::bigint
	WHERE x.firm_id = $1 AND x.realm_id = $2 AND x.kind = 'client'`

// qboOwnersSQL says which record of any kind the given QBO transactions stand for.
const qboOwnersSQL = `
	SELECT qbo_entity, qbo_id, kind, source_key FROM qbo_id_map
	WHERE firm_id = $1 AND realm_id = $2 AND qbo_id = ANY($3)`

type trustTxn struct {
	ID            int64  `db:"id"`
	BankAccountID int64  `db:"bank_account_id"`
	Kind          string `db:"kind"`
	TxnOn         string `db:"txn_on"`
	Cents         int64  `db:"amount_cents"`
	Payee         string `db:"payee"`
	Reference     string `db:"reference"`
	MatterNumber  string `db:"matter_number"`
	ClientID      int64  `db:"client_id"`
	ClientNumber  string `db:"client_number"`
	ClientName    string `db:"client_name"`
	SlipID        int64  `db:"slip_id"`
	SlipNumber    string `db:"slip_number"`
	SlipDate      string `db:"slip_date"`
	CustomerID    string `db:"customer_id"`
	SlipEntity    string `db:"slip_entity"`
	SlipQBOID     string `db:"slip_qbo_id"`
	SlipSyncToken string `db:"slip_sync_token"`
	SlipChanged   bool   `db:"slip_changed"`
	OwnEntity     string `db:"own_entity"`
	OwnQBOID      string `db:"own_qbo_id"`
	OwnSyncToken  string `db:"own_sync_token"`
	OwnChanged    bool   `db:"own_changed"`
}

// kindOpening is the kind of the made-up transactions that stand, in the opening
// record, for what one customer held before the start date: their Cents is that
// balance, with its sign.
const kindOpening = "opening"

// held is the transaction's effect on the money held in trust.
func (t *trustTxn) held() qbo.Amount {
	switch t.Kind {
	case "deposit", kindOpening:
		return qbo.Amount(t.Cents)
	}
	return -qbo.Amount(t.Cents)
}

func (t *trustTxn) ownKind() string {
	switch t.Kind {
	case "deposit":
		return "trust_receipt"
	case "disbursement":
		return "trust_disbursement"
	}
	return "trust_transfer"
}

// trustRecord is what the sync posts as one QBO transaction: a deposit slip's receipts,
// or a single trust transaction.
type trustRecord struct {
	kind, key, label, date string
	account                int64
	entity, qboID, token   string // the mapping; qboID "" when not mapped
	changed                bool   // the practice record changed after the mapping was written
	txns                   []*trustTxn
}

// defaultEntity is the QBO entity a record kind is posted as (docs/posting.md, "Trust
// money").
var defaultEntity = map[string]string{
	"deposit_slip": "Deposit", "trust_receipt": "Deposit", "trust_transfer": "JournalEntry", "trust_disbursement": "Purchase",
	"trust_opening": "JournalEntry",
}

type clientInfo struct {
	QBOID  string `db:"qbo_id"`
	ID     int64  `db:"client_id"`
	Number string `db:"client_number"`
	Name   string `db:"client_name"`
}

// Trust performs the three-way reconciliation of every trust bank account that has both
// its QBO bank and liability account in the id map: QBO's bank balance, QBO's liability
// balance and the sum of the practice client ledgers must agree, and so must each
// client's ledger with the liability lines QBO holds for the client's customers.
//
// Balances are full on both sides: the practice ledgers count every transaction, QBO's
// balances are the accounts' CurrentBalance. With Options.Since, the records dated before
// it that the sync does not post on their own are carried by the account's opening
// entry, compared customer by customer like any record (openingRecords). The per-client
// and per-record comparison reads the QBO transactions the id map names for the
// practice trust records, in bulk.
func Trust(ctx context.Context, db sqlx.QueryerContext, qc *qbo.Client, sc store.Scope, opts Options) (TrustReport, error) {
	var rep TrustReport
	var accts []struct {
		ID          int64  `db:"id"`
		Name        string `db:"name"`
		BankQBOID   string `db:"bank_qbo_id"`
		LiabilityID string `db:"liability_qbo_id"`
	}
	if err := sqlx.SelectContext(ctx, db, &accts, trustAccountsSQL, sc.FirmID, sc.RealmID); err != nil {
		return TrustReport{}, fmt.Errorf("reconcile: trust accounts: %w", err)
	}
	byID := map[int64]*TrustAccount{}
	var accountIDs []string
	for _, a := range accts {
		if a.BankQBOID == "" || a.LiabilityID == "" {
			rep.Unmapped = append(rep.Unmapped, a.Name)
			continue
		}
		rep.Accounts = append(rep.Accounts, TrustAccount{BankAccountID: a.ID, Name: a.Name, QBOBankID: a.BankQBOID, QBOLiabilityID: a.LiabilityID})
		accountIDs = append(accountIDs, a.BankQBOID, a.LiabilityID)
	}
	if len(rep.Accounts) == 0 {
		return rep, nil
	}
	for i := range rep.Accounts {
		byID[rep.Accounts[i].BankAccountID] = &rep.Accounts[i]
	}
	if err := qboBalances(ctx, qc, rep.Accounts, accountIDs); err != nil {
		return TrustReport{}, err
	}

	var txns []trustTxn
	if err := sqlx.SelectContext(ctx, db, &txns, trustTxnsSQL, sc.FirmID, sc.RealmID); err != nil {
		return TrustReport{}, fmt.Errorf("reconcile: trust transactions: %w", err)
	}
	var custRows []clientInfo
	if err := sqlx.SelectContext(ctx, db, &custRows, customerClientsSQL, sc.FirmID, sc.RealmID); err != nil {
		return TrustReport{}, fmt.Errorf("reconcile: customers: %w", err)
	}
	clientOf := map[string]clientInfo{}
	for _, c := range custRows {
		clientOf[c.QBOID] = c
	}
	fails, err := loadFailures(ctx, db, sc)
	if err != nil {
		return TrustReport{}, err
	}

	records := groupTrustRecords(txns, byID, opts.ReceiptsAlone)
	if !opts.Since.IsZero() {
		var opening []struct {
			Key    string `db:"source_key"`
			Entity string `db:"qbo_entity"`
			ID     string `db:"qbo_id"`
			Token  string `db:"sync_token"`
		}
		if err := sqlx.SelectContext(ctx, db, &opening, openingEntriesSQL, sc.FirmID, sc.RealmID); err != nil {
			return TrustReport{}, fmt.Errorf("reconcile: opening entries: %w", err)
		}
		mapped := map[string]*trustRecord{}
		for _, o := range opening {
			mapped[o.Key] = &trustRecord{entity: o.Entity, qboID: o.ID, token: o.Token}
		}
		records = openingRecords(records, opts.Since, mapped)
	}
	qTxns, err := readTrustTxns(ctx, qc, records)
	if err != nil {
		return TrustReport{}, err
	}

	// Client ledgers on both sides, per trust account; QBO's from the liability lines of
	// the transactions read, attributed to clients through their customers.
	type clientKey struct {
		account, client int64
	}
	pmsClient, qboClient := map[clientKey]qbo.Amount{}, map[clientKey]qbo.Amount{}
	clients := map[int64]clientInfo{}
	addQBO := func(account int64, l heldLine) {
		c, ok := clientOf[l.customer]
		if ok {
			clients[c.ID] = c
		}
		qboClient[clientKey{account, c.ID}] += l.amount
	}
	for _, t := range txns {
		if byID[t.BankAccountID] == nil {
			continue
		}
		byID[t.BankAccountID].PMS += t.held()
		pmsClient[clientKey{t.BankAccountID, t.ClientID}] += t.held()
		clients[t.ClientID] = clientInfo{ID: t.ClientID, Number: t.ClientNumber, Name: t.ClientName}
	}

	mappedBank, mappedLiab := map[int64]qbo.Amount{}, map[int64]qbo.Amount{}
	mapped := map[string]bool{} // "Entity:Id" of every QBO transaction read for a record
	for _, r := range records {
		a := byID[r.account]
		q := qTxns[r.entity+":"+r.qboID]
		if q != nil && !mapped[r.entity+":"+r.qboID] {
			mapped[r.entity+":"+r.qboID] = true
			// What the transaction does to every trust account, whichever it was meant for.
			for _, acct := range rep.Accounts {
				mappedBank[acct.BankAccountID] += q.bank(acct.QBOBankID)
				for _, l := range q.held(acct.QBOLiabilityID) {
					mappedLiab[acct.BankAccountID] += l.amount
					addQBO(acct.BankAccountID, l)
				}
			}
		}
		if d, ok := compareRecord(r, q, a, fails); !ok {
			a.Records = append(a.Records, d)
		}
	}
	for i := range rep.Accounts {
		a := &rep.Accounts[i]
		a.UnexplainedBank = a.QBOBank - mappedBank[a.BankAccountID]
		a.UnexplainedLiability = a.QBOLiability - mappedLiab[a.BankAccountID]
	}
	if err := findQBOOnly(ctx, db, qc, sc, rep.Accounts, mapped, addQBO); err != nil {
		return TrustReport{}, err
	}

	for i := range rep.Accounts {
		a := &rep.Accounts[i]
		seen := map[int64]bool{}
		for _, m := range []map[clientKey]qbo.Amount{pmsClient, qboClient} {
			for k := range m {
				if k.account != a.BankAccountID || seen[k.client] {
					continue
				}
				seen[k.client] = true
				if pmsClient[k] == qboClient[k] {
					continue
				}
				c := clients[k.client]
				if k.client == 0 {
					c.Name = "(QuickBooks lines without a client of the practice system)"
				}
				a.Clients = append(a.Clients, ClientTrustDifference{ClientID: k.client, ClientNumber: c.Number, ClientName: c.Name,
					PMS: pmsClient[k], QBO: qboClient[k]})
			}
		}
		slices.SortFunc(a.Clients, func(x, y ClientTrustDifference) int {
			return cmp.Or(cmp.Compare(x.ClientNumber, y.ClientNumber), cmp.Compare(x.ClientID, y.ClientID))
		})
	}
	return rep, nil
}

// groupTrustRecords groups the trust transactions of the checked accounts into the
// records the sync posts. A receipt on a deposit slip belongs to the slip's Deposit, or,
// when the firm posts one deposit per receipt (receiptsAlone, or another receipt of
// that slip was posted on its own), to its own.
func groupTrustRecords(txns []trustTxn, accounts map[int64]*TrustAccount, receiptsAlone bool) []*trustRecord {
	perReceipt := map[int64]bool{} // slips whose receipts are posted one by one
	for _, t := range txns {
		if t.SlipID != 0 && t.OwnQBOID != "" {
			perReceipt[t.SlipID] = true
		}
	}
	byKey := map[[2]string]*trustRecord{}
	var out []*trustRecord
	for i := range txns {
		t := &txns[i]
		if accounts[t.BankAccountID] == nil {
			continue
		}
		r := &trustRecord{kind: t.ownKind(), key: strconv.FormatInt(t.ID, 10), date: t.TxnOn, account: t.BankAccountID,
			entity: t.OwnEntity, qboID: t.OwnQBOID, token: t.OwnSyncToken, changed: t.OwnChanged}
		switch t.Kind {
		case "deposit":
			r.label = "trust receipt " + r.key
			if t.Reference != "" {
				r.label += " (" + t.Reference + ")"
			}
			if t.SlipID != 0 && (t.SlipQBOID != "" || (t.OwnQBOID == "" && !perReceipt[t.SlipID] && !receiptsAlone)) {
				r = &trustRecord{kind: "deposit_slip", key: strconv.FormatInt(t.SlipID, 10), label: "deposit slip " + t.SlipNumber,
					date: cmp.Or(t.SlipDate, t.TxnOn), account: t.BankAccountID, entity: t.SlipEntity, qboID: t.SlipQBOID, token: t.SlipSyncToken, changed: t.SlipChanged}
			}
		case "disbursement":
			r.label = "trust disbursement " + r.key + " to " + t.Payee
			if t.Reference != "" {
				r.label += " (" + t.Reference + ")"
			}
		default:
			r.label = "transfer to operating " + r.key
			if t.Reference != "" {
				r.label += " (" + t.Reference + ")"
			}
		}
		if r.entity == "" {
			r.entity = defaultEntity[r.kind]
		}
		k := [2]string{r.kind, r.key}
		if have, ok := byKey[k]; ok {
			have.txns = append(have.txns, t)
			have.changed = have.changed || r.changed
			continue
		}
		r.txns = []*trustTxn{t}
		byKey[k] = r
		out = append(out, r)
	}
	return out
}

// openingRecords moves the records dated before since that QBO does not hold on their
// own into one opening record per trust account, the journal entry the sync posts as of
// the day before since (docs/design.md, "Opening balances"): a made-up transaction per
// customer stands for what the customer held, and customers holding nothing have no
// line. A record already in QBO on its own stays itself, whatever its date (one moved
// before the start date after it synced), and so does a deposit slip dated from since
// on, with its receipts from before it (the check received before the start date and
// banked after it). mapped holds the opening entries the id map names, by account id.
//
// This is reconcile's own reading of the rule the sync posts by, not the sync's code:
// where the two part, the books differ and the report says where.
func openingRecords(records []*trustRecord, since time.Time, mapped map[string]*trustRecord) []*trustRecord {
	day := since.Format(time.DateOnly)
	asOf := since.AddDate(0, 0, -1).Format(time.DateOnly)
	var out []*trustRecord
	opening := map[int64]*trustRecord{}
	var order []int64
	for _, r := range records {
		if r.qboID != "" || r.date >= day {
			out = append(out, r)
			continue
		}
		o := opening[r.account]
		if o == nil {
			key := strconv.FormatInt(r.account, 10)
			o = &trustRecord{kind: "trust_opening", key: key, label: "opening trust balances", date: asOf, account: r.account,
				entity: defaultEntity["trust_opening"]}
			if m := mapped[key]; m != nil {
				o.entity, o.qboID, o.token = cmp.Or(m.entity, o.entity), m.qboID, m.token
			}
			opening[r.account] = o
			order = append(order, r.account)
		}
		for _, t := range r.txns {
			i := slices.IndexFunc(o.txns, func(x *trustTxn) bool { return x.CustomerID == t.CustomerID })
			if i < 0 {
				o.txns = append(o.txns, &trustTxn{Kind: kindOpening, BankAccountID: t.BankAccountID, CustomerID: t.CustomerID,
					MatterNumber: t.MatterNumber, ClientID: t.ClientID, ClientNumber: t.ClientNumber, ClientName: t.ClientName, TxnOn: asOf})
				i = len(o.txns) - 1
			}
			o.txns[i].Cents += int64(t.held())
		}
	}
	for _, account := range order {
		o := opening[account]
		o.txns = slices.DeleteFunc(o.txns, func(t *trustTxn) bool { return t.Cents == 0 })
		if len(o.txns) > 0 {
			out = append(out, o)
		}
	}
	return out
}

// qboBalances sets each account's QBO bank and liability balance: its CurrentBalance.
func qboBalances(ctx context.Context, qc *qbo.Client, accounts []TrustAccount, ids []string) error {
	qAccts, err := readByID(ctx, qc, nil, "Account", ids, func(v *qbo.Account) string { return v.ID })
	if err != nil {
		return err
	}
	for i := range accounts {
		a := &accounts[i]
		if q := qAccts[a.QBOBankID]; q != nil {
			a.QBOBankName, a.QBOBank = cmp.Or(q.FullyQualifiedName, q.Name), amountOf(q.CurrentBalance)
		}
		if q := qAccts[a.QBOLiabilityID]; q != nil {
			a.QBOLiabilityName, a.QBOLiability = cmp.Or(q.FullyQualifiedName, q.Name), amountOf(q.CurrentBalance)
		}
	}
	return nil
}

// qboTxn is a QBO transaction reduced to what it does to accounts.
type qboTxn struct {
	entity, id, token, date, docNumber string
	postings                           []qboPosting
	source                             string // the account a Deposit goes to, a Purchase comes from
}

// qboPosting is one ledger line: debit positive, with the customer it is for.
type qboPosting struct {
	account, customer string
	debit             qbo.Amount
}

// heldLine is a liability line as money held for a customer.
type heldLine struct {
	customer string
	amount   qbo.Amount
}

// bank is the transaction's effect on a bank account (debit positive: money in).
func (t *qboTxn) bank(account string) qbo.Amount {
	var sum qbo.Amount
	for _, p := range t.postings {
		if p.account == account {
			sum += p.debit
		}
	}
	return sum
}

// held lists the transaction's lines on a liability account as money held (credit
// positive).
func (t *qboTxn) held(account string) []heldLine {
	var out []heldLine
	for _, p := range t.postings {
		if p.account == account {
			out = append(out, heldLine{p.customer, -p.debit})
		}
	}
	return out
}

func depositTxn(d *qbo.Deposit) *qboTxn {
	t := &qboTxn{entity: "Deposit", id: d.ID, token: d.SyncToken, date: d.TxnDate, docNumber: d.DocNumber,
		source: refValue(d.DepositToAccountRef)}
	t.postings = append(t.postings, qboPosting{account: t.source, debit: amountOf(d.TotalAmt)})
	for _, l := range d.Line {
		if l.DepositLineDetail != nil {
			t.postings = append(t.postings, qboPosting{account: refValue(l.DepositLineDetail.AccountRef),
				customer: refValue(l.DepositLineDetail.Entity), debit: -l.Amount})
		}
	}
	if d.CashBack != nil {
		t.postings = append(t.postings, qboPosting{account: refValue(d.CashBack.AccountRef), debit: d.CashBack.Amount})
	}
	return t
}

func purchaseTxn(p *qbo.Purchase) *qboTxn {
	sign := qbo.Amount(1) // money out: the lines are debited
	if p.Credit != nil && *p.Credit {
		sign = -1
	}
	t := &qboTxn{entity: "Purchase", id: p.ID, token: p.SyncToken, date: p.TxnDate, docNumber: p.DocNumber,
		source: refValue(p.AccountRef)}
	t.postings = append(t.postings, qboPosting{account: t.source, debit: -sign * amountOf(p.TotalAmt)})
	for _, l := range p.Line {
		if d := l.AccountBasedExpenseLineDetail; d != nil {
			t.postings = append(t.postings, qboPosting{account: refValue(d.AccountRef), customer: refValue(d.CustomerRef), debit: sign * l.Amount})
		}
	}
	return t
}

func journalTxn(j *qbo.JournalEntry) *qboTxn {
	t := &qboTxn{entity: "JournalEntry", id: j.ID, token: j.SyncToken, date: j.TxnDate, docNumber: j.DocNumber}
	for _, l := range j.Line {
		d := l.JournalEntryLineDetail
		if d == nil {
			continue
		}
		p := qboPosting{account: refValue(d.AccountRef), debit: l.Amount}
		if d.PostingType == qbo.Credit {
			p.debit = -l.Amount
		}
		if d.Entity != nil && (d.Entity.Type == "" || d.Entity.Type == "Customer") {
			p.customer = refValue(d.Entity.EntityRef)
		}
		t.postings = append(t.postings, p)
	}
	return t
}

func paymentTxn(p *qbo.Payment) *qboTxn {
	t := &qboTxn{entity: "Payment", id: p.ID, token: p.SyncToken, date: p.TxnDate, source: refValue(p.DepositToAccountRef)}
	t.postings = append(t.postings, qboPosting{account: t.source, customer: refValue(p.CustomerRef), debit: amountOf(p.TotalAmt)})
	return t
}

// readTrustTxns reads the QBO transactions the records are mapped to, by "Entity:Id".
func readTrustTxns(ctx context.Context, qc *qbo.Client, records []*trustRecord) (map[string]*qboTxn, error) {
	ids := map[string][]string{}
	for _, r := range records {
		if r.qboID != "" {
			ids[r.entity] = append(ids[r.entity], r.qboID)
		}
	}
	out := map[string]*qboTxn{}
	add := func(t *qboTxn) { out[t.entity+":"+t.id] = t }
	for entity, list := range ids {
		switch entity {
		case "Deposit":
			m, err := readByID(ctx, qc, nil, entity, list, func(v *qbo.Deposit) string { return v.ID })
			if err != nil {
				return nil, err
			}
			for _, v := range m {
				add(depositTxn(v))
			}
		case "Purchase":
			m, err := readByID(ctx, qc, nil, entity, list, func(v *qbo.Purchase) string { return v.ID })
			if err != nil {
				return nil, err
			}
			for _, v := range m {
				add(purchaseTxn(v))
			}
		case "JournalEntry":
			m, err := readByID(ctx, qc, nil, entity, list, func(v *qbo.JournalEntry) string { return v.ID })
			if err != nil {
				return nil, err
			}
			for _, v := range m {
				add(journalTxn(v))
			}
		default:
			return nil, fmt.Errorf("reconcile: the id map names a %s for a trust record; expected a Deposit, Purchase or JournalEntry", entity)
		}
	}
	return out, nil
}

// compareRecord compares a practice trust record with its QBO transaction (nil when it
// is not mapped or was deleted in QBO) on the account's bank and liability, line by
// line. ok is true when they agree.
func compareRecord(r *trustRecord, q *qboTxn, a *TrustAccount, fails failures) (d TrustRecordDifference, ok bool) {
	d = TrustRecordDifference{Kind: r.kind, SourceKey: r.key, Label: r.label, Date: r.date}
	for _, t := range r.txns {
		d.PMSBank += t.held()
	}
	if r.qboID == "" {
		keys := []string{r.kind, r.key}
		if r.kind == "deposit_slip" {
			for _, t := range r.txns {
				keys = append(keys, "trust_receipt", strconv.FormatInt(t.ID, 10))
			}
		}
		d.Why = fails.why("It", keys...)
		return d, false
	}
	d.QBOEntity, d.QBOID = r.entity, r.qboID
	if q == nil {
		d.Why = fmt.Sprintf("QuickBooks %s %s no longer exists: it was deleted in QuickBooks.", r.entity, r.qboID)
		return d, false
	}
	d.QBOBank = q.bank(a.QBOBankID)
	d.Lines = compareLines(r.txns, q.held(a.QBOLiabilityID))
	if d.QBOBank == d.PMSBank && len(d.Lines) == 0 {
		return d, true
	}
	var why []string
	if q.source != "" && q.source != a.QBOBankID {
		why = append(why, fmt.Sprintf("it is posted to QuickBooks account %s instead of the trust bank account %s", q.source, a.QBOBankID))
	}
	switch f, failed := fails[[2]string{r.kind, r.key}]; {
	case r.token != "" && q.token != r.token:
		why = append(why, fmt.Sprintf("it was changed in QuickBooks after qbosync posted it (QuickBooks version %s, qbosync wrote version %s)", q.token, r.token))
	case failed:
		why = append(why, "the sync failed to update it: "+strings.TrimRight(f.text(), ". "))
	case r.changed:
		why = append(why, "it changed in the practice system after it synced and the change is not in QuickBooks yet")
	}
	if len(why) == 0 {
		why = append(why, "QuickBooks and the practice system record different amounts")
	}
	d.Why = capitalize(strings.Join(why, "; ")) + "."
	return d, false
}

// compareLines pairs a record's trust transactions with the QBO liability lines: first
// same customer and amount, then same customer (the amount differs), then same amount
// (the customer differs). What is left is missing from QBO, or in QBO only. Only the
// pairs that differ are returned.
func compareLines(txns []*trustTxn, lines []heldLine) []TrustLineDifference {
	used := make([]bool, len(lines))
	matched := make([]bool, len(txns))
	var out []TrustLineDifference
	pass := func(match func(t *trustTxn, l heldLine) bool, why func(t *trustTxn, l heldLine) string) {
		for i, t := range txns {
			if matched[i] {
				continue
			}
			for j, l := range lines {
				if used[j] || !match(t, l) {
					continue
				}
				matched[i], used[j] = true, true
				if w := why(t, l); w != "" {
					out = append(out, TrustLineDifference{TrustTxnID: t.ID, MatterNumber: t.MatterNumber, ClientName: t.ClientName,
						PMS: t.held(), QBO: l.amount, Why: w})
				}
				break
			}
		}
	}
	pass(func(t *trustTxn, l heldLine) bool { return l.customer == t.CustomerID && l.amount == t.held() },
		func(*trustTxn, heldLine) string { return "" })
	pass(func(t *trustTxn, l heldLine) bool { return l.customer == t.CustomerID },
		func(*trustTxn, heldLine) string { return "The amounts differ." })
	pass(func(t *trustTxn, l heldLine) bool { return l.amount == t.held() },
		func(t *trustTxn, l heldLine) string {
			return fmt.Sprintf("QuickBooks books it to customer %s instead of the matter's customer %s.", cmp.Or(l.customer, "(none)"), cmp.Or(t.CustomerID, "(not synced)"))
		})
	for i, t := range txns {
		if !matched[i] {
			out = append(out, TrustLineDifference{TrustTxnID: t.ID, MatterNumber: t.MatterNumber, ClientName: t.ClientName,
				PMS: t.held(), Why: "QuickBooks has no line for it on the trust liability account."})
		}
	}
	for j, l := range lines {
		if !used[j] {
			out = append(out, TrustLineDifference{QBO: l.amount,
				Why: fmt.Sprintf("QuickBooks has a line of %s (customer %s) that the practice system has no transaction for.", dollars(l.amount), cmp.Or(l.customer, "none"))})
		}
	}
	return out
}

// findQBOOnly looks, for every account whose QBO balances qbosync's records do not fully
// explain, for the QBO transactions on it that no practice trust record accounts for,
// and hands each one's liability lines to held. It reads every deposit, journal entry,
// purchase and payment of the period, so it runs only when there is something to find.
func findQBOOnly(ctx context.Context, db sqlx.QueryerContext, qc *qbo.Client, sc store.Scope, accounts []TrustAccount,
	mapped map[string]bool, held func(account int64, l heldLine)) error {
	var suspect []*TrustAccount
	for i := range accounts {
		if accounts[i].UnexplainedBank != 0 || accounts[i].UnexplainedLiability != 0 {
			suspect = append(suspect, &accounts[i])
		}
	}
	if len(suspect) == 0 {
		return nil
	}
	var all []*qboTxn
	for _, entity := range []string{"Deposit", "JournalEntry", "Purchase", "Payment"} {
		// Every date: the balances compared are full.
		text, err := qbo.Select(entity).OrderBy("Id").Build()
		if err != nil {
			return fmt.Errorf("reconcile: %w", err)
		}
		switch entity {
		case "Deposit":
			rows, err := qbo.QueryAll[qbo.Deposit](ctx, qc, text)
			for i := range rows {
				all = append(all, depositTxn(&rows[i]))
			}
			if err != nil {
				return fmt.Errorf("reconcile: search deposits: %w", err)
			}
		case "JournalEntry":
			rows, err := qbo.QueryAll[qbo.JournalEntry](ctx, qc, text)
			for i := range rows {
				all = append(all, journalTxn(&rows[i]))
			}
			if err != nil {
				return fmt.Errorf("reconcile: search journal entries: %w", err)
			}
		case "Purchase":
			rows, err := qbo.QueryAll[qbo.Purchase](ctx, qc, text)
			for i := range rows {
				all = append(all, purchaseTxn(&rows[i]))
			}
			if err != nil {
				return fmt.Errorf("reconcile: search purchases: %w", err)
			}
		case "Payment":
			rows, err := qbo.QueryAll[qbo.Payment](ctx, qc, text)
			for i := range rows {
				all = append(all, paymentTxn(&rows[i]))
			}
			if err != nil {
				return fmt.Errorf("reconcile: search payments: %w", err)
			}
		}
	}
	type hit struct {
		account *TrustAccount
		txn     *qboTxn
		bank    qbo.Amount
		liab    qbo.Amount
	}
	var hits []hit
	var ids []string
	for _, t := range all {
		if mapped[t.entity+":"+t.id] {
			continue
		}
		for _, a := range suspect {
			bank := t.bank(a.QBOBankID)
			var liab qbo.Amount
			touches := bank != 0
			for _, p := range t.postings {
				touches = touches || p.account == a.QBOBankID || p.account == a.QBOLiabilityID
			}
			lines := t.held(a.QBOLiabilityID)
			for _, l := range lines {
				liab += l.amount
			}
			if touches {
				for _, l := range lines {
					held(a.BankAccountID, l)
				}
				hits = append(hits, hit{a, t, bank, liab})
				ids = append(ids, t.id)
			}
		}
	}
	var owners []struct {
		Entity    string `db:"qbo_entity"`
		ID        string `db:"qbo_id"`
		Kind      string `db:"kind"`
		SourceKey string `db:"source_key"`
	}
	if len(ids) > 0 {
		if err := sqlx.SelectContext(ctx, db, &owners, qboOwnersSQL, sc.FirmID, sc.RealmID, pq.Array(ids)); err != nil {
			return fmt.Errorf("reconcile: owners of QuickBooks transactions: %w", err)
		}
	}
	owner := map[string]string{}
	for _, o := range owners {
		owner[o.Entity+":"+o.ID] = o.Kind + " " + o.SourceKey
	}
	for _, h := range hits {
		why := "Entered in QuickBooks, not by qbosync: the practice system has no trust record for it."
		if o, ok := owner[h.txn.entity+":"+h.txn.id]; ok {
			why = fmt.Sprintf("Posted by qbosync for %s, but that record is not expected here: a duplicate, a record of another account, or one dated outside the period checked.", o)
		}
		h.account.QBOOnly = append(h.account.QBOOnly, QBOTransaction{Entity: h.txn.entity, ID: h.txn.id, Date: h.txn.date,
			DocNumber: h.txn.docNumber, Bank: h.bank, Liability: h.liab, Why: why})
		h.account.UnexplainedBank -= h.bank
		h.account.UnexplainedLiability -= h.liab
	}
	for _, a := range suspect {
		slices.SortFunc(a.QBOOnly, func(x, y QBOTransaction) int {
			return cmp.Or(cmp.Compare(x.Date, y.Date), cmp.Compare(x.Entity, y.Entity), compareIDs(x.ID, y.ID))
		})
	}
	return nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
