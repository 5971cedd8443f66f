package casework

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/household"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
	"dibao/backend/internal/platform/secure"
)

// The relatives register (近亲属备案): staff who handle cases register their close
// relatives. A case whose household has one as a member is flagged; the staff member is
// refused every action on it, and the county must visit before it is decided. Each staff
// member sees and manages only their own entries.

// Relations a register entry may name (近亲属: spouse, parents, children, siblings,
// grandparents, grandchildren, and close in-laws).
var Relations = []string{"spouse", "parent", "child", "sibling", "grandparent", "grandchild", "parent_in_law",
	"child_in_law", "sibling_in_law", "other"}

// Relative is one entry of the caller's register; the ID number only masked.
type Relative struct {
	ID             int64     `json:"id" db:"id"`
	Name           string    `json:"name" db:"name"`
	Relation       string    `json:"relation" db:"relation"`
	IDNumberMasked string    `json:"id_number_masked" db:"id_number_masked"`
	CreatedAt      time.Time `json:"created_at" db:"created_at"`
}

// RelativeRequest is POST /relatives.
type RelativeRequest struct {
	Name     string `json:"name"`
	Relation string `json:"relation"`
	IDNumber string `json:"id_number"`
}

// relativesScope is the caller's own division: where their entries live.
func (s *Service) relativesScope(ctx context.Context, p access.Principal) (db.Scope, error) {
	div, ok := access.WorkingDivision(p, "")
	if !ok || p.CountyCode == access.PlatformDomain || p.DivisionCode == "" || access.CountyOf(p.DivisionCode) != p.CountyCode {
		return db.Scope{}, httpx.ErrForbidden
	}
	if err := s.guard.Require(ctx, p, div, "relative", fmt.Sprint(p.UserID), "register"); err != nil {
		return db.Scope{}, err
	}
	return db.Scope{County: p.CountyCode, Division: p.DivisionCode}, nil
}

// Relatives lists the caller's register.
func (s *Service) Relatives(ctx context.Context, p access.Principal) ([]Relative, error) {
	scope, err := s.relativesScope(ctx, p)
	if err != nil {
		return nil, err
	}
	out := []Relative{}
	err = db.WithScope(ctx, s.db, scope, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &out, `SELECT id, name, relation, id_number_masked, created_at FROM staff_relatives
			WHERE county_code = $1 AND user_id = $2 AND removed_at IS NULL ORDER BY id`, p.CountyCode, p.UserID)
	})
	if err != nil {
		return nil, fmt.Errorf("casework: relatives of user %d: %w", p.UserID, err)
	}
	return out, nil
}

// AddRelative registers a close relative of the caller, and flags the county's open cases
// whose household has them as a member.
func (s *Service) AddRelative(ctx context.Context, p access.Principal, req RelativeRequest, meta identity.Meta) (Relative, error) {
	scope, err := s.relativesScope(ctx, p)
	if err != nil {
		return Relative{}, err
	}
	req.Name = strings.TrimSpace(req.Name)
	switch n := utf8.RuneCountInString(req.Name); {
	case n == 0:
		return Relative{}, required("name", "亲属姓名", "name")
	case n > 50:
		return Relative{}, invalid("name", "亲属姓名最多 50 个字", "name is at most 50 characters")
	}
	if !slices.Contains(Relations, req.Relation) {
		return Relative{}, invalid("relation", "亲属关系须为 "+strings.Join(Relations, "、")+" 之一",
			"relation must be one of "+strings.Join(Relations, ", "))
	}
	number := household.NormalizeIDNumber(req.IDNumber)
	if number == "" {
		return Relative{}, required("id_number", "身份证号", "id_number")
	}
	if _, err := household.ParseIDNumber(number, s.now()); err != nil {
		return Relative{}, invalid("id_number", "身份证号无效（位数、出生日期、地址码或校验位不正确），请核对", err.Error())
	}
	enc, err := s.box.Seal(relativeIDField, number)
	if err != nil {
		return Relative{}, err
	}
	index := s.box.Index(household.IDNumberField, number)
	var out Relative
	err = db.WithScope(ctx, s.db, scope, func(tx *sqlx.Tx) error {
		now := s.now()
		err := tx.GetContext(ctx, &out, `INSERT INTO staff_relatives (county_code, user_id, division_code, name, relation,
				id_number_enc, id_number_index, id_number_masked, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id, name, relation, id_number_masked, created_at`,
			p.CountyCode, p.UserID, p.DivisionCode, req.Name, req.Relation, enc, index, secure.MaskIDNumber(number), now)
		if isUniqueViolation(err, "staff_relatives_once") {
			return httpx.Msg(http.StatusConflict, "relative_exists", "您已登记过这位亲属", "You have already registered this relative")
		}
		if err != nil {
			return fmt.Errorf("casework: register relative of user %d: %w", p.UserID, err)
		}
		// The cases to flag may lie anywhere in the county, beyond the registrant's own
		// area: the flag is the system's work, done in the county's scope.
		if err := db.SetScope(ctx, tx, db.CountyScope(p.CountyCode)); err != nil {
			return err
		}
		var flagged []int64
		if err := tx.SelectContext(ctx, &flagged, `UPDATE cases SET relative_flag = true
			WHERE county_code = $1 AND closed_at IS NULL AND NOT relative_flag AND household_id IN
				(SELECT household_id FROM household_members WHERE county_code = $1 AND id_number_index = $2)
			RETURNING id`, p.CountyCode, index); err != nil {
			return fmt.Errorf("casework: flag cases of a relative: %w", err)
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: p.UserID, ActorName: p.Username, CountyCode: p.CountyCode,
			DivisionCode: p.DivisionCode, Action: "relative.register", ObjectType: "staff_relative", ObjectID: fmt.Sprint(out.ID),
			Outcome: audit.Success, RequestID: meta.RequestID, ClientIP: meta.ClientIP,
			Detail: map[string]any{"name": req.Name, "relation": req.Relation, "id_number": secure.MaskIDNumber(number),
				"cases_flagged": len(flagged)}})
	})
	return out, err
}

// relativeIDField binds the register's ciphertext to its column; the blind index uses the
// registry's field so it meets household members' indexes.
const relativeIDField = "staff_relative.id_number"

// RemoveRelative takes an entry off the caller's register (the row stays, marked removed).
// Flags already set on cases stay: they record that a relative was involved.
func (s *Service) RemoveRelative(ctx context.Context, p access.Principal, id int64, meta identity.Meta) error {
	scope, err := s.relativesScope(ctx, p)
	if err != nil {
		return err
	}
	return db.WithScope(ctx, s.db, scope, func(tx *sqlx.Tx) error {
		var r Relative
		err := tx.GetContext(ctx, &r, `UPDATE staff_relatives SET removed_at = $4
			WHERE county_code = $1 AND id = $2 AND user_id = $3 AND removed_at IS NULL
			RETURNING id, name, relation, id_number_masked, created_at`, p.CountyCode, id, p.UserID, s.now())
		if db.IsNotFound(err) {
			return httpx.Msg(http.StatusNotFound, "relative_not_found", "没有这条近亲属登记", "No such entry in your relatives register")
		}
		if err != nil {
			return fmt.Errorf("casework: remove relative %d: %w", id, err)
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: p.UserID, ActorName: p.Username, CountyCode: p.CountyCode,
			DivisionCode: p.DivisionCode, Action: "relative.remove", ObjectType: "staff_relative", ObjectID: fmt.Sprint(id),
			Outcome: audit.Success, RequestID: meta.RequestID, ClientIP: meta.ClientIP,
			Detail: map[string]any{"name": r.Name, "relation": r.Relation, "id_number": r.IDNumberMasked}})
	})
}
