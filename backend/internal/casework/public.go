package casework

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
	"dibao/backend/internal/platform/secure"
)

// The public side of notices (公示, DESIGN.md 3.6): anyone, without an account, reads the
// notices running in a county and may object to one. A notice shows the head of household's
// name, the village, the number of covered people, the monthly amount, the category and
// its period; nothing else about the case or the household ever leaves through here, so
// the public types below are separate from the staff's and list their columns one by one.

// PhoneField is the field name public objectors' phones are sealed under.
const PhoneField = "case_objection.phone"

// PublicCounty is a county whose portal can be opened.
type PublicCounty struct {
	Code string `json:"code" db:"code"`
	Name string `json:"name" db:"name"`
}

// PublicDivision is a township or village, to narrow the list.
type PublicDivision struct {
	Code string `json:"code" db:"code"`
	Name string `json:"name" db:"name"`
}

// PublicNotice is a running notice as the public sees it.
type PublicNotice struct {
	ID               int64      `json:"id" db:"id"`
	DivisionCode     string     `json:"division_code" db:"division_code"` // the village's code
	TownshipName     string     `json:"township_name" db:"township_name"`
	VillageName      string     `json:"village_name" db:"village_name"`
	HeadName         string     `json:"head_name" db:"head_name"`
	CoveredPeople    int        `json:"covered_people" db:"covered_people"`
	MonthlyAmountFen int64      `json:"monthly_amount_fen" db:"monthly_amount_fen"`
	Category         string     `json:"category" db:"category"`
	StartsOn         civil.Date `json:"starts_on" db:"starts_on"`
	EndsOn           civil.Date `json:"ends_on" db:"ends_on"`
	Text             string     `json:"text" db:"text"` // built from the fields above alone (NoticeText)
}

// PublicNoticePage is one page of a county's running notices, newest first. Villages are
// those with a running notice, for the filter.
type PublicNoticePage struct {
	County     PublicCounty     `json:"county"`
	Today      civil.Date       `json:"today"`
	Villages   []PublicDivision `json:"villages"`
	Items      []PublicNotice   `json:"items"`
	NextCursor string           `json:"next_cursor"`
}

func errCountyNotFound(code string) error {
	return httpx.Msg(http.StatusNotFound, "county_not_found", fmt.Sprintf("没有区划代码为 %s 的县（市、区）", code),
		fmt.Sprintf("There is no county with the code %s", code))
}

func errNoticeNotFound() error {
	return httpx.Msg(http.StatusNotFound, "notice_not_found", "公示不存在，请刷新公示列表后重试",
		"No such notice; reload the list of notices and try again")
}

func errNoticeClosed() error {
	return httpx.Msg(http.StatusConflict, "notice_closed",
		"该公示已不在公示期内，不再受理网上异议；如有情况请向村（居）民委员会或乡镇人民政府（街道办事处）反映",
		"This notice is not running now, so objections to it are no longer taken online; "+
			"please contact the village committee or the township government")
}

// Counties lists the counties with a portal.
func (s *Service) Counties(ctx context.Context) ([]PublicCounty, error) {
	out := []PublicCounty{}
	// Division names and codes are public: their table is readable in every scope.
	err := db.WithScope(ctx, s.db, db.Scope{}, func(tx *sqlx.Tx) error {
		if err := tx.SelectContext(ctx, &out, `SELECT code, name FROM divisions
			WHERE level = 'county' AND status = 'active' ORDER BY code`); err != nil {
			return fmt.Errorf("casework: public counties: %w", err)
		}
		return nil
	})
	return out, err
}

// County names a county of the portal: 404 for one that does not exist.
func (s *Service) County(ctx context.Context, code string) (PublicCounty, error) {
	if !countyPattern.MatchString(code) {
		return PublicCounty{}, errCountyNotFound(code)
	}
	var out PublicCounty
	err := db.WithScope(ctx, s.db, db.CountyScope(code), func(tx *sqlx.Tx) error {
		var err error
		out, err = county(ctx, tx, code)
		return err
	})
	return out, err
}

func county(ctx context.Context, tx *sqlx.Tx, code string) (PublicCounty, error) {
	var out PublicCounty
	if err := tx.GetContext(ctx, &out, `SELECT code, name FROM divisions WHERE code = $1 AND level = 'county' AND status = 'active'`,
		code); err != nil {
		if db.IsNotFound(err) {
			return out, errCountyNotFound(code)
		}
		return out, fmt.Errorf("casework: county %s: %w", code, err)
	}
	return out, nil
}

// PublicNotices lists the notices running today in a county, or in one of its townships
// or villages (division), newest first, in the county's scope. after is the
// next_cursor of the page before; limit 1–200, 50 by default.
func (s *Service) PublicNotices(ctx context.Context, code, division, after, rawLimit string) (PublicNoticePage, error) {
	if !countyPattern.MatchString(code) {
		return PublicNoticePage{}, errCountyNotFound(code)
	}
	if division == "" {
		division = code
	}
	if !divisionPattern.MatchString(division) || !strings.HasPrefix(division, code) {
		return PublicNoticePage{}, invalid("division", fmt.Sprintf("区划代码 %s 不是本县的乡镇或村（社区）", division),
			fmt.Sprintf("%s is not the code of a township or village of this county", division))
	}
	limit, err := parseLimit(rawLimit)
	if err != nil {
		return PublicNoticePage{}, err
	}
	var afterID int64
	if after != "" {
		if afterID, err = strconv.ParseInt(after, 10, 64); err != nil || afterID <= 0 {
			return PublicNoticePage{}, invalid("after", "分页游标无效", "Invalid page cursor")
		}
	}
	today := s.today()
	out := PublicNoticePage{Today: today, Villages: []PublicDivision{}, Items: []PublicNotice{}}
	// Running: open (neither objected to nor decided) and today within its period.
	const running = `n.county_code = $1 AND n.status = 'open' AND n.starts_on <= $2 AND n.ends_on >= $2`
	err = db.WithScope(ctx, s.db, db.CountyScope(code), func(tx *sqlx.Tx) error {
		if out.County, err = county(ctx, tx, code); err != nil {
			return err
		}
		if division != code {
			var n int
			if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM divisions WHERE code = $1 AND county_code = $2`,
				division, code); err != nil {
				return fmt.Errorf("casework: division %s: %w", division, err)
			}
			if n == 0 {
				return httpx.Msg(http.StatusNotFound, "division_not_found", fmt.Sprintf("本县没有区划代码为 %s 的乡镇或村（社区）", division),
					fmt.Sprintf("This county has no township or village with the code %s", division))
			}
		}
		if err := tx.SelectContext(ctx, &out.Villages, `SELECT DISTINCT n.division_code AS code, n.village_name AS name
			FROM case_notices n WHERE `+running+` ORDER BY 1`, code, today); err != nil {
			return fmt.Errorf("casework: public notice villages of %s: %w", code, err)
		}
		if err := tx.SelectContext(ctx, &out.Items, `SELECT n.id, n.division_code, coalesce(t.name, '') AS township_name,
				n.village_name, n.head_name, n.covered_people, n.monthly_amount_fen, n.category, n.starts_on, n.ends_on, n.text
			FROM case_notices n LEFT JOIN divisions t ON t.code = left(n.division_code, 9)
			WHERE `+running+` AND n.division_code >= $3 AND n.division_code < $3 || '~' AND ($4::bigint = 0 OR n.id < $4::bigint)
			ORDER BY n.id DESC LIMIT $5`, code, today, division, afterID, limit+1); err != nil {
			return fmt.Errorf("casework: public notices of %s: %w", division, err)
		}
		return nil
	})
	if err != nil {
		return PublicNoticePage{}, err
	}
	if len(out.Items) > limit {
		out.Items = out.Items[:limit]
		out.NextCursor = strconv.FormatInt(out.Items[limit-1].ID, 10)
	}
	return out, nil
}

// publicParts is what only an objection from the portal stores.
type publicParts struct {
	PhoneEnc    []byte
	PhoneMasked string
	Receipt     string
}

var (
	mobilePattern   = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	landlinePattern = regexp.MustCompile(`^0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}$`)
)

// check trims the objection and checks it, naming the fields as the portal's form does
// (name, phone, content).
func (in *PublicObjection) check() error {
	if err := checkObjection(&in.Content, &in.Objector); err != nil {
		var he *httpx.Error
		if errors.As(err, &he) && he.Details["field"] == "objector" {
			return invalid("name", "姓名最多 50 个字", "name is at most 50 characters")
		}
		return err
	}
	in.Phone = strings.ReplaceAll(strings.TrimSpace(in.Phone), " ", "")
	if in.Phone != "" && !mobilePattern.MatchString(in.Phone) && !landlinePattern.MatchString(in.Phone) {
		return invalid("phone", "联系电话须为 11 位手机号，或带区号的固定电话（如 0572-5012345），也可以不填",
			"phone must be an 11-digit mobile number or a landline with its area code (e.g. 0572-5012345), or left empty")
	}
	return nil
}

// CheckPublicObjection checks an objection's fields before anything else is done with
// it (the portal counts only well-formed objections against an address's limit).
func CheckPublicObjection(in PublicObjection) error { return in.check() }

// sealPublic encrypts the phone and draws the receipt code.
func (s *Service) sealPublic(in PublicObjection, today civil.Date) (publicParts, error) {
	var out publicParts
	if in.Phone != "" {
		if s.box == nil {
			return out, errors.New("casework: no key to seal an objector's phone")
		}
		enc, err := s.box.Seal(PhoneField, in.Phone)
		if err != nil {
			return out, fmt.Errorf("casework: seal objector's phone: %w", err)
		}
		out.PhoneEnc, out.PhoneMasked = enc, secure.MaskPhone(in.Phone)
	}
	code, err := receiptCode(today)
	if err != nil {
		return out, err
	}
	out.Receipt = code
	return out, nil
}

// receiptAlphabet is Crockford's base 32: no I, L, O or U to misread when quoted aloud.
const receiptAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// receiptCode is YY (异议), the day, and 6 random characters: YY20260511-K7M2QX. Random, so
// that one receipt says nothing about how many others there are; unique per county (a
// clash, about one in a billion per day, fails the objection rather than sharing a code).
func receiptCode(day civil.Date) (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("casework: receipt code: %w", err)
	}
	out := make([]byte, len(b))
	for i, v := range b {
		out[i] = receiptAlphabet[int(v)%len(receiptAlphabet)]
	}
	return fmt.Sprintf("YY%04d%02d%02d-%s", day.Year, day.Month, day.Day, out), nil
}
