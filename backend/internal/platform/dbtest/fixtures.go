package dbtest

// AddPlanCounty writes, behind the app's back, the division tree the plan tests fill with
// households: 浙江省 › 湖州市 › 安吉县 (330523) with ten townships 镇101–镇110 (330523101–
// 330523110) of fifteen villages each, 村201–村215 (330523101201 and so on).
func (d *DB) AddPlanCounty() {
	d.Super.MustExec(`INSERT INTO divisions (code, level, parent_code, county_code, name) VALUES
		('33', 'province', NULL, NULL, '浙江省'), ('3305', 'city', '33', NULL, '湖州市'),
		('330523', 'county', '3305', '330523', '安吉县')`)
	d.Super.MustExec(`INSERT INTO divisions (code, level, parent_code, county_code, name)
		SELECT '330523' || lpad(t::text, 3, '0'), 'township', '330523', '330523', '镇' || t FROM generate_series(101, 110) t`)
	d.Super.MustExec(`INSERT INTO divisions (code, level, parent_code, county_code, name, urban_rural_type)
		SELECT '330523' || lpad(t::text, 3, '0') || lpad(v::text, 3, '0'), 'village', '330523' || lpad(t::text, 3, '0'), '330523', '村' || v, '220'
		FROM generate_series(101, 110) t, generate_series(201, 215) v`)
}
