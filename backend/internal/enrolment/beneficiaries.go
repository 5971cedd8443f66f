package enrolment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/benefit"
	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

// Beneficiary is one enrolled household as lists show it: ID numbers masked.
type Beneficiary struct {
	ID                 int64      `json:"id" db:"id"`
	HouseholdID        int64      `json:"household_id" db:"household_id"`
	CountyCode         string     `json:"county_code" db:"county_code"`
	DivisionCode       string     `json:"division_code" db:"division_code"` // the village
	DivisionName       string     `json:"division_name" db:"division_name"`
	TownshipName       string     `json:"township_name" db:"township_name"`
	HeadName           string     `json:"head_name" db:"head_name"`
	HeadIDNumberMasked string     `json:"head_id_number_masked" db:"head_id_number_masked"`
	Category           string     `json:"category" db:"category"`
	Status             string     `json:"status" db:"status"`
	RecheckClass       string     `json:"recheck_class" db:"recheck_class"`
	CoveredCount       int        `json:"covered_count" db:"covered_count"`
	AmountFen          int64      `json:"amount_fen" db:"amount_fen"`   // the newest amount decided
	AmountFrom         Month      `json:"amount_from" db:"amount_from"` // the month it applies from
	StartMonth         Month      `json:"start_month" db:"start_month"`
	DecidedOn          civil.Date `json:"decided_on" db:"decided_on"`
	CaseID             *int64     `json:"case_id" db:"case_id"`
	CertificateNo      string     `json:"certificate_no" db:"certificate_no"`
	EnrolledAt         time.Time  `json:"enrolled_at" db:"enrolled_at"`
}

// BeneficiaryPage is one page of GET /beneficiaries; NextCursor is the next page's after.
type BeneficiaryPage struct {
	Items      []Beneficiary `json:"items"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// BeneficiaryQuery is the query of GET /beneficiaries, as sent.
type BeneficiaryQuery struct {
	Division, Category, Status, Query, After, Limit string
}

// StoredComputation is a recorded computation of a beneficiary's amount.
type StoredComputation struct {
	ID int64 `json:"id"`
	Computation
	CreatedAt time.Time `json:"created_at"`
}

// AmountChange is one entry of a beneficiary's amount history.
type AmountChange struct {
	ID             int64     `json:"id" db:"id"`
	Reason         string    `json:"reason" db:"reason"` // enrolment, standard_change
	EffectiveMonth Month     `json:"effective_month" db:"effective_month"`
	BeforeFen      int64     `json:"before_fen" db:"before_fen"`
	AfterFen       int64     `json:"after_fen" db:"after_fen"`
	StandardFen    *int64    `json:"standard_fen" db:"standard_fen"`
	CreatedAt      time.Time `json:"created_at" db:"created_at"`
}

// BeneficiaryDetail is GET /beneficiaries/:id: the beneficiary, the working of its current
// amount and the history of its amounts.
type BeneficiaryDetail struct {
	Beneficiary
	Working StoredComputation `json:"working"`
	Changes []AmountChange    `json:"changes"`
}

// CertificateMember is a covered person as the certificate lists them.
type CertificateMember struct {
	Name     string `json:"name"`
	Relation string `json:"relation"`
	Age      int    `json:"age"`
}

// Certificate is GET /certificates/:no: what the printed 低保证 shows. No ID number in full.
type Certificate struct {
	CertificateNo      string              `json:"certificate_no"`
	Status             string              `json:"status"` // valid, revoked
	IssuedOn           civil.Date          `json:"issued_on"`
	Issuer             string              `json:"issuer"` // 安吉县民政局
	CountyCode         string              `json:"county_code"`
	CountyName         string              `json:"county_name"`
	TownshipName       string              `json:"township_name"`
	VillageName        string              `json:"village_name"`
	DivisionCode       string              `json:"division_code"`
	HeadName           string              `json:"head_name"`
	HeadIDNumberMasked string              `json:"head_id_number_masked"`
	Category           string              `json:"category"`
	CoveredCount       int                 `json:"covered_count"`
	CoveredMembers     []CertificateMember `json:"covered_members"`
	AmountFen          int64               `json:"amount_fen"`
	AmountFrom         Month               `json:"amount_from"`
	StartMonth         Month               `json:"start_month"`
	BeneficiaryID      int64               `json:"beneficiary_id"`
	BeneficiaryStatus  string              `json:"beneficiary_status"`
}

const selectBeneficiary = `SELECT b.id, b.household_id, b.county_code, b.division_code,
	coalesce(v.name, '') AS division_name, coalesce(t.name, '') AS township_name,
	h.head_name, h.head_id_number_masked,
	b.category, b.status, b.recheck_class, b.covered_count, b.amount_fen, b.amount_from, b.start_month,
	b.decided_on, b.case_id, coalesce(c.certificate_no, '') AS certificate_no, b.enrolled_at
	FROM beneficiaries b
	JOIN households h ON h.county_code = b.county_code AND h.id = b.household_id
	LEFT JOIN divisions v ON v.code = b.division_code
	LEFT JOIN divisions t ON t.code = left(b.division_code, 9)
	LEFT JOIN certificates c ON c.county_code = b.county_code AND c.beneficiary_id = b.id AND c.status = 'valid'`

func errBeneficiaryNotFound() error {
	return httpx.Msg(http.StatusNotFound, "beneficiary_not_found", "保障对象不存在或不在您的管辖范围内",
		"No such beneficiary, or it is outside your area")
}

// ListBeneficiaries pages through the beneficiaries of a division (the caller's area by
// default), in enrolment order.
func (s *Service) ListBeneficiaries(ctx context.Context, p access.Principal, q BeneficiaryQuery) (BeneficiaryPage, error) {
	limit, after := 50, int64(0)
	if q.Limit != "" {
		n, err := strconv.Atoi(q.Limit)
		if err != nil || n < 1 || n > 200 {
			return BeneficiaryPage{}, httpx.Invalid("limit", "每页条数须为 1–200", "limit must be 1–200")
		}
		limit = n
	}
	if q.After != "" {
		n, err := strconv.ParseInt(q.After, 10, 64)
		if err != nil || n < 0 {
			return BeneficiaryPage{}, httpx.Invalid("after", "分页游标无效", "Invalid page cursor")
		}
		after = n
	}
	switch q.Category {
	case "", Urban, Rural:
	default:
		return BeneficiaryPage{}, httpx.Invalid("category", "类别须为 urban（城镇）或 rural（农村）", "category must be urban or rural")
	}
	switch q.Status {
	case "", "active", "suspended", "stopped":
	default:
		return BeneficiaryPage{}, httpx.Invalid("status", "状态须为 active、suspended 或 stopped", "status must be active, suspended or stopped")
	}
	name := strings.TrimSpace(q.Query)
	if len([]rune(name)) > 50 {
		return BeneficiaryPage{}, httpx.Invalid("q", "搜索内容最多 50 个字", "The search is at most 50 characters")
	}
	if q.Division != "" && !codePattern.MatchString(q.Division) {
		return BeneficiaryPage{}, httpx.Invalid("division", "区划代码须为 6、9 或 12 位数字", "A division code has 6, 9 or 12 digits")
	}
	div, ok := access.WorkingDivision(p, q.Division)
	if !ok || p.CountyCode == access.PlatformDomain || access.CountyOf(div) != p.CountyCode {
		return BeneficiaryPage{}, errDivisionNotFound("division", q.Division)
	}
	if err := s.guard.Require(ctx, p, div, "beneficiary", "", "read"); err != nil {
		return BeneficiaryPage{}, err
	}
	county := access.CountyOf(div)
	out := BeneficiaryPage{Items: []Beneficiary{}}
	err := db.WithScope(ctx, s.db, db.Scope{County: county, Division: div}, func(tx *sqlx.Tx) error {
		// Explicit filters besides row-level security: county, the division's code range.
		where := []string{"b.county_code = $1", "b.division_code >= $2", "b.division_code < $2 || '~'", "b.id > $3"}
		args := []any{county, div, after}
		if q.Category != "" {
			args = append(args, q.Category)
			where = append(where, fmt.Sprintf("b.category = $%d", len(args)))
		}
		if q.Status != "" {
			args = append(args, q.Status)
			where = append(where, fmt.Sprintf("b.status = $%d", len(args)))
		}
		if name != "" {
			args = append(args, escapeLike(name)+"%")
			where = append(where, fmt.Sprintf("h.head_name LIKE $%d", len(args)))
		}
		args = append(args, limit+1)
		query := selectBeneficiary + " WHERE " + strings.Join(where, " AND ") + fmt.Sprintf(" ORDER BY b.id LIMIT $%d", len(args))
		if err := tx.SelectContext(ctx, &out.Items, query, args...); err != nil {
			return fmt.Errorf("enrolment: list beneficiaries of %s: %w", div, err)
		}
		if len(out.Items) > limit {
			out.Items = out.Items[:limit]
			out.NextCursor = strconv.FormatInt(out.Items[limit-1].ID, 10)
		}
		return nil
	})
	return out, err
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// inCounty runs fn in a transaction scoped to the caller's whole area in their county;
// objects outside it are invisible (404). Permission for obj is warmed first, so checks
// inside need no second connection to load the county's policy.
func (s *Service) inCounty(ctx context.Context, p access.Principal, obj string, fn func(tx *sqlx.Tx, county string) error) error {
	div, ok := access.WorkingDivision(p, "")
	if !ok || p.CountyCode == access.PlatformDomain {
		return errBeneficiaryNotFound()
	}
	s.guard.Allowed(ctx, p, div, obj, "read")
	return db.WithScope(ctx, s.db, db.Scope{County: p.CountyCode, Division: div}, func(tx *sqlx.Tx) error {
		return fn(tx, p.CountyCode)
	})
}

// GetBeneficiary shows one beneficiary with the working of its amount and its history.
func (s *Service) GetBeneficiary(ctx context.Context, p access.Principal, id int64) (BeneficiaryDetail, error) {
	var out BeneficiaryDetail
	err := s.inCounty(ctx, p, "beneficiary", func(tx *sqlx.Tx, county string) error {
		b, err := s.visibleBeneficiary(ctx, tx, p, county, id)
		if err != nil {
			return err
		}
		out.Beneficiary = b
		if out.Working, err = latestComputation(ctx, tx, county, id, false); err != nil {
			return err
		}
		out.Changes = []AmountChange{}
		if err := tx.SelectContext(ctx, &out.Changes, `SELECT a.id, a.reason, a.effective_month, a.before_fen, a.after_fen,
			s.monthly_fen AS standard_fen, a.created_at
			FROM amount_changes a
			LEFT JOIN benefit_standards s ON s.county_code = a.county_code AND s.id = a.standard_id
			WHERE a.county_code = $1 AND a.beneficiary_id = $2 ORDER BY a.effective_month, a.id`, county, id); err != nil {
			return fmt.Errorf("enrolment: amount history of beneficiary %d: %w", id, err)
		}
		return nil
	})
	return out, err
}

// visibleBeneficiary loads a beneficiary the caller may read: 404 outside their area,
// 403 without beneficiary:read.
func (s *Service) visibleBeneficiary(ctx context.Context, tx *sqlx.Tx, p access.Principal, county string, id int64) (Beneficiary, error) {
	var b Beneficiary
	err := tx.GetContext(ctx, &b, selectBeneficiary+` WHERE b.county_code = $1 AND b.id = $2`, county, id)
	if db.IsNotFound(err) {
		return Beneficiary{}, errBeneficiaryNotFound()
	}
	if err != nil {
		return Beneficiary{}, fmt.Errorf("enrolment: load beneficiary %d: %w", id, err)
	}
	if !access.Sees(p, b.DivisionCode) {
		return Beneficiary{}, errBeneficiaryNotFound()
	}
	if err := s.guard.Require(ctx, p, b.DivisionCode, "beneficiary", strconv.FormatInt(id, 10), "read"); err != nil {
		return Beneficiary{}, err
	}
	return b, nil
}

// latestComputation is the newest recorded computation of a beneficiary.
// With eligibleOnly, the newest whose result is eligible (the certificate's covered
// members stay those of the amount in force when a new standard would exclude them).
func latestComputation(ctx context.Context, tx *sqlx.Tx, county string, beneficiaryID int64, eligibleOnly bool) (StoredComputation, error) {
	var row struct {
		ID             int64           `db:"id"`
		Reason         string          `db:"reason"`
		ComputedOn     civil.Date      `db:"computed_on"`
		EffectiveMonth Month           `db:"effective_month"`
		StandardID     int64           `db:"standard_id"`
		Household      json.RawMessage `db:"household"`
		Members        json.RawMessage `db:"members"`
		Rules          json.RawMessage `db:"rules"`
		Result         json.RawMessage `db:"result"`
		CreatedAt      time.Time       `db:"created_at"`
	}
	err := tx.GetContext(ctx, &row, `SELECT id, reason, computed_on, effective_month, standard_id, household, members,
		rules, result, created_at FROM amount_computations
		WHERE county_code = $1 AND beneficiary_id = $2 AND ($3 = false OR (result->>'eligible')::boolean)
		ORDER BY id DESC LIMIT 1`, county, beneficiaryID, eligibleOnly)
	if err != nil {
		return StoredComputation{}, fmt.Errorf("enrolment: latest computation of beneficiary %d: %w", beneficiaryID, err)
	}
	out := StoredComputation{ID: row.ID, CreatedAt: row.CreatedAt, Computation: Computation{Reason: row.Reason,
		ComputedOn: row.ComputedOn, EffectiveMonth: row.EffectiveMonth, StandardID: row.StandardID}}
	for _, part := range []struct {
		raw json.RawMessage
		dst any
	}{{row.Household, &out.Household}, {row.Members, &out.Members}, {row.Rules, &out.Rules}, {row.Result, &out.Result}} {
		if err := json.Unmarshal(part.raw, part.dst); err != nil {
			return StoredComputation{}, fmt.Errorf("enrolment: read computation %d: %w", row.ID, err)
		}
	}
	return out, nil
}

// GetCertificate shows a certificate for printing. Its number names its county: another
// county's number is not found.
func (s *Service) GetCertificate(ctx context.Context, p access.Principal, no string) (Certificate, error) {
	notFound := httpx.Msg(http.StatusNotFound, "certificate_not_found", "低保证不存在或不在您的管辖范围内",
		"No such certificate, or it is outside your area")
	if len(no) < 6 || no[:6] != p.CountyCode {
		return Certificate{}, notFound
	}
	var out Certificate
	err := s.inCounty(ctx, p, "beneficiary", func(tx *sqlx.Tx, county string) error {
		var c struct {
			No            string     `db:"certificate_no"`
			Status        string     `db:"status"`
			IssuedOn      civil.Date `db:"issued_on"`
			BeneficiaryID int64      `db:"beneficiary_id"`
		}
		err := tx.GetContext(ctx, &c, `SELECT certificate_no, status, issued_on, beneficiary_id FROM certificates
			WHERE county_code = $1 AND certificate_no = $2`, county, no)
		if db.IsNotFound(err) {
			return notFound
		}
		if err != nil {
			return fmt.Errorf("enrolment: load certificate %s: %w", no, err)
		}
		b, err := s.visibleBeneficiary(ctx, tx, p, county, c.BeneficiaryID)
		if err != nil {
			var httpErr *httpx.Error
			if errors.As(err, &httpErr) && httpErr.Status == http.StatusNotFound {
				return notFound
			}
			return err
		}
		working, err := latestComputation(ctx, tx, county, b.ID, true)
		if err != nil {
			return err
		}
		var countyName string
		if err := tx.GetContext(ctx, &countyName, `SELECT name FROM divisions WHERE code = $1`, county); err != nil {
			return fmt.Errorf("enrolment: county name of %s: %w", county, err)
		}
		out = Certificate{CertificateNo: c.No, Status: c.Status, IssuedOn: c.IssuedOn, Issuer: countyName + "民政局",
			CountyCode: county, CountyName: countyName, TownshipName: b.TownshipName, VillageName: b.DivisionName,
			DivisionCode: b.DivisionCode, HeadName: b.HeadName, HeadIDNumberMasked: b.HeadIDNumberMasked,
			Category: b.Category, CoveredCount: b.CoveredCount, CoveredMembers: coveredMembers(working.Members, working.Result),
			AmountFen: b.AmountFen, AmountFrom: b.AmountFrom, StartMonth: b.StartMonth,
			BeneficiaryID: b.ID, BeneficiaryStatus: b.Status}
		return nil
	})
	return out, err
}

// coveredMembers are the members a result covers, in the household's order.
func coveredMembers(members []MemberView, res benefit.Result) []CertificateMember {
	covered := map[string]bool{}
	for _, id := range res.CoveredMembers {
		covered[id] = true
	}
	out := []CertificateMember{}
	for _, m := range members {
		if covered[m.ID] {
			out = append(out, CertificateMember{Name: m.Name, Relation: m.Relation, Age: m.Age})
		}
	}
	return out
}
