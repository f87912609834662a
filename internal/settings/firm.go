package settings

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// ErrNoFirm means the practice system has no firm with that id.
var ErrNoFirm = errors.New("settings: no such firm in the practice system")

// LoadFirm returns the firm's name and active bank accounts, which the settings map.
func LoadFirm(ctx context.Context, db sqlx.QueryerContext, firmID int64) (Firm, error) {
	f := Firm{ID: firmID}
	err := sqlx.GetContext(ctx, db, &f.Name, `SELECT name FROM firms WHERE id = $1`, firmID)
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("%w: firm %d", ErrNoFirm, firmID)
	}
	if err != nil {
		return f, err
	}
	err = sqlx.SelectContext(ctx, db, &f.BankAccounts, `
		SELECT id, kind, name, account_last4 FROM bank_accounts
		WHERE firm_id = $1 AND active ORDER BY kind, id`, firmID)
	return f, err
}

// ForSync returns the settings the sync posts with for a firm's company: the ones the
// firm submitted, or, until it has, the documented defaults for its bank accounts.
func ForSync(ctx context.Context, db sqlx.QueryerContext, firmID int64, realmID string) (Settings, error) {
	r, err := Submitted(ctx, db, firmID, realmID)
	if err == nil {
		return r.Settings, nil
	}
	if !errors.Is(err, ErrNoSettings) {
		return Settings{}, err
	}
	f, err := LoadFirm(ctx, db, firmID)
	if err != nil {
		return Settings{}, err
	}
	return Defaults(f), nil
}
