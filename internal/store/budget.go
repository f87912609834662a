package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/qbosync/qbosync/internal/qbo"
)

// DrawBudget is one process's round trip to a QBO company's request budget, shared by
// every process on this database (migration 00010_qbo_budgets.sql): it reserves send
// times and holds concurrent slots for the holder. It implements qbo.BudgetStore.
func (s *Store) DrawBudget(ctx context.Context, realm string, d qbo.BudgetDraw) (qbo.BudgetGrant, error) {
	var row struct {
		First     float64         `db:"first_ms"`
		Batches   pq.Float64Array `db:"batch_ms"`
		BatchOpen float64         `db:"batch_open_ms"`
		Slots     int             `db:"slots"`
		Usable    int             `db:"usable"`
		Paused    float64         `db:"paused_ms"`
	}
	own := make(pq.Float64Array, len(d.Own))
	for i, o := range d.Own {
		own[i] = millis(o)
	}
	err := s.db.GetContext(ctx, &row, `SELECT * FROM qbo_budget_draw($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		realm, d.Holder, d.Requests, d.Batches, d.InUse, d.WantSlots, millis(d.Pause),
		millis(d.Gap), d.BatchLimit, own, d.Concurrent, millis(d.TTL))
	if err != nil {
		return qbo.BudgetGrant{}, fmt.Errorf("draw on the QuickBooks company's request budget: %w", err)
	}
	g := qbo.BudgetGrant{First: fromMillis(row.First), BatchOpen: fromMillis(row.BatchOpen),
		Slots: row.Slots, Usable: row.Usable, Paused: fromMillis(row.Paused)}
	for _, ms := range row.Batches {
		g.Batches = append(g.Batches, fromMillis(ms))
	}
	return g, nil
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func fromMillis(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }
