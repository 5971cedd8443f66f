package casework_test

import (
	"fmt"
	"net/http"
	"testing"

	"dibao/backend/internal/casework"
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
	// The approver may attach but not withdraw a file from the registry.
	refuse(t, env, w.approve, http.StatusForbidden, "forbidden", http.MethodDelete,
		fmt.Sprintf("/api/v1/households/%d/attachments/%d", h.ID, letter.ID), nil)
}
