package casework

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"dibao/backend/internal/access"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/httpx"
	"dibao/backend/internal/platform/openapi"
)

// Handlers serves the workflow API.
type Handlers struct {
	svc *Service
}

// NewHandlers builds the handlers.
func NewHandlers(svc *Service) *Handlers { return &Handlers{svc: svc} }

// Register adds the routes; r must require a session.
func (h *Handlers) Register(r *openapi.Router) {
	const tag = "cases"
	listDesc := "Query: division (default: the caller's broadest division), state (a state, several separated by commas, " +
		"open (default) or all), queue=decision (cases awaiting the decision), household_id (one household's cases; " +
		"400 unless a positive integer, none for a household outside the division), after (next_cursor), limit (1–200, default 50). " +
		"Sorted by decision deadline; cases not yet accepted come last."
	r.Handle(http.MethodGet, "/cases", openapi.Op{Summary: "Work list of cases", Tag: tag, Response: Page{},
		Permission: "case:read", Description: listDesc}, h.list(h.svc.List))
	r.Handle(http.MethodGet, "/cases/due-soon", openapi.Op{Summary: "Cases due within 5 working days", Tag: tag,
		Response: Page{}, Permission: "case:read", Description: listDesc}, h.list(h.svc.DueSoon))
	r.Handle(http.MethodGet, "/cases/overdue", openapi.Op{Summary: "Cases past their decision deadline", Tag: tag,
		Response: Page{}, Permission: "case:read", Description: listDesc}, h.list(h.svc.Overdue))
	r.Handle(http.MethodPost, "/cases", openapi.Op{Summary: "Submit an application", Tag: tag, Request: SubmitRequest{},
		Response: Detail{}, Status: http.StatusCreated, Permission: "case:submit",
		Description: "409 case_already_open (one open case per household), household_enrolled."}, h.submit)
	r.Handle(http.MethodGet, "/cases/:id", openapi.Op{Summary: "One case", Tag: tag, Response: Detail{},
		Permission: "case:read", Description: "With the household, the timeline, the deadline in working days and " +
			"allowed_actions: exactly what the caller may do next."}, h.get)
	r.Handle(http.MethodGet, "/cases/:id/letter", openapi.Op{Summary: "Written decision of a case not accepted or denied",
		Tag: tag, Response: Letter{}, Permission: "case:read"}, h.letter)
	r.Handle(http.MethodGet, "/cases/:id/investigators", openapi.Op{Summary: "Staff who may be named on a visit", Tag: tag,
		Response: []Candidate{}, Permission: "case:investigate or case:visit",
		Description: "Query: kind (home, the default, or county)."}, h.investigators)

	const actionsDesc = "Every action names the version of the case the user saw (409 case_version_conflict when it " +
		"changed); 409 case_state for a state the action does not start from; 403 forbidden (naming the role) or " +
		"case_recusal (registered relative). Answers the case as it now stands."
	step := func(path, summary, perm string, req any, fn func(c *gin.Context, id int64) (Detail, error)) {
		r.Handle(http.MethodPost, "/cases/:id/"+path, openapi.Op{Summary: summary, Tag: tag, Request: req, Response: Detail{},
			Permission: perm, Description: actionsDesc}, h.step(fn))
	}
	svc := h.svc
	step("accept", "Accept an application", "case:accept", TransitionRequest{}, func(c *gin.Context, id int64) (Detail, error) {
		var req TransitionRequest
		return bindThen(c, &req, func() (Detail, error) {
			return svc.Accept(c.Request.Context(), identity.PrincipalFrom(c), id, req, identity.MetaFrom(c))
		})
	})
	step("not-accept", "Refuse to accept an application", "case:accept", ReasonRequest{}, func(c *gin.Context, id int64) (Detail, error) {
		var req ReasonRequest
		return bindThen(c, &req, func() (Detail, error) {
			return svc.NotAccept(c.Request.Context(), identity.PrincipalFrom(c), id, req, identity.MetaFrom(c))
		})
	})
	step("start-investigation", "Start the investigation", "case:investigate", TransitionRequest{}, func(c *gin.Context, id int64) (Detail, error) {
		var req TransitionRequest
		return bindThen(c, &req, func() (Detail, error) {
			return svc.StartInvestigation(c.Request.Context(), identity.PrincipalFrom(c), id, req, identity.MetaFrom(c))
		})
	})
	step("checks", "Record an economic check result", "case:investigate", CheckRequest{}, func(c *gin.Context, id int64) (Detail, error) {
		var req CheckRequest
		return bindThen(c, &req, func() (Detail, error) {
			return svc.RecordCheck(c.Request.Context(), identity.PrincipalFrom(c), id, req, identity.MetaFrom(c))
		})
	})
	step("visits", "Record the home visit", "case:investigate", VisitRequest{}, func(c *gin.Context, id int64) (Detail, error) {
		var req VisitRequest
		return bindThen(c, &req, func() (Detail, error) {
			return svc.RecordVisit(c.Request.Context(), identity.PrincipalFrom(c), id, req, identity.MetaFrom(c))
		})
	})
	h.registerObjectionPhone(r, tag)
	r.Handle(http.MethodPost, "/cases/:id/visits/:visit/sign", openapi.Op{Summary: "Sign a visit record", Tag: tag,
		Request: SignRequest{}, Response: Detail{}, Description: "Only an investigator named on the visit, for themselves. " +
			actionsDesc}, h.step(func(c *gin.Context, id int64) (Detail, error) {
		visit, err := parseID(c.Param("visit"), "visit")
		if err != nil {
			return Detail{}, err
		}
		var req SignRequest
		return bindThen(c, &req, func() (Detail, error) {
			return svc.SignVisit(c.Request.Context(), identity.PrincipalFrom(c), id, visit, req, identity.MetaFrom(c))
		})
	}))
	step("county-visits", "Record the county's own home visit", "case:visit", VisitRequest{}, func(c *gin.Context, id int64) (Detail, error) {
		var req VisitRequest
		return bindThen(c, &req, func() (Detail, error) {
			return svc.RecordCountyVisit(c.Request.Context(), identity.PrincipalFrom(c), id, req, identity.MetaFrom(c))
		})
	})
	step("refer-evaluation", "Send to democratic evaluation", "case:investigate", TransitionRequest{}, func(c *gin.Context, id int64) (Detail, error) {
		var req TransitionRequest
		return bindThen(c, &req, func() (Detail, error) {
			return svc.ReferEvaluation(c.Request.Context(), identity.PrincipalFrom(c), id, req, identity.MetaFrom(c))
		})
	})
	step("evaluations", "Record the democratic evaluation", "evaluation:record", EvaluationRequest{}, func(c *gin.Context, id int64) (Detail, error) {
		var req EvaluationRequest
		return bindThen(c, &req, func() (Detail, error) {
			return svc.RecordEvaluation(c.Request.Context(), identity.PrincipalFrom(c), id, req, identity.MetaFrom(c))
		})
	})
	step("proposal", "Make the township's proposal", "case:review", ProposalRequest{}, func(c *gin.Context, id int64) (Detail, error) {
		var req ProposalRequest
		return bindThen(c, &req, func() (Detail, error) {
			return svc.Propose(c.Request.Context(), identity.PrincipalFrom(c), id, req, identity.MetaFrom(c))
		})
	})
	step("sign-off", "Sign off the township review", "case:signoff", TransitionRequest{}, func(c *gin.Context, id int64) (Detail, error) {
		var req TransitionRequest
		return bindThen(c, &req, func() (Detail, error) {
			return svc.SignOff(c.Request.Context(), identity.PrincipalFrom(c), id, req, identity.MetaFrom(c))
		})
	})
	step("return", "Return the proposal to the caseworker", "case:signoff", TransitionRequest{}, func(c *gin.Context, id int64) (Detail, error) {
		var req TransitionRequest
		return bindThen(c, &req, func() (Detail, error) {
			return svc.ReturnReview(c.Request.Context(), identity.PrincipalFrom(c), id, req, identity.MetaFrom(c))
		})
	})
	step("notices", "Post the public notice", "notice:post", NoticeRequest{}, func(c *gin.Context, id int64) (Detail, error) {
		var req NoticeRequest
		return bindThen(c, &req, func() (Detail, error) {
			return svc.PostNotice(c.Request.Context(), identity.PrincipalFrom(c), id, req, identity.MetaFrom(c))
		})
	})
	step("objections", "Record an objection to the notice", "notice:post", ObjectionRequest{}, func(c *gin.Context, id int64) (Detail, error) {
		var req ObjectionRequest
		return bindThen(c, &req, func() (Detail, error) {
			return svc.RecordVillageObjection(c.Request.Context(), identity.PrincipalFrom(c), id, req, identity.MetaFrom(c))
		})
	})
	step("approve", "Approve", "case:decide (or case:decide_delegated where delegated)", TransitionRequest{}, func(c *gin.Context, id int64) (Detail, error) {
		var req TransitionRequest
		return bindThen(c, &req, func() (Detail, error) {
			return svc.Approve(c.Request.Context(), identity.PrincipalFrom(c), id, req, identity.MetaFrom(c))
		})
	})
	step("deny", "Deny", "case:decide (or case:decide_delegated where delegated)", ReasonRequest{}, func(c *gin.Context, id int64) (Detail, error) {
		var req ReasonRequest
		return bindThen(c, &req, func() (Detail, error) {
			return svc.Deny(c.Request.Context(), identity.PrincipalFrom(c), id, req, identity.MetaFrom(c))
		})
	})
	step("extend", "Extend the decision deadline once", "case:extend", ReasonRequest{}, func(c *gin.Context, id int64) (Detail, error) {
		var req ReasonRequest
		return bindThen(c, &req, func() (Detail, error) {
			return svc.ExtendDeadline(c.Request.Context(), identity.PrincipalFrom(c), id, req, identity.MetaFrom(c))
		})
	})

	r.Handle(http.MethodGet, "/notices", openapi.Op{Summary: "Public notices of the working division", Tag: tag,
		Response: NoticePage{}, Permission: "notice:read",
		Description: "Query: division, status (open, the default: running or awaiting the decision; all), after, limit."}, h.notices)

	r.Handle(http.MethodGet, "/relatives", openapi.Op{Summary: "The caller's relatives register", Tag: tag,
		Response: []Relative{}, Permission: "relative:register"}, h.relatives)
	r.Handle(http.MethodPost, "/relatives", openapi.Op{Summary: "Register a close relative", Tag: tag,
		Request: RelativeRequest{}, Response: Relative{}, Status: http.StatusCreated, Permission: "relative:register",
		Description: "Flags the county's open cases whose household has them as a member."}, h.addRelative)
	r.Handle(http.MethodDelete, "/relatives/:id", openapi.Op{Summary: "Remove a register entry", Tag: tag,
		Status: http.StatusNoContent, Permission: "relative:register"}, h.removeRelative)

	r.Handle(http.MethodGet, "/counties/:code/settings/cases", openapi.Op{Summary: "County workflow settings", Tag: tag,
		Response: Settings{}, Permission: "setting:manage"}, h.settings)
	r.Handle(http.MethodPut, "/counties/:code/settings/cases", openapi.Op{Summary: "Change county workflow settings", Tag: tag,
		Request: SettingsUpdate{}, Response: Settings{}, Permission: "setting:manage"}, h.updateSettings)

	r.Handle(http.MethodPost, "/spot-checks", openapi.Op{Summary: "Draw approved cases for a county spot check", Tag: tag,
		Request: SpotCheckRequest{}, Response: SpotCheck{}, Status: http.StatusCreated, Permission: "spotcheck:order",
		Description: "Draws the county's spotcheck_percent of the approved cases decided in the period (relatives' cases " +
			"excepted) and records the seed and population, so the draw can be repeated."}, h.orderSpotCheck)
	r.Handle(http.MethodGet, "/spot-checks", openapi.Op{Summary: "Spot-check draws", Tag: tag, Response: SpotCheckPage{},
		Permission: "spotcheck:order"}, h.spotChecks)
}

func parseID(s, field string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, httpx.Msg(http.StatusNotFound, "not_found", "请求的资源不存在", "The requested resource does not exist").
			WithDetails(map[string]any{"field": field})
	}
	return id, nil
}

func bindThen[T any](c *gin.Context, req any, fn func() (T, error)) (T, error) {
	if err := httpx.BindJSON(c, req); err != nil {
		var zero T
		return zero, err
	}
	return fn()
}

// step parses :id and renders the action's answer.
func (h *Handlers) step(fn func(c *gin.Context, id int64) (Detail, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := parseID(c.Param("id"), "id")
		if err != nil {
			httpx.Fail(c, errCaseNotFound())
			return
		}
		out, err := fn(c, id)
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		c.JSON(http.StatusOK, out)
	}
}

func (h *Handlers) list(fn func(ctx context.Context, p access.Principal, q ListParams) (Page, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		out, err := fn(c.Request.Context(), identity.PrincipalFrom(c), ListParams{Division: c.Query("division"), State: c.Query("state"), Queue: c.Query("queue"),
			Household: c.Query("household_id"), After: c.Query("after"), Limit: c.Query("limit")})
		httpx.Respond(c, http.StatusOK, out, err)
	}
}

func (h *Handlers) submit(c *gin.Context) {
	var req SubmitRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Fail(c, err)
		return
	}
	out, err := h.svc.Submit(c.Request.Context(), identity.PrincipalFrom(c), req, identity.MetaFrom(c))
	httpx.Respond(c, http.StatusCreated, out, err)
}

func (h *Handlers) get(c *gin.Context) {
	id, err := parseID(c.Param("id"), "id")
	if err != nil {
		httpx.Fail(c, errCaseNotFound())
		return
	}
	out, err := h.svc.Get(c.Request.Context(), identity.PrincipalFrom(c), id)
	httpx.Respond(c, http.StatusOK, out, err)
}

func (h *Handlers) letter(c *gin.Context) {
	id, err := parseID(c.Param("id"), "id")
	if err != nil {
		httpx.Fail(c, errCaseNotFound())
		return
	}
	out, err := h.svc.Letter(c.Request.Context(), identity.PrincipalFrom(c), id)
	httpx.Respond(c, http.StatusOK, out, err)
}

func (h *Handlers) investigators(c *gin.Context) {
	id, err := parseID(c.Param("id"), "id")
	if err != nil {
		httpx.Fail(c, errCaseNotFound())
		return
	}
	out, err := h.svc.Investigators(c.Request.Context(), identity.PrincipalFrom(c), id, c.Query("kind"))
	httpx.Respond(c, http.StatusOK, out, err)
}

func (h *Handlers) notices(c *gin.Context) {
	out, err := h.svc.Notices(c.Request.Context(), identity.PrincipalFrom(c), c.Query("status"), c.Query("after"),
		c.Query("limit"), c.Query("division"))
	httpx.Respond(c, http.StatusOK, out, err)
}

func (h *Handlers) relatives(c *gin.Context) {
	out, err := h.svc.Relatives(c.Request.Context(), identity.PrincipalFrom(c))
	httpx.Respond(c, http.StatusOK, out, err)
}

func (h *Handlers) addRelative(c *gin.Context) {
	var req RelativeRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Fail(c, err)
		return
	}
	out, err := h.svc.AddRelative(c.Request.Context(), identity.PrincipalFrom(c), req, identity.MetaFrom(c))
	httpx.Respond(c, http.StatusCreated, out, err)
}

func (h *Handlers) removeRelative(c *gin.Context) {
	id, err := parseID(c.Param("id"), "id")
	if err == nil {
		err = h.svc.RemoveRelative(c.Request.Context(), identity.PrincipalFrom(c), id, identity.MetaFrom(c))
	}
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handlers) settings(c *gin.Context) {
	out, err := h.svc.Settings(c.Request.Context(), identity.PrincipalFrom(c), c.Param("code"))
	httpx.Respond(c, http.StatusOK, out, err)
}

func (h *Handlers) updateSettings(c *gin.Context) {
	var req SettingsUpdate
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Fail(c, err)
		return
	}
	out, err := h.svc.UpdateSettings(c.Request.Context(), identity.PrincipalFrom(c), c.Param("code"), req, identity.MetaFrom(c))
	httpx.Respond(c, http.StatusOK, out, err)
}

func (h *Handlers) orderSpotCheck(c *gin.Context) {
	var req SpotCheckRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Fail(c, err)
		return
	}
	out, err := h.svc.OrderSpotCheck(c.Request.Context(), identity.PrincipalFrom(c), req, identity.MetaFrom(c))
	httpx.Respond(c, http.StatusCreated, out, err)
}

func (h *Handlers) spotChecks(c *gin.Context) {
	out, err := h.svc.SpotChecks(c.Request.Context(), identity.PrincipalFrom(c), c.Query("division"), c.Query("after"), c.Query("limit"))
	httpx.Respond(c, http.StatusOK, out, err)
}
