// Command worker runs qbosync's Temporal worker: it polls the task queue and executes
// the workflows and activities that keep each firm's QuickBooks company in sync.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/qbosync/qbosync/internal/admin"
	"github.com/qbosync/qbosync/internal/app"
	"github.com/qbosync/qbosync/internal/cli"
	"github.com/qbosync/qbosync/internal/workerx"
)

func main() {
	cmd := &cobra.Command{
		Use:           "worker",
		Short:         "Run the qbosync Temporal worker",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	flags := cli.Bind(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		a, err := flags.Open(ctx)
		if err != nil {
			return err
		}
		defer a.Close()
		c, err := app.DialTemporal(a.Config.Temporal.Address, a.Config.Temporal.Namespace, a.Log, a.Metrics.Temporal())
		if err != nil {
			return err
		}
		defer c.Close()
		return run(ctx, a, c)
	}
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, a *app.App, c client.Client) error {
	w := workerx.New(c, a)
	var started atomic.Bool
	adm, err := admin.Start(a.Config.Admin.Listen, admin.Handler(a.Metrics,
		admin.Database(a.DB), admin.Temporal(c), admin.Started("worker", &started)), a.Log)
	if err != nil {
		return err
	}
	defer adm.Close()
	a.Log.Info("worker started", "task_queue", a.Config.Temporal.TaskQueue, "temporal", a.Config.Temporal.Address)
	if err := w.Start(); err != nil {
		return err
	}
	started.Store(true)
	defer w.Stop()
	// Practice changes wake the firms' syncs within milliseconds.
	return app.WakeSyncs(ctx, a.Config.Database.URL, a.Store, c, a.Log, 0)
}
