package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/oauth2"
)

// Connection statuses.
const (
	ConnConnected      = "connected"
	ConnNeedsReconnect = "needs_reconnect"
	ConnDisconnected   = "disconnected"
)

// Connection is a firm's link to one QuickBooks company. Token is only filled in by
// Token; nothing else ever carries it.
type Connection struct {
	FirmID       int64     `db:"firm_id"`
	RealmID      string    `db:"realm_id"`
	CompanyName  string    `db:"company_name"`
	Status       string    `db:"status"`
	StatusReason string    `db:"status_reason"`
	ConnectedAt  time.Time `db:"connected_at"`
}

// ErrNotConnected means the firm has no live QuickBooks connection.
var ErrNotConnected = errors.New("the firm is not connected to QuickBooks: connect it first")

func tokenContext(firmID int64, realmID string) string {
	return fmt.Sprintf("qbo-token/firm:%d/realm:%s", firmID, realmID)
}

// CompanyTakenError means the QuickBooks company is linked to another firm. Two firms
// posting into one set of books would mix their money, and each firm's records into the
// other's customers and vendors; the other firm must disconnect first.
type CompanyTakenError struct {
	RealmID     string
	CompanyName string
	FirmID      int64  // the firm the company belongs to
	FirmName    string // its name in the practice system
}

func (e *CompanyTakenError) Error() string {
	return fmt.Sprintf("QuickBooks company %q (%s) is already connected to firm %d, %q: a company keeps one firm's books. "+
		"Connect this firm to its own QuickBooks company, or disconnect firm %d first",
		e.CompanyName, e.RealmID, e.FirmID, e.FirmName, e.FirmID)
}

// CompanyFree returns nil when no other firm has the company linked, and otherwise a
// *CompanyTakenError that names the firm that has.
func (s *Store) CompanyFree(ctx context.Context, q sqlx.QueryerContext, firmID int64, realmID string) error {
	var owner CompanyTakenError
	err := sqlx.GetContext(ctx, q, &owner, `
		SELECT c.realm_id AS realmid, c.company_name AS companyname, c.firm_id AS firmid, f.name AS firmname
		FROM qbo_connections c JOIN firms f ON f.id = c.firm_id
		WHERE c.realm_id = $1 AND c.firm_id <> $2 AND c.status <> 'disconnected'
		LIMIT 1`, realmID, firmID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("connect: who holds company %s: %w", realmID, err)
	}
	return &owner
}

// Connect records a new connection with its first tokens. A firm has at most one live
// connection: linking another company disconnects the previous one. A company another
// firm has linked is refused with a *CompanyTakenError.
func (s *Store) Connect(ctx context.Context, firmID int64, realmID, companyName string, tok *oauth2.Token) error {
	access, refresh, err := s.seal(firmID, realmID, tok)
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := s.CompanyFree(ctx, tx, firmID, realmID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE qbo_connections SET status = 'disconnected', status_reason = 'another QuickBooks company was linked',
		       disconnected_at = now()
		WHERE firm_id = $1 AND realm_id <> $2 AND status <> 'disconnected'`, firmID, realmID); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO qbo_connections (firm_id, realm_id, company_name, status, access_token_sealed,
		                             refresh_token_sealed, access_token_expires_at)
		VALUES ($1, $2, $3, 'connected', $4, $5, $6)
		ON CONFLICT (firm_id, realm_id) DO UPDATE SET
		    company_name = EXCLUDED.company_name, status = 'connected', status_reason = '',
		    access_token_sealed = EXCLUDED.access_token_sealed,
		    refresh_token_sealed = EXCLUDED.refresh_token_sealed,
		    access_token_expires_at = EXCLUDED.access_token_expires_at,
		    tokens_rotated_at = now(), connected_at = now(), disconnected_at = NULL`,
		firmID, realmID, companyName, access, refresh, tok.Expiry); err != nil {
		if isUniqueViolation(err) {
			// Another firm linked the company a moment ago.
			if taken := s.CompanyFree(ctx, s.db, firmID, realmID); taken != nil {
				return taken
			}
		}
		return fmt.Errorf("connect: %w", err)
	}
	return tx.Commit()
}

// LiveConnection returns the firm's connection that is not disconnected.
func (s *Store) LiveConnection(ctx context.Context, firmID int64) (Connection, error) {
	var c Connection
	err := s.db.GetContext(ctx, &c, `
		SELECT firm_id, realm_id, company_name, status, status_reason, connected_at
		FROM qbo_connections WHERE firm_id = $1 AND status <> 'disconnected'`, firmID)
	if errors.Is(err, sql.ErrNoRows) {
		return Connection{}, ErrNotConnected
	}
	return c, err
}

// Token opens the stored tokens of a connection.
func (s *Store) Token(ctx context.Context, firmID int64, realmID string) (*oauth2.Token, error) {
	var row struct {
		Access  []byte    `db:"access_token_sealed"`
		Refresh []byte    `db:"refresh_token_sealed"`
		Expiry  time.Time `db:"access_token_expires_at"`
		Status  string    `db:"status"`
	}
	err := s.db.GetContext(ctx, &row, `
		SELECT access_token_sealed, refresh_token_sealed, access_token_expires_at, status
		FROM qbo_connections WHERE firm_id = $1 AND realm_id = $2`, firmID, realmID)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && row.Status == ConnDisconnected) {
		return nil, ErrNotConnected
	}
	if err != nil {
		return nil, err
	}
	tc := tokenContext(firmID, realmID)
	access, err := s.box.Open(row.Access, tc)
	if err != nil {
		return nil, fmt.Errorf("open access token of firm %d: %w", firmID, err)
	}
	refresh, err := s.box.Open(row.Refresh, tc)
	if err != nil {
		return nil, fmt.Errorf("open refresh token of firm %d: %w", firmID, err)
	}
	return &oauth2.Token{AccessToken: string(access), RefreshToken: string(refresh), TokenType: "bearer", Expiry: row.Expiry}, nil
}

// TokenSaver returns the object the QBO client calls to persist a rotated token pair
// before it uses it.
func (s *Store) TokenSaver(firmID int64) TokenSaver {
	return TokenSaver{s: s, firmID: firmID}
}

// TokenSaver persists rotated tokens of one firm's connection.
type TokenSaver struct {
	s      *Store
	firmID int64
}

// SaveToken stores tok as the connection's current token pair.
func (t TokenSaver) SaveToken(ctx context.Context, realmID string, tok *oauth2.Token) error {
	access, refresh, err := t.s.seal(t.firmID, realmID, tok)
	if err != nil {
		return err
	}
	res, err := t.s.db.ExecContext(ctx, `
		UPDATE qbo_connections SET access_token_sealed = $3, refresh_token_sealed = $4,
		       access_token_expires_at = $5, tokens_rotated_at = now()
		WHERE firm_id = $1 AND realm_id = $2`, t.firmID, realmID, access, refresh, tok.Expiry)
	if err != nil {
		return fmt.Errorf("save rotated token: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("save rotated token: no connection for firm %d and company %s", t.firmID, realmID)
	}
	return nil
}

// MarkConnection sets a connection's status, with a reason shown to the firm.
func (s *Store) MarkConnection(ctx context.Context, firmID int64, realmID, status, reason string) error {
	_, err := s.db.ExecContext(ctx, `
		UPDATE qbo_connections SET status = $3, status_reason = $4,
		       disconnected_at = CASE WHEN $3 = 'disconnected' THEN now() ELSE disconnected_at END
		WHERE firm_id = $1 AND realm_id = $2`, firmID, realmID, status, reason)
	return err
}

func (s *Store) seal(firmID int64, realmID string, tok *oauth2.Token) (access, refresh []byte, err error) {
	if tok == nil || tok.AccessToken == "" || tok.RefreshToken == "" {
		return nil, nil, errors.New("store: a connection needs both an access and a refresh token")
	}
	tc := tokenContext(firmID, realmID)
	if access, err = s.box.Seal([]byte(tok.AccessToken), tc); err != nil {
		return nil, nil, err
	}
	if refresh, err = s.box.Seal([]byte(tok.RefreshToken), tc); err != nil {
		return nil, nil, err
	}
	return access, refresh, nil
}

// ConnectedRealms lists the companies a firm is connected to now (at most one).
func (s *Store) ConnectedRealms(ctx context.Context, firmID int64) ([]string, error) {
	var realms []string
	err := s.db.SelectContext(ctx, &realms, `
		SELECT realm_id FROM qbo_connections WHERE firm_id = $1 AND status = 'connected'`, firmID)
	return realms, err
}

// ConnectedFirms lists the firms connected to a company now.
func (s *Store) ConnectedFirms(ctx context.Context) ([]int64, error) {
	var firms []int64
	err := s.db.SelectContext(ctx, &firms, `SELECT DISTINCT firm_id FROM qbo_connections WHERE status = 'connected' ORDER BY 1`)
	return firms, err
}
