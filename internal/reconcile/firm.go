package reconcile

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/store"
)

// syncSettingsSQL reads the four submitted settings that decide which records the sync
// posts. They are read here with SQL rather than through internal/settings, which
// depends on the posting code this package must stay independent of.
const syncSettingsSQL = `
	SELECT COALESCE(settings #>> '{sync_options,start_date}', '') AS start_date,
	       COALESCE((settings #>> '{sync_options,sync_all_unpaid_invoices}')::boolean, false) AS all_unpaid,
	       COALESCE((settings #>> '{trust,sync}')::boolean, false) AS trust,
	       COALESCE((settings #>> '{write_offs,sync}')::boolean AND settings #>> '{write_offs,method}' = 'discount_line', false) AS discount_lines,
	       COALESCE(settings #>> '{trust,deposit_slips}' = 'receipt', false) AS receipts_alone,
	       COALESCE(settings #>> '{invoices,payments_deposit_to}' = 'operating_account', false) AS payments_to_bank
	FROM setup_settings
	WHERE firm_id = $1 AND realm_id = $2 AND status = 'submitted'
	ORDER BY submitted_at DESC LIMIT 1`

// Firm reconciles a firm's company as its settings say the sync posts it: from the
// start date, with unpaid invoices if chosen, and trust money only if it syncs. Until
// the firm has submitted settings the sync posts with the documented defaults (no start
// date, all unpaid invoices, trust synced), and so does Firm check.
func Firm(ctx context.Context, db sqlx.QueryerContext, qc *qbo.Client, sc store.Scope) (Report, error) {
	opts, err := FirmOptions(ctx, db, sc)
	if err != nil {
		return Report{}, err
	}
	return Run(ctx, db, qc, sc, opts)
}

// FirmOptions reads the firm's submitted settings as Options (the defaults until it
// has submitted some).
func FirmOptions(ctx context.Context, db sqlx.QueryerContext, sc store.Scope) (Options, error) {
	s := struct {
		StartDate string `db:"start_date"`
		AllUnpaid bool   `db:"all_unpaid"`
		Trust     bool   `db:"trust"`
		Discount  bool   `db:"discount_lines"`
		Receipts  bool   `db:"receipts_alone"`
		ToBank    bool   `db:"payments_to_bank"`
	}{AllUnpaid: true, Trust: true}
	err := sqlx.GetContext(ctx, db, &s, syncSettingsSQL, sc.FirmID, sc.RealmID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Options{}, fmt.Errorf("reconcile: settings: %w", err)
	}
	opts := Options{AllUnpaid: s.AllUnpaid, SkipTrust: !s.Trust, DiscountLines: s.Discount, ReceiptsAlone: s.Receipts, PaymentsToBank: s.ToBank}
	if s.StartDate != "" {
		if opts.Since, err = time.Parse(time.DateOnly, s.StartDate); err != nil {
			return Options{}, fmt.Errorf("reconcile: the submitted sync start date %q is not a date: %w", s.StartDate, err)
		}
	}
	return opts, nil
}
