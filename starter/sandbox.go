package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/qbosync/qbosync/internal/cli"
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
			return serveHTTP(cmd, c.Sandbox.Listen, sim,
				fmt.Sprintf("QBO sandbox listening on http://%s (state in %s)", c.Sandbox.Listen, c.Sandbox.StateFile))
		},
	}
	cmd.Flags().StringVar(&limits, "limits", "production", "production (QBO's rate limits: 500/min, 10/s, 10 at once, 40 batches/min) or none")
	return cmd
}
