package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/qbosync/qbosync/internal/cli"
	"github.com/qbosync/qbosync/internal/reconcile"
	"github.com/qbosync/qbosync/internal/store"
)

// reconcileCmd checks the firm's books in QuickBooks against the practice system and
// prints every record behind a difference. It exits non-zero when the books differ, so
// a script or a scheduled job notices.
func reconcileCmd(flags *cli.Flags) *cobra.Command {
	return firmCmd(flags, "reconcile", "Check QuickBooks against the practice system: receivables per matter, trust three ways",
		func(cmd *cobra.Command, s *session, conn store.Connection) error {
			qc, err := s.QBO.Client(cmd.Context(), conn.FirmID, conn.RealmID)
			if err != nil {
				return err
			}
			r, err := reconcile.Firm(cmd.Context(), s.DB, qc, scopeOf(conn))
			if err != nil {
				return err
			}
			if err := r.Format(cmd.OutOrStdout()); err != nil {
				return err
			}
			if !r.OK() {
				return fmt.Errorf("the books differ (see above)")
			}
			return nil
		})
}
