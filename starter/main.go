// Command starter is qbosync's operator CLI: it seeds demo data, runs the local QBO
// sandbox, connects a firm to QuickBooks, starts and watches syncs, and lists the items
// that failed and why. Run `starter --help` for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/qbosync/qbosync/internal/cli"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/internal/termsafe"
)

func main() {
	root := &cobra.Command{
		Use:           "starter",
		Short:         "Operate qbosync: seed, sandbox, connect, sync, status, errors, retry, reconcile, pause, resume, demo",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	flags := cli.Bind(root)
	root.AddCommand(
		migrateCmd(flags),
		seedCmd(flags),
		sandboxCmd(flags),
		connectCmd(flags),
		syncCmd(flags),
		retryCmd(flags),
		backfillCmd(flags),
		statusCmd(flags),
		errorsCmd(flags),
		reconcileCmd(flags),
		auditCmd(flags),
		demoCmd(flags),
		setupCmd(flags),
		serveCmd(flags),
		webLoginCmd(flags),
	)
	root.AddCommand(signalCmds(flags)...)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := root.ExecuteContext(ctx)
	stop()
	if err != nil {
		// An error may quote practice data, a client's name say.
		fmt.Fprintln(os.Stderr, "starter:", termsafe.Text(err.Error()))
		if errors.Is(err, store.ErrNotConnected) {
			// The hint that names a command belongs to the command line, not the error.
			fmt.Fprintln(os.Stderr, "starter: connect the firm with `starter connect --firm ID` (or through the setup wizard)")
		}
		os.Exit(1)
	}
}

func migrateCmd(flags *cli.Flags) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply the database migrations (every command also does this on start)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := flags.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			fmt.Fprintln(cmd.OutOrStdout(), "database is up to date")
			return nil
		},
	}
}
