package reconcile

import (
	"strconv"
	"testing"
	"time"
)

// Which trust records the opening entry carries: those before the start date that are
// not in QBO on their own. A slip deposited from the start date on keeps its earlier
// receipts when slips post as one deposit; with one deposit per receipt, an unposted
// receipt from before the start date is the opening entry's even on such a slip.
func TestOpeningRecordsTakeWhatIsNotPostedAlone(t *testing.T) {
	txns := func() []trustTxn {
		return []trustTxn{
			{ID: 1, BankAccountID: 3, Kind: "deposit", TxnOn: "2026-02-27", Cents: 100, SlipID: 5, SlipDate: "2026-03-02", CustomerID: "58"},
			{ID: 2, BankAccountID: 3, Kind: "deposit", TxnOn: "2026-02-20", Cents: 40, CustomerID: "58"},
			{ID: 3, BankAccountID: 3, Kind: "disbursement", TxnOn: "2026-02-21", Cents: 15, CustomerID: "59", OwnQBOID: "p3", OwnEntity: "Purchase"},
			{ID: 4, BankAccountID: 3, Kind: "transfer_to_operating", TxnOn: "2026-02-22", Cents: 10, CustomerID: "59"},
			{ID: 6, BankAccountID: 3, Kind: "deposit", TxnOn: "2026-03-05", Cents: 7, CustomerID: "59"},
		}
	}
	since := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	accounts := map[int64]*TrustAccount{3: {BankAccountID: 3}}
	for _, c := range []struct {
		name          string
		receiptsAlone bool
		want          []string // kind key, and for the opening entry its lines
	}{
		{"slips post as one deposit", false, []string{"deposit_slip 5", "trust_disbursement 3", "trust_receipt 6", "trust_opening 3 58:40 59:-10"}},
		{"one deposit per receipt", true, []string{"trust_disbursement 3", "trust_receipt 6", "trust_opening 3 58:140 59:-10"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ts := txns()
			records := openingRecords(groupTrustRecords(ts, accounts, c.receiptsAlone), since, map[string]*trustRecord{})
			var got []string
			for _, r := range records {
				s := r.kind + " " + r.key
				if r.kind == "trust_opening" {
					for _, l := range r.txns {
						s += " " + l.CustomerID + ":" + strconv.FormatInt(int64(l.held()), 10)
					}
					if r.date != "2026-02-28" {
						t.Errorf("opening record dated %s", r.date)
					}
				}
				got = append(got, s)
			}
			if len(got) != len(c.want) {
				t.Fatalf("records %q, want %q", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("record %d = %q, want %q", i, got[i], c.want[i])
				}
			}
		})
	}
}
