-- Divisions, users, role assignments and the audit log: what sign-in needs.
-- The app connects as dibao_app, which owns nothing; every grant is explicit.

GRANT USAGE ON SCHEMA public TO dibao_app;

-- The division tree of the national statistical codes (统计用区划代码), shortest form per
-- level. Codes use the C collation so range conditions on prefixes can use btree indexes.
CREATE TABLE divisions (
    code             text COLLATE "C" PRIMARY KEY,
    level            text NOT NULL CHECK (level IN ('province', 'city', 'county', 'township', 'village')),
    parent_code      text COLLATE "C" REFERENCES divisions (code),
    county_code      text COLLATE "C",
    name             text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    urban_rural_type text CHECK (urban_rural_type IN ('111', '112', '121', '122', '123', '210', '220')),
    status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    retired_at       timestamptz,
    CHECK (
        (level = 'province' AND code ~ '^[0-9]{2}$' AND parent_code IS NULL AND county_code IS NULL) OR
        (level = 'city'     AND code ~ '^[0-9]{4}$' AND parent_code = left(code, 2) AND county_code IS NULL) OR
        (level = 'county'   AND code ~ '^[0-9]{6}$' AND parent_code = left(code, 4) AND county_code = code) OR
        (level = 'township' AND code ~ '^[0-9]{9}$' AND parent_code = left(code, 6) AND county_code = left(code, 6)) OR
        (level = 'village'  AND code ~ '^[0-9]{12}$' AND parent_code = left(code, 9) AND county_code = left(code, 6))
    ),
    CHECK ((level = 'village') = (urban_rural_type IS NOT NULL))
);
CREATE INDEX divisions_parent ON divisions (parent_code);
CREATE INDEX divisions_county ON divisions (county_code, code);
GRANT SELECT ON divisions TO dibao_app;

-- The role catalogue. Permissions of each role live in the access package's policy file.
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

CREATE TABLE users (
    id                  bigserial PRIMARY KEY,
    username            text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,49}$'),
    display_name        text NOT NULL CHECK (length(btrim(display_name)) BETWEEN 1 AND 50),
    phone_enc           bytea,          -- SM4-GCM ciphertext
    phone_index         bytea,          -- HMAC-SM3 blind index for equality search
    phone_masked        text,           -- 138****1234, for lists
    county_code         text COLLATE "C" REFERENCES divisions (code),  -- NULL for platform staff
    division_code       text COLLATE "C" REFERENCES divisions (code),  -- NULL for platform staff
    status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    password_hash       text NOT NULL,
    must_change_password boolean NOT NULL DEFAULT true,
    failed_logins       integer NOT NULL DEFAULT 0,
    locked_until        timestamptz,
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((county_code IS NULL) = (division_code IS NULL))
);
CREATE INDEX users_division ON users (county_code, division_code);
GRANT SELECT, INSERT, UPDATE ON users TO dibao_app;
GRANT USAGE ON SEQUENCE users_id_seq TO dibao_app;

-- A role held at a division covers every division below it. platform_admin is held at
-- the platform itself, which has no division.
CREATE TABLE user_roles (
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_key      text NOT NULL REFERENCES roles (key),
    division_code text COLLATE "C" REFERENCES divisions (code),
    granted_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((role_key = 'platform_admin') = (division_code IS NULL))
);
CREATE UNIQUE INDEX user_roles_unique ON user_roles (user_id, role_key, coalesce(division_code, ''));
GRANT SELECT, INSERT, DELETE ON user_roles TO dibao_app;

-- Who did what, when, where. The app may add rows, never change or remove them.
CREATE TABLE audit_log (
    id            bigserial PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    actor_id      bigint,
    actor_name    text NOT NULL DEFAULT '',
    county_code   text COLLATE "C",
    division_code text COLLATE "C",
    action        text NOT NULL,
    object_type   text NOT NULL DEFAULT '',
    object_id     text NOT NULL DEFAULT '',
    outcome       text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    request_id    text NOT NULL DEFAULT '',
    client_ip     text NOT NULL DEFAULT '',
    detail        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);
CREATE INDEX audit_log_county ON audit_log (county_code, at);
GRANT SELECT, INSERT ON audit_log TO dibao_app;
GRANT USAGE ON SEQUENCE audit_log_id_seq TO dibao_app;
