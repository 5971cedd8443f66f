package identity

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

// The second factor's use cases: finishing a sign-in with a code, and enrolling, confirming
// and removing one's own authenticator.

func errMFATicket() error {
	return httpx.Msg(http.StatusUnauthorized, "mfa_token_invalid",
		"验证已过期，请重新输入用户名和密码", "The sign-in has expired; please enter your username and password again")
}

func errWrongCode(status int) *httpx.Error {
	return httpx.Msg(status, "invalid_totp_code", "动态验证码或恢复码不正确", "The verification code or recovery code is incorrect").
		WithDetails(map[string]any{"field": "code"})
}

// LoginTOTP finishes a sign-in whose password step answered with a ticket: one of code (from
// the authenticator) or recoveryCode. Wrong codes count toward the password lockout.
func (s *Service) LoginTOTP(ctx context.Context, ticket, code, recoveryCode string, meta Meta) (string, Session, error) {
	code, recoveryCode = strings.TrimSpace(code), strings.TrimSpace(recoveryCode)
	if strings.TrimSpace(ticket) == "" {
		return "", Session{}, httpx.E(http.StatusBadRequest, "field_required", "mfa_token").WithDetails(map[string]any{"field": "mfa_token"})
	}
	if (code == "") == (recoveryCode == "") {
		return "", Session{}, httpx.Invalid("code", "请填写动态验证码（或一个恢复码）", "Enter the verification code (or one recovery code)")
	}
	if len(code) > 16 || len(recoveryCode) > 32 {
		return "", Session{}, errWrongCode(http.StatusUnauthorized)
	}
	userID, county, err := s.sessions.MFATicket(ctx, ticket)
	if errors.Is(err, ErrNoSession) {
		return "", Session{}, errMFATicket()
	}
	if err != nil {
		return "", Session{}, unavailable(err)
	}
	var user User
	var outcome error
	err = db.WithScope(ctx, s.db, db.CountyScope(county), func(tx *sqlx.Tx) error {
		u, err := loadUser(ctx, tx, county, userID, true)
		if db.IsNotFound(err) {
			outcome = errMFATicket()
			return nil
		}
		if err != nil {
			return err
		}
		if u.LockedUntil.Valid && u.LockedUntil.Time.After(s.now()) {
			outcome = lockedError(u.LockedUntil.Time)
			return s.audit(ctx, tx, u, "auth.login", audit.Denied, meta, map[string]any{"reason": "locked"})
		}
		if u.Status != "active" {
			outcome = httpx.E(http.StatusForbidden, "account_disabled")
			return s.audit(ctx, tx, u, "auth.login", audit.Denied, meta, map[string]any{"reason": "disabled"})
		}
		if !u.TOTPEnabled() { // reset by an administrator in the meantime: start again
			outcome = errMFATicket()
			return nil
		}
		how, ok, err := s.secondFactor(ctx, tx, u, code, recoveryCode)
		if err != nil {
			return err
		}
		if !ok {
			outcome, err = s.failedAttempt(ctx, tx, u, "wrong_"+how, errWrongCode(http.StatusUnauthorized), meta)
			return err
		}
		if err := clearFailures(ctx, tx, u); err != nil {
			return err
		}
		user = u
		return s.audit(ctx, tx, u, "auth.login", audit.Success, meta, map[string]any{"second_factor": how})
	})
	if err != nil {
		return "", Session{}, err
	}
	if outcome != nil {
		return "", Session{}, outcome
	}
	if err := s.sessions.DeleteMFATicket(ctx, ticket); err != nil {
		return "", Session{}, unavailable(err)
	}
	cookie, sess, err := s.sessions.Create(ctx, user.ID, user.CountyCode)
	if err != nil {
		return "", Session{}, unavailable(err)
	}
	return cookie, sess, nil
}

// secondFactor checks a TOTP code (once per step) or uses up a recovery code. how names
// which was tried, for the audit log.
func (s *Service) secondFactor(ctx context.Context, tx *sqlx.Tx, u User, code, recoveryCode string) (how string, ok bool, err error) {
	if code != "" {
		secret, err := s.box.Open(totpSecretField, u.TOTPSecretEnc)
		if err != nil {
			return "totp_code", false, err
		}
		step, match, err := matchTOTP(secret, code, s.now(), u.TOTPLastStep)
		if err != nil || !match {
			return "totp_code", false, err
		}
		ok, err := recordTOTPStep(ctx, tx, u, step)
		return "totp_code", ok, err
	}
	ok, err = useRecoveryCode(ctx, tx, u, s.box.Index(recoveryCodeField, normaliseRecoveryCode(recoveryCode)))
	return "recovery_code", ok, err
}

// TOTPStatus is the signed-in user's second factor as the account-security page shows it.
type TOTPStatus struct {
	Enabled           bool `json:"enabled"`
	Pending           bool `json:"pending"`  // enrolled but not confirmed yet
	Required          bool `json:"required"` // one of the user's roles needs it
	Enforced          bool `json:"enforced"` // the county makes such users enrol before working
	RecoveryCodesLeft int  `json:"recovery_codes_left"`
}

// TOTPEnrolment is a new secret, shown once: as a key URI for the QR code and as text.
type TOTPEnrolment struct {
	Secret     string `json:"secret"`
	OTPAuthURI string `json:"otpauth_uri"`
}

// TOTPConfirmation carries the recovery codes, shown once.
type TOTPConfirmation struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

// TOTPStatus reports the user's second factor.
func (s *Service) TOTPStatus(ctx context.Context, p access.Principal) (TOTPStatus, error) {
	var out TOTPStatus
	err := db.WithScope(ctx, s.db, db.CountyScope(p.CountyCode), func(tx *sqlx.Tx) error {
		u, err := loadUser(ctx, tx, p.CountyCode, p.UserID, false)
		if err != nil {
			return err
		}
		out = TOTPStatus{Enabled: u.TOTPEnabled(), Pending: !u.TOTPEnabled() && u.TOTPSecretEnc != nil,
			Required: u.Policy().Requires(p.Roles), Enforced: u.MFAEnforced, RecoveryCodesLeft: u.RecoveryLeft}
		return nil
	})
	return out, err
}

// EnrollTOTP makes a new secret for the user, to be confirmed with a first code. It
// replaces an unconfirmed one; an enabled one must be removed (or reset) first.
func (s *Service) EnrollTOTP(ctx context.Context, p access.Principal, meta Meta) (TOTPEnrolment, error) {
	secret, err := newTOTPSecret()
	if err != nil {
		return TOTPEnrolment{}, err
	}
	sealed, err := s.box.Seal(totpSecretField, secret)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	var outcome error
	err = db.WithScope(ctx, s.db, db.CountyScope(p.CountyCode), func(tx *sqlx.Tx) error {
		u, err := loadUser(ctx, tx, p.CountyCode, p.UserID, true)
		if err != nil {
			return err
		}
		if u.TOTPEnabled() {
			outcome = httpx.Msg(http.StatusConflict, "totp_already_enabled",
				"已绑定身份验证器；如需更换，请先解除绑定或请安全管理员重置", "An authenticator is already set up; remove it (or ask the security administrator to reset it) first")
			return nil
		}
		if err := setPendingTOTP(ctx, tx, u, sealed); err != nil {
			return err
		}
		return s.audit(ctx, tx, u, "auth.totp_enroll", audit.Success, meta, nil)
	})
	if err != nil {
		return TOTPEnrolment{}, err
	}
	if outcome != nil {
		return TOTPEnrolment{}, outcome
	}
	return TOTPEnrolment{Secret: secret, OTPAuthURI: otpauthURI(p.Username, secret)}, nil
}

// ConfirmTOTP turns the enrolled secret on once the user shows a code from it, and returns
// ten recovery codes (stored only as keyed hashes).
func (s *Service) ConfirmTOTP(ctx context.Context, p access.Principal, code string, meta Meta) (TOTPConfirmation, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return TOTPConfirmation{}, httpx.Invalid("code", "请填写身份验证器上显示的 6 位验证码", "Enter the 6-digit code shown by the authenticator app")
	}
	codes, err := newRecoveryCodes()
	if err != nil {
		return TOTPConfirmation{}, err
	}
	hashes := make([][]byte, len(codes))
	for i, c := range codes {
		hashes[i] = s.box.Index(recoveryCodeField, c)
	}
	var outcome error
	err = db.WithScope(ctx, s.db, db.CountyScope(p.CountyCode), func(tx *sqlx.Tx) error {
		u, err := loadUser(ctx, tx, p.CountyCode, p.UserID, true)
		if err != nil {
			return err
		}
		if u.TOTPEnabled() || u.TOTPSecretEnc == nil {
			outcome = httpx.Msg(http.StatusConflict, "totp_not_pending",
				"没有待确认的身份验证器，请先开始绑定", "There is no authenticator waiting for confirmation; start the set-up first")
			return nil
		}
		secret, err := s.box.Open(totpSecretField, u.TOTPSecretEnc)
		if err != nil {
			return err
		}
		step, ok, err := matchTOTP(secret, code, s.now(), u.TOTPLastStep)
		if err != nil {
			return err
		}
		if !ok {
			outcome = errWrongCode(http.StatusBadRequest)
			return s.audit(ctx, tx, u, "auth.totp_confirm", audit.Failure, meta, map[string]any{"reason": "wrong_code"})
		}
		if err := enableTOTP(ctx, tx, u, step, hashes); err != nil {
			return err
		}
		return s.audit(ctx, tx, u, "auth.totp_confirm", audit.Success, meta, map[string]any{"recovery_codes": len(codes)})
	})
	if err != nil {
		return TOTPConfirmation{}, err
	}
	if outcome != nil {
		return TOTPConfirmation{}, outcome
	}
	s.accountChanged(ctx, p.CountyCode) // the second factor is now set up
	return TOTPConfirmation{RecoveryCodes: codes}, nil
}

// DisableTOTP removes the user's own authenticator on a current code. A user whose role
// needs a second factor may not: only the security administrator's audited reset removes it.
func (s *Service) DisableTOTP(ctx context.Context, p access.Principal, code string, meta Meta) error {
	code = strings.TrimSpace(code)
	if code == "" {
		return httpx.Invalid("code", "请填写身份验证器上显示的 6 位验证码", "Enter the 6-digit code shown by the authenticator app")
	}
	var outcome error
	err := db.WithScope(ctx, s.db, db.CountyScope(p.CountyCode), func(tx *sqlx.Tx) error {
		u, err := loadUser(ctx, tx, p.CountyCode, p.UserID, true)
		if err != nil {
			return err
		}
		if !u.TOTPEnabled() {
			outcome = httpx.Msg(http.StatusConflict, "totp_not_enabled", "尚未绑定身份验证器", "No authenticator is set up")
			return nil
		}
		if u.Policy().Requires(p.Roles) {
			outcome = httpx.Msg(http.StatusForbidden, "totp_required",
				"您的角色必须使用动态验证码登录，不能解除绑定；如更换手机，请联系安全管理员重置",
				"Your role requires two-step sign-in, so it cannot be turned off; if you changed phones, ask the security administrator to reset it")
			return s.audit(ctx, tx, u, "auth.totp_disable", audit.Denied, meta, map[string]any{"reason": "required_for_role"})
		}
		_, ok, err := s.secondFactor(ctx, tx, u, code, "")
		if err != nil {
			return err
		}
		if !ok {
			outcome = errWrongCode(http.StatusBadRequest)
			return s.audit(ctx, tx, u, "auth.totp_disable", audit.Failure, meta, map[string]any{"reason": "wrong_code"})
		}
		if err := ClearTOTP(ctx, tx, u.CountyCode, u.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, u, "auth.totp_disable", audit.Success, meta, nil)
	})
	if err != nil {
		return err
	}
	if outcome == nil {
		s.accountChanged(ctx, p.CountyCode)
	}
	return outcome
}
