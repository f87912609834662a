-- +goose Up
-- The firm's console (internal/web/console.go). A firm may ask for one failed record to
-- be tried again: the request waits on its row until the sync's next cycle takes it up
-- (internal/syncer/engine.go, retryFailed), and the record's next outcome clears it.
ALTER TABLE sync_items ADD COLUMN retry_requested boolean NOT NULL DEFAULT false;

-- The latest reconciliation of each company, in full, as the activity that ran it
-- (activities/reconcile.go) found it: the console shows the records behind every
-- difference without checking the books again in the web process. The report is
-- internal/reconcile's Report as JSON; one row per company, replaced by each check.
CREATE TABLE reconciliations (
    firm_id    bigint      NOT NULL REFERENCES firms (id),
    realm_id   text        NOT NULL,
    checked_at timestamptz NOT NULL,
    ok         boolean     NOT NULL,
    report     jsonb       NOT NULL,
    PRIMARY KEY (firm_id, realm_id)
);

-- +goose Down
DROP TABLE reconciliations;
ALTER TABLE sync_items DROP COLUMN retry_requested;
