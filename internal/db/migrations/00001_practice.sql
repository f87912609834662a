-- +goose Up
-- The practice-management data model: what the law firm's practice system holds.
-- qbosync only reads these tables; the practice system (or `starter seed`) writes them.
--
-- Conventions:
--   * every row carries firm_id, and every reference to another practice row is a
--     composite (firm_id, id) foreign key, so a row can never point into another firm;
--   * money is integer cents (bigint), never a float; hours are numeric(7,2);
--   * updated_at is kept by the practice system; qbosync relies on the change feed
--     (00002_change_feed.sql), not on timestamps.

CREATE TABLE firms (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL CHECK (btrim(name) <> ''),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE timekeepers (
    firm_id            bigint NOT NULL REFERENCES firms (id),
    id                 bigserial PRIMARY KEY,
    name               text NOT NULL CHECK (btrim(name) <> ''),
    initials           text NOT NULL DEFAULT '',
    default_rate_cents bigint NOT NULL DEFAULT 0 CHECK (default_rate_cents >= 0),
    active             boolean NOT NULL DEFAULT true,
    UNIQUE (firm_id, id)
);

CREATE TABLE clients (
    firm_id       bigint NOT NULL REFERENCES firms (id),
    id            bigserial PRIMARY KEY,
    client_number text NOT NULL CHECK (btrim(client_number) <> ''),
    kind          text NOT NULL CHECK (kind IN ('person', 'company')),
    -- name is how the firm refers to the client: "Jane O'Neil" or "Acme Holdings, Inc."
    name          text NOT NULL CHECK (btrim(name) <> ''),
    given_name    text NOT NULL DEFAULT '',
    family_name   text NOT NULL DEFAULT '',
    company_name  text NOT NULL DEFAULT '',
    email         text NOT NULL DEFAULT '',
    phone         text NOT NULL DEFAULT '',
    address_line1 text NOT NULL DEFAULT '',
    city          text NOT NULL DEFAULT '',
    region        text NOT NULL DEFAULT '',
    postal_code   text NOT NULL DEFAULT '',
    country       text NOT NULL DEFAULT '',
    archived      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (firm_id, id),
    UNIQUE (firm_id, client_number)
);

CREATE TABLE matters (
    firm_id                   bigint NOT NULL,
    id                        bigserial PRIMARY KEY,
    client_id                 bigint NOT NULL,
    matter_number             text NOT NULL CHECK (btrim(matter_number) <> ''),
    name                      text NOT NULL CHECK (btrim(name) <> ''),
    status                    text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'closed')),
    responsible_timekeeper_id bigint,
    opened_on                 date NOT NULL,
    closed_on                 date,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    UNIQUE (firm_id, id),
    UNIQUE (firm_id, matter_number),
    FOREIGN KEY (firm_id, client_id) REFERENCES clients (firm_id, id),
    FOREIGN KEY (firm_id, responsible_timekeeper_id) REFERENCES timekeepers (firm_id, id)
);

-- Operating and trust (IOLTA) bank accounts the firm keeps in the practice system.
CREATE TABLE bank_accounts (
    firm_id        bigint NOT NULL REFERENCES firms (id),
    id             bigserial PRIMARY KEY,
    kind           text NOT NULL CHECK (kind IN ('operating', 'trust')),
    name           text NOT NULL CHECK (btrim(name) <> ''),
    institution    text NOT NULL DEFAULT '',
    account_last4  text NOT NULL DEFAULT '' CHECK (account_last4 ~ '^[0-9]{0,4}$'),
    currency       char(3) NOT NULL DEFAULT 'USD',
    active         boolean NOT NULL DEFAULT true,
    UNIQUE (firm_id, id),
    UNIQUE (firm_id, kind, id)
);

CREATE TABLE invoices (
    firm_id        bigint NOT NULL,
    id             bigserial PRIMARY KEY,
    matter_id      bigint NOT NULL,
    invoice_number text NOT NULL CHECK (btrim(invoice_number) <> ''),
    status         text NOT NULL CHECK (status IN ('draft', 'approved', 'void')),
    issued_on      date NOT NULL,
    due_on         date NOT NULL,
    -- total_cents is the practice system's invoice total; the lines must add up to it
    -- (checked by the sync, which refuses to post an invoice that does not balance).
    total_cents    bigint NOT NULL CHECK (total_cents >= 0),
    memo           text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (firm_id, id),
    UNIQUE (firm_id, invoice_number),
    FOREIGN KEY (firm_id, matter_id) REFERENCES matters (firm_id, id),
    CHECK (due_on >= issued_on)
);

CREATE TABLE time_entries (
    firm_id       bigint NOT NULL,
    id            bigserial PRIMARY KEY,
    matter_id     bigint NOT NULL,
    timekeeper_id bigint NOT NULL,
    worked_on     date NOT NULL,
    hours         numeric(7, 2) NOT NULL CHECK (hours > 0),
    rate_cents    bigint NOT NULL CHECK (rate_cents >= 0),
    amount_cents  bigint NOT NULL CHECK (amount_cents >= 0),
    -- flat-fee entries bill a fixed amount whatever the hours
    flat_fee      boolean NOT NULL DEFAULT false,
    billable      boolean NOT NULL DEFAULT true,
    description   text NOT NULL DEFAULT '',
    invoice_id    bigint,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (firm_id, id),
    FOREIGN KEY (firm_id, matter_id) REFERENCES matters (firm_id, id),
    FOREIGN KEY (firm_id, timekeeper_id) REFERENCES timekeepers (firm_id, id),
    FOREIGN KEY (firm_id, invoice_id) REFERENCES invoices (firm_id, id)
);

-- Expenses: hard costs are paid to a third party (a filing fee, an expert) from a bank
-- account; soft costs are the firm's own charges (copies, mileage) and have no payee.
CREATE TABLE expenses (
    firm_id                 bigint NOT NULL,
    id                      bigserial PRIMARY KEY,
    matter_id               bigint NOT NULL,
    kind                    text NOT NULL CHECK (kind IN ('hard', 'soft')),
    incurred_on             date NOT NULL,
    description             text NOT NULL DEFAULT '',
    quantity                numeric(9, 2) NOT NULL DEFAULT 1 CHECK (quantity > 0),
    unit_price_cents        bigint NOT NULL CHECK (unit_price_cents >= 0),
    amount_cents            bigint NOT NULL CHECK (amount_cents >= 0),
    payee                   text NOT NULL DEFAULT '',
    paid_from_account_id    bigint,
    check_number            text NOT NULL DEFAULT '',
    billable                boolean NOT NULL DEFAULT true,
    invoice_id              bigint,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (firm_id, id),
    FOREIGN KEY (firm_id, matter_id) REFERENCES matters (firm_id, id),
    FOREIGN KEY (firm_id, paid_from_account_id) REFERENCES bank_accounts (firm_id, id),
    FOREIGN KEY (firm_id, invoice_id) REFERENCES invoices (firm_id, id),
    CHECK (kind = 'soft' OR (btrim(payee) <> '' AND paid_from_account_id IS NOT NULL))
);

CREATE TABLE invoice_lines (
    firm_id       bigint NOT NULL,
    id            bigserial PRIMARY KEY,
    invoice_id    bigint NOT NULL,
    line_no       integer NOT NULL CHECK (line_no > 0),
    item_type     text NOT NULL CHECK (item_type IN ('fees', 'flat_fees', 'hard_costs', 'soft_costs', 'interest')),
    service_on    date,
    description   text NOT NULL DEFAULT '',
    quantity      numeric(9, 2) NOT NULL DEFAULT 1,
    rate_cents    bigint NOT NULL DEFAULT 0,
    amount_cents  bigint NOT NULL,
    time_entry_id bigint,
    expense_id    bigint,
    UNIQUE (firm_id, id),
    UNIQUE (invoice_id, line_no),
    FOREIGN KEY (firm_id, invoice_id) REFERENCES invoices (firm_id, id) ON DELETE CASCADE,
    FOREIGN KEY (firm_id, time_entry_id) REFERENCES time_entries (firm_id, id),
    FOREIGN KEY (firm_id, expense_id) REFERENCES expenses (firm_id, id),
    CHECK (time_entry_id IS NULL OR expense_id IS NULL)
);

-- A payment received from a client, from operating funds (a check, a card) or applied
-- from the client's trust balance.
CREATE TABLE payments (
    firm_id         bigint NOT NULL,
    id              bigserial PRIMARY KEY,
    client_id       bigint NOT NULL,
    source          text NOT NULL CHECK (source IN ('operating', 'trust')),
    bank_account_id bigint NOT NULL,
    received_on     date NOT NULL,
    amount_cents    bigint NOT NULL CHECK (amount_cents > 0),
    method          text NOT NULL DEFAULT 'check' CHECK (method IN ('check', 'card', 'ach', 'wire', 'cash', 'trust')),
    reference       text NOT NULL DEFAULT '',
    status          text NOT NULL DEFAULT 'posted' CHECK (status IN ('posted', 'void')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (firm_id, id),
    FOREIGN KEY (firm_id, client_id) REFERENCES clients (firm_id, id),
    FOREIGN KEY (firm_id, bank_account_id) REFERENCES bank_accounts (firm_id, id)
);

CREATE TABLE payment_allocations (
    firm_id      bigint NOT NULL,
    id           bigserial PRIMARY KEY,
    payment_id   bigint NOT NULL,
    invoice_id   bigint NOT NULL,
    amount_cents bigint NOT NULL CHECK (amount_cents > 0),
    UNIQUE (firm_id, id),
    UNIQUE (payment_id, invoice_id),
    FOREIGN KEY (firm_id, payment_id) REFERENCES payments (firm_id, id) ON DELETE CASCADE,
    FOREIGN KEY (firm_id, invoice_id) REFERENCES invoices (firm_id, id)
);

-- Changes to what a client owes on an invoice after it was issued: write-offs and credits
-- lower it, debits raise it.
CREATE TABLE adjustments (
    firm_id      bigint NOT NULL,
    id           bigserial PRIMARY KEY,
    invoice_id   bigint NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('write_off', 'credit', 'debit')),
    adjusted_on  date NOT NULL,
    amount_cents bigint NOT NULL CHECK (amount_cents > 0),
    reason       text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (firm_id, id),
    FOREIGN KEY (firm_id, invoice_id) REFERENCES invoices (firm_id, id)
);

-- A bank deposit slip: several client receipts deposited together into a trust account.
CREATE TABLE deposit_slips (
    firm_id         bigint NOT NULL,
    id              bigserial PRIMARY KEY,
    bank_account_id bigint NOT NULL,
    slip_number     text NOT NULL CHECK (btrim(slip_number) <> ''),
    deposited_on    date NOT NULL,
    total_cents     bigint NOT NULL CHECK (total_cents > 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (firm_id, id),
    UNIQUE (firm_id, bank_account_id, slip_number),
    FOREIGN KEY (firm_id, bank_account_id) REFERENCES bank_accounts (firm_id, id)
);

-- Client money held in trust. Amounts are positive; kind says the direction.
--   deposit               money received for a client into trust (usually on a slip)
--   disbursement          paid out of trust to a third party on the client's behalf
--   transfer_to_operating trust money applied to the firm's invoice (links the payment)
CREATE TABLE trust_transactions (
    firm_id         bigint NOT NULL,
    id              bigserial PRIMARY KEY,
    bank_account_id bigint NOT NULL,
    matter_id       bigint NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('deposit', 'disbursement', 'transfer_to_operating')),
    txn_on          date NOT NULL,
    amount_cents    bigint NOT NULL CHECK (amount_cents > 0),
    payee           text NOT NULL DEFAULT '',
    reference       text NOT NULL DEFAULT '',
    description     text NOT NULL DEFAULT '',
    deposit_slip_id bigint,
    payment_id      bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (firm_id, id),
    FOREIGN KEY (firm_id, bank_account_id) REFERENCES bank_accounts (firm_id, id),
    FOREIGN KEY (firm_id, matter_id) REFERENCES matters (firm_id, id),
    FOREIGN KEY (firm_id, deposit_slip_id) REFERENCES deposit_slips (firm_id, id),
    FOREIGN KEY (firm_id, payment_id) REFERENCES payments (firm_id, id),
    CHECK (kind <> 'disbursement' OR btrim(payee) <> ''),
    CHECK (kind <> 'transfer_to_operating' OR payment_id IS NOT NULL),
    CHECK (deposit_slip_id IS NULL OR kind = 'deposit')
);

CREATE INDEX matters_client_idx ON matters (firm_id, client_id);
CREATE INDEX invoices_matter_idx ON invoices (firm_id, matter_id);
CREATE INDEX time_entries_matter_idx ON time_entries (firm_id, matter_id);
CREATE INDEX expenses_matter_idx ON expenses (firm_id, matter_id);
CREATE INDEX payment_allocations_invoice_idx ON payment_allocations (firm_id, invoice_id);
CREATE INDEX adjustments_invoice_idx ON adjustments (firm_id, invoice_id);
CREATE INDEX trust_transactions_matter_idx ON trust_transactions (firm_id, matter_id);

-- +goose Down
DROP TABLE trust_transactions, deposit_slips, adjustments, payment_allocations, payments,
    invoice_lines, expenses, time_entries, invoices, bank_accounts, matters, clients,
    timekeepers, firms;
