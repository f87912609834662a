-- +goose Up
-- The change feed: one row per changed practice record, written by triggers of the
-- practice tables in the same transaction as the change, so a change and its feed row
-- commit (or roll back) together.
--
-- A reader pages through the feed by seq and keeps the last seq it handled. That is
-- only safe if rows become visible in seq order: if a transaction could commit a lower
-- seq after a higher one was read, the reader would pass over it for ever. Sequence
-- numbers taken during a transaction do not have that property (transactions commit in
-- another order than they insert). So the feed rows are written at commit time, by
-- deferred constraint triggers, while holding a transaction-scoped advisory lock:
-- practice transactions take their feed numbers one at a time, and the lock is released
-- only after the holder's commit is visible. A reader that sees seq N can therefore
-- never later find a new row below N. Unrelated transactions, however long, do not hold
-- the feed back; the price is that practice transactions serialise for the moment it
-- takes to write their feed rows and commit.
CREATE TABLE pms_changes (
    seq        bigserial PRIMARY KEY,
    firm_id    bigint NOT NULL,
    -- entity is the record the sync cares about: a change to an invoice line is recorded
    -- as a change to its invoice.
    entity     text NOT NULL,
    entity_id  bigint NOT NULL,
    op         text NOT NULL CHECK (op IN ('INSERT', 'UPDATE', 'DELETE')),
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX pms_changes_reader_idx ON pms_changes (firm_id, seq);

-- pms_record_change(entity, id_column): records the change of a row of the table it is
-- attached to as a change of <entity> with the id found in <id_column>, and wakes
-- listeners on channel pms_changes with the firm id (NOTIFY folds duplicates within a
-- transaction, so a bulk change sends one notification per firm).
-- +goose StatementBegin
CREATE FUNCTION pms_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rec     jsonb;
    old_rec jsonb;
BEGIN
    -- The feed's commit lock (see above); re-entrant within the transaction.
    PERFORM pg_advisory_xact_lock(7231900001);
    IF TG_OP = 'DELETE' THEN
        rec := to_jsonb(OLD);
    ELSE
        rec := to_jsonb(NEW);
    END IF;
    INSERT INTO pms_changes (firm_id, entity, entity_id, op)
    VALUES ((rec ->> 'firm_id')::bigint, TG_ARGV[0], (rec ->> TG_ARGV[1])::bigint, TG_OP);
    -- A line moved to another invoice changes both invoices.
    IF TG_OP = 'UPDATE' THEN
        old_rec := to_jsonb(OLD);
        IF (old_rec ->> TG_ARGV[1]) IS DISTINCT FROM (rec ->> TG_ARGV[1]) THEN
            INSERT INTO pms_changes (firm_id, entity, entity_id, op)
            VALUES ((old_rec ->> 'firm_id')::bigint, TG_ARGV[0], (old_rec ->> TG_ARGV[1])::bigint, TG_OP);
        END IF;
    END IF;
    PERFORM pg_notify('pms_changes', rec ->> 'firm_id');
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER timekeepers_feed AFTER INSERT OR UPDATE OR DELETE ON timekeepers
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pms_record_change('timekeeper', 'id');
CREATE CONSTRAINT TRIGGER clients_feed AFTER INSERT OR UPDATE OR DELETE ON clients
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pms_record_change('client', 'id');
CREATE CONSTRAINT TRIGGER matters_feed AFTER INSERT OR UPDATE OR DELETE ON matters
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pms_record_change('matter', 'id');
CREATE CONSTRAINT TRIGGER bank_accounts_feed AFTER INSERT OR UPDATE OR DELETE ON bank_accounts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pms_record_change('bank_account', 'id');
CREATE CONSTRAINT TRIGGER invoices_feed AFTER INSERT OR UPDATE OR DELETE ON invoices
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pms_record_change('invoice', 'id');
CREATE CONSTRAINT TRIGGER invoice_lines_feed AFTER INSERT OR UPDATE OR DELETE ON invoice_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pms_record_change('invoice', 'invoice_id');
CREATE CONSTRAINT TRIGGER time_entries_feed AFTER INSERT OR UPDATE OR DELETE ON time_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pms_record_change('time_entry', 'id');
CREATE CONSTRAINT TRIGGER expenses_feed AFTER INSERT OR UPDATE OR DELETE ON expenses
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pms_record_change('expense', 'id');
CREATE CONSTRAINT TRIGGER payments_feed AFTER INSERT OR UPDATE OR DELETE ON payments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pms_record_change('payment', 'id');
CREATE CONSTRAINT TRIGGER payment_allocations_feed AFTER INSERT OR UPDATE OR DELETE ON payment_allocations
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pms_record_change('payment', 'payment_id');
CREATE CONSTRAINT TRIGGER adjustments_feed AFTER INSERT OR UPDATE OR DELETE ON adjustments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pms_record_change('adjustment', 'id');
CREATE CONSTRAINT TRIGGER deposit_slips_feed AFTER INSERT OR UPDATE OR DELETE ON deposit_slips
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pms_record_change('deposit_slip', 'id');
CREATE CONSTRAINT TRIGGER trust_transactions_feed AFTER INSERT OR UPDATE OR DELETE ON trust_transactions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pms_record_change('trust_transaction', 'id');

-- +goose Down
DROP TABLE pms_changes;
DROP FUNCTION pms_record_change() CASCADE;
