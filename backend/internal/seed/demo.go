// Package seed loads demo data: the seed township's county (Anji, 330523) and a second
// county (Changxing, 330522) so that isolation can be seen. Running it twice changes nothing.
package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/enrolment"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/secure"
)

// DemoPassword is the password of every demo account (demo only; documented in the README).
const DemoPassword = "Dibao@2026"

type division struct {
	code, level, parent, name, urbanRural string
}

// The seed township (the report's "XX镇" east of Anji, bordering Changxing) with
// 12 villages and 3 communities; names are made up, codes follow the national scheme.
func demoDivisions() []division {
	ds := []division{
		{"33", "province", "", "浙江省", ""},
		{"3305", "city", "33", "湖州市", ""},
		{"330523", "county", "3305", "安吉县", ""},
		{"330523101", "township", "330523", "梅溪镇", ""},
		{"330522", "county", "3305", "长兴县", ""},
		{"330522101", "township", "330522", "煤山镇", ""},
		{"330522101201", "village", "330522101", "新川村", "220"},
		{"330522101202", "village", "330522101", "尚儒村", "220"},
	}
	villages := []string{"梅溪村", "荆湾村", "上舍村", "红庙村", "石龙村", "晓墅村", "钱坑桥村", "马村村", "三山村", "长林村", "梅园村", "西亩村"}
	for i, name := range villages {
		ds = append(ds, division{fmt.Sprintf("330523101%03d", 201+i), "village", "330523101", name, "220"})
	}
	for i, name := range []string{"梅溪社区", "晓墅社区", "荆湾社区"} {
		ds = append(ds, division{fmt.Sprintf("330523101%03d", 1+i), "village", "330523101", name, "121"})
	}
	return ds
}

// DemoUser is a demo account: one role at one division.
type DemoUser struct {
	Username, DisplayName, Phone, Role, Division string
}

// DemoUsers lists the demo accounts.
func DemoUsers() []DemoUser {
	return []DemoUser{
		{"platform", "平台运维管理员", "13900000000", "platform_admin", access.PlatformDomain},
		{"ax.admin", "陈志强", "13900000001", "county_admin", "330523"},
		{"ax.approver", "李文华", "13900000002", "county_approver", "330523"},
		{"ax.leader", "周海燕", "13900000003", "township_leader", "330523101"},
		{"ax.clerk", "王丽", "13900000004", "township_caseworker", "330523101"},
		{"ax.finance", "赵敏", "13900000005", "finance_officer", "330523"},
		{"ax.village", "钱国平", "13900000006", "village_worker", "330523101201"},
		{"ax.inspector", "孙卫东", "13900000007", "inspector", "330523"},
		{"cx.clerk", "刘晓梅", "13900000008", "township_caseworker", "330522101"},
		{"ax.security", "吴静", "13900000009", "security_admin", "330523"},
		{"ax.auditor", "郑国华", "13900000010", "audit_admin", "330523"},
	}
}

// Result counts what a run added.
type Result struct {
	Divisions, Users int
}

// Demo loads the demo data as the schema owner, in one transaction.
func Demo(ctx context.Context, owner *sqlx.DB, box *secure.Box) (Result, error) {
	var res Result
	hash, err := identity.HashPassword(DemoPassword)
	if err != nil {
		return res, err
	}
	for _, d := range demoDivisions() {
		county := access.PlatformDomain // provinces and cities are written in the platform's scope
		switch d.level {
		case "county":
			county = d.code
		case "township", "village":
			county = d.code[:6]
		}
		err := db.WithScope(ctx, owner, db.CountyScope(county), func(tx *sqlx.Tx) error {
			r, err := tx.ExecContext(ctx, `INSERT INTO divisions (code, level, parent_code, county_code, name, urban_rural_type)
				VALUES ($1, $2, NULLIF($3, ''), $4, $5, NULLIF($6, '')) ON CONFLICT (code) DO NOTHING`,
				d.code, d.level, d.parent, nullIf(county, d.level), d.name, d.urbanRural)
			if err != nil {
				return fmt.Errorf("seed: division %s: %w", d.code, err)
			}
			n, _ := r.RowsAffected()
			res.Divisions += int(n)
			return nil
		})
		if err != nil {
			return res, err
		}
	}
	for _, u := range DemoUsers() {
		county := u.Division
		if len(county) > 6 {
			county = county[:6]
		}
		added, err := demoUser(ctx, owner, box, u, county, hash)
		if err != nil {
			return res, err
		}
		if added {
			res.Users++
		}
	}
	// A demo convenience (README): the demo counties and the platform do not make admins and
	// approvers enrol a second factor before they work, so the demo accounts sign in with
	// their password alone. New counties enforce it (no row means enforced).
	for _, county := range []string{access.PlatformDomain, "330523", "330522"} {
		err := db.WithScope(ctx, owner, db.CountyScope(county), func(tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO county_settings (county_code, division_code, key, value)
				VALUES ($1, $1, 'mfa_enforced', 'false') ON CONFLICT (county_code, key) DO NOTHING`, county)
			return err
		})
		if err != nil {
			return res, fmt.Errorf("seed: settings of %s: %w", county, err)
		}
	}
	return res, nil
}

// nullIf leaves county_code empty for provinces and cities, which belong to no county.
func nullIf(county, level string) any {
	if level == "province" || level == "city" {
		return nil
	}
	return county
}

// demoUser adds one account with its login name and role, unless the name is taken.
func demoUser(ctx context.Context, owner *sqlx.DB, box *secure.Box, u DemoUser, county, hash string) (bool, error) {
	phoneEnc, err := box.Seal("user.phone", u.Phone)
	if err != nil {
		return false, err
	}
	added := false
	err = db.WithScope(ctx, owner, db.Scope{County: county, Division: county, Purpose: "sign_in"}, func(tx *sqlx.Tx) error {
		var exists bool
		if err := tx.GetContext(ctx, &exists, `SELECT EXISTS (SELECT FROM login_names WHERE username = $1)`, u.Username); err != nil {
			return fmt.Errorf("seed: look up %s: %w", u.Username, err)
		}
		if exists {
			return nil // already there: leave it as its users left it
		}
		var id int64
		err := tx.GetContext(ctx, &id, `INSERT INTO users (county_code, division_code, username, display_name,
				phone_enc, phone_index, phone_masked, password_hash, must_change_password)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, false) RETURNING id`,
			county, u.Division, u.Username, u.DisplayName, phoneEnc, box.Index("user.phone", u.Phone), secure.MaskPhone(u.Phone), hash)
		if err != nil {
			return fmt.Errorf("seed: user %s: %w", u.Username, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_names (username, county_code, user_id) VALUES ($1, $2, $3)`,
			u.Username, county, id); err != nil {
			return fmt.Errorf("seed: login name %s: %w", u.Username, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_roles (county_code, user_id, role_key, division_code) VALUES ($1, $2, $3, $4)`,
			county, id, u.Role, u.Division); err != nil {
			return fmt.Errorf("seed: role of %s: %w", u.Username, err)
		}
		added = true
		return nil
	})
	return added, err
}

// Loaded is what Everything added.
type Loaded struct {
	Demo     Result
	Enrolled int // the benefit screens' enrolled households
	Township TownshipResult
}

// Everything loads all the demo data in one transaction: the divisions and staff, the
// standards and enrolled households of the benefit screens, and the seed township's rolls
// with its open cases. The cases go through casework's use cases, each of which begins and
// commits a transaction of its own; here those are savepoints of the one transaction
// (db.OneTransaction), so a failure anywhere leaves the database as it was and the next
// run starts again from the beginning. The whole load has ten minutes.
func Everything(ctx context.Context, owner *sqlx.DB, box *secure.Box, now time.Time) (Loaded, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	var out Loaded
	err := db.OneTransaction(ctx, owner, func(one *sqlx.DB) error {
		var err error
		if out.Demo, err = Demo(ctx, one, box); err != nil {
			return err
		}
		if out.Enrolled, err = enrolment.SeedDemo(ctx, one, box, now); err != nil {
			return err
		}
		out.Township, err = Township(ctx, one, box, now)
		return err
	})
	return out, err
}
