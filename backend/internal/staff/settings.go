package staff

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

// A county's security settings are the security administrator's (security:manage), not the
// county administrator's: under the three-way split the one who manages accounts does not
// also decide how strongly they sign in.

// SecuritySettings is GET /counties/:code/settings/security.
type SecuritySettings struct {
	// MFAEnforced: accounts whose roles need a second factor must enrol one before they may
	// work (default true).
	MFAEnforced bool `json:"mfa_enforced"`
	// MFARoles need a second factor besides DefaultMFARoles.
	MFARoles        []string   `json:"mfa_roles"`
	DefaultMFARoles []string   `json:"default_mfa_roles"`
	UpdatedAt       *time.Time `json:"updated_at,omitempty"`
}

// SecuritySettingsUpdate is the body of PUT /counties/:code/settings/security; absent
// fields stay as they are.
type SecuritySettingsUpdate struct {
	MFAEnforced *bool     `json:"mfa_enforced,omitempty"`
	MFARoles    *[]string `json:"mfa_roles,omitempty"`
}

// countySettingsScope checks that code is a county the caller may set the security of:
// 404 when it is not a county they see, 403 without security:manage.
func (s *Service) countySettingsScope(ctx context.Context, p access.Principal, code string) error {
	if len(code) != 6 || !divisionPattern.MatchString(code) || !access.Sees(p, code) {
		return httpx.Msg(http.StatusNotFound, "county_not_found", "县（区）不存在或不在您的管辖范围内",
			"No such county, or it is outside your area")
	}
	return s.guard.Require(ctx, p, code, "security", code, "manage")
}

func readSecuritySettings(ctx context.Context, q sqlx.QueryerContext, county string) (SecuritySettings, error) {
	rows, err := loadSettings(ctx, q, county, identity.SettingMFAEnforced, identity.SettingMFARoles)
	if err != nil {
		return SecuritySettings{}, err
	}
	out := SecuritySettings{MFAEnforced: true, MFARoles: []string{}, DefaultMFARoles: identity.DefaultMFARoles()}
	for _, r := range rows {
		var err error
		switch r.Key {
		case identity.SettingMFAEnforced:
			err = json.Unmarshal(r.Value, &out.MFAEnforced)
		case identity.SettingMFARoles:
			err = json.Unmarshal(r.Value, &out.MFARoles)
		}
		if err != nil {
			return out, err
		}
		if t := r.UpdatedAt; out.UpdatedAt == nil || t.After(*out.UpdatedAt) {
			out.UpdatedAt = &t
		}
	}
	return out, nil
}

// SecuritySettings reads a county's second-factor settings.
func (s *Service) SecuritySettings(ctx context.Context, p access.Principal, county string) (SecuritySettings, error) {
	if err := s.countySettingsScope(ctx, p, county); err != nil {
		return SecuritySettings{}, err
	}
	var out SecuritySettings
	err := db.WithScope(ctx, s.db, db.CountyScope(county), func(tx *sqlx.Tx) error {
		var err error
		out, err = readSecuritySettings(ctx, tx, county)
		return err
	})
	if err == nil {
		s.invalidate(ctx, county) // whether a role needs a second factor is part of a principal's standing
	}
	return out, err
}

// UpdateSecuritySettings changes a county's second-factor settings. Every role key must
// exist; platform_admin is no county's to set, and the default roles always need it anyway.
func (s *Service) UpdateSecuritySettings(ctx context.Context, p access.Principal, county string, req SecuritySettingsUpdate,
	meta identity.Meta) (SecuritySettings, error) {
	if err := s.countySettingsScope(ctx, p, county); err != nil {
		return SecuritySettings{}, err
	}
	var out SecuritySettings
	err := db.WithScope(ctx, s.db, db.CountyScope(county), func(tx *sqlx.Tx) error {
		roles, err := loadRoles(ctx, tx)
		if err != nil {
			return err
		}
		before, err := readSecuritySettings(ctx, tx, county)
		if err != nil {
			return err
		}
		after := before
		if req.MFARoles != nil {
			list := []string{}
			for _, key := range *req.MFARoles {
				key = strings.TrimSpace(key)
				r, ok := roles[key]
				if !ok {
					return errUnknownRole("mfa_roles", key)
				}
				if r.Level == "platform" {
					return httpx.Invalid("mfa_roles", "平台管理员不属于县，不能在这里设置", "The platform administrator belongs to no county and cannot be set here")
				}
				if !slices.Contains(identity.DefaultMFARoles(), key) && !slices.Contains(list, key) {
					list = append(list, key)
				}
			}
			slices.Sort(list)
			after.MFARoles = list
		}
		if req.MFAEnforced != nil {
			after.MFAEnforced = *req.MFAEnforced
		}
		detail := audit.Changes(
			map[string]any{"mfa_enforced": before.MFAEnforced, "mfa_roles": before.MFARoles},
			map[string]any{"mfa_enforced": after.MFAEnforced, "mfa_roles": after.MFARoles})
		if detail == nil {
			out = before
			return nil
		}
		if !slices.Equal(before.MFARoles, after.MFARoles) {
			if err := saveSetting(ctx, tx, county, identity.SettingMFARoles, after.MFARoles, p.UserID); err != nil {
				return err
			}
		}
		if before.MFAEnforced != after.MFAEnforced {
			if err := saveSetting(ctx, tx, county, identity.SettingMFAEnforced, after.MFAEnforced, p.UserID); err != nil {
				return err
			}
		}
		if err := audit.Write(ctx, tx, audit.Entry{
			ActorID: p.UserID, ActorName: p.Username, CountyCode: county, DivisionCode: county,
			Action: "county.security_settings_update", ObjectType: "county_settings", ObjectID: county, Outcome: audit.Success,
			RequestID: meta.RequestID, ClientIP: meta.ClientIP, Detail: detail,
		}); err != nil {
			return err
		}
		out, err = readSecuritySettings(ctx, tx, county)
		return err
	})
	if err == nil {
		s.invalidate(ctx, county) // whether a role needs a second factor is part of a principal's standing
	}
	return out, err
}
