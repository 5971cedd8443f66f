package identity

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // RFC 6238 TOTP as authenticator apps implement it uses HMAC-SHA-1
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP parameters of RFC 6238 as every authenticator app understands them: HMAC-SHA-1,
// six digits, a 30-second step, and one step of drift either way.
const (
	totpDigits  = 6
	totpPeriod  = 30
	totpSkew    = 1
	totpIssuer  = "Dibao"
	secretBytes = 20 // 160 bits, the RFC 4226 recommendation
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// newTOTPSecret returns a random secret in base32, the form apps accept for manual entry.
func newTOTPSecret() (string, error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("identity: totp secret: %w", err)
	}
	return b32.EncodeToString(b), nil
}

// totpStep is the 30-second step a moment falls in.
func totpStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// hotp is RFC 4226's HOTP value of a base32 secret at counter, as a zero-padded string.
func hotp(secret string, counter int64) (string, error) {
	key, err := b32.DecodeString(strings.ToUpper(secret))
	if err != nil {
		return "", fmt.Errorf("identity: totp secret is not base32: %w", err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(counter))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", code%1_000_000), nil
}

// TOTPCode is the code of secret at time t (exported for tests and tools).
func TOTPCode(secret string, t time.Time) (string, error) { return hotp(secret, totpStep(t)) }

// matchTOTP finds the step within one step of now whose code is code and that is later
// than lastStep (a code is good once). It compares in constant time.
func matchTOTP(secret, code string, now time.Time, lastStep int64) (int64, bool, error) {
	code = strings.TrimSpace(code)
	if len(code) != totpDigits {
		return 0, false, nil
	}
	cur := totpStep(now)
	for s := cur - totpSkew; s <= cur+totpSkew; s++ {
		want, err := hotp(secret, s)
		if err != nil {
			return 0, false, err
		}
		if hmac.Equal([]byte(want), []byte(code)) && s > lastStep {
			return s, true, nil
		}
	}
	return 0, false, nil
}

// otpauthURI is the key URI authenticator apps read from a QR code.
func otpauthURI(username, secret string) string {
	label := url.PathEscape(totpIssuer + ":" + username)
	q := url.Values{}
	q.Set("secret", secret)
	q.Set("issuer", totpIssuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", fmt.Sprint(totpDigits))
	q.Set("period", fmt.Sprint(totpPeriod))
	return "otpauth://totp/" + label + "?" + q.Encode()
}

// Recovery codes: ten of them, each 10 characters of Crockford's base32 alphabet (no i, l,
// o or u to misread; 32 letters, so a random byte maps without bias): 50 bits, shown as two
// groups of five.
const (
	recoveryCodeCount = 10
	recoveryAlphabet  = "0123456789abcdefghjkmnpqrstvwxyz"
)

func newRecoveryCodes() ([]string, error) {
	out := make([]string, recoveryCodeCount)
	buf := make([]byte, 10)
	for i := range out {
		if _, err := rand.Read(buf); err != nil {
			return nil, fmt.Errorf("identity: recovery code: %w", err)
		}
		var sb strings.Builder
		for j, b := range buf {
			if j == 5 {
				sb.WriteByte('-')
			}
			sb.WriteByte(recoveryAlphabet[int(b)%len(recoveryAlphabet)])
		}
		out[i] = sb.String()
	}
	return out, nil
}

// normaliseRecoveryCode accepts what people type: any case, with or without the dash or spaces.
func normaliseRecoveryCode(s string) string {
	s = strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(s)))
	if len(s) != 10 {
		return s
	}
	return s[:5] + "-" + s[5:]
}
