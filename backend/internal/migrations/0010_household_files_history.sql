-- The registry's attachments and history, and the permission to reveal a masked value.
-- Tenant tables as in 0007: county_code leads every key, division_code is the household's
-- village, RLS is forced with the range policy of 0005.

-- Scans and photos of a household (ID copies, signed authorisations, photos). The file
-- itself lives outside the database, named by its SHA-256 (DIBAO_FILES_DIR); this row is
-- what makes it reachable, behind the household's authorisation. Removal is a soft delete:
-- the row stays (who removed it and when) and the file is no longer served.
CREATE SEQUENCE household_attachments_id_seq;
GRANT USAGE ON SEQUENCE household_attachments_id_seq TO dibao_app;
CREATE TABLE household_attachments (
    county_code    text COLLATE "C" NOT NULL,
    id             bigint NOT NULL DEFAULT nextval('household_attachments_id_seq'),
    household_id   bigint NOT NULL,
    division_code  text COLLATE "C" NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('id_copy', 'authorisation', 'photo', 'other')),
    file_name      text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
    content_type   text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    size_bytes     bigint NOT NULL CHECK (size_bytes > 0),
    sha256         text COLLATE "C" NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    uploaded_by    bigint,
    uploaded_name  text NOT NULL DEFAULT '',
    uploaded_at    timestamptz NOT NULL DEFAULT now(),
    deleted_at     timestamptz,
    deleted_by     bigint,
    PRIMARY KEY (county_code, id),
    FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id) ON DELETE CASCADE,
    CHECK (left(division_code, 6) = county_code)
);
ALTER SEQUENCE household_attachments_id_seq OWNED BY household_attachments.id;
CREATE INDEX household_attachments_household ON household_attachments (county_code, household_id, id);
ALTER TABLE household_attachments ENABLE ROW LEVEL SECURITY;
ALTER TABLE household_attachments FORCE ROW LEVEL SECURITY;
CREATE POLICY household_attachments_scope ON household_attachments
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
GRANT SELECT, INSERT, UPDATE ON household_attachments TO dibao_app;

-- Every change to a household: who, when, and the changed fields before and after (masked;
-- keys such as "phone" or "members[12].name"; labels name the member, income or asset a
-- key prefix stands for). The app may only add and read rows.
CREATE SEQUENCE household_history_id_seq;
GRANT USAGE ON SEQUENCE household_history_id_seq TO dibao_app;
CREATE TABLE household_history (
    county_code    text COLLATE "C" NOT NULL,
    id             bigint NOT NULL DEFAULT nextval('household_history_id_seq'),
    household_id   bigint NOT NULL,
    division_code  text COLLATE "C" NOT NULL,
    at             timestamptz NOT NULL DEFAULT now(),
    action         text NOT NULL CHECK (action IN ('create', 'update', 'attachment_add', 'attachment_delete', 'import')),
    actor_id       bigint,
    actor_username text NOT NULL DEFAULT '',
    actor_name     text NOT NULL DEFAULT '',
    version        integer NOT NULL,   -- the household's version after the change
    before         jsonb,
    after          jsonb,
    labels         jsonb NOT NULL DEFAULT '{}',
    request_id     text NOT NULL DEFAULT '',
    PRIMARY KEY (county_code, id),
    FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id) ON DELETE CASCADE,
    CHECK (left(division_code, 6) = county_code)
);
ALTER SEQUENCE household_history_id_seq OWNED BY household_history.id;
CREATE INDEX household_history_household ON household_history (county_code, household_id, id);
ALTER TABLE household_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE household_history FORCE ROW LEVEL SECURITY;
CREATE POLICY household_history_scope ON household_history
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
GRANT SELECT, INSERT ON household_history TO dibao_app;

-- Searching by head of household's ID number goes through the members' blind index
-- (household_members_id_number); listing a household's head uses household_members_one_head.

-- Revealing a masked ID number, phone or bank account in full (policy.csv).
INSERT INTO role_permissions (role_key, object, action) VALUES
    ('township_caseworker', 'household', 'reveal'),
    ('county_approver', 'household', 'reveal')
ON CONFLICT DO NOTHING;
