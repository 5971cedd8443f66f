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
	ID                 int64        `db:"id"`
	CountyCode         string       `db:"county_code"`
	DivisionCode       string       `db:"division_code"`
	DivisionName       string       `db:"division_name"`
	Username           string       `db:"username"`
	DisplayName        string       `db:"display_name"`
	Status             string       `db:"status"`
	PasswordHash       string       `db:"password_hash"`
	MustChangePassword bool         `db:"must_change_password"`
	FailedLogins       int          `db:"failed_logins"`
	LockedUntil        sql.NullTime `db:"locked_until"`
}

// RoleGrant is an assignment with the names to show.
type RoleGrant struct {
	access.Assignment
	NameZH       string `db:"name_zh"`
	NameEN       string `db:"name_en"`
	DivisionName string `db:"division_name"`
}

// loginName finds the county and id behind a username. It needs the 'sign_in' purpose.
func loginName(ctx context.Context, q sqlx.QueryerContext, username string) (county string, id int64, err error) {
	row := q.QueryRowxContext(ctx, `SELECT county_code, user_id FROM login_names WHERE username = $1`, username)
	if err := row.Scan(&county, &id); err != nil {
		return "", 0, fmt.Errorf("identity: look up login name %q: %w", username, err)
	}
	return county, id, nil
}

// loadUser reads a user in the transaction's scope; forUpdate locks the row.
func loadUser(ctx context.Context, q sqlx.QueryerContext, county string, id int64, forUpdate bool) (User, error) {
	query := `SELECT u.id, u.county_code, u.division_code, d.name AS division_name, u.username, u.display_name,
			u.status, u.password_hash, u.must_change_password, u.failed_logins, u.locked_until
		FROM users u JOIN divisions d ON d.code = u.division_code
		WHERE u.county_code = $1 AND u.id = $2`
	if forUpdate {
		query += ` FOR UPDATE OF u`
	}
	var u User
	if err := sqlx.GetContext(ctx, q, &u, query, county, id); err != nil {
		return u, fmt.Errorf("identity: load user %d: %w", id, err)
	}
	return u, nil
}

func rolesOf(ctx context.Context, q sqlx.QueryerContext, county string, userID int64) ([]RoleGrant, error) {
	var grants []RoleGrant
	err := sqlx.SelectContext(ctx, q, &grants, `
		SELECT ur.role_key, ur.division_code, r.name_zh, r.name_en, d.name AS division_name
		FROM user_roles ur
		JOIN roles r ON r.key = ur.role_key
		JOIN divisions d ON d.code = ur.division_code
		WHERE ur.county_code = $1 AND ur.user_id = $2
		ORDER BY r.rank DESC, ur.division_code`, county, userID)
	if err != nil {
		return nil, fmt.Errorf("identity: roles of user %d: %w", userID, err)
	}
	return grants, nil
}

func recordFailure(ctx context.Context, tx *sqlx.Tx, u User, failures int, lockedUntil *time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = $3, locked_until = $4, updated_at = now()
		WHERE county_code = $1 AND id = $2`, u.CountyCode, u.ID, failures, lockedUntil)
	if err != nil {
		return fmt.Errorf("identity: record failed sign-in of user %d: %w", u.ID, err)
	}
	return nil
}

func clearFailures(ctx context.Context, tx *sqlx.Tx, u User) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL, updated_at = now()
		WHERE county_code = $1 AND id = $2 AND (failed_logins <> 0 OR locked_until IS NOT NULL)`, u.CountyCode, u.ID)
	if err != nil {
		return fmt.Errorf("identity: clear failed sign-ins of user %d: %w", u.ID, err)
	}
	return nil
}

func setPassword(ctx context.Context, tx *sqlx.Tx, u User, hash string) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $3, must_change_password = false,
		password_changed_at = now(), updated_at = now() WHERE county_code = $1 AND id = $2`, u.CountyCode, u.ID, hash)
	if err != nil {
		return fmt.Errorf("identity: set password of user %d: %w", u.ID, err)
	}
	return nil
}
