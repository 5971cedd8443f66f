-- Row-level security policies without the app_*() functions, on every table that still had them.
--
-- Why not make the functions themselves fast? Measured on PostgreSQL 15 (docs/benchmarks.md,
-- docs/access-control.md "Row-level security policies"):
--
-- * app_county(), app_division(), app_division_end() and app_purpose() are SQL functions, and the
--   planner inlines them: EXPLAIN (VERBOSE) shows COALESCE(current_setting(...), '') and the CASE
--   of app_division_end(), no function call. Inlined in an index condition or a one-time filter
--   they are evaluated once per scan, not per row. Collation plays no part: the functions return
--   the database's default collation and the comparison takes the column's COLLATE "C", so the
--   range still reaches the (county_code, division_code, ...) indexes.
-- * The cost is the inlining itself, paid on every planning of every query (lib/pq sends each
--   parameterised query as an unnamed statement, planned on each execution, and PostgreSQL caches
--   no inlined body): a syscache lookup, an ACL check, a memory context, parsing and analysing the
--   body, checking its result type, copying it. About 3 µs per call; the range policy makes five
--   (app_division_end() calls app_division() twice), +15-17 µs of planning per table per query:
--   the 16 % on a village's first page. SQL-standard bodies (RETURN ...) are stored parsed but
--   are no faster (reading the stored tree costs as much as parsing the text); bodies written in
--   the built-in form below still cost about 3 µs per call; PL/pgSQL functions are never inlined,
--   so they plan as fast, but are then called for every row on which the policy is a filter rather
--   than an index condition (members of a page of households, searches by name): about 0.85 µs
--   more per row than the built-in expressions, several times their cost.
--
-- So no redefinition of the functions makes a policy that calls them as fast as one written with
-- built-in expressions, and the policies are rewritten instead: the forms 0005 gave 0001's tables.
-- The meaning is unchanged and still fails closed: an unset or empty setting is NULL after NULLIF
-- (or fails "<> ''" and "= 'purpose'"), and a comparison with NULL admits no row and fails every
-- WITH CHECK. None of these expressions is negated, so NULL and false mean the same here.
-- TestPoliciesDoNotCallScopeFunctions (internal/migrations) keeps every later policy in this form.
-- The functions stay, unchanged, for code (PL/pgSQL, ad hoc queries) that reads the scope.

-- The range of the caller's division, in its county.
ALTER POLICY division_history_scope ON division_history
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
ALTER POLICY county_settings_insert ON county_settings
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
ALTER POLICY county_settings_update ON county_settings
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
ALTER POLICY households_scope ON households
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
ALTER POLICY household_members_scope ON household_members
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
ALTER POLICY household_incomes_scope ON household_incomes
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
ALTER POLICY household_assets_scope ON household_assets
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');

-- The whole county, for any scope inside it.
ALTER POLICY county_settings_read ON county_settings
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND current_setting('app.division_code', true) <> '');
ALTER POLICY audit_chain_heads_read ON audit_chain_heads
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND current_setting('app.division_code', true) <> '');
ALTER POLICY person_index_scope ON person_index
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND current_setting('app.division_code', true) <> '')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND current_setting('app.division_code', true) <> '');

-- The county alone (divisions are read by everyone; a county changes its own, the platform
-- adds provinces and cities, which belong to no county).
ALTER POLICY divisions_insert ON divisions
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
                OR (county_code IS NULL AND current_setting('app.county_code', true) = '000000'));
ALTER POLICY divisions_update ON divisions
    USING (county_code = NULLIF(current_setting('app.county_code', true), ''))
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), ''));
ALTER POLICY audit_log_insert ON audit_log
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
                OR (current_setting('app.purpose', true) = 'sign_in' AND action LIKE 'auth.%'));

-- Named purposes. The roles each policy applies to (TO dibao_owner) are unchanged.
ALTER POLICY login_names_sign_in ON login_names
    USING (current_setting('app.purpose', true) = 'sign_in');
ALTER POLICY login_names_provision ON login_names
    USING (current_setting('app.purpose', true) = 'user_provision');
ALTER POLICY audit_chain_heads_chain ON audit_chain_heads
    USING (current_setting('app.purpose', true) = 'audit_chain')
    WITH CHECK (current_setting('app.purpose', true) = 'audit_chain');
ALTER POLICY audit_chain_heads_verify ON audit_chain_heads
    USING (current_setting('app.purpose', true) = 'audit_verify');
ALTER POLICY person_index_lookup ON person_index
    USING (current_setting('app.purpose', true) = 'person_lookup');
