package main

import (
	"fmt"
	"github.com/jmoiron/sqlx"
	"maps"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/qbosync/qbosync/internal/cli"
	"github.com/qbosync/qbosync/internal/pms/seed"
)

// seedFlags are the flags that choose a demo firm.
type seedFlags struct {
	size, name string
	n          int64
}

func (f *seedFlags) bind(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.size, "size", "small", "small, medium (200 clients) or large (1,000 clients)")
	cmd.Flags().Int64Var(&f.n, "seed", 1, "the random seed: the same seed makes the same firm")
	cmd.Flags().StringVar(&f.name, "firm-name", "", "the firm's name (default: derived from size and seed)")
}

// seedFirm creates the chosen demo firm (or finds it) and prints what it holds.
func (f *seedFlags) seedFirm(cmd *cobra.Command, db *sqlx.DB) (seed.Summary, error) {
	sz, err := seed.ParseSize(f.size)
	if err != nil {
		return seed.Summary{}, err
	}
	start := time.Now()
	sum, err := seed.Seed(cmd.Context(), db, seed.Options{Size: sz, Seed: f.n, FirmName: f.name})
	if err != nil {
		return seed.Summary{}, err
	}
	out := cmd.OutOrStdout()
	verb := "created"
	if !sum.Created {
		verb = "already exists, unchanged"
	}
	fmt.Fprintf(out, "firm %d %s (%s)\n", sum.FirmID, verb, time.Since(start).Round(time.Millisecond))
	for _, table := range slices.Sorted(maps.Keys(sum.Counts)) {
		fmt.Fprintf(out, "  %-20s %d\n", table, sum.Counts[table])
	}
	return sum, nil
}

func seedCmd(flags *cli.Flags) *cobra.Command {
	var sf seedFlags
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Create a deterministic demo law firm in the practice tables (idempotent)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := flags.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			_, err = sf.seedFirm(cmd, a.DB)
			return err
		},
	}
	sf.bind(cmd)
	return cmd
}
