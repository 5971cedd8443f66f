-- Staff management: the second factor (TOTP) on accounts, the three-way split of duties
-- (等保 三员分立) in the schema, and per-county settings.

-- TOTP (RFC 6238) lives on the account row: one secret per user, so it needs no table of
-- its own and inherits the users policies. The secret is SM4-GCM ciphertext (secure.Box,
-- field "user.totp_secret"); it is written at enrolment and becomes active only when the
-- user confirms a first code (totp_enabled_at). totp_last_step is the last 30-second step
-- accepted, so a code works once. totp_recovery holds the keyed HMAC-SM3 of the unused
-- recovery codes; using one removes it.
ALTER TABLE users
    ADD COLUMN totp_secret_enc bytea,
    ADD COLUMN totp_enabled_at timestamptz,
    ADD COLUMN totp_last_step  bigint NOT NULL DEFAULT 0,
    ADD COLUMN totp_recovery   bytea[] NOT NULL DEFAULT '{}',
    ADD CONSTRAINT users_totp_enabled_has_secret CHECK (totp_enabled_at IS NULL OR totp_secret_enc IS NOT NULL);

-- The three-way split: an account holds at most one of the system-administration roles
-- (county_admin), the security administrator's and the audit administrator's. The use case
-- refuses such a grant with a clear message; this trigger is the wall behind it, for any
-- writer. The advisory lock serialises grants to one account, so two transactions cannot
-- each add one half of a forbidden pair without seeing the other.
CREATE FUNCTION user_roles_separation_of_duties() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    other text;
BEGIN
    IF NEW.role_key NOT IN ('county_admin', 'security_admin', 'audit_admin') THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('user_roles_sod'), hashtext(NEW.county_code || ':' || NEW.user_id));
    SELECT role_key INTO other FROM user_roles
     WHERE county_code = NEW.county_code AND user_id = NEW.user_id
       AND role_key IN ('county_admin', 'security_admin', 'audit_admin') AND role_key <> NEW.role_key
     LIMIT 1;
    IF other IS NOT NULL THEN
        RAISE EXCEPTION 'separation of duties: user % may not hold % together with %', NEW.user_id, NEW.role_key, other
            USING ERRCODE = 'check_violation', CONSTRAINT = 'user_roles_separation_of_duties';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER user_roles_separation_of_duties AFTER INSERT ON user_roles
    DEFERRABLE INITIALLY IMMEDIATE FOR EACH ROW EXECUTE FUNCTION user_roles_separation_of_duties();

-- The platform administrator opens and looks after the administrator accounts of counties.
-- To learn which county an account (known by its platform-wide id) belongs to, it may read
-- the login-name index under the purpose 'user_provision', and nothing else that way.
CREATE POLICY login_names_provision ON login_names FOR SELECT USING (app_purpose() = 'user_provision');

-- Settings of one county (or of the platform, 000000), one JSON value per key. Known keys:
--   mfa_enforced  boolean  whether accounts that need a second factor must enrol before
--                          they may work (default true when the row is absent)
--   mfa_roles     array    role keys that need a second factor besides platform_admin,
--                          county_admin and county_approver (default none)
CREATE TABLE county_settings (
    county_code   text COLLATE "C" NOT NULL REFERENCES divisions (code),
    key           text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{1,49}$'),
    division_code text COLLATE "C" NOT NULL,
    value         jsonb NOT NULL,
    updated_by    bigint,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (county_code, key),
    CHECK (division_code = county_code),
    CHECK (key <> 'mfa_enforced' OR jsonb_typeof(value) = 'boolean'),
    CHECK (key <> 'mfa_roles' OR jsonb_typeof(value) = 'array')
);
ALTER TABLE county_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE county_settings FORCE ROW LEVEL SECURITY;
-- Anyone working in the county reads them (sign-in needs them); only a county-wide scope
-- changes them.
CREATE POLICY county_settings_read ON county_settings FOR SELECT
    USING (county_code = app_county() AND app_division() <> '');
CREATE POLICY county_settings_insert ON county_settings FOR INSERT
    WITH CHECK (county_code = app_county() AND division_code >= app_division() AND division_code < app_division_end());
CREATE POLICY county_settings_update ON county_settings FOR UPDATE
    USING (county_code = app_county() AND division_code >= app_division() AND division_code < app_division_end())
    WITH CHECK (county_code = app_county() AND division_code >= app_division() AND division_code < app_division_end());
GRANT SELECT, INSERT, UPDATE ON county_settings TO dibao_app;
