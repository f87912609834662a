package main

import (
	"context"
	"fmt"
	"io"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/qbosync/qbosync/internal/audit"
	"github.com/qbosync/qbosync/internal/cli"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/reconcile"
	"github.com/qbosync/qbosync/internal/store"
)

// reconcileCmd checks the firm's books in QuickBooks against the practice system and
// prints every record behind a difference. It exits non-zero when the books differ, so
// a script or a scheduled job notices.
func reconcileCmd(flags *cli.Flags) *cobra.Command {
	return checkCmd(flags, "reconcile", "Check QuickBooks against the practice system: receivables per matter, trust three ways",
		reconcile.Firm, func(reconcile.Report) error { return fmt.Errorf("the books differ (see above)") })
}

// auditCmd checks the firm's company object by object (internal/audit): what the chaos
// run ends with. Like reconcile, it exits non-zero when something is wrong.
func auditCmd(flags *cli.Flags) *cobra.Command {
	return checkCmd(flags, "audit", "Check every client and matter, and every record the sync wrote, in QuickBooks: none twice, none missing; and reconcile the books",
		audit.Firm, func(r audit.Report) error {
			return fmt.Errorf("the audit found %d duplicates and %d missing records; books reconciled: %v", len(r.Duplicates), len(r.Missing), r.Books.OK())
		})
}

// checkCmd is a command that checks a firm's company, prints the report and fails with
// failure's error unless the report is OK.
func checkCmd[R interface {
	Format(io.Writer) error
	OK() bool
}](flags *cli.Flags, name, short string, check func(context.Context, sqlx.QueryerContext, *qbo.Client, store.Scope) (R, error), failure func(R) error) *cobra.Command {
	return firmCmd(flags, name, short, func(cmd *cobra.Command, s *session, conn store.Connection) error {
		qc, err := s.QBO.Client(cmd.Context(), conn.FirmID, conn.RealmID)
		if err != nil {
			return err
		}
		r, err := check(cmd.Context(), s.DB, qc, scopeOf(conn))
		if err != nil {
			return err
		}
		if err := r.Format(cmd.OutOrStdout()); err != nil {
			return err
		}
		if !r.OK() {
			return failure(r)
		}
		return nil
	})
}
