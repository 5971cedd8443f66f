package household

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
)

// MaxAttachmentBytes is the largest attachment accepted.
const MaxAttachmentBytes = 10 << 20

// attachmentTypes are the content types an attachment may have, told by its bytes (content
// sniffing), never by the name or the type the client claims.
var attachmentTypes = map[string]bool{"image/jpeg": true, "image/png": true, "application/pdf": true}

var shaPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Files keeps attachment files outside the database, each named by the SHA-256 of its
// content (<dir>/sha256/ab/abcdef…): the same scan uploaded twice is stored once, and a
// file's name proves its content. Only the metadata rows make a file reachable.
type Files struct {
	dir string
}

// NewFiles opens (creating it if needed) the directory the files live in.
func NewFiles(dir string) (*Files, error) {
	for _, d := range []string{filepath.Join(dir, "sha256"), filepath.Join(dir, "tmp")} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("household: files directory %s: %w", d, err)
		}
	}
	return &Files{dir: dir}, nil
}

// stored is a file as kept.
type stored struct {
	SHA256      string
	Size        int64
	ContentType string
}

// Upload problems the handler reports against the file field.
var (
	errTooLarge  = errors.New("attachment too large")
	errEmpty     = errors.New("attachment empty")
	errWrongType = errors.New("attachment of a type not allowed")
)

// wrongType carries the sniffed type of a refused file.
type wrongType struct{ sniffed string }

func (w wrongType) Error() string { return "attachment type " + w.sniffed }
func (w wrongType) Unwrap() error { return errWrongType }

// put streams r into the store, refusing a type other than JPEG, PNG or PDF (from the
// first 512 bytes, before anything is kept) and anything over MaxAttachmentBytes.
func (f *Files) put(r io.Reader) (stored, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return stored{}, fmt.Errorf("household: read attachment: %w", err)
	}
	head = head[:n]
	if n == 0 {
		return stored{}, errEmpty
	}
	ct := http.DetectContentType(head)
	if !attachmentTypes[ct] {
		return stored{}, wrongType{ct}
	}
	tmp, err := os.CreateTemp(filepath.Join(f.dir, "tmp"), "upload-*")
	if err != nil {
		return stored{}, fmt.Errorf("household: store attachment: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename this finds nothing
	defer tmp.Close()
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(io.MultiReader(bytes.NewReader(head), r), MaxAttachmentBytes+1))
	if err != nil {
		return stored{}, fmt.Errorf("household: store attachment: %w", err)
	}
	if size > MaxAttachmentBytes {
		return stored{}, errTooLarge
	}
	if err := tmp.Sync(); err != nil {
		return stored{}, fmt.Errorf("household: store attachment: %w", err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	final := f.path(sum)
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return stored{}, fmt.Errorf("household: store attachment: %w", err)
	}
	if _, err := os.Stat(final); err == nil {
		return stored{SHA256: sum, Size: size, ContentType: ct}, nil // kept already
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return stored{}, fmt.Errorf("household: store attachment: %w", err)
	}
	return stored{SHA256: sum, Size: size, ContentType: ct}, nil
}

// open opens the file with content hash sum.
func (f *Files) open(sum string) (*os.File, error) {
	if !shaPattern.MatchString(sum) {
		return nil, fmt.Errorf("household: bad content hash %q", sum)
	}
	file, err := os.Open(f.path(sum))
	if err != nil {
		return nil, fmt.Errorf("household: open attachment %s: %w", sum, err)
	}
	return file, nil
}

func (f *Files) path(sum string) string { return filepath.Join(f.dir, "sha256", sum[:2], sum) }
