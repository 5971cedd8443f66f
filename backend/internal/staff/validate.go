package staff

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"unicode/utf8"

	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/httpx"
)

var (
	usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,49}$`)
	phonePattern    = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	divisionPattern = regexp.MustCompile(`^([0-9]{6}|[0-9]{9}|[0-9]{12})$`)
)

func checkUsername(u string) error {
	if u == "" {
		return httpx.Invalid("username", "用户名不能为空", "Username is required")
	}
	if !usernamePattern.MatchString(u) {
		return httpx.Invalid("username", "用户名须为 3–50 位小写字母、数字或 . _ -，并以字母或数字开头",
			"Username must be 3–50 lower-case letters, digits or . _ -, starting with a letter or digit")
	}
	return nil
}

func checkDisplayName(n string) error {
	if n == "" {
		return httpx.Invalid("display_name", "姓名不能为空", "Name is required")
	}
	if utf8.RuneCountInString(n) > 50 {
		return httpx.Invalid("display_name", "姓名最多 50 个字", "Name is at most 50 characters")
	}
	return nil
}

func checkPhone(p string) error {
	if p != "" && !phonePattern.MatchString(p) {
		return httpx.Invalid("phone", "手机号须为 11 位数字，以 1 开头", "Phone must be an 11-digit mobile number starting with 1")
	}
	return nil
}

func checkDivisionCode(field, code string) error {
	if code == "" {
		return httpx.Invalid(field, "请选择所属区划", "Choose a division")
	}
	if !divisionPattern.MatchString(code) {
		return httpx.Invalid(field, fmt.Sprintf("区划代码 %q 格式不对：县 6 位、乡镇 9 位、村（社区）12 位数字", code),
			fmt.Sprintf("Division code %q is malformed: 6 digits for a county, 9 for a township, 12 for a village", code))
	}
	return nil
}

func checkInitialPassword(p string) error {
	if !identity.PasswordStrongEnough(p) {
		return httpx.Invalid("password", "初始密码至少 8 位，且须包含大写字母、小写字母、数字、符号中的至少 3 类",
			"The initial password needs at least 8 characters from at least 3 of: upper case, lower case, digits, symbols")
	}
	return nil
}

// oneTimePassword makes a password to read out or hand over once: three groups of four
// letters and digits without look-alikes, joined by dashes (upper, lower, digit and
// symbol classes are all present), about 65 bits.
func oneTimePassword() (string, error) {
	const (
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		lower  = "abcdefghijkmnpqrstuvwxyz"
		digits = "23456789"
		all    = upper + lower + digits
	)
	pick := func(set string) (byte, error) {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		if err != nil {
			return 0, fmt.Errorf("staff: random password: %w", err)
		}
		return set[n.Int64()], nil
	}
	for {
		var sb strings.Builder
		for i := 0; i < 12; i++ {
			if i > 0 && i%4 == 0 {
				sb.WriteByte('-')
			}
			c, err := pick(all)
			if err != nil {
				return "", err
			}
			sb.WriteByte(c)
		}
		p := sb.String()
		if strings.ContainsAny(p, upper) && strings.ContainsAny(p, lower) && strings.ContainsAny(p, digits) {
			return p, nil
		}
	}
}
