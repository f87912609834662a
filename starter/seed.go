package main

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/qbosync/qbosync/internal/cli"
	"github.com/qbosync/qbosync/internal/pms/seed"
)

func seedCmd(flags *cli.Flags) *cobra.Command {
	var size, name string
	var n int64
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Create a deterministic demo law firm in the practice tables (idempotent)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sz, err := seed.ParseSize(size)
			if err != nil {
				return err
			}
			a, err := flags.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			start := time.Now()
			sum, err := seed.Seed(cmd.Context(), a.DB, seed.Options{Size: sz, Seed: n, FirmName: name})
			if err != nil {
				return err
			}
			printSeed(cmd, sum, time.Since(start))
			return nil
		},
	}
	cmd.Flags().StringVar(&size, "size", "small", "small or large")
	cmd.Flags().Int64Var(&n, "seed", 1, "the random seed: the same seed makes the same firm")
	cmd.Flags().StringVar(&name, "firm-name", "", "the firm's name (default: derived from size and seed)")
	return cmd
}

func printSeed(cmd *cobra.Command, sum seed.Summary, took time.Duration) {
	out := cmd.OutOrStdout()
	verb := "created"
	if !sum.Created {
		verb = "already exists, unchanged"
	}
	fmt.Fprintf(out, "firm %d %s (%s)\n", sum.FirmID, verb, took.Round(time.Millisecond))
	for _, table := range slices.Sorted(maps.Keys(sum.Counts)) {
		fmt.Fprintf(out, "  %-20s %d\n", table, sum.Counts[table])
	}
}
