package household

import (
	"context"
	"fmt"
	"net/http"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

// What other packages (casework, enrolment, imports) call, inside their own transaction
// whose scope (db.WithScope) covers the household. These signatures stay stable.

// ErrNotFound is returned by Load for a household that does not exist in the county (or
// not in the transaction's scope). It is an *httpx.Error (404 household_not_found), so it
// can be returned to a client as it is; compare with errors.Is.
var ErrNotFound error = httpx.Msg(http.StatusNotFound, "household_not_found", "户档案不存在", "No such household")

// Load reads household id of county with its members, income items and assets (in the
// order they were added), sensitive values masked. Attachments are left empty. A
// household outside the transaction's scope is not found (row-level security).
func Load(ctx context.Context, tx *sqlx.Tx, county string, id int64) (Household, error) {
	return load(ctx, tx, county, id, false)
}

// LoadForUpdate is Load with the household row locked until the transaction ends, for work
// that decides on the household's data and must not race an edit.
func LoadForUpdate(ctx context.Context, tx *sqlx.Tx, county string, id int64) (Household, error) {
	return load(ctx, tx, county, id, true)
}

func load(ctx context.Context, tx *sqlx.Tx, county string, id int64, lock bool) (Household, error) {
	q := selectHousehold + ` WHERE h.county_code = $1 AND h.id = $2`
	if lock {
		q += ` FOR UPDATE OF h`
	}
	var h Household
	if err := tx.GetContext(ctx, &h, q, county, id); err != nil {
		if db.IsNotFound(err) {
			return Household{}, ErrNotFound
		}
		return Household{}, fmt.Errorf("household: load %s/%d: %w", county, id, err)
	}
	h.Members, h.Incomes, h.Assets, h.Attachments = []Member{}, []Income{}, []Asset{}, []Attachment{}
	if err := tx.SelectContext(ctx, &h.Members, `SELECT id, name, id_number_masked, id_number_index, sex, birth_date,
		relation, identity_category, disability_grade, disability_type, chronic_illness, serious_illness,
		labour_capacity, employment, school, covered
		FROM household_members WHERE county_code = $1 AND household_id = $2 ORDER BY id`, county, id); err != nil {
		return Household{}, fmt.Errorf("household: load members of %s/%d: %w", county, id, err)
	}
	if err := tx.SelectContext(ctx, &h.Incomes, `SELECT id, member_id, kind, source, monthly_fen, counted
		FROM household_incomes WHERE county_code = $1 AND household_id = $2 ORDER BY id`, county, id); err != nil {
		return Household{}, fmt.Errorf("household: load incomes of %s/%d: %w", county, id, err)
	}
	if err := tx.SelectContext(ctx, &h.Assets, `SELECT id, kind, description, value_fen
		FROM household_assets WHERE county_code = $1 AND household_id = $2 ORDER BY id`, county, id); err != nil {
		return Household{}, fmt.Errorf("household: load assets of %s/%d: %w", county, id, err)
	}
	return h, nil
}

const selectHousehold = `SELECT h.id, h.county_code, h.division_code, coalesce(d.name, '') AS division_name, h.category,
	h.head_name, h.address, h.hukou_place, h.phone_masked, h.bank_name, h.bank_holder, h.bank_account_masked,
	h.status, h.version, h.created_at, h.updated_at
	FROM households h LEFT JOIN divisions d ON d.code = h.division_code`

// ActivatePersons enters every member of household id in the global person index: from now
// on none of them can be in another household's active case, in any county. Call it when a
// case opens (or a household is enrolled). It is idempotent for the household's own
// members. A member already active elsewhere makes it fail with a 409 *httpx.Error
// (person_active_elsewhere) naming that county, never the household; the caller rolls back.
func ActivatePersons(ctx context.Context, tx *sqlx.Tx, county string, id int64) error {
	var members []struct {
		ID    int64  `db:"id"`
		Name  string `db:"name"`
		Index []byte `db:"id_number_index"`
	}
	if err := tx.SelectContext(ctx, &members, `SELECT id, name, id_number_index FROM household_members
		WHERE county_code = $1 AND household_id = $2 ORDER BY id`, county, id); err != nil {
		return fmt.Errorf("household: activate persons of %s/%d: %w", county, id, err)
	}
	for i, m := range members {
		if err := checkPersonFree(ctx, tx, county, id, m.Index, m.Name, fmt.Sprintf("members[%d]", i)); err != nil {
			return err
		}
		var inserted []int64
		// ON CONFLICT waits for a concurrent insert of the same person to settle; if it
		// committed, this inserts nothing and the check below names where it went.
		if err := tx.SelectContext(ctx, &inserted, `INSERT INTO person_index (id_number_index, county_code, household_id, member_id)
			VALUES ($1, $2, $3, $4) ON CONFLICT (id_number_index) DO NOTHING RETURNING member_id`,
			m.Index, county, id, m.ID); err != nil {
			return fmt.Errorf("household: activate member %d of %s/%d: %w", m.ID, county, id, err)
		}
		if len(inserted) == 0 {
			if err := checkPersonFree(ctx, tx, county, id, m.Index, m.Name, fmt.Sprintf("members[%d]", i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// DeactivatePersons takes household id's members out of the global person index, when its
// case closes without enrolment or its enrolment ends.
func DeactivatePersons(ctx context.Context, tx *sqlx.Tx, county string, id int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM person_index WHERE county_code = $1 AND household_id = $2`, county, id); err != nil {
		return fmt.Errorf("household: deactivate persons of %s/%d: %w", county, id, err)
	}
	return nil
}

// SetStatus records where household id stands (StatusApplying when a case opens,
// StatusEnrolled, StatusExited, back to StatusRegistered), bumping its version so an edit
// made on the old version is refused. The history of the status is the case's.
func SetStatus(ctx context.Context, tx *sqlx.Tx, county string, id int64, status string) error {
	switch status {
	case StatusRegistered, StatusApplying, StatusEnrolled, StatusExited:
	default:
		return fmt.Errorf("household: set status of %s/%d: unknown status %q", county, id, status)
	}
	res, err := tx.ExecContext(ctx, `UPDATE households SET status = $3, version = version + 1, updated_at = now()
		WHERE county_code = $1 AND id = $2`, county, id, status)
	if err != nil {
		return fmt.Errorf("household: set status of %s/%d: %w", county, id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// checkPersonFree answers a 409 naming the county when the person with blind index idx is
// active anywhere but in household id of county.
func checkPersonFree(ctx context.Context, tx *sqlx.Tx, county string, id int64, idx []byte, name, field string) error {
	var where string
	if err := tx.GetContext(ctx, &where, `SELECT coalesce(person_active_county($1), '')`, idx); err != nil {
		return fmt.Errorf("household: person lookup: %w", err)
	}
	if where == "" {
		return nil
	}
	if where == county {
		// Our own county's row is readable: is it this very household?
		var holder int64
		err := tx.GetContext(ctx, &holder, `SELECT household_id FROM person_index WHERE county_code = $1 AND id_number_index = $2`, county, idx)
		if err != nil && !db.IsNotFound(err) {
			return fmt.Errorf("household: person lookup in %s: %w", county, err)
		}
		if err == nil && holder == id && id != 0 {
			return nil
		}
	}
	countyName := where
	var n string
	if err := tx.GetContext(ctx, &n, `SELECT name FROM divisions WHERE code = $1`, where); err == nil {
		countyName = n
	}
	return errPersonActive(field, name, countyName)
}

func errPersonActive(field, name, countyName string) error {
	return httpx.Msg(http.StatusConflict, "person_active_elsewhere",
		fmt.Sprintf("%s 已在%s的在办或在保案件中，同一人在全平台只能有一个有效案件", name, countyName),
		fmt.Sprintf("%s is already in an open case or enrolment in %s; a person may be in only one active case on the platform", name, countyName)).
		WithDetails(map[string]any{"field": field + ".id_number", "county_name": countyName})
}
