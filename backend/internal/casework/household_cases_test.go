package casework_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"testing"

	"dibao/backend/internal/app/apptest"
	"dibao/backend/internal/casework"
	"dibao/backend/internal/household"
)

// The household page lists the household's applications: GET /cases?household_id= gives
// that household's cases and no other's, open ones by default and all with state=all; a
// household outside the caller's area has none; a malformed id is refused naming the field.
func TestCasesOfAHousehold(t *testing.T) {
	w := newWorld(t)
	env := w.env
	h1, h2 := w.register(t, "户列甲", 2), w.register(t, "户列乙", 1)
	first := w.submit(t, h1)
	first = call(t, w.clerk, 200, http.MethodPost, path(first.ID, "not-accept"),
		map[string]any{"version": first.Version, "reason": "材料不全"})
	second := w.submit(t, h1)
	other := w.submit(t, h2)

	list := func(c *apptest.Client, query string) []casework.Summary {
		t.Helper()
		r := c.Do(http.MethodGet, "/api/v1/cases?"+query, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("%s lists %s: %d %s", c.Username, query, r.Status, r.Body)
		}
		var p casework.Page
		r.JSON(t, &p)
		return p.Items
	}
	ids := func(items []casework.Summary) string {
		var out []int64
		for _, it := range items {
			out = append(out, it.ID)
		}
		return fmt.Sprint(out)
	}
	q := func(h household.Household, extra string) string { return fmt.Sprintf("household_id=%d%s", h.ID, extra) }

	// Open only by default; all of them with state=all (the not-yet-accepted one has no
	// deadline and comes last, after the refused one, which has none either: by id).
	if got := list(w.clerk, q(h1, "")); ids(got) != fmt.Sprint([]int64{second.ID}) {
		t.Fatalf("open cases of h1 %s, want [%d]", ids(got), second.ID)
	}
	all := list(w.clerk, q(h1, "&state=all&limit=200"))
	if ids(all) != fmt.Sprint([]int64{first.ID, second.ID}) {
		t.Fatalf("all cases of h1 %s, want [%d %d]", ids(all), first.ID, second.ID)
	}
	if all[0].State != casework.NotAccepted || all[0].HouseholdID != h1.ID || all[1].State != casework.Submitted {
		t.Fatalf("cases of h1 %+v", all)
	}
	if got := list(w.village, q(h2, "&state=all")); ids(got) != fmt.Sprint([]int64{other.ID}) {
		t.Fatalf("village worker: cases of h2 %s, want [%d]", ids(got), other.ID)
	}
	if got := list(w.clerk, q(h1, "&state=not_accepted")); ids(got) != fmt.Sprint([]int64{first.ID}) {
		t.Fatalf("refused cases of h1 %s", ids(got))
	}

	// Outside the area: a sibling village, a sibling township, the other county see none.
	env.AddUser(t, "hh.sib.village", "village_worker", "330523101202")
	env.AddDivision(t, "330523102", "孝源镇", "")
	env.AddUser(t, "hh.sib.clerk", "township_caseworker", "330523102")
	for _, u := range []string{"hh.sib.village", "hh.sib.clerk", "cx.clerk"} {
		if got := list(env.SignIn(t, u), q(h1, "&state=all")); len(got) != 0 {
			t.Fatalf("%s sees %d cases of a household outside their area", u, len(got))
		}
	}

	for _, bad := range []string{"household_id=abc", "household_id=0", "household_id=-3", "household_id=1.5",
		"household_id=99999999999999999999"} {
		msg := refuse(t, env, w.clerk, http.StatusBadRequest, "validation_failed", http.MethodGet, "/api/v1/cases?"+bad, nil)
		if !bytes.Contains([]byte(msg), []byte("household_id")) {
			t.Fatalf("%s: message %q does not name the field", bad, msg)
		}
	}
	refuse(t, env, env.SignIn(t, "ax.finance"), http.StatusForbidden, "forbidden", http.MethodGet, "/api/v1/cases?"+q(h1, ""), nil)
}

// A step names the household's attachments that back it; the timeline answers them with
// their names so they can be downloaded, and still names one removed from the registry
// since (marked removed).
func TestTimelineNamesAttachments(t *testing.T) {
	w := newWorld(t)
	env := w.env
	h, stranger := w.register(t, "附件户", 2), w.register(t, "别户", 1)
	photo := uploadTo(t, w.clerk, h.ID, "photo", "入户照片.png", pngBytes)
	scan := uploadTo(t, w.clerk, h.ID, "other", "收入证明.pdf", pdfBytes)
	foreign := uploadTo(t, w.clerk, stranger.ID, "photo", "别户.png", pngBytes)

	d := w.submit(t, h)
	d = call(t, w.clerk, 200, http.MethodPost, path(d.ID, "accept"), map[string]any{"version": d.Version})
	d = call(t, w.clerk, 200, http.MethodPost, path(d.ID, "start-investigation"), map[string]any{"version": d.Version})
	visit := map[string]any{"version": d.Version, "visited_on": today(env).String(), "findings": "入户核实，附照片。",
		"investigator_ids": []int64{userID(t, env, "ax.clerk"), userID(t, env, "ax.village")}}

	// Another household's attachment is refused, and changes nothing.
	visit["attachments"] = []int64{photo.ID, foreign.ID}
	refuse(t, env, w.clerk, http.StatusBadRequest, "validation_failed", http.MethodPost, path(d.ID, "visits"), visit)

	visit["attachments"] = []int64{scan.ID, photo.ID}
	d = call(t, w.clerk, 200, http.MethodPost, path(d.ID, "visits"), visit)
	last := d.Timeline[len(d.Timeline)-1]
	if last.Action != string(casework.ActRecordVisit) || fmt.Sprint(last.Attachments) != fmt.Sprint([]int64{scan.ID, photo.ID}) {
		t.Fatalf("visit entry %+v", last)
	}
	want := []casework.EventFile{
		{ID: scan.ID, FileName: "收入证明.pdf", ContentType: "application/pdf", SizeBytes: int64(len(pdfBytes))},
		{ID: photo.ID, FileName: "入户照片.png", ContentType: "image/png", SizeBytes: int64(len(pngBytes))},
	}
	if fmt.Sprint(last.AttachmentFiles) != fmt.Sprint(want) {
		t.Fatalf("files %+v, want %+v", last.AttachmentFiles, want)
	}
	for _, e := range d.Timeline[:len(d.Timeline)-1] {
		if e.AttachmentFiles == nil || len(e.AttachmentFiles) != 0 {
			t.Fatalf("entry %s names files %+v", e.Action, e.AttachmentFiles)
		}
	}

	// Removed from the registry afterwards: still named on the timeline, marked removed.
	if r := w.clerk.Do(http.MethodDelete, fmt.Sprintf("/api/v1/households/%d/attachments/%d", h.ID, photo.ID), nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	d = call(t, w.village, 200, http.MethodGet, path(d.ID, ""), nil)
	var files []casework.EventFile
	for _, e := range d.Timeline {
		files = append(files, e.AttachmentFiles...)
	}
	if len(files) != 2 || files[0].Removed || !files[1].Removed || files[1].FileName != "入户照片.png" {
		t.Fatalf("after removal %+v", files)
	}
}

var (
	pngBytes = []byte{0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0}
	pdfBytes = []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n")
)

// uploadTo adds an attachment to household id through the registry's API.
func uploadTo(t *testing.T, c *apptest.Client, id int64, kind, name string, content []byte) household.Attachment {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("kind", kind)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	r := c.Do(http.MethodPost, fmt.Sprintf("/api/v1/households/%d/attachments", id), buf.Bytes(), "Content-Type", mw.FormDataContentType())
	if r.Status != http.StatusCreated {
		t.Fatalf("upload %s: %d %s", name, r.Status, r.Body)
	}
	var a household.Attachment
	r.JSON(t, &a)
	return a
}
