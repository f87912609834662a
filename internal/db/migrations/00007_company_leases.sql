-- +goose Up
-- One writer per firm and company at a time (internal/store/leases.go). A lease row
-- replaces a session advisory lock: the lock held a database connection for a whole
-- category run, so as many firms syncing at once as the worker's pool has connections
-- left none for their queries, and every run waited for ever. A lease holds nothing
-- between statements; its holder renews it while it runs, and one a dead worker left
-- expires.
CREATE TABLE company_leases (
    firm_id    bigint      NOT NULL,
    realm_id   text        NOT NULL,
    holder     text        NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (firm_id, realm_id)
);

-- +goose Down
DROP TABLE company_leases;
