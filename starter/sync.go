package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/qbosync/qbosync/internal/app"
	"github.com/qbosync/qbosync/internal/cli"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// session is an opened app and, once asked for, a Temporal client.
type session struct {
	*app.App
	temporal client.Client
}

func openSession(ctx context.Context, flags *cli.Flags) (*session, error) {
	a, err := flags.Open(ctx)
	if err != nil {
		return nil, err
	}
	return &session{App: a}, nil
}

// Temporal dials Temporal on first use, so commands that only read qbosync's own
// state work while Temporal is down.
func (s *session) Temporal() (client.Client, error) {
	if s.temporal == nil {
		c, err := app.DialTemporal(s.Config.Temporal.Address, s.Config.Temporal.Namespace, s.Log, s.Metrics.Temporal())
		if err != nil {
			return nil, err
		}
		s.temporal = c
	}
	return s.temporal, nil
}

func (s *session) Close() {
	if s.temporal != nil {
		s.temporal.Close()
	}
	s.App.Close()
}

// firmCmd builds a command that acts on one firm's live QuickBooks connection.
func firmCmd(flags *cli.Flags, name, short string, run func(cmd *cobra.Command, s *session, conn store.Connection) error) *cobra.Command {
	var firm int64
	cmd := &cobra.Command{
		Use:   name + " --firm ID",
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := openSession(cmd.Context(), flags)
			if err != nil {
				return err
			}
			defer s.Close()
			conn, err := s.Store.LiveConnection(cmd.Context(), firm)
			if err != nil {
				return err
			}
			return run(cmd, s, conn)
		},
	}
	cmd.Flags().Int64Var(&firm, "firm", 0, "the firm's id (required)")
	_ = cmd.MarkFlagRequired("firm")
	return cmd
}

func syncCmd(flags *cli.Flags) *cobra.Command {
	var once, retry bool
	cmd := firmCmd(flags, "sync", "Start the firm's sync (with --once: run it once, wait, and print the summary)",
		func(cmd *cobra.Command, s *session, conn store.Connection) error {
			return runSync(cmd, s, conn, once, retry)
		})
	cmd.Flags().BoolVar(&once, "once", false, "run every category once, wait for it and print the summary")
	cmd.Flags().BoolVar(&retry, "retry-failed", false, "try the failed items again")
	return cmd
}

func retryCmd(flags *cli.Flags) *cobra.Command {
	var kind, key string
	cmd := firmCmd(flags, "retry", "Try the failed items again now (in the running sync, or in one cycle run for it); with --kind and --key, one of them",
		func(cmd *cobra.Command, s *session, conn store.Connection) error {
			if kind != "" || key != "" {
				return retryOne(cmd, s, conn, kind, key)
			}
			err := signalSync(cmd, s, conn, syncapi.RetryFailedSignal)
			var notFound *serviceerror.NotFound
			if errors.As(err, &notFound) {
				return runSync(cmd, s, conn, true, true)
			}
			return err
		})
	cmd.Flags().StringVar(&kind, "kind", "", "with --key: retry one failed record of this kind (as `starter errors` lists it, e.g. client)")
	cmd.Flags().StringVar(&key, "key", "", "with --kind: the record's key")
	return cmd
}

// retryOne asks for one failed record to be tried again, as the console's Retry does:
// the request waits on the record until the running sync's next cycle takes it up.
func retryOne(cmd *cobra.Command, s *session, conn store.Connection, kind, key string) error {
	if kind == "" || key == "" {
		return fmt.Errorf("retry: give both --kind and --key (as `starter errors --firm %d` lists them), or neither to retry every failed record", conn.FirmID)
	}
	if err := s.Store.RequestRetry(cmd.Context(), scopeOf(conn), kind, key); err != nil {
		return fmt.Errorf("retry %s %s: %w", kind, key, err)
	}
	return signalSync(cmd, s, conn, syncapi.SyncNowSignal)
}

// signalCmds are the commands that steer a running sync with a signal.
func signalCmds(flags *cli.Flags) []*cobra.Command {
	var cmds []*cobra.Command
	for _, c := range []struct{ name, signal, short string }{
		{"sync-now", syncapi.SyncNowSignal, "Make the running sync look for changes now"},
		{"pause", syncapi.PauseSignal, "Pause the firm's sync once the cycle in progress ends"},
		{"resume", syncapi.ResumeSignal, "Resume a paused sync"},
		{"disconnect", syncapi.DisconnectSignal, "Stop the firm's sync for good (the firm unlinked QuickBooks)"},
		{"check-books", syncapi.ReconcileSignal, "Make the running sync check the books now, beside it (the result shows in status)"},
	} {
		cmds = append(cmds, firmCmd(flags, c.name, c.short, func(cmd *cobra.Command, s *session, conn store.Connection) error {
			return signalSync(cmd, s, conn, c.signal)
		}))
	}
	return cmds
}

func signalSync(cmd *cobra.Command, s *session, conn store.Connection, signal string) error {
	c, err := s.Temporal()
	if err != nil {
		return err
	}
	id := syncapi.SyncWorkflowID(conn.FirmID, conn.RealmID)
	if err := c.SignalWorkflow(cmd.Context(), id, "", signal, nil); err != nil {
		return fmt.Errorf("%s: no running sync for firm %d (start one with `starter sync --firm %d`): %w", signal, conn.FirmID, conn.FirmID, err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "sent %s to %s\n", signal, id)
	return nil
}

func statusCmd(flags *cli.Flags) *cobra.Command {
	return firmCmd(flags, "status", "Show the firm's sync: status and the last result of each category",
		func(cmd *cobra.Command, s *session, conn store.Connection) error {
			c, err := s.Temporal()
			if err != nil {
				return err
			}
			var sum syncapi.Summary
			if err := queryStatus(cmd.Context(), c, syncapi.SyncWorkflowID(conn.FirmID, conn.RealmID), &sum); err != nil {
				return fmt.Errorf("no sync to ask (start one with `starter sync --firm %d`): %w", conn.FirmID, err)
			}
			return printSummary(cmd.Context(), cmd.OutOrStdout(), s.Store, conn, sum)
		})
}

func errorsCmd(flags *cli.Flags) *cobra.Command {
	return firmCmd(flags, "errors", "List the items that failed to sync, with what to do about each",
		func(cmd *cobra.Command, s *session, conn store.Connection) error {
			return printFailures(cmd.Context(), cmd.OutOrStdout(), s.Store, scopeOf(conn))
		})
}

// runSync starts the firm's SyncWorkflow; with once, it runs one cycle, waits for it
// and prints the summary. When the firm's continuous sync is already running, a
// one-shot run asks it for a cycle instead of starting a second sync beside it.
func runSync(cmd *cobra.Command, s *session, conn store.Connection, once, retry bool) error {
	ctx := cmd.Context()
	c, err := s.Temporal()
	if err != nil {
		return err
	}
	firm := conn.FirmID
	id := syncapi.SyncWorkflowID(firm, conn.RealmID)
	out := cmd.OutOrStdout()
	if running(ctx, c, id) {
		if !once {
			fmt.Fprintf(out, "the sync %s is already running; watch it in Temporal Web: %s\n", id, workflowURL(s.Config.Temporal, id, ""))
			return nil
		}
		return oneMoreCycle(cmd, s, c, conn, retry)
	}
	opts := app.SyncStartOptions(s.Config.Temporal.TaskQueue, scopeOf(conn))
	run, err := c.ExecuteWorkflow(ctx, opts, syncapi.SyncWorkflowName,
		syncapi.SyncInput{FirmID: firm, RealmID: conn.RealmID, Once: once, RetryFailed: retry})
	if err != nil {
		return fmt.Errorf("start sync: %w", err)
	}
	fmt.Fprintf(out, "sync %s (run %s) for %q\n", run.GetID(), run.GetRunID(), conn.CompanyName)
	fmt.Fprintf(out, "watch it in Temporal Web: %s\n", workflowURL(s.Config.Temporal, run.GetID(), run.GetRunID()))
	if !once {
		return nil
	}
	var sum syncapi.Summary
	runErr := run.Get(ctx, &sum)
	if runErr != nil {
		if qerr := queryStatus(ctx, c, run.GetID(), &sum); qerr != nil {
			return fmt.Errorf("sync failed: %w", runErr)
		}
	}
	if err := printSummary(ctx, out, s.Store, conn, sum); err != nil {
		return err
	}
	if runErr != nil {
		return fmt.Errorf("sync stopped: %w", rootCause(runErr))
	}
	return nil
}

// running reports whether the workflow id has a running execution.
func running(ctx context.Context, c client.Client, id string) bool {
	d, err := c.DescribeWorkflowExecution(ctx, id, "")
	return err == nil && d.GetWorkflowExecutionInfo().GetStatus() == enums.WORKFLOW_EXECUTION_STATUS_RUNNING
}

// oneMoreCycle asks the running sync for a cycle and waits until it has run it.
func oneMoreCycle(cmd *cobra.Command, s *session, c client.Client, conn store.Connection, retry bool) error {
	ctx := cmd.Context()
	id := syncapi.SyncWorkflowID(conn.FirmID, conn.RealmID)
	var before syncapi.Summary
	if err := queryStatus(ctx, c, id, &before); err != nil {
		return err
	}
	signal := syncapi.SyncNowSignal
	if retry {
		signal = syncapi.RetryFailedSignal
	}
	if err := c.SignalWorkflow(ctx, id, "", signal, nil); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "the sync %s is running; asked it for a cycle (%s)\n", id, signal)
	deadline := time.Now().Add(10 * time.Minute)
	for {
		var now syncapi.Summary
		if err := queryStatus(ctx, c, id, &now); err != nil {
			return err
		}
		switch {
		case now.Cycles > before.Cycles && now.Status != syncapi.StatusRunning:
			return printSummary(ctx, cmd.OutOrStdout(), s.Store, conn, now)
		case now.Status == syncapi.StatusPaused:
			return fmt.Errorf("the sync is paused: resume it with `starter resume --firm %d`", conn.FirmID)
		case time.Now().After(deadline):
			return errors.New("the sync did not finish a cycle in 10 minutes; see `starter status`")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func scopeOf(conn store.Connection) store.Scope {
	return store.Scope{FirmID: conn.FirmID, RealmID: conn.RealmID}
}

func queryStatus(ctx context.Context, c client.Client, workflowID string, sum *syncapi.Summary) error {
	qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := c.QueryWorkflow(qctx, workflowID, "", syncapi.StatusQuery)
	if err != nil {
		return err
	}
	return v.Get(sum)
}

// rootCause strips Temporal's wrapping, so the operator reads the reason itself.
func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		if _, ok := err.(*temporal.ApplicationError); ok {
			return err
		}
		err = next
	}
}
