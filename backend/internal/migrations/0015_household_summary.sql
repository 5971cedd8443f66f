-- The household list's summary on the household row itself: how many members it has and
-- its head's masked ID number. The search showed both by probing household_members twice
-- for every household of a page (a count and the head), two thirds of a page's buffer reads
-- at 1.5 M households (docs/benchmarks.md).
--
-- household_members keeps them right: after every statement that adds, changes or removes
-- members, refresh_household_summaries() recounts the households it touched. Writers that
-- know the figures (the ledger import, the generators) write them with the household and the
-- refresh then finds nothing to change, so it writes nothing.
ALTER TABLE households
    ADD COLUMN member_count integer NOT NULL DEFAULT 0 CHECK (member_count >= 0),
    ADD COLUMN head_id_number_masked text NOT NULL DEFAULT '';

-- Runs as the caller, under row-level security: it sees and changes only households in the
-- caller's scope, which are the ones whose members the caller could change.
-- A household is named by its whole key in households_division (county, village, id), the
-- village being its members' own (a household never changes village; moving is a procedure
-- of its own): a point lookup in either index, whatever the statistics
-- say. By (county, id) alone, a table not yet analysed (a fresh import or generation) led
-- the planner to walk the whole scope in households_division for every household.
CREATE FUNCTION refresh_household_summaries(counties text[], divisions text[], ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE households h SET member_count = s.n, head_id_number_masked = s.head
    FROM (SELECT k.county_code, k.division_code, k.household_id, count(m.id)::integer AS n,
                 coalesce(max(m.id_number_masked) FILTER (WHERE m.relation = 'self'), '') AS head
          FROM (SELECT u.county_code COLLATE "C" AS county_code, u.division_code COLLATE "C" AS division_code, u.household_id
                FROM unnest(counties, divisions, ids) AS u(county_code, division_code, household_id)) k
          LEFT JOIN household_members m ON m.county_code = k.county_code AND m.household_id = k.household_id
          GROUP BY k.county_code, k.division_code, k.household_id) s
    WHERE h.county_code = s.county_code AND h.division_code = s.division_code AND h.id = s.household_id
      AND (h.member_count, h.head_id_number_masked) IS DISTINCT FROM (s.n, s.head)
$$;

-- One trigger per event, so each names only the transition tables its event has.
CREATE FUNCTION household_members_summarise() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    counties text[];
    divisions text[];
    ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(k.county_code), array_agg(k.division_code), array_agg(k.household_id) INTO counties, divisions, ids
        FROM (SELECT DISTINCT county_code, division_code, household_id FROM new_members) k;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(k.county_code), array_agg(k.division_code), array_agg(k.household_id) INTO counties, divisions, ids
        FROM (SELECT county_code, division_code, household_id FROM new_members
              UNION SELECT county_code, division_code, household_id FROM old_members) k;
    ELSE
        SELECT array_agg(k.county_code), array_agg(k.division_code), array_agg(k.household_id) INTO counties, divisions, ids
        FROM (SELECT DISTINCT county_code, division_code, household_id FROM old_members) k;
    END IF;
    IF counties IS NOT NULL THEN
        PERFORM refresh_household_summaries(counties, divisions, ids);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER household_members_summary_insert AFTER INSERT ON household_members
    REFERENCING NEW TABLE AS new_members FOR EACH STATEMENT EXECUTE FUNCTION household_members_summarise();
CREATE TRIGGER household_members_summary_update AFTER UPDATE ON household_members
    REFERENCING OLD TABLE AS old_members NEW TABLE AS new_members
    FOR EACH STATEMENT EXECUTE FUNCTION household_members_summarise();
CREATE TRIGGER household_members_summary_delete AFTER DELETE ON household_members
    REFERENCING OLD TABLE AS old_members FOR EACH STATEMENT EXECUTE FUNCTION household_members_summarise();

-- The households there are now, county by county: migrations run as the owner, which
-- row-level security holds to one county's scope at a time like everyone else.
DO $$
DECLARE
    c text;
BEGIN
    FOR c IN SELECT code FROM divisions WHERE length(code) = 6 ORDER BY code LOOP
        PERFORM set_config('app.county_code', c, true), set_config('app.division_code', c, true);
        UPDATE households h SET member_count = s.n, head_id_number_masked = s.head
        FROM (SELECT household_id, count(*)::integer AS n,
                     coalesce(max(id_number_masked) FILTER (WHERE relation = 'self'), '') AS head
              FROM household_members WHERE county_code = c GROUP BY household_id) s
        WHERE h.county_code = c AND h.id = s.household_id;
    END LOOP;
    PERFORM set_config('app.county_code', '', true), set_config('app.division_code', '', true);
END
$$;

-- A name prefix within a township: the township's range is checked in the index, so only
-- the matching households are read from the table (a common surname's prefix in a county
-- otherwise fetched every household of that surname, or every household of the township).
DROP INDEX households_head_name;
CREATE INDEX households_head_name ON households (county_code, head_name text_pattern_ops, division_code);
