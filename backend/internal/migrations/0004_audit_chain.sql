-- The audit log as a hash chain per county, so that `dibao audit verify` can tell when a row
-- was edited or removed behind the app's back.
--
-- Each row stores the id and hash of the row before it in its county (prev_id, prev_hash) and
-- its own hash:
--
--   hash = SHA-256(prev_hash || canonical(row))
--
-- canonical(row) is the text 'dibao-audit-v1\n' followed by these fields, each written as
-- <length in bytes>:<value>\n (so no value can be mistaken for a separator), NULL as '':
--   county_code, id, prev_id, division_code, at (UTC, microseconds: 2026-01-02T03:04:05.000006Z),
--   actor_id, actor_name, action, object_type, object_id, outcome, request_id, client_ip,
--   detail::text
-- detail is jsonb, whose text form is canonical in PostgreSQL (keys sorted, one space after ':'
-- and ','), so the Go verifier (internal/audit/chain.go) reads detail::text and hashes exactly
-- those bytes; it recomputes everything else from the raw values itself. The first row of a
-- county links to id 0 and 32 zero bytes.
--
-- The chain is computed by triggers, so every writer is chained whatever code path it takes.
-- audit_chain_heads holds each county's last row (id and hash). The BEFORE INSERT trigger locks
-- the county's head FOR UPDATE and only then takes the row's id from the sequence, so inserts
-- in one county serialise on that lock (held to the end of the transaction) and id order is
-- chain order. (Ids taken by the column default before the lock could commit out of order, so
-- the trigger assigns every id itself.) The row links to the head, or to the last row this
-- transaction already added: the head moves once per transaction, at commit, in a deferred
-- trigger, because updating one row thousands of times in a transaction makes each later
-- lookup walk every earlier version of it (quadratic: 16,000 rows in one transaction took 5 s
-- that way). A row removed from the end of the chain stays visible: the head still names it,
-- and the next row links to it.
--
-- Both trigger functions are SECURITY DEFINER, owned by dibao_owner, with a fixed search_path:
-- the app role cannot write audit_chain_heads itself (it may only read its own county's head),
-- so it cannot move a head to hide a removed row. RLS is FORCEd on the owner too: the functions
-- set app.purpose to 'audit_chain' while they run (and put the caller's back; an error aborts
-- the transaction or savepoint, which restores it too), and the policy below lets the owner
-- (and only the owner) lock and write heads under that purpose, whatever the
-- transaction's scope is (a sign-in writes before it knows its county; a transaction may
-- change scope before it commits). Which county the app may write into is still decided by
-- audit_log_insert, whose WITH CHECK runs after the BEFORE trigger and rejects the row.
--
-- Retention: the app never deletes audit rows. A DBA who archives rows older than 180 days
-- records where the remaining chain starts in base_id / base_hash (docs/operations.md).

ALTER TABLE audit_log ADD COLUMN prev_id bigint;
ALTER TABLE audit_log ADD COLUMN prev_hash bytea;
ALTER TABLE audit_log ADD COLUMN hash bytea;

CREATE TABLE audit_chain_heads (
    county_code text COLLATE "C" PRIMARY KEY,
    last_id     bigint NOT NULL DEFAULT 0,
    last_hash   bytea NOT NULL DEFAULT decode(repeat('00', 32), 'hex'),
    -- Where the chain starts: id 0 and zero bytes unless older rows were archived.
    base_id     bigint NOT NULL DEFAULT 0,
    base_hash   bytea NOT NULL DEFAULT decode(repeat('00', 32), 'hex'),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (octet_length(last_hash) = 32 AND octet_length(base_hash) = 32),
    CHECK (base_id <= last_id)
);
ALTER TABLE audit_chain_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_chain_heads FORCE ROW LEVEL SECURITY;
-- A county's staff may read its head (the in-app verifier compares the last row with it).
CREATE POLICY audit_chain_heads_read ON audit_chain_heads FOR SELECT
    USING (county_code = app_county() AND app_division() <> '');
-- The chaining triggers (as the owner, under their own purpose) lock, create and advance heads.
CREATE POLICY audit_chain_heads_chain ON audit_chain_heads TO dibao_owner
    USING (app_purpose() = 'audit_chain') WITH CHECK (app_purpose() = 'audit_chain');
-- `dibao audit verify` (as the owner) lists every chain before it walks each in its scope.
CREATE POLICY audit_chain_heads_verify ON audit_chain_heads FOR SELECT TO dibao_owner
    USING (app_purpose() = 'audit_verify');
GRANT SELECT ON audit_chain_heads TO dibao_app;

-- One length-prefixed field of the canonical form.
CREATE FUNCTION audit_field(v text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT octet_length(coalesce(v, ''))::text || ':' || coalesce(v, '') || E'\n' $$;

-- The hash of row r chained after prev (see the top of this file).
CREATE FUNCTION audit_row_hash(prev bytea, r audit_log) RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT sha256(prev || convert_to(
        'dibao-audit-v1' || E'\n' ||
        audit_field(r.county_code) ||
        audit_field(r.id::text) ||
        audit_field(r.prev_id::text) ||
        audit_field(r.division_code) ||
        audit_field(to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')) ||
        audit_field(r.actor_id::text) ||
        audit_field(r.actor_name) ||
        audit_field(r.action) ||
        audit_field(r.object_type) ||
        audit_field(r.object_id) ||
        audit_field(r.outcome) ||
        audit_field(r.request_id) ||
        audit_field(r.client_ip) ||
        audit_field(r.detail::text), 'UTF8')) $$;

-- Rows written before this migration are chained now, in id order per county. The owner
-- lifts FORCE for the length of this transaction only (it is the table's owner and this is a
-- schema change like any other); nothing else runs inside it.
ALTER TABLE audit_log NO FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_chain_heads NO FORCE ROW LEVEL SECURITY;
DO $$
DECLARE
    r audit_log%ROWTYPE;
    v_county text := NULL;
    v_prev_id bigint;
    v_prev_hash bytea;
    v_hash bytea;
BEGIN
    FOR r IN SELECT * FROM audit_log ORDER BY county_code, id LOOP
        IF v_county IS DISTINCT FROM r.county_code THEN
            IF v_county IS NOT NULL THEN
                INSERT INTO audit_chain_heads (county_code, last_id, last_hash) VALUES (v_county, v_prev_id, v_prev_hash);
            END IF;
            v_county := r.county_code;
            v_prev_id := 0;
            v_prev_hash := decode(repeat('00', 32), 'hex');
        END IF;
        r.prev_id := v_prev_id;
        r.prev_hash := v_prev_hash;
        v_hash := audit_row_hash(v_prev_hash, r);
        UPDATE audit_log SET prev_id = v_prev_id, prev_hash = v_prev_hash, hash = v_hash
            WHERE audit_log.county_code = r.county_code AND audit_log.id = r.id;
        v_prev_id := r.id;
        v_prev_hash := v_hash;
    END LOOP;
    IF v_county IS NOT NULL THEN
        INSERT INTO audit_chain_heads (county_code, last_id, last_hash) VALUES (v_county, v_prev_id, v_prev_hash);
    END IF;
END
$$;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_chain_heads FORCE ROW LEVEL SECURITY;

ALTER TABLE audit_log ALTER COLUMN prev_id SET NOT NULL;
ALTER TABLE audit_log ALTER COLUMN prev_hash SET NOT NULL;
ALTER TABLE audit_log ALTER COLUMN hash SET NOT NULL;
-- The trigger assigns ids under the county's lock; a default taken earlier would be wasted.
ALTER TABLE audit_log ALTER COLUMN id DROP DEFAULT;

CREATE FUNCTION audit_log_chain() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    head public.audit_chain_heads%ROWTYPE;
    v_last_id bigint;
    v_last_hash bytea;
    v_pending text;
    caller_purpose text := current_setting('app.purpose', true);
BEGIN
    PERFORM set_config('app.purpose', 'audit_chain', true);
    SELECT * INTO head FROM public.audit_chain_heads WHERE county_code = NEW.county_code FOR UPDATE;
    IF NOT FOUND THEN
        -- The county's first row: create its head (a concurrent first insert waits here and
        -- then finds the head the other one committed).
        INSERT INTO public.audit_chain_heads (county_code) VALUES (NEW.county_code) ON CONFLICT DO NOTHING;
        SELECT * INTO head FROM public.audit_chain_heads WHERE county_code = NEW.county_code FOR UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'audit: no chain head for county %', NEW.county_code;
        END IF;
    END IF;
    -- Rows this transaction added already are past the head, which moves at commit. The
    -- transaction's last row per county (id:hash) is kept in a transaction-local setting, so
    -- no query of the log is needed here (one would be planned on statistics that a long
    -- transaction outgrows). A savepoint rolled back takes its rows and the setting back
    -- together. A setting forged by the caller can only fork the chain, which the verifier
    -- reports: it can break the chain visibly, never hide a change.
    v_pending := current_setting('audit_chain.c' || NEW.county_code, true);
    IF v_pending ~ '^[0-9]{1,18}:[0-9a-f]{64}$' AND split_part(v_pending, ':', 1)::bigint > head.last_id THEN
        v_last_id := split_part(v_pending, ':', 1)::bigint;
        v_last_hash := decode(split_part(v_pending, ':', 2), 'hex');
    ELSE
        v_last_id := head.last_id;
        v_last_hash := head.last_hash;
    END IF;
    NEW.id := nextval('public.audit_log_id_seq');
    NEW.prev_id := v_last_id;
    NEW.prev_hash := v_last_hash;
    NEW.hash := public.audit_row_hash(v_last_hash, NEW);
    PERFORM set_config('audit_chain.c' || NEW.county_code, NEW.id::text || ':' || encode(NEW.hash, 'hex'), true);
    PERFORM set_config('app.purpose', coalesce(caller_purpose, ''), true);
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION audit_log_chain() FROM PUBLIC;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_chain();

-- At commit, the transaction's last row of each county becomes the county's head.
CREATE FUNCTION audit_log_advance_head() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    caller_purpose text := current_setting('app.purpose', true);
BEGIN
    PERFORM set_config('app.purpose', 'audit_chain', true);
    IF NEW.id::text = split_part(current_setting('audit_chain.c' || NEW.county_code, true), ':', 1) THEN
        UPDATE public.audit_chain_heads SET last_id = NEW.id, last_hash = NEW.hash, updated_at = now()
            WHERE county_code = NEW.county_code AND last_id < NEW.id;
    END IF;
    PERFORM set_config('app.purpose', coalesce(caller_purpose, ''), true);
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION audit_log_advance_head() FROM PUBLIC;
CREATE CONSTRAINT TRIGGER audit_log_advance_head AFTER INSERT ON audit_log
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_log_advance_head();

-- Indexes for the search screen: by person, object and action, newest first. (A search by
-- date alone walks the primary key from the newest row; measured under 1 ms for recent days and
-- 170 ms for a day 80 days back in a county of 500,000 rows.)
CREATE INDEX audit_log_actor_name ON audit_log (county_code, actor_name, id);
CREATE INDEX audit_log_object ON audit_log (county_code, object_type, object_id, id);
CREATE INDEX audit_log_action ON audit_log (county_code, action, id);
