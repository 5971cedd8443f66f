package ledger

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"dibao/backend/internal/household"
	"dibao/backend/internal/platform/civil"
)

// The registry's rules (household/validate.go), applied to ledger rows. The ID number is
// checked by household.ParseIDNumber itself; the patterns and limits below are the
// registry's, restated because it does not export them.
var (
	mobilePattern   = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	landlinePattern = regexp.MustCompile(`^0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}$`)
	accountPattern  = regexp.MustCompile(`^[0-9]{12,30}$`)
	villagePattern  = regexp.MustCompile(`^[0-9]{12}$`)
)

// maxMembers is the registry's limit of members in one household.
const maxMembers = 30

// sheetRow is one data row as read: its number in the sheet and its cells in file order.
type sheetRow struct {
	Line  int
	Cells []string
}

// layout says which cell of a row holds which column.
type layout struct {
	pos    map[string]int // column key → position in the row
	header []string       // the header row's titles as written
}

func (l *layout) get(r sheetRow, key string) string {
	i, ok := l.pos[key]
	if !ok || i >= len(r.Cells) {
		return ""
	}
	return strings.TrimSpace(r.Cells[i])
}

// blank reports a row with nothing in any known column.
func (l *layout) blank(r sheetRow) bool {
	for _, i := range l.pos {
		if i < len(r.Cells) && strings.TrimSpace(r.Cells[i]) != "" {
			return false
		}
	}
	return true
}

// member is one validated person of a row.
type member struct {
	household.Member
	IDNumber string
	Incomes  []income
}

type income struct {
	Kind string
	Fen  int64
}

// rowRec is one row on its way through: the member it describes and what is wrong with it.
type rowRec struct {
	sheetRow
	Key      string // the household it belongs to
	RawID    string // the ID number as written (normalised), valid or not
	Member   member
	Problems []problem
}

func (r *rowRec) add(col, zh, en string) {
	r.Problems = append(r.Problems, problem{Column: col, ZH: zh, EN: en})
}

// householdRec is one household of the file: its rows and, once validated, what is written.
type householdRec struct {
	Key        string
	Rows       []*rowRec
	Division   string
	Category   string
	HeadName   string
	Address    string
	Phone      string
	BankName   string
	BankHolder string
	Account    string
}

// rejected reports whether any row of the household has a problem.
func (h *householdRec) rejected() bool {
	for _, r := range h.Rows {
		if len(r.Problems) > 0 {
			return true
		}
	}
	return false
}

// village is an active or retired village the importer may write into.
type village struct {
	Code, Name, UrbanRural, Status string
}

// villages are the villages of the working division, by code and by name.
type villages struct {
	byCode   map[string]village
	byName   map[string][]string
	division string // the working division
	divName  string
}

// resolve finds the village a cell names (a 12-digit code or a unique name).
func (v *villages) resolve(cell string) (village, *problem) {
	if villagePattern.MatchString(cell) {
		if vg, ok := v.byCode[cell]; ok {
			return v.active(vg)
		}
		return village{}, &problem{Column: colVillage,
			ZH: fmt.Sprintf("村（社区）代码 %s 不存在，或不在您工作的%s之内", cell, v.divName),
			EN: fmt.Sprintf("There is no village (community) %s within %s, where you work", cell, v.divName)}
	}
	codes := v.byName[cell]
	switch len(codes) {
	case 1:
		return v.active(v.byCode[codes[0]])
	case 0:
		return village{}, &problem{Column: colVillage,
			ZH: fmt.Sprintf("村（社区）%q 不存在，或不在您工作的%s之内：请填 12 位区划代码或村（社区）名称", cell, v.divName),
			EN: fmt.Sprintf("There is no village (community) %q within %s, where you work: give its 12-digit code or its name", cell, v.divName)}
	}
	return village{}, &problem{Column: colVillage,
		ZH: fmt.Sprintf("有 %d 个村（社区）名为 %q，请改填 12 位区划代码", len(codes), cell),
		EN: fmt.Sprintf("%d villages are called %q; give the 12-digit code instead", len(codes), cell)}
}

func (v *villages) active(vg village) (village, *problem) {
	if vg.Status != "active" {
		return village{}, &problem{Column: colVillage,
			ZH: fmt.Sprintf("%s（%s）已撤销，不能再登记户籍", vg.Name, vg.Code),
			EN: fmt.Sprintf("%s (%s) is retired; households can no longer be registered there", vg.Name, vg.Code)}
	}
	return vg, nil
}

// checkRow validates what one row says about one person.
func checkRow(l *layout, sr sheetRow, now time.Time) *rowRec {
	r := &rowRec{sheetRow: sr}
	m := &r.Member
	m.Covered = true
	m.Name = l.get(sr, colName)
	switch n := utf8.RuneCountInString(m.Name); {
	case n == 0:
		r.add(colName, "姓名不能为空", "The name is required")
	case n > 50:
		r.add(colName, "姓名最多 50 个字", "The name is at most 50 characters")
	}

	var parsed *household.IDNumber
	rawID := cleanDigits(l.get(sr, colIDNumber))
	number := household.NormalizeIDNumber(rawID)
	r.RawID = number
	switch {
	case number == "":
		r.add(colIDNumber, "身份证号不能为空", "The ID number is required")
	case looksScientific(number):
		r.add(colIDNumber, fmt.Sprintf("身份证号 %s 被 Excel 存成了数字，末几位已丢失：请把该列设为“文本”格式后重新填写", rawID),
			fmt.Sprintf("Excel stored the ID number %s as a number and lost its last digits: format the column as Text and type it again", rawID))
	default:
		id, err := household.ParseIDNumber(number, now)
		if err != nil {
			zh, en := idProblemText(number, err, now)
			r.add(colIDNumber, zh, en)
		} else {
			parsed = &id
			m.IDNumber = id.Number
		}
	}

	sexCell := l.get(sr, colSex)
	switch sex, ok := word(sexWords, sexCell); {
	case sexCell == "" && parsed != nil:
		m.Sex = parsed.Sex
	case sexCell == "":
		// reported with the ID number
	case !ok:
		r.add(colSex, fmt.Sprintf("性别 %q 无法识别：请填 男 或 女", sexCell), fmt.Sprintf("Sex %q is not understood: 男 (male) or 女 (female)", sexCell))
	case parsed != nil && sex != parsed.Sex:
		r.add(colSex, "性别与身份证号（第 17 位）不符", "The sex does not match the ID number (its 17th digit)")
	default:
		m.Sex = sex
	}

	birthCell := l.get(sr, colBirthDate)
	switch bd, ok := parseDate(birthCell); {
	case birthCell == "" && parsed != nil:
		m.BirthDate = parsed.BirthDate
	case birthCell == "":
	case !ok:
		r.add(colBirthDate, fmt.Sprintf("出生日期 %q 不是有效日期（如 1962-03-15）", birthCell),
			fmt.Sprintf("The birth date %q is not a valid date (e.g. 1962-03-15)", birthCell))
	case bd.After(civil.Today(now)):
		r.add(colBirthDate, fmt.Sprintf("出生日期 %s 晚于今天", bd), fmt.Sprintf("The birth date %s is in the future", bd))
	case parsed != nil && bd != parsed.BirthDate:
		r.add(colBirthDate, fmt.Sprintf("出生日期 %s 与身份证号中的 %s 不符", bd, parsed.BirthDate),
			fmt.Sprintf("The birth date %s does not match the ID number's %s", bd, parsed.BirthDate))
	default:
		m.BirthDate = bd
	}

	relCell := l.get(sr, colRelation)
	if rel, ok := word(relationWords, relCell); ok {
		m.Relation = rel
	} else if relCell == "" {
		r.add(colRelation, "与户主关系不能为空（户主本人填“本人”）", "The relation to the head is required (本人 for the head)")
	} else {
		r.add(colRelation, fmt.Sprintf("与户主关系 %q 无法识别：请填 本人、配偶、子女、父母、孙子女、祖父母、兄弟姐妹、儿媳女婿 或 其他", relCell),
			fmt.Sprintf("The relation %q is not understood: self, spouse, child, parent, grandchild, grandparent, sibling, child_in_law or other", relCell))
	}

	if cell := l.get(sr, colDisability); true {
		if g, ok := word(disabilityWords, cell); ok {
			m.DisabilityGrade = g
		} else {
			r.add(colDisability, fmt.Sprintf("残疾等级 %q 无法识别：请填 无、一级、二级、三级 或 四级", cell),
				fmt.Sprintf("The disability grade %q is not understood: none, or grade 1 to 4", cell))
		}
	}
	for _, f := range []struct {
		col string
		dst *bool
	}{{colSeriousIllness, &m.SeriousIllness}, {colChronicIllness, &m.ChronicIllness}} {
		cell := l.get(sr, f.col)
		v, ok := parseYesNo(cell)
		if !ok {
			c, _ := columnByKey(f.col)
			r.add(f.col, fmt.Sprintf("%s一栏 %q 无法识别：请填 是 或 否", c.ZH, cell), fmt.Sprintf("%s %q is not understood: yes or no", c.EN, cell))
		}
		*f.dst = v
	}
	if cell := l.get(sr, colLabour); true {
		if v, ok := word(labourWords, cell); ok {
			m.LabourCapacity = v
		} else {
			r.add(colLabour, fmt.Sprintf("劳动能力 %q 无法识别：请填 完全、部分 或 无", cell),
				fmt.Sprintf("The labour capacity %q is not understood: full, partial or none", cell))
		}
	}
	m.Employment = l.get(sr, colEmployment)
	m.School = l.get(sr, colSchool)
	tooLong(r, colEmployment, m.Employment, 100)
	tooLong(r, colSchool, m.School, 100)

	for _, c := range columns {
		if c.IncomeKind == "" {
			continue
		}
		fen, p := yuanToFen(l.get(sr, c.Key))
		if p != nil {
			r.add(c.Key, c.ZH+"："+p.ZH, c.EN+": "+p.EN)
			continue
		}
		if fen > 0 {
			m.Incomes = append(m.Incomes, income{Kind: c.IncomeKind, Fen: fen})
		}
	}
	return r
}

// idProblemText phrases why household.ParseIDNumber refused number: its English text is
// the registry's own; the registry keeps its Chinese to itself, so the reason is told again
// here from the number, in the order the registry checks it.
func idProblemText(number string, err error, now time.Time) (string, string) {
	en := err.Error()
	switch {
	case len(number) != 18:
		return fmt.Sprintf("身份证号须为 18 位（现为 %d 位）", utf8.RuneCountInString(number)), en
	case !idShape.MatchString(number):
		return "身份证号前 17 位须为数字，最后一位为数字或 X", en
	case strings.Contains(en, "region code"): // the registry's list of province codes is its own
		return fmt.Sprintf("身份证号前 6 位地址码 %s 不是有效的行政区划代码", number[:6]), en
	}
	birth, berr := time.Parse("20060102", number[6:14])
	switch {
	case berr != nil:
		return fmt.Sprintf("身份证号中的出生日期 %s 不是有效日期", number[6:14]), en
	case civil.DateOf(birth).After(civil.Today(now)):
		return fmt.Sprintf("身份证号中的出生日期 %s 晚于今天", civil.DateOf(birth)), en
	case birth.Year() < 1900:
		return fmt.Sprintf("身份证号中的出生日期 %s 早于 1900 年", civil.DateOf(birth)), en
	case household.IDCheckChar(number[:17]) != number[17]:
		return "身份证号校验位错误，请核对号码", en
	}
	return fmt.Sprintf("身份证号前 6 位地址码 %s 不是有效的行政区划代码", number[:6]), en
}

var idShape = regexp.MustCompile(`^[0-9]{17}[0-9X]$`)

func tooLong(r *rowRec, col, v string, n int) {
	if utf8.RuneCountInString(v) > n {
		c, _ := columnByKey(col)
		r.add(col, fmt.Sprintf("%s最多 %d 个字", c.ZH, n), fmt.Sprintf("%s is at most %d characters", c.EN, n))
	}
}

// checkHousehold validates a completed household: one head, its household columns (read
// from the head's row; other rows leave them empty or repeat them), the village.
func checkHousehold(l *layout, h *householdRec, vs *villages) {
	var head *rowRec
	heads := 0
	for _, r := range h.Rows {
		if r.Member.Relation == "self" {
			heads++
			if head == nil {
				head = r
			} else {
				r.add(colRelation, fmt.Sprintf("本户已有户主（第 %d 行），每户只能有一名“本人”", head.Line),
					fmt.Sprintf("The household already has its head (row %d); exactly one member is self", head.Line))
			}
		}
	}
	if len(h.Rows) > maxMembers {
		for _, r := range h.Rows[maxMembers:] {
			r.add("", fmt.Sprintf("一户最多登记 %d 名成员", maxMembers), fmt.Sprintf("A household has at most %d members", maxMembers))
		}
	}
	if head == nil {
		first := h.Rows[0]
		if first.Member.Relation != "" || len(first.Problems) == 0 {
			first.add(colRelation, "本户没有与户主关系为“本人”的成员（户主）", "The household has no member whose relation is self (the head)")
		}
		return
	}
	h.HeadName = head.Member.Name

	// The household's columns, from the head's row.
	cell := func(key string) string { return l.get(head.sheetRow, key) }
	if v := cell(colVillage); v == "" {
		head.add(colVillage, "户主行须填写村（社区）代码", "The head's row needs the village (community) code")
	} else if vg, p := vs.resolve(v); p != nil {
		head.add(p.Column, p.ZH, p.EN)
	} else {
		h.Division = vg.Code
		h.Category = "rural"
		if strings.HasPrefix(vg.UrbanRural, "1") {
			h.Category = "urban"
		}
	}
	if v := cell(colCategory); v != "" {
		if c, ok := word(categoryWords, v); ok {
			h.Category = c
		} else {
			head.add(colCategory, fmt.Sprintf("城乡类别 %q 无法识别：请填 城镇 或 农村", v), fmt.Sprintf("The category %q is not understood: urban or rural", v))
		}
	}
	h.Address = cell(colAddress)
	tooLong(head, colAddress, h.Address, 200)
	h.BankName = cell(colBankName)
	h.BankHolder = cell(colBankHolder)
	tooLong(head, colBankName, h.BankName, 100)
	tooLong(head, colBankHolder, h.BankHolder, 50)
	if v := strings.ReplaceAll(cleanDigits(cell(colPhone)), "－", "-"); v != "" {
		if !mobilePattern.MatchString(v) && !landlinePattern.MatchString(v) {
			head.add(colPhone, fmt.Sprintf("联系电话 %s 不对：须为 11 位手机号，或带区号的固定电话（如 0572-5012345）", v),
				fmt.Sprintf("The phone %s is not valid: an 11-digit mobile number or a landline with its area code (e.g. 0572-5012345)", v))
		}
		h.Phone = v
	}
	if v := strings.ReplaceAll(cleanDigits(cell(colBankAccount)), "-", ""); v != "" {
		switch {
		case looksScientific(v):
			head.add(colBankAccount, fmt.Sprintf("银行账号 %s 被 Excel 存成了数字，末几位已丢失：请把该列设为“文本”格式后重新填写", v),
				fmt.Sprintf("Excel stored the bank account %s as a number and lost its last digits: format the column as Text and type it again", v))
		case !accountPattern.MatchString(v):
			head.add(colBankAccount, "银行账号须为 12–30 位数字", "The bank account number must be 12 to 30 digits")
		case h.BankName == "":
			head.add(colBankName, "填写了银行账号时，须填写开户银行", "Name the bank of the account")
		}
		h.Account = v
	}

	// The other rows repeat the household's columns or leave them empty.
	for _, r := range h.Rows {
		if hn := l.get(r.sheetRow, colHeadName); hn != "" && hn != head.Member.Name {
			r.add(colHeadName, fmt.Sprintf("户主姓名 %q 与本户“本人”行的姓名 %q 不一致", hn, head.Member.Name),
				fmt.Sprintf("The head's name %q differs from the name on the household's self row, %q", hn, head.Member.Name))
		}
		if hid := household.NormalizeIDNumber(cleanDigits(l.get(r.sheetRow, colHeadIDNumber))); hid != "" && head.Member.IDNumber != "" &&
			hid != head.Member.IDNumber {
			r.add(colHeadIDNumber, "户主身份证号与本户“本人”行的身份证号不一致", "The head's ID number differs from the ID number on the household's self row")
		}
		if r == head {
			continue
		}
		for _, c := range columns {
			if !c.Household || c.Key == colHeadName || c.Key == colHeadIDNumber || c.Key == colHouseholdKey {
				continue
			}
			if v := l.get(r.sheetRow, c.Key); v != "" && v != cell(c.Key) {
				r.add(c.Key, fmt.Sprintf("%s %q 与户主行（第 %d 行）不一致：整户信息只在户主行填写", c.ZH, v, head.Line),
					fmt.Sprintf("%s %q differs from the head's row (row %d): household details go on the head's row", c.EN, v, head.Line))
			}
		}
	}
}
