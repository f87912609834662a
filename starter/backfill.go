package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/qbosync/qbosync/internal/cli"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

func backfillCmd(flags *cli.Flags) *cobra.Command {
	var since string
	var unpaid bool
	cmd := firmCmd(flags, "backfill", "Bring existing records into QuickBooks (dated on or after --since; with --unpaid every unpaid invoice), with live progress",
		func(cmd *cobra.Command, s *session, conn store.Connection) error {
			day, err := time.Parse(time.DateOnly, since)
			if err != nil {
				return fmt.Errorf("--since %q: want a date such as 2026-01-01 (the first day whose records should reach QuickBooks)", since)
			}
			c, err := s.Temporal()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			id := syncapi.BackfillWorkflowID(conn.FirmID, conn.RealmID)
			previous := latestRunID(ctx, c, id)
			filter := pms.BackfillFilter{Since: day, Unpaid: unpaid}
			if err := c.SignalWorkflow(ctx, syncapi.SyncWorkflowID(conn.FirmID, conn.RealmID), "", syncapi.BackfillSignal, filter); err != nil {
				return fmt.Errorf("no running sync for firm %d to run the backfill (start it with `starter sync --firm %d`): %w", conn.FirmID, conn.FirmID, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "backfill of firm %d since %s%s requested; following %s\n", conn.FirmID, since, map[bool]string{true: " with all unpaid invoices"}[unpaid], id)
			return followBackfill(ctx, cmd.OutOrStdout(), c, id, previous)
		})
	cmd.Flags().StringVar(&since, "since", "", "the sync start date, YYYY-MM-DD (required)")
	cmd.Flags().BoolVar(&unpaid, "unpaid", false, "also bring every unpaid invoice, whatever its date")
	_ = cmd.MarkFlagRequired("since")
	return cmd
}

// latestRunID is the run id of the workflow's latest run, or "" if it never ran.
func latestRunID(ctx context.Context, c client.Client, id string) string {
	d, err := c.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		return ""
	}
	return d.GetWorkflowExecutionInfo().GetExecution().GetRunId()
}

// followBackfill waits for a run newer than previous to start, then draws its progress
// until it closes.
func followBackfill(ctx context.Context, out io.Writer, c client.Client, id, previous string) error {
	bar := newProgressBar(out)
	started, seen := time.Now(), false
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
		d, err := c.DescribeWorkflowExecution(ctx, id, "")
		info := d.GetWorkflowExecutionInfo()
		if err != nil || info.GetExecution().GetRunId() == previous {
			// Once the run has started, an error is Temporal unreachable for a while (a
			// server restarting, say): keep following, the run carries on meanwhile.
			if !seen && time.Since(started) > time.Minute {
				return fmt.Errorf("the backfill did not start within a minute; is a worker running? (`starter status`)")
			}
			continue
		}
		seen = true
		var p syncapi.BackfillProgress
		if v, err := c.QueryWorkflow(ctx, id, "", syncapi.BackfillProgressQuery); err == nil {
			_ = v.Get(&p)
			bar.draw(p)
		}
		if info.GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
			bar.finish(p, info.GetStatus())
			if info.GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
				return fmt.Errorf("the backfill ended %s; see it in Temporal Web and `starter errors`", strings.ToLower(strings.TrimPrefix(info.GetStatus().String(), "WorkflowExecutionStatus")))
			}
			return nil
		}
	}
}

// progressBar draws a backfill's progress: redrawn in place on a terminal, a line per
// tenth otherwise (logs, CI).
type progressBar struct {
	out      io.Writer
	terminal bool
	lastTick int
}

func newProgressBar(out io.Writer) *progressBar {
	f, ok := out.(*os.File)
	terminal := false
	if ok {
		if st, err := f.Stat(); err == nil {
			terminal = st.Mode()&os.ModeCharDevice != 0
		}
	}
	return &progressBar{out: out, terminal: terminal, lastTick: -1}
}

func (b *progressBar) line(p syncapi.BackfillProgress) (string, int) {
	done, total := p.Handled()
	pct := 100
	if total > 0 {
		pct = min(100, done*100/total)
	}
	const width = 30
	filled := pct * width / 100
	current := ""
	var created, failed int
	for _, c := range p.Categories {
		created += c.Created + c.Adopted
		failed += c.Failed
		if c.Started && !c.Done && current == "" {
			current = c.Category
		}
	}
	return fmt.Sprintf("[%s%s] %3d%%  %d/%d records  created %d  failed %d  %s",
		strings.Repeat("#", filled), strings.Repeat("-", width-filled), pct, done, total, created, failed, current), pct
}

func (b *progressBar) draw(p syncapi.BackfillProgress) {
	text, pct := b.line(p)
	if b.terminal {
		fmt.Fprintf(b.out, "\r%s\033[K", text)
		return
	}
	if tick := pct / 10; tick > b.lastTick {
		b.lastTick = tick
		fmt.Fprintln(b.out, text)
	}
}

func (b *progressBar) finish(p syncapi.BackfillProgress, status enums.WorkflowExecutionStatus) {
	text, _ := b.line(p)
	if b.terminal {
		fmt.Fprintf(b.out, "\r%s\033[K\n", text)
	}
	fmt.Fprintf(b.out, "backfill %s\n", strings.ToLower(strings.TrimPrefix(status.String(), "WorkflowExecutionStatus")))
}
