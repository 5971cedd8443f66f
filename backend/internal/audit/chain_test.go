package audit

import (
	"database/sql"
	"encoding/hex"
	"testing"
	"time"
)

// The canonical form is a contract with migration 0004's audit_row_hash: this pins it byte
// for byte (the integration tests check that both sides agree on real rows).
func TestCanonicalForm(t *testing.T) {
	r := chainRow{CountyCode: "330523", ID: 42, PrevID: 41, DivisionCode: "330523101",
		At:      time.Date(2026, 3, 4, 13, 5, 6, 7000, time.FixedZone("CST", 8*3600)),
		ActorID: sql.NullInt64{Int64: 7, Valid: true}, ActorName: "ax.clerk", Action: "auth.login",
		ObjectType: "user", ObjectID: "ax.clerk", Outcome: "success", RequestID: "req-1", ClientIP: "10.0.0.1",
		Detail: `{"名": "王\n芳", "reason": "x"}`}
	want := "dibao-audit-v1\n" +
		"6:330523\n" + "2:42\n" + "2:41\n" + "9:330523101\n" + "27:2026-03-04T05:05:06.000007Z\n" +
		"1:7\n" + "8:ax.clerk\n" + "10:auth.login\n" + "4:user\n" + "8:ax.clerk\n" + "7:success\n" +
		"5:req-1\n" + "8:10.0.0.1\n" + "34:{\"名\": \"王\\n芳\", \"reason\": \"x\"}\n"
	if got := string(canonical(r)); got != want {
		t.Fatalf("canonical form:\n got %q\nwant %q", got, want)
	}
	// No actor: an empty field, not "0".
	r.ActorID = sql.NullInt64{}
	if got := string(canonical(r)); got[len("dibao-audit-v1\n6:330523\n2:42\n2:41\n9:330523101\n27:2026-03-04T05:05:06.000007Z\n"):][:3] != "0:\n" {
		t.Fatalf("missing actor is not an empty field: %q", got)
	}
}

func TestRowHashChainsOnPrev(t *testing.T) {
	r := chainRow{CountyCode: "330523", ID: 1, At: time.Unix(0, 0), Outcome: "success", Detail: "{}"}
	a, b := rowHash(genesis, r), rowHash(append([]byte{1}, genesis[1:]...), r)
	if len(a) != hashLen || hex.EncodeToString(a) == hex.EncodeToString(b) {
		t.Fatalf("hash does not depend on prev: %x %x", a, b)
	}
	r.Detail = `{"a": 1}`
	if hex.EncodeToString(rowHash(genesis, r)) == hex.EncodeToString(a) {
		t.Fatal("hash does not depend on the detail")
	}
}
