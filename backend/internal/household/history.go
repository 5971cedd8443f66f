package household

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/audit"
	"dibao/backend/internal/platform/db"
)

// HistoryEntry is one change to a household: who, when, and the fields that changed.
// Keys of Before and After are field paths such as "phone" or "members[12].name" (12 is the
// member's id); Labels says what such a prefix stood for ({"members[12]": {"name": "张三"}}).
// Sensitive values are masked.
type HistoryEntry struct {
	ID            int64                        `json:"id" db:"id"`
	At            time.Time                    `json:"at" db:"at"`
	Action        string                       `json:"action" db:"action"` // create, update, attachment_add, attachment_delete, import
	ActorUsername string                       `json:"actor_username" db:"actor_username"`
	ActorName     string                       `json:"actor_name" db:"actor_name"`
	Version       int                          `json:"version" db:"version"`
	Before        map[string]any               `json:"before"`
	After         map[string]any               `json:"after"`
	Labels        map[string]map[string]string `json:"labels"`
}

// HistoryPage is one page of a household's history, newest first.
type HistoryPage struct {
	Items      []HistoryEntry `json:"items"`
	NextCursor string         `json:"next_cursor,omitempty"`
}

// flatten turns a household into the flat, masked field map its history compares.
func flatten(h Household) (map[string]any, map[string]map[string]string) {
	f := map[string]any{
		"division_code": h.DivisionCode, "category": h.Category, "head_name": h.HeadName, "address": h.Address,
		"hukou_place": h.HukouPlace, "phone": h.PhoneMasked, "bank_name": h.BankName, "bank_holder": h.BankHolder,
		"bank_account": h.BankAccountMasked,
	}
	labels := map[string]map[string]string{}
	names := map[int64]string{}
	for _, m := range h.Members {
		k := fmt.Sprintf("members[%d]", m.ID)
		names[m.ID] = m.Name
		labels[k] = map[string]string{"name": m.Name}
		for name, v := range map[string]any{
			"name": m.Name, "id_number": m.IDNumberMasked, "sex": m.Sex, "birth_date": m.BirthDate.String(),
			"relation": m.Relation, "identity_category": m.IdentityCategory, "disability_grade": m.DisabilityGrade,
			"disability_type": m.DisabilityType, "chronic_illness": m.ChronicIllness, "serious_illness": m.SeriousIllness,
			"labour_capacity": m.LabourCapacity, "employment": m.Employment, "school": m.School, "covered": m.Covered,
		} {
			f[k+"."+name] = v
		}
	}
	for _, in := range h.Incomes {
		k := fmt.Sprintf("incomes[%d]", in.ID)
		member := ""
		if in.MemberID != nil {
			member = names[*in.MemberID]
		}
		labels[k] = map[string]string{"kind": in.Kind, "source": in.Source, "member": member}
		for name, v := range map[string]any{"member": member, "kind": in.Kind, "source": in.Source,
			"monthly_fen": in.MonthlyFen, "counted": in.Counted} {
			f[k+"."+name] = v
		}
	}
	for _, a := range h.Assets {
		k := fmt.Sprintf("assets[%d]", a.ID)
		labels[k] = map[string]string{"kind": a.Kind, "description": a.Description}
		for name, v := range map[string]any{"kind": a.Kind, "description": a.Description, "value_fen": a.ValueFen} {
			f[k+"."+name] = v
		}
	}
	return f, labels
}

// change describes the difference between two states of a household (before is nil for a
// creation) for its history and the audit log. Values are masked already (the registry
// never holds the clear ones); audit.Changes masks the top-level ones again to be sure.
func change(before *Household, after Household) (map[string]any, map[string]map[string]string) {
	fa, la := flatten(after)
	var d map[string]any
	if before == nil {
		d = audit.Changes(nil, fa, "phone:phone", "bank_account:account")
	} else {
		fb, lb := flatten(*before)
		for k, v := range lb {
			if _, ok := la[k]; !ok {
				la[k] = v
			}
		}
		d = audit.Changes(fb, fa, "phone:phone", "bank_account:account")
	}
	// Keep only the labels of the prefixes that changed.
	used := map[string]map[string]string{}
	for _, side := range []string{"before", "after"} {
		m, _ := d[side].(map[string]any)
		for k := range m {
			for p, l := range la {
				if len(k) > len(p) && k[:len(p)] == p && k[len(p)] == '.' {
					used[p] = l
				}
			}
		}
	}
	return d, used
}

// historyRecord is one row of household_history to write.
type historyRecord struct {
	County, Division string
	HouseholdID      int64
	Action           string
	ActorID          int64
	ActorUsername    string
	ActorName        string
	Version          int
	Diff             map[string]any
	Labels           map[string]map[string]string
	RequestID        string
}

func writeHistory(ctx context.Context, tx *sqlx.Tx, r historyRecord) error {
	var before, after []byte
	var err error
	if b, ok := r.Diff["before"]; ok {
		if before, err = json.Marshal(b); err != nil {
			return fmt.Errorf("household: encode history: %w", err)
		}
	}
	if a, ok := r.Diff["after"]; ok {
		if after, err = json.Marshal(a); err != nil {
			return fmt.Errorf("household: encode history: %w", err)
		}
	}
	if r.Labels == nil {
		r.Labels = map[string]map[string]string{}
	}
	labels, err := json.Marshal(r.Labels)
	if err != nil {
		return fmt.Errorf("household: encode history labels: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO household_history (county_code, household_id, division_code, action,
		actor_id, actor_username, actor_name, version, before, after, labels, request_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		r.County, r.HouseholdID, r.Division, r.Action, nullID(r.ActorID), r.ActorUsername, r.ActorName, r.Version,
		db.JSONB(before), db.JSONB(after), db.JSONB(labels), r.RequestID)
	if err != nil {
		return fmt.Errorf("household: write history of %s/%d: %w", r.County, r.HouseholdID, err)
	}
	return nil
}

func listHistory(ctx context.Context, tx *sqlx.Tx, county string, householdID, before int64, limit int) ([]HistoryEntry, error) {
	var rows []struct {
		HistoryEntry
		BeforeRaw []byte `db:"before"`
		AfterRaw  []byte `db:"after"`
		LabelsRaw []byte `db:"labels"`
	}
	q := `SELECT id, at, action, actor_username, actor_name, version, before, after, labels FROM household_history
		WHERE county_code = $1 AND household_id = $2`
	args := []any{county, householdID}
	if before > 0 {
		q += ` AND id < $3`
		args = append(args, before)
	}
	q += ` ORDER BY id DESC LIMIT ` + strconv.Itoa(limit)
	if err := tx.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("household: history of %s/%d: %w", county, householdID, err)
	}
	out := make([]HistoryEntry, 0, len(rows))
	for _, r := range rows {
		e := r.HistoryEntry
		for _, x := range []struct {
			raw []byte
			dst any
		}{{r.BeforeRaw, &e.Before}, {r.AfterRaw, &e.After}, {r.LabelsRaw, &e.Labels}} {
			if len(x.raw) > 0 {
				if err := json.Unmarshal(x.raw, x.dst); err != nil {
					return nil, fmt.Errorf("household: decode history %d: %w", r.ID, err)
				}
			}
		}
		out = append(out, e)
	}
	return out, nil
}
