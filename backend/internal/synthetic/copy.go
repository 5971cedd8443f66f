package synthetic

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"dibao/backend/internal/household"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/secure"
)

// Writing a batch of households: COPY into temporary tables shaped like the registry's
// (created once per connection, emptied at commit), then one INSERT … SELECT per table in
// the county's scope, where row-level security checks every row.

const tempTables = `
CREATE TEMP TABLE IF NOT EXISTS syn_households (LIKE households INCLUDING DEFAULTS) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS syn_members (LIKE household_members INCLUDING DEFAULTS) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS syn_incomes (LIKE household_incomes INCLUDING DEFAULTS) ON COMMIT DELETE ROWS;`

// writeHomes writes hs (all in w's county) and returns the members and incomes written.
func (w *countyWriter) writeHomes(ctx context.Context, hs []home) (members, incomes int, err error) {
	c := w.county.Code
	err = db.WithScope(ctx, w.owner, db.CountyScope(c), func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, tempTables); err != nil {
			return fmt.Errorf("synthetic: temporary tables: %w", err)
		}
		for _, h := range hs {
			members += len(h.Members)
			for _, m := range h.Members {
				incomes += len(m.Incomes)
			}
		}
		hIDs, err := nextIDs(ctx, tx, "households_id_seq", len(hs))
		if err != nil {
			return err
		}
		mIDs, err := nextIDs(ctx, tx, "household_members_id_seq", members)
		if err != nil {
			return err
		}
		iIDs, err := nextIDs(ctx, tx, "household_incomes_id_seq", incomes)
		if err != nil {
			return err
		}
		// Seal and lay out every row first: a connection copies into one table at a time.
		hRows := make([][]any, 0, len(hs))
		mRows := make([][]any, 0, members)
		iRows := make([][]any, 0, incomes)
		mi, ii := 0, 0
		for n, h := range hs {
			hid, head := hIDs[n], h.Members[0]
			phone, err := seal(w.box, household.PhoneField, h.Phone, secure.MaskPhone)
			if err != nil {
				return err
			}
			acc, err := seal(w.box, household.BankAccountField, h.BankAccount, secure.MaskAccount)
			if err != nil {
				return err
			}
			holder := ""
			if h.BankAccount != "" {
				holder = head.Name
			}
			hRow := []any{c, hid, h.Village.Code, h.Category, head.Name, h.Village.Name,
				orNull(phone.Enc), orNull(phone.Index), phone.Masked, h.BankName, holder, orNull(acc.Enc), orNull(acc.Index), acc.Masked,
				len(h.Members), ""}
			hRows = append(hRows, hRow)
			for _, m := range h.Members {
				mid := mIDs[mi]
				mi++
				id, err := seal(w.box, household.IDNumberField, m.IDNumber, secure.MaskIDNumber)
				if err != nil {
					return err
				}
				if m.Relation == "self" { // the household list's summary (0015), written with it
					hRow[len(hRow)-1] = id.Masked
				}
				mRows = append(mRows, []any{c, mid, hid, h.Village.Code, m.Name, id.Enc, id.Index, id.Masked, m.Sex,
					m.Birth.String(), m.Relation, m.Disability, m.Chronic, m.Serious, m.Labour})
				for _, in := range m.Incomes {
					iRows = append(iRows, []any{c, iIDs[ii], hid, h.Village.Code, mid, in.Kind, in.Fen})
					ii++
				}
			}
		}
		for _, t := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{
			{"syn_households", []string{"county_code", "id", "division_code", "category", "head_name", "address", "phone_enc",
				"phone_index", "phone_masked", "bank_name", "bank_holder", "bank_account_enc", "bank_account_index",
				"bank_account_masked", "member_count", "head_id_number_masked"}, hRows},
			{"syn_members", []string{"county_code", "id", "household_id", "division_code", "name", "id_number_enc",
				"id_number_index", "id_number_masked", "sex", "birth_date", "relation", "disability_grade", "chronic_illness",
				"serious_illness", "labour_capacity"}, mRows},
			{"syn_incomes", []string{"county_code", "id", "household_id", "division_code", "member_id", "kind", "monthly_fen"}, iRows},
		} {
			if err := copyRows(ctx, tx, t.table, t.cols, t.rows); err != nil {
				return err
			}
		}
		for _, q := range []string{
			`INSERT INTO households SELECT * FROM syn_households`,
			`INSERT INTO household_members SELECT * FROM syn_members`,
			`INSERT INTO household_incomes SELECT * FROM syn_incomes`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("synthetic: %s: %w", q, err)
			}
		}
		return nil
	})
	return members, incomes, err
}

// copyRows copies rows into table with COPY FROM STDIN.
func copyRows(ctx context.Context, tx *sqlx.Tx, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, pq.CopyIn(table, cols...))
	if err != nil {
		return fmt.Errorf("synthetic: copy into %s: %w", table, err)
	}
	for _, r := range rows {
		if _, err := st.ExecContext(ctx, r...); err != nil {
			st.Close()
			return fmt.Errorf("synthetic: copy into %s: %w", table, err)
		}
	}
	if _, err := st.ExecContext(ctx); err != nil {
		st.Close()
		return fmt.Errorf("synthetic: copy into %s: %w", table, err)
	}
	if err := st.Close(); err != nil {
		return fmt.Errorf("synthetic: copy into %s: %w", table, err)
	}
	return nil
}

// sealed is a sensitive value as the registry stores it; empty values stay NULL.
type sealed struct {
	Enc, Index []byte
	Masked     string
}

func seal(box *secure.Box, field, value string, mask func(string) string) (sealed, error) {
	if value == "" {
		return sealed{}, nil
	}
	enc, err := box.Seal(field, value)
	if err != nil {
		return sealed{}, fmt.Errorf("synthetic: seal %s: %w", field, err)
	}
	return sealed{Enc: enc, Index: box.Index(field, value), Masked: mask(value)}, nil
}

// nextIDs takes n values of a registry sequence.
func nextIDs(ctx context.Context, tx *sqlx.Tx, seq string, n int) ([]int64, error) {
	if n == 0 {
		return nil, nil
	}
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `SELECT nextval($1::regclass) FROM generate_series(1, $2)`, seq, n); err != nil {
		return nil, fmt.Errorf("synthetic: take %d ids of %s: %w", n, seq, err)
	}
	return ids, nil
}

func pqStrings(s []string) any { return pq.StringArray(s) }

// orNull leaves an absent value NULL, as the registry stores it (COPY would write an empty
// bytea for a nil slice).
func orNull(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}
