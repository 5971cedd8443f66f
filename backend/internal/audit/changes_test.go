package audit_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"dibao/backend/internal/audit"
)

type staff struct {
	Username     string   `json:"username"`
	DisplayName  string   `json:"display_name"`
	Phone        string   `json:"phone,omitempty"`
	IDNumber     string   `json:"id_number,omitempty"`
	Status       string   `json:"status"`
	PasswordHash string   `json:"password_hash,omitempty"`
	Roles        []string `json:"roles"`
	Age          int      `json:"age"`
}

func TestChangesListsOnlyChangedFieldsMasked(t *testing.T) {
	before := staff{Username: "ax.clerk", DisplayName: "王芳", Phone: "13800001234", IDNumber: "330523199001011234",
		Status: "active", PasswordHash: "$argon2id$old", Roles: []string{"township_caseworker"}, Age: 30}
	after := before
	after.DisplayName = "王芳芳"
	after.Phone = "13999995678"
	after.PasswordHash = "$argon2id$new"
	after.Roles = []string{"township_caseworker", "village_worker"}
	got := audit.Changes(before, &after, "phone:phone", "id_number:id_number")
	want := map[string]any{
		"before": map[string]any{"display_name": "王芳", "phone": "138****1234", "password_hash": audit.Hidden,
			"roles": []any{"township_caseworker"}},
		"after": map[string]any{"display_name": "王芳芳", "phone": "139****5678", "password_hash": audit.Hidden,
			"roles": []any{"township_caseworker", "village_worker"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Changes:\n got %#v\nwant %#v", got, want)
	}
	// What reaches the log is JSON; nothing of the clear values survives.
	raw, _ := json.Marshal(got)
	for _, secret := range []string{"13800001234", "13999995678", "argon2id", "330523199001011234"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("%q leaked into %s", secret, raw)
		}
	}
}

func TestChangesCreationAndRemoval(t *testing.T) {
	u := staff{Username: "ax.new", DisplayName: "新人", IDNumber: "330523199001011234", Status: "active", Age: 25}
	created := audit.Changes(nil, u, "id_number:id_number")
	if _, ok := created["before"]; ok {
		t.Errorf("creation has a before: %v", created)
	}
	after := created["after"].(map[string]any)
	if after["username"] != "ax.new" || after["id_number"] != "330523********1234" || after["roles"] != nil {
		t.Errorf("creation after = %v", after)
	}
	if n, ok := after["age"].(json.Number); !ok || n.String() != "25" {
		t.Errorf("numbers are kept exact: %#v", after["age"])
	}
	removed := audit.Changes(u, nil, "id_number")
	if _, ok := removed["after"]; ok {
		t.Errorf("removal has an after: %v", removed)
	}
	if removed["before"].(map[string]any)["id_number"] != audit.Hidden {
		t.Errorf("a sensitive field without a kind is hidden whole: %v", removed)
	}
}

func TestChangesNothingChanged(t *testing.T) {
	u := staff{Username: "a", Roles: []string{"x"}}
	if got := audit.Changes(u, u); got != nil {
		t.Fatalf("no change gives %v", got)
	}
	if got := audit.Changes(map[string]any{"a": 1}, map[string]any{"a": 1.0}); got != nil {
		t.Fatalf("1 and 1.0 are the same JSON number: %v", got)
	}
}

func TestChangesMapsAndSecretsByName(t *testing.T) {
	got := audit.Changes(map[string]any{"token": "abc", "limit": 5, "gone": true},
		map[string]any{"token": "def", "limit": 6, "new_password": "Secret1!"})
	want := map[string]any{
		"before": map[string]any{"token": audit.Hidden, "limit": json.Number("5"), "gone": true},
		"after":  map[string]any{"token": audit.Hidden, "limit": json.Number("6"), "new_password": audit.Hidden},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
}

func TestChangesOfSomethingThatIsNotAnObject(t *testing.T) {
	got := audit.Changes([]int{1}, []int{2})
	if _, ok := got["error"]; !ok {
		t.Fatalf("a slice is not an object; got %v", got)
	}
	got = audit.Changes(nil, map[string]any{"ch": make(chan int)})
	if _, ok := got["error"]; !ok {
		t.Fatalf("a channel cannot be encoded; got %v", got)
	}
}
