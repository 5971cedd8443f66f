package tenancy

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"dibao/backend/internal/access"
	"dibao/backend/internal/platform/dbtest"
	"dibao/backend/internal/platform/secure"
	"dibao/backend/internal/seed"
)

// allowAll lets every request through: this test is about the import, not about who may.
type allowAll struct{}

func (allowAll) Allowed(context.Context, access.Principal, string, string, string) bool { return true }

// A county-sized code list (100 townships, 5,000 villages) goes in within seconds, in one
// transaction, with a history row for each division. (Through HTTP the server's body limit
// applies first: MAX_BODY_BYTES, 1 MiB by default, holds about 20,000 CSV rows.)
func TestImportACountySizedList(t *testing.T) {
	d := dbtest.New(t)
	box, err := secure.NewBox(make([]byte, 16), make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := seed.Demo(ctx, d.Owner, box); err != nil {
		t.Fatal(err)
	}
	svc := NewService(d.App, access.NewGuard(allowAll{}, nil), time.Now)
	platform := access.Principal{UserID: 1, Username: "platform", CountyCode: PlatformCode, DivisionCode: PlatformCode,
		Roles: []access.Assignment{{RoleKey: "platform_admin", DivisionCode: PlatformCode}}}
	if _, err := svc.ProvisionCounty(ctx, platform, ProvisionRequest{Code: "330599", Name: "测试县"}); err != nil {
		t.Fatal(err)
	}
	var csv strings.Builder
	csv.WriteString("区划代码,名称,级别,上级代码,城乡分类代码\n")
	for i := 1; i <= 100; i++ {
		township := fmt.Sprintf("330599%03d", 100+i)
		fmt.Fprintf(&csv, "%s,第%d镇,乡镇,330599,\n", township, i)
		for j := 1; j <= 50; j++ {
			fmt.Fprintf(&csv, "%s%03d,第%d镇第%d村,村,%s,220\n", township, 200+j, i, j, township)
		}
	}
	started := time.Now()
	res, err := svc.Import(ctx, platform, "330599", "county.csv", []byte(csv.String()))
	took := time.Since(started)
	if err != nil || res != (ImportResult{Rows: 5100, Townships: 100, Villages: 5000}) {
		t.Fatalf("import: %+v %v", res, err)
	}
	t.Logf("imported 5,100 divisions (%d KB of CSV) in %v", csv.Len()>>10, took.Round(time.Millisecond))
	var n int
	if err := d.Super.Get(&n, `SELECT count(*) FROM division_history WHERE county_code = '330599' AND action = 'import'`); err != nil || n != 5100 {
		t.Fatalf("history rows: %d %v", n, err)
	}
	// The same file again: every row is now a duplicate, all 5,100 are reported, nothing written.
	started = time.Now()
	_, err = svc.Import(ctx, platform, "330599", "county.csv", []byte(csv.String()))
	ie, ok := err.(*ImportError)
	if !ok || len(ie.Problems) != 5100 {
		t.Fatalf("re-import: %v", err)
	}
	t.Logf("checked and refused 5,100 duplicate rows in %v", time.Since(started).Round(time.Millisecond))
}
