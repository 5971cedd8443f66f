package enrolment

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"dibao/backend/internal/benefit"
)

// Recomputed counts what a new standard did to the county's active beneficiaries of its
// category.
type Recomputed struct {
	Recomputed  int `json:"recomputed"`   // active beneficiaries computed again
	Changed     int `json:"changed"`      // whose amount changed (one amount_changes row each)
	NotEligible int `json:"not_eligible"` // no longer eligible under it: amount kept, to be re-checked
}

// recomputeBatch bounds the arrays sent in one statement.
const recomputeBatch = 5000

type recomputeRow struct {
	ID         int64           `db:"id"`
	Division   string          `db:"division_code"`
	AmountFen  int64           `db:"amount_fen"`
	StartMonth Month           `db:"start_month"`
	Household  json.RawMessage `db:"household"`
	Members    json.RawMessage `db:"members"`
}

// recompute computes every active beneficiary of the standard's county and category again
// under it, from its effective month (or the beneficiary's start month, if later), in the
// caller's transaction (county scope, standards locked). The household is the one of the
// beneficiary's latest computation: a standard change changes the standard, nothing else;
// what changed in the household is the re-check's to decide. Each beneficiary gets a
// computation record; those whose amount changes get an amount_changes row and their new
// amount. One no longer eligible keeps its amount and is counted, for a re-check.
func recompute(ctx context.Context, tx *sqlx.Tx, std Standard, settings Settings, actorID int64) (Recomputed, error) {
	var rows []recomputeRow
	err := tx.SelectContext(ctx, &rows, `SELECT b.id, b.division_code, b.amount_fen, b.start_month, c.household, c.members
		FROM beneficiaries b
		CROSS JOIN LATERAL (SELECT household, members FROM amount_computations c
			WHERE c.county_code = b.county_code AND c.beneficiary_id = b.id ORDER BY c.id DESC LIMIT 1) c
		WHERE b.county_code = $1 AND b.category = $2 AND b.status = 'active'
		ORDER BY b.id
		FOR UPDATE OF b`, std.CountyCode, std.Category)
	if err != nil {
		return Recomputed{}, fmt.Errorf("enrolment: load beneficiaries of %s/%s to recompute: %w", std.CountyCode, std.Category, err)
	}
	rules := settings.Rules(std.MonthlyFen)
	rulesJSON, err := json.Marshal(rules)
	if err != nil {
		return Recomputed{}, fmt.Errorf("enrolment: encode rules: %w", err)
	}
	var out Recomputed
	for start := 0; start < len(rows); start += recomputeBatch {
		batch := rows[start:min(start+recomputeBatch, len(rows))]
		n, err := recomputeRows(ctx, tx, std, rules, rulesJSON, batch, actorID)
		if err != nil {
			return Recomputed{}, err
		}
		out.Recomputed += n.Recomputed
		out.Changed += n.Changed
		out.NotEligible += n.NotEligible
	}
	return out, nil
}

func recomputeRows(ctx context.Context, tx *sqlx.Tx, std Standard, rules benefit.Rules, rulesJSON []byte,
	rows []recomputeRow, actorID int64) (Recomputed, error) {
	var (
		ids, amounts                 []int64
		divisions, months            []string
		households, members, results []string
		after                        = map[int64]int64{}
		eligible                     = map[int64]bool{}
	)
	for _, r := range rows {
		var hh benefit.Household
		if err := json.Unmarshal(r.Household, &hh); err != nil {
			return Recomputed{}, fmt.Errorf("enrolment: read the household of beneficiary %d: %w", r.ID, err)
		}
		res, err := benefit.Compute(hh, rules)
		if err != nil {
			return Recomputed{}, fmt.Errorf("enrolment: recompute beneficiary %d: %w", r.ID, err)
		}
		resJSON, err := json.Marshal(res)
		if err != nil {
			return Recomputed{}, fmt.Errorf("enrolment: encode result of beneficiary %d: %w", r.ID, err)
		}
		effective := std.EffectiveMonth
		if r.StartMonth.After(effective) {
			effective = r.StartMonth
		}
		ids, divisions, months = append(ids, r.ID), append(divisions, r.Division), append(months, effective.First().String())
		households, members, results = append(households, string(r.Household)), append(members, string(r.Members)), append(results, string(resJSON))
		amounts = append(amounts, res.AmountFen)
		after[r.ID], eligible[r.ID] = res.AmountFen, res.Eligible
	}
	out := Recomputed{Recomputed: len(rows)}
	if len(rows) == 0 {
		return out, nil
	}
	var computed []struct {
		ID          int64 `db:"id"`
		Beneficiary int64 `db:"beneficiary_id"`
	}
	if err := tx.SelectContext(ctx, &computed, `INSERT INTO amount_computations (county_code, beneficiary_id, division_code,
		reason, computed_on, effective_month, standard_id, household, members, rules, result, amount_fen, created_by)
		SELECT $1, u.bid, u.div, 'standard_change', u.eff, u.eff, $2, u.hh::jsonb, u.mem::jsonb, $3::jsonb, u.res::jsonb, u.amt, $4
		FROM unnest($5::bigint[], $6::text[], $7::date[], $8::text[], $9::text[], $10::text[], $11::bigint[])
			AS u(bid, div, eff, hh, mem, res, amt)
		RETURNING id, beneficiary_id`,
		std.CountyCode, std.ID, string(rulesJSON), nullID(actorID), pq.Array(ids), pq.Array(divisions), pq.Array(months),
		pq.Array(households), pq.Array(members), pq.Array(results), pq.Array(amounts)); err != nil {
		return Recomputed{}, fmt.Errorf("enrolment: record recomputations under standard %d: %w", std.ID, err)
	}
	computation := map[int64]int64{}
	for _, c := range computed {
		computation[c.Beneficiary] = c.ID
	}
	var chIDs, chBefore, chAfter, chComp []int64
	var chDiv, chMonth []string
	for i, r := range rows {
		if !eligible[r.ID] {
			out.NotEligible++
			continue
		}
		if after[r.ID] == r.AmountFen {
			continue
		}
		chIDs, chBefore, chAfter, chComp = append(chIDs, r.ID), append(chBefore, r.AmountFen), append(chAfter, after[r.ID]),
			append(chComp, computation[r.ID])
		chDiv, chMonth = append(chDiv, r.Division), append(chMonth, months[i])
	}
	out.Changed = len(chIDs)
	if out.Changed == 0 {
		return out, nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO amount_changes (county_code, beneficiary_id, division_code, reason,
		effective_month, before_fen, after_fen, computation_id, standard_id, created_by)
		SELECT $1, u.bid, u.div, 'standard_change', u.eff, u.before, u.after, u.cid, $2, $3
		FROM unnest($4::bigint[], $5::text[], $6::date[], $7::bigint[], $8::bigint[], $9::bigint[])
			AS u(bid, div, eff, before, after, cid)`,
		std.CountyCode, std.ID, nullID(actorID), pq.Array(chIDs), pq.Array(chDiv), pq.Array(chMonth),
		pq.Array(chBefore), pq.Array(chAfter), pq.Array(chComp)); err != nil {
		return Recomputed{}, fmt.Errorf("enrolment: record amount changes under standard %d: %w", std.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE beneficiaries b SET amount_fen = u.after, amount_from = u.eff,
		version = b.version + 1, updated_at = now()
		FROM unnest($2::bigint[], $3::bigint[], $4::date[]) AS u(bid, after, eff)
		WHERE b.county_code = $1 AND b.id = u.bid`,
		std.CountyCode, pq.Array(chIDs), pq.Array(chAfter), pq.Array(chMonth)); err != nil {
		return Recomputed{}, fmt.Errorf("enrolment: store new amounts under standard %d: %w", std.ID, err)
	}
	return out, nil
}
