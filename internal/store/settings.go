package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/qbosync/qbosync/internal/settings"
)

// ErrSettingsFrozen means the setup's settings were submitted (or the setup cancelled), so
// they cannot be saved as a draft again.
var ErrSettingsFrozen = errors.New("settings: the setup was submitted or cancelled; its settings can no longer change (link a different QuickBooks company to start a new setup)")

// ErrNoSettings means there is no such settings row.
var ErrNoSettings = errors.New("settings: no settings found")

// SaveSetupDraft stores a setup's draft settings. It never touches a submitted or cancelled row; saving
// over one is ErrSettingsFrozen, unless the row already holds exactly this draft.
func (s *Store) SaveSetupDraft(ctx context.Context, r settings.Record) error {
	doc, err := json.Marshal(r.Settings)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `
		INSERT INTO setup_settings (firm_id, setup_id, realm_id, company_name, status, step, paused, settings)
		VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7)
		ON CONFLICT (firm_id, setup_id) DO UPDATE SET
		    realm_id = EXCLUDED.realm_id, company_name = EXCLUDED.company_name, step = EXCLUDED.step,
		    paused = EXCLUDED.paused, settings = EXCLUDED.settings, updated_at = now()
		WHERE setup_settings.status = 'draft'`,
		r.FirmID, r.SetupID, r.RealmID, r.CompanyName, r.Step, r.Paused, doc)
	if err != nil {
		return fmt.Errorf("settings: save draft of setup %s: %w", r.SetupID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrSettingsFrozen
	}
	return nil
}

// SubmitSetup stores a setup's settings as submitted: frozen from then on (a trigger
// refuses any later change). Submitting the same settings again is a no-op, so a
// retried activity is harmless.
func (s *Store) SubmitSetup(ctx context.Context, r settings.Record) error {
	doc, err := json.Marshal(r.Settings)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `
		INSERT INTO setup_settings (firm_id, setup_id, realm_id, company_name, status, step, paused, settings, submitted_at)
		VALUES ($1, $2, $3, $4, 'submitted', $5, false, $6, now())
		ON CONFLICT (firm_id, setup_id) DO UPDATE SET
		    realm_id = EXCLUDED.realm_id, company_name = EXCLUDED.company_name, status = 'submitted',
		    step = EXCLUDED.step, paused = false, settings = EXCLUDED.settings,
		    submitted_at = now(), updated_at = now()
		WHERE setup_settings.status = 'draft'`,
		r.FirmID, r.SetupID, r.RealmID, r.CompanyName, r.Step, doc)
	if err != nil {
		return fmt.Errorf("settings: submit setup %s: %w", r.SetupID, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	// Already submitted: fine if it is this submission being retried.
	got, err := s.SetupSettings(ctx, r.FirmID, r.SetupID)
	if err != nil {
		return err
	}
	if got.Status == settings.StatusSubmitted && got.RealmID == r.RealmID && sameSettings(got.Settings, r.Settings) {
		return nil
	}
	return ErrSettingsFrozen
}

// CancelSetup records that the firm cancelled the setup. A submitted setup cannot
// be cancelled.
func (s *Store) CancelSetup(ctx context.Context, firmID int64, setupID string) error {
	res, err := s.db.ExecContext(ctx, `
		INSERT INTO setup_settings (firm_id, setup_id, status) VALUES ($1, $2, 'cancelled')
		ON CONFLICT (firm_id, setup_id) DO UPDATE SET status = 'cancelled', paused = false, updated_at = now()
		WHERE setup_settings.status <> 'submitted'`, firmID, setupID)
	if err != nil {
		return fmt.Errorf("settings: cancel setup %s: %w", setupID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrSettingsFrozen
	}
	return nil
}

type settingsRow struct {
	settings.Record
	Doc []byte `db:"settings"`
}

const selectSettings = `SELECT firm_id, setup_id, realm_id, company_name, status, step, paused, settings,
	updated_at, submitted_at FROM setup_settings`

// SetupSettings returns one setup's settings.
func (s *Store) SetupSettings(ctx context.Context, firmID int64, setupID string) (settings.Record, error) {
	return getSettings(ctx, s.db, selectSettings+` WHERE firm_id = $1 AND setup_id = $2`, firmID, setupID)
}

// SubmittedSettings returns the settings the firm submitted for a QuickBooks company: what
// the sync posts with. ErrNoSettings when it submitted none.
func (s *Store) SubmittedSettings(ctx context.Context, firmID int64, realmID string) (settings.Record, error) {
	return getSettings(ctx, s.db, selectSettings+` WHERE firm_id = $1 AND realm_id = $2 AND status = 'submitted'
		ORDER BY submitted_at DESC LIMIT 1`, firmID, realmID)
}

func getSettings(ctx context.Context, db sqlx.QueryerContext, q string, args ...any) (settings.Record, error) {
	var r settingsRow
	err := sqlx.GetContext(ctx, db, &r, q, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return settings.Record{}, ErrNoSettings
	}
	if err != nil {
		return settings.Record{}, fmt.Errorf("settings: %w", err)
	}
	if err := json.Unmarshal(r.Doc, &r.Settings); err != nil {
		return settings.Record{}, fmt.Errorf("settings: setup %s holds unreadable settings: %w", r.SetupID, err)
	}
	return r.Record, nil
}

func sameSettings(a, b settings.Settings) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// ErrNoFirm means the practice system has no firm with that id.
var ErrNoFirm = errors.New("settings: no such firm in the practice system")

// Firm returns the firm's name and active bank accounts, which the settings map.
func (s *Store) Firm(ctx context.Context, firmID int64) (settings.Firm, error) {
	f := settings.Firm{ID: firmID}
	err := sqlx.GetContext(ctx, s.db, &f.Name, `SELECT name FROM firms WHERE id = $1`, firmID)
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("%w: firm %d", ErrNoFirm, firmID)
	}
	if err != nil {
		return f, err
	}
	err = sqlx.SelectContext(ctx, s.db, &f.BankAccounts, `
		SELECT id, kind, name, account_last4 FROM bank_accounts
		WHERE firm_id = $1 AND active ORDER BY kind, id`, firmID)
	return f, err
}

// SettingsForSync returns the settings the sync posts with for a firm's company: the ones the
// firm submitted, or, until it has, the documented defaults for its bank accounts.
func (s *Store) SettingsForSync(ctx context.Context, firmID int64, realmID string) (settings.Settings, error) {
	r, err := s.SubmittedSettings(ctx, firmID, realmID)
	if err == nil {
		return r.Settings, nil
	}
	if !errors.Is(err, ErrNoSettings) {
		return settings.Settings{}, err
	}
	f, err := s.Firm(ctx, firmID)
	if err != nil {
		return settings.Settings{}, err
	}
	return settings.Defaults(f), nil
}
