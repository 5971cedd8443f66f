package ledger

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/httpx"
	"dibao/backend/internal/platform/i18n"
	"dibao/backend/internal/platform/openapi"
)

// Handlers serves the ledger import API.
type Handlers struct {
	svc *Service
}

// NewHandlers builds the handlers.
func NewHandlers(svc *Service) *Handlers { return &Handlers{svc: svc} }

// Register adds the routes; r must require a session.
func (h *Handlers) Register(r *openapi.Router) {
	const tag = "ledger"
	r.Handle(http.MethodGet, "/households/import-template", openapi.Op{Summary: "Ledger import template", Tag: tag,
		Permission: "household:import",
		Description: "An .xlsx file: the ledger sheet (one row per person; 户编号, 户主身份证号, 村（社区）代码, 城乡类别, 户主姓名, 住址, " +
			"联系电话, 开户银行, 账户户名, 银行账号, 姓名, 身份证号, 性别, 出生日期, 与户主关系, 残疾等级, 重病, 慢性病, 劳动能力, 就业情况, " +
			"就学情况 and six monthly income columns in yuan) with an example household, and a sheet explaining every column and rule. " +
			"English titles when Accept-Language asks for English."}, h.template)
	r.Handle(http.MethodPost, "/households/import", openapi.Op{Summary: "Import a ledger", Tag: tag,
		Response: Started{}, Status: http.StatusAccepted, Permission: "household:import",
		Description: "multipart/form-data with a `file` field (.xlsx, at most 60 MB and 200,000 rows); `?division=` the division to " +
			"import into (default: the caller's area). Answers 202 with the job at once; the import runs in the background " +
			"(GET /import-jobs/{id}). 415/422 when the file is no ledger (format, header: nothing is written); 409 `import_running` " +
			"while another import runs in the county."}, h.upload)
	r.Handle(http.MethodGet, "/import-jobs", openapi.Op{Summary: "Ledger imports of a division", Tag: tag,
		Response: JobPage{}, Permission: "household:import",
		Description: "Newest first. Query: division (default: the caller's area), after (cursor), limit (1–200, default 20)."}, h.list)
	r.Handle(http.MethodGet, "/import-jobs/:id", openapi.Op{Summary: "One ledger import", Tag: tag,
		Response: Job{}, Permission: "household:import",
		Description: "Status (queued, running, done, failed), stage, percent of the file's rows processed, and the counts of rows " +
			"and households imported and refused."}, h.get)
	r.Handle(http.MethodGet, "/import-jobs/:id/rejected", openapi.Op{Summary: "Rows an import refused", Tag: tag,
		Response: RejectedPage{}, Permission: "household:import",
		Description: "In file order, with the reasons in the caller's language; ID numbers masked. Query: after (row number), limit (1–200, default 100)."}, h.rejected)
	r.Handle(http.MethodGet, "/import-jobs/:id/report", openapi.Op{Summary: "Report of the rows an import refused", Tag: tag,
		Permission: "household:import",
		Description: "An .xlsx file: row number, reasons (in the caller's language) and the row's cells as uploaded, to correct " +
			"and upload again. The cells are not masked; each download is written to the audit log."}, h.report)
}

func (h *Handlers) template(c *gin.Context) {
	if err := h.svc.MayDownloadTemplate(c.Request.Context(), identity.PrincipalFrom(c)); err != nil {
		httpx.Fail(c, err)
		return
	}
	en := httpx.Lang(c) == i18n.EN
	data, err := Template(en)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	attachment(c, "台账导入模板.xlsx", "ledger-import-template.xlsx")
	c.Data(http.StatusOK, XLSXContentType, data)
}

func (h *Handlers) upload(c *gin.Context) {
	ctx := c.Request.Context()
	p := identity.PrincipalFrom(c)
	// Permission first, before the upload is read: someone who may not import learns nothing.
	div, err := h.svc.MayImport(ctx, p, c.Query("division"))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	up, err := readUpload(c, "file", MaxFileBytes)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	started, err := h.svc.Start(ctx, p, div, up, identity.MetaFrom(c))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Header("Location", fmt.Sprintf("/api/v1/import-jobs/%d", started.JobID))
	c.JSON(http.StatusAccepted, started)
}

func (h *Handlers) list(c *gin.Context) {
	out, err := h.svc.List(c.Request.Context(), identity.PrincipalFrom(c), c.Query("division"), c.Query("after"), c.Query("limit"),
		httpx.Lang(c) == i18n.EN)
	httpx.Respond(c, http.StatusOK, out, err)
}

func (h *Handlers) get(c *gin.Context) {
	id, ok := jobID(c)
	if !ok {
		return
	}
	j, err := h.svc.Get(c.Request.Context(), identity.PrincipalFrom(c), id, httpx.Lang(c) == i18n.EN)
	httpx.Respond(c, http.StatusOK, j, err)
}

func (h *Handlers) rejected(c *gin.Context) {
	id, ok := jobID(c)
	if !ok {
		return
	}
	out, err := h.svc.Rejected(c.Request.Context(), identity.PrincipalFrom(c), id, c.Query("after"), c.Query("limit"),
		httpx.Lang(c) == i18n.EN)
	httpx.Respond(c, http.StatusOK, out, err)
}

func (h *Handlers) report(c *gin.Context) {
	id, ok := jobID(c)
	if !ok {
		return
	}
	en := httpx.Lang(c) == i18n.EN
	rep, err := h.svc.Report(c.Request.Context(), identity.PrincipalFrom(c), id, en, identity.MetaFrom(c))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	defer rep.Close()
	attachment(c, rep.Name, fmt.Sprintf("ledger-import-%d-rows-not-imported.xlsx", id))
	c.Header("Content-Type", XLSXContentType)
	c.Status(http.StatusOK)
	if _, err := rep.WriteTo(c.Writer); err != nil {
		httpx.Logger(c.Request.Context()).Warn("send import report", "job", id, "error", err.Error())
	}
}

// jobID reads :id; a malformed one is a job that does not exist.
func jobID(c *gin.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		httpx.Fail(c, errJobNotFound())
		return 0, false
	}
	return id, true
}

// readUpload saves the named file part of a multipart/form-data body to a temporary file,
// streaming: the body is never held in memory.
func readUpload(c *gin.Context, field string, max int64) (Upload, error) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return Upload{}, httpx.Msg(http.StatusUnsupportedMediaType, "upload_required",
			"请以 multipart/form-data 方式上传文件（字段名 file）", "Upload the file as multipart/form-data in a field named file").
			WithDetails(map[string]any{"field": field})
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return Upload{}, httpx.Invalid(field, "上传内容无法读取", "The upload cannot be read")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Upload{}, uploadError(err, field)
		}
		if part.FormName() != field {
			part.Close()
			continue
		}
		up, err := SaveUpload(part, part.FileName(), max)
		part.Close()
		if err != nil {
			return Upload{}, uploadError(err, field)
		}
		return up, nil
	}
	return Upload{}, httpx.Invalid(field, "请选择要上传的文件", "Choose a file to upload")
}

func uploadError(err error, field string) error {
	var he *httpx.Error
	if errors.As(err, &he) {
		return he
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return httpx.E(http.StatusRequestEntityTooLarge, "body_too_large", tooLarge.Limit)
	}
	return httpx.Invalid(field, "上传内容无法读取", "The upload cannot be read")
}

// attachment names a download, in Chinese for browsers that understand RFC 5987.
func attachment(c *gin.Context, name, ascii string) {
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name)))
}
