package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"dibao/backend/internal/access"
	"dibao/backend/internal/benefit"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

// ProposalRequest is POST /cases/:id/proposal: the caseworker's proposal (审核意见) to
// approve, with the amount computed from the household and the county's standard, or to
// deny, with a reason.
type ProposalRequest struct {
	Version        int     `json:"version"`
	Recommendation string  `json:"recommendation"` // approve, deny
	Opinion        string  `json:"opinion"`
	Reason         string  `json:"reason"` // required to deny
	Attachments    []int64 `json:"attachments"`
}

// Propose records the township caseworker's proposal. To approve, the household must be
// eligible under the computation and, where it was evaluated this round, the panel must
// have passed it. A new proposal replaces one the leader has not signed yet.
func (s *Service) Propose(ctx context.Context, p access.Principal, id int64, req ProposalRequest, meta identity.Meta) (Detail, error) {
	return s.act(ctx, p, id, ActPropose, req.Version, meta, func(w *work) (change, error) {
		c := w.f.c
		if err := s.ready(w, ActPropose); err != nil {
			return change{}, err
		}
		if req.Recommendation != RecommendApprove && req.Recommendation != RecommendDeny {
			return change{}, invalid("recommendation", "审核意见须为 approve（拟批准）或 deny（拟不予批准）",
				"recommendation must be approve or deny")
		}
		if err := checkOpinion("opinion", &req.Opinion, false); err != nil {
			return change{}, err
		}
		if err := checkOpinion("reason", &req.Reason, req.Recommendation == RecommendDeny); err != nil {
			return change{}, err
		}
		if err := checkAttachments(ctx, w.tx, c.CountyCode, c.HouseholdID, "attachments", req.Attachments); err != nil {
			return change{}, err
		}
		// A proposal to deny keeps the computation's working when there is one; one to
		// approve cannot do without it.
		var res benefit.Result
		quoted := false
		if s.quoter == nil {
			if req.Recommendation == RecommendApprove {
				return change{}, errIncomplete("amount_unavailable", "保障金额计算服务尚未接入，暂不能提出拟批准意见",
					"The amount computation is not available yet, so no proposal to approve can be made")
			}
		} else {
			var err error
			res, err = s.quoter.Quote(ctx, w.tx, c.CountyCode, c.HouseholdID, w.today)
			switch {
			case err == nil:
				quoted = true
			case req.Recommendation == RecommendApprove || !isClientError(err):
				return change{}, err
			}
		}
		if req.Recommendation == RecommendApprove {
			if e := w.f.evaluation(); e != nil && !e.Passed {
				return change{}, errIncomplete("evaluation_failed", "民主评议未获通过，只能提出不予批准的意见",
					"The democratic evaluation did not pass: the proposal can only be to deny")
			}
			if !res.Eligible {
				return change{}, errIncomplete("not_eligible", "按核算结果该户不符合低保条件（"+reasonZH(res.Reason)+"），只能提出不予批准的意见",
					"By the computation the household is not eligible ("+res.Reason+"): the proposal can only be to deny")
			}
		}
		var working []byte
		size, income, perCapita := any(nil), any(nil), any(nil)
		if quoted {
			var err error
			if working, err = json.Marshal(res); err != nil {
				return change{}, fmt.Errorf("casework: encode working of case %d: %w", c.ID, err)
			}
			size, income, perCapita = res.HouseholdSize, res.HouseholdIncomeFen, res.PerCapitaIncomeFen
		}
		var amount any
		if req.Recommendation == RecommendApprove {
			amount = res.AmountFen
		}
		if _, err := w.tx.ExecContext(ctx, `UPDATE cases SET recommendation = $3, proposal = $4, proposed_amount_fen = $5,
				proposal_reason = NULLIF($6, ''), proposed_by = $7, proposed_at = $8, signed_off_by = NULL, signed_off_at = NULL,
				household_size = $9, household_income_fen = $10, per_capita_income_fen = $11
			WHERE county_code = $1 AND id = $2`, c.CountyCode, c.ID, req.Recommendation, db.JSONB(working), amount, req.Reason,
			w.p.UserID, w.now, size, income, perCapita); err != nil {
			return change{}, fmt.Errorf("casework: propose on case %d: %w", c.ID, err)
		}
		opinion := req.Opinion
		if req.Recommendation == RecommendDeny {
			opinion = joinOpinion(req.Opinion, req.Reason)
		}
		return change{opinion: opinion, attachments: req.Attachments, detail: map[string]any{
			"recommendation": req.Recommendation, "amount_fen": amount, "per_capita_income_fen": perCapita}}, nil
	})
}

// isClientError reports whether err is one the caller should see (4xx), such as a county
// without a standard in force.
func isClientError(err error) bool {
	var he *httpx.Error
	return errors.As(err, &he) && he.Status < 500
}

func joinOpinion(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	out := a + "\n" + b
	if r := []rune(out); len(r) > 2000 {
		out = string(r[:2000])
	}
	return out
}

// reasonZH renders a benefit.Result reason in Chinese.
func reasonZH(r string) string {
	switch r {
	case benefit.ReasonAboveStandard:
		return "家庭人均收入不低于保障标准"
	case benefit.ReasonNobodyCovered:
		return "没有可保障的家庭成员"
	case benefit.ReasonEmptyHousehold:
		return "户内没有家庭成员"
	}
	return r
}
