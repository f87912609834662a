package reconcile

import (
	"strings"
	"testing"

	"github.com/qbosync/qbosync/internal/qbo"
)

func TestDollarsWritesMoneyAsABookkeeperDoes(t *testing.T) {
	for cents, want := range map[int64]string{
		0: "$0.00", 5: "$0.05", -5: "-$0.05", 100: "$1.00", 123456: "$1,234.56", -123456: "-$1,234.56",
		99999: "$999.99", 100000: "$1,000.00", 100000000: "$1,000,000.00",
		-9223372036854775808: "-$92,233,720,368,547,758.08",
	} {
		if got := dollars(qbo.Amount(cents)); got != want {
			t.Errorf("dollars(%d) = %q, want %q", cents, got, want)
		}
	}
}

func TestCleanKeepsNamesOnOneReadableLine(t *testing.T) {
	if got := clean("Warehouse Lease\tUnit 4B\nHarbor  Plaza "); got != "Warehouse Lease Unit 4B Harbor Plaza" {
		t.Errorf("clean = %q", got)
	}
	long := clean(strings.Repeat("Ω", 200))
	if r := []rune(long); len(r) != maxName || r[len(r)-1] != '…' {
		t.Errorf("a long name is cut to %d characters ending in an ellipsis, got %d: %q", maxName, len(r), long)
	}
}

// Every name, number and explanation in the report comes from the practice system or
// QuickBooks; printed raw, a control sequence in one rewrites the operator's terminal.
func TestFormatPrintsPracticeDataTerminalSafe(t *testing.T) {
	const evil = "\x1b]0;pwned\x07Evil\u202eCo"
	r := Report{
		Receivables: ReceivablesReport{
			Matters: []MatterDifference{{MatterNumber: evil, MatterName: evil, ClientName: evil, PMSUnpaid: 100,
				Invoices: []InvoiceDifference{{InvoiceNumber: evil, QBOID: evil,
					Causes: []Cause{{Record: evil, PMS: 100, Why: evil}}}}}},
			Missing: []MissingInvoice{{InvoiceNumber: evil, IssuedOn: evil, MatterNumber: evil, MatterName: evil, ClientName: evil, Why: evil}},
		},
		Trust: TrustReport{
			Accounts: []TrustAccount{{Name: evil, QBOBankName: evil, QBOLiabilityName: evil, PMS: 1,
				Clients: []ClientTrustDifference{{ClientNumber: evil, ClientName: evil, PMS: 1}},
				Records: []TrustRecordDifference{{Label: evil, Date: evil, QBOEntity: evil, QBOID: evil, Why: evil,
					Lines: []TrustLineDifference{{TrustTxnID: 1, MatterNumber: evil, ClientName: evil, Why: evil}}}},
				QBOOnly: []QBOTransaction{{Entity: evil, ID: evil, Date: evil, DocNumber: evil, Why: evil}},
			}},
			Unmapped: []string{evil},
		},
	}
	var out strings.Builder
	if err := r.Format(&out); err != nil {
		t.Fatal(err)
	}
	if i := strings.IndexAny(out.String(), "\x1b\x07\u202e"); i >= 0 {
		t.Errorf("the report prints a raw control character at byte %d:\n%q", i, out.String())
	}
	// 32: every string field above that the report prints.
	if n := strings.Count(out.String(), `\x1b]0;pwned\aEvil\u202eCo`); n != 32 {
		t.Errorf("the report shows the name escaped %d times, want 32, one for each field printed:\n%s", n, out.String())
	}
}
