package household

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"dibao/backend/internal/platform/secure"
)

// sealed is a sensitive value as stored: ciphertext, blind index, masked copy. A nil
// ciphertext is an empty value.
type sealed struct {
	Enc    []byte
	Index  []byte
	Masked string
}

func seal(box *secure.Box, field, value string, mask func(string) string) (sealed, error) {
	if value == "" {
		return sealed{}, nil
	}
	enc, err := box.Seal(field, value)
	if err != nil {
		return sealed{}, fmt.Errorf("household: seal %s: %w", field, err)
	}
	return sealed{Enc: enc, Index: box.Index(field, value), Masked: mask(value)}, nil
}

// householdRow is the households row as written.
type householdRow struct {
	County, Division, Category, HeadName, Address, HukouPlace string
	Phone                                                     *sealed // nil: unchanged
	BankName, BankHolder                                      string
	BankAccount                                               *sealed // nil: unchanged
}

func insertHousehold(ctx context.Context, tx *sqlx.Tx, r householdRow, createdBy int64) (int64, error) {
	ph, acc := valueOr(r.Phone), valueOr(r.BankAccount)
	var id int64
	err := tx.GetContext(ctx, &id, `INSERT INTO households (county_code, division_code, category, head_name, address, hukou_place,
		phone_enc, phone_index, phone_masked, bank_name, bank_holder, bank_account_enc, bank_account_index, bank_account_masked, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
		r.County, r.Division, r.Category, r.HeadName, r.Address, r.HukouPlace,
		ph.Enc, ph.Index, ph.Masked, r.BankName, r.BankHolder, acc.Enc, acc.Index, acc.Masked, nullID(createdBy))
	if err != nil {
		return 0, fmt.Errorf("household: insert household in %s: %w", r.Division, err)
	}
	return id, nil
}

// updateHousehold writes r over household id if it is still at version; ok is false if
// someone changed it since.
func updateHousehold(ctx context.Context, tx *sqlx.Tx, id int64, version int, r householdRow) (newVersion int, ok bool, err error) {
	q := `UPDATE households SET division_code = $3, category = $4, head_name = $5, address = $6, hukou_place = $7,
		bank_name = $8, bank_holder = $9, version = version + 1, updated_at = now()`
	args := []any{r.County, id, r.Division, r.Category, r.HeadName, r.Address, r.HukouPlace, r.BankName, r.BankHolder, version}
	if r.Phone != nil {
		args = append(args, r.Phone.Enc, r.Phone.Index, r.Phone.Masked)
		q += fmt.Sprintf(`, phone_enc = $%d, phone_index = $%d, phone_masked = $%d`, len(args)-2, len(args)-1, len(args))
	}
	if r.BankAccount != nil {
		args = append(args, r.BankAccount.Enc, r.BankAccount.Index, r.BankAccount.Masked)
		q += fmt.Sprintf(`, bank_account_enc = $%d, bank_account_index = $%d, bank_account_masked = $%d`, len(args)-2, len(args)-1, len(args))
	}
	q += ` WHERE county_code = $1 AND id = $2 AND version = $10 RETURNING version`
	err = tx.GetContext(ctx, &newVersion, q, args...)
	if err == sql.ErrNoRows {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("household: update %s/%d: %w", r.County, id, err)
	}
	return newVersion, true, nil
}

// memberRow is a member as written; IDNumber nil keeps an existing member's number.
type memberRow struct {
	Member
	IDNumber *sealed
}

func insertMember(ctx context.Context, tx *sqlx.Tx, county, division string, householdID int64, m memberRow) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, `INSERT INTO household_members (county_code, household_id, division_code, name,
		id_number_enc, id_number_index, id_number_masked, sex, birth_date, relation, identity_category, disability_grade,
		disability_type, chronic_illness, serious_illness, labour_capacity, employment, school, covered)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id`,
		county, householdID, division, m.Name, m.IDNumber.Enc, m.IDNumber.Index, m.IDNumber.Masked, m.Sex, m.BirthDate,
		m.Relation, m.IdentityCategory, m.DisabilityGrade, m.DisabilityType, m.ChronicIllness, m.SeriousIllness,
		m.LabourCapacity, m.Employment, m.School, m.Covered)
	if err != nil {
		return 0, fmt.Errorf("household: insert member of %s/%d: %w", county, householdID, err)
	}
	return id, nil
}

func updateMember(ctx context.Context, tx *sqlx.Tx, county, division string, householdID int64, m memberRow) error {
	q := `UPDATE household_members SET division_code = $4, name = $5, sex = $6, birth_date = $7, relation = $8,
		identity_category = $9, disability_grade = $10, disability_type = $11, chronic_illness = $12, serious_illness = $13,
		labour_capacity = $14, employment = $15, school = $16, covered = $17`
	args := []any{county, householdID, m.ID, division, m.Name, m.Sex, m.BirthDate, m.Relation, m.IdentityCategory,
		m.DisabilityGrade, m.DisabilityType, m.ChronicIllness, m.SeriousIllness, m.LabourCapacity, m.Employment, m.School, m.Covered}
	if m.IDNumber != nil {
		args = append(args, m.IDNumber.Enc, m.IDNumber.Index, m.IDNumber.Masked)
		q += `, id_number_enc = $18, id_number_index = $19, id_number_masked = $20`
	}
	q += ` WHERE county_code = $1 AND household_id = $2 AND id = $3`
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("household: update member %d of %s/%d: %w", m.ID, county, householdID, err)
	}
	return nil
}

func insertIncome(ctx context.Context, tx *sqlx.Tx, county, division string, householdID int64, in Income) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, `INSERT INTO household_incomes (county_code, household_id, division_code, member_id, kind, source, monthly_fen, counted)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		county, householdID, division, in.MemberID, in.Kind, in.Source, in.MonthlyFen, in.Counted)
	if err != nil {
		return 0, fmt.Errorf("household: insert income of %s/%d: %w", county, householdID, err)
	}
	return id, nil
}

func updateIncome(ctx context.Context, tx *sqlx.Tx, county, division string, householdID int64, in Income) error {
	_, err := tx.ExecContext(ctx, `UPDATE household_incomes SET division_code = $4, member_id = $5, kind = $6, source = $7,
		monthly_fen = $8, counted = $9 WHERE county_code = $1 AND household_id = $2 AND id = $3`,
		county, householdID, in.ID, division, in.MemberID, in.Kind, in.Source, in.MonthlyFen, in.Counted)
	if err != nil {
		return fmt.Errorf("household: update income %d of %s/%d: %w", in.ID, county, householdID, err)
	}
	return nil
}

func insertAsset(ctx context.Context, tx *sqlx.Tx, county, division string, householdID int64, a Asset) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, `INSERT INTO household_assets (county_code, household_id, division_code, kind, description, value_fen)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, county, householdID, division, a.Kind, a.Description, a.ValueFen)
	if err != nil {
		return 0, fmt.Errorf("household: insert asset of %s/%d: %w", county, householdID, err)
	}
	return id, nil
}

func updateAsset(ctx context.Context, tx *sqlx.Tx, county, division string, householdID int64, a Asset) error {
	_, err := tx.ExecContext(ctx, `UPDATE household_assets SET division_code = $4, kind = $5, description = $6, value_fen = $7
		WHERE county_code = $1 AND household_id = $2 AND id = $3`, county, householdID, a.ID, division, a.Kind, a.Description, a.ValueFen)
	if err != nil {
		return fmt.Errorf("household: update asset %d of %s/%d: %w", a.ID, county, householdID, err)
	}
	return nil
}

// deleteExcept removes the rows of a child table of household id whose ids are not in keep.
func deleteExcept(ctx context.Context, tx *sqlx.Tx, table, county string, householdID int64, keep []int64) error {
	if keep == nil {
		keep = []int64{}
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE county_code = $1 AND household_id = $2 AND NOT (id = ANY($3))`,
		county, householdID, pq.Array(keep))
	if err != nil {
		return fmt.Errorf("household: prune %s of %s/%d: %w", table, county, householdID, err)
	}
	return nil
}

// memberSecrets are the sealed ID numbers of a household's members, by member id.
func memberSecrets(ctx context.Context, tx *sqlx.Tx, county string, householdID int64) (map[int64][]byte, error) {
	var rows []struct {
		ID  int64  `db:"id"`
		Enc []byte `db:"id_number_enc"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT id, id_number_enc FROM household_members WHERE county_code = $1 AND household_id = $2`,
		county, householdID); err != nil {
		return nil, fmt.Errorf("household: read ID numbers of %s/%d: %w", county, householdID, err)
	}
	out := make(map[int64][]byte, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Enc
	}
	return out, nil
}

// isActive reports whether household id has members in the person index (an open case or
// an enrolment).
func isActive(ctx context.Context, tx *sqlx.Tx, county string, householdID int64) (bool, error) {
	var active bool
	if err := tx.GetContext(ctx, &active, `SELECT EXISTS (SELECT 1 FROM person_index WHERE county_code = $1 AND household_id = $2)`,
		county, householdID); err != nil {
		return false, fmt.Errorf("household: person index of %s/%d: %w", county, householdID, err)
	}
	return active, nil
}

// division is a row of divisions as the registry needs it.
type division struct {
	Code       string `db:"code"`
	Level      string `db:"level"`
	CountyCode string `db:"county_code"`
	Name       string `db:"name"`
	Status     string `db:"status"`
}

func loadDivision(ctx context.Context, q sqlx.QueryerContext, code string) (division, error) {
	var d division
	err := sqlx.GetContext(ctx, q, &d, `SELECT code, level, coalesce(county_code, '') AS county_code, name, status FROM divisions WHERE code = $1`, code)
	return d, err
}

func valueOr(s *sealed) sealed {
	if s == nil {
		return sealed{}
	}
	return *s
}

func nullID(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}
