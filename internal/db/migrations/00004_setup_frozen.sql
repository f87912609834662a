-- +goose Up
-- The setup wizard's settings rows (setup_settings, 00003) gain what the wizard shows
-- a firm coming back to a paused setup, and a guard: submitted settings are frozen.
-- The product's promise is that they cannot change without linking a different
-- QuickBooks company (a new setup, a new row), because QuickBooks already holds what
-- they posted; the workflow refuses such changes, and this trigger makes sure no code
-- path or hand-written UPDATE can break the promise either.
ALTER TABLE setup_settings
    ADD COLUMN company_name text NOT NULL DEFAULT '',
    ADD COLUMN paused       boolean NOT NULL DEFAULT false;

-- The sync looks up the submitted settings of a firm's company.
CREATE INDEX setup_settings_company_idx ON setup_settings (firm_id, realm_id, status);

-- +goose StatementBegin
CREATE FUNCTION setup_settings_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'submitted' THEN
            RAISE EXCEPTION 'setup % of firm % was submitted; its settings are kept for the record', OLD.setup_id, OLD.firm_id
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'submitted' AND (NEW.status <> OLD.status OR NEW.settings IS DISTINCT FROM OLD.settings
                                     OR NEW.realm_id <> OLD.realm_id) THEN
        RAISE EXCEPTION 'setup % of firm % was submitted and its settings are frozen; link a different QuickBooks company to start a new setup',
            OLD.setup_id, OLD.firm_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER setup_settings_frozen BEFORE UPDATE OR DELETE ON setup_settings
    FOR EACH ROW EXECUTE FUNCTION setup_settings_frozen();

-- The wizard's web sign-in links (starter web-login) work once: a link that leaked
-- (a browser history, a forwarded e-mail) cannot open the firm's setup again.
CREATE TABLE web_login_uses (
    nonce      text PRIMARY KEY,
    firm_id    bigint NOT NULL REFERENCES firms (id),
    used_at    timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE web_login_uses;
DROP TRIGGER setup_settings_frozen ON setup_settings;
DROP FUNCTION setup_settings_frozen();
DROP INDEX setup_settings_company_idx;
ALTER TABLE setup_settings DROP COLUMN paused, DROP COLUMN company_name;
