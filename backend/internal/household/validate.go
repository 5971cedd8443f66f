package household

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"dibao/backend/internal/platform/civil"
)

// FieldError is one problem with one field of a request, phrased in both languages. Field
// is the path of the field in the request, e.g. "members[1].id_number".
type FieldError struct {
	Field string
	ZH    string
	EN    string
}

// ValidationError lists every problem found in a request; nothing is written when there
// is one. The handler renders it as a 400 with details.errors in the caller's language.
type ValidationError struct {
	Problems []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Field + ": " + p.EN
	}
	return "household: invalid input: " + strings.Join(parts, "; ")
}

type problems []FieldError

func (p *problems) add(field, zh, en string) { *p = append(*p, FieldError{field, zh, en}) }

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return &ValidationError{Problems: p}
}

var (
	mobilePattern   = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	landlinePattern = regexp.MustCompile(`^0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}$`)
	accountPattern  = regexp.MustCompile(`^[0-9]{12,30}$`)
	villagePattern  = regexp.MustCompile(`^[0-9]{12}$`)
	wholePattern    = regexp.MustCompile(`^-?[0-9]+$`)
)

// draft is a validated, normalised household ready to be written.
type draft struct {
	DivisionCode string
	Category     string
	HeadName     string
	Address      string
	HukouPlace   string
	Phone        *string // nil: unchanged
	BankName     string
	BankHolder   string
	BankAccount  *string // nil: unchanged
	Members      []memberDraft
	Incomes      []incomeDraft
	Assets       []assetDraft
}

type memberDraft struct {
	Member          // ID is 0 for a new member
	IDNumber string // the full number; "" when an existing member's is unchanged
}

type incomeDraft struct {
	Income     // ID is 0 for a new item; MemberID is set when written
	Member int // position in Members, -1 for the household's
}

type assetDraft struct {
	Asset
}

// knownIDNumbers gives the current ID number of an existing member (update), so that an
// unchanged number is still checked against the member's sex and birth date.
type knownIDNumbers func(memberID int64) (string, bool)

// validate checks everything that needs no database; division existence, ownership of ids
// and the person index are checked by the caller.
func validate(in Input, now time.Time, known knownIDNumbers) (draft, error) {
	var p problems
	d := draft{
		DivisionCode: strings.TrimSpace(in.DivisionCode),
		Category:     in.Category,
		Address:      strings.TrimSpace(in.Address),
		HukouPlace:   strings.TrimSpace(in.HukouPlace),
		BankName:     strings.TrimSpace(in.BankName),
		BankHolder:   strings.TrimSpace(in.BankHolder),
	}
	switch {
	case d.DivisionCode == "":
		p.add("division_code", "请选择户籍所在村（社区）", "Choose the village (community) of the registered address")
	case !villagePattern.MatchString(d.DivisionCode):
		p.add("division_code", fmt.Sprintf("村（社区）代码 %q 格式不对：须为 12 位数字", d.DivisionCode),
			fmt.Sprintf("Village code %q is malformed: it has 12 digits", d.DivisionCode))
	}
	if !slices.Contains(categories, d.Category) {
		p.add("category", "请选择城乡类别（城镇或农村）", "Choose the category: urban or rural")
	}
	maxLen(&p, "address", "住址", "Address", d.Address, 200)
	maxLen(&p, "hukou_place", "户口所在地", "Place of household registration", d.HukouPlace, 200)
	maxLen(&p, "bank_name", "开户银行", "Bank", d.BankName, 100)
	maxLen(&p, "bank_holder", "账户户名", "Account holder", d.BankHolder, 50)
	if in.Phone != nil {
		ph := strings.ReplaceAll(strings.TrimSpace(*in.Phone), " ", "")
		if ph != "" && !mobilePattern.MatchString(ph) && !landlinePattern.MatchString(ph) {
			p.add("phone", "联系电话须为 11 位手机号，或带区号的固定电话（如 0572-5012345）",
				"Phone must be an 11-digit mobile number or a landline with its area code (e.g. 0572-5012345)")
		}
		d.Phone = &ph
	}
	if in.BankAccount != nil {
		acc := strings.ReplaceAll(strings.TrimSpace(*in.BankAccount), " ", "")
		if acc != "" && !accountPattern.MatchString(acc) {
			p.add("bank_account", "银行账号须为 12–30 位数字", "The bank account number must be 12 to 30 digits")
		}
		if acc != "" && d.BankName == "" {
			p.add("bank_name", "填写了银行账号时，须填写开户银行", "Name the bank of the account")
		}
		d.BankAccount = &acc
	}

	switch {
	case len(in.Members) == 0:
		p.add("members", "请至少登记一名家庭成员（户主）", "Register at least one member: the head of household")
	case len(in.Members) > maxMembers:
		p.add("members", fmt.Sprintf("一户最多登记 %d 名成员", maxMembers), fmt.Sprintf("A household has at most %d members", maxMembers))
	}
	heads := 0
	seen := map[string]int{} // ID number → first position
	seenIDs := map[int64]bool{}
	for i, mi := range in.Members {
		m := validateMember(&p, i, mi, now, known)
		if m.Relation == "self" {
			heads++
			d.HeadName = m.Name
		}
		if mi.ID != nil {
			if seenIDs[*mi.ID] {
				p.add(fmt.Sprintf("members[%d].id", i), fmt.Sprintf("%s重复列出", memberZH(i, m.Name)),
					fmt.Sprintf("%s is listed twice", memberEN(i, m.Name)))
			}
			seenIDs[*mi.ID] = true
		}
		number := m.IDNumber
		if number == "" && mi.ID != nil && known != nil {
			number, _ = known(*mi.ID)
		}
		if number != "" {
			if j, dup := seen[number]; dup {
				p.add(fmt.Sprintf("members[%d].id_number", i),
					fmt.Sprintf("%s与%s的身份证号相同：同一人不能在一户中重复登记", memberZH(i, m.Name), memberZH(j, in.Members[j].Name)),
					fmt.Sprintf("%s has the same ID number as %s: a person cannot be listed twice in a household", memberEN(i, m.Name), memberEN(j, in.Members[j].Name)))
			} else {
				seen[number] = i
			}
		}
		d.Members = append(d.Members, m)
	}
	if len(in.Members) > 0 && heads != 1 {
		p.add("members", fmt.Sprintf("须有且只有一名成员与户主关系为“本人”（现有 %d 名）", heads),
			fmt.Sprintf("Exactly one member must have the relation self, the head of household (there are %d)", heads))
	}

	if len(in.Incomes) > maxIncomes {
		p.add("incomes", fmt.Sprintf("收入最多 %d 项", maxIncomes), fmt.Sprintf("At most %d income items", maxIncomes))
	}
	for i, ii := range in.Incomes {
		f := fmt.Sprintf("incomes[%d]", i)
		it := incomeDraft{Income: Income{Kind: ii.Kind, Source: strings.TrimSpace(ii.Source), Counted: ii.Counted == nil || *ii.Counted}, Member: -1}
		if ii.ID != nil {
			it.ID = *ii.ID
		}
		if !slices.Contains(incomeKinds, ii.Kind) {
			p.add(f+".kind", fmt.Sprintf("第 %d 项收入：请选择收入类别", i+1), fmt.Sprintf("Income item %d: choose the kind of income", i+1))
		}
		maxLen(&p, f+".source", fmt.Sprintf("第 %d 项收入的来源", i+1), fmt.Sprintf("Source of income item %d", i+1), it.Source, 100)
		if ii.Member != nil {
			if *ii.Member < 0 || *ii.Member >= len(in.Members) {
				p.add(f+".member", fmt.Sprintf("第 %d 项收入所属成员不存在", i+1), fmt.Sprintf("Income item %d names a member that is not listed", i+1))
			} else {
				it.Member = *ii.Member
			}
		}
		it.MonthlyFen = fen(&p, f+".monthly_fen", fmt.Sprintf("第 %d 项收入的月收入", i+1), fmt.Sprintf("Monthly amount of income item %d", i+1), ii.MonthlyFen, true)
		d.Incomes = append(d.Incomes, it)
	}

	if len(in.Assets) > maxAssets {
		p.add("assets", fmt.Sprintf("财产最多 %d 项", maxAssets), fmt.Sprintf("At most %d assets", maxAssets))
	}
	for i, ai := range in.Assets {
		f := fmt.Sprintf("assets[%d]", i)
		a := assetDraft{Asset{Kind: ai.Kind, Description: strings.TrimSpace(ai.Description)}}
		if ai.ID != nil {
			a.ID = *ai.ID
		}
		if !slices.Contains(assetKinds, ai.Kind) {
			p.add(f+".kind", fmt.Sprintf("第 %d 项财产：请选择财产类别", i+1), fmt.Sprintf("Asset %d: choose the kind of asset", i+1))
		}
		maxLen(&p, f+".description", fmt.Sprintf("第 %d 项财产的说明", i+1), fmt.Sprintf("Description of asset %d", i+1), a.Description, 200)
		a.ValueFen = fen(&p, f+".value_fen", fmt.Sprintf("第 %d 项财产的价值", i+1), fmt.Sprintf("Value of asset %d", i+1), ai.ValueFen, false)
		d.Assets = append(d.Assets, a)
	}
	return d, p.err()
}

func validateMember(p *problems, i int, mi MemberInput, now time.Time, known knownIDNumbers) memberDraft {
	f := fmt.Sprintf("members[%d]", i)
	m := memberDraft{Member: Member{
		Name: strings.TrimSpace(mi.Name), Relation: mi.Relation, IdentityCategory: strings.TrimSpace(mi.IdentityCategory),
		DisabilityGrade: mi.DisabilityGrade, DisabilityType: strings.TrimSpace(mi.DisabilityType),
		ChronicIllness: mi.ChronicIllness, SeriousIllness: mi.SeriousIllness, LabourCapacity: mi.LabourCapacity,
		Employment: strings.TrimSpace(mi.Employment), School: strings.TrimSpace(mi.School),
		Covered: mi.Covered == nil || *mi.Covered,
	}}
	if mi.ID != nil {
		m.ID = *mi.ID
	}
	who, whoEN := memberZH(i, m.Name), memberEN(i, m.Name)
	switch n := utf8.RuneCountInString(m.Name); {
	case n == 0:
		p.add(f+".name", fmt.Sprintf("第 %d 位成员的姓名不能为空", i+1), fmt.Sprintf("Member %d: the name is required", i+1))
	case n > 50:
		p.add(f+".name", fmt.Sprintf("第 %d 位成员的姓名最多 50 个字", i+1), fmt.Sprintf("Member %d: the name is at most 50 characters", i+1))
	}
	// The ID number, and what it says of the person.
	var parsed *IDNumber
	idBad := false // reported already: an empty sex or birth date then waits for a good number
	number := NormalizeIDNumber(mi.IDNumber)
	switch {
	case number == "" && mi.ID != nil:
		// Unchanged: check the member's sex and birth date against the number on file.
		if known != nil {
			if old, ok := known(*mi.ID); ok {
				if id, err := ParseIDNumber(old, now); err == nil {
					parsed = &id
				}
			}
		}
	case number == "":
		idBad = true
		p.add(f+".id_number", fmt.Sprintf("%s的身份证号不能为空", who), fmt.Sprintf("%s: the ID number is required", whoEN))
	default:
		id, err := ParseIDNumber(number, now)
		if ip, ok := err.(*idProblem); ok {
			idBad = true
			p.add(f+".id_number", who+"："+ip.zh, whoEN+": "+ip.en)
		} else {
			parsed = &id
			m.IDNumber = id.Number
		}
	}
	switch {
	case mi.Sex == "" && parsed != nil:
		m.Sex = parsed.Sex
	case mi.Sex == "" && idBad:
	case mi.Sex != "male" && mi.Sex != "female":
		p.add(f+".sex", fmt.Sprintf("%s：请选择性别", who), fmt.Sprintf("%s: choose the sex", whoEN))
	case parsed != nil && mi.Sex != parsed.Sex:
		m.Sex = mi.Sex
		p.add(f+".sex", fmt.Sprintf("%s的性别与身份证号（第 17 位）不符", who),
			fmt.Sprintf("%s: the sex does not match the ID number (its 17th digit)", whoEN))
	default:
		m.Sex = mi.Sex
	}
	switch {
	case mi.BirthDate == "" && parsed != nil:
		m.BirthDate = parsed.BirthDate
	case mi.BirthDate == "" && idBad:
	case mi.BirthDate == "":
		p.add(f+".birth_date", fmt.Sprintf("%s的出生日期不能为空", who), fmt.Sprintf("%s: the birth date is required", whoEN))
	default:
		bd, err := civil.ParseDate(mi.BirthDate)
		switch {
		case err != nil:
			p.add(f+".birth_date", fmt.Sprintf("%s的出生日期 %q 不是有效日期（格式 2006-01-02）", who, mi.BirthDate),
				fmt.Sprintf("%s: the birth date %q is not a valid date (form 2006-01-02)", whoEN, mi.BirthDate))
		case bd.After(civil.Today(now)):
			p.add(f+".birth_date", fmt.Sprintf("%s的出生日期 %s 晚于今天", who, bd), fmt.Sprintf("%s: the birth date %s is in the future", whoEN, bd))
		case parsed != nil && bd != parsed.BirthDate:
			p.add(f+".birth_date", fmt.Sprintf("%s的出生日期 %s 与身份证号中的 %s 不符", who, bd, parsed.BirthDate),
				fmt.Sprintf("%s: the birth date %s does not match the ID number's %s", whoEN, bd, parsed.BirthDate))
		}
		m.BirthDate = bd
	}
	if !slices.Contains(relations, m.Relation) {
		p.add(f+".relation", fmt.Sprintf("%s：请选择与户主关系", who), fmt.Sprintf("%s: choose the relation to the head of household", whoEN))
	}
	if m.LabourCapacity == "" {
		m.LabourCapacity = "full"
	}
	if !slices.Contains(labourCapacities, m.LabourCapacity) {
		p.add(f+".labour_capacity", fmt.Sprintf("%s：劳动能力须为完全、部分或无", who), fmt.Sprintf("%s: labour capacity is full, partial or none", whoEN))
	}
	if m.DisabilityGrade < 0 || m.DisabilityGrade > 4 {
		p.add(f+".disability_grade", fmt.Sprintf("%s：残疾等级须为 0（无）至 4 级", who), fmt.Sprintf("%s: the disability grade is 0 (none) to 4", whoEN))
	}
	maxLen(p, f+".identity_category", who+"的身份类别", whoEN+": identity category", m.IdentityCategory, 50)
	maxLen(p, f+".disability_type", who+"的残疾类别", whoEN+": disability type", m.DisabilityType, 50)
	maxLen(p, f+".employment", who+"的就业情况", whoEN+": employment", m.Employment, 100)
	maxLen(p, f+".school", who+"的就学情况", whoEN+": school", m.School, 100)
	return m
}

// fen reads a whole number of fen. A number with a fraction (1.5 fen) or an exponent is
// refused rather than rounded: the API takes money in fen exactly.
func fen(p *problems, field, zh, en string, n json.Number, required bool) int64 {
	s := n.String()
	if s == "" {
		if required {
			p.add(field, zh+"不能为空", en+" is required")
		}
		return 0
	}
	if !wholePattern.MatchString(s) {
		p.add(field, fmt.Sprintf("%s须为整数分（不能有小数，收到 %s）", zh, s),
			fmt.Sprintf("%s must be a whole number of fen (no fractions; got %s)", en, s))
		return 0
	}
	v, err := n.Int64()
	switch {
	case err != nil || v > 1e13: // a hundred billion yuan: a typing slip, not an income
		p.add(field, fmt.Sprintf("%s数额过大", zh), fmt.Sprintf("%s is too large", en))
		return 0
	case v < 0:
		p.add(field, fmt.Sprintf("%s不能为负数", zh), fmt.Sprintf("%s cannot be negative", en))
		return 0
	}
	return v
}

func maxLen(p *problems, field, zh, en, v string, n int) {
	if utf8.RuneCountInString(v) > n {
		p.add(field, fmt.Sprintf("%s最多 %d 个字", zh, n), fmt.Sprintf("%s is at most %d characters", en, n))
	}
}

func memberZH(i int, name string) string {
	if name = strings.TrimSpace(name); name != "" {
		return fmt.Sprintf("第 %d 位成员（%s）", i+1, name)
	}
	return fmt.Sprintf("第 %d 位成员", i+1)
}

func memberEN(i int, name string) string {
	if name = strings.TrimSpace(name); name != "" {
		return fmt.Sprintf("Member %d (%s)", i+1, name)
	}
	return fmt.Sprintf("Member %d", i+1)
}

func trimmed(s string) string { return strings.TrimSpace(s) }
