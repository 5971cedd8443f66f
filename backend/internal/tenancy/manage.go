package tenancy

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

// A county administrator's changes to the townships and villages of their county. Each
// change is checked (scope, then permission, then the rules of the tree), written with its
// history row and its audit row in one transaction, or not at all.

// AddRequest adds a township under a county or a village under a township.
type AddRequest struct {
	ParentCode     string `json:"parent_code"`
	Code           string `json:"code"`
	Name           string `json:"name"`
	UrbanRuralType string `json:"urban_rural_type,omitempty"` // villages only
}

// UpdateRequest renames a township or village, or changes a village's urban-rural type.
type UpdateRequest struct {
	Name           *string `json:"name,omitempty"`
	UrbanRuralType *string `json:"urban_rural_type,omitempty"`
	Reason         string  `json:"reason,omitempty"`
}

// StatusRequest is the optional body of retire and reactivate.
type StatusRequest struct {
	Reason string `json:"reason,omitempty"`
}

const maxReasonLength = 200

// Add creates a township or a village in p's county.
func (s *Service) Add(ctx context.Context, p access.Principal, req AddRequest) (Division, error) {
	parent := strings.TrimSpace(req.ParentCode)
	code := strings.TrimSpace(req.Code)
	parentLevel := LevelOfCode(parent)
	switch {
	case parent == "":
		return Division{}, httpx.Invalid("parent_code", "请选择上级区划", "Choose the parent division")
	case parentLevel == "":
		return Division{}, httpx.Invalid("parent_code",
			fmt.Sprintf("上级区划代码 %s 格式不正确", parent), fmt.Sprintf("Parent division code %s is malformed", parent))
	case parentLevel != LevelCounty && parentLevel != LevelTownship:
		return Division{}, httpx.Invalid("parent_code",
			fmt.Sprintf("上级区划 %s 是%s级，只能在县（市、区）下添加乡镇（街道），或在乡镇（街道）下添加村（社区）", parent, levelZH(parentLevel)),
			fmt.Sprintf("Parent %s is a %s; add townships under a county and villages under a township", parent, parentLevel))
	}
	if err := s.canManage(ctx, p, parent); err != nil {
		return Division{}, err
	}
	level := ChildLevel(parentLevel)
	if err := checkChildCode(code, parent, level); err != nil {
		return Division{}, err
	}
	name, err := checkName("name", req.Name)
	if err != nil {
		return Division{}, err
	}
	urbanRural := strings.TrimSpace(req.UrbanRuralType)
	if err := checkUrbanRural(level, urbanRural); err != nil {
		return Division{}, err
	}
	county := access.CountyOf(code)
	a := actorOf(ctx, p)
	var out Division
	err = db.WithScope(ctx, s.db, s.scopeFor(ctx, p, parent), func(tx *sqlx.Tx) error {
		pd, err := getDivisionForUpdate(ctx, tx, parent)
		if db.IsNotFound(err) {
			return notFound(parent)
		} else if err != nil {
			return err
		}
		if pd.Retired() {
			return httpx.Msg(http.StatusConflict, "parent_retired",
				fmt.Sprintf("上级区划「%s」（%s）已撤销，不能在其下添加区划", pd.Name, pd.Code),
				fmt.Sprintf("The parent division %s (%s) is retired; nothing can be added under it", pd.Name, pd.Code))
		}
		if existing, err := getDivision(ctx, tx, code); err == nil {
			return duplicate(existing)
		} else if !db.IsNotFound(err) {
			return err
		}
		now := s.now()
		if err := insertDivisions(ctx, tx, []newDivision{{Code: code, Level: level, Parent: parent, County: county,
			Name: name, UrbanRural: urbanRural}}, now); isUniqueViolation(err) {
			return duplicate(Division{Code: code, Name: name}) // added by someone else a moment ago
		} else if err != nil {
			return err
		}
		after := fields(name, urbanRural, level)
		after["parent_code"] = parent
		if err := insertHistory(ctx, tx, []historyRow{a.history(county, code, "add", nil, after, "")}, now); err != nil {
			return err
		}
		if err := a.audit(ctx, tx, county, code, "division.add", map[string]any{"after": after}); err != nil {
			return err
		}
		out, err = getDivision(ctx, tx, code)
		return err
	})
	return out, err
}

// Update renames a township or village, or changes a village's urban-rural type.
func (s *Service) Update(ctx context.Context, p access.Principal, code string, req UpdateRequest) (Division, error) {
	level := LevelOfCode(code)
	if level == "" {
		return Division{}, notFound(code)
	}
	if err := s.canManage(ctx, p, code); err != nil {
		return Division{}, err
	}
	if req.Name == nil && req.UrbanRuralType == nil {
		return Division{}, httpx.Invalid("name", "请填写新的名称或城乡分类代码", "Give a new name or urban-rural type")
	}
	reason, err := checkReason(req.Reason)
	if err != nil {
		return Division{}, err
	}
	var out Division
	a := actorOf(ctx, p)
	err = db.WithScope(ctx, s.db, s.scopeFor(ctx, p, code), func(tx *sqlx.Tx) error {
		d, err := s.lockEditable(ctx, tx, code)
		if err != nil {
			return err
		}
		if d.Retired() {
			return httpx.Msg(http.StatusConflict, "division_retired",
				fmt.Sprintf("「%s」（%s）已撤销，请先恢复再修改", d.Name, d.Code),
				fmt.Sprintf("%s (%s) is retired; reactivate it before changing it", d.Name, d.Code))
		}
		name, urbanRural := d.Name, d.UrbanRuralType
		if req.Name != nil {
			if name, err = checkName("name", *req.Name); err != nil {
				return err
			}
		}
		if req.UrbanRuralType != nil {
			urbanRural = strings.TrimSpace(*req.UrbanRuralType)
			if err := checkUrbanRural(d.Level, urbanRural); err != nil {
				return err
			}
		}
		before, after := map[string]any{}, map[string]any{}
		if name != d.Name {
			before["name"], after["name"] = d.Name, name
		}
		if urbanRural != d.UrbanRuralType {
			before["urban_rural_type"], after["urban_rural_type"] = d.UrbanRuralType, urbanRural
		}
		if len(after) == 0 {
			out = d // nothing changes, nothing to record
			return nil
		}
		now := s.now()
		if err := updateDivision(ctx, tx, code, name, urbanRural, now); err != nil {
			return err
		}
		if err := insertHistory(ctx, tx, []historyRow{a.history(d.CountyCode, code, "update", before, after, reason)}, now); err != nil {
			return err
		}
		if err := a.audit(ctx, tx, d.CountyCode, code, "division.update",
			map[string]any{"before": before, "after": after, "reason": reason}); err != nil {
			return err
		}
		out, err = getDivision(ctx, tx, code)
		return err
	})
	return out, err
}

// Retire marks a township or village as retired (已撤销). It stays in the tree with its
// history; one with active children cannot be retired.
func (s *Service) Retire(ctx context.Context, p access.Principal, code string, req StatusRequest) (Division, error) {
	return s.setStatus(ctx, p, code, req, StatusRetired)
}

// Reactivate brings a retired township or village back; its parent must be active.
func (s *Service) Reactivate(ctx context.Context, p access.Principal, code string, req StatusRequest) (Division, error) {
	return s.setStatus(ctx, p, code, req, StatusActive)
}

func (s *Service) setStatus(ctx context.Context, p access.Principal, code string, req StatusRequest, status string) (Division, error) {
	if LevelOfCode(code) == "" {
		return Division{}, notFound(code)
	}
	if err := s.canManage(ctx, p, code); err != nil {
		return Division{}, err
	}
	reason, err := checkReason(req.Reason)
	if err != nil {
		return Division{}, err
	}
	action := "retire"
	if status == StatusActive {
		action = "reactivate"
	}
	var out Division
	a := actorOf(ctx, p)
	err = db.WithScope(ctx, s.db, s.scopeFor(ctx, p, code), func(tx *sqlx.Tx) error {
		d, err := s.lockEditable(ctx, tx, code)
		if err != nil {
			return err
		}
		if d.Status == status {
			if status == StatusRetired {
				return httpx.Msg(http.StatusConflict, "already_retired",
					fmt.Sprintf("「%s」（%s）已经撤销", d.Name, d.Code), fmt.Sprintf("%s (%s) is already retired", d.Name, d.Code))
			}
			return httpx.Msg(http.StatusConflict, "not_retired",
				fmt.Sprintf("「%s」（%s）未撤销，无需恢复", d.Name, d.Code), fmt.Sprintf("%s (%s) is not retired", d.Name, d.Code))
		}
		if status == StatusRetired {
			n, err := activeChildren(ctx, tx, code)
			if err != nil {
				return err
			}
			if n > 0 {
				return httpx.Msg(http.StatusConflict, "has_active_children",
					fmt.Sprintf("「%s」下还有 %d 个未撤销的下级区划，请先撤销或调整它们", d.Name, n),
					fmt.Sprintf("%s still has %d active divisions below it; retire or move them first", d.Name, n))
			}
		} else {
			pd, err := getDivisionForUpdate(ctx, tx, d.ParentCode)
			if err != nil {
				return err
			}
			if pd.Retired() {
				return httpx.Msg(http.StatusConflict, "parent_retired",
					fmt.Sprintf("上级区划「%s」（%s）已撤销，请先恢复上级区划", pd.Name, pd.Code),
					fmt.Sprintf("The parent division %s (%s) is retired; reactivate it first", pd.Name, pd.Code))
			}
		}
		now := s.now()
		var retiredAt = &now
		if status == StatusActive {
			retiredAt = nil
		}
		if err := setStatus(ctx, tx, code, status, retiredAt, now); err != nil {
			return err
		}
		before, after := map[string]any{"status": d.Status}, map[string]any{"status": status}
		if err := insertHistory(ctx, tx, []historyRow{a.history(d.CountyCode, code, action, before, after, reason)}, now); err != nil {
			return err
		}
		if err := a.audit(ctx, tx, d.CountyCode, code, "division."+action,
			map[string]any{"before": before, "after": after, "reason": reason, "name": d.Name}); err != nil {
			return err
		}
		out, err = getDivision(ctx, tx, code)
		return err
	})
	return out, err
}

// lockEditable locks a township or village for a change; counties and above are the
// platform's to provision and cannot be changed here.
func (s *Service) lockEditable(ctx context.Context, tx *sqlx.Tx, code string) (Division, error) {
	d, err := getDivisionForUpdate(ctx, tx, code)
	if db.IsNotFound(err) {
		return d, notFound(code)
	} else if err != nil {
		return d, err
	}
	if d.Level != LevelTownship && d.Level != LevelVillage {
		return d, httpx.Msg(http.StatusUnprocessableEntity, "division_not_editable",
			fmt.Sprintf("「%s」是%s级区划，由平台管理；这里只能修改乡镇（街道）和村（社区）", d.Name, levelZH(d.Level)),
			fmt.Sprintf("%s is a %s, which the platform manages; only townships and villages can be changed here", d.Name, d.Level))
	}
	return d, nil
}

// checkChildCode checks the code of a new division of level under parent.
func checkChildCode(code, parent, level string) error {
	if code == "" {
		return httpx.Invalid("code", "区划代码不能为空", "The division code is required")
	}
	valid, digits := ValidTownshipCode(code), 9
	if level == LevelVillage {
		valid, digits = ValidVillageCode(code), 12
	}
	if !valid {
		return httpx.Invalid("code",
			fmt.Sprintf("区划代码 %s 格式不正确：%s级代码应为 %d 位数字，且末 3 位不能全为 0", code, levelZH(level), digits),
			fmt.Sprintf("Division code %s is malformed: a %s code has %d digits and its last 3 are not all zero", code, level, digits))
	}
	if !strings.HasPrefix(code, parent) {
		return httpx.Invalid("code",
			fmt.Sprintf("区划代码 %s 必须以上级区划代码 %s 开头", code, parent),
			fmt.Sprintf("Division code %s must start with its parent's code %s", code, parent))
	}
	return nil
}

// checkName trims a name and refuses an empty, too long or unprintable one.
func checkName(field, raw string) (string, error) {
	name, problem := CleanName(raw)
	switch problem {
	case nameEmpty:
		return "", httpx.Invalid(field, "名称不能为空", "The name is required")
	case nameTooLong:
		return "", httpx.Invalid(field, fmt.Sprintf("名称最多 %d 个字", MaxNameLength), fmt.Sprintf("The name may have at most %d characters", MaxNameLength))
	case nameControl:
		return "", httpx.Invalid(field, "名称含有不可见的控制字符", "The name contains control characters")
	}
	return name, nil
}

// checkUrbanRural: villages carry a valid urban-rural type, nothing else carries one.
func checkUrbanRural(level, code string) error {
	if level != LevelVillage {
		if code != "" {
			return httpx.Invalid("urban_rural_type", "只有村（社区）填写城乡分类代码", "Only villages have an urban-rural type")
		}
		return nil
	}
	if code == "" {
		return httpx.Invalid("urban_rural_type", "村（社区）必须填写城乡分类代码", "A village needs an urban-rural type")
	}
	if _, ok := UrbanRuralTypes[code]; !ok {
		return httpx.Invalid("urban_rural_type",
			fmt.Sprintf("城乡分类代码 %s 无效，应为 111、112、121、122、123、210 或 220", code),
			fmt.Sprintf("Urban-rural type %s is not valid; use 111, 112, 121, 122, 123, 210 or 220", code))
	}
	return nil
}

func checkReason(raw string) (string, error) {
	reason := strings.TrimSpace(raw)
	if utf8.RuneCountInString(reason) > maxReasonLength {
		return "", httpx.Invalid("reason", fmt.Sprintf("说明最多 %d 个字", maxReasonLength),
			fmt.Sprintf("The reason may have at most %d characters", maxReasonLength))
	}
	return reason, nil
}

func duplicate(existing Division) error {
	zh := fmt.Sprintf("区划代码 %s 已存在（%s）", existing.Code, existing.Name)
	en := fmt.Sprintf("Division code %s already exists (%s)", existing.Code, existing.Name)
	if existing.Retired() {
		zh += "，该区划已撤销，可以恢复它"
		en += "; it is retired and can be reactivated"
	}
	return httpx.Msg(http.StatusConflict, "division_exists", zh, en).WithDetails(map[string]any{"field": "code"})
}

// fields are a division's editable values, for history and audit rows.
func fields(name, urbanRural, level string) map[string]any {
	m := map[string]any{"name": name, "level": level}
	if urbanRural != "" {
		m["urban_rural_type"] = urbanRural
	}
	return m
}

func levelZH(level string) string {
	switch level {
	case LevelPlatform:
		return "平台"
	case LevelProvince:
		return "省"
	case LevelCity:
		return "市"
	case LevelCounty:
		return "县"
	case LevelTownship:
		return "乡镇"
	case LevelVillage:
		return "村"
	}
	return level
}
