package household

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/httpx"
	"dibao/backend/internal/platform/openapi"
)

// Handlers serves the registry API.
type Handlers struct {
	svc *Service
}

// NewHandlers builds the handlers.
func NewHandlers(svc *Service) *Handlers { return &Handlers{svc: svc} }

// Register adds the routes; r must require a session.
func (h *Handlers) Register(r *openapi.Router) {
	const tag = "households"
	r.Handle(http.MethodGet, "/households", openapi.Op{Summary: "Search households", Tag: tag, Response: Page{},
		Permission: "household:read",
		Description: "Query: division (default: the caller's area; a village code lists that village), q (a prefix of the head's " +
			"name, or a whole ID number), id_number (a whole ID number of any member, found through the blind index), status " +
			"(registered, applying, enrolled, exited), after (cursor), limit (1–200, default 50). Values are masked."}, h.list)
	r.Handle(http.MethodGet, "/households/:id", openapi.Op{Summary: "One household", Tag: tag, Response: Household{},
		Permission: "household:read", Description: "With members, income items, assets and attachments; sensitive values masked."}, h.get)
	r.Handle(http.MethodPost, "/households", openapi.Op{Summary: "Register a household", Tag: tag, Request: Input{},
		Response: Household{}, Status: http.StatusCreated, Permission: "household:create",
		Description: "The household, its members, income items and assets in one transaction. Amounts are integer fen. 400 " +
			"validation_failed lists every problem in details.errors [{field, message}] (e.g. members[1].id_number) and writes " +
			"nothing; 404 for a village outside the caller's area; 409 person_active_elsewhere when a member is in an active case " +
			"anywhere on the platform (the message names the county)."}, h.create)
	r.Handle(http.MethodPut, "/households/:id", openapi.Op{Summary: "Change a household", Tag: tag, Request: UpdateRequest{},
		Response: Household{}, Permission: "household:update",
		Description: "The whole household again with the version it was read at (409 stale_version otherwise). Members, incomes " +
			"and assets with an id are changed, those without are added, those left out removed. An existing member's id_number, " +
			"and phone or bank_account, may be left out to keep them."}, h.update)
	r.Handle(http.MethodGet, "/households/:id/history", openapi.Op{Summary: "A household's history", Tag: tag,
		Response: HistoryPage{}, Permission: "household:read",
		Description: "Who changed what and when, newest first; values masked. Query: after (cursor), limit (1–200)."}, h.history)
	r.Handle(http.MethodPost, "/households/:id/reveal", openapi.Op{Summary: "Show a masked value in full", Tag: tag,
		Request: RevealRequest{}, Response: Revealed{}, Permission: "household:reveal",
		Description: "field: id_number (with member_id), phone or bank_account. Every reveal is written to the audit log."}, h.reveal)
	r.Handle(http.MethodPost, "/households/:id/attachments", openapi.Op{Summary: "Add an attachment", Tag: tag,
		Response: Attachment{}, Status: http.StatusCreated, Permission: "household:attach",
		Description: "multipart/form-data: kind (id_copy, authorisation, photo, other; before the file), file. JPEG, PNG or PDF " +
			"as told by the content (415 attachment_type otherwise), at most 10 MB (413 attachment_too_large)."}, h.addAttachment)
	r.Handle(http.MethodGet, "/households/:id/attachments/:aid", openapi.Op{Summary: "Download an attachment", Tag: tag,
		Permission: "household:read", Description: "The file, as an attachment (Content-Disposition), never rendered inline."},
		h.downloadAttachment)
	r.Handle(http.MethodDelete, "/households/:id/attachments/:aid", openapi.Op{Summary: "Remove an attachment", Tag: tag,
		Status: http.StatusNoContent, Permission: "household:update",
		Description: "Holders of household:attach may also remove a file they uploaded themselves while no step of a case " +
			"cites it (409 attachment_in_case once one does; 403 attachment_not_yours for someone else's file)."}, h.deleteAttachment)
}

func fail(c *gin.Context, err error) { httpx.Fail(c, render(c, err)) }

// respond writes out with status, or err in the caller's language.
func respond(c *gin.Context, status int, out any, err error) {
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(status, out)
}

// bind reads the JSON body into v; on a bad body it answers and reports false.
func bind(c *gin.Context, v any) bool {
	if err := httpx.BindJSON(c, v); err != nil {
		fail(c, err)
		return false
	}
	return true
}

func parseID(c *gin.Context, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		fail(c, ErrNotFound)
		return 0, false
	}
	return id, true
}

func (h *Handlers) list(c *gin.Context) {
	page, err := h.svc.List(c.Request.Context(), identity.PrincipalFrom(c), ListParams{Division: c.Query("division"),
		Query: c.Query("q"), IDNumber: c.Query("id_number"), Status: c.Query("status"), After: c.Query("after"), Limit: c.Query("limit")})
	respond(c, http.StatusOK, page, err)
}

func (h *Handlers) get(c *gin.Context) {
	id, ok := parseID(c, "id")
	if !ok {
		return
	}
	out, err := h.svc.Get(c.Request.Context(), identity.PrincipalFrom(c), id)
	respond(c, http.StatusOK, out, err)
}

func (h *Handlers) create(c *gin.Context) {
	var in Input
	if !bind(c, &in) {
		return
	}
	out, err := h.svc.Create(c.Request.Context(), identity.PrincipalFrom(c), in, identity.MetaFrom(c))
	respond(c, http.StatusCreated, out, err)
}

func (h *Handlers) update(c *gin.Context) {
	id, ok := parseID(c, "id")
	if !ok {
		return
	}
	var req UpdateRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.svc.Update(c.Request.Context(), identity.PrincipalFrom(c), id, req, identity.MetaFrom(c))
	respond(c, http.StatusOK, out, err)
}

func (h *Handlers) history(c *gin.Context) {
	id, ok := parseID(c, "id")
	if !ok {
		return
	}
	out, err := h.svc.History(c.Request.Context(), identity.PrincipalFrom(c), id, c.Query("after"), c.Query("limit"))
	respond(c, http.StatusOK, out, err)
}

func (h *Handlers) reveal(c *gin.Context) {
	id, ok := parseID(c, "id")
	if !ok {
		return
	}
	var req RevealRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.svc.Reveal(c.Request.Context(), identity.PrincipalFrom(c), id, req, identity.MetaFrom(c))
	respond(c, http.StatusOK, out, err)
}

// addAttachment reads the multipart body as a stream: the kind field, then the file part,
// which goes straight to the file store without a temporary copy in memory or on disk.
func (h *Handlers) addAttachment(c *gin.Context) {
	id, ok := parseID(c, "id")
	if !ok {
		return
	}
	read := func() (Upload, error) { return readUpload(c) }
	out, err := h.svc.AddAttachment(c.Request.Context(), identity.PrincipalFrom(c), id, read, identity.MetaFrom(c))
	if err != nil {
		fail(c, bodyError(err))
		return
	}
	c.JSON(http.StatusCreated, out)
}

// bodyError reports a request body cut off by the server's upload limit against the file.
func bodyError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return httpx.Msg(http.StatusRequestEntityTooLarge, "attachment_too_large",
			"附件过大：单个文件不能超过 10 MB", "The attachment is too large: a file may be at most 10 MB").
			WithDetails(map[string]any{"field": "file", "limit_bytes": MaxAttachmentBytes})
	}
	return err
}

func (h *Handlers) downloadAttachment(c *gin.Context) {
	id, ok := parseID(c, "id")
	if !ok {
		return
	}
	aid, ok := parseID(c, "aid")
	if !ok {
		return
	}
	a, file, err := h.svc.OpenAttachment(c.Request.Context(), identity.PrincipalFrom(c), id, aid, identity.MetaFrom(c))
	if err != nil {
		fail(c, err)
		return
	}
	defer file.Close()
	c.Header("Content-Type", a.ContentType)
	c.Header("Content-Length", strconv.FormatInt(a.SizeBytes, 10))
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.FileName}))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Content-Security-Policy", "default-src 'none'; sandbox")
	c.Status(http.StatusOK)
	if _, err := io.Copy(c.Writer, file); err != nil {
		httpx.Logger(c.Request.Context()).Warn("household: attachment download cut short", "error", err.Error())
	}
}

func (h *Handlers) deleteAttachment(c *gin.Context) {
	id, ok := parseID(c, "id")
	if !ok {
		return
	}
	aid, ok := parseID(c, "aid")
	if !ok {
		return
	}
	if err := h.svc.DeleteAttachment(c.Request.Context(), identity.PrincipalFrom(c), id, aid, identity.MetaFrom(c)); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// readUpload reads the multipart body up to the file part, which is left to be streamed.
func readUpload(c *gin.Context) (Upload, error) {
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return Upload{}, httpx.Invalid("file", "请以 multipart/form-data 上传文件", "Upload the file as multipart/form-data")
	}
	up := Upload{Kind: c.Query("kind")}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return up, nil
		}
		if err != nil {
			return Upload{}, bodyError(err)
		}
		switch part.FormName() {
		case "kind":
			b, err := io.ReadAll(io.LimitReader(part, 64))
			if err != nil {
				return Upload{}, bodyError(err)
			}
			up.Kind = string(b)
		case "file":
			up.FileName, up.Body = part.FileName(), part
			return up, nil
		}
	}
}
