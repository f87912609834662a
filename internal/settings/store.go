package settings

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Statuses of a setup's settings row.
const (
	StatusDraft     = "draft"
	StatusSubmitted = "submitted"
	StatusCancelled = "cancelled"
)

// Record is a setup's settings as kept in PostgreSQL (setup_settings): a draft saved
// at every change, so a paused setup can be shown and resumed whatever happens to the
// processes; then submitted (frozen) or cancelled.
type Record struct {
	FirmID      int64      `json:"firm_id" db:"firm_id"`
	SetupID     string     `json:"setup_id" db:"setup_id"`
	RealmID     string     `json:"realm_id" db:"realm_id"`
	CompanyName string     `json:"company_name" db:"company_name"`
	Status      string     `json:"status" db:"status"`
	Step        string     `json:"step" db:"step"`
	Paused      bool       `json:"paused" db:"paused"`
	Settings    Settings   `json:"settings" db:"-"`
	UpdatedAt   time.Time  `json:"updated_at" db:"updated_at"`
	SubmittedAt *time.Time `json:"submitted_at,omitempty" db:"submitted_at"`
}

// ErrFrozen means the setup's settings were submitted (or the setup cancelled), so
// they cannot be saved as a draft again.
var ErrFrozen = errors.New("settings: the setup was submitted or cancelled; its settings can no longer change (link a different QuickBooks company to start a new setup)")

// ErrNoSettings means there is no such settings row.
var ErrNoSettings = errors.New("settings: no settings found")

// SaveDraft stores a draft. It never touches a submitted or cancelled row; saving
// over one is ErrFrozen, unless the row already holds exactly this draft.
func SaveDraft(ctx context.Context, db *sqlx.DB, r Record) error {
	doc, err := json.Marshal(r.Settings)
	if err != nil {
		return err
	}
	res, err := db.ExecContext(ctx, `
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
		return ErrFrozen
	}
	return nil
}

// MarkSubmitted stores the settings as submitted: frozen from then on (a trigger
// refuses any later change). Submitting the same settings again is a no-op, so a
// retried activity is harmless.
func MarkSubmitted(ctx context.Context, db *sqlx.DB, r Record) error {
	doc, err := json.Marshal(r.Settings)
	if err != nil {
		return err
	}
	res, err := db.ExecContext(ctx, `
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
	got, err := Load(ctx, db, r.FirmID, r.SetupID)
	if err != nil {
		return err
	}
	if got.Status == StatusSubmitted && got.RealmID == r.RealmID && sameSettings(got.Settings, r.Settings) {
		return nil
	}
	return ErrFrozen
}

// MarkCancelled records that the firm cancelled the setup. A submitted setup cannot
// be cancelled.
func MarkCancelled(ctx context.Context, db *sqlx.DB, firmID int64, setupID string) error {
	res, err := db.ExecContext(ctx, `
		INSERT INTO setup_settings (firm_id, setup_id, status) VALUES ($1, $2, 'cancelled')
		ON CONFLICT (firm_id, setup_id) DO UPDATE SET status = 'cancelled', paused = false, updated_at = now()
		WHERE setup_settings.status <> 'submitted'`, firmID, setupID)
	if err != nil {
		return fmt.Errorf("settings: cancel setup %s: %w", setupID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrFrozen
	}
	return nil
}

type row struct {
	Record
	Doc []byte `db:"settings"`
}

const selectRecord = `SELECT firm_id, setup_id, realm_id, company_name, status, step, paused, settings,
	updated_at, submitted_at FROM setup_settings`

// Load returns one setup's settings.
func Load(ctx context.Context, db sqlx.QueryerContext, firmID int64, setupID string) (Record, error) {
	return get(ctx, db, selectRecord+` WHERE firm_id = $1 AND setup_id = $2`, firmID, setupID)
}

// Submitted returns the settings the firm submitted for a QuickBooks company: what
// the sync posts with. ErrNoSettings when it submitted none.
func Submitted(ctx context.Context, db sqlx.QueryerContext, firmID int64, realmID string) (Record, error) {
	return get(ctx, db, selectRecord+` WHERE firm_id = $1 AND realm_id = $2 AND status = 'submitted'
		ORDER BY submitted_at DESC LIMIT 1`, firmID, realmID)
}

func get(ctx context.Context, db sqlx.QueryerContext, q string, args ...any) (Record, error) {
	var r row
	err := sqlx.GetContext(ctx, db, &r, q, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, ErrNoSettings
	}
	if err != nil {
		return Record{}, fmt.Errorf("settings: %w", err)
	}
	if err := json.Unmarshal(r.Doc, &r.Settings); err != nil {
		return Record{}, fmt.Errorf("settings: setup %s holds unreadable settings: %w", r.SetupID, err)
	}
	return r.Record, nil
}

func sameSettings(a, b Settings) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
