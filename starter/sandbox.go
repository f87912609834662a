package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/qbosync/qbosync/internal/cli"
	"github.com/qbosync/qbosync/internal/config"
	"github.com/qbosync/qbosync/internal/qbosim"
)

func sandboxCmd(flags *cli.Flags) *cobra.Command {
	var limits string
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the local QuickBooks Online sandbox (API, OAuth pages, saved companies)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := flags.Config()
			if err != nil {
				return err
			}
			opts := qbosim.Options{
				StateFile: c.Sandbox.StateFile,
				Clients:   map[string]string{c.QBO.ClientID: c.QBO.ClientSecret},
			}
			switch limits {
			case "production":
				opts.Limits = qbosim.ProductionLimits()
			case "none":
			default:
				return fmt.Errorf("--limits %q: use production (QBO's rate limits, the default) or none", limits)
			}
			sim, err := qbosim.Open(opts)
			if err != nil {
				return err
			}
			defer sim.Close()
			if len(sim.Realms()) == 0 {
				sim.AddSampleCompany()
			}
			return serveSandbox(cmd.Context(), cmd, c, sim)
		},
	}
	cmd.Flags().StringVar(&limits, "limits", "production", "production (QBO's rate limits: 500/min, 10/s, 10 at once, 40 batches/min) or none")
	return cmd
}

func serveSandbox(ctx context.Context, cmd *cobra.Command, c config.Config, sim *qbosim.Server) error {
	srv := &http.Server{Addr: c.Sandbox.Listen, Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	fmt.Fprintf(cmd.OutOrStdout(), "QBO sandbox listening on http://%s (state in %s)\n", c.Sandbox.Listen, c.Sandbox.StateFile)
	select {
	case err := <-errc:
		return fmt.Errorf("sandbox: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
