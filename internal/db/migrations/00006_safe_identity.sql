-- +goose Up
-- Safe identity (docs/design.md, "Whose object is it").

-- One QuickBooks company belongs to one firm at a time. A second firm linking a company
-- another firm has live would let the two post into one set of books; the application
-- refuses it with the owner's name (store.ErrCompanyTaken), and this index makes the
-- rule hold whatever writes the table.
CREATE UNIQUE INDEX qbo_connections_one_firm_per_company ON qbo_connections (realm_id)
    WHERE status <> 'disconnected';

-- A QuickBooks object stands for one practice record of a firm. The accounts and items
-- the settings name are the exception: a firm may post fee income and reimbursed costs
-- to one income account. Bank accounts and trust liabilities are not: an operating
-- account, a trust bank account and a trust liability must each be a QuickBooks account
-- of its own, or trust money could land in the operating account. The ledger checks it
-- before anything posts; these indexes make it impossible to record otherwise.
-- A trust account an earlier version linked by its name to an account that already
-- stood for another bank role is forgotten here, so that the ledger sets it up again by
-- the rules above (the reconciliation names what was posted to it meanwhile).
DELETE FROM qbo_id_map m
WHERE m.kind = 'ledger' AND (m.source_key LIKE 'trust\_bank:%' OR m.source_key LIKE 'trust\_liability:%')
  AND EXISTS (SELECT 1 FROM qbo_id_map o
              WHERE o.kind = 'ledger' AND o.realm_id = m.realm_id AND o.qbo_entity = m.qbo_entity
                AND o.qbo_id = m.qbo_id AND (o.firm_id, o.source_key) <> (m.firm_id, m.source_key)
                AND (o.source_key LIKE 'operating\_bank:%' OR o.source_key LIKE 'trust\_bank:%'
                     OR o.source_key LIKE 'trust\_liability:%'));
ALTER TABLE qbo_id_map DROP CONSTRAINT qbo_id_map_firm_id_realm_id_qbo_entity_qbo_id_key;
CREATE UNIQUE INDEX qbo_id_map_one_record_per_object ON qbo_id_map (firm_id, realm_id, qbo_entity, qbo_id)
    WHERE kind <> 'ledger';
CREATE UNIQUE INDEX qbo_id_map_one_role_per_bank_account ON qbo_id_map (realm_id, qbo_entity, qbo_id)
    WHERE kind = 'ledger' AND (source_key LIKE 'operating\_bank:%' OR source_key LIKE 'trust\_bank:%'
                               OR source_key LIKE 'trust\_liability:%');

-- A category whose run keeps failing for a reason that is not about one record (the
-- database refused a write, QuickBooks is down, a bug): the latest error and how often
-- it repeated, until a run of the category succeeds. `starter status` and `starter
-- errors` read it, so nothing stalls in silence.
CREATE TABLE sync_category_errors (
    firm_id    bigint NOT NULL REFERENCES firms (id),
    realm_id   text NOT NULL,
    category   text NOT NULL,
    error      text NOT NULL,
    attempts   integer NOT NULL DEFAULT 1,
    first_at   timestamptz NOT NULL DEFAULT now(),
    last_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (firm_id, realm_id, category)
);

-- +goose Down
DROP TABLE sync_category_errors;
DROP INDEX qbo_id_map_one_role_per_bank_account, qbo_id_map_one_record_per_object;
ALTER TABLE qbo_id_map ADD UNIQUE (firm_id, realm_id, qbo_entity, qbo_id);
DROP INDEX qbo_connections_one_firm_per_company;
