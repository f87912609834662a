package web

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/qbosync/qbosync/workflows/syncapi"
)

// consoleView is what the console shows, and what GET /api/sync answers.
type consoleView struct {
	Status syncapi.Summary `json:"status"`
	// StatusWords is the status in words: Up to date, Syncing, Paused, ...
	StatusWords string `json:"status_words"`
	// LagSeconds is how long ago the last cycle finished (0 before the first).
	LagSeconds     int64          `json:"lag_seconds"`
	Company        Company        `json:"company"`
	NeedsReconnect bool           `json:"needs_reconnect"`
	Totals         syncapi.Counts `json:"totals"`
	// Records are every record by kind and latest outcome.
	Records  []KindRecords  `json:"records"`
	Failures []FailureGroup `json:"failures"`
	Books    *BooksReport   `json:"books"`
	Backfill *backfillView  `json:"backfill"`
}

// consolePage is the console page: the view, what was just asked for, and the forms'
// anti-forgery value.
type consolePage struct {
	consoleView
	Done string
	CSRF string
}

// consoleView reads everything the console shows for a firm. A sync that stopped for a
// reconnect may not answer its query; the connection says why, and the page offers
// the reconnect.
func (s *Server) consoleView(ctx context.Context, firm int64) (consoleView, error) {
	company, err := s.Console.Company(ctx, firm)
	if err != nil {
		return consoleView{}, err
	}
	sum, err := s.Console.Status(ctx, firm)
	if err != nil && company.Status != needsReconnect {
		return consoleView{}, err
	}
	if err != nil {
		sum = syncapi.Summary{FirmID: firm, RealmID: company.RealmID, Status: syncapi.StatusNeedsReconnect, Reason: company.Reason}
	}
	v := consoleView{Status: sum, StatusWords: statusWords(sum.Status), Company: company,
		NeedsReconnect: company.Status == needsReconnect || sum.Status == syncapi.StatusNeedsReconnect}
	if !sum.LastRunAt.IsZero() {
		v.LagSeconds = int64(time.Since(sum.LastRunAt).Seconds())
	}
	for _, c := range sum.Categories {
		v.Totals = v.Totals.Plus(c.Counts)
	}
	if err := s.consoleRecords(ctx, firm, &v); err != nil {
		return consoleView{}, err
	}
	return v, nil
}

// consoleRecords adds what the store and the backfill hold: the failed records, the
// latest reconciliation, the latest backfill.
func (s *Server) consoleRecords(ctx context.Context, firm int64, v *consoleView) error {
	items, err := s.Console.FailedItems(ctx, firm)
	if err != nil {
		return err
	}
	v.Failures = groupFailures(items)
	if v.Records, err = s.Console.Records(ctx, firm); err != nil {
		return err
	}
	if v.Books, err = s.Console.Books(ctx, firm); err != nil {
		return err
	}
	run, err := s.Console.Backfill(ctx, firm)
	if err != nil || run == nil {
		return err
	}
	bv := newBackfillView(*run, time.Now())
	v.Backfill = &bv
	return nil
}

// FailureGroup is the failed items of one cause: what happened and what to do, once,
// with every record it concerns.
type FailureGroup struct {
	Code        string               `json:"code"`
	Explanation string               `json:"explanation"`
	Items       []syncapi.FailedItem `json:"items"`
}

// groupFailures groups failed items by their code, the largest group first.
func groupFailures(items []syncapi.FailedItem) []FailureGroup {
	var groups []FailureGroup
	for _, it := range items {
		i := slices.IndexFunc(groups, func(g FailureGroup) bool { return g.Code == it.Code })
		if i < 0 {
			groups = append(groups, FailureGroup{Code: it.Code, Explanation: it.Explanation})
			i = len(groups) - 1
		}
		groups[i].Items = append(groups[i].Items, it)
	}
	slices.SortStableFunc(groups, func(a, b FailureGroup) int { return len(b.Items) - len(a.Items) })
	return groups
}

// backfillView is a backfill with what its progress bar shows: records done of the
// total, the rate and an estimate of the time left.
type backfillView struct {
	BackfillRun
	Done    int `json:"done"`
	Total   int `json:"total"`
	Percent int `json:"percent"`
	// PerMinute is the records handled a minute since it started; SecondsLeft the
	// estimate of the time left at that rate (-1: not known yet).
	PerMinute   int   `json:"per_minute"`
	SecondsLeft int64 `json:"seconds_left"`
}

func newBackfillView(run BackfillRun, now time.Time) backfillView {
	v := backfillView{BackfillRun: run, SecondsLeft: -1}
	v.Done, v.Total = run.Progress.Handled()
	switch {
	case run.Progress.Done || v.Total == 0 && run.Status != BackfillRunning:
		v.Percent = 100
	case v.Total > 0:
		v.Percent = min(100, v.Done*100/v.Total)
	}
	end := now
	if run.Status != BackfillRunning && !run.Progress.UpdatedAt.IsZero() {
		end = run.Progress.UpdatedAt
	}
	if started := run.Progress.StartedAt; !started.IsZero() && end.After(started) && v.Done > 0 {
		elapsed := end.Sub(started)
		v.PerMinute = int(math.Round(float64(v.Done) / elapsed.Minutes()))
		if run.Status == BackfillRunning && v.Total >= v.Done {
			v.SecondsLeft = int64(elapsed.Seconds() * float64(v.Total-v.Done) / float64(v.Done))
		}
	}
	if run.Status != BackfillRunning {
		v.SecondsLeft = 0
	}
	return v
}

// statusWords is a sync status in words for the firm.
func statusWords(status string) string {
	switch status {
	case syncapi.StatusIdle:
		return "Up to date"
	case syncapi.StatusRunning:
		return "Syncing"
	case syncapi.StatusBackfilling:
		return "Bringing existing records over"
	case syncapi.StatusPaused:
		return "Paused"
	case syncapi.StatusBooksDiffer:
		return "The books differ"
	case syncapi.StatusStuck:
		return "Stuck, trying again"
	case syncapi.StatusNeedsReconnect:
		return "QuickBooks needs reconnecting"
	case syncapi.StatusDisconnected:
		return "Disconnected"
	case syncapi.StatusFailed:
		return "Stopped on an error"
	}
	return status
}

// Lag is how long ago the last cycle finished, in words.
func (v consoleView) Lag() string { return ago(time.Duration(v.LagSeconds) * time.Second) }

// Left is the estimate of the time a running backfill has left, in words ("" when not
// known).
func (v backfillView) Left() string {
	if v.SecondsLeft <= 0 {
		return ""
	}
	return roughly(time.Duration(v.SecondsLeft) * time.Second)
}

func ago(d time.Duration) string { return roughly(d) + " ago" }

// roughly is a duration as a person says it: seconds, minutes or hours.
func roughly(d time.Duration) string {
	switch {
	case d < 90*time.Second:
		return fmt.Sprintf("%d seconds", int(d.Seconds()))
	case d < 90*time.Minute:
		return fmt.Sprintf("%d minutes", int(d.Round(time.Minute).Minutes()))
	}
	return fmt.Sprintf("%d hours", int(d.Round(time.Hour).Hours()))
}
