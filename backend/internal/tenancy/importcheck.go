package tenancy

import (
	"fmt"
	"sort"
	"strings"

	"dibao/backend/internal/platform/httpx"
)

// Problem is one thing wrong with an import file: the row (as numbered in the file, the
// header being row 1 in a file that starts with it), the code written on it, the column
// and what is wrong, in both languages.
type Problem struct {
	Row     int
	Code    string
	Field   string
	Message httpx.Text
}

// importPlan is what a valid file adds.
type importPlan struct {
	townships, villages []newDivision
	skipped             int // rows of the county itself or the divisions above it
}

// levelWords maps what people write in the level column to a level.
var levelWords = map[string]string{
	"township": LevelTownship, "乡镇": LevelTownship, "乡": LevelTownship, "镇": LevelTownship, "街道": LevelTownship,
	"乡级": LevelTownship, "乡镇级": LevelTownship, "乡镇（街道）": LevelTownship, "乡镇(街道)": LevelTownship, "4": LevelTownship,
	"village": LevelVillage, "村": LevelVillage, "社区": LevelVillage, "村级": LevelVillage, "村（社区）": LevelVillage,
	"村(社区)": LevelVillage, "居委会": LevelVillage, "村委会": LevelVillage, "5": LevelVillage,
	"county": LevelCounty, "县": LevelCounty, "县级": LevelCounty, "区": LevelCounty, "3": LevelCounty,
	"city": LevelCity, "市": LevelCity, "地级": LevelCity, "2": LevelCity,
	"province": LevelProvince, "省": LevelProvince, "省级": LevelProvince, "1": LevelProvince,
}

// checkImport validates every row against the rules of the tree, the file itself and
// what the database already holds (existing: the divisions whose codes the file names).
// It reports every problem it finds, not only the first.
func checkImport(rows []rawRow, county string, existing map[string]Division) (importPlan, []Problem) {
	var plan importPlan
	var problems []Problem
	seen := map[string]int{}         // code -> the first row that has it
	fileLevel := map[string]string{} // code -> level, for parents defined in the file
	type pending struct {
		row    rawRow
		code   string
		level  string
		parent string
	}
	var candidates []pending
	for _, r := range rows {
		add := func(field, zh, en string) {
			problems = append(problems, Problem{Row: r.Line, Code: r.Code, Field: field, Message: httpx.Text{ZH: zh, EN: en}})
		}
		before := len(problems)
		code := ShortenCode(r.Code)
		level := LevelOfCode(code)
		switch {
		case r.Code == "":
			add(colCode, "区划代码不能为空", "The code is required")
			continue
		case !allDigits(r.Code):
			add(colCode, fmt.Sprintf("区划代码「%s」只能由数字组成", r.Code), fmt.Sprintf("Code %q may contain digits only", r.Code))
			continue
		case level == "" || level == LevelPlatform:
			add(colCode, fmt.Sprintf("区划代码 %s 的位数不对：乡镇为 9 位，村（社区）为 12 位", r.Code),
				fmt.Sprintf("Code %s has the wrong length: 9 digits for a township, 12 for a village", r.Code))
			continue
		}
		if r.Level != "" {
			written, ok := levelWords[strings.ToLower(strings.TrimSpace(r.Level))]
			switch {
			case !ok:
				add(colLevel, fmt.Sprintf("级别「%s」无法识别，应填写 乡镇、街道、村 或 社区", r.Level),
					fmt.Sprintf("Level %q is not recognised; use township or village", r.Level))
			case written != level:
				add(colLevel, fmt.Sprintf("级别填写为「%s」，但代码 %s 是%s级代码", r.Level, r.Code, levelZH(level)),
					fmt.Sprintf("The level says %q but code %s is a %s code", r.Level, r.Code, level))
			}
		}
		if level == LevelProvince || level == LevelCity || level == LevelCounty {
			if strings.HasPrefix(county, code) && len(problems) == before {
				plan.skipped++ // the county itself or a division above it, as official lists include them
				continue
			}
			add(colCode, fmt.Sprintf("区划 %s 是%s级，不属于县 %s；只能导入本县的乡镇和村（社区）", r.Code, levelZH(level), county),
				fmt.Sprintf("Division %s is a %s outside county %s; only the county's townships and villages can be imported", r.Code, level, county))
			continue
		}
		if !strings.HasPrefix(code, county) {
			add(colCode, fmt.Sprintf("区划代码 %s 不属于县 %s（应以 %s 开头）", r.Code, county, county),
				fmt.Sprintf("Code %s is not in county %s (it must start with %s)", r.Code, county, county))
			continue
		}
		if level == LevelTownship && !ValidTownshipCode(code) || level == LevelVillage && !ValidVillageCode(code) {
			add(colCode, fmt.Sprintf("区划代码 %s 格式不正确：%s级代码的最后 3 位不能全为 0", r.Code, levelZH(level)),
				fmt.Sprintf("Code %s is malformed: the last 3 digits of a %s code cannot all be zero", r.Code, level))
			continue
		}
		if first, dup := seen[code]; dup {
			add(colCode, fmt.Sprintf("区划代码 %s 与第 %d 行重复", code, first), fmt.Sprintf("Code %s repeats row %d", code, first))
			continue
		}
		seen[code] = r.Line
		fileLevel[code] = level
		if d, ok := existing[code]; ok {
			zh := fmt.Sprintf("区划代码 %s 已存在于系统中（%s）", code, d.Name)
			if d.Retired() {
				zh += "，且已撤销"
			}
			add(colCode, zh, fmt.Sprintf("Code %s already exists (%s)", code, d.Name))
		}
		expected := ParentOf(code)
		if r.Parent != "" {
			parent := ShortenCode(r.Parent)
			if parent != expected {
				pl := LevelOfCode(parent)
				if pl != "" && pl != ParentLevel(level) {
					add(colParent, fmt.Sprintf("上级代码 %s 是%s级代码，%s的上级应是%s", r.Parent, levelZH(pl), levelZH(level), levelZH(ParentLevel(level))),
						fmt.Sprintf("Parent %s is a %s code; the parent of a %s is a %s", r.Parent, pl, level, ParentLevel(level)))
				} else {
					add(colParent, fmt.Sprintf("区划代码 %s 与上级代码 %s 不符：代码应以上级代码开头（应为 %s）", r.Code, r.Parent, expected),
						fmt.Sprintf("Code %s does not match parent %s: it must start with its parent's code (%s)", r.Code, r.Parent, expected))
				}
			}
		}
		name, np := CleanName(r.Name)
		switch np {
		case nameEmpty:
			add(colName, "名称不能为空", "The name is required")
		case nameTooLong:
			add(colName, fmt.Sprintf("名称最多 %d 个字", MaxNameLength), fmt.Sprintf("The name may have at most %d characters", MaxNameLength))
		case nameControl:
			add(colName, "名称含有不可见的控制字符", "The name contains control characters")
		}
		ur := r.UrbanRural
		if level == LevelVillage {
			if ur == "" {
				add(colUrbanRural, "村（社区）必须填写城乡分类代码", "A village needs an urban-rural type")
			} else if _, ok := UrbanRuralTypes[ur]; !ok {
				add(colUrbanRural, fmt.Sprintf("城乡分类代码 %s 无效，应为 111、112、121、122、123、210 或 220", ur),
					fmt.Sprintf("Urban-rural type %s is not valid; use 111, 112, 121, 122, 123, 210 or 220", ur))
			}
		} else if ur != "" {
			add(colUrbanRural, "乡镇（街道）不填写城乡分类代码，只有村（社区）才有", "Townships have no urban-rural type; only villages do")
		}
		r.Name = name
		candidates = append(candidates, pending{row: r, code: code, level: level, parent: expected})
	}
	// Parents: a township hangs under the county, a village under a township of the file
	// or of the database that is not retired.
	for _, c := range candidates {
		if c.level == LevelTownship {
			plan.townships = append(plan.townships, newDivision{Code: c.code, Level: LevelTownship, Parent: county,
				County: county, Name: c.row.Name})
			continue
		}
		if fileLevel[c.parent] != LevelTownship {
			d, ok := existing[c.parent]
			switch {
			case !ok:
				problems = append(problems, Problem{Row: c.row.Line, Code: c.row.Code, Field: colParent, Message: httpx.Text{
					ZH: fmt.Sprintf("上级乡镇 %s 在文件和系统中都不存在", c.parent),
					EN: fmt.Sprintf("Parent township %s is neither in the file nor in the system", c.parent)}})
			case d.Retired():
				problems = append(problems, Problem{Row: c.row.Line, Code: c.row.Code, Field: colParent, Message: httpx.Text{
					ZH: fmt.Sprintf("上级乡镇 %s（%s）已撤销", c.parent, d.Name),
					EN: fmt.Sprintf("Parent township %s (%s) is retired", c.parent, d.Name)}})
			}
		}
		plan.villages = append(plan.villages, newDivision{Code: c.code, Level: LevelVillage, Parent: c.parent,
			County: county, Name: c.row.Name, UrbanRural: c.row.UrbanRural})
	}
	sortProblems(problems)
	return plan, problems
}

// ParentLevel is the level directly above level.
func ParentLevel(level string) string {
	switch level {
	case LevelVillage:
		return LevelTownship
	case LevelTownship:
		return LevelCounty
	case LevelCounty:
		return LevelCity
	case LevelCity:
		return LevelProvince
	}
	return ""
}

// sortProblems orders problems by row, keeping each row's problems in the order found.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Row < ps[j].Row })
}
