-- The history of every county, township and village: who added, renamed, re-typed,
-- retired or reactivated it, when, and what it was before and after. A retired division
-- keeps its row in divisions and its history here; nothing is ever deleted.
--
-- A tenant table: county_code leads the primary key, rows are confined to the scope's
-- division range by forced row-level security, and the app may only add and read rows.
-- Provinces and cities belong to no county; their changes live in the platform's audit log.

CREATE SEQUENCE division_history_id_seq;
GRANT USAGE ON SEQUENCE division_history_id_seq TO dibao_app;
CREATE TABLE division_history (
    county_code    text COLLATE "C" NOT NULL,
    id             bigint NOT NULL DEFAULT nextval('division_history_id_seq'),
    division_code  text COLLATE "C" NOT NULL REFERENCES divisions (code),
    at             timestamptz NOT NULL DEFAULT now(),
    action         text NOT NULL CHECK (action IN ('provision', 'import', 'add', 'update', 'retire', 'reactivate')),
    actor_id       bigint,
    actor_username text NOT NULL DEFAULT '',
    actor_name     text NOT NULL DEFAULT '',
    before         jsonb,   -- the changed fields as they were (null when added)
    after          jsonb,   -- the changed fields as they became
    reason         text NOT NULL DEFAULT '' CHECK (length(reason) <= 200),
    request_id     text NOT NULL DEFAULT '',
    PRIMARY KEY (county_code, id),
    CHECK (left(division_code, 6) = county_code)
);
ALTER SEQUENCE division_history_id_seq OWNED BY division_history.id;
CREATE INDEX division_history_division ON division_history (county_code, division_code, at);
ALTER TABLE division_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE division_history FORCE ROW LEVEL SECURITY;
CREATE POLICY division_history_scope ON division_history
    USING (county_code = app_county() AND division_code >= app_division() AND division_code < app_division_end())
    WITH CHECK (county_code = app_county() AND division_code >= app_division() AND division_code < app_division_end());
GRANT SELECT, INSERT ON division_history TO dibao_app;
