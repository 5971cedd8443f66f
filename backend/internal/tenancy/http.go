package tenancy

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"dibao/backend/internal/access"
	"dibao/backend/internal/platform/httpx"
	"dibao/backend/internal/platform/i18n"
	"dibao/backend/internal/platform/openapi"
)

// Handlers serves the division API.
type Handlers struct {
	svc       *Service
	principal func(*gin.Context) access.Principal
}

// NewHandlers builds the handlers; principal yields the signed-in user of a request
// (identity.PrincipalFrom), which the session middleware in front of these routes sets.
func NewHandlers(svc *Service, principal func(*gin.Context) access.Principal) *Handlers {
	return &Handlers{svc: svc, principal: principal}
}

// List wraps a list answer.
type List[T any] struct {
	Items []T `json:"items"`
}

// ProblemJSON is one row of an import's error report, in the caller's language.
type ProblemJSON struct {
	Row        int    `json:"row"`
	Code       string `json:"code"`
	Field      string `json:"field"`
	FieldLabel string `json:"field_label"`
	Message    string `json:"message"`
}

// maxProblemsInJSON caps the problems listed in a 422 answer; the xlsx report has them all.
const maxProblemsInJSON = 1000

// Register adds the routes; r must require a session.
func (h *Handlers) Register(r *openapi.Router) {
	const tag = "divisions"
	r.Handle(http.MethodGet, "/divisions/roots", openapi.Op{Summary: "Divisions to start the tree", Tag: tag,
		Response: List[Root]{}, Permission: "division:read",
		Description: "The divisions the caller holds roles at (the broadest of nested ones), with their ancestors' names."}, h.roots)
	r.Handle(http.MethodGet, "/divisions/search", openapi.Op{Summary: "Search divisions", Tag: tag,
		Response: List[SearchHit]{}, Permission: "division:read",
		Description: "`?q=` a code prefix or part of a name, `&limit=` (default 20, at most 100). Only inside the caller's scope; platform staff search the whole tree."}, h.search)
	r.Handle(http.MethodGet, "/divisions/import-template", openapi.Op{Summary: "Division import template", Tag: tag,
		Permission:  "division:import",
		Description: "An .xlsx file with the columns 区划代码, 名称, 级别, 上级代码, 城乡分类代码, example rows and a sheet explaining them."}, h.template)
	r.Handle(http.MethodGet, "/divisions/:code", openapi.Op{Summary: "One division", Tag: tag,
		Response: Detail{}, Permission: "division:read",
		Description: "With its ancestors (path), its count of active children and its history, newest first. 404 outside the caller's scope."}, h.get)
	r.Handle(http.MethodGet, "/divisions/:code/children", openapi.Op{Summary: "Children of a division", Tag: tag,
		Response: Children{}, Permission: "division:read",
		Description: "For lazy tree loading, retired ones included. Keyset pages: `?after=<code>&limit=` (default 500, at most 1000). The platform (000000) has the provinces as children. 404 outside the caller's scope."}, h.children)
	r.Handle(http.MethodPost, "/divisions", openapi.Op{Summary: "Add a township or village", Tag: tag,
		Request: AddRequest{}, Response: Division{}, Status: http.StatusCreated, Permission: "division:manage",
		Description: "A township under the county, or a village under a township; a village needs its urban-rural type. 409 when the code exists."}, h.add)
	r.Handle(http.MethodPatch, "/divisions/:code", openapi.Op{Summary: "Rename or re-type a division", Tag: tag,
		Request: UpdateRequest{}, Response: Division{}, Permission: "division:manage",
		Description: "Townships and villages only; the urban-rural type of villages only. Recorded in the division's history."}, h.update)
	r.Handle(http.MethodPost, "/divisions/:code/retire", openapi.Op{Summary: "Retire a division", Tag: tag,
		Request: StatusRequest{}, Response: Division{}, Permission: "division:manage",
		Description: "Marks it 已撤销; it stays in the tree with its history. 409 while it has active children. The body is optional."}, h.retire)
	r.Handle(http.MethodPost, "/divisions/:code/reactivate", openapi.Op{Summary: "Reactivate a division", Tag: tag,
		Request: StatusRequest{}, Response: Division{}, Permission: "division:manage",
		Description: "409 while its parent is retired. The body is optional."}, h.reactivate)
	r.Handle(http.MethodPost, "/counties", openapi.Op{Summary: "Provision a county", Tag: tag,
		Request: ProvisionRequest{}, Response: Provisioned{}, Status: http.StatusCreated, Permission: "county:provision",
		Description: "Creates the county tenant, and its province and city when missing (their names are then required). 409 when the county exists."}, h.provision)
	r.Handle(http.MethodPost, "/counties/:code/divisions/import", openapi.Op{Summary: "Import a county's townships and villages", Tag: tag,
		Response: ImportResult{}, Permission: "division:import",
		Description: "multipart/form-data with a `file` field: .xlsx or CSV (UTF-8, with or without BOM, or GB18030) with the columns " +
			"区划代码/code, 名称/name, 级别/level, 上级代码/parent, 城乡分类代码/urban_rural_type. All rows or none: when any row is wrong " +
			"the answer is 422 `import_invalid` with `details.errors` [{row, code, field, field_label, message}] in the caller's language " +
			"and `details.report` (an .xlsx report, base64)."}, h.importFile)
}

func (h *Handlers) roots(c *gin.Context) {
	items, err := h.svc.Roots(c.Request.Context(), h.principal(c))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, List[Root]{Items: items})
}

func (h *Handlers) search(c *gin.Context) {
	limit, err := intParam(c, "limit")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	items, err := h.svc.Search(c.Request.Context(), h.principal(c), strings.TrimSpace(c.Query("q")), limit)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, List[SearchHit]{Items: items})
}

func (h *Handlers) get(c *gin.Context) {
	d, err := h.svc.Get(c.Request.Context(), h.principal(c), c.Param("code"))
	httpx.Respond(c, http.StatusOK, d, err)
}

func (h *Handlers) children(c *gin.Context) {
	limit, err := intParam(c, "limit")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	out, err := h.svc.ChildrenOf(c.Request.Context(), h.principal(c), c.Param("code"), c.Query("after"), limit)
	httpx.Respond(c, http.StatusOK, out, err)
}

func (h *Handlers) add(c *gin.Context) {
	var req AddRequest
	if !httpx.Bind(c, &req) {
		return
	}
	d, err := h.svc.Add(c.Request.Context(), h.principal(c), req)
	httpx.Respond(c, http.StatusCreated, d, err)
}

func (h *Handlers) update(c *gin.Context) {
	var req UpdateRequest
	if !httpx.Bind(c, &req) {
		return
	}
	d, err := h.svc.Update(c.Request.Context(), h.principal(c), c.Param("code"), req)
	httpx.Respond(c, http.StatusOK, d, err)
}

func (h *Handlers) retire(c *gin.Context)     { h.status(c, h.svc.Retire) }
func (h *Handlers) reactivate(c *gin.Context) { h.status(c, h.svc.Reactivate) }

type statusFunc func(ctx context.Context, p access.Principal, code string, req StatusRequest) (Division, error)

// status runs retire or reactivate; the body (a reason) is optional.
func (h *Handlers) status(c *gin.Context, do statusFunc) {
	var req StatusRequest
	if c.Request.ContentLength != 0 {
		if err := httpx.BindJSON(c, &req); err != nil {
			httpx.Fail(c, err)
			return
		}
	}
	d, err := do(c.Request.Context(), h.principal(c), c.Param("code"), req)
	httpx.Respond(c, http.StatusOK, d, err)
}

func (h *Handlers) provision(c *gin.Context) {
	p := h.principal(c)
	// Permission first, so that someone who may not provision learns nothing from validation.
	if err := h.svc.MayProvision(c.Request.Context(), p); err != nil {
		httpx.Fail(c, err)
		return
	}
	var req ProvisionRequest
	if !httpx.Bind(c, &req) {
		return
	}
	out, err := h.svc.ProvisionCounty(c.Request.Context(), p, req)
	httpx.Respond(c, http.StatusCreated, out, err)
}

func (h *Handlers) template(c *gin.Context) {
	if err := h.svc.MayImport(c.Request.Context(), h.principal(c), ""); err != nil {
		httpx.Fail(c, err)
		return
	}
	data, err := Template()
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	attachment(c, "区划导入模板.xlsx", "division-import-template.xlsx")
	c.Data(http.StatusOK, XLSXContentType, data)
}

func (h *Handlers) importFile(c *gin.Context) {
	ctx := c.Request.Context()
	p := h.principal(c)
	county := c.Param("code")
	// Permission before the upload is read, so that someone who may not import learns nothing.
	if err := h.svc.MayImport(ctx, p, county); err != nil {
		httpx.Fail(c, err)
		return
	}
	filename, data, err := readUpload(c, "file", MaxImportBytes)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	res, err := h.svc.Import(ctx, p, county, filename, data)
	var ie *ImportError
	if errors.As(err, &ie) {
		httpx.Fail(c, importInvalid(ie, httpx.Lang(c) == i18n.EN))
		return
	}
	httpx.Respond(c, http.StatusOK, res, err)
}

// importInvalid is the 422 answer to a refused import: the problems in the caller's
// language and the same as an .xlsx report to download.
func importInvalid(ie *ImportError, en bool) error {
	list := make([]ProblemJSON, 0, min(len(ie.Problems), maxProblemsInJSON))
	for i, p := range ie.Problems {
		if i == maxProblemsInJSON {
			break
		}
		msg := p.Message.ZH
		if en {
			msg = p.Message.EN
		}
		list = append(list, ProblemJSON{Row: p.Row, Code: p.Code, Field: p.Field, FieldLabel: FieldLabel(p.Field, en), Message: msg})
	}
	details := map[string]any{"rows": ie.Rows, "error_count": len(ie.Problems), "errors": list,
		"truncated": len(ie.Problems) > len(list)}
	if report, err := Report(ie.Problems, en); err == nil {
		name := "区划导入错误报告.xlsx"
		if en {
			name = "division-import-errors.xlsx"
		}
		details["report"] = map[string]string{"filename": name, "content_type": XLSXContentType,
			"base64": base64.StdEncoding.EncodeToString(report)}
	}
	n := len(ie.Problems)
	return httpx.Msg(http.StatusUnprocessableEntity, "import_invalid",
		fmt.Sprintf("导入文件中有 %d 处错误，未导入任何数据；请按错误报告修改后重新上传", n),
		fmt.Sprintf("The file has %d problems; nothing was imported. Fix them as the report says and upload it again", n)).
		WithDetails(details)
}

// readUpload reads the named file part of a multipart/form-data body, up to max bytes.
func readUpload(c *gin.Context, field string, max int64) (string, []byte, error) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return "", nil, httpx.Msg(http.StatusUnsupportedMediaType, "upload_required",
			"请以 multipart/form-data 方式上传文件（字段名 file）", "Upload the file as multipart/form-data in a field named file")
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return "", nil, httpx.Invalid(field, "上传内容无法读取", "The upload cannot be read")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", nil, uploadError(err, field)
		}
		if part.FormName() != field {
			part.Close()
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, max+1))
		part.Close()
		if err != nil {
			return "", nil, uploadError(err, field)
		}
		if int64(len(data)) > max {
			return "", nil, httpx.E(http.StatusRequestEntityTooLarge, "body_too_large", max)
		}
		return part.FileName(), data, nil
	}
	return "", nil, httpx.Invalid(field, "请选择要上传的文件", "Choose a file to upload")
}

func uploadError(err error, field string) error {
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

func intParam(c *gin.Context, name string) (int, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, httpx.Invalid(name, fmt.Sprintf("%s 必须是正整数", name), fmt.Sprintf("%s must be a positive whole number", name))
	}
	return n, nil
}
