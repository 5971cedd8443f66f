package migrations_test

import (
	"context"
	"database/sql"
	"testing"

	"dibao/backend/internal/platform/dbtest"
)

// TestStatementScope: a statement that sets its own scope with app_statement_scope (0016)
// sees that scope's rows and no others, prepared and planned generically too, and leaves
// nothing on the connection for the next statement.
func TestStatementScope(t *testing.T) {
	d := dbtest.New(t)
	d.Super.MustExec(`INSERT INTO divisions (code, level, parent_code, county_code, name) VALUES
		('33', 'province', NULL, NULL, '浙江省'), ('3305', 'city', '33', NULL, '湖州市'),
		('330523', 'county', '3305', '330523', '安吉县'), ('330522', 'county', '3305', '330522', '长兴县'),
		('330523101', 'township', '330523', '330523', '递铺镇'), ('330522101', 'township', '330522', '330522', '雉城镇')`)
	d.Super.MustExec(`INSERT INTO divisions (code, level, parent_code, county_code, name, urban_rural_type) VALUES
		('330523101201', 'village', '330523101', '330523', '梅溪村', '220'),
		('330523101202', 'village', '330523101', '330523', '荆湾村', '220'),
		('330522101201', 'village', '330522101', '330522', '城南村', '220')`)
	d.Super.MustExec(`INSERT INTO households (county_code, id, division_code, category, head_name) VALUES
		('330523', 1, '330523101201', 'rural', '甲'), ('330523', 2, '330523101202', 'rural', '乙'),
		('330522', 3, '330522101201', 'rural', '丙')`)

	ctx := context.Background()
	conn, err := d.App.Connx(ctx) // one connection throughout: what one statement leaves, the next would see
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stmt, err := conn.PreparexContext(ctx, `SELECT q.id FROM app_statement_scope($1, $2) AS scope
		CROSS JOIN LATERAL (SELECT h.id FROM households h WHERE scope.ready AND h.county_code = $1 ORDER BY h.id) AS q`)
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	ids := func(county, division string) []int64 {
		t.Helper()
		var out []int64
		if err := stmt.SelectContext(ctx, &out, county, division); err != nil {
			t.Fatal(err)
		}
		var left sql.NullString
		var seen int
		if err := conn.QueryRowxContext(ctx, `SELECT current_setting('app.county_code', true),
			(SELECT count(*) FROM households)`).Scan(&left, &seen); err != nil {
			t.Fatal(err)
		}
		if left.String != "" || seen != 0 {
			t.Fatalf("after the statement the connection keeps the scope %q and sees %d households", left.String, seen)
		}
		return out
	}
	// More than five runs: PostgreSQL then switches a prepared statement to its generic plan.
	for i := 0; i < 4; i++ {
		if got := ids("330523", "330523"); len(got) != 2 || got[0] != 1 || got[1] != 2 {
			t.Fatalf("run %d, 安吉县: %v", i, got)
		}
		if got := ids("330523", "330523101202"); len(got) != 1 || got[0] != 2 {
			t.Fatalf("run %d, 荆湾村: %v", i, got)
		}
		if got := ids("330522", "330522"); len(got) != 1 || got[0] != 3 {
			t.Fatalf("run %d, 长兴县: %v", i, got)
		}
		// Asking for one county in the other's scope finds nothing.
		if got := ids("330522", "330523"); len(got) != 0 {
			t.Fatalf("run %d, 长兴县 in 安吉县's scope: %v", i, got)
		}
		if got := ids("", ""); len(got) != 0 {
			t.Fatalf("run %d, no scope: %v", i, got)
		}
	}
}
