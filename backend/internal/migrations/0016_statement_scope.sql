-- A scope for one statement, set by the statement itself: the household search runs as a
-- single prepared statement outside any transaction block (one round trip) instead of
-- BEGIN, set_config, the query and COMMIT (four). On the search at 1.5 M households those
-- three extra round trips were about half of PostgreSQL's time per request and a sixth of
-- the server's (docs/benchmarks.md).
--
-- The statement is written
--     SELECT ... FROM app_statement_scope($1, $2) AS scope
--         CROSS JOIN LATERAL (SELECT ... WHERE scope.ready AND ...) AS q
-- The lateral reference makes the subquery the inner side of the join, so PostgreSQL runs
-- this function (the outer side) before it reads a single row of the subquery, and the
-- policies' current_setting() calls see the scope. The settings are local: outside a
-- transaction block they end with the statement, and nothing is left on the pooled
-- connection. Should the order ever be otherwise, the policies would see no scope and admit
-- no row: it fails closed (TestStatementScope, internal/migrations).
CREATE FUNCTION app_statement_scope(county text, division text) RETURNS TABLE (ready boolean)
LANGUAGE sql VOLATILE ROWS 1 AS $$
    SELECT set_config('app.county_code', coalesce(county, ''), true) IS NOT NULL
       AND set_config('app.division_code', coalesce(division, ''), true) IS NOT NULL
       AND set_config('app.purpose', '', true) IS NOT NULL
$$;
