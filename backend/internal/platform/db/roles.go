package db

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Role names the schema is written for (see migrations and deploy/postgres/roles.sql).
const (
	OwnerRole = "dibao_owner"
	AppRole   = "dibao_app"
)

const ensureRolesSQL = `DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dibao_owner') THEN
        CREATE ROLE dibao_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dibao_app') THEN
        CREATE ROLE dibao_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL; -- created by a concurrent session
END
$$`

// Bootstrap makes sure the two roles exist and that database name exists, owned by the
// owner role. admin must be a superuser connection (to the maintenance database).
func Bootstrap(ctx context.Context, admin *sqlx.DB, name string) error {
	if _, err := admin.ExecContext(ctx, ensureRolesSQL); err != nil {
		return fmt.Errorf("db: create roles: %w", err)
	}
	var exists bool
	if err := admin.GetContext(ctx, &exists, `SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)`, name); err != nil {
		return fmt.Errorf("db: look up database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name)+` OWNER `+OwnerRole+` ENCODING 'UTF8' TEMPLATE template0`); err != nil {
		return fmt.Errorf("db: create database %s: %w", name, err)
	}
	return nil
}
