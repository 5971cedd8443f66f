-- The database `dibao`, owned by dibao_owner. Idempotent. Run after roles.sql, as a superuser:
--
--   psql -v ON_ERROR_STOP=1 -d postgres -f deploy/postgres/database.sql
--
-- Optional: -v dbname=other_name (default dibao).

\set ON_ERROR_STOP on
\if :{?dbname}
\else
  \set dbname dibao
\endif

-- CREATE DATABASE cannot run inside a DO block or a transaction: psql's \gexec runs the
-- statement only when the SELECT returns it.
SELECT format('CREATE DATABASE %I OWNER dibao_owner ENCODING ''UTF8'' TEMPLATE template0', :'dbname')
 WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = :'dbname') \gexec

SELECT format('ALTER DATABASE %I OWNER TO dibao_owner', :'dbname') \gexec

-- Only the two Dibao roles (and superusers) may connect.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'dbname') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO dibao_app', :'dbname') \gexec

\connect :dbname

-- Before PostgreSQL 15 every role may create objects in schema public: take that away and hand
-- the schema to the owner. From 15 on, public belongs to pg_database_owner (dibao_owner here)
-- and PUBLIC has no CREATE on it, so there is nothing to do.
DO $$
BEGIN
  IF current_setting('server_version_num')::int < 150000 THEN
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    ALTER SCHEMA public OWNER TO dibao_owner;
  END IF;
END
$$;
