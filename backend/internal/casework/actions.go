package casework

// Action is one thing a user may do to a case: a transition or a recorded step. The keys
// are the case timeline's and the SPA's (allowed_actions).
type Action string

// The actions of the workflow.
const (
	ActSubmit             Action = "submit"
	ActAccept             Action = "accept"
	ActNotAccept          Action = "not_accept"
	ActStartInvestigation Action = "start_investigation"
	ActRecordCheck        Action = "record_check"
	ActRecordVisit        Action = "record_visit"
	ActSignVisit          Action = "sign_visit"
	ActReferEvaluation    Action = "refer_evaluation"
	ActRecordEvaluation   Action = "record_evaluation"
	ActPropose            Action = "propose"
	ActSignOff            Action = "sign_off"
	ActReturnReview       Action = "return_review"
	ActPostNotice         Action = "post_notice"
	ActRecordObjection    Action = "record_objection"
	ActApprove            Action = "approve"
	ActDeny               Action = "deny"
	ActExtendDeadline     Action = "extend_deadline"
	ActCountyVisit        Action = "record_county_visit"
)

// rule is who may take an action (a permission, object:action) and in which states.
type rule struct {
	obj, act string
	from     []State
	zh, en   string // what it is, for messages ("受理申请")
	roleZH   string
	roleEN   string
}

var (
	openStates     = []State{Accepted, Investigating, Evaluating, TownshipReviewed, Noticed}
	reviewedStates = []State{TownshipReviewed, Noticed}
)

var rules = map[Action]rule{
	ActSubmit: {"case", "submit", nil, "提交申请", "submit an application",
		"村(社区)低保工作人员或乡镇民政专职工作人员", "village worker or township caseworker"},
	ActAccept: {"case", "accept", []State{Submitted}, "受理申请", "accepted",
		"乡镇民政专职工作人员", "township caseworker"},
	ActNotAccept: {"case", "accept", []State{Submitted}, "作出不予受理", "refused acceptance",
		"乡镇民政专职工作人员", "township caseworker"},
	ActStartInvestigation: {"case", "investigate", []State{Accepted}, "开始调查核实", "taken into investigation",
		"乡镇民政专职工作人员", "township caseworker"},
	ActRecordCheck: {"case", "investigate", []State{Investigating}, "登记经济状况核对结果", "given economic check results",
		"乡镇民政专职工作人员", "township caseworker"},
	ActRecordVisit: {"case", "investigate", []State{Investigating}, "登记入户调查", "given a home visit",
		"乡镇民政专职工作人员", "township caseworker"},
	ActSignVisit: {"", "", append(append([]State{}, openStates...), Approved), "在调查记录上签字", "signed",
		"记录中列明的调查人员", "investigators named on the visit"},
	ActReferEvaluation: {"case", "investigate", []State{Investigating}, "提交民主评议", "sent to democratic evaluation",
		"乡镇民政专职工作人员", "township caseworker"},
	ActRecordEvaluation: {"evaluation", "record", []State{Evaluating}, "登记民主评议结果", "given an evaluation",
		"村(社区)低保工作人员", "village worker"},
	ActPropose: {"case", "review", []State{Investigating, Evaluating}, "提出审核意见", "given the township's proposal",
		"乡镇民政专职工作人员", "township caseworker"},
	ActSignOff: {"case", "signoff", []State{Investigating, Evaluating}, "签署审核意见", "signed off",
		"乡镇分管领导", "township leader"},
	ActReturnReview: {"case", "signoff", []State{Investigating, Evaluating}, "退回审核意见", "have its proposal returned",
		"乡镇分管领导", "township leader"},
	ActPostNotice: {"notice", "post", []State{TownshipReviewed}, "张贴公示", "put on public notice",
		"村(社区)低保工作人员", "village worker"},
	ActRecordObjection: {"notice", "post", []State{Noticed}, "登记公示异议", "given an objection",
		"村(社区)低保工作人员", "village worker"},
	ActApprove: {"case", "decide", []State{Noticed}, "批准", "approved",
		"县民政局审批人员（或经授权的乡镇分管领导）", "county approving officer (or the township leader where delegated)"},
	ActDeny: {"case", "decide", reviewedStates, "作出不予批准", "denied",
		"县民政局审批人员（或经授权的乡镇分管领导）", "county approving officer (or the township leader where delegated)"},
	ActExtendDeadline: {"case", "extend", openStates, "延长办理期限", "given a longer deadline",
		"乡镇民政专职工作人员或县民政局审批人员", "township caseworker or county approving officer"},
	ActCountyVisit: {"case", "visit", append(append([]State{}, openStates...), Approved), "登记县级入户核查", "given a county visit",
		"县民政局审批人员", "county approving officer"},
}

// Name is what the action does, for messages: "不能受理申请" / "cannot be accepted".
func (a Action) Name() (zh, en string) {
	r, ok := rules[a]
	if !ok {
		return string(a), string(a)
	}
	return r.zh, r.en
}

// Role is who may take the action, for messages.
func (a Action) Role() (zh, en string) {
	r := rules[a]
	return r.roleZH, r.roleEN
}

// allowedIn reports whether the action may be taken from state s.
func (a Action) allowedIn(s State) bool {
	for _, f := range rules[a].from {
		if f == s {
			return true
		}
	}
	return false
}

// actionOrder is the order allowed_actions lists them in.
var actionOrder = []Action{ActAccept, ActNotAccept, ActStartInvestigation, ActRecordCheck, ActRecordVisit, ActSignVisit,
	ActReferEvaluation, ActRecordEvaluation, ActPropose, ActSignOff, ActReturnReview, ActPostNotice, ActRecordObjection,
	ActCountyVisit, ActApprove, ActDeny, ActExtendDeadline}
