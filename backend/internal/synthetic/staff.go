package synthetic

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/secure"
)

// Caseworker is the username of a generated county's township caseworker.
func Caseworker(county string) string { return "syn" + county + ".clerk" }

// AddCaseworkers gives each county a township caseworker of its first township (username
// Caseworker(county), the given password, no forced change), for load tests that sign in.
// A county whose caseworker exists is left alone. It returns the usernames.
func AddCaseworkers(ctx context.Context, owner *sqlx.DB, box *secure.Box, counties []County, password string) ([]string, error) {
	if len(password) < 8 {
		return nil, fmt.Errorf("synthetic: the staff password needs at least 8 characters")
	}
	hash, err := identity.HashPassword(password)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, c := range counties {
		name := Caseworker(c.Code)
		township := c.Townships[0].Code
		phone := "139" + c.Code[:6] + "00"
		enc, err := box.Seal("user.phone", phone)
		if err != nil {
			return nil, err
		}
		err = db.WithScope(ctx, owner, db.Scope{County: c.Code, Division: c.Code, Purpose: "sign_in"}, func(tx *sqlx.Tx) error {
			var exists bool
			if err := tx.GetContext(ctx, &exists, `SELECT EXISTS (SELECT FROM login_names WHERE username = $1)`, name); err != nil || exists {
				return err
			}
			var id int64
			if err := tx.GetContext(ctx, &id, `INSERT INTO users (county_code, division_code, username, display_name,
				phone_enc, phone_index, phone_masked, password_hash, must_change_password)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, false) RETURNING id`,
				c.Code, township, name, c.Townships[0].Name+"民政员", enc, box.Index("user.phone", phone), secure.MaskPhone(phone), hash); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_names (username, county_code, user_id) VALUES ($1, $2, $3)`, name, c.Code, id); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO user_roles (county_code, user_id, role_key, division_code)
				VALUES ($1, $2, 'township_caseworker', $3)`, c.Code, id, township)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("synthetic: caseworker of %s: %w", c.Code, err)
		}
		names = append(names, name)
	}
	return names, nil
}
