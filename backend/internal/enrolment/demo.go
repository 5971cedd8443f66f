package enrolment

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/household"
	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/secure"
)

// Demo data for the benefit screens (`dibao seed demo`, after the demo counties): the
// standards of 安吉县 and 长兴县 (湖州市 has one standard for town and country, raised in
// January 2026), Anji's benefit settings, and three households of 梅溪镇 enrolled as the
// county approver would, so that a new user finds beneficiaries, their working and their
// certificates. Running it again adds nothing.

type demoMember struct {
	name, relation, sex, birth string
	grade                      int
	serious                    bool
	labour                     string
}

type demoHousehold struct {
	village, category string
	members           []demoMember
	incomeKind        string
	incomeFen         int64
}

func demoHouseholds() []demoHousehold {
	return []demoHousehold{
		{"330523101201", Rural, []demoMember{{"王阿大", "self", "male", "1946-03-12", 0, false, "none"}}, "transfer", 35000},
		{"330523101201", Rural, []demoMember{
			{"陈国强", "self", "male", "1979-08-20", 0, false, "partial"},
			{"沈月华", "spouse", "female", "1981-02-14", 0, true, "none"},
			{"陈思远", "child", "male", "2012-09-01", 0, false, "none"},
		}, "wages", 150000},
		{"330523101001", Urban, []demoMember{
			{"李桂芳", "self", "female", "1958-11-03", 0, false, "none"},
			{"周明", "child", "male", "1990-05-06", 2, false, "none"},
		}, "property", 40000},
	}
}

// SeedDemo loads the demo standards, settings and beneficiaries as the schema owner and
// returns how many households it enrolled.
func SeedDemo(ctx context.Context, owner *sqlx.DB, box *secure.Box, now time.Time) (int, error) {
	for _, county := range []string{"330523", "330522"} {
		err := db.WithScope(ctx, owner, db.CountyScope(county), func(tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO benefit_standards (county_code, division_code, category, monthly_fen,
				effective_month, note, created_name) VALUES
				($1, $1, 'urban', 124000, '2025-07-01', '2025 年下半年标准', '演示数据'),
				($1, $1, 'rural', 124000, '2025-07-01', '2025 年下半年标准', '演示数据'),
				($1, $1, 'urban', 128500, '2026-01-01', '湖州市 2026 年城乡统一标准', '演示数据'),
				($1, $1, 'rural', 128500, '2026-01-01', '湖州市 2026 年城乡统一标准', '演示数据')
				ON CONFLICT (county_code, category, effective_month) DO NOTHING`, county)
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("enrolment: demo standards of %s: %w", county, err)
		}
	}
	enrolled := 0
	err := db.WithScope(ctx, owner, db.CountyScope("330523"), func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO benefit_settings (county_code, division_code, elderly_share_bp, minor_share_bp,
			severe_disability_share_bp, serious_illness_share_bp, minimum_payment_fen, individual_ceiling_bp, individual_share_bp,
			gradual_exit_months) VALUES ('330523', '330523', 1000, 1000, 3000, 2000, 3000, 15000, 5000, 6)
			ON CONFLICT (county_code) DO NOTHING`); err != nil {
			return fmt.Errorf("demo settings: %w", err)
		}
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM beneficiaries WHERE county_code = '330523'`); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		var approver int64
		if err := tx.GetContext(ctx, &approver, `SELECT id FROM users WHERE county_code = '330523' AND username = 'ax.approver'`); err != nil {
			return fmt.Errorf("demo approver: %w", err)
		}
		svc := NewService(nil, nil, func() time.Time { return now })
		for i, dh := range demoHouseholds() {
			id, err := addDemoHousehold(ctx, tx, box, dh, i)
			if err != nil {
				return err
			}
			if _, err := svc.Enroll(ctx, tx, Enrolment{County: "330523", Division: dh.village, HouseholdID: id,
				ActorID: approver, DecidedOn: civil.Today(now)}); err != nil {
				return fmt.Errorf("enrol demo household %s: %w", dh.members[0].name, err)
			}
			enrolled++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("enrolment: demo: %w", err)
	}
	return enrolled, nil
}

func addDemoHousehold(ctx context.Context, tx *sqlx.Tx, box *secure.Box, dh demoHousehold, n int) (int64, error) {
	var id int64
	if err := tx.GetContext(ctx, &id, `INSERT INTO households (county_code, division_code, category, head_name, address)
		VALUES ('330523', $1, $2, $3, $4) RETURNING id`, dh.village, dh.category, dh.members[0].name,
		fmt.Sprintf("梅溪镇%d号", 101+n)); err != nil {
		return 0, fmt.Errorf("demo household %s: %w", dh.members[0].name, err)
	}
	for j, m := range dh.members {
		birth, err := civil.ParseDate(m.birth)
		if err != nil {
			return 0, err
		}
		seq := 901 + 2*(10*n+j) // odd: men; the women's numbers are one below
		if m.sex == "female" {
			seq--
		}
		number := household.MakeIDNumber("330523", birth, seq)
		enc, err := box.Seal(household.IDNumberField, number)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO household_members (county_code, household_id, division_code, name,
			id_number_enc, id_number_index, id_number_masked, sex, birth_date, relation, disability_grade, serious_illness,
			labour_capacity) VALUES ('330523', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			id, dh.village, m.name, enc, box.Index(household.IDNumberField, number), secure.MaskIDNumber(number), m.sex, birth,
			m.relation, m.grade, m.serious, m.labour); err != nil {
			return 0, fmt.Errorf("demo member %s: %w", m.name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO household_incomes (county_code, household_id, division_code, kind, source, monthly_fen)
		VALUES ('330523', $1, $2, $3, '演示数据', $4)`, id, dh.village, dh.incomeKind, dh.incomeFen); err != nil {
		return 0, fmt.Errorf("demo income of %s: %w", dh.members[0].name, err)
	}
	return id, nil
}
