//go:build bench

package ledger_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"dibao/backend/internal/app/apptest"
	"dibao/backend/internal/synthetic"
)

func cpuOf(pid string) float64 {
	raw, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	s := string(raw)
	f := strings.Fields(s[strings.LastIndex(s, ")")+2:])
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (u + st) / 100
}

func pgCPU() float64 {
	total := 0.0
	ms, _ := filepath.Glob("/proc/[0-9]*/comm")
	for _, m := range ms {
		c, _ := os.ReadFile(m)
		if strings.TrimSpace(string(c)) == "postgres" {
			total += cpuOf(filepath.Base(filepath.Dir(m)))
		}
	}
	return total
}

func TestProfileImport(t *testing.T) {
	env := apptest.New(t)
	clerk := env.SignIn(t, "ax.clerk")
	c := synthetic.County{Townships: []synthetic.Township{{Villages: []synthetic.Village{{Code: "330523101201"}, {Code: "330523101202"}, {Code: "330523101203"}}}}}
	path := ledgerFile(t, c)
	data, _ := os.ReadFile(path)
	mine := func() float64 {
		var pids []string
		env.DB.Super.Select(&pids, `SELECT pid::text FROM pg_stat_activity WHERE datname = $1`, env.DB.Name)
		total := 0.0
		for _, p := range pids {
			total += cpuOf(p)
		}
		return total
	}
	// Warm the pool: every app connection exists before and after.
	g0, p0, m0 := cpuOf("self"), pgCPU(), mine()
	t0 := time.Now()
	job := importFile(t, clerk, data)
	t.Logf("job %d: %d households in %s; go cpu %.1fs, postgres cpu (all) %.1fs, (this db, surviving backends) %.1fs", job.ID, job.HouseholdsImported, time.Since(t0), cpuOf("self")-g0, pgCPU()-p0, mine()-m0)
}
