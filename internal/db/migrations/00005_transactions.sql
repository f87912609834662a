-- +goose Up
-- Creates that may have happened. QuickBooks does not make transactions unique by
-- anything a retry could collide with (two invoices may share a number), so a create
-- whose answer was lost could be repeated into a duplicate. Before the sync sends a
-- create it records its intent here; the id map row that records the answer removes
-- it. An intent still here on a later attempt means "this create may have reached
-- QuickBooks": the sync looks for the object by its marker before creating again
-- (docs/design.md, "Transactions: intents, batches, and a lookup only when in doubt"),
-- and only those records cost a lookup.
CREATE TABLE qbo_write_intents (
    firm_id      bigint NOT NULL REFERENCES firms (id),
    realm_id     text NOT NULL,
    kind         text NOT NULL,
    source_key   text NOT NULL,
    qbo_entity   text NOT NULL,
    -- what the create was to write, and the day the object is dated (the lookup's key)
    content_hash text NOT NULL,
    txn_date     text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (firm_id, realm_id, kind, source_key)
);

-- An adjustment (a write-off, credit or debit) changes what is owed on its invoice, and
-- posts with it: a debit or a discount line is part of the QBO invoice, and a credit
-- memo is listed by its invoice. So a change to an adjustment is also fed as a change
-- of its invoice; a deleted adjustment could not otherwise be traced to it.
CREATE CONSTRAINT TRIGGER adjustments_invoice_feed AFTER INSERT OR UPDATE OR DELETE ON adjustments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pms_record_change('invoice', 'invoice_id');

-- +goose Down
DROP TRIGGER adjustments_invoice_feed ON adjustments;
DROP TABLE qbo_write_intents;
