package staff

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"dibao/backend/internal/platform/db"
)

// account is a users row with its roles, as this package reads it.
type account struct {
	ID                 int64          `db:"id"`
	CountyCode         string         `db:"county_code"`
	DivisionCode       string         `db:"division_code"`
	DivisionName       string         `db:"division_name"`
	Username           string         `db:"username"`
	DisplayName        string         `db:"display_name"`
	PhoneMasked        sql.NullString `db:"phone_masked"`
	Status             string         `db:"status"`
	MustChangePassword bool           `db:"must_change_password"`
	LockedUntil        sql.NullTime   `db:"locked_until"`
	TOTPEnabled        bool           `db:"totp_enabled"`
	CreatedAt          time.Time      `db:"created_at"`
	UpdatedAt          time.Time      `db:"updated_at"`
	Roles              []UserRole     `db:"-"`
}

func (a account) roleKeys() []string {
	out := make([]string, len(a.Roles))
	for i, r := range a.Roles {
		out[i] = r.RoleKey
	}
	return out
}

func (a account) holds(role, division string) bool {
	for _, r := range a.Roles {
		if r.RoleKey == role && r.DivisionCode == division {
			return true
		}
	}
	return false
}

const accountColumns = `u.id, u.county_code, u.division_code, d.name AS division_name, u.username, u.display_name,
	u.phone_masked, u.status, u.must_change_password, u.locked_until, u.totp_enabled_at IS NOT NULL AS totp_enabled,
	u.created_at, u.updated_at`

func loadRoles(ctx context.Context, q sqlx.QueryerContext) (map[string]Role, error) {
	var list []Role
	if err := sqlx.SelectContext(ctx, q, &list, `SELECT key, level, rank, name_zh, name_en FROM roles`); err != nil {
		return nil, fmt.Errorf("staff: read role catalogue: %w", err)
	}
	out := make(map[string]Role, len(list))
	for _, r := range list {
		out[r.Key] = r
	}
	return out, nil
}

func loadDivision(ctx context.Context, q sqlx.QueryerContext, code string) (Division, error) {
	var d Division
	err := sqlx.GetContext(ctx, q, &d, `SELECT code, level, coalesce(county_code, '') AS county_code, name, status
		FROM divisions WHERE code = $1`, code)
	if err != nil {
		return d, fmt.Errorf("staff: load division %s: %w", code, err)
	}
	return d, nil
}

// loadAccount reads one account of county with its roles; forUpdate locks the row.
func loadAccount(ctx context.Context, q sqlx.QueryerContext, county string, id int64, forUpdate bool) (account, error) {
	query := `SELECT ` + accountColumns + ` FROM users u JOIN divisions d ON d.code = u.division_code
		WHERE u.county_code = $1 AND u.id = $2`
	if forUpdate {
		query += ` FOR UPDATE OF u`
	}
	var a account
	if err := sqlx.GetContext(ctx, q, &a, query, county, id); err != nil {
		return a, fmt.Errorf("staff: load user %d: %w", id, err)
	}
	roles, err := rolesOfAccounts(ctx, q, county, []int64{id})
	if err != nil {
		return a, err
	}
	a.Roles = roles[id]
	return a, nil
}

func rolesOfAccounts(ctx context.Context, q sqlx.QueryerContext, county string, ids []int64) (map[int64][]UserRole, error) {
	var rows []struct {
		UserID int64 `db:"user_id"`
		UserRole
	}
	err := sqlx.SelectContext(ctx, q, &rows, `
		SELECT ur.user_id, ur.role_key, ur.division_code, d.name AS division_name
		FROM user_roles ur
		JOIN roles r ON r.key = ur.role_key
		JOIN divisions d ON d.code = ur.division_code
		WHERE ur.county_code = $1 AND ur.user_id = ANY ($2)
		ORDER BY ur.user_id, r.rank DESC, ur.division_code`, county, pq.Int64Array(ids))
	if err != nil {
		return nil, fmt.Errorf("staff: roles of users: %w", err)
	}
	out := make(map[int64][]UserRole, len(ids))
	for _, r := range rows {
		out[r.UserID] = append(out[r.UserID], r.UserRole)
	}
	return out, nil
}

// listFilter selects a page of accounts. Division is a range: it and every division below.
type listFilter struct {
	County     string
	Division   string
	Query      string // username prefix or a part of the name
	PhoneIndex []byte // or the phone's blind index, when Query is a phone number
	Status     string // "", active, disabled or locked
	Now        time.Time
	SplitOnly  bool // only accounts holding one of the three-way split's roles (the platform's view)
	After      int64
	Limit      int
}

func listAccounts(ctx context.Context, q sqlx.QueryerContext, f listFilter) ([]account, error) {
	where := []string{`u.county_code = $1`, `u.division_code >= $2`, `u.division_code < $2 || '~'`, `u.id > $3`}
	args := []any{f.County, f.Division, f.After}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.Query != "" {
		like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(f.Query)
		cond := `u.username LIKE ` + arg(strings.ToLower(like)+"%") + ` OR u.display_name LIKE ` + arg("%"+like+"%")
		if f.PhoneIndex != nil {
			cond += ` OR u.phone_index = ` + arg(f.PhoneIndex)
		}
		where = append(where, "("+cond+")")
	}
	switch f.Status {
	case "active", "disabled":
		where = append(where, `u.status = `+arg(f.Status))
	case "locked":
		where = append(where, `u.locked_until > `+arg(f.Now))
	}
	if f.SplitOnly {
		where = append(where, `EXISTS (SELECT FROM user_roles r WHERE r.county_code = u.county_code AND r.user_id = u.id
			AND r.role_key IN ('county_admin', 'security_admin', 'audit_admin'))`)
	}
	query := `SELECT ` + accountColumns + ` FROM users u JOIN divisions d ON d.code = u.division_code
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY u.id LIMIT ` + arg(f.Limit)
	var out []account
	if err := sqlx.SelectContext(ctx, q, &out, query, args...); err != nil {
		return nil, fmt.Errorf("staff: list users of %s: %w", f.Division, err)
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]int64, len(out))
	for i, a := range out {
		ids[i] = a.ID
	}
	roles, err := rolesOfAccounts(ctx, q, f.County, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Roles = roles[out[i].ID]
	}
	return out, nil
}

// newAccount is what inserting an account needs.
type newAccount struct {
	County, Division, Username, DisplayName string
	PhoneEnc, PhoneIndex                    []byte
	PhoneMasked                             *string
	PasswordHash                            string
}

// insertAccount adds the account and its entry in the platform-wide login-name index in
// the caller's transaction. A taken username fails with a unique violation.
func insertAccount(ctx context.Context, tx *sqlx.Tx, n newAccount) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, `INSERT INTO users (county_code, division_code, username, display_name,
			phone_enc, phone_index, phone_masked, password_hash, must_change_password)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true) RETURNING id`,
		n.County, n.Division, n.Username, n.DisplayName, n.PhoneEnc, n.PhoneIndex, n.PhoneMasked, n.PasswordHash)
	if err != nil {
		return 0, fmt.Errorf("staff: insert user %s: %w", n.Username, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO login_names (username, county_code, user_id) VALUES ($1, $2, $3)`,
		n.Username, n.County, id); err != nil {
		return 0, fmt.Errorf("staff: insert login name %s: %w", n.Username, err)
	}
	return id, nil
}

func insertRole(ctx context.Context, tx *sqlx.Tx, county string, userID int64, role, division string, grantedBy int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO user_roles (county_code, user_id, role_key, division_code, granted_by)
		VALUES ($1, $2, $3, $4, $5)`, county, userID, role, division, grantedBy)
	if err != nil {
		return fmt.Errorf("staff: grant %s at %s to user %d: %w", role, division, userID, err)
	}
	return nil
}

func deleteRole(ctx context.Context, tx *sqlx.Tx, county string, userID int64, role, division string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM user_roles WHERE county_code = $1 AND user_id = $2 AND role_key = $3
		AND division_code = $4`, county, userID, role, division)
	if err != nil {
		return fmt.Errorf("staff: revoke %s at %s from user %d: %w", role, division, userID, err)
	}
	return nil
}

func updateProfile(ctx context.Context, tx *sqlx.Tx, a account, displayName, division string) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET display_name = $3, division_code = $4, updated_at = now()
		WHERE county_code = $1 AND id = $2`, a.CountyCode, a.ID, displayName, division)
	if err != nil {
		return fmt.Errorf("staff: update user %d: %w", a.ID, err)
	}
	return nil
}

// updatePhone sets (or, with nil values, removes) the phone.
func updatePhone(ctx context.Context, tx *sqlx.Tx, a account, enc, index []byte, masked *string) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET phone_enc = $3, phone_index = $4, phone_masked = $5, updated_at = now()
		WHERE county_code = $1 AND id = $2`, a.CountyCode, a.ID, enc, index, masked)
	if err != nil {
		return fmt.Errorf("staff: update phone of user %d: %w", a.ID, err)
	}
	return nil
}

func setStatus(ctx context.Context, tx *sqlx.Tx, a account, status string) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET status = $3, updated_at = now() WHERE county_code = $1 AND id = $2`,
		a.CountyCode, a.ID, status)
	if err != nil {
		return fmt.Errorf("staff: set status of user %d: %w", a.ID, err)
	}
	return nil
}

func clearLock(ctx context.Context, tx *sqlx.Tx, a account) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL, updated_at = now()
		WHERE county_code = $1 AND id = $2`, a.CountyCode, a.ID)
	if err != nil {
		return fmt.Errorf("staff: unlock user %d: %w", a.ID, err)
	}
	return nil
}

// resetPassword sets a one-time password that must be changed at the next sign-in, and
// lifts a lockout (the administrator has just checked who is asking).
func resetPassword(ctx context.Context, tx *sqlx.Tx, a account, hash string) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $3, must_change_password = true,
		password_changed_at = now(), failed_logins = 0, locked_until = NULL, updated_at = now()
		WHERE county_code = $1 AND id = $2`, a.CountyCode, a.ID, hash)
	if err != nil {
		return fmt.Errorf("staff: reset password of user %d: %w", a.ID, err)
	}
	return nil
}

// countyOfUser finds an account's county from its platform-wide id through the login-name
// index; the transaction must carry the purpose 'user_provision'.
func countyOfUser(ctx context.Context, q sqlx.QueryerContext, id int64) (string, error) {
	var county string
	if err := sqlx.GetContext(ctx, q, &county, `SELECT county_code FROM login_names WHERE user_id = $1`, id); err != nil {
		return "", fmt.Errorf("staff: county of user %d: %w", id, err)
	}
	return county, nil
}

// settingRow is one county setting.
type settingRow struct {
	Key       string    `db:"key"`
	Value     []byte    `db:"value"`
	UpdatedAt time.Time `db:"updated_at"`
}

func loadSettings(ctx context.Context, q sqlx.QueryerContext, county string, keys ...string) (map[string]settingRow, error) {
	var rows []settingRow
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT key, value, updated_at FROM county_settings
		WHERE county_code = $1 AND key = ANY ($2)`, county, pq.StringArray(keys)); err != nil {
		return nil, fmt.Errorf("staff: settings of %s: %w", county, err)
	}
	out := make(map[string]settingRow, len(rows))
	for _, r := range rows {
		out[r.Key] = r
	}
	return out, nil
}

func saveSetting(ctx context.Context, tx *sqlx.Tx, county, key string, value any, by int64) error {
	raw, err := json.Marshal(value)
	if err != nil {
		return fmt.Errorf("staff: encode setting %s: %w", key, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO county_settings (county_code, division_code, key, value, updated_by)
		VALUES ($1, $1, $2, $3, $4)
		ON CONFLICT (county_code, key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = now()`,
		county, key, db.JSONB(raw), by)
	if err != nil {
		return fmt.Errorf("staff: save setting %s of %s: %w", key, county, err)
	}
	return nil
}

// Constraint names the database answers with, turned into clear 409s.
func isUniqueViolation(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "23505"
}

func isSplitViolation(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "23514" && pe.Constraint == "user_roles_separation_of_duties"
}
