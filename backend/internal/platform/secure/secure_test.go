package secure

import (
	"bytes"
	"testing"
)

func testBox(t *testing.T) *Box {
	t.Helper()
	b, err := NewBox(bytes.Repeat([]byte{1}, 16), bytes.Repeat([]byte{2}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpenRoundTrip(t *testing.T) {
	b := testBox(t)
	sealed, err := b.Seal("phone", "13800001234")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("13800001234")) {
		t.Fatal("ciphertext contains the plaintext")
	}
	got, err := b.Open("phone", sealed)
	if err != nil || got != "13800001234" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := b.Open("id_number", sealed); err == nil {
		t.Fatal("a ciphertext opened under another field name")
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := b.Open("phone", sealed); err == nil {
		t.Fatal("a tampered ciphertext opened")
	}
}

func TestSealIsRandomised(t *testing.T) {
	b := testBox(t)
	x, _ := b.Seal("phone", "13800001234")
	y, _ := b.Seal("phone", "13800001234")
	if bytes.Equal(x, y) {
		t.Fatal("two seals of the same value are equal")
	}
}

func TestIndexIsDeterministicAndKeyed(t *testing.T) {
	b := testBox(t)
	if !bytes.Equal(b.Index("phone", "1"), b.Index("phone", "1")) {
		t.Fatal("index not deterministic")
	}
	if bytes.Equal(b.Index("phone", "1"), b.Index("id_number", "1")) {
		t.Fatal("index does not depend on the field")
	}
	other, _ := NewBox(bytes.Repeat([]byte{1}, 16), bytes.Repeat([]byte{3}, 32))
	if bytes.Equal(b.Index("phone", "1"), other.Index("phone", "1")) {
		t.Fatal("index does not depend on the key")
	}
}

func TestMasks(t *testing.T) {
	cases := map[string]string{
		MaskPhone("13800001234"):           "138****1234",
		MaskIDNumber("330523199001011234"): "330523********1234",
		MaskAccount("6228480012345678"):    "************5678",
		MaskPhone("12"):                    "**",
	}
	for got, want := range cases {
		if got != want {
			t.Errorf("mask = %q, want %q", got, want)
		}
	}
}
