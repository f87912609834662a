package reconcile

import (
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
	long := clean(string(make([]rune, 0)) + stringsRepeat("Ω", 200))
	if r := []rune(long); len(r) != maxName || r[len(r)-1] != '…' {
		t.Errorf("a long name is cut to %d characters ending in an ellipsis, got %d: %q", maxName, len(r), long)
	}
}

func stringsRepeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}
