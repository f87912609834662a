package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The wizard's web sign-ins (internal/web/session.go decides; this file keeps): used
// sign-in links, sessions by the hash of their token, and the OAuth states a session
// began. Nothing here sees a token itself.

// UseLoginNonce records a sign-in link's nonce as used for the firm until the link
// expires, and reports whether it was unused until now: each link signs in once.
func (s *Store) UseLoginNonce(ctx context.Context, nonce string, firmID int64, expires time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `
		INSERT INTO web_login_uses (nonce, firm_id, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		nonce, firmID, expires)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// CreateSession records a new session of a firm by its token's hash.
func (s *Store) CreateSession(ctx context.Context, tokenHash []byte, firmID int64, expires time.Time, userAgent string) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO web_sessions (token_hash, firm_id, expires_at, user_agent) VALUES ($1, $2, $3, $4)`,
		tokenHash, firmID, expires, userAgent)
	return err
}

// SessionFirm returns the firm of the live session with the token's hash; live is
// false when it expired, was revoked, or never was.
func (s *Store) SessionFirm(ctx context.Context, tokenHash []byte) (firm int64, live bool, err error) {
	err = s.db.GetContext(ctx, &firm, `
		SELECT firm_id FROM web_sessions
		WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()`, tokenHash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return firm, err == nil, err
}

// RevokeSession ends one session (signing out). Ending one already ended is no error.
func (s *Store) RevokeSession(ctx context.Context, tokenHash []byte) error {
	_, err := s.db.ExecContext(ctx, `
		UPDATE web_sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL`, tokenHash)
	return err
}

// RevokeFirmSessions ends every live session of a firm ("sign out everywhere") and
// returns how many it ended.
func (s *Store) RevokeFirmSessions(ctx context.Context, firmID int64) (int64, error) {
	res, err := s.db.ExecContext(ctx, `
		UPDATE web_sessions SET revoked_at = now() WHERE firm_id = $1 AND revoked_at IS NULL`, firmID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// FirmName returns the practice's name for a firm, for the sign-in page.
func (s *Store) FirmName(ctx context.Context, firmID int64) (string, error) {
	var name string
	err := s.db.GetContext(ctx, &name, `SELECT name FROM firms WHERE id = $1`, firmID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w: firm %d", ErrNoFirm, firmID)
	}
	return name, err
}

// OAuthStateLifetime bounds how long a user may take on QuickBooks' authorize page.
const OAuthStateLifetime = 30 * time.Minute

// ErrBadOAuthState means a callback's state was not issued for this firm, was used
// already, or is too old.
var ErrBadOAuthState = errors.New("store: no unused OAuth state of this firm")

// ErrOAuthStateOfOtherSession means the state is this firm's but another web session
// (or the operator's CLI) began the connection.
var ErrOAuthStateOfOtherSession = errors.New("store: the OAuth state was issued to another session")

// NewOAuthState records a state value handed to the authorize page for a firm, and
// the session that began the connection (nil: the operator's CLI).
func (s *Store) NewOAuthState(ctx context.Context, state string, firmID int64, sessionHash []byte) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO oauth_states (state, firm_id, session_hash) VALUES ($1, $2, $3)`, state, firmID, sessionHash)
	return err
}

// UseOAuthState marks a state used, once, if the firm and session it was issued to
// are these and it is younger than OAuthStateLifetime.
func (s *Store) UseOAuthState(ctx context.Context, state string, firmID int64, sessionHash []byte) error {
	res, err := s.db.ExecContext(ctx, `
		UPDATE oauth_states SET used_at = now()
		WHERE state = $1 AND firm_id = $2 AND session_hash IS NOT DISTINCT FROM $3
		  AND used_at IS NULL AND created_at > now() - $4::interval`,
		state, firmID, sessionHash, fmt.Sprintf("%d seconds", int(OAuthStateLifetime.Seconds())))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var other int
	err = s.db.GetContext(ctx, &other, `
		SELECT count(*) FROM oauth_states
		WHERE state = $1 AND firm_id = $2 AND session_hash IS DISTINCT FROM $3 AND used_at IS NULL`, state, firmID, sessionHash)
	if err == nil && other > 0 {
		return ErrOAuthStateOfOtherSession
	}
	return ErrBadOAuthState
}

// Purged counts the rows PurgeWebSignIns deleted.
type Purged struct {
	OAuthStates, Sessions, LoginNonces int64
}

// PurgeWebSignIns deletes what can no longer be used: OAuth states past their
// lifetime, sessions expired or revoked, and used sign-in nonces whose link expired.
// `starter serve` runs it at start and hourly (starter/serve.go); the tables would
// otherwise grow without bound.
func (s *Store) PurgeWebSignIns(ctx context.Context) (Purged, error) {
	var p Purged
	var err error
	del := func(n *int64, query string, args ...any) {
		if err != nil {
			return
		}
		var res sql.Result
		if res, err = s.db.ExecContext(ctx, query, args...); err == nil {
			*n, err = res.RowsAffected()
		}
	}
	del(&p.OAuthStates, `DELETE FROM oauth_states WHERE created_at <= now() - $1::interval`,
		fmt.Sprintf("%d seconds", int(OAuthStateLifetime.Seconds())))
	del(&p.Sessions, `DELETE FROM web_sessions WHERE expires_at <= now() OR revoked_at IS NOT NULL`)
	del(&p.LoginNonces, `DELETE FROM web_login_uses WHERE expires_at <= now()`)
	if err != nil {
		return p, fmt.Errorf("store: purge: %w", err)
	}
	return p, nil
}
