package ledger

import (
	"strings"
	"unicode"
)

// Column keys: what each column of the ledger means, whatever its title in the file.
const (
	colHouseholdKey   = "household_key"
	colHeadIDNumber   = "head_id_number"
	colVillage        = "village"
	colCategory       = "category"
	colHeadName       = "head_name"
	colAddress        = "address"
	colPhone          = "phone"
	colBankName       = "bank_name"
	colBankHolder     = "bank_holder"
	colBankAccount    = "bank_account"
	colName           = "name"
	colIDNumber       = "id_number"
	colSex            = "sex"
	colBirthDate      = "birth_date"
	colRelation       = "relation"
	colDisability     = "disability_grade"
	colSeriousIllness = "serious_illness"
	colChronicIllness = "chronic_illness"
	colLabour         = "labour_capacity"
	colEmployment     = "employment"
	colSchool         = "school"
	colIncomeWages    = "income_wages"
	colIncomeFarming  = "income_farming"
	colIncomeBusiness = "income_business"
	colIncomeProperty = "income_property"
	colIncomeTransfer = "income_transfer"
	colIncomeOther    = "income_other"
)

// column is one column of the template.
type column struct {
	Key      string
	ZH, EN   string   // the template's titles
	Aliases  []string // other titles it is known by (compared normalised)
	Required string   // "" optional; "row" on every row; "head" on the head's row
	Example  [3]string
	NoteZH   string // the explanation sheet's text
	NoteEN   string
	// Household columns describe the whole household: read from the head's row; on other
	// rows they may be left empty (a different value is an error).
	Household bool
	// IncomeKind is the registry's income kind of an income column.
	IncomeKind string
}

// columns are the template's columns, in order. Three example rows: a head, his wife and
// their son (the ID numbers are valid made-up numbers of 安吉县).
var columns = []column{
	{Key: colHouseholdKey, ZH: "户编号", EN: "household_no", Aliases: []string{"户号", "户序号", "家庭编号", "household_key", "household"},
		Example: [3]string{"1", "1", "1"}, Household: true,
		NoteZH: "同一户的成员填写相同的户编号（原台账的户号或任意编号），同一户的行必须连续排列。不填时按“户主身份证号”分户。",
		NoteEN: "The same number on every member of a household (the old ledger's number or any label); the rows of a household must be consecutive. When empty, households are told apart by the head's ID number."},
	{Key: colHeadIDNumber, ZH: "户主身份证号", EN: "head_id_number", Aliases: []string{"户主身份证号码", "户主公民身份号码"},
		Example: [3]string{"330523196203150013", "330523196203150013", "330523196203150013"}, Household: true,
		NoteZH: "选填。不填户编号时用于分户：同一户的每一行都填户主的身份证号。填写时须与本户“本人”行的身份证号一致。",
		NoteEN: "Optional. Tells households apart when there is no household number: every row of a household carries the head's ID number, which must be the ID number of its self row."},
	{Key: colVillage, ZH: "村（社区）代码", EN: "village_code", Aliases: []string{"村社区代码", "村代码", "社区代码", "村（社区）", "村社区", "所在村", "village"},
		Required: "head", Example: [3]string{"330523101201", "", ""}, Household: true,
		NoteZH: "必填（户主行）。户籍所在村（社区）的 12 位统计用区划代码，也可填村（社区）的名称（在您的管辖范围内须唯一）。须在您当前工作的区划之内。",
		NoteEN: "Required on the head's row. The 12-digit statistical code of the village (community) of registration, or its name (unique in your area). It must lie within the division you work in."},
	{Key: colCategory, ZH: "城乡类别", EN: "category", Aliases: []string{"城乡", "低保类别", "类别"},
		Example: [3]string{"农村", "", ""}, Household: true,
		NoteZH: "城镇 或 农村（也可填 urban、rural）。不填时按村（社区）的城乡分类代码判断：1 开头为城镇，2 开头为农村。",
		NoteEN: "城镇/urban or 农村/rural. When empty it follows the village's urban-rural type code: 1xx urban, 2xx rural."},
	{Key: colHeadName, ZH: "户主姓名", EN: "head_name", Aliases: []string{"户主"},
		Example: [3]string{"张建国", "张建国", "张建国"}, Household: true,
		NoteZH: "选填。填写时须与本户“本人”行的姓名一致。", NoteEN: "Optional. When given, it must be the name on the household's self row."},
	{Key: colAddress, ZH: "住址", EN: "address", Aliases: []string{"家庭住址", "地址", "居住地址"},
		Example: [3]string{"梅溪村张家弄 12 号", "", ""}, Household: true,
		NoteZH: "选填，户主行填写，最多 200 个字。", NoteEN: "Optional, on the head's row; at most 200 characters."},
	{Key: colPhone, ZH: "联系电话", EN: "phone", Aliases: []string{"电话", "手机", "手机号", "联系方式"},
		Example: [3]string{"13857200001", "", ""}, Household: true,
		NoteZH: "选填，户主行填写：11 位手机号，或带区号的固定电话（如 0572-5012345）。",
		NoteEN: "Optional, on the head's row: an 11-digit mobile number or a landline with its area code (e.g. 0572-5012345)."},
	{Key: colBankName, ZH: "开户银行", EN: "bank", Aliases: []string{"银行", "开户行", "bank_name"},
		Example: [3]string{"安吉农商银行", "", ""}, Household: true,
		NoteZH: "填写银行账号时必填。", NoteEN: "Required when a bank account is given."},
	{Key: colBankHolder, ZH: "账户户名", EN: "bank_holder", Aliases: []string{"户名", "开户人", "账户名"},
		Example: [3]string{"张建国", "", ""}, Household: true,
		NoteZH: "选填，最多 50 个字。", NoteEN: "Optional; at most 50 characters."},
	{Key: colBankAccount, ZH: "银行账号", EN: "bank_account", Aliases: []string{"账号", "银行卡号", "卡号", "存折账号"},
		Example: [3]string{"6217000012345678901", "", ""}, Household: true,
		NoteZH: "选填，12–30 位数字。请把该列设为“文本”格式，否则 Excel 会把长数字变成科学计数法并丢失末几位。",
		NoteEN: "Optional; 12 to 30 digits. Format the column as Text, or Excel turns long numbers into scientific notation and loses their last digits."},
	{Key: colName, ZH: "姓名", EN: "name", Aliases: []string{"成员姓名", "家庭成员姓名", "member_name"},
		Required: "row", Example: [3]string{"张建国", "李秀英", "张伟"},
		NoteZH: "必填，最多 50 个字。", NoteEN: "Required; at most 50 characters."},
	{Key: colIDNumber, ZH: "身份证号", EN: "id_number", Aliases: []string{"身份证号码", "公民身份号码", "证件号码", "身份证"},
		Required: "row", Example: [3]string{"330523196203150013", "330523196508210021", "330523198911020016"},
		NoteZH: "必填，18 位，按 GB 11643 核对校验位和出生日期。同一人在文件中只能出现一次；已在本辖区登记、或已在任何县的在办或在保案件中的人不能导入。请把该列设为“文本”格式。",
		NoteEN: "Required; 18 characters, checked against GB 11643 (check digit, birth date). A person appears once in the file; someone already registered in your area, or in an open case or enrolment in any county, cannot be imported. Format the column as Text."},
	{Key: colSex, ZH: "性别", EN: "sex", Example: [3]string{"男", "女", "男"},
		NoteZH: "男 或 女（male、female）。不填时按身份证号第 17 位；填写时须与之相符。",
		NoteEN: "男/male or 女/female. When empty it comes from the ID number's 17th digit; when given it must match it."},
	{Key: colBirthDate, ZH: "出生日期", EN: "birth_date", Aliases: []string{"出生年月日", "生日"},
		Example: [3]string{"1962-03-15", "1965-08-21", "1989-11-02"},
		NoteZH:  "如 1962-03-15（也可 1962/3/15、19620315 或 Excel 日期）。不填时按身份证号；填写时须与之相符，且不能晚于今天。",
		NoteEN:  "E.g. 1962-03-15 (or 1962/3/15, 19620315 or an Excel date). When empty it comes from the ID number; when given it must match it and not be in the future."},
	{Key: colRelation, ZH: "与户主关系", EN: "relation", Aliases: []string{"关系", "与户主的关系"},
		Required: "row", Example: [3]string{"本人", "配偶", "子女"},
		NoteZH: "必填：本人（户主，每户有且只有一名）、配偶、子女、父母、孙子女、祖父母、兄弟姐妹、儿媳女婿、其他（也可填 子、女、妻、夫、父亲、母亲 等，或英文 self、spouse、child、parent、grandchild、grandparent、sibling、child_in_law、other）。",
		NoteEN: "Required: 本人/self (the head; exactly one per household), 配偶/spouse, 子女/child, 父母/parent, 孙子女/grandchild, 祖父母/grandparent, 兄弟姐妹/sibling, 儿媳女婿/child_in_law, 其他/other."},
	{Key: colDisability, ZH: "残疾等级", EN: "disability_grade", Aliases: []string{"残疾", "残疾级别"},
		Example: [3]string{"无", "二级", "无"},
		NoteZH:  "无、一级、二级、三级、四级（也可填 0–4）。不填为无。", NoteEN: "无/0 (none), 一级/1 … 四级/4. Empty means none."},
	{Key: colSeriousIllness, ZH: "重病", EN: "serious_illness", Aliases: []string{"是否重病", "重大疾病", "大病"},
		Example: [3]string{"否", "否", "否"},
		NoteZH:  "是 或 否（不填为否）。", NoteEN: "是/yes or 否/no (empty means no)."},
	{Key: colChronicIllness, ZH: "慢性病", EN: "chronic_illness", Aliases: []string{"是否慢性病"},
		Example: [3]string{"是", "否", "否"},
		NoteZH:  "是 或 否（不填为否）。", NoteEN: "是/yes or 否/no (empty means no)."},
	{Key: colLabour, ZH: "劳动能力", EN: "labour_capacity", Aliases: []string{"劳动力"},
		Example: [3]string{"部分", "无", "完全"},
		NoteZH:  "完全、部分 或 无（也可填 有、丧失，或 full、partial、none）。不填为完全。",
		NoteEN:  "完全/full, 部分/partial or 无/none. Empty means full."},
	{Key: colEmployment, ZH: "就业情况", EN: "employment", Aliases: []string{"就业", "工作单位"},
		Example: [3]string{"务农", "", "外出务工"},
		NoteZH:  "选填，最多 100 个字。", NoteEN: "Optional; at most 100 characters."},
	{Key: colSchool, ZH: "就学情况", EN: "school", Aliases: []string{"就学", "学校"},
		Example: [3]string{"", "", ""},
		NoteZH:  "选填，最多 100 个字。", NoteEN: "Optional; at most 100 characters."},
	{Key: colIncomeWages, ZH: "工资性收入（元/月）", EN: "income_wages", Aliases: []string{"工资性收入", "工资收入", "工资"},
		Example: [3]string{"", "", "1800"}, IncomeKind: "wages",
		NoteZH: "本人每月收入，单位元，最多两位小数（如 1234.56），不能为负。空或 0 表示没有。",
		NoteEN: "This person's monthly income in yuan, at most 2 decimals (e.g. 1234.56), not negative. Empty or 0 means none."},
	{Key: colIncomeFarming, ZH: "农业收入（元/月）", EN: "income_farming", Aliases: []string{"农业收入", "种养殖收入", "农业经营收入"},
		Example: [3]string{"350.50", "", ""}, IncomeKind: "farming",
		NoteZH: "同上。", NoteEN: "As above."},
	{Key: colIncomeBusiness, ZH: "经营性收入（元/月）", EN: "income_business", Aliases: []string{"经营性收入", "经营收入"},
		Example: [3]string{"", "", ""}, IncomeKind: "business", NoteZH: "同上。", NoteEN: "As above."},
	{Key: colIncomeProperty, ZH: "财产性收入（元/月）", EN: "income_property", Aliases: []string{"财产性收入", "财产收入"},
		Example: [3]string{"", "", ""}, IncomeKind: "property", NoteZH: "同上。", NoteEN: "As above."},
	{Key: colIncomeTransfer, ZH: "转移性收入（元/月）", EN: "income_transfer", Aliases: []string{"转移性收入", "转移收入"},
		Example: [3]string{"", "120", ""}, IncomeKind: "transfer", NoteZH: "同上（如养老金）。", NoteEN: "As above (e.g. a pension)."},
	{Key: colIncomeOther, ZH: "其他收入（元/月）", EN: "income_other", Aliases: []string{"其他收入"},
		Example: [3]string{"", "", ""}, IncomeKind: "other", NoteZH: "同上。", NoteEN: "As above."},
}

// columnByKey finds a column's definition.
func columnByKey(key string) (column, bool) {
	for _, c := range columns {
		if c.Key == key {
			return c, true
		}
	}
	return column{}, false
}

// columnLabel is a column's title in one language; "" (the row as a whole) is 整行/row.
func columnLabel(key string, en bool) string {
	if c, ok := columnByKey(key); ok {
		if en {
			return c.EN
		}
		return c.ZH
	}
	if en {
		return "row"
	}
	return "整行"
}

// headerIndex maps normalised header titles to column keys.
var headerIndex = func() map[string]string {
	m := map[string]string{}
	for _, c := range columns {
		for _, name := range append([]string{c.ZH, c.EN, c.Key}, c.Aliases...) {
			m[normaliseHeader(name)] = c.Key
		}
	}
	return m
}()

// normaliseHeader makes header titles comparable: no spaces, asterisks or parenthesised
// notes (units like （元/月）, marks like (必填)), lower case.
func normaliseHeader(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(' || r == '（' || r == '[' || r == '【':
			depth++
		case r == ')' || r == '）' || r == ']' || r == '】':
			if depth > 0 {
				depth--
			}
		case depth > 0, unicode.IsSpace(r), r == '*', r == '＊', r == '_' || r == '-':
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	out := b.String()
	if out == "" { // a title that is all parentheses, e.g. "（村）": keep what it says
		return strings.ToLower(strings.Join(strings.Fields(s), ""))
	}
	return out
}
