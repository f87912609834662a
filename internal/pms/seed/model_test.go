package seed

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestAmountsRoundHalfUpToTheCent(t *testing.T) {
	for _, c := range []struct{ hundredths, rate, want int64 }{
		{100, 62500, 62500},
		{5, 28750, 1438},   // 1437.5
		{15, 28750, 4313},  // 4312.5
		{25, 33250, 8313},  // 8312.5
		{50, 33250, 16625}, // exact
		{4250, 70, 2975},   // 42.5 miles at 70¢
		{1, 1, 0},          // 0.01
		{0, 62500, 0},
	} {
		assert.Equal(t, c.want, mulHundredths(c.hundredths, c.rate), "%d hundredths at %d", c.hundredths, c.rate)
	}
	assert.Equal(t, int64(15), share(1000, 15, 1000))
	assert.Equal(t, int64(1), share(1, 1, 2))
	assert.Equal(t, "1.05", decimal(105))
	assert.Equal(t, "0.50", decimal(50))
}

func TestLedgerAvailable(t *testing.T) {
	var l ledger
	l.add(10, 100)
	assert.Equal(t, int64(0), l.available(10), "a deposit cannot be spent the day it is made")
	assert.Equal(t, int64(100), l.available(11))
	l.add(12, -60)
	assert.Equal(t, int64(40), l.available(11), "must leave what day 12 takes")
	l.add(15, 50)
	assert.Equal(t, int64(40), l.available(13))
	assert.Equal(t, int64(90), l.available(16))
	l.add(15, -90)
	assert.Equal(t, int64(0), l.available(13))
	assert.Equal(t, int64(0), l.available(5), "nothing before the first deposit")
	// replay order: by day, a day's withdrawals before its deposits
	assert.Equal(t, ledger{{10, 100}, {12, -60}, {15, -90}, {15, 50}}, l)
}

func TestDepositDay(t *testing.T) {
	on := func(s string) date {
		d, err := time.Parse(time.DateOnly, s)
		assert.NoError(t, err)
		return dateOf(d)
	}
	assert.Equal(t, on("2026-11-03"), depositDay(on("2026-11-01")), "Sunday -> Tuesday")
	assert.Equal(t, on("2026-11-03"), depositDay(on("2026-11-03")), "Tuesday stays")
	assert.Equal(t, on("2026-11-06"), depositDay(on("2026-11-04")), "Wednesday -> Friday")
	assert.Equal(t, "2026-11-01", on("2026-11-01").String())
	assert.Equal(t, on("2026-02-28"), on("2026-02-03").monthEnd())
}

func TestASCIISlug(t *testing.T) {
	assert.Equal(t, "hakansson", asciiSlug("Håkansson", "."))
	assert.Equal(t, "oneil", asciiSlug("O'Neil", "."))
	assert.Equal(t, "van.der.berg", asciiSlug("van der Berg", "."))
	assert.Equal(t, "bayside-realty-inc", asciiSlug("Bayside Realty, Inc.", "-"))
}

func TestEdgeCaseNamesAreLongEnough(t *testing.T) {
	assert.Greater(t, len([]rune(longCompanyName)), 100)
	assert.Greater(t, len([]rune(longMatterName)), 500)
}
