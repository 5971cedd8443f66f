package tenancy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"dibao/backend/internal/access"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

// ProvisionRequest makes a county a tenant. The province and city names are needed only
// when those divisions do not exist yet.
type ProvisionRequest struct {
	Code         string `json:"code"`
	Name         string `json:"name"`
	CityName     string `json:"city_name,omitempty"`
	ProvinceName string `json:"province_name,omitempty"`
}

// Provisioned is the answer to a provisioning.
type Provisioned struct {
	County          Division `json:"county"`
	CreatedProvince bool     `json:"created_province"`
	CreatedCity     bool     `json:"created_city"`
}

// ProvisionCounty creates a county tenant, and its province and city if missing. The
// province and city are written in the platform's scope (they belong to no county), the
// county in its own; all in one transaction. An existing county answers 409.
func (s *Service) ProvisionCounty(ctx context.Context, p access.Principal, req ProvisionRequest) (Provisioned, error) {
	code := strings.TrimSpace(req.Code)
	if err := s.guard.Require(ctx, p, PlatformCode, "county", code, "provision"); err != nil {
		return Provisioned{}, err
	}
	if code == "" {
		return Provisioned{}, httpx.Invalid("code", "县级区划代码不能为空", "The county code is required")
	}
	if !ValidCountyCode(code) {
		return Provisioned{}, httpx.Invalid("code",
			fmt.Sprintf("县级区划代码 %s 格式不正确：应为 6 位数字，省、市、县三段都不能为 00", code),
			fmt.Sprintf("County code %s is malformed: it has 6 digits and none of its province, city and county parts is 00", code))
	}
	name, err := checkName("name", req.Name)
	if err != nil {
		return Provisioned{}, err
	}
	provinceCode, cityCode := code[:2], code[:4]
	var out Provisioned
	a := actorOf(ctx, p)
	err = db.WithScope(ctx, s.db, db.CountyScope(PlatformCode), func(tx *sqlx.Tx) error {
		have, err := existingCodes(ctx, tx, []string{provinceCode, cityCode, code})
		if err != nil {
			return err
		}
		if d, ok := have[code]; ok {
			return httpx.Msg(http.StatusConflict, "county_exists",
				fmt.Sprintf("县 %s（%s）已开通", d.Code, d.Name), fmt.Sprintf("County %s (%s) is already provisioned", d.Code, d.Name)).
				WithDetails(map[string]any{"field": "code"})
		}
		var above []newDivision
		if _, ok := have[provinceCode]; !ok {
			pname, err := needName("province_name", req.ProvinceName, "省级区划", "province", provinceCode)
			if err != nil {
				return err
			}
			above = append(above, newDivision{Code: provinceCode, Level: LevelProvince, Name: pname})
			out.CreatedProvince = true
		}
		if _, ok := have[cityCode]; !ok {
			cname, err := needName("city_name", req.CityName, "市级区划", "city", cityCode)
			if err != nil {
				return err
			}
			above = append(above, newDivision{Code: cityCode, Level: LevelCity, Parent: provinceCode, Name: cname})
			out.CreatedCity = true
		}
		now := s.now()
		if err := insertDivisions(ctx, tx, above, now); err != nil {
			return conflictOr(err, code)
		}
		detail := map[string]any{"code": code, "name": name, "created_province": out.CreatedProvince, "created_city": out.CreatedCity}
		if err := a.audit(ctx, tx, PlatformCode, PlatformCode, "county.provision", detail); err != nil {
			return err
		}
		// The county itself is written in its own scope, as the divisions policy requires.
		if err := db.SetScope(ctx, tx, db.CountyScope(code)); err != nil {
			return err
		}
		if err := insertDivisions(ctx, tx, []newDivision{{Code: code, Level: LevelCounty, Parent: cityCode, County: code, Name: name}}, now); err != nil {
			return conflictOr(err, code)
		}
		after := fields(name, "", LevelCounty)
		if err := insertHistory(ctx, tx, []historyRow{a.history(code, code, "provision", nil, after, "")}, now); err != nil {
			return err
		}
		if err := a.audit(ctx, tx, code, code, "county.provision", detail); err != nil {
			return err
		}
		out.County, err = getDivision(ctx, tx, code)
		return err
	})
	return out, err
}

func needName(field, raw, zhWhat, enWhat, code string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", httpx.Invalid(field,
			fmt.Sprintf("%s %s 尚不存在，请填写它的名称", zhWhat, code),
			fmt.Sprintf("The %s %s does not exist yet; give its name", enWhat, code))
	}
	return checkName(field, raw)
}

// conflictOr turns a unique violation (another provisioning won the race) into a 409.
func conflictOr(err error, code string) error {
	if isUniqueViolation(err) {
		return httpx.Msg(http.StatusConflict, "county_exists",
			fmt.Sprintf("县 %s 已开通", code), fmt.Sprintf("County %s is already provisioned", code)).
			WithDetails(map[string]any{"field": "code"})
	}
	return err
}

func isUniqueViolation(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "23505"
}
