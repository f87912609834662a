-- +goose Up
-- QuickBooks' request limits are per company (realm), whichever process sends the
-- requests: every worker and the wizard server draw on one budget per realm, kept here
-- (internal/store/budget.go, docs/design.md "One company's budget across processes").
--
-- qbo_budgets is a schedule: next_at is the earliest time the next request to the realm
-- may be sent (a shared GCRA "theoretical arrival time"), batch_times the send times
-- reserved for the last batch requests (a sliding window: at most the limit in any
-- minute), paused_until the end of the pause after a 429. A process reserves send times
-- in one call and spends them from memory.
CREATE TABLE qbo_budgets (
    realm_id     text          PRIMARY KEY,
    next_at      timestamptz   NOT NULL,
    batch_times  timestamptz[] NOT NULL,
    paused_until timestamptz   NOT NULL
);

-- qbo_budget_holders are the realm's concurrent-request slots, held in bulk by each
-- process that is sending (slots) with what it would like (wanted), until expires_at: a
-- process renews while it holds any, so a dead one's slots come back when it expires.
CREATE TABLE qbo_budget_holders (
    realm_id   text        NOT NULL,
    holder     text        NOT NULL,
    slots      int         NOT NULL,
    wanted     int         NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (realm_id, holder)
);

-- qbo_batch_window_fits reports whether one more batch request at c keeps every minute
-- that holds c at no more than lim batch requests; times are the company's batch times
-- of the last minute and later, c among them or not.
-- +goose StatementBegin
CREATE FUNCTION qbo_batch_window_fits(times timestamptz[], c timestamptz, lim int) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    WITH s AS (SELECT x, row_number() OVER (ORDER BY x) AS i FROM unnest(array_append(times, c)) x)
    SELECT NOT EXISTS (
        SELECT 1 FROM s a JOIN s b ON b.i = a.i + lim
         WHERE b.x - a.x < interval '1 minute' AND c BETWEEN a.x AND b.x)
$$;
-- +goose StatementEnd

-- qbo_budget_draw is one process's whole exchange with a realm's budget, in one round
-- trip: it reserves p_requests send times (p_gap_ms apart, after everyone else's) and
-- marks up to p_batches of the caller's send times as batch send times, first those it
-- reserved before (p_own_ms), then the new ones (no more than p_batch_limit in any
-- minute; batch_open_ms says when the window next has room), sets how many concurrent slots p_holder may use (its
-- share: as many of p_want_slots as others leave free, at most a fair share while
-- another holder is short) and holds (its share, or p_in_use if more), and, with p_pause_ms > 0, pauses the realm after a
-- 429. Times come back as milliseconds from the database's now, so the callers' clocks
-- need not agree with each other or with the database's.
-- +goose StatementBegin
CREATE FUNCTION qbo_budget_draw(
    p_realm text, p_holder text, p_requests int, p_batches int,
    p_in_use int, p_want_slots int, p_pause_ms double precision,
    p_gap_ms double precision, p_batch_limit int, p_own_ms double precision[],
    p_concurrent int, p_ttl_ms double precision)
RETURNS TABLE (first_ms double precision, batch_ms double precision[], batch_open_ms double precision,
               slots int, usable int, paused_ms double precision)
LANGUAGE plpgsql AS $$
DECLARE
    b qbo_budgets;
    t timestamptz;
    others_held int;
    others_short int;
    share int;
    held int;
    first_at timestamptz;
    batch_at timestamptz;
    batch_open timestamptz;
    batch_ms double precision[] := '{}';
    candidates timestamptz[];
    n int;
BEGIN
    INSERT INTO qbo_budgets VALUES (p_realm, clock_timestamp(), '{}', clock_timestamp()) ON CONFLICT (realm_id) DO NOTHING;
    SELECT * INTO b FROM qbo_budgets WHERE realm_id = p_realm FOR UPDATE;
    -- The time after the lock: a draw that waited for another must not schedule from
    -- before it, or its first send time would crowd the other's last.
    t := clock_timestamp();
    IF p_pause_ms > 0 THEN
        b.paused_until := greatest(b.paused_until, t + p_pause_ms * interval '1 millisecond');
    END IF;

    DELETE FROM qbo_budget_holders h WHERE h.realm_id = p_realm AND h.expires_at < t;
    SELECT coalesce(sum(h.slots), 0), count(*) FILTER (WHERE h.wanted > h.slots)
      INTO others_held, others_short
      FROM qbo_budget_holders h WHERE h.realm_id = p_realm AND h.holder <> p_holder;
    share := least(p_want_slots, greatest(p_concurrent - others_held, 0));
    IF others_short > 0 THEN
        share := least(share, (p_concurrent + others_short) / (others_short + 1)); -- a fair share, rounded up
    END IF;
    -- Slots in flight stay held until they end; the caller starts no more than its share.
    held := greatest(share, p_in_use);
    IF held = 0 AND p_want_slots = 0 THEN
        DELETE FROM qbo_budget_holders h WHERE h.realm_id = p_realm AND h.holder = p_holder;
    ELSE
        INSERT INTO qbo_budget_holders VALUES (p_realm, p_holder, held, p_want_slots, t + p_ttl_ms * interval '1 millisecond')
        ON CONFLICT (realm_id, holder) DO UPDATE
            SET slots = EXCLUDED.slots, wanted = EXCLUDED.wanted, expires_at = EXCLUDED.expires_at;
    END IF;

    first_at := greatest(b.next_at, t, b.paused_until);
    IF p_requests > 0 THEN
        b.next_at := first_at + p_requests * p_gap_ms * interval '1 millisecond';
    END IF;
    -- A batch goes at one of the caller's send times, the first ones its window allows:
    -- a batch time of its own would need a send time beside it, which another process
    -- may hold.
    SELECT coalesce(array_agg(x ORDER BY x), '{}') INTO b.batch_times
      FROM unnest(b.batch_times) x WHERE x > t - interval '1 minute';
    SELECT coalesce(array_agg(t + ms * interval '1 millisecond'), '{}') INTO candidates FROM unnest(p_own_ms) ms;
    FOR i IN 0 .. p_requests - 1 LOOP
        candidates := array_append(candidates, first_at + i * p_gap_ms * interval '1 millisecond');
    END LOOP;
    FOREACH batch_at IN ARRAY candidates LOOP
        EXIT WHEN coalesce(array_length(batch_ms, 1), 0) >= p_batches;
        CONTINUE WHEN NOT qbo_batch_window_fits(b.batch_times, batch_at, p_batch_limit);
        SELECT array_agg(x ORDER BY x) INTO b.batch_times FROM unnest(array_append(b.batch_times, batch_at)) x;
        batch_ms := array_append(batch_ms, extract(epoch FROM batch_at - t)::double precision * 1000);
    END LOOP;
    n := coalesce(array_length(b.batch_times, 1), 0);
    batch_open := t;
    IF n >= p_batch_limit THEN
        batch_open := greatest(t, b.batch_times[1] + interval '1 minute');
    END IF;
    UPDATE qbo_budgets SET next_at = b.next_at, batch_times = b.batch_times, paused_until = b.paused_until
     WHERE realm_id = p_realm;

    RETURN QUERY SELECT
        extract(epoch FROM first_at - t)::double precision * 1000,
        batch_ms,
        extract(epoch FROM batch_open - t)::double precision * 1000,
        held,
        share,
        greatest(extract(epoch FROM b.paused_until - t)::double precision * 1000, 0);
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION qbo_budget_draw;
DROP FUNCTION qbo_batch_window_fits;
DROP TABLE qbo_budget_holders;
DROP TABLE qbo_budgets;
