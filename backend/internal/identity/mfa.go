package identity

import (
	"slices"

	"dibao/backend/internal/access"
)

// Keys of the county settings (table county_settings) that decide who needs a second factor.
// The staff package writes them; sign-in reads them with the account.
const (
	SettingMFAEnforced = "mfa_enforced"
	SettingMFARoles    = "mfa_roles"
)

// DefaultMFARoles need a second factor in every county (DESIGN.md 4.5: admins and approvers).
func DefaultMFARoles() []string { return []string{"platform_admin", "county_admin", "county_approver"} }

// MFAPolicy is one county's rule on second factors.
type MFAPolicy struct {
	// Enforced: an account that needs a second factor and has none may do nothing but enrol
	// one. Counties start enforced; the demo counties turn it off so that the demo accounts
	// sign in with their password alone (README).
	Enforced bool
	// ExtraRoles need a second factor besides DefaultMFARoles.
	ExtraRoles []string
}

// Requires reports whether an account holding roles needs a second factor.
func (m MFAPolicy) Requires(roles []access.Assignment) bool {
	for _, a := range roles {
		if slices.Contains(DefaultMFARoles(), a.RoleKey) || slices.Contains(m.ExtraRoles, a.RoleKey) {
			return true
		}
	}
	return false
}

// Standing is what an account must do before it may work. A session whose standing asks
// for something may call only the few endpoints that do it (RequireSession).
type Standing struct {
	MustChangePassword bool // a provisioned or reset password: change it first
	MFARequired        bool // one of its roles needs a second factor
	TOTPEnabled        bool
	MustEnrolTOTP      bool // required, enforced in the county and not yet enrolled
}

func standingOf(u User, roles []access.Assignment) Standing {
	st := Standing{MustChangePassword: u.MustChangePassword, TOTPEnabled: u.TOTPEnabled()}
	st.MFARequired = u.Policy().Requires(roles)
	st.MustEnrolTOTP = st.MFARequired && !st.TOTPEnabled && u.MFAEnforced
	return st
}

// Restricted reports whether the session may only do what its standing asks.
func (s Standing) Restricted() bool { return s.MustChangePassword || s.MustEnrolTOTP }
