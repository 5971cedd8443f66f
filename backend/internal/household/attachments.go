package household

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
)

// Upload is one attachment as received.
type Upload struct {
	Kind     string // id_copy, authorisation, photo, other
	FileName string
	Body     io.Reader
}

// AddAttachment stores a scan or photo with household id. The caller must be allowed to
// attach files to the household (household:attach, which every role that takes a step of a
// case holds, so each step can carry its papers); the type is told by the content (JPEG,
// PNG or PDF) and the size is at most 10 MiB.
//
// read gives the upload; it is called only once the caller is known to be allowed, so a
// refused request's body is never read, let alone stored.
func (s *Service) AddAttachment(ctx context.Context, p access.Principal, id int64, read func() (Upload, error), meta identity.Meta) (Attachment, error) {
	var out Attachment
	err := s.inTx(ctx, p, func(tx *sqlx.Tx, county string) error {
		h, err := s.target(ctx, tx, p, county, id, true)
		if err != nil {
			return err
		}
		if err := s.guard.Require(ctx, p, h.DivisionCode, "household", idStr(id), "attach"); err != nil {
			return err
		}
		up, err := read()
		if err != nil {
			return err
		}
		if up.Kind == "" {
			up.Kind = "other"
		}
		if !slices.Contains(attachmentKinds, up.Kind) {
			return httpx.Invalid("kind", "附件类别须为身份证复印件（id_copy）、授权书（authorisation）、照片（photo）或其他（other）",
				"kind must be id_copy, authorisation, photo or other")
		}
		if up.Body == nil {
			return httpx.Invalid("file", "请选择要上传的文件", "Choose a file to upload")
		}
		st, err := s.files.put(up.Body)
		if err != nil {
			return uploadError(err)
		}
		name := cleanFileName(up.FileName)
		if err := tx.GetContext(ctx, &out.ID, `INSERT INTO household_attachments (county_code, household_id, division_code, kind,
			file_name, content_type, size_bytes, sha256, uploaded_by, uploaded_name)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			county, id, h.DivisionCode, up.Kind, name, st.ContentType, st.Size, st.SHA256, nullID(p.UserID), p.DisplayName); err != nil {
			return fmt.Errorf("household: add attachment to %s/%d: %w", county, id, err)
		}
		if out, err = loadAttachment(ctx, tx, county, id, out.ID); err != nil {
			return err
		}
		detail := map[string]any{"after": map[string]any{"attachment_id": out.ID, "kind": out.Kind, "file_name": out.FileName,
			"content_type": out.ContentType, "size_bytes": out.SizeBytes, "sha256": out.SHA256}}
		return s.record(ctx, tx, p, meta, h, "attachment_add", "household.attachment_add", detail, nil)
	})
	return out, err
}

// OpenAttachment opens attachment aid of household id for reading, behind the
// household's read permission, and records the download in the audit log.
func (s *Service) OpenAttachment(ctx context.Context, p access.Principal, id, aid int64, meta identity.Meta) (Attachment, *os.File, error) {
	var out Attachment
	var file *os.File
	err := s.inTx(ctx, p, func(tx *sqlx.Tx, county string) error {
		h, err := s.target(ctx, tx, p, county, id, false)
		if err != nil {
			return err
		}
		if err := s.guard.Require(ctx, p, h.DivisionCode, "household", idStr(id), "read"); err != nil {
			return err
		}
		if out, err = loadAttachment(ctx, tx, county, id, aid); err != nil {
			return err
		}
		if file, err = s.files.open(out.SHA256); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: p.UserID, ActorName: p.Username, CountyCode: h.CountyCode,
			DivisionCode: h.DivisionCode, Action: "household.attachment_download", ObjectType: "household", ObjectID: idStr(id),
			Outcome: audit.Success, RequestID: meta.RequestID, ClientIP: meta.ClientIP,
			Detail: map[string]any{"attachment_id": aid, "file_name": out.FileName}})
	})
	if err != nil {
		if file != nil {
			file.Close()
		}
		return Attachment{}, nil, err
	}
	return out, file, nil
}

// DeleteAttachment removes attachment aid from household id (a soft delete: the row keeps
// who removed it and when; the file is no longer served). Staff who may edit the household
// (household:update) remove any file, as the registry's keepers. Anyone else who may attach
// files (household:attach) may remove only a file they uploaded themselves, and only while
// no step of a case cites it (a case's authorisation scan or a file on its timeline) — a
// file uploaded for a step that was then abandoned; a cited file answers 409, another's
// file 403. Nothing is written on a refusal (the 403 is recorded in the audit log, as every
// refused access is).
func (s *Service) DeleteAttachment(ctx context.Context, p access.Principal, id, aid int64, meta identity.Meta) error {
	return s.inTx(ctx, p, func(tx *sqlx.Tx, county string) error {
		h, err := s.target(ctx, tx, p, county, id, true)
		if err != nil {
			return err
		}
		if !s.guard.Allowed(ctx, p, h.DivisionCode, "household", "update") {
			if err := s.mayWithdraw(ctx, tx, p, h, aid); err != nil {
				return err
			}
		}
		a, err := loadAttachment(ctx, tx, county, id, aid)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE household_attachments SET deleted_at = now(), deleted_by = $4
			WHERE county_code = $1 AND household_id = $2 AND id = $3 AND deleted_at IS NULL`, county, id, aid, nullID(p.UserID)); err != nil {
			return fmt.Errorf("household: delete attachment %d of %s/%d: %w", aid, county, id, err)
		}
		detail := map[string]any{"before": map[string]any{"attachment_id": a.ID, "kind": a.Kind, "file_name": a.FileName,
			"content_type": a.ContentType, "size_bytes": a.SizeBytes, "sha256": a.SHA256}}
		return s.record(ctx, tx, p, meta, h, "attachment_delete", "household.attachment_delete", detail, nil)
	})
}

// mayWithdraw answers nil when p, who may not edit household h, may still remove
// attachment aid: p may attach files, uploaded this one and no case's step cites it. The
// attachment's row is locked first, so a step citing it cannot commit between the check
// and the removal (casework's checkAttachments locks the rows it cites in share mode).
func (s *Service) mayWithdraw(ctx context.Context, tx *sqlx.Tx, p access.Principal, h Household, aid int64) error {
	// A refusal is recorded as an attempt to update the household, as before the uploader's
	// exception; whoever may attach files is told whose files they may remove.
	editor := func() error { return s.guard.Require(ctx, p, h.DivisionCode, "household", idStr(h.ID), "update") }
	if !s.guard.Allowed(ctx, p, h.DivisionCode, "household", "attach") {
		return editor()
	}
	var uploader *int64
	err := tx.GetContext(ctx, &uploader, `SELECT uploaded_by FROM household_attachments
		WHERE county_code = $1 AND household_id = $2 AND id = $3 AND deleted_at IS NULL FOR UPDATE`, h.CountyCode, h.ID, aid)
	if db.IsNotFound(err) {
		return errAttachmentNotFound()
	}
	if err != nil {
		return fmt.Errorf("household: uploader of attachment %d of %s/%d: %w", aid, h.CountyCode, h.ID, err)
	}
	if uploader == nil || p.UserID == 0 || *uploader != p.UserID {
		if err := editor(); err != nil {
			return errAttachmentNotYours()
		}
		return nil // an editor after all (the policy changed in between)
	}
	cited, err := s.cites.CitesAttachment(ctx, tx, h.CountyCode, h.ID, aid)
	if err != nil {
		return err
	}
	if cited {
		return errAttachmentCited()
	}
	return nil
}

const selectAttachment = `SELECT id, kind, file_name, content_type, size_bytes, sha256, uploaded_name AS uploaded_by, uploaded_at
	FROM household_attachments`

func listAttachments(ctx context.Context, tx *sqlx.Tx, county string, householdID int64) ([]Attachment, error) {
	out := []Attachment{}
	if err := tx.SelectContext(ctx, &out, selectAttachment+` WHERE county_code = $1 AND household_id = $2 AND deleted_at IS NULL
		ORDER BY id`, county, householdID); err != nil {
		return nil, fmt.Errorf("household: attachments of %s/%d: %w", county, householdID, err)
	}
	return out, nil
}

func loadAttachment(ctx context.Context, tx *sqlx.Tx, county string, householdID, id int64) (Attachment, error) {
	var a Attachment
	err := tx.GetContext(ctx, &a, selectAttachment+` WHERE county_code = $1 AND household_id = $2 AND id = $3 AND deleted_at IS NULL`,
		county, householdID, id)
	if db.IsNotFound(err) {
		return a, errAttachmentNotFound()
	}
	if err != nil {
		return a, fmt.Errorf("household: attachment %d of %s/%d: %w", id, county, householdID, err)
	}
	return a, nil
}

func uploadError(err error) error {
	var wt wrongType
	switch {
	case errors.As(err, &wt):
		return httpx.Msg(http.StatusUnsupportedMediaType, "attachment_type",
			fmt.Sprintf("附件只能是 JPEG、PNG 图片或 PDF 文件（此文件的内容是 %s）", wt.sniffed),
			fmt.Sprintf("An attachment must be a JPEG or PNG image or a PDF file (this file's content is %s)", wt.sniffed)).
			WithDetails(map[string]any{"field": "file", "content_type": wt.sniffed})
	case errors.Is(err, errTooLarge):
		return httpx.Msg(http.StatusRequestEntityTooLarge, "attachment_too_large",
			"附件过大：单个文件不能超过 10 MB", "The attachment is too large: a file may be at most 10 MB").
			WithDetails(map[string]any{"field": "file", "limit_bytes": MaxAttachmentBytes})
	case errors.Is(err, errEmpty):
		return httpx.Invalid("file", "上传的文件是空的", "The uploaded file is empty")
	}
	return err
}

// cleanFileName keeps the base name of what the browser sent, without control characters,
// at most 200 characters.
func cleanFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' {
			return -1
		}
		return r
	}, strings.TrimSpace(name))
	if name == "" || name == "." || name == "/" {
		name = "attachment"
	}
	for utf8.RuneCountInString(name) > 200 {
		r := []rune(name)
		name = string(r[len(r)-200:])
	}
	return name
}
