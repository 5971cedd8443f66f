//go:build bench

package ledger_test

import (
	"os"
	"testing"
	"time"

	"dibao/backend/internal/app/apptest"
	"dibao/backend/internal/synthetic"
)

func TestProfileImport(t *testing.T) {
	env := apptest.New(t)
	clerk := env.SignIn(t, "ax.clerk")
	c := synthetic.County{Townships: []synthetic.Township{{Villages: []synthetic.Village{{Code: "330523101201"}, {Code: "330523101202"}, {Code: "330523101203"}}}}}
	path := ledgerFile(t, c)
	data, _ := os.ReadFile(path)
	t0 := time.Now()
	job := importFile(t, clerk, data)
	t.Logf("job %+v in %s", job, time.Since(t0))
}
