package household

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"dibao/backend/internal/platform/dbtest"
	"dibao/backend/internal/platform/secure"
)

// The searches of GET /households use the indexes of 0007, as the app role under row-level
// security, on a county of 60,000 households: no sequential scan of households or members,
// whatever the filter.
func TestSearchPlansUseIndexes(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 60,000 households")
	}
	d := dbtest.New(t)
	box, err := secure.NewBox(bytes.Repeat([]byte{1}, 16), bytes.Repeat([]byte{2}, 32))
	if err != nil {
		t.Fatal(err)
	}
	d.AddPlanCounty()
	// 60,000 households over 150 villages, names from a pool of surnames, one head each.
	d.Super.MustExec(`INSERT INTO households (county_code, id, division_code, category, head_name, status)
		SELECT '330523', g, '330523' || lpad((101 + g % 10)::text, 3, '0') || lpad((201 + (g / 10) % 15)::text, 3, '0'), 'rural',
			(ARRAY['张','王','李','赵','钱','孙','周','吴','郑','冯','陈','褚','卫','蒋','沈','韩','杨','朱','秦','尤'])[1 + g % 20] || '某' || g,
			(ARRAY['registered','applying','enrolled','exited'])[1 + g % 4]
		FROM generate_series(1, 60000) g`)
	d.Super.MustExec(`INSERT INTO household_members (county_code, id, household_id, division_code, name, id_number_enc,
			id_number_index, id_number_masked, sex, birth_date, relation)
		SELECT '330523', g, g, h.division_code, h.head_name, '\x00', sha256(g::text::bytea), '330523********0000', 'male', '1960-01-01', 'self'
		FROM generate_series(1, 60000) g JOIN households h ON h.county_code = '330523' AND h.id = g`)
	d.Super.MustExec(`ANALYZE households; ANALYZE household_members; ANALYZE divisions`)

	idx := box.Index(IDNumberField, "330523199001011238")
	cases := map[string]listFilter{
		"county, first page":    {County: "330523", Division: "330523", Limit: 51},
		"township, next page":   {County: "330523", Division: "330523105", AfterDivision: "330523105207", AfterID: 30000, Limit: 51},
		"village":               {County: "330523", Division: "330523105207", Limit: 51},
		"name prefix in county": {County: "330523", Division: "330523", NamePrefix: "张某1", Limit: 51},
		"name prefix, village":  {County: "330523", Division: "330523103203", NamePrefix: "王", Limit: 51},
		"rare name in county":   {County: "330523", Division: "330523", NamePrefix: "尤某5999", Limit: 51},
		"common surname":        {County: "330523", Division: "330523", NamePrefix: "张", Limit: 51},
		"name prefix, township": {County: "330523", Division: "330523104", NamePrefix: "孙", Limit: 51},
		"ID number":             {County: "330523", Division: "330523", IDIndex: idx, Limit: 51},
		"status in township":    {County: "330523", Division: "330523101", Status: "enrolled", Limit: 51},
	}
	for name, f := range cases {
		q, args := listQuery(f)
		tx := d.App.MustBegin()
		tx.MustExec(`SELECT set_config('app.county_code', '330523', true), set_config('app.division_code', $1, true)`, f.Division)
		var plan []string
		if err := tx.Select(&plan, `EXPLAIN `+q, args...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// The same as a prepared statement's generic plan, which the server uses after a
		// few runs (list.go prepares the search): it must choose the same way.
		tx.MustExec(`SET LOCAL plan_cache_mode = force_generic_plan`)
		tx.MustExec(`PREPARE search AS ` + q)
		var generic []string
		if err := tx.Select(&generic, `EXPLAIN EXECUTE search(`+literals(args)+`)`); err != nil {
			t.Fatalf("%s: generic plan: %v", name, err)
		}
		tx.MustExec(`DEALLOCATE search; SET LOCAL plan_cache_mode = auto`)
		var rows []ListItem
		start := time.Now()
		for i := 0; i < 20; i++ {
			rows = rows[:0]
			if err := tx.Select(&rows, q, args...); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		took := time.Since(start) / 20
		tx.Rollback()
		for kind, text := range map[string]string{"custom": strings.Join(plan, "\n"), "generic": strings.Join(generic, "\n")} {
			if strings.Contains(text, "Seq Scan on households") || strings.Contains(text, "Seq Scan on household_members") {
				t.Errorf("%s (%s plan): sequential scan\n%s", name, kind, text)
			}
			// How each kind finds its page (list.go): an ID number by key, never by walking the
			// area; an area in the area's index order; a name through the name index.
			want := map[string]string{
				"ID number":             "Index Scan using households_pkey on households h ",
				"village":               "Index Scan using households_division",
				"township, next page":   "Index Scan using households_division",
				"rare name in county":   "households_head_name",
				"name prefix, township": "households_head_name",
			}[name]
			if want != "" && !strings.Contains(text, want) {
				t.Errorf("%s (%s plan): the plan does not use %q\n%s", name, kind, want, text)
			}
			// The statement's scope is set before any household is read (0016): its function
			// is the outer side of the join, above the households in the plan's text.
			scope, first := strings.Index(text, "Function Scan on app_statement_scope"), strings.Index(text, " on households h")
			if scope < 0 || first < 0 || scope > first || !strings.Contains(text[:scope], "Nested Loop") {
				t.Errorf("%s (%s plan): the scope is not set before the households are read\n%s", name, kind, text)
			}
			if name == "ID number" && strings.Contains(text, "households_division") {
				t.Errorf("ID number (%s plan): the plan walks the area\n%s", kind, text)
			}
		}
		text := strings.Join(plan, "\n") + "\ngeneric:\n" + strings.Join(generic, "\n")
		if testing.Verbose() {
			t.Logf("%s (%d rows, %v per query):\n%s", name, len(rows), took, text)
		}
	}
}

// literals writes a query's arguments as SQL literals, for EXECUTE.
func literals(args []any) string {
	out := make([]string, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			out[i] = pq.QuoteLiteral(v)
		case []byte:
			out[i] = `'\x` + hex.EncodeToString(v) + `'::bytea`
		default:
			out[i] = fmt.Sprint(v)
		}
	}
	return strings.Join(out, ", ")
}
