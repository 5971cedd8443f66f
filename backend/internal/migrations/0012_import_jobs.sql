-- Ledger imports (台账导入, internal/ledger): one row per uploaded file, run as a job, and the
-- rows of the file that were refused, with their reasons, for the report the clerk downloads.
-- Tenant tables: county_code leads every key; division_code is the division the import ran
-- in (the caller's working division); RLS is forced with the range policy in the built-in
-- form of 0005/0010.

CREATE SEQUENCE import_jobs_id_seq;
GRANT USAGE ON SEQUENCE import_jobs_id_seq TO dibao_app;
CREATE TABLE import_jobs (
    county_code          text COLLATE "C" NOT NULL,
    id                   bigint NOT NULL DEFAULT nextval('import_jobs_id_seq'),
    division_code        text COLLATE "C" NOT NULL REFERENCES divisions (code),
    kind                 text NOT NULL DEFAULT 'households' CHECK (kind IN ('households')),
    file_name            text NOT NULL DEFAULT '' CHECK (length(file_name) <= 200),
    file_bytes           bigint NOT NULL DEFAULT 0,
    -- The file's header row as written (column titles), so the report can give the rows back
    -- in the same shape.
    header               jsonb NOT NULL DEFAULT '[]',
    status               text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    rows_total           integer NOT NULL DEFAULT 0,   -- data rows read (empty rows not counted)
    rows_imported        integer NOT NULL DEFAULT 0,
    rows_rejected        integer NOT NULL DEFAULT 0,
    households_imported  integer NOT NULL DEFAULT 0,
    households_rejected  integer NOT NULL DEFAULT 0,
    error_zh             text NOT NULL DEFAULT '',
    error_en             text NOT NULL DEFAULT '',
    created_by           bigint,
    created_by_username  text NOT NULL DEFAULT '',
    created_by_name      text NOT NULL DEFAULT '',
    request_id           text NOT NULL DEFAULT '',
    created_at           timestamptz NOT NULL DEFAULT now(),
    started_at           timestamptz,
    heartbeat_at         timestamptz,   -- the last batch written; a running job silent for long was interrupted
    finished_at          timestamptz,
    PRIMARY KEY (county_code, id),
    CHECK (left(division_code, 6) = county_code)
);
ALTER SEQUENCE import_jobs_id_seq OWNED BY import_jobs.id;
CREATE INDEX import_jobs_division ON import_jobs (county_code, division_code, id);
ALTER TABLE import_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE import_jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY import_jobs_scope ON import_jobs
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
GRANT SELECT, INSERT, UPDATE ON import_jobs TO dibao_app;

-- A refused row: where it was in the file, who it named (masked), why (in both languages:
-- [{"column": "id_number", "zh": "...", "en": "..."}]) and the row's cells as written,
-- sealed with SM4-GCM (they hold ID numbers, phones and bank accounts) so the report can
-- hand them back for correction. The app may only add and read rows.
CREATE TABLE import_job_rejects (
    county_code      text COLLATE "C" NOT NULL,
    job_id           bigint NOT NULL,
    row_number       integer NOT NULL,
    division_code    text COLLATE "C" NOT NULL,   -- the job's division
    household_key    text NOT NULL DEFAULT '',
    member_name      text NOT NULL DEFAULT '',
    id_number_masked text NOT NULL DEFAULT '',
    problems         jsonb NOT NULL,
    cells_enc        bytea,
    PRIMARY KEY (county_code, job_id, row_number),
    FOREIGN KEY (county_code, job_id) REFERENCES import_jobs (county_code, id) ON DELETE CASCADE,
    CHECK (left(division_code, 6) = county_code)
);
ALTER TABLE import_job_rejects ENABLE ROW LEVEL SECURITY;
ALTER TABLE import_job_rejects FORCE ROW LEVEL SECURITY;
CREATE POLICY import_job_rejects_scope ON import_job_rejects
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
GRANT SELECT, INSERT ON import_job_rejects TO dibao_app;

-- person_active_county() for many people at once: an import checks a batch of a thousand
-- people in one call rather than a thousand. It tells, for each given blind index that is in
-- the person index, the county holding the person, and nothing else (as person_active_county).
CREATE FUNCTION person_active_counties(idx bytea[]) RETURNS TABLE (id_number_index bytea, county_code text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    outer_purpose text := app_purpose();
BEGIN
    PERFORM set_config('app.purpose', 'person_lookup', true);
    RETURN QUERY SELECT p.id_number_index, p.county_code::text FROM person_index p WHERE p.id_number_index = ANY (idx);
    PERFORM set_config('app.purpose', outer_purpose, true);
END
$$;
REVOKE ALL ON FUNCTION person_active_counties(bytea[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION person_active_counties(bytea[]) TO dibao_app;
