package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/calendar"
	"dibao/backend/internal/casework"
	"dibao/backend/internal/enrolment"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/secure"
)

// Open applications in every state of the workflow, so the work lists, the notice board
// and the approver's queue are not empty. Each is taken through casework's own use cases
// by the demo staff whose role the step is (梅溪村's village worker, 梅溪镇's caseworker and
// leader, the county approver), checked by the real access policy, on a clock that starts
// a few weeks back so deadlines are near and notices have run.

// caseScript is how far a demo application goes.
var caseScript = []casework.State{
	casework.Submitted, casework.Accepted, casework.Investigating, casework.Evaluating,
	casework.TownshipReviewed, casework.Noticed, casework.NotAccepted, casework.Denied,
}

// casesPerState is how many applications the demo leaves in each state.
const casesPerState = 3

// caseVillage is where the applications come from: 梅溪村, whose village worker (ax.village)
// submits them, visits with the caseworker and posts the notices.
var caseVillage = place{"330523101201", "梅溪村"}

// staffOf are the demo staff as principals, by username.
func staffOf(ctx context.Context, owner *sqlx.DB) (map[string]access.Principal, error) {
	out := map[string]access.Principal{}
	for _, u := range DemoUsers() {
		if u.Division == access.PlatformDomain || u.Division[:6] != demoRegion {
			continue
		}
		var id int64
		if err := db.WithScope(ctx, owner, db.CountyScope(demoRegion), func(tx *sqlx.Tx) error {
			return tx.GetContext(ctx, &id, `SELECT id FROM users WHERE county_code = $1 AND username = $2`, demoRegion, u.Username)
		}); err != nil {
			return nil, fmt.Errorf("seed: cases: user %s: %w", u.Username, err)
		}
		out[u.Username] = access.Principal{UserID: id, Username: u.Username, DisplayName: u.DisplayName,
			CountyCode: demoRegion, DivisionCode: u.Division,
			Roles: []access.Assignment{{RoleKey: u.Role, DivisionCode: u.Division}}}
	}
	return out, nil
}

// demoCases runs the applications of households (registered, in 梅溪村) to their states:
// households[i] goes to caseScript[i / casesPerState]. It returns how many cases it opened.
func demoCases(ctx context.Context, owner *sqlx.DB, box *secure.Box, households []int64, now time.Time) (int, error) {
	staff, err := staffOf(ctx, owner)
	if err != nil {
		return 0, err
	}
	authz, err := access.NewAuthorizer(access.AuthorizerConfig{DB: owner})
	if err != nil {
		return 0, fmt.Errorf("seed: cases: access policy: %w", err)
	}
	guard := access.NewGuard(authz, audit.NewRecorder(owner))
	at := now
	clock := func() time.Time { return at }
	quoter := enrolment.NewService(owner, guard, clock)
	svc := casework.NewService(owner, guard, calendar.NewService(owner, guard), box, quoter, noEnroller{}, clock)
	meta := identity.Meta{RequestID: "seed-demo"}
	village, clerk, leader, approver := staff["ax.village"], staff["ax.clerk"], staff["ax.leader"], staff["ax.approver"]
	investigators := []int64{clerk.UserID, village.UserID}

	opened := 0
	for i, hid := range households {
		target := caseScript[(i/casesPerState)%len(caseScript)]
		at = now.AddDate(0, 0, -caseStart[target][i%casesPerState])
		day := func() { at = minTime(at.Add(24*time.Hour+37*time.Minute), now) }
		today := func() *civil.Date { d := civil.Today(at); return &d }
		d, err := svc.Submit(ctx, village, casework.SubmitRequest{HouseholdID: hid, Channel: "village",
			ApplicationReason: caseReasons[i%len(caseReasons)], AuthorisationSignedOn: today(),
			Opinion: "材料已收齐，报镇审核"}, meta)
		if err != nil {
			return opened, fmt.Errorf("seed: cases: submit household %d: %w", hid, err)
		}
		opened++
		step := func(what string, fn func() (casework.Detail, error)) error {
			day()
			out, err := fn()
			if err != nil {
				return fmt.Errorf("seed: cases: %s case %d (household %d): %w", what, d.ID, hid, err)
			}
			d = out
			return nil
		}
		tr := func(opinion string) casework.TransitionRequest {
			return casework.TransitionRequest{Version: d.Version, Opinion: opinion}
		}
		investigate := func() error {
			if err := step("check", func() (casework.Detail, error) {
				return svc.RecordCheck(ctx, clerk, d.ID, casework.CheckRequest{Version: d.Version, Department: "民政（居民家庭经济状况核对）",
					Result: "consistent", Findings: "车辆、房产、存款、工商登记核对无异常", CheckedOn: today()}, meta)
			}); err != nil {
				return err
			}
			if err := step("visit", func() (casework.Detail, error) {
				return svc.RecordVisit(ctx, clerk, d.ID, casework.VisitRequest{Version: d.Version, VisitedOn: today(),
					InvestigatorIDs: investigators, Findings: caseFindings[i%len(caseFindings)]}, meta)
			}); err != nil {
				return err
			}
			visit := d.Visits[len(d.Visits)-1].ID
			return step("sign visit", func() (casework.Detail, error) {
				return svc.SignVisit(ctx, village, d.ID, visit, casework.SignRequest{Version: d.Version}, meta)
			})
		}
		var script []func() error
		accept := func() error {
			return step("accept", func() (casework.Detail, error) {
				return svc.Accept(ctx, clerk, d.ID, tr("材料齐全，予以受理"), meta)
			})
		}
		startInv := func() error {
			return step("start investigation", func() (casework.Detail, error) {
				return svc.StartInvestigation(ctx, clerk, d.ID, tr("开展家庭经济状况核对和入户调查"), meta)
			})
		}
		propose := func(rec string) error {
			req := casework.ProposalRequest{Recommendation: rec, Opinion: "经调查核实，家庭收入低于当地保障标准，拟纳入农村低保"}
			if rec == casework.RecommendDeny {
				req.Opinion, req.Reason = "经调查核实", "家庭月人均收入高于当地保障标准，子女有赡养能力"
			}
			if err := step("propose", func() (casework.Detail, error) {
				req.Version = d.Version
				return svc.Propose(ctx, clerk, d.ID, req, meta)
			}); err != nil {
				return err
			}
			return step("sign off", func() (casework.Detail, error) { return svc.SignOff(ctx, leader, d.ID, tr("同意"), meta) })
		}
		notice := func() error {
			return step("notice", func() (casework.Detail, error) {
				return svc.PostNotice(ctx, village, d.ID, casework.NoticeRequest{Version: d.Version, Opinion: "在村务公开栏张贴公示"}, meta)
			})
		}
		switch target {
		case casework.Submitted:
		case casework.NotAccepted:
			script = append(script, func() error {
				return step("not accept", func() (casework.Detail, error) {
					return svc.NotAccept(ctx, clerk, d.ID, casework.ReasonRequest{Version: d.Version,
						Reason: "申请人户籍不在本镇，不属于本镇受理范围，请向户籍所在地乡镇提出申请"}, meta)
				})
			})
		case casework.Accepted:
			script = append(script, accept)
		case casework.Investigating:
			script = append(script, accept, startInv)
			if i%casesPerState > 0 {
				script = append(script, investigate)
			}
		case casework.TownshipReviewed:
			script = append(script, accept, startInv, investigate, func() error { return propose(casework.RecommendApprove) })
		case casework.Noticed:
			script = append(script, accept, startInv, investigate, func() error { return propose(casework.RecommendApprove) }, notice)
		case casework.Evaluating:
			// A notice that drew an objection: the case goes back to investigation, and to
			// democratic evaluation after a second visit.
			script = append(script, accept, startInv, investigate, func() error { return propose(casework.RecommendApprove) }, notice,
				func() error {
					return step("objection", func() (casework.Detail, error) {
						return svc.RecordVillageObjection(ctx, village, d.ID, casework.ObjectionRequest{Version: d.Version,
							ReceivedOn: today(), Content: "村民反映该户儿子在县城务工，收入未如实申报", Objector: "村民（匿名）"}, meta)
					})
				}, investigate, func() error {
					return step("refer evaluation", func() (casework.Detail, error) {
						return svc.ReferEvaluation(ctx, clerk, d.ID, tr("公示期间收到异议，提请民主评议"), meta)
					})
				})
		case casework.Denied:
			script = append(script, accept, startInv, investigate, func() error { return propose(casework.RecommendDeny) },
				func() error {
					return step("deny", func() (casework.Detail, error) {
						return svc.Deny(ctx, approver, d.ID, casework.ReasonRequest{Version: d.Version,
							Reason: "经核查，该户家庭月人均收入高于本县城乡低保标准，不符合最低生活保障条件"}, meta)
					})
				})
		}
		for _, s := range script {
			if err := s(); err != nil {
				return opened, err
			}
		}
		if d.State != target {
			return opened, fmt.Errorf("seed: cases: case %d ended in %s, not %s", d.ID, d.State, target)
		}
	}
	return opened, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// noEnroller refuses: the demo approves no application (its beneficiaries are enrolled
// directly), so nothing should ever call it.
type noEnroller struct{}

func (noEnroller) Enroll(context.Context, *sqlx.Tx, casework.Enrolment) (casework.Enrolled, error) {
	return casework.Enrolled{}, fmt.Errorf("seed: cases: the demo approves no application")
}

// caseStart is how many days ago each state's applications were submitted; a step takes a
// day. Of the cases on notice, one notice is running, one has ended and awaits the
// decision, and one is past its 30 working days.
var caseStart = map[casework.State][casesPerState]int{
	casework.Submitted: {1, 2, 3}, casework.Accepted: {4, 6, 8}, casework.Investigating: {8, 11, 14},
	casework.Evaluating: {20, 26, 32}, casework.TownshipReviewed: {12, 16, 20}, casework.Noticed: {12, 20, 43},
	casework.NotAccepted: {5, 7, 10}, casework.Denied: {15, 20, 25},
}

var caseReasons = []string{
	"户主患慢性病，劳动能力弱，家庭收入微薄",
	"丈夫因病去世，本人独自抚养子女，生活困难",
	"年老体弱，无固定收入，子女赡养能力有限",
	"家中有重度残疾人需长期照料，无法外出务工",
	"因突发重病花费巨大，家庭生活陷入困境",
}

var caseFindings = []string{
	"砖混房两间，陈设简陋；户主患慢性病，仅靠零星务农收入。",
	"住房为老旧平房，家中无大件家电；子女在读，开支较大。",
	"入户核实，家庭成员与申报一致，无车辆，无经营性收入。",
	"家中有长期卧床病人，医药费支出较大，收入来源单一。",
}
