package casework_test

import (
	"fmt"
	"net/http"
	"testing"

	"dibao/backend/internal/casework"
	"dibao/backend/internal/household"
)

// Every role that takes a step may carry its papers (household:attach): the village worker
// attaches the signed authorisation to the application, the township leader a file to the
// sign-off, the county approver one to the decision; each is filed with the household
// under its uploader's name and named on its step of the timeline. The authorisation scan
// must be the household's own, and a scan of the authorisation.
func TestStepsCarryAttachments(t *testing.T) {
	w := newWorld(t)
	env := w.env
	h, other := w.register(t, "附件步骤户", 2), w.register(t, "他户", 1)

	scan := uploadTo(t, w.village, h.ID, "authorisation", "授权书.pdf", pdfBytes)
	foreign := uploadTo(t, w.village, other.ID, "authorisation", "他户授权书.pdf", pdfBytes)
	if scan.UploadedBy != "钱国平" || scan.Kind != "authorisation" {
		t.Fatalf("scan %+v", scan)
	}
	submit := map[string]any{"household_id": h.ID, "channel": "village", "authorisation_signed_on": today(env).String(),
		"authorisation_attachment_id": foreign.ID}
	msg := refuse(t, env, w.village, http.StatusBadRequest, "validation_failed", http.MethodPost, "/api/v1/cases", submit)
	if contains(msg, "附件", "ttachment") == "" {
		t.Fatalf("another household's scan: message %q", msg)
	}
	// A photo of the household is no authorisation, and nothing is written for trying.
	photo := uploadTo(t, w.village, h.ID, "photo", "门前照片.png", pngBytes)
	submit["authorisation_attachment_id"] = photo.ID
	before := env.TenantDigest(t)
	msg = refuse(t, env, w.village, http.StatusBadRequest, "validation_failed", http.MethodPost, "/api/v1/cases", submit)
	if contains(msg, "授权书", "kind authorisation") == "" || env.TenantDigest(t) != before {
		t.Fatalf("a photo as the authorisation: message %q", msg)
	}
	submit["authorisation_attachment_id"] = scan.ID
	d := call(t, w.village, http.StatusCreated, http.MethodPost, "/api/v1/cases", submit)
	if a := d.Authorisation; a.AttachmentID == nil || *a.AttachmentID != scan.ID || a.File == nil ||
		a.File.FileName != "授权书.pdf" || a.File.ContentType != "application/pdf" || a.File.Removed {
		t.Fatalf("authorisation %+v", d.Authorisation)
	}

	d = w.investigate(t, d)
	d = call(t, w.clerk, 200, http.MethodPost, path(d.ID, "proposal"), map[string]any{"version": d.Version,
		"recommendation": "approve", "opinion": "符合条件"})
	memo := uploadTo(t, w.leader, h.ID, "other", "乡镇审批表.pdf", pdfBytes)
	d = call(t, w.leader, 200, http.MethodPost, path(d.ID, "sign-off"), map[string]any{"version": d.Version, "opinion": "同意",
		"attachments": []int64{memo.ID}})
	// The village worker posts the notice with a photo of the board; a file of another
	// household is refused.
	board := uploadTo(t, w.village, h.ID, "photo", "公示栏照片.png", pngBytes)
	refuse(t, env, w.village, http.StatusBadRequest, "validation_failed", http.MethodPost, path(d.ID, "notices"),
		map[string]any{"version": d.Version, "attachments": []int64{foreign.ID}})
	d = call(t, w.village, 200, http.MethodPost, path(d.ID, "notices"), map[string]any{"version": d.Version,
		"attachments": []int64{board.ID}})
	w.days(t, 7)

	letter := uploadTo(t, w.approve, h.ID, "other", "县级审批意见.pdf", pdfBytes)
	if letter.UploadedBy != "李文华" {
		t.Fatalf("the approver's upload %+v", letter)
	}
	d = call(t, w.approve, 200, http.MethodPost, path(d.ID, "approve"), map[string]any{"version": d.Version,
		"opinion": "同意纳入", "attachments": []int64{letter.ID}})
	if d.State != casework.Approved {
		t.Fatalf("state %s", d.State)
	}
	files := map[string]string{}
	for _, e := range d.Timeline {
		for _, f := range e.AttachmentFiles {
			files[e.Action+":"+e.ActorName] += f.FileName
		}
	}
	want := map[string]string{"sign_off:周海燕": "乡镇审批表.pdf", "post_notice:钱国平": "公示栏照片.png", "approve:李文华": "县级审批意见.pdf"}
	if fmt.Sprint(files) != fmt.Sprint(want) {
		t.Fatalf("files on the timeline %v, want %v", files, want)
	}
	if n := count(t, env, `SELECT count(*) FROM household_history WHERE household_id = $1 AND action = 'attachment_add'`, h.ID); n != 5 {
		t.Fatalf("%d attachment_add entries in the household's history, want 5 (the refused photo's too)", n)
	}
	// The approver may attach but not withdraw a file from the registry once a step cites it
	// (his own letter, on the decision), nor someone else's (the leader's memo).
	refuse(t, env, w.approve, http.StatusConflict, "attachment_in_case", http.MethodDelete,
		fmt.Sprintf("/api/v1/households/%d/attachments/%d", h.ID, letter.ID), nil)
	refuse(t, env, w.approve, http.StatusForbidden, "attachment_not_yours", http.MethodDelete,
		fmt.Sprintf("/api/v1/households/%d/attachments/%d", h.ID, memo.ID), nil)
}

// A file uploaded in a step's dialog that is then cancelled must not stay on the household:
// its uploader may withdraw it while no step of a case cites it (a case's authorisation
// scan or a file on its timeline), though they may not edit the household; someone else's
// file they may not (403), nor their own once a step cites it (409), and a refusal changes
// nothing. The caseworker (household:update) withdraws any file, cited or not, as before.
func TestUploaderWithdrawsUncitedFile(t *testing.T) {
	w := newWorld(t)
	env := w.env
	h := w.register(t, "撤回附件户", 1)
	at := func(a household.Attachment) string {
		return fmt.Sprintf("/api/v1/households/%d/attachments/%d", h.ID, a.ID)
	}
	on := func() map[int64]string {
		r := w.clerk.Do(http.MethodGet, fmt.Sprintf("/api/v1/households/%d", h.ID), nil)
		if r.Status != http.StatusOK {
			t.Fatalf("household: %d %s", r.Status, r.Body)
		}
		var got household.Household
		r.JSON(t, &got)
		files := map[int64]string{}
		for _, a := range got.Attachments {
			files[a.ID] = a.FileName
		}
		return files
	}

	// The leader uploads for his sign-off, cancels, and the file goes again.
	draft := uploadTo(t, w.leader, h.ID, "other", "审批表草稿.pdf", pdfBytes)
	if r := w.leader.Do(http.MethodDelete, at(draft), nil); r.Status != http.StatusNoContent {
		t.Fatalf("the leader withdraws his upload: %d %s", r.Status, r.Body)
	}
	if _, still := on()[draft.ID]; still {
		t.Fatal("the leader's withdrawn upload is still on the household")
	}
	if n := count(t, env, `SELECT count(*) FROM household_history WHERE household_id = $1 AND action = 'attachment_delete'
		AND actor_username = 'ax.leader' AND before->>'attachment_id' = $2`, h.ID, fmt.Sprint(draft.ID)); n != 1 {
		t.Fatalf("%d history entries for the leader's withdrawal, want 1", n)
	}
	if n := count(t, env, `SELECT count(*) FROM audit_log WHERE action = 'household.attachment_delete'
		AND actor_name = 'ax.leader' AND detail->'before'->>'attachment_id' = $1`, fmt.Sprint(draft.ID)); n != 1 {
		t.Fatalf("%d audit entries for the leader's withdrawal, want 1", n)
	}
	// Withdrawn is gone: a second try finds nothing.
	refuse(t, env, w.leader, http.StatusNotFound, "attachment_not_found", http.MethodDelete, at(draft), nil)

	// The caseworker's photo is not the leader's to withdraw, nor the inspector's, who may
	// not attach files at all; the leader's refusal is recorded as an attempt to update.
	photo := uploadTo(t, w.clerk, h.ID, "photo", "入户照片.png", pngBytes)
	msg := refuse(t, env, w.leader, http.StatusForbidden, "attachment_not_yours", http.MethodDelete, at(photo), nil)
	if contains(msg, "本人上传", "uploaded yourself") == "" {
		t.Fatalf("the leader deletes the caseworker's photo: message %q", msg)
	}
	if n := count(t, env, `SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND actor_name = 'ax.leader'
		AND object_type = 'household' AND object_id = $1 AND detail->>'attempted_action' = 'update'`, fmt.Sprint(h.ID)); n != 1 {
		t.Fatalf("%d recorded refusals of the leader, want 1", n)
	}
	refuse(t, env, env.SignIn(t, "ax.inspector"), http.StatusForbidden, "forbidden", http.MethodDelete, at(photo), nil)

	// The village worker's authorisation scan and photo, once an application cites them,
	// stay: she may no longer withdraw them. A file of hers no step cites she still may.
	scan := uploadTo(t, w.village, h.ID, "authorisation", "授权书.pdf", pdfBytes)
	front := uploadTo(t, w.village, h.ID, "photo", "门前照片.png", pngBytes)
	spare := uploadTo(t, w.village, h.ID, "photo", "多拍的照片.png", pngBytes)
	d := call(t, w.village, http.StatusCreated, http.MethodPost, "/api/v1/cases", map[string]any{"household_id": h.ID,
		"channel": "village", "authorisation_signed_on": today(env).String(), "authorisation_attachment_id": scan.ID,
		"attachments": []int64{front.ID}})
	msg = refuse(t, env, w.village, http.StatusConflict, "attachment_in_case", http.MethodDelete, at(scan), nil)
	if contains(msg, "案件", "case") == "" {
		t.Fatalf("the village worker deletes the case's authorisation scan: message %q", msg)
	}
	refuse(t, env, w.village, http.StatusConflict, "attachment_in_case", http.MethodDelete, at(front), nil)
	if r := w.village.Do(http.MethodDelete, at(spare), nil); r.Status != http.StatusNoContent {
		t.Fatalf("the village worker withdraws her uncited photo: %d %s", r.Status, r.Body)
	}
	// A file the leader uploads and the caseworker then cites on her step is not his to
	// withdraw either.
	memo := uploadTo(t, w.leader, h.ID, "other", "受理意见.pdf", pdfBytes)
	call(t, w.clerk, http.StatusOK, http.MethodPost, path(d.ID, "accept"), map[string]any{"version": d.Version,
		"opinion": "材料齐全", "attachments": []int64{memo.ID}})
	refuse(t, env, w.leader, http.StatusConflict, "attachment_in_case", http.MethodDelete, at(memo), nil)

	// The caseworker withdraws as before: her own photo, and a file a step cites.
	for _, a := range []household.Attachment{photo, scan} {
		if r := w.clerk.Do(http.MethodDelete, at(a), nil); r.Status != http.StatusNoContent {
			t.Fatalf("the caseworker deletes %s: %d %s", a.FileName, r.Status, r.Body)
		}
	}
	want := map[int64]string{front.ID: front.FileName, memo.ID: memo.FileName}
	if got := on(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("attachments left %v, want %v", got, want)
	}
}
