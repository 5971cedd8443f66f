package casework

import (
	"context"
	"fmt"
	"net/http"

	"dibao/backend/internal/platform/httpx"
)

// ready checks what an action needs besides the state and the role: the steps before it
// done, the notice run, the county's visit made. The use cases call it before they act,
// and allowed_actions offers only actions it lets through, so the buttons a user sees are
// exactly what the server will accept.
func (s *Service) ready(w *work, a Action) error {
	f, c := w.f, w.f.c
	switch a {
	case ActSignVisit:
		if len(f.unsignedVisits(w.p.UserID)) == 0 {
			return errIncomplete("nothing_to_sign", "您不在待签字的调查人员之列", "You are not an investigator with a signature pending on this case")
		}
	case ActReferEvaluation:
		if !c.EvaluationRequired {
			return errIncomplete("evaluation_not_required", "本县政策未要求本案进行民主评议，且公示未收到异议",
				"Neither the county's policy nor an objection requires a democratic evaluation of this case")
		}
		return investigationDone(f)
	case ActRecordEvaluation:
		if f.evaluation() != nil {
			return errIncomplete("evaluation_recorded", "本轮民主评议结果已登记", "This round's evaluation is already recorded")
		}
	case ActPropose:
		if err := investigationDone(f); err != nil {
			return err
		}
		if c.State == Investigating && c.EvaluationRequired {
			return errIncomplete("evaluation_required", "本案须先进行民主评议，再提出审核意见",
				"This case must go to democratic evaluation before the township's proposal")
		}
		if c.State == Evaluating && f.evaluation() == nil {
			return errIncomplete("evaluation_missing", "请先登记本轮民主评议结果", "Record this round's evaluation first")
		}
	case ActSignOff, ActReturnReview:
		if c.Recommendation == nil {
			return errIncomplete("proposal_missing", "乡镇民政专职工作人员尚未提出审核意见", "The caseworker has not made a proposal yet")
		}
	case ActPostNotice:
		if c.Recommendation == nil || *c.Recommendation != RecommendApprove {
			return errIncomplete("notice_not_needed", "审核意见为不予批准，无需公示，请报审批",
				"The proposal is to deny: no notice is posted; the case goes to the decision")
		}
	case ActRecordObjection:
		if f.openNotice() == nil {
			return errIncomplete("notice_missing", "本案没有正在进行的公示", "This case has no notice running")
		}
	case ActApprove, ActDeny:
		if c.State == TownshipReviewed && (c.Recommendation == nil || *c.Recommendation != RecommendDeny) {
			return errIncomplete("notice_required", "审核意见为拟批准，须先公示再审批",
				"The proposal is to approve: it must be on public notice before the decision")
		}
		if n := f.openNotice(); c.State == Noticed && n != nil && !w.today.After(n.EndsOn) {
			return errIncomplete("notice_running", fmt.Sprintf("公示期至 %s 结束，期满后方可审批", n.EndsOn),
				fmt.Sprintf("The notice runs until %s; decide after it ends", n.EndsOn))
		}
		if w.flagged && !f.countyVisitDone() {
			return errIncomplete("county_visit_required", "本案家庭成员为工作人员登记的近亲属，须由县级入户核查并签字后方可审批",
				"A member of this household is a registered relative of staff: the county must record its own home visit before deciding")
		}
		if f.investigated(w.p.UserID) {
			return httpx.Msg(http.StatusForbidden, "decider_investigated", "您参与了本案的入户调查，不能同时作出审批决定",
				"You investigated this case, so you may not also decide it")
		}
	case ActExtendDeadline:
		if c.ExtensionReason != nil {
			return errIncomplete("already_extended", "办理期限只能延长一次，本案已延长过", "The deadline may be extended once, and this case's already was")
		}
		if c.DueOn != nil && w.today.After(*c.DueOn) {
			return errIncomplete("deadline_passed", fmt.Sprintf("办理期限已于 %s 届满，不能再延长", *c.DueOn),
				fmt.Sprintf("The deadline passed on %s and can no longer be extended", *c.DueOn))
		}
	case ActCountyVisit:
		if !w.flagged && c.SpotCheckID == nil {
			return errIncomplete("county_visit_not_needed", "只有近亲属备案案件和抽查案件由县级入户核查",
				"The county visits cases of registered relatives and spot-checked cases only")
		}
	}
	return nil
}

// investigationDone: this round has an economic check result and a home visit signed by
// at least two investigators.
func investigationDone(f *caseFile) error {
	if f.checksInRound() == 0 {
		return errIncomplete("check_missing", "请先登记家庭经济状况核对结果", "Record the economic check results first")
	}
	if !f.homeVisitDone() {
		return errIncomplete("visit_incomplete", "入户调查须有至少 2 名调查人员且全部签字",
			"The home visit needs at least 2 investigators, every one of whom has signed")
	}
	return nil
}

// allowed lists the actions the caller may take now, in order.
func (s *Service) allowed(ctx context.Context, w *work) []Action {
	out := []Action{}
	if w.f.relatedTo(w.p.UserID) {
		return out
	}
	for _, a := range actionOrder {
		if a.allowedIn(w.f.c.State) && s.may(ctx, w, a) && s.ready(w, a) == nil {
			out = append(out, a)
		}
	}
	return out
}
