package casework

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
	"dibao/backend/internal/platform/openapi"
)

// ObjectionPhone is the phone a member of the public left with an objection, in full, for
// the caller's eyes only (so that staff can call back).
type ObjectionPhone struct {
	ObjectionID int64  `json:"objection_id"`
	Value       string `json:"value"`
	Masked      string `json:"masked"`
	// ShowSeconds is how long the app shows it before masking it again.
	ShowSeconds int `json:"show_seconds"`
}

// RevealObjectionPhone opens an objector's phone. It takes what opening any personal
// number of the household takes (household:reveal over its village), refuses staff with
// a registered relative in the household like every other step, and writes an audit row
// each time, with the masked number only.
func (s *Service) RevealObjectionPhone(ctx context.Context, p access.Principal, caseID, objectionID int64,
	meta identity.Meta) (ObjectionPhone, error) {
	out := ObjectionPhone{ObjectionID: objectionID, ShowSeconds: 30}
	err := s.inCase(ctx, p, caseID, false, func(w *work) error {
		c := w.f.c
		if w.f.relatedTo(p.UserID) {
			return errRecusal()
		}
		if err := s.guard.Require(ctx, p, c.DivisionCode, "household", fmt.Sprint(c.HouseholdID), "reveal"); err != nil {
			return err
		}
		var o struct {
			Enc    []byte `db:"phone_enc"`
			Masked string `db:"phone_masked"`
		}
		err := w.tx.GetContext(ctx, &o, `SELECT phone_enc, phone_masked FROM case_objections
			WHERE county_code = $1 AND case_id = $2 AND id = $3`, c.CountyCode, c.ID, objectionID)
		if db.IsNotFound(err) {
			return httpx.Msg(http.StatusNotFound, "objection_not_found", "该案件没有此异议", "No such objection on this case")
		}
		if err != nil {
			return fmt.Errorf("casework: objection %d of case %d: %w", objectionID, c.ID, err)
		}
		if len(o.Enc) == 0 {
			return httpx.Msg(http.StatusNotFound, "no_phone", "提出异议的群众没有留下联系电话", "The objector left no phone number")
		}
		if out.Value, err = s.box.Open(PhoneField, o.Enc); err != nil {
			return fmt.Errorf("casework: open the phone of objection %d: %w", objectionID, err)
		}
		out.Masked = o.Masked
		return audit.Write(ctx, w.tx, audit.Entry{ActorID: p.UserID, ActorName: p.Username, CountyCode: c.CountyCode,
			DivisionCode: c.DivisionCode, Action: "case.objection_phone_reveal", ObjectType: "case", ObjectID: fmt.Sprint(c.ID),
			Outcome: audit.Success, RequestID: meta.RequestID, ClientIP: meta.ClientIP,
			Detail: map[string]any{"objection_id": objectionID, "masked": o.Masked}})
	})
	if err != nil {
		return ObjectionPhone{}, err
	}
	return out, nil
}

func (h *Handlers) registerObjectionPhone(r *openapi.Router, tag string) {
	r.Handle(http.MethodPost, "/cases/:id/objections/:objection/phone", openapi.Op{Summary: "Show an objector's phone in full",
		Tag: tag, Response: ObjectionPhone{}, Permission: "household:reveal",
		Description: "The phone a member of the public left with an objection from the portal, to call back. Each call is " +
			"written to the audit log (masked number only). 404 objection_not_found, no_phone; 403 for a registered relative."},
		func(c *gin.Context) {
			id, err := parseID(c.Param("id"), "id")
			if err != nil {
				httpx.Fail(c, err)
				return
			}
			objection, err := parseID(c.Param("objection"), "objection")
			if err != nil {
				httpx.Fail(c, err)
				return
			}
			out, err := h.svc.RevealObjectionPhone(c.Request.Context(), identity.PrincipalFrom(c), id, objection, identity.MetaFrom(c))
			httpx.Respond(c, http.StatusOK, out, err)
		})
}
