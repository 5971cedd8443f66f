package casework

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"dibao/backend/internal/access"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/httpx"
)

// CheckRequest is POST /cases/:id/checks: one department's answer to the economic check
// (家庭经济状况核对: civil registry, vehicles, social insurance, business registration,
// real estate, bank deposits, housing fund, tax …).
type CheckRequest struct {
	Version     int         `json:"version"`
	Department  string      `json:"department"`
	Result      string      `json:"result"` // consistent, discrepancy, no_record
	Findings    string      `json:"findings"`
	CheckedOn   *civil.Date `json:"checked_on"`
	Attachments []int64     `json:"attachments"`
}

// CheckResults are the results a department may give.
var CheckResults = []string{"consistent", "discrepancy", "no_record"}

// RecordCheck records an economic check result in the current round.
func (s *Service) RecordCheck(ctx context.Context, p access.Principal, id int64, req CheckRequest, meta identity.Meta) (Detail, error) {
	return s.act(ctx, p, id, ActRecordCheck, req.Version, meta, func(w *work) (change, error) {
		c := w.f.c
		req.Department = strings.TrimSpace(req.Department)
		switch n := utf8.RuneCountInString(req.Department); {
		case n == 0:
			return change{}, required("department", "核对部门", "department")
		case n > 50:
			return change{}, invalid("department", "核对部门最多 50 个字", "department is at most 50 characters")
		}
		if !slices.Contains(CheckResults, req.Result) {
			return change{}, invalid("result", "核对结果须为 consistent（与申报一致）、discrepancy（与申报不符）或 no_record（无记录）",
				"result must be consistent, discrepancy or no_record")
		}
		if err := checkOpinion("findings", &req.Findings, req.Result == "discrepancy"); err != nil {
			return change{}, err
		}
		if err := pastDate("checked_on", "核对日期", "checked_on", req.CheckedOn, w.today); err != nil {
			return change{}, err
		}
		if err := checkAttachments(ctx, w.tx, c.CountyCode, c.HouseholdID, "attachments", req.Attachments); err != nil {
			return change{}, err
		}
		var checkID int64
		if err := w.tx.GetContext(ctx, &checkID, `INSERT INTO case_checks (county_code, case_id, division_code, round, department,
				result, findings, checked_on, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			c.CountyCode, c.ID, c.DivisionCode, c.Round, req.Department, req.Result, req.Findings, *req.CheckedOn,
			w.p.UserID, w.now); err != nil {
			return change{}, fmt.Errorf("casework: record check on case %d: %w", c.ID, err)
		}
		return change{opinion: req.Findings, attachments: req.Attachments,
			detail: map[string]any{"check_id": checkID, "department": req.Department, "result": req.Result}}, nil
	})
}

// VisitRequest is POST /cases/:id/visits (the township's home visit) and
// POST /cases/:id/county-visits (the county's own).
type VisitRequest struct {
	Version         int         `json:"version"`
	VisitedOn       *civil.Date `json:"visited_on"`
	InvestigatorIDs []int64     `json:"investigator_ids"`
	Findings        string      `json:"findings"`
	Attachments     []int64     `json:"attachments"`
}

// RecordVisit records the township's home visit (入户调查). It names at least two
// investigators, staff of the county who handle cases here; the one recording it signs by
// recording when named, the others sign for themselves (SignVisit).
func (s *Service) RecordVisit(ctx context.Context, p access.Principal, id int64, req VisitRequest, meta identity.Meta) (Detail, error) {
	return s.visit(ctx, p, id, ActRecordVisit, "home", req, meta)
}

// RecordCountyVisit records the county's own home visit: required before deciding a case
// of a registered relative, and the visit of a spot check. Its investigators are county
// staff.
func (s *Service) RecordCountyVisit(ctx context.Context, p access.Principal, id int64, req VisitRequest, meta identity.Meta) (Detail, error) {
	return s.visit(ctx, p, id, ActCountyVisit, "county", req, meta)
}

func (s *Service) visit(ctx context.Context, p access.Principal, id int64, a Action, kind string, req VisitRequest,
	meta identity.Meta) (Detail, error) {
	return s.act(ctx, p, id, a, req.Version, meta, func(w *work) (change, error) {
		c := w.f.c
		if err := s.ready(w, a); err != nil {
			return change{}, err
		}
		if err := pastDate("visited_on", "调查日期", "visited_on", req.VisitedOn, w.today); err != nil {
			return change{}, err
		}
		req.Findings = strings.TrimSpace(req.Findings)
		switch n := utf8.RuneCountInString(req.Findings); {
		case n == 0:
			return change{}, required("findings", "调查情况", "findings")
		case n > 4000:
			return change{}, invalid("findings", "调查情况最多 4000 个字", "findings is at most 4000 characters")
		}
		if len(req.InvestigatorIDs) < 2 || hasDuplicates(req.InvestigatorIDs) {
			return change{}, invalid("investigator_ids", "入户调查须有至少 2 名不同的调查人员",
				"A home visit needs at least 2 different investigators")
		}
		if len(req.InvestigatorIDs) > 10 {
			return change{}, invalid("investigator_ids", "调查人员最多 10 名", "At most 10 investigators")
		}
		cands, err := candidates(ctx, w.tx, c, kind)
		if err != nil {
			return change{}, err
		}
		names := map[int64]string{}
		for _, cd := range cands {
			names[cd.UserID] = cd.Name
		}
		for _, uid := range req.InvestigatorIDs {
			if _, ok := names[uid]; !ok {
				if kind == "county" {
					return change{}, invalid("investigator_ids", fmt.Sprintf("用户 %d 不是可参加县级核查的县民政局工作人员", uid),
						fmt.Sprintf("User %d is not county civil-affairs staff who may make the county's visit", uid))
				}
				return change{}, invalid("investigator_ids", fmt.Sprintf("用户 %d 不是负责本村案件的在岗工作人员", uid),
					fmt.Sprintf("User %d is not active staff handling cases of this village", uid))
			}
			if w.f.relatedTo(uid) {
				return change{}, invalid("investigator_ids", fmt.Sprintf("%s 须回避本案（近亲属备案），不能担任调查人员", names[uid]),
					fmt.Sprintf("%s must recuse from this case (registered relative) and cannot investigate it", names[uid]))
			}
		}
		if err := checkAttachments(ctx, w.tx, c.CountyCode, c.HouseholdID, "attachments", req.Attachments); err != nil {
			return change{}, err
		}
		var visitID int64
		if err := w.tx.GetContext(ctx, &visitID, `INSERT INTO case_visits (county_code, case_id, division_code, round, kind,
				visited_on, findings, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			c.CountyCode, c.ID, c.DivisionCode, c.Round, kind, *req.VisitedOn, req.Findings, w.p.UserID, w.now); err != nil {
			return change{}, fmt.Errorf("casework: record visit on case %d: %w", c.ID, err)
		}
		for _, uid := range req.InvestigatorIDs {
			var signed any
			if uid == w.p.UserID {
				signed = w.now
			}
			if _, err := w.tx.ExecContext(ctx, `INSERT INTO case_visit_investigators (county_code, visit_id, user_id,
					division_code, name, signed_at) VALUES ($1, $2, $3, $4, $5, $6)`,
				c.CountyCode, visitID, uid, c.DivisionCode, names[uid], signed); err != nil {
				return change{}, fmt.Errorf("casework: investigator %d of visit %d: %w", uid, visitID, err)
			}
		}
		return change{attachments: req.Attachments,
			detail: map[string]any{"visit_id": visitID, "kind": kind, "investigators": req.InvestigatorIDs}}, nil
	})
}

// SignRequest is POST /cases/:id/visits/:visit/sign.
type SignRequest struct {
	Version int `json:"version"`
}

// SignVisit is a named investigator signing a visit record for themselves.
func (s *Service) SignVisit(ctx context.Context, p access.Principal, id, visitID int64, req SignRequest, meta identity.Meta) (Detail, error) {
	return s.act(ctx, p, id, ActSignVisit, req.Version, meta, func(w *work) (change, error) {
		c := w.f.c
		var v *Visit
		for i := range w.f.visits {
			if w.f.visits[i].ID == visitID {
				v = &w.f.visits[i]
			}
		}
		if v == nil {
			return change{}, httpx.Msg(http.StatusNotFound, "visit_not_found", "本案没有这条调查记录", "This case has no such visit record")
		}
		var me *Investigator
		for i := range v.Investigators {
			if v.Investigators[i].UserID == w.p.UserID {
				me = &v.Investigators[i]
			}
		}
		switch {
		case me == nil:
			return change{}, httpx.Msg(http.StatusForbidden, "not_investigator", "您不是这次调查的调查人员，不能签字",
				"You are not an investigator of this visit and cannot sign it")
		case me.SignedAt != nil:
			return change{}, errIncomplete("already_signed", "您已在这次调查记录上签字", "You have already signed this visit record")
		}
		if _, err := w.tx.ExecContext(ctx, `UPDATE case_visit_investigators SET signed_at = $4
			WHERE county_code = $1 AND visit_id = $2 AND user_id = $3`, c.CountyCode, visitID, w.p.UserID, w.now); err != nil {
			return change{}, fmt.Errorf("casework: sign visit %d: %w", visitID, err)
		}
		return change{detail: map[string]any{"visit_id": visitID}}, nil
	})
}

// Candidate is a staff member who may be named as an investigator.
type Candidate struct {
	UserID       int64  `json:"user_id" db:"user_id"`
	Name         string `json:"name" db:"name"`
	RoleKey      string `json:"role_key" db:"role_key"`
	DivisionCode string `json:"division_code" db:"division_code"`
}

// investigatorRoles are the roles that handle cases (DESIGN.md 3.2: civil-affairs staff of
// county and township, village cadres).
var investigatorRoles = map[string][]string{
	"home":   {"township_caseworker", "township_leader", "village_worker"},
	"county": {"county_approver"},
}

// candidates lists active staff who may investigate case c on a visit of kind: for the
// township's visit, case handlers whose role covers the case's village; for the county's,
// county approving officers. One row per person (their first such role).
func candidates(ctx context.Context, tx *sqlx.Tx, c Case, kind string) ([]Candidate, error) {
	out := []Candidate{}
	err := tx.SelectContext(ctx, &out, `SELECT DISTINCT ON (u.id) u.id AS user_id, u.display_name AS name, r.role_key, r.division_code
		FROM users u JOIN user_roles r ON r.county_code = u.county_code AND r.user_id = u.id
		WHERE u.county_code = $1 AND u.status = 'active' AND r.role_key = ANY($2)
		  AND left($3, length(r.division_code)) = r.division_code
		ORDER BY u.id, length(r.division_code), r.role_key`, c.CountyCode, pq.Array(investigatorRoles[kind]), c.DivisionCode)
	if err != nil {
		return nil, fmt.Errorf("casework: investigators of case %d: %w", c.ID, err)
	}
	return out, nil
}

// Investigators lists who may be named on a visit of the case (kind home or county), for
// the visit dialog.
func (s *Service) Investigators(ctx context.Context, p access.Principal, id int64, kind string) ([]Candidate, error) {
	if kind == "" {
		kind = "home"
	}
	if _, ok := investigatorRoles[kind]; !ok {
		return nil, invalid("kind", "kind 须为 home（乡镇入户调查）或 county（县级核查）", "kind must be home or county")
	}
	var out []Candidate
	err := s.inCase(ctx, p, id, false, func(w *work) error {
		a := ActRecordVisit
		if kind == "county" {
			a = ActCountyVisit
		}
		if err := s.permit(ctx, w, a); err != nil {
			return err
		}
		var err error
		out, err = candidates(ctx, w.tx, w.f.c, kind)
		if err != nil {
			return err
		}
		kept := out[:0]
		for _, cd := range out {
			if !w.f.relatedTo(cd.UserID) {
				kept = append(kept, cd)
			}
		}
		out = kept
		return nil
	})
	return out, err
}

// pastDate requires a date that is not in the future.
func pastDate(field, zh, en string, d *civil.Date, today civil.Date) error {
	if d == nil {
		return required(field, zh, en)
	}
	if d.After(today) {
		return invalid(field, zh+"不能晚于今天", en+" cannot be in the future")
	}
	return nil
}
