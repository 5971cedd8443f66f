-- Divisions, staff accounts, role assignments and the audit log.
--
-- Tenancy: a county (6-digit code) is a tenant. Every tenant table carries county_code (in its
-- primary key, unique constraints and foreign keys, so the schema can be distributed by county)
-- and division_code (the lowest division a row belongs to). Row-level security is enabled and
-- FORCEd on each; the app connects as dibao_app, which owns nothing, and sets its scope per
-- transaction with set_config(..., true). With no scope a query sees no rows.
--
-- The platform itself is the pseudo-division 000000: platform staff belong to it, and it
-- covers no county.

GRANT USAGE ON SCHEMA public TO dibao_app;

-- The request's scope. STABLE so the planner can use them as index conditions.
CREATE FUNCTION app_county() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(current_setting('app.county_code', true), '') $$;
CREATE FUNCTION app_division() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(current_setting('app.division_code', true), '') $$;
-- A narrow, named purpose that opens one door for one job (for example 'sign_in' may read
-- the global login-name index before the user's county is known).
CREATE FUNCTION app_purpose() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(current_setting('app.purpose', true), '') $$;
-- The upper bound of a division's code range: every code it prefixes sorts below this.
-- An empty division gives an empty range, so a missing scope sees nothing.
CREATE FUNCTION app_division_end() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN app_division() = '' THEN '' ELSE app_division() || '~' END $$;

-- The national statistical division codes (shortest form per level) plus the platform.
-- Names and codes are public, so every scope may read them; writes stay in the county.
-- A reference table (replicated to every node when distributed), not a tenant table.
CREATE TABLE divisions (
    code             text COLLATE "C" PRIMARY KEY,
    level            text NOT NULL CHECK (level IN ('platform', 'province', 'city', 'county', 'township', 'village')),
    parent_code      text COLLATE "C" REFERENCES divisions (code),
    county_code      text COLLATE "C",
    name             text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    urban_rural_type text CHECK (urban_rural_type IN ('111', '112', '121', '122', '123', '210', '220')),
    status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    retired_at       timestamptz,
    CHECK (
        (level = 'platform' AND code = '000000' AND parent_code IS NULL AND county_code = '000000') OR
        (level = 'province' AND code ~ '^[1-9][0-9]$' AND parent_code IS NULL AND county_code IS NULL) OR
        (level = 'city'     AND code ~ '^[0-9]{4}$' AND parent_code = left(code, 2) AND county_code IS NULL) OR
        (level = 'county'   AND code ~ '^[0-9]{6}$' AND parent_code = left(code, 4) AND county_code = code) OR
        (level = 'township' AND code ~ '^[0-9]{9}$' AND parent_code = left(code, 6) AND county_code = left(code, 6)) OR
        (level = 'village'  AND code ~ '^[0-9]{12}$' AND parent_code = left(code, 9) AND county_code = left(code, 6))
    ),
    CHECK ((level = 'village') = (urban_rural_type IS NOT NULL)),
    CHECK ((status = 'retired') = (retired_at IS NOT NULL))
);
CREATE INDEX divisions_parent ON divisions (parent_code, code);
CREATE INDEX divisions_county ON divisions (county_code, code);
INSERT INTO divisions (code, level, county_code, name) VALUES ('000000', 'platform', '000000', '平台');
ALTER TABLE divisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE divisions FORCE ROW LEVEL SECURITY;
CREATE POLICY divisions_read ON divisions FOR SELECT USING (true);
CREATE POLICY divisions_insert ON divisions FOR INSERT
    WITH CHECK (county_code = app_county() OR (county_code IS NULL AND app_county() = '000000'));
CREATE POLICY divisions_update ON divisions FOR UPDATE
    USING (county_code = app_county()) WITH CHECK (county_code = app_county());
GRANT SELECT, INSERT, UPDATE ON divisions TO dibao_app;

-- The role catalogue (reference data).
CREATE TABLE roles (
    key     text PRIMARY KEY,
    level   text NOT NULL CHECK (level IN ('platform', 'county', 'township', 'village')),
    rank    integer NOT NULL,
    name_zh text NOT NULL,
    name_en text NOT NULL
);
INSERT INTO roles (key, level, rank, name_zh, name_en) VALUES
    ('platform_admin',      'platform', 100, '平台管理员',               'Platform administrator'),
    ('county_admin',        'county',    90, '县民政局系统管理员',       'County system administrator'),
    ('security_admin',      'county',    80, '安全管理员',               'Security administrator'),
    ('audit_admin',         'county',    80, '审计管理员',               'Audit administrator'),
    ('county_approver',     'county',    70, '县民政局审批人员',         'County approving officer'),
    ('inspector',           'county',    60, '纪检监督人员',             'Inspector'),
    ('finance_officer',     'county',    60, '财政人员',                 'Finance officer'),
    ('township_leader',     'township',  50, '乡镇分管领导',             'Township leader'),
    ('township_caseworker', 'township',  40, '乡镇民政专职工作人员',     'Township caseworker'),
    ('village_worker',      'village',   20, '村(社区)低保工作小组成员', 'Village worker');
GRANT SELECT ON roles TO dibao_app;

-- Staff accounts. Ids come from one sequence so they are unique platform-wide.
CREATE SEQUENCE users_id_seq;
GRANT USAGE ON SEQUENCE users_id_seq TO dibao_app;
CREATE TABLE users (
    county_code          text COLLATE "C" NOT NULL,
    id                   bigint NOT NULL DEFAULT nextval('users_id_seq'),
    division_code        text COLLATE "C" NOT NULL REFERENCES divisions (code),
    username             text NOT NULL CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,49}$'),
    display_name         text NOT NULL CHECK (length(btrim(display_name)) BETWEEN 1 AND 50),
    phone_enc            bytea,   -- SM4-GCM ciphertext
    phone_index          bytea,   -- HMAC-SM3 blind index, for equality search
    phone_masked         text,    -- 138****1234, for lists
    status               text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    password_hash        text NOT NULL,
    must_change_password boolean NOT NULL DEFAULT true,
    failed_logins        integer NOT NULL DEFAULT 0,
    locked_until         timestamptz,
    password_changed_at  timestamptz NOT NULL DEFAULT now(),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (county_code, id),
    UNIQUE (county_code, username),
    CHECK (left(division_code, 6) = county_code)
);
ALTER SEQUENCE users_id_seq OWNED BY users.id;
CREATE INDEX users_division ON users (county_code, division_code);
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_scope ON users
    USING (county_code = app_county() AND division_code >= app_division() AND division_code < app_division_end())
    WITH CHECK (county_code = app_county() AND division_code >= app_division() AND division_code < app_division_end());
GRANT SELECT, INSERT, UPDATE ON users TO dibao_app;

-- The global index of login names: a username is unique on the whole platform, which a
-- table distributed by county cannot enforce by itself. Sign-in reads it (purpose
-- 'sign_in') before it knows the county; everything else sees only its own county.
CREATE TABLE login_names (
    username    text PRIMARY KEY,
    county_code text COLLATE "C" NOT NULL,
    user_id     bigint NOT NULL,
    FOREIGN KEY (county_code, user_id) REFERENCES users (county_code, id) ON DELETE CASCADE
);
ALTER TABLE login_names ENABLE ROW LEVEL SECURITY;
ALTER TABLE login_names FORCE ROW LEVEL SECURITY;
CREATE POLICY login_names_sign_in ON login_names FOR SELECT USING (app_purpose() = 'sign_in');
CREATE POLICY login_names_scope ON login_names
    USING (county_code = app_county() AND app_division() <> '') WITH CHECK (county_code = app_county() AND app_division() <> '');
GRANT SELECT, INSERT, UPDATE, DELETE ON login_names TO dibao_app;

-- A role held at a division covers every division below it; platform_admin is held at 000000.
CREATE TABLE user_roles (
    county_code   text COLLATE "C" NOT NULL,
    user_id       bigint NOT NULL,
    role_key      text NOT NULL REFERENCES roles (key),
    division_code text COLLATE "C" NOT NULL REFERENCES divisions (code),
    granted_by    bigint,
    granted_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (county_code, user_id, role_key, division_code),
    FOREIGN KEY (county_code, user_id) REFERENCES users (county_code, id) ON DELETE CASCADE,
    CHECK (left(division_code, 6) = county_code),
    CHECK ((role_key = 'platform_admin') = (county_code = '000000'))
);
CREATE INDEX user_roles_division ON user_roles (county_code, division_code);
ALTER TABLE user_roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_roles FORCE ROW LEVEL SECURITY;
-- Who holds what is read for the whole county (authorisation needs every assignment);
-- changes stay inside the caller's division.
CREATE POLICY user_roles_read ON user_roles FOR SELECT USING (county_code = app_county() AND app_division() <> '');
CREATE POLICY user_roles_write ON user_roles FOR INSERT
    WITH CHECK (county_code = app_county() AND division_code >= app_division() AND division_code < app_division_end());
CREATE POLICY user_roles_delete ON user_roles FOR DELETE
    USING (county_code = app_county() AND division_code >= app_division() AND division_code < app_division_end());
GRANT SELECT, INSERT, DELETE ON user_roles TO dibao_app;

-- Who did what, when and where. The app may add rows and read its scope, never change or
-- remove them. Events of the platform and of unknown sign-in names go to county 000000.
CREATE SEQUENCE audit_log_id_seq;
GRANT USAGE ON SEQUENCE audit_log_id_seq TO dibao_app;
CREATE TABLE audit_log (
    county_code   text COLLATE "C" NOT NULL,
    id            bigint NOT NULL DEFAULT nextval('audit_log_id_seq'),
    division_code text COLLATE "C" NOT NULL,
    at            timestamptz NOT NULL DEFAULT now(),
    actor_id      bigint,
    actor_name    text NOT NULL DEFAULT '',
    action        text NOT NULL,
    object_type   text NOT NULL DEFAULT '',
    object_id     text NOT NULL DEFAULT '',
    outcome       text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    request_id    text NOT NULL DEFAULT '',
    client_ip     text NOT NULL DEFAULT '',
    detail        jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (county_code, id),
    CHECK (left(division_code, 6) = county_code)
);
ALTER SEQUENCE audit_log_id_seq OWNED BY audit_log.id;
CREATE INDEX audit_log_division ON audit_log (county_code, division_code, at);
CREATE INDEX audit_log_actor ON audit_log (county_code, actor_id, at);
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_read ON audit_log FOR SELECT
    USING (county_code = app_county() AND division_code >= app_division() AND division_code < app_division_end());
CREATE POLICY audit_log_insert ON audit_log FOR INSERT
    WITH CHECK (county_code = app_county() OR (app_purpose() = 'sign_in' AND action LIKE 'auth.%'));
GRANT SELECT, INSERT ON audit_log TO dibao_app;
