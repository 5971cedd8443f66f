// Package secure encrypts sensitive personal fields (ID numbers, bank accounts, phones)
// with SM4-GCM and derives keyed blind indexes with HMAC-SM3 for equality search.
package secure

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
)

// Box seals and opens field values. It is safe for concurrent use.
type Box struct {
	aead     cipher.AEAD
	indexKey []byte
}

// NewBox builds a Box from a 16-byte SM4 key and an HMAC key of at least 32 bytes.
func NewBox(dataKey, indexKey []byte) (*Box, error) {
	block, err := sm4.NewCipher(dataKey)
	if err != nil {
		return nil, fmt.Errorf("secure: sm4 key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secure: gcm: %w", err)
	}
	if len(indexKey) < 32 {
		return nil, errors.New("secure: index key must be at least 32 bytes")
	}
	return &Box{aead: aead, indexKey: append([]byte(nil), indexKey...)}, nil
}

// Seal encrypts plaintext; field names the column, bound as additional data so a
// ciphertext cannot be moved to another column unnoticed. Output is nonce || ciphertext.
func (b *Box) Seal(field, plaintext string) ([]byte, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("secure: nonce: %w", err)
	}
	return b.aead.Seal(nonce, nonce, []byte(plaintext), []byte(field)), nil
}

// Open decrypts what Seal produced for the same field.
func (b *Box) Open(field string, sealed []byte) (string, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("secure: ciphertext too short")
	}
	plain, err := b.aead.Open(nil, sealed[:n], sealed[n:], []byte(field))
	if err != nil {
		return "", fmt.Errorf("secure: open %s: %w", field, err)
	}
	return string(plain), nil
}

// Index is the blind index of a value: HMAC-SM3 keyed per field, equal for equal inputs.
func (b *Box) Index(field, value string) []byte {
	mac := hmac.New(sm3.New, b.indexKey)
	mac.Write([]byte(field))
	mac.Write([]byte{0})
	mac.Write([]byte(value))
	return mac.Sum(nil)
}

// MaskPhone keeps the first 3 and last 4 digits: 138****1234.
func MaskPhone(p string) string { return mask(p, 3, 4) }

// MaskIDNumber keeps the first 6 and last 4 characters: 330523********1234.
func MaskIDNumber(id string) string { return mask(id, 6, 4) }

// MaskAccount keeps the last 4 digits of a bank account.
func MaskAccount(a string) string { return mask(a, 0, 4) }

func mask(s string, head, tail int) string {
	r := []rune(s)
	if len(r) <= head+tail {
		out := make([]rune, len(r))
		for i := range out {
			out[i] = '*'
		}
		return string(out)
	}
	for i := head; i < len(r)-tail; i++ {
		r[i] = '*'
	}
	return string(r)
}
