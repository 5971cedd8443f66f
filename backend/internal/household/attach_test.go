package household_test

import (
	"fmt"
	"net/http"
	"testing"

	"dibao/backend/internal/app/apptest"
	"dibao/backend/internal/household"
)

// household:attach: every role that takes a step of a case may add a file to the household
// (the village worker here, who may not edit it); a role that only reads may not (the
// inspector), and the refusal reads no body and keeps nothing. Removing someone else's file
// stays with update.
func TestAttachPermission(t *testing.T) {
	env := apptest.New(t)
	h := register(t, env.SignIn(t, "ax.clerk"), twoMembers("宋明", 731))

	village := env.SignIn(t, "ax.village")
	r := upload(t, village, h.ID, "authorisation", "授权书.png", png)
	if r.Status != http.StatusCreated {
		t.Fatalf("village worker uploads: %d %s", r.Status, r.Body)
	}
	var a household.Attachment
	r.JSON(t, &a)
	if a.Kind != "authorisation" || a.UploadedBy != "钱国平" {
		t.Fatalf("attachment %+v", a)
	}

	before := env.TenantDigest(t)
	if r := upload(t, env.SignIn(t, "ax.inspector"), h.ID, "photo", "监督.png", png); r.Status != http.StatusForbidden {
		t.Fatalf("inspector uploads: %d %s", r.Status, r.Body)
	}
	if env.TenantDigest(t) != before {
		t.Fatal("the inspector's refused upload changed the database")
	}
	var denied int
	env.DB.Super.Get(&denied, `SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND actor_name = 'ax.inspector'
		AND object_type = 'household' AND detail->>'attempted_action' = 'attach'`)
	if denied == 0 {
		t.Fatal("the refusal was not recorded as an attempt to attach")
	}

	// The village worker may attach but not withdraw what someone else put on the record
	// (her own uncited uploads she may: casework's TestUploaderWithdrawsUncitedFile); the
	// caseworker withdraws any file.
	clerk := env.SignIn(t, "ax.clerk")
	r = upload(t, clerk, h.ID, "photo", "入户.png", png)
	var theirs household.Attachment
	r.JSON(t, &theirs)
	before = env.TenantDigest(t)
	if r := village.Do(http.MethodDelete, fmt.Sprintf("/api/v1/households/%d/attachments/%d", h.ID, theirs.ID), nil); r.Status != http.StatusForbidden {
		t.Fatalf("village worker deletes the clerk's file: %d %s", r.Status, r.Body)
	}
	if env.TenantDigest(t) != before {
		t.Fatal("the village worker's refused delete changed the database")
	}
	if r := clerk.Do(http.MethodDelete, fmt.Sprintf("/api/v1/households/%d/attachments/%d", h.ID, a.ID), nil); r.Status != http.StatusNoContent {
		t.Fatalf("clerk deletes: %d %s", r.Status, r.Body)
	}
}
