package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/benefit"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
)

// NoticeRequest is POST /cases/:id/notices: the notice goes up in the village for the
// county's number of days (7 by default) from starts_on (today when absent); ends_on may
// make it longer, never shorter.
type NoticeRequest struct {
	Version  int         `json:"version"`
	StartsOn *civil.Date `json:"starts_on"`
	EndsOn   *civil.Date `json:"ends_on"`
	Opinion  string      `json:"opinion"`
	// Attachments are the household's files to cite, such as a photo of the posted board.
	Attachments []int64 `json:"attachments"`
}

// PostNotice puts an application the township proposes to approve on public notice (公示).
// What is published is the head of household's name, the village, the number of covered
// people, the monthly amount and the category (DESIGN.md 3.6), nothing else.
func (s *Service) PostNotice(ctx context.Context, p access.Principal, id int64, req NoticeRequest, meta identity.Meta) (Detail, error) {
	return s.act(ctx, p, id, ActPostNotice, req.Version, meta, func(w *work) (change, error) {
		c := w.f.c
		if err := s.ready(w, ActPostNotice); err != nil {
			return change{}, err
		}
		if err := checkOpinion("opinion", &req.Opinion, false); err != nil {
			return change{}, err
		}
		if err := checkAttachments(ctx, w.tx, c.CountyCode, c.HouseholdID, "attachments", req.Attachments); err != nil {
			return change{}, err
		}
		starts := w.today
		if req.StartsOn != nil {
			starts = *req.StartsOn
		}
		if starts.Before(w.today) || starts.After(w.today.AddDays(30)) {
			return change{}, invalid("starts_on", "公示开始日期须在今天至 30 天之内", "starts_on must be between today and 30 days from now")
		}
		minEnd := starts.AddDays(w.st.NoticeDays - 1)
		ends := minEnd
		if req.EndsOn != nil {
			ends = *req.EndsOn
		}
		if ends.Before(minEnd) || ends.After(starts.AddDays(60)) {
			return change{}, invalid("ends_on", fmt.Sprintf("公示期不少于 %d 天，结束日期须不早于 %s（最长 60 天）", w.st.NoticeDays, minEnd),
				fmt.Sprintf("A notice runs at least %d days: ends_on cannot be before %s (nor more than 60 days on)", w.st.NoticeDays, minEnd))
		}
		n, err := publishable(ctx, w.tx, c)
		if err != nil {
			return change{}, err
		}
		n.Round, n.StartsOn, n.EndsOn = c.Round, starts, ends
		n.Text = NoticeText(n)
		var noticeID int64
		if err := w.tx.GetContext(ctx, &noticeID, `INSERT INTO case_notices (county_code, case_id, division_code, round,
				starts_on, ends_on, head_name, village_name, covered_people, monthly_amount_fen, category, text, posted_by, posted_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
			c.CountyCode, c.ID, c.DivisionCode, n.Round, n.StartsOn, n.EndsOn, n.HeadName, n.VillageName, n.CoveredPeople,
			n.MonthlyAmountFen, n.Category, n.Text, w.p.UserID, w.now); err != nil {
			return change{}, fmt.Errorf("casework: post notice of case %d: %w", c.ID, err)
		}
		return change{to: Noticed, opinion: req.Opinion, attachments: req.Attachments, detail: map[string]any{"notice_id": noticeID,
			"starts_on": starts.String(), "ends_on": ends.String()}}, nil
	})
}

// publishable gathers the five things a notice may show.
func publishable(ctx context.Context, tx *sqlx.Tx, c Case) (Notice, error) {
	var n Notice
	if err := tx.GetContext(ctx, &n, `SELECT h.head_name, h.category, coalesce(d.name, '') AS village_name
		FROM households h LEFT JOIN divisions d ON d.code = h.division_code
		WHERE h.county_code = $1 AND h.id = $2`, c.CountyCode, c.HouseholdID); err != nil {
		return n, fmt.Errorf("casework: notice of case %d: %w", c.ID, err)
	}
	var res benefit.Result
	if len(c.Proposal) > 0 {
		if err := json.Unmarshal(c.Proposal, &res); err != nil {
			return n, fmt.Errorf("casework: read proposal of case %d: %w", c.ID, err)
		}
	}
	n.CoveredPeople = len(res.CoveredMembers)
	if c.ProposedAmountFen != nil {
		n.MonthlyAmountFen = *c.ProposedAmountFen
	}
	if n.CoveredPeople == 0 {
		return n, errIncomplete("proposal_missing", "审核意见中没有保障人数，请重新提出审核意见",
			"The proposal names no covered people; make the proposal again")
	}
	return n, nil
}

// NoticeText is the published text, built from the notice's public fields alone.
func NoticeText(n Notice) string {
	cat := "农村"
	if n.Category == "urban" {
		cat = "城镇"
	}
	return fmt.Sprintf("经本人申请、调查核实和乡镇（街道）审核，%s %s 户拟纳入%s最低生活保障，保障人数 %d 人，月保障金 %s 元。"+
		"公示期自 %s 至 %s。如有异议，请在公示期内向村（居）民委员会或乡镇人民政府（街道办事处）反映。",
		n.VillageName, n.HeadName, cat, n.CoveredPeople, yuan(n.MonthlyAmountFen), chineseDate(n.StartsOn), chineseDate(n.EndsOn))
}

func yuan(fen int64) string {
	if fen%100 == 0 {
		return fmt.Sprint(fen / 100)
	}
	return fmt.Sprintf("%d.%02d", fen/100, fen%100)
}

func chineseDate(d civil.Date) string { return fmt.Sprintf("%d年%d月%d日", d.Year, d.Month, d.Day) }

// ObjectionRequest is POST /cases/:id/objections: an objection to the running notice,
// brought to the village.
type ObjectionRequest struct {
	Version    int         `json:"version"`
	ReceivedOn *civil.Date `json:"received_on"`
	Content    string      `json:"content"`
	Objector   string      `json:"objector"` // may stay anonymous
}

// RecordVillageObjection records an objection a village worker received. Any objection
// sends the case back to investigation, in a new round that must go to democratic
// evaluation; a new notice follows.
func (s *Service) RecordVillageObjection(ctx context.Context, p access.Principal, id int64, req ObjectionRequest, meta identity.Meta) (Detail, error) {
	return s.act(ctx, p, id, ActRecordObjection, req.Version, meta, func(w *work) (change, error) {
		if err := s.ready(w, ActRecordObjection); err != nil {
			return change{}, err
		}
		n := w.f.openNotice()
		if err := pastDate("received_on", "异议收到日期", "received_on", req.ReceivedOn, w.today); err != nil {
			return change{}, err
		}
		if req.ReceivedOn.Before(n.StartsOn) {
			return change{}, invalid("received_on", "异议收到日期不能早于公示开始日期", "received_on cannot be before the notice started")
		}
		if err := checkObjection(&req.Content, &req.Objector); err != nil {
			return change{}, err
		}
		objID, err := objectTo(ctx, w.tx, w.f.c, *n, "village", *req.ReceivedOn, req.Content, req.Objector, w.p.UserID, w.now, nil)
		if err != nil {
			return change{}, err
		}
		return change{to: Investigating, opinion: req.Content, detail: map[string]any{"objection_id": objID,
			"notice_id": n.ID, "source": "village", "round": w.f.c.Round + 1}}, nil
	})
}

func checkObjection(content, objector *string) error {
	*content = strings.TrimSpace(*content)
	*objector = strings.TrimSpace(*objector)
	switch n := utf8.RuneCountInString(*content); {
	case n == 0:
		return required("content", "异议内容", "content")
	case n > 2000:
		return invalid("content", "异议内容最多 2000 个字", "content is at most 2000 characters")
	}
	if utf8.RuneCountInString(*objector) > 50 {
		return invalid("objector", "异议人最多 50 个字", "objector is at most 50 characters")
	}
	return nil
}

// objectTo records the objection and turns the case back: the notice is closed as
// objected, the case's round moves on, evaluation becomes required and the proposal goes.
// pub is what only a public objection has (nil for the village's).
func objectTo(ctx context.Context, tx *sqlx.Tx, c Case, n Notice, source string, received civil.Date, content, objector string,
	by int64, now any, pub *publicParts) (int64, error) {
	var recorder any
	if by != 0 {
		recorder = by
	}
	var phone any // NULL, not an empty byte string, when no phone was left
	if pub == nil {
		pub = &publicParts{}
	} else if len(pub.PhoneEnc) > 0 {
		phone = pub.PhoneEnc
	}
	var id int64
	if err := tx.GetContext(ctx, &id, `INSERT INTO case_objections (county_code, case_id, notice_id, division_code, source,
			received_on, content, objector, recorded_by, recorded_at, phone_enc, phone_masked, receipt_code)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULLIF($13, '')) RETURNING id`,
		c.CountyCode, c.ID, n.ID, c.DivisionCode, source, received, content, objector, recorder, now,
		phone, pub.PhoneMasked, pub.Receipt); err != nil {
		return 0, fmt.Errorf("casework: objection to notice %d: %w", n.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE case_notices SET status = 'objected', closed_at = $3
		WHERE county_code = $1 AND id = $2`, c.CountyCode, n.ID, now); err != nil {
		return 0, fmt.Errorf("casework: close notice %d: %w", n.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET round = round + 1, evaluation_required = true, recommendation = NULL,
			proposal = NULL, proposed_amount_fen = NULL, proposal_reason = NULL, proposed_by = NULL, proposed_at = NULL,
			signed_off_by = NULL, signed_off_at = NULL
		WHERE county_code = $1 AND id = $2`, c.CountyCode, c.ID); err != nil {
		return 0, fmt.Errorf("casework: reopen case %d: %w", c.ID, err)
	}
	return id, nil
}

// PublicObjection is an objection from the public portal (no account; anonymous allowed),
// to a notice of a county. Phone, optional, is for the village to call back.
type PublicObjection struct {
	County   string
	NoticeID int64
	Content  string
	Objector string
	Phone    string
}

// ObjectionReceipt answers a public objection. ReceiptCode is what the objector quotes
// when asking after it; the row's id stays inside (it would tell how many there are).
type ObjectionReceipt struct {
	ObjectionID int64      `json:"-"`
	ReceiptCode string     `json:"receipt_code"`
	ReceivedOn  civil.Date `json:"received_on"`
}

// RecordObjection records an objection from the public to a running notice, with the same
// effect as one brought to the village. It needs no staff principal: the public portal
// calls it (public_http.go). It acts on the case's current version, so a staff action in
// flight on the old version is refused rather than lost.
func (s *Service) RecordObjection(ctx context.Context, in PublicObjection, meta identity.Meta) (ObjectionReceipt, error) {
	notFound := errNoticeNotFound()
	if !countyPattern.MatchString(in.County) || in.NoticeID <= 0 {
		return ObjectionReceipt{}, notFound
	}
	if err := in.check(); err != nil {
		return ObjectionReceipt{}, err
	}
	now := s.now()
	today := civil.Today(now)
	pub, err := s.sealPublic(in, today)
	if err != nil {
		return ObjectionReceipt{}, err
	}
	var out ObjectionReceipt
	err = db.WithScope(ctx, s.db, db.CountyScope(in.County), func(tx *sqlx.Tx) error {
		var caseID int64
		if err := tx.GetContext(ctx, &caseID, `SELECT case_id FROM case_notices WHERE county_code = $1 AND id = $2`,
			in.County, in.NoticeID); err != nil {
			if db.IsNotFound(err) {
				return notFound
			}
			return fmt.Errorf("casework: notice %d: %w", in.NoticeID, err)
		}
		c, err := loadCase(ctx, tx, in.County, caseID, true)
		if err != nil {
			return err
		}
		f, err := loadFile(ctx, tx, c)
		if err != nil {
			return err
		}
		n := f.openNotice()
		if c.State != Noticed || n == nil || n.ID != in.NoticeID || today.Before(n.StartsOn) || today.After(n.EndsOn) {
			return errNoticeClosed()
		}
		objID, err := objectTo(ctx, tx, c, *n, "public", today, in.Content, in.Objector, 0, now, &pub)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE cases SET state = $4, version = version + 1, updated_at = $5
			WHERE county_code = $1 AND id = $2 AND version = $3`, c.CountyCode, c.ID, c.Version, string(Investigating), now)
		if err != nil {
			return fmt.Errorf("casework: public objection to case %d: %w", c.ID, err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return errors.New("casework: case changed under its lock")
		}
		detail := map[string]any{"objection_id": objID, "notice_id": n.ID, "source": "public", "round": c.Round + 1,
			"receipt_code": pub.Receipt}
		if err := insertEvent(ctx, tx, event{County: c.CountyCode, CaseID: c.ID, Division: c.DivisionCode, At: now,
			Action: string(ActRecordObjection), From: c.State, To: Investigating, Opinion: in.Content, Detail: detail}); err != nil {
			return err
		}
		if err := audit.Write(ctx, tx, audit.Entry{CountyCode: c.CountyCode, DivisionCode: c.DivisionCode,
			Action: "case.public_objection", ObjectType: "case", ObjectID: fmt.Sprint(c.ID), Outcome: audit.Success,
			RequestID: meta.RequestID, ClientIP: meta.ClientIP, Detail: detail}); err != nil {
			return err
		}
		out = ObjectionReceipt{ObjectionID: objID, ReceiptCode: pub.Receipt, ReceivedOn: today}
		return nil
	})
	return out, err
}
