package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/qbosync/qbosync/internal/cli"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/internal/termsafe"
)

// demoCmd seeds a firm, connects it to the sandbox's sample company and runs one sync.
// scripts/demo.sh (make demo) starts the services it needs around it.
func demoCmd(flags *cli.Flags) *cobra.Command {
	var sf seedFlags
	var company string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Seed a demo firm, connect it to the sandbox, sync once and print the summary",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := openSession(ctx, flags)
			if err != nil {
				return err
			}
			defer s.Close()
			sum, err := sf.seedFirm(cmd, s.DB)
			if err != nil {
				return err
			}
			conn, err := s.Store.LiveConnection(ctx, sum.FirmID)
			if err == nil {
				if probeErr := probe(ctx, s, conn); probeErr != nil {
					fmt.Fprintf(cmd.OutOrStdout(), "the stored connection to %q no longer works (%s); connecting again\n", conn.CompanyName, termsafe.String(probeErr.Error()))
					err = store.ErrNotConnected
				}
			}
			if errors.Is(err, store.ErrNotConnected) {
				conn, err = connectFirm(ctx, cmd.OutOrStdout(), s.App, sum.FirmID, true, company, time.Minute)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "firm %d is connected to %q (company %s)\n", sum.FirmID, conn.CompanyName, conn.RealmID)
			return runSync(cmd, s, conn, true, true)
		},
	}
	sf.bind(cmd)
	cmd.Flags().StringVar(&company, "company", "", "the sandbox company to connect to (default: the first)")
	return cmd
}

// probe checks that a stored connection still opens the company: the sandbox may have
// been reset, or the encryption key changed, since it was made.
func probe(ctx context.Context, s *session, conn store.Connection) error {
	c, err := s.QBO.Client(ctx, conn.FirmID, conn.RealmID)
	if err != nil {
		return err
	}
	_, err = c.CompanyInfo(ctx)
	return err
}
