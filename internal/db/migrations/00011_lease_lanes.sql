-- +goose Up
-- A company's writers go in lanes (internal/syncer/lock.go): the contacts (customers)
-- in one, everything that posts to them in the other, one writer per lane. A new
-- client then reaches QuickBooks while a long run of invoices is still writing.
-- The lane has no default: a worker from before the lanes, which would take the whole
-- company's lease by (firm, realm) alone, fails to take one at all (its ON CONFLICT
-- names no unique index now) rather than write beside a lane.
ALTER TABLE company_leases ADD COLUMN lane text NOT NULL DEFAULT 'books';
ALTER TABLE company_leases ALTER COLUMN lane DROP DEFAULT;
ALTER TABLE company_leases DROP CONSTRAINT company_leases_pkey;
ALTER TABLE company_leases ADD PRIMARY KEY (firm_id, realm_id, lane);

-- +goose Down
DELETE FROM company_leases WHERE lane <> 'books';
ALTER TABLE company_leases DROP CONSTRAINT company_leases_pkey;
ALTER TABLE company_leases DROP COLUMN lane;
ALTER TABLE company_leases ADD PRIMARY KEY (firm_id, realm_id);
