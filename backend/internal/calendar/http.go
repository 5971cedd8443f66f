package calendar

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/civil"
	"dibao/backend/internal/platform/httpx"
	"dibao/backend/internal/platform/openapi"
)

// Handlers serves the calendar API.
type Handlers struct {
	svc *Service
	now func() time.Time
}

// NewHandlers builds the handlers.
func NewHandlers(svc *Service, now func() time.Time) *Handlers { return &Handlers{svc: svc, now: now} }

// YearView is one year's listed days.
type YearView struct {
	Year int   `json:"year"`
	Days []Day `json:"days"`
}

// DayRequest lists a day.
type DayRequest struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// DeadlineView is a computed working-day deadline.
type DeadlineView struct {
	From     civil.Date `json:"from"`
	Workdays int        `json:"workdays"`
	Due      civil.Date `json:"due"`
}

// Register adds the routes (session required).
func (h *Handlers) Register(r *openapi.Router) {
	r.Handle(http.MethodGet, "/calendar", openapi.Op{Summary: "Listed days of a year", Tag: "calendar", Response: YearView{},
		Description: "Public holidays and make-up workdays; every other day follows the Monday-Friday week. ?year=2026"}, h.year)
	r.Handle(http.MethodGet, "/calendar/deadline", openapi.Op{Summary: "Working-day deadline", Tag: "calendar", Response: DeadlineView{},
		Description: "?from=2026-09-30&workdays=30: the n-th working day after from."}, h.deadline)
	r.Handle(http.MethodPut, "/calendar/days/:date", openapi.Op{Summary: "List a day", Tag: "calendar", Request: DayRequest{},
		Response: Day{}, Permission: "calendar:manage"}, h.setDay)
	r.Handle(http.MethodDelete, "/calendar/days/:date", openapi.Op{Summary: "Unlist a day", Tag: "calendar",
		Status: http.StatusNoContent, Permission: "calendar:manage"}, h.clearDay)
}

func (h *Handlers) year(c *gin.Context) {
	year := civil.Today(h.now()).Year
	if v := c.Query("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			httpx.Fail(c, httpx.Invalid("year", "年份须为数字", "year must be a number"))
			return
		}
		year = n
	}
	days, err := h.svc.Year(c.Request.Context(), year)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, YearView{Year: year, Days: days})
}

func (h *Handlers) deadline(c *gin.Context) {
	from, err := civil.ParseDate(c.Query("from"))
	if err != nil {
		httpx.Fail(c, httpx.Invalid("from", "起始日期须为 2026-01-31 这样的格式", "from must be a date like 2026-01-31"))
		return
	}
	n, err := strconv.Atoi(c.Query("workdays"))
	if err != nil || n < 0 || n > 366 {
		httpx.Fail(c, httpx.Invalid("workdays", "工作日数须为 0 到 366 之间的整数", "workdays must be a whole number from 0 to 366"))
		return
	}
	cal, err := h.svc.Current(c.Request.Context())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, DeadlineView{From: from, Workdays: n, Due: cal.AddWorkdays(from, n)})
}

func (h *Handlers) setDay(c *gin.Context) {
	var req DayRequest
	if !httpx.Bind(c, &req) {
		return
	}
	day, err := h.svc.SetDay(c.Request.Context(), identity.PrincipalFrom(c), c.Param("date"), req.Kind, req.Name, meta(c))
	httpx.Respond(c, http.StatusOK, day, err)
}

func (h *Handlers) clearDay(c *gin.Context) {
	if err := h.svc.ClearDay(c.Request.Context(), identity.PrincipalFrom(c), c.Param("date"), meta(c)); err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func meta(c *gin.Context) Meta {
	m := identity.MetaFrom(c)
	return Meta{RequestID: m.RequestID, ClientIP: m.ClientIP}
}
