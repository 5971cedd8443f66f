package casework

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"dibao/backend/internal/access"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/civil"
)

// EvaluationRequest is POST /cases/:id/evaluations: a democratic evaluation (民主评议)
// with its panel, the count of its secret ballot and its minutes.
type EvaluationRequest struct {
	Version      int           `json:"version"`
	HeldOn       *civil.Date   `json:"held_on"`
	Members      []PanelMember `json:"members"`
	VotesFor     int           `json:"votes_for"`
	VotesAgainst int           `json:"votes_against"`
	VotesAbstain int           `json:"votes_abstain"`
	Minutes      string        `json:"minutes"`
	Attachments  []int64       `json:"attachments"`
}

// PanelKinds are the kinds of panel member.
var PanelKinds = []string{"villager_representative", "cadre", "party_member", "other"}

// CheckPanel applies the composition rules of DESIGN.md 3.2 to a panel and its votes: an
// odd number of members (at least 3), villager representatives at least a third, cadres
// at most a third, votes adding up to the members. It is what the SPA's live check
// mirrors.
func CheckPanel(members []PanelMember, votesFor, votesAgainst, votesAbstain int) error {
	n := len(members)
	if n > 99 {
		return invalid("members", "评议小组最多 99 人", "The panel has at most 99 members")
	}
	seen := map[string]bool{}
	reps, cadres := 0, 0
	for i := range members {
		m := &members[i]
		m.Name = strings.TrimSpace(m.Name)
		field := fmt.Sprintf("members[%d]", i)
		switch l := utf8.RuneCountInString(m.Name); {
		case l == 0:
			return invalid(field+".name", fmt.Sprintf("第 %d 名评议成员的姓名不能为空", i+1), fmt.Sprintf("Member %d has no name", i+1))
		case l > 50:
			return invalid(field+".name", "评议成员姓名最多 50 个字", "A member's name is at most 50 characters")
		}
		if seen[m.Name] {
			return invalid(field+".name", fmt.Sprintf("评议成员「%s」重复列出", m.Name), fmt.Sprintf("%s is listed twice", m.Name))
		}
		seen[m.Name] = true
		switch m.Kind {
		case "villager_representative":
			reps++
		case "cadre":
			cadres++
		case "party_member", "other":
		default:
			return invalid(field+".kind", "成员类别须为 villager_representative（村民代表）、cadre（村干部）、party_member（党员）或 other（其他）",
				"kind must be villager_representative, cadre, party_member or other")
		}
	}
	switch {
	case n < 3 || n%2 == 0:
		return invalid("members", fmt.Sprintf("评议小组人数须为不少于 3 的奇数，现为 %d 人", n),
			fmt.Sprintf("The panel needs an odd number of members, at least 3; it has %d", n))
	case reps*3 < n:
		return invalid("members", fmt.Sprintf("村民代表须不少于评议小组的三分之一（%d 人中现有 %d 名）", n, reps),
			fmt.Sprintf("Villager representatives must be at least a third of the panel (%d of %d)", reps, n))
	case cadres*3 > n:
		return invalid("members", fmt.Sprintf("村干部不得超过评议小组的三分之一（%d 人中现有 %d 名）", n, cadres),
			fmt.Sprintf("Cadres may be at most a third of the panel (%d of %d)", cadres, n))
	case votesFor < 0 || votesAgainst < 0 || votesAbstain < 0:
		return invalid("votes_for", "票数不能为负数", "Votes cannot be negative")
	case votesFor+votesAgainst+votesAbstain != n:
		return invalid("votes_for", fmt.Sprintf("赞成、反对、弃权票之和（%d）须等于评议小组人数（%d）", votesFor+votesAgainst+votesAbstain, n),
			fmt.Sprintf("For, against and abstentions (%d) must add up to the panel's members (%d)", votesFor+votesAgainst+votesAbstain, n))
	}
	return nil
}

// RecordEvaluation records the round's democratic evaluation. A majority of the panel's
// members voting for passes.
func (s *Service) RecordEvaluation(ctx context.Context, p access.Principal, id int64, req EvaluationRequest, meta identity.Meta) (Detail, error) {
	return s.act(ctx, p, id, ActRecordEvaluation, req.Version, meta, func(w *work) (change, error) {
		c := w.f.c
		if err := s.ready(w, ActRecordEvaluation); err != nil {
			return change{}, err
		}
		if err := pastDate("held_on", "评议日期", "held_on", req.HeldOn, w.today); err != nil {
			return change{}, err
		}
		if err := CheckPanel(req.Members, req.VotesFor, req.VotesAgainst, req.VotesAbstain); err != nil {
			return change{}, err
		}
		req.Minutes = strings.TrimSpace(req.Minutes)
		switch n := utf8.RuneCountInString(req.Minutes); {
		case n == 0:
			return change{}, required("minutes", "评议记录", "minutes")
		case n > 8000:
			return change{}, invalid("minutes", "评议记录最多 8000 个字", "minutes is at most 8000 characters")
		}
		if err := checkAttachments(ctx, w.tx, c.CountyCode, c.HouseholdID, "attachments", req.Attachments); err != nil {
			return change{}, err
		}
		n := len(req.Members)
		passed := req.VotesFor*2 > n
		var evalID int64
		if err := w.tx.GetContext(ctx, &evalID, `INSERT INTO case_evaluations (county_code, case_id, division_code, round,
				held_on, panel_size, votes_for, votes_against, votes_abstain, passed, minutes, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			c.CountyCode, c.ID, c.DivisionCode, c.Round, *req.HeldOn, n, req.VotesFor, req.VotesAgainst, req.VotesAbstain,
			passed, req.Minutes, w.p.UserID, w.now); err != nil {
			return change{}, fmt.Errorf("casework: record evaluation on case %d: %w", c.ID, err)
		}
		for i, m := range req.Members {
			if _, err := w.tx.ExecContext(ctx, `INSERT INTO case_evaluation_members (county_code, evaluation_id, seq,
					division_code, name, kind) VALUES ($1, $2, $3, $4, $5, $6)`,
				c.CountyCode, evalID, i+1, c.DivisionCode, m.Name, m.Kind); err != nil {
				return change{}, fmt.Errorf("casework: panel member of evaluation %d: %w", evalID, err)
			}
		}
		return change{attachments: req.Attachments, detail: map[string]any{"evaluation_id": evalID,
			"panel_size": n, "votes_for": req.VotesFor, "votes_against": req.VotesAgainst, "votes_abstain": req.VotesAbstain,
			"passed": passed}}, nil
	})
}
