package identity

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"dibao/backend/internal/access"
	"dibao/backend/internal/platform/httpx"
)

// RFC 6238 appendix B, SHA-1 key "12345678901234567890", last six of the eight digits.
func TestTOTPMatchesRFC6238(t *testing.T) {
	secret := b32.EncodeToString([]byte("12345678901234567890"))
	for unix, want := range map[int64]string{59: "287082", 1111111109: "081804", 1111111111: "050471",
		1234567890: "005924", 2000000000: "279037", 20000000000: "353130"} {
		got, err := TOTPCode(secret, time.Unix(unix, 0))
		if err != nil || got != want {
			t.Errorf("T=%d: %s %v, want %s", unix, got, err, want)
		}
	}
}

func TestMatchTOTPWindowAndReplay(t *testing.T) {
	secret, err := newTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	step := totpStep(now)
	code := func(d time.Duration) string { c, _ := TOTPCode(secret, now.Add(d)); return c }
	for _, tc := range []struct {
		name     string
		code     string
		last     int64
		ok       bool
		wantStep int64
	}{
		{"this step", code(0), 0, true, step},
		{"one step late", code(-30 * time.Second), 0, true, step - 1},
		{"one step early", code(30 * time.Second), 0, true, step + 1},
		{"two steps late", code(-60 * time.Second), 0, false, 0},
		{"used already", code(0), step, false, 0},
		{"an earlier step after a later one", code(-30 * time.Second), step, false, 0},
		{"too short", "12345", 0, false, 0},
		{"spaces around", " " + code(0) + " ", 0, true, step},
	} {
		got, ok, err := matchTOTP(secret, tc.code, now, tc.last)
		if err != nil || ok != tc.ok || got != tc.wantStep {
			t.Errorf("%s: step %d ok %v err %v", tc.name, got, ok, err)
		}
	}
}

func TestOTPAuthURIAndRecoveryCodes(t *testing.T) {
	uri := otpauthURI("ax.admin", "JBSWY3DPEHPK3PXP")
	want := "otpauth://totp/Dibao:ax.admin?algorithm=SHA1&digits=6&issuer=Dibao&period=30&secret=JBSWY3DPEHPK3PXP"
	if uri != want {
		t.Errorf("uri %s", uri)
	}
	codes, err := newRecoveryCodes()
	if err != nil || len(codes) != 10 {
		t.Fatal(codes, err)
	}
	for _, c := range codes {
		if normaliseRecoveryCode(" "+c[:5]+c[6:]+" ") != c || normaliseRecoveryCode(c) != c {
			t.Errorf("normalise %q", c)
		}
	}
}

func TestMFAPolicyAndStanding(t *testing.T) {
	approver := []access.Assignment{{RoleKey: "county_approver", DivisionCode: "330523"}}
	clerk := []access.Assignment{{RoleKey: "township_caseworker", DivisionCode: "330523101"}}
	pol := MFAPolicy{Enforced: true, ExtraRoles: []string{"inspector"}}
	if !pol.Requires(approver) || pol.Requires(clerk) || !pol.Requires([]access.Assignment{{RoleKey: "inspector"}}) {
		t.Error("Requires")
	}
	u := User{MFAEnforced: true}
	if st := standingOf(u, approver); !st.MustEnrolTOTP || !st.Restricted() {
		t.Errorf("enforced, not enrolled: %+v", st)
	}
	u.MFAEnforced = false
	if st := standingOf(u, approver); st.MustEnrolTOTP || !st.MFARequired || st.Restricted() {
		t.Errorf("not enforced: %+v", st)
	}
}

func TestRestrictionLetsOnlyTheNeededRoutesThrough(t *testing.T) {
	pw := Standing{MustChangePassword: true}
	enrol := Standing{MustEnrolTOTP: true}
	both := Standing{MustChangePassword: true, MustEnrolTOTP: true}
	cases := []struct {
		st           Standing
		method, path string
		code         string // "" when allowed
	}{
		{Standing{}, "GET", "/api/v1/users", ""},
		{pw, "GET", "/api/v1/auth/me", ""},
		{pw, "POST", "/api/v1/auth/password", ""},
		{pw, "POST", "/api/v1/auth/logout", ""},
		{pw, "GET", "/api/v1/users", "password_change_required"},
		{pw, "POST", "/api/v1/auth/totp/enroll", "password_change_required"},
		{pw, "POST", "/api/v1/auth/me", "password_change_required"},
		{enrol, "POST", "/api/v1/auth/totp/enroll", ""},
		{enrol, "POST", "/api/v1/auth/totp/confirm", ""},
		{enrol, "GET", "/api/v1/auth/totp", ""},
		{enrol, "POST", "/api/v1/auth/totp/disable", "mfa_enrolment_required"},
		{enrol, "GET", "/api/v1/divisions/roots", "mfa_enrolment_required"},
		{both, "POST", "/api/v1/auth/totp/confirm", ""},
		{both, "GET", "/api/v1/divisions/roots", "password_change_required"},
	}
	for _, tc := range cases {
		err := restriction(tc.st, tc.method, tc.path)
		var he *httpx.Error
		switch {
		case tc.code == "" && err != nil:
			t.Errorf("%+v %s %s refused: %v", tc.st, tc.method, tc.path, err)
		case tc.code != "" && (!errors.As(err, &he) || he.Code != tc.code || he.Status != http.StatusForbidden):
			t.Errorf("%+v %s %s: %v, want 403 %s", tc.st, tc.method, tc.path, err, tc.code)
		}
	}
}
