-- +goose Up
-- The integration's own state. Every row is scoped to a firm; rows that concern one
-- QuickBooks company also carry its realm_id, so linking a different company starts
-- from a clean slate while the old mapping stays for the record.

-- A firm's link to a QuickBooks company. Tokens are sealed with AES-GCM by the
-- application (internal/secret) before they reach this table; the key never does.
CREATE TABLE qbo_connections (
    firm_id                bigint NOT NULL REFERENCES firms (id),
    realm_id               text NOT NULL CHECK (btrim(realm_id) <> ''),
    company_name           text NOT NULL DEFAULT '',
    status                 text NOT NULL DEFAULT 'connected'
                           CHECK (status IN ('connected', 'needs_reconnect', 'disconnected')),
    status_reason          text NOT NULL DEFAULT '',
    access_token_sealed    bytea NOT NULL,
    refresh_token_sealed   bytea NOT NULL,
    access_token_expires_at timestamptz NOT NULL,
    tokens_rotated_at      timestamptz NOT NULL DEFAULT now(),
    connected_at           timestamptz NOT NULL DEFAULT now(),
    disconnected_at        timestamptz,
    PRIMARY KEY (firm_id, realm_id)
);
-- At most one live connection per firm.
CREATE UNIQUE INDEX qbo_connections_one_live ON qbo_connections (firm_id)
    WHERE status <> 'disconnected';

-- OAuth state values handed to the authorize page, checked once on the callback (CSRF).
CREATE TABLE oauth_states (
    state      text PRIMARY KEY,
    firm_id    bigint NOT NULL REFERENCES firms (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    used_at    timestamptz
);

-- The setup wizard's settings: a draft until submitted, then frozen.
CREATE TABLE setup_settings (
    firm_id      bigint NOT NULL REFERENCES firms (id),
    setup_id     text NOT NULL,
    realm_id     text NOT NULL DEFAULT '',
    status       text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'cancelled')),
    step         text NOT NULL DEFAULT '',
    settings     jsonb NOT NULL DEFAULT '{}',
    updated_at   timestamptz NOT NULL DEFAULT now(),
    submitted_at timestamptz,
    PRIMARY KEY (firm_id, setup_id)
);

-- The id map: which QBO object stands for which practice record (or which fixed object
-- such as the "Legal Services" item), with the SyncToken last seen and a hash of what was
-- last written, so an unchanged record is not written again.
CREATE TABLE qbo_id_map (
    firm_id      bigint NOT NULL REFERENCES firms (id),
    realm_id     text NOT NULL,
    kind         text NOT NULL,
    source_key   text NOT NULL,
    qbo_entity   text NOT NULL,
    qbo_id       text NOT NULL,
    sync_token   text NOT NULL DEFAULT '0',
    content_hash text NOT NULL DEFAULT '',
    qbo_name     text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (firm_id, realm_id, kind, source_key),
    UNIQUE (firm_id, realm_id, qbo_entity, qbo_id)
);

-- Where each category's reader stands in the change feed.
CREATE TABLE sync_cursors (
    firm_id    bigint NOT NULL REFERENCES firms (id),
    realm_id   text NOT NULL,
    category   text NOT NULL,
    feed_seq   bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (firm_id, realm_id, category)
);

-- The latest outcome for each practice record the sync has handled. A failed item keeps
-- QBO's code and a plain-language explanation until a later attempt succeeds.
CREATE TABLE sync_items (
    firm_id          bigint NOT NULL REFERENCES firms (id),
    realm_id         text NOT NULL,
    kind             text NOT NULL,
    source_key       text NOT NULL,
    label            text NOT NULL DEFAULT '',
    status           text NOT NULL CHECK (status IN ('synced', 'failed')),
    last_action      text NOT NULL DEFAULT '' CHECK (last_action IN ('', 'created', 'updated', 'adopted', 'unchanged', 'failed')),
    error_code       text NOT NULL DEFAULT '',
    error_message    text NOT NULL DEFAULT '',
    explanation      text NOT NULL DEFAULT '',
    attempts         integer NOT NULL DEFAULT 0,
    first_failed_at  timestamptz,
    last_attempt_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (firm_id, realm_id, kind, source_key)
);
CREATE INDEX sync_items_failed_idx ON sync_items (firm_id, realm_id) WHERE status = 'failed';

-- +goose Down
DROP TABLE sync_items, sync_cursors, qbo_id_map, setup_settings, oauth_states, qbo_connections;
