-- +goose Up
-- The feed's notification names the changed entity beside the firm: "<firm id>:<entity>"
-- (internal/pms/listen.go reads both forms). The sync then knows that a new client came
-- and runs the contacts beside a long run of invoices (workflows/sync.go, "contacts
-- beside"). NOTIFY folds duplicates within a transaction, so a bulk change sends one
-- notification per firm and entity. The rest of the function is 00002's.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION pms_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rec     jsonb;
    old_rec jsonb;
BEGIN
    -- The feed's commit lock (00002_change_feed.sql); re-entrant within the transaction.
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
    PERFORM pg_notify('pms_changes', (rec ->> 'firm_id') || ':' || TG_ARGV[0]);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION pms_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rec     jsonb;
    old_rec jsonb;
BEGIN
    PERFORM pg_advisory_xact_lock(7231900001);
    IF TG_OP = 'DELETE' THEN
        rec := to_jsonb(OLD);
    ELSE
        rec := to_jsonb(NEW);
    END IF;
    INSERT INTO pms_changes (firm_id, entity, entity_id, op)
    VALUES ((rec ->> 'firm_id')::bigint, TG_ARGV[0], (rec ->> TG_ARGV[1])::bigint, TG_OP);
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
