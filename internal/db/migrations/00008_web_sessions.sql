-- +goose Up
-- The wizard's web sessions live here, one row each (internal/store/websessions.go),
-- so a session can end before its expiry: signing out revokes its row, and "sign out
-- everywhere" revokes every row of the firm. The row holds the SHA-256 of the session
-- token, never the token: a copy of this table opens no session.
CREATE TABLE web_sessions (
    token_hash bytea       PRIMARY KEY,
    firm_id    bigint      NOT NULL REFERENCES firms (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    user_agent text        NOT NULL DEFAULT ''
);
CREATE INDEX web_sessions_firm_idx ON web_sessions (firm_id) WHERE revoked_at IS NULL;

-- An OAuth state belongs to the web session that began the connection (NULL: begun by
-- the operator's CLI), so QuickBooks' answer completes only in that session.
ALTER TABLE oauth_states ADD COLUMN session_hash bytea;

-- A used sign-in link's nonce is kept until the link expires, and purged after: an
-- expired link is refused by its signature alone.
ALTER TABLE web_login_uses ADD COLUMN expires_at timestamptz NOT NULL DEFAULT now() + interval '1 day';

-- +goose Down
ALTER TABLE web_login_uses DROP COLUMN expires_at;
ALTER TABLE oauth_states DROP COLUMN session_hash;
DROP TABLE web_sessions;
