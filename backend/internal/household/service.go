package household

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
	"dibao/backend/internal/platform/secure"
)

// Service holds the registry's use cases.
type Service struct {
	db    *sqlx.DB
	box   *secure.Box
	guard *access.Guard
	files *Files
	cites Citations
	now   func() time.Time
	// stmts holds the search's prepared statements (list.go).
	stmts *db.Statements
}

// Citations tells whether a step of a case cites an attachment of a household: a case's
// authorisation scan or a file on its timeline (internal/casework implements it; app.go
// wires it). It runs inside the registry's transaction, whose scope covers the household.
type Citations interface {
	CitesAttachment(ctx context.Context, tx *sqlx.Tx, county string, householdID, attachmentID int64) (bool, error)
}

// NewService wires the use cases: box seals the sensitive fields, files keeps attachments,
// cites tells which attachments the cases' steps hold on to.
func NewService(conn *sqlx.DB, box *secure.Box, guard *access.Guard, files *Files, cites Citations, now func() time.Time) *Service {
	return &Service{db: conn, box: box, guard: guard, files: files, cites: cites, now: now, stmts: db.NewStatements(conn)}
}

// inTx runs fn in a transaction scoped to the caller's broadest division. Platform staff
// and users without a role see no household at all.
func (s *Service) inTx(ctx context.Context, p access.Principal, fn func(tx *sqlx.Tx, county string) error) error {
	div, ok := access.WorkingDivision(p, "")
	if !ok || p.CountyCode == access.PlatformDomain {
		return ErrNotFound
	}
	// The permission checks inside the transaction may need the county's policy loaded from
	// the database; loading it first keeps one request from holding two connections.
	s.guard.Allowed(ctx, p, div, "household", "read")
	county := access.CountyOf(div)
	return db.WithScope(ctx, s.db, db.Scope{County: county, Division: div}, func(tx *sqlx.Tx) error { return fn(tx, county) })
}

// target loads household id as the caller may see it, or answers 404.
func (s *Service) target(ctx context.Context, tx *sqlx.Tx, p access.Principal, county string, id int64, lock bool) (Household, error) {
	h, err := load(ctx, tx, county, id, lock)
	if err != nil {
		return Household{}, err
	}
	if !access.Sees(p, h.DivisionCode) {
		return Household{}, ErrNotFound
	}
	return h, nil
}

// Get shows one household with its members, incomes, assets and attachments, masked.
func (s *Service) Get(ctx context.Context, p access.Principal, id int64) (Household, error) {
	var out Household
	err := s.inTx(ctx, p, func(tx *sqlx.Tx, county string) error {
		h, err := s.target(ctx, tx, p, county, id, false)
		if err != nil {
			return err
		}
		if err := s.guard.Require(ctx, p, h.DivisionCode, "household", idStr(id), "read"); err != nil {
			return err
		}
		if h.Attachments, err = listAttachments(ctx, tx, county, id); err != nil {
			return err
		}
		out = h
		return nil
	})
	return out, err
}

// Create registers a household with its members, incomes and assets in one transaction.
// Everything is validated first; on any problem nothing is written.
func (s *Service) Create(ctx context.Context, p access.Principal, in Input, meta identity.Meta) (Household, error) {
	code := trimmed(in.DivisionCode)
	check := code
	if !villagePattern.MatchString(code) {
		check, _ = access.WorkingDivision(p, "") // the shape is reported with the other problems
	} else if !access.Sees(p, code) {
		return Household{}, errDivisionNotFound("division_code", code)
	}
	var out Household
	err := s.inTx(ctx, p, func(tx *sqlx.Tx, county string) error {
		if err := s.guard.Require(ctx, p, check, "household", "", "create"); err != nil {
			return err
		}
		d, err := validate(in, s.now(), nil)
		probs := problemsOf(err)
		probs = append(probs, s.checkVillage(ctx, tx, county, d.DivisionCode, code == check)...)
		if err := probs.err(); err != nil {
			return err
		}
		rows, err := s.sealMembers(ctx, tx, county, 0, d.Members)
		if err != nil {
			return err
		}
		row, err := s.householdRow(county, d)
		if err != nil {
			return err
		}
		id, err := insertHousehold(ctx, tx, row, p.UserID)
		if err != nil {
			return err
		}
		if err := s.writeChildren(ctx, tx, county, d.DivisionCode, id, nil, rows, d); err != nil {
			return err
		}
		h, err := Load(ctx, tx, county, id)
		if err != nil {
			return err
		}
		diff, labels := change(nil, h)
		if err := s.record(ctx, tx, p, meta, h, "create", "household.create", diff, labels); err != nil {
			return err
		}
		out = h
		return nil
	})
	return out, err
}

// Update writes the household as sent over the version it was read at. Members, incomes
// and assets with an id are changed, those without are added, and those left out removed.
func (s *Service) Update(ctx context.Context, p access.Principal, id int64, req UpdateRequest, meta identity.Meta) (Household, error) {
	var out Household
	err := s.inTx(ctx, p, func(tx *sqlx.Tx, county string) error {
		before, err := s.target(ctx, tx, p, county, id, true)
		if err != nil {
			return err
		}
		if err := s.guard.Require(ctx, p, before.DivisionCode, "household", idStr(id), "update"); err != nil {
			return err
		}
		if req.Version <= 0 {
			return httpx.Invalid("version", "请提供读取时的版本号（version）", "Send the version the household was read at")
		}
		if req.Version != before.Version {
			return errStale(before.Version)
		}
		secrets, err := memberSecrets(ctx, tx, county, id)
		if err != nil {
			return err
		}
		known := func(memberID int64) (string, bool) {
			enc, ok := secrets[memberID]
			if !ok {
				return "", false
			}
			v, err := s.box.Open(IDNumberField, enc)
			return v, err == nil
		}
		d, err := validate(req.Input, s.now(), known)
		probs := problemsOf(err)
		if d.DivisionCode != "" && d.DivisionCode != before.DivisionCode {
			probs.add("division_code", "户籍所在村（社区）不能在此修改：迁移户籍须另行办理",
				"The village of the registered address cannot be changed here: moving a household is a separate procedure")
		}
		probs = append(probs, ownIDs(before, d)...)
		if err := probs.err(); err != nil {
			return err
		}
		rows, err := s.sealMembers(ctx, tx, county, id, d.Members)
		if err != nil {
			return err
		}
		row, err := s.householdRow(county, d)
		if err != nil {
			return err
		}
		_, ok, err := updateHousehold(ctx, tx, id, req.Version, row)
		if err != nil {
			return err
		}
		if !ok {
			return errStale(before.Version)
		}
		if err := s.writeChildren(ctx, tx, county, before.DivisionCode, id, &before, rows, d); err != nil {
			return err
		}
		active, err := isActive(ctx, tx, county, id)
		if err != nil {
			return err
		}
		if active { // keep the person index in step with the members of an open case
			if err := DeactivatePersons(ctx, tx, county, id); err != nil {
				return err
			}
			if err := ActivatePersons(ctx, tx, county, id); err != nil {
				return err
			}
		}
		after, err := Load(ctx, tx, county, id)
		if err != nil {
			return err
		}
		if diff, labels := change(&before, after); diff != nil {
			if err := s.record(ctx, tx, p, meta, after, "update", "household.update", diff, labels); err != nil {
				return err
			}
		}
		if after.Attachments, err = listAttachments(ctx, tx, county, id); err != nil {
			return err
		}
		out = after
		return nil
	})
	return out, err
}

// checkVillage checks that the household's division is an active village of the county.
func (s *Service) checkVillage(ctx context.Context, tx *sqlx.Tx, county, code string, shapeOK bool) problems {
	var p problems
	if !shapeOK || code == "" {
		return p // already reported
	}
	d, err := loadDivision(ctx, tx, code)
	switch {
	case err != nil || d.CountyCode != county || d.Level != "village":
		p.add("division_code", fmt.Sprintf("村（社区）代码 %s 不存在", code), fmt.Sprintf("There is no village (community) with code %s", code))
	case d.Status != "active":
		p.add("division_code", fmt.Sprintf("%s（%s）已撤销，不能再登记户籍", d.Name, code),
			fmt.Sprintf("%s (%s) is retired; households can no longer be registered there", d.Name, code))
	}
	return p
}

// ownIDs checks that the ids an update names belong to the household.
func ownIDs(h Household, d draft) problems {
	var p problems
	members, incomes, assets := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
	for _, m := range h.Members {
		members[m.ID] = true
	}
	for _, in := range h.Incomes {
		incomes[in.ID] = true
	}
	for _, a := range h.Assets {
		assets[a.ID] = true
	}
	for i, m := range d.Members {
		if m.ID != 0 && !members[m.ID] {
			p.add(fmt.Sprintf("members[%d].id", i), fmt.Sprintf("第 %d 位成员（编号 %d）不属于此户", i+1, m.ID),
				fmt.Sprintf("Member %d (id %d) is not a member of this household", i+1, m.ID))
		}
	}
	for i, in := range d.Incomes {
		if in.ID != 0 && !incomes[in.ID] {
			p.add(fmt.Sprintf("incomes[%d].id", i), fmt.Sprintf("第 %d 项收入（编号 %d）不属于此户", i+1, in.ID),
				fmt.Sprintf("Income item %d (id %d) does not belong to this household", i+1, in.ID))
		}
	}
	for i, a := range d.Assets {
		if a.ID != 0 && !assets[a.ID] {
			p.add(fmt.Sprintf("assets[%d].id", i), fmt.Sprintf("第 %d 项财产（编号 %d）不属于此户", i+1, a.ID),
				fmt.Sprintf("Asset %d (id %d) does not belong to this household", i+1, a.ID))
		}
	}
	return p
}

// sealMembers seals new and changed ID numbers and checks each against the person index:
// a person active in another household, anywhere, is refused with a 409 naming the county.
func (s *Service) sealMembers(ctx context.Context, tx *sqlx.Tx, county string, householdID int64, ms []memberDraft) ([]memberRow, error) {
	out := make([]memberRow, len(ms))
	for i, m := range ms {
		out[i] = memberRow{Member: m.Member}
		if m.IDNumber == "" {
			continue // an existing member's number, unchanged
		}
		sl, err := seal(s.box, IDNumberField, m.IDNumber, secure.MaskIDNumber)
		if err != nil {
			return nil, err
		}
		out[i].IDNumber = &sl
		if err := checkPersonFree(ctx, tx, county, householdID, sl.Index, m.Name, fmt.Sprintf("members[%d]", i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Service) householdRow(county string, d draft) (householdRow, error) {
	r := householdRow{County: county, Division: d.DivisionCode, Category: d.Category, HeadName: d.HeadName,
		Address: d.Address, HukouPlace: d.HukouPlace, BankName: d.BankName, BankHolder: d.BankHolder}
	if d.Phone != nil {
		ph, err := seal(s.box, PhoneField, *d.Phone, secure.MaskPhone)
		if err != nil {
			return r, err
		}
		r.Phone = &ph
	}
	if d.BankAccount != nil {
		acc, err := seal(s.box, BankAccountField, *d.BankAccount, secure.MaskAccount)
		if err != nil {
			return r, err
		}
		r.BankAccount = &acc
	}
	return r, nil
}

// writeChildren writes members, incomes and assets; before is the household as it was
// (nil for a new one), whose rows left out of d are removed first so that a number moved
// from a removed member to a new one does not collide.
func (s *Service) writeChildren(ctx context.Context, tx *sqlx.Tx, county, division string, id int64, before *Household,
	members []memberRow, d draft) error {
	if before != nil {
		var keepM, keepI, keepA []int64
		for _, m := range members {
			if m.ID != 0 {
				keepM = append(keepM, m.ID)
			}
		}
		for _, in := range d.Incomes {
			if in.ID != 0 {
				keepI = append(keepI, in.ID)
			}
		}
		for _, a := range d.Assets {
			if a.ID != 0 {
				keepA = append(keepA, a.ID)
			}
		}
		for _, x := range []struct {
			table string
			keep  []int64
		}{{"household_incomes", keepI}, {"household_assets", keepA}, {"household_members", keepM}} {
			if err := deleteExcept(ctx, tx, x.table, county, id, x.keep); err != nil {
				return err
			}
		}
	}
	ids := make([]int64, len(members))
	for i, m := range members {
		if m.ID != 0 {
			if err := updateMember(ctx, tx, county, division, id, m); err != nil {
				return err
			}
			ids[i] = m.ID
			continue
		}
		newID, err := insertMember(ctx, tx, county, division, id, m)
		if err != nil {
			return err
		}
		ids[i] = newID
	}
	for _, in := range d.Incomes {
		item := in.Income
		item.MemberID = nil
		if in.Member >= 0 {
			item.MemberID = &ids[in.Member]
		}
		if item.ID != 0 {
			if err := updateIncome(ctx, tx, county, division, id, item); err != nil {
				return err
			}
		} else if _, err := insertIncome(ctx, tx, county, division, id, item); err != nil {
			return err
		}
	}
	for _, a := range d.Assets {
		if a.ID != 0 {
			if err := updateAsset(ctx, tx, county, division, id, a.Asset); err != nil {
				return err
			}
		} else if _, err := insertAsset(ctx, tx, county, division, id, a.Asset); err != nil {
			return err
		}
	}
	return nil
}

// record writes the household's history row and the audit row of a change, in tx.
func (s *Service) record(ctx context.Context, tx *sqlx.Tx, p access.Principal, meta identity.Meta, h Household,
	historyAction, auditAction string, diff map[string]any, labels map[string]map[string]string) error {
	if err := writeHistory(ctx, tx, historyRecord{County: h.CountyCode, Division: h.DivisionCode, HouseholdID: h.ID,
		Action: historyAction, ActorID: p.UserID, ActorUsername: p.Username, ActorName: p.DisplayName, Version: h.Version,
		Diff: diff, Labels: labels, RequestID: meta.RequestID}); err != nil {
		return err
	}
	return audit.Write(ctx, tx, audit.Entry{ActorID: p.UserID, ActorName: p.Username, CountyCode: h.CountyCode,
		DivisionCode: h.DivisionCode, Action: auditAction, ObjectType: "household", ObjectID: idStr(h.ID),
		Outcome: audit.Success, RequestID: meta.RequestID, ClientIP: meta.ClientIP, Detail: diff})
}

// History pages through a household's changes, newest first.
func (s *Service) History(ctx context.Context, p access.Principal, id int64, after, limit string) (HistoryPage, error) {
	n, before, err := pageParams(limit, after)
	if err != nil {
		return HistoryPage{}, err
	}
	out := HistoryPage{Items: []HistoryEntry{}}
	err = s.inTx(ctx, p, func(tx *sqlx.Tx, county string) error {
		h, err := s.target(ctx, tx, p, county, id, false)
		if err != nil {
			return err
		}
		if err := s.guard.Require(ctx, p, h.DivisionCode, "household", idStr(id), "read"); err != nil {
			return err
		}
		items, err := listHistory(ctx, tx, county, id, before, n+1)
		if err != nil {
			return err
		}
		if len(items) > n {
			items = items[:n]
			out.NextCursor = idStr(items[n-1].ID)
		}
		out.Items = items
		return nil
	})
	return out, err
}

// RevealRequest names the masked value to show in full.
type RevealRequest struct {
	Field    string `json:"field"`               // id_number, phone or bank_account
	MemberID int64  `json:"member_id,omitempty"` // whose ID number
}

// Revealed is a sensitive value in full, for the caller's eyes only.
type Revealed struct {
	Field    string `json:"field"`
	MemberID int64  `json:"member_id,omitempty"`
	Value    string `json:"value"`
	Masked   string `json:"masked"`
	// ShowSeconds is how long the app shows it before masking it again.
	ShowSeconds int `json:"show_seconds"`
}

// Reveal opens one sensitive value. It needs household:reveal and writes an audit row
// every time, naming the field and the masked value (never the value).
func (s *Service) Reveal(ctx context.Context, p access.Principal, id int64, req RevealRequest, meta identity.Meta) (Revealed, error) {
	out := Revealed{Field: req.Field, MemberID: req.MemberID, ShowSeconds: 30}
	switch req.Field {
	case "id_number":
		if req.MemberID <= 0 {
			return out, httpx.Invalid("member_id", "查看身份证号须指明成员", "Name the member whose ID number to show")
		}
	case "phone", "bank_account":
		if req.MemberID != 0 {
			return out, httpx.Invalid("member_id", "联系电话和银行账号属于整户，不指明成员", "Phone and bank account belong to the household; name no member")
		}
	default:
		return out, httpx.Invalid("field", "可查看的项目为身份证号（id_number）、联系电话（phone）、银行账号（bank_account）",
			"field must be id_number, phone or bank_account")
	}
	err := s.inTx(ctx, p, func(tx *sqlx.Tx, county string) error {
		h, err := s.target(ctx, tx, p, county, id, false)
		if err != nil {
			return err
		}
		if err := s.guard.Require(ctx, p, h.DivisionCode, "household", idStr(id), "reveal"); err != nil {
			return err
		}
		var enc []byte
		var field string
		switch req.Field {
		case "id_number":
			field = IDNumberField
			var m struct {
				Enc    []byte `db:"id_number_enc"`
				Masked string `db:"id_number_masked"`
			}
			err = tx.GetContext(ctx, &m, `SELECT id_number_enc, id_number_masked FROM household_members
				WHERE county_code = $1 AND household_id = $2 AND id = $3`, county, id, req.MemberID)
			enc, out.Masked = m.Enc, m.Masked
			if db.IsNotFound(err) {
				return httpx.Msg(http.StatusNotFound, "member_not_found", "该户没有此成员", "No such member in this household").
					WithDetails(map[string]any{"field": "member_id"})
			}
		case "phone":
			field, out.Masked = PhoneField, h.PhoneMasked
			err = tx.GetContext(ctx, &enc, `SELECT phone_enc FROM households WHERE county_code = $1 AND id = $2`, county, id)
		case "bank_account":
			field, out.Masked = BankAccountField, h.BankAccountMasked
			err = tx.GetContext(ctx, &enc, `SELECT bank_account_enc FROM households WHERE county_code = $1 AND id = $2`, county, id)
		}
		if err != nil {
			return fmt.Errorf("household: reveal %s of %s/%d: %w", req.Field, county, id, err)
		}
		if len(enc) == 0 {
			return errNoValue(req.Field)
		}
		if out.Value, err = s.box.Open(field, enc); err != nil {
			return fmt.Errorf("household: reveal %s of %s/%d: %w", req.Field, county, id, err)
		}
		detail := map[string]any{"field": req.Field, "masked": out.Masked}
		if req.MemberID != 0 {
			detail["member_id"] = req.MemberID
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: p.UserID, ActorName: p.Username, CountyCode: h.CountyCode,
			DivisionCode: h.DivisionCode, Action: "household.reveal", ObjectType: "household", ObjectID: idStr(id),
			Outcome: audit.Success, RequestID: meta.RequestID, ClientIP: meta.ClientIP, Detail: detail})
	})
	if err != nil {
		return Revealed{}, err
	}
	return out, nil
}

func problemsOf(err error) problems {
	if ve, ok := err.(*ValidationError); ok {
		return problems(ve.Problems)
	}
	return nil
}

// pageParams reads limit (1–200, default 50) and an id cursor.
func pageParams(limit, after string) (int, int64, error) {
	n := 50
	if limit != "" {
		v, err := strconv.Atoi(limit)
		if err != nil || v < 1 || v > 200 {
			return 0, 0, httpx.Invalid("limit", "每页条数须为 1–200", "limit must be 1–200")
		}
		n = v
	}
	var cursor int64
	if after != "" {
		v, err := strconv.ParseInt(after, 10, 64)
		if err != nil || v < 0 {
			return 0, 0, httpx.Invalid("after", "分页游标无效", "Invalid page cursor")
		}
		cursor = v
	}
	return n, cursor, nil
}

func idStr(id int64) string { return strconv.FormatInt(id, 10) }
