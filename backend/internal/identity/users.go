package identity

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

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
	// The second factor: the sealed secret (pending until enabled), the last step used and
	// how many recovery codes are left.
	TOTPSecretEnc []byte       `db:"totp_secret_enc"`
	TOTPEnabledAt sql.NullTime `db:"totp_enabled_at"`
	TOTPLastStep  int64        `db:"totp_last_step"`
	RecoveryLeft  int          `db:"recovery_left"`
	// The county's second-factor settings, read with the account (see MFAPolicy).
	MFAEnforced bool           `db:"mfa_enforced"`
	MFARoles    pq.StringArray `db:"mfa_roles"`
}

// TOTPEnabled reports whether the account has a confirmed second factor.
func (u User) TOTPEnabled() bool { return u.TOTPEnabledAt.Valid }

// Policy is the county's second-factor rule as it applies to this account.
func (u User) Policy() MFAPolicy { return MFAPolicy{Enforced: u.MFAEnforced, ExtraRoles: u.MFARoles} }

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
	// The county's settings come along in the same round trip: every request needs them
	// to know whether the account must enrol a second factor first.
	query := `SELECT u.id, u.county_code, u.division_code, d.name AS division_name, u.username, u.display_name,
			u.status, u.password_hash, u.must_change_password, u.failed_logins, u.locked_until,
			u.totp_secret_enc, u.totp_enabled_at, u.totp_last_step, cardinality(u.totp_recovery) AS recovery_left,
			coalesce((SELECT s.value::boolean FROM county_settings s
				WHERE s.county_code = u.county_code AND s.key = 'mfa_enforced'), true) AS mfa_enforced,
			coalesce((SELECT ARRAY(SELECT jsonb_array_elements_text(s.value)) FROM county_settings s
				WHERE s.county_code = u.county_code AND s.key = 'mfa_roles'), '{}') AS mfa_roles
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

// recordTOTPStep remembers the step of an accepted code; it fails (false) when a code of
// that step or a later one was accepted meanwhile, so a code is good once.
func recordTOTPStep(ctx context.Context, tx *sqlx.Tx, u User, step int64) (bool, error) {
	r, err := tx.ExecContext(ctx, `UPDATE users SET totp_last_step = $3
		WHERE county_code = $1 AND id = $2 AND totp_last_step < $3`, u.CountyCode, u.ID, step)
	if err != nil {
		return false, fmt.Errorf("identity: record totp step of user %d: %w", u.ID, err)
	}
	n, _ := r.RowsAffected()
	return n == 1, nil
}

// useRecoveryCode removes the code with this keyed hash; false when there is none.
func useRecoveryCode(ctx context.Context, tx *sqlx.Tx, u User, hash []byte) (bool, error) {
	r, err := tx.ExecContext(ctx, `UPDATE users SET totp_recovery = array_remove(totp_recovery, $3), updated_at = now()
		WHERE county_code = $1 AND id = $2 AND $3 = ANY (totp_recovery)`, u.CountyCode, u.ID, hash)
	if err != nil {
		return false, fmt.Errorf("identity: use recovery code of user %d: %w", u.ID, err)
	}
	n, _ := r.RowsAffected()
	return n == 1, nil
}

// setPendingTOTP stores a new, not yet confirmed secret (replacing a pending one).
func setPendingTOTP(ctx context.Context, tx *sqlx.Tx, u User, sealed []byte) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret_enc = $3, totp_enabled_at = NULL, totp_last_step = 0,
		totp_recovery = '{}', updated_at = now() WHERE county_code = $1 AND id = $2`, u.CountyCode, u.ID, sealed)
	if err != nil {
		return fmt.Errorf("identity: store totp secret of user %d: %w", u.ID, err)
	}
	return nil
}

// enableTOTP turns the pending secret on with the confirming code's step and the recovery codes' hashes.
func enableTOTP(ctx context.Context, tx *sqlx.Tx, u User, step int64, recovery [][]byte) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET totp_enabled_at = now(), totp_last_step = $3, totp_recovery = $4,
		updated_at = now() WHERE county_code = $1 AND id = $2 AND totp_secret_enc IS NOT NULL`,
		u.CountyCode, u.ID, step, pq.ByteaArray(recovery))
	if err != nil {
		return fmt.Errorf("identity: enable totp of user %d: %w", u.ID, err)
	}
	return nil
}

// ClearTOTP removes an account's second factor (its own choice, or an administrator's reset).
func ClearTOTP(ctx context.Context, tx *sqlx.Tx, county string, userID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret_enc = NULL, totp_enabled_at = NULL, totp_last_step = 0,
		totp_recovery = '{}', updated_at = now() WHERE county_code = $1 AND id = $2`, county, userID)
	if err != nil {
		return fmt.Errorf("identity: clear totp of user %d: %w", userID, err)
	}
	return nil
}
