package identity

import (
	"strings"
	"testing"
)

func TestHashAndVerify(t *testing.T) {
	h, err := HashPassword("Dibao@2026")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("unexpected hash format %q", h)
	}
	if ok, err := VerifyPassword(h, "Dibao@2026"); err != nil || !ok {
		t.Fatalf("right password rejected: %v %v", ok, err)
	}
	if ok, _ := VerifyPassword(h, "Dibao@2027"); ok {
		t.Fatal("wrong password accepted")
	}
	h2, _ := HashPassword("Dibao@2026")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
	if _, err := VerifyPassword("plain", "x"); err == nil {
		t.Fatal("a malformed hash verified without error")
	}
}

func TestPasswordPolicy(t *testing.T) {
	good := []string{"Dibao@2026", "abcdEF12", "abcd12!@", "ABCD12!@", "长密码Ab1!xyz"}
	bad := []string{"", "Ab1!", "abcdefgh", "abcdefg1", "ABCDEFG1", "abc defG1", strings.Repeat("Ab1!", 40)}
	for _, p := range good {
		if !PasswordStrongEnough(p) {
			t.Errorf("%q rejected", p)
		}
	}
	for _, p := range bad {
		if PasswordStrongEnough(p) {
			t.Errorf("%q accepted", p)
		}
	}
}
