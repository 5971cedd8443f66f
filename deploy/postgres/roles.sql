-- Dibao database roles. Idempotent: safe to run again, on a new or an existing server.
--
-- Run as a superuser (or a role with CREATEROLE) with psql, giving both passwords:
--
--   psql -v ON_ERROR_STOP=1 -d postgres \
--        -v owner_password="$DIBAO_OWNER_PASSWORD" \
--        -v app_password="$DIBAO_APP_PASSWORD" \
--        -f deploy/postgres/roles.sql
--
-- then deploy/postgres/database.sql to create the database `dibao` owned by dibao_owner.
--
--   dibao_owner  owns the schema and runs `dibao migrate up` / `dibao seed demo`
--                (DATABASE_OWNER_URL). Not a superuser: FORCE'd row-level security applies to
--                it too, and it cannot hand itself more rights.
--   dibao_app    the application's connection (DATABASE_URL). Neither owner nor superuser nor
--                BYPASSRLS, so row-level security always applies to it. Its table privileges
--                are granted by the migrations.
--
-- Running it again brings existing roles back to these attributes and sets the passwords given
-- (which is how a password is rotated). Passwords are sent as SCRAM verifiers when the server's
-- password_encryption is scram-sha-256 (the default since PostgreSQL 14).

\set ON_ERROR_STOP on

\if :{?owner_password}
\else
  \echo 'roles.sql: missing -v owner_password=...'
  DO $$ BEGIN RAISE EXCEPTION 'roles.sql: psql variable owner_password is not set'; END $$;
\endif
\if :{?app_password}
\else
  \echo 'roles.sql: missing -v app_password=...'
  DO $$ BEGIN RAISE EXCEPTION 'roles.sql: psql variable app_password is not set'; END $$;
\endif

-- psql variables are not expanded inside dollar-quoted DO bodies: pass them through
-- session-local settings, which exist only for this connection.
SELECT set_config('dibao.owner_password', :'owner_password', false) \gset dibao_ignored_
SELECT set_config('dibao.app_password', :'app_password', false) \gset dibao_ignored_

DO $$
DECLARE
  owner_pw text := current_setting('dibao.owner_password');
  app_pw   text := current_setting('dibao.app_password');
  r        record;
BEGIN
  IF length(owner_pw) < 12 OR length(app_pw) < 12 THEN
    RAISE EXCEPTION 'dibao roles: passwords must be at least 12 characters';
  END IF;
  IF owner_pw = app_pw THEN
    RAISE EXCEPTION 'dibao roles: dibao_owner and dibao_app must not share a password';
  END IF;

  FOR r IN SELECT * FROM (VALUES ('dibao_owner', owner_pw), ('dibao_app', app_pw)) AS t(name, pw)
  LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r.name) THEN
      -- CREATE ROLE's defaults are NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE
      -- NOREPLICATION; spelled out anyway.
      EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L',
                     r.name, r.pw);
      RAISE NOTICE 'dibao roles: created %', r.name;
    ELSE
      EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', r.name, r.pw);
      RAISE NOTICE 'dibao roles: % exists, password set', r.name;
    END IF;
    -- Correct only the attributes that are wrong: changing SUPERUSER, BYPASSRLS or
    -- REPLICATION needs a superuser, so a CREATEROLE-only administrator (managed databases)
    -- can still run this file as long as nothing needs fixing.
    IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = r.name) THEN
      EXECUTE format('ALTER ROLE %I NOSUPERUSER', r.name);
    END IF;
    IF (SELECT rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = r.name) THEN
      EXECUTE format('ALTER ROLE %I NOBYPASSRLS', r.name);
    END IF;
    IF (SELECT rolreplication FROM pg_catalog.pg_roles WHERE rolname = r.name) THEN
      EXECUTE format('ALTER ROLE %I NOREPLICATION', r.name);
    END IF;
    IF (SELECT rolcreatedb OR rolcreaterole FROM pg_catalog.pg_roles WHERE rolname = r.name) THEN
      EXECUTE format('ALTER ROLE %I NOCREATEDB NOCREATEROLE', r.name);
    END IF;
  END LOOP;

  -- The app must not inherit the owner's rights (it would in effect own the tables).
  IF pg_catalog.pg_has_role('dibao_app', 'dibao_owner', 'MEMBER') THEN
    REVOKE dibao_owner FROM dibao_app;
    RAISE NOTICE 'dibao roles: revoked dibao_owner membership from dibao_app';
  END IF;
END
$$;

-- Forget the passwords in this session.
SELECT set_config('dibao.owner_password', '', false) \gset dibao_ignored_
SELECT set_config('dibao.app_password', '', false) \gset dibao_ignored_

SELECT rolname, rolsuper, rolbypassrls, rolcreatedb, rolcreaterole, rolcanlogin
  FROM pg_catalog.pg_roles
 WHERE rolname IN ('dibao_owner', 'dibao_app')
 ORDER BY rolname;
