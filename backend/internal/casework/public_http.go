package casework

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/httpx"
	"dibao/backend/internal/platform/openapi"
)

// RateLimiter counts requests per key in Redis (platform/ratelimit).
type RateLimiter interface {
	Allow(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error)
}

// The public portal's budgets per client address. Objections are few and each reopens a
// case, so an address gets a handful an hour in a county; reads are generous, enough for
// anyone paging by hand, not for a scraper.
const (
	ObjectionsPerHour = 5
	readsPerMinute    = 120
)

// PublicHandlers serve the public portal's notices under /api/public/v1: no session, no
// CSRF token (nothing a signed-in user could be tricked into), rate-limited per address.
type PublicHandlers struct {
	svc   *Service
	limit RateLimiter
}

// NewPublicHandlers builds the portal's handlers.
func NewPublicHandlers(svc *Service, limit RateLimiter) *PublicHandlers {
	return &PublicHandlers{svc: svc, limit: limit}
}

// PublicObjectionRequest is POST .../objections: name and phone may be left empty (an
// anonymous objection is taken as any other).
type PublicObjectionRequest struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Content string `json:"content"`
}

// Register adds the portal's routes; r must not require a session.
func (h *PublicHandlers) Register(r *openapi.Router) {
	const tag = "public"
	r.Handle(http.MethodGet, "/counties", openapi.Op{Summary: "Counties with a public portal", Tag: tag, Public: true,
		Response: []PublicCounty{}, Description: "429 rate_limited (with Retry-After) past the read budget."}, h.counties)
	r.Handle(http.MethodGet, "/counties/:code/notices", openapi.Op{Summary: "Public notices running in a county", Tag: tag,
		Public: true, Response: PublicNoticePage{},
		Description: "Only what a notice may publish: the head of household's name, the village, the number of covered " +
			"people, the monthly amount, the category and the notice period. Query: division (a township or village of " +
			"the county), after (next_cursor), limit (1–200, default 50). 404 county_not_found, division_not_found; " +
			"429 rate_limited (with Retry-After)."}, h.notices)
	r.Handle(http.MethodPost, "/counties/:code/notices/:id/objections", openapi.Op{Summary: "Object to a running notice",
		Tag: tag, Public: true, Request: PublicObjectionRequest{}, Response: ObjectionReceipt{}, Status: http.StatusCreated,
		Description: "Anonymous allowed. The case goes back to investigation and a new notice follows. 400 " +
			"validation_failed naming name, phone or content; 404 county_not_found, notice_not_found; 409 notice_closed " +
			"(not running); 429 rate_limited with Retry-After (" + strconv.Itoa(ObjectionsPerHour) +
			" objections an hour per address in a county)."}, h.object)
}

func (h *PublicHandlers) counties(c *gin.Context) {
	if !h.allow(c, "000000", "read", readsPerMinute, time.Minute) {
		return
	}
	out, err := h.svc.Counties(c.Request.Context())
	httpx.Respond(c, http.StatusOK, out, err)
}

func (h *PublicHandlers) notices(c *gin.Context) {
	code := c.Param("code")
	if !countyPattern.MatchString(code) {
		httpx.Fail(c, errCountyNotFound(code))
		return
	}
	if !h.allow(c, code, "read", readsPerMinute, time.Minute) {
		return
	}
	out, err := h.svc.PublicNotices(c.Request.Context(), code, c.Query("division"), c.Query("after"), c.Query("limit"))
	httpx.Respond(c, http.StatusOK, out, err)
}

func (h *PublicHandlers) object(c *gin.Context) {
	code := c.Param("code")
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		httpx.Fail(c, errNoticeNotFound())
		return
	}
	var req PublicObjectionRequest
	if !httpx.Bind(c, &req) {
		return
	}
	in := PublicObjection{County: code, NoticeID: id, Content: req.Content, Objector: req.Name, Phone: req.Phone}
	// A malformed form costs nothing and is not counted; anything that reaches the
	// database is, once the county is known to exist (so keys are only made for real ones).
	if err := CheckPublicObjection(in); err != nil {
		httpx.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if _, err := h.svc.County(ctx, code); err != nil {
		httpx.Fail(c, err)
		return
	}
	if !h.allow(c, code, "objection", ObjectionsPerHour, time.Hour) {
		return
	}
	out, err := h.svc.RecordObjection(ctx, in, identity.MetaFrom(c))
	httpx.Respond(c, http.StatusCreated, out, err)
}

// allow counts the request against the address's budget in the county (the key's hash
// tag) and answers 429 with Retry-After past it. A failure to count fails the request:
// the limit is never silently off.
func (h *PublicHandlers) allow(c *gin.Context, county, what string, limit int, window time.Duration) bool {
	key := fmt.Sprintf("{%s}:public:%s:%s", county, what, c.ClientIP())
	ok, retry, err := h.limit.Allow(c.Request.Context(), key, limit, window)
	if err != nil {
		httpx.Fail(c, err)
		return false
	}
	if ok {
		return true
	}
	secs := int(math.Ceil(retry.Seconds()))
	if secs < 1 {
		secs = 1
	}
	mins := (secs + 59) / 60
	c.Header("Retry-After", strconv.Itoa(secs))
	var e *httpx.Error
	if what == "objection" {
		e = httpx.Msg(http.StatusTooManyRequests, "rate_limited",
			fmt.Sprintf("提交过于频繁：同一网络地址每小时最多提交 %d 条异议，请 %d 分钟后再试", limit, mins),
			fmt.Sprintf("Too many objections from this address: at most %d an hour. Try again in %d minutes", limit, mins))
	} else {
		e = httpx.Msg(http.StatusTooManyRequests, "rate_limited",
			fmt.Sprintf("访问过于频繁，请 %d 秒后再试", secs), fmt.Sprintf("Too many requests; try again in %d seconds", secs))
	}
	httpx.Fail(c, e.WithDetails(map[string]any{"retry_after": secs}))
	return false
}
