-- Permissions granted to roles: the p lines of the Casbin model (internal/access/model.conf).
--
-- internal/access/policy.csv is the one readable list of permissions; this table is its copy
-- in PostgreSQL, which the enforcers of every instance load (with one county's user_roles as
-- the g lines). A test (internal/access) fails when the table, after all migrations, differs
-- from policy.csv, and prints the SQL of the migration that would bring them together.
--
-- A reference table: the same rows for every county (replicated to every node when
-- distributed), public to the app role, changed only by migrations.
CREATE TABLE role_permissions (
    role_key text NOT NULL REFERENCES roles (key),
    object   text NOT NULL CHECK (object ~ '^[a-z][a-z_]*$'),
    action   text NOT NULL CHECK (action ~ '^[a-z][a-z_]*$'),
    PRIMARY KEY (role_key, object, action)
);
GRANT SELECT ON role_permissions TO dibao_app;

-- Row-level security of 0001's tables, written with built-in expressions.
--
-- The app_county()/app_division()/app_division_end() functions are SQL functions the planner
-- inlines into every query, at a cost paid on each execution: on a page of 50 rows out of a
-- township's (900,000 staff or 1,000,000 households) the policies of 0001 added 15-18 % to the
-- same query without row-level security; these forms add 3-7 % (docs/benchmarks.md). The
-- meaning is unchanged and still fails closed: an unset or empty setting is NULL after
-- NULLIF, and a comparison with NULL admits no row (and fails every WITH CHECK). The range
-- stays index-friendly: codes are COLLATE "C", so [division, division || '~') is exactly
-- the division and everything below it.
ALTER POLICY users_scope ON users
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
ALTER POLICY login_names_scope ON login_names
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND current_setting('app.division_code', true) <> '')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND current_setting('app.division_code', true) <> '');
ALTER POLICY user_roles_read ON user_roles
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND current_setting('app.division_code', true) <> '');
ALTER POLICY user_roles_write ON user_roles
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
ALTER POLICY user_roles_delete ON user_roles
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
ALTER POLICY audit_log_read ON audit_log
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');

-- The permissions of policy.csv.
INSERT INTO role_permissions (role_key, object, action) VALUES
    ('platform_admin', 'platform', 'health'),
    ('platform_admin', 'county', 'provision'),
    ('platform_admin', 'division', 'import'),
    ('platform_admin', 'division', 'read'),
    ('county_admin', 'user', 'read'),
    ('county_admin', 'user', 'manage'),
    ('county_admin', 'division', 'read'),
    ('county_admin', 'division', 'manage'),
    ('county_admin', 'setting', 'manage'),
    ('county_admin', 'standard', 'manage'),
    ('county_admin', 'report', 'read'),
    ('security_admin', 'security', 'manage'),
    ('security_admin', 'user', 'read'),
    ('security_admin', 'division', 'read'),
    ('audit_admin', 'audit', 'read'),
    ('audit_admin', 'audit', 'verify'),
    ('audit_admin', 'division', 'read'),
    ('county_approver', 'division', 'read'),
    ('county_approver', 'household', 'read'),
    ('county_approver', 'case', 'read'),
    ('county_approver', 'case', 'decide'),
    ('county_approver', 'spotcheck', 'order'),
    ('county_approver', 'exit', 'decide'),
    ('county_approver', 'notice', 'read'),
    ('county_approver', 'recheck', 'read'),
    ('county_approver', 'report', 'read'),
    ('township_leader', 'division', 'read'),
    ('township_leader', 'household', 'read'),
    ('township_leader', 'case', 'read'),
    ('township_leader', 'case', 'signoff'),
    ('township_leader', 'notice', 'read'),
    ('township_leader', 'recheck', 'read'),
    ('township_leader', 'report', 'read'),
    ('township_caseworker', 'division', 'read'),
    ('township_caseworker', 'household', 'read'),
    ('township_caseworker', 'household', 'create'),
    ('township_caseworker', 'household', 'update'),
    ('township_caseworker', 'household', 'import'),
    ('township_caseworker', 'case', 'read'),
    ('township_caseworker', 'case', 'accept'),
    ('township_caseworker', 'case', 'investigate'),
    ('township_caseworker', 'case', 'review'),
    ('township_caseworker', 'notice', 'read'),
    ('township_caseworker', 'roster', 'build'),
    ('township_caseworker', 'roster', 'read'),
    ('township_caseworker', 'recheck', 'read'),
    ('township_caseworker', 'recheck', 'schedule'),
    ('township_caseworker', 'relative', 'register'),
    ('township_caseworker', 'report', 'read'),
    ('finance_officer', 'division', 'read'),
    ('finance_officer', 'fund', 'read'),
    ('finance_officer', 'fund', 'allocate'),
    ('finance_officer', 'roster', 'read'),
    ('finance_officer', 'roster', 'approve'),
    ('finance_officer', 'bankfile', 'export'),
    ('finance_officer', 'bankfile', 'import'),
    ('finance_officer', 'report', 'read'),
    ('village_worker', 'division', 'read'),
    ('village_worker', 'household', 'read'),
    ('village_worker', 'case', 'read'),
    ('village_worker', 'case', 'submit'),
    ('village_worker', 'evaluation', 'record'),
    ('village_worker', 'notice', 'read'),
    ('village_worker', 'notice', 'post'),
    ('village_worker', 'change', 'report'),
    ('village_worker', 'relative', 'register'),
    ('inspector', 'division', 'read'),
    ('inspector', 'household', 'read'),
    ('inspector', 'case', 'read'),
    ('inspector', 'notice', 'read'),
    ('inspector', 'roster', 'read'),
    ('inspector', 'fund', 'read'),
    ('inspector', 'recheck', 'read'),
    ('inspector', 'complaint', 'read'),
    ('inspector', 'complaint', 'handle'),
    ('inspector', 'alert', 'read'),
    ('inspector', 'audit', 'read'),
    ('inspector', 'report', 'read'),
    ('platform_admin', 'calendar', 'manage');
