package identity

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
)

// User is a staff account.
type User struct {
	ID                 int64          `db:"id"`
	Username           string         `db:"username"`
	DisplayName        string         `db:"display_name"`
	CountyCode         sql.NullString `db:"county_code"`
	DivisionCode       sql.NullString `db:"division_code"`
	DivisionName       sql.NullString `db:"division_name"`
	Status             string         `db:"status"`
	PasswordHash       string         `db:"password_hash"`
	MustChangePassword bool           `db:"must_change_password"`
	FailedLogins       int            `db:"failed_logins"`
	LockedUntil        sql.NullTime   `db:"locked_until"`
}

// RoleGrant is an assignment with the names to show.
type RoleGrant struct {
	access.Assignment
	NameZH       string `db:"name_zh"`
	NameEN       string `db:"name_en"`
	DivisionName string `db:"division_name"`
}

const userColumns = `u.id, u.username, u.display_name, u.county_code, u.division_code, d.name AS division_name,
	u.status, u.password_hash, u.must_change_password, u.failed_logins, u.locked_until`

func userByUsername(ctx context.Context, q sqlx.QueryerContext, username string, forUpdate bool) (User, error) {
	query := `SELECT ` + userColumns + ` FROM users u LEFT JOIN divisions d ON d.code = u.division_code WHERE u.username = $1`
	if forUpdate {
		query += ` FOR UPDATE OF u`
	}
	var u User
	if err := sqlx.GetContext(ctx, q, &u, query, username); err != nil {
		return u, fmt.Errorf("identity: load user %q: %w", username, err)
	}
	return u, nil
}

func userByID(ctx context.Context, q sqlx.QueryerContext, id int64) (User, error) {
	var u User
	err := sqlx.GetContext(ctx, q, &u, `SELECT `+userColumns+` FROM users u LEFT JOIN divisions d ON d.code = u.division_code WHERE u.id = $1`, id)
	if err != nil {
		return u, fmt.Errorf("identity: load user %d: %w", id, err)
	}
	return u, nil
}

func rolesOf(ctx context.Context, q sqlx.QueryerContext, userID int64) ([]RoleGrant, error) {
	var grants []RoleGrant
	err := sqlx.SelectContext(ctx, q, &grants, `
		SELECT ur.role_key, coalesce(ur.division_code, '') AS division_code, r.name_zh, r.name_en,
		       coalesce(d.name, '') AS division_name
		FROM user_roles ur
		JOIN roles r ON r.key = ur.role_key
		LEFT JOIN divisions d ON d.code = ur.division_code
		WHERE ur.user_id = $1
		ORDER BY r.rank DESC, ur.division_code`, userID)
	if err != nil {
		return nil, fmt.Errorf("identity: roles of user %d: %w", userID, err)
	}
	return grants, nil
}

func recordFailure(ctx context.Context, tx *sqlx.Tx, id int64, failures int, lockedUntil *time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = $2, locked_until = $3, updated_at = now() WHERE id = $1`,
		id, failures, lockedUntil)
	if err != nil {
		return fmt.Errorf("identity: record failed sign-in of user %d: %w", id, err)
	}
	return nil
}

func clearFailures(ctx context.Context, tx *sqlx.Tx, id int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL, updated_at = now()
		WHERE id = $1 AND (failed_logins <> 0 OR locked_until IS NOT NULL)`, id)
	if err != nil {
		return fmt.Errorf("identity: clear failed sign-ins of user %d: %w", id, err)
	}
	return nil
}

func setPassword(ctx context.Context, tx *sqlx.Tx, id int64, hash string) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $2, must_change_password = false,
		password_changed_at = now(), updated_at = now() WHERE id = $1`, id, hash)
	if err != nil {
		return fmt.Errorf("identity: set password of user %d: %w", id, err)
	}
	return nil
}
