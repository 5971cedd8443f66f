package seed

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"dibao/backend/internal/household"
	"dibao/backend/internal/platform/civil"
)

// The plan of the seed township's beneficiary households: who lives in them, where, and
// when the county decided on them. It is drawn from a fixed seed (the same households every
// run) and knows nothing of amounts: those come from enrolment's computation afterwards.

// demoRegion is the region code of every demo ID number (安吉县).
const demoRegion = "330523"

// birthReference is the year the demo's ages are counted from, fixed so that the same
// people (and ID numbers) come out whatever year the demo is loaded in.
const birthReference = 2026

type place struct{ code, name string }

// demoVillages and demoCommunities are 梅溪镇's villages (rural) and communities (urban),
// as demoDivisions names them.
func demoVillages(urbanRural string) []place {
	var out []place
	for _, d := range demoDivisions() {
		if d.parent == "330523101" && d.urbanRural == urbanRural {
			out = append(out, place{d.code, d.name})
		}
	}
	return out
}

type plannedMember struct {
	Name, Sex, Relation string
	Birth               civil.Date
	IDNumber            string
	Disability          int    // grade: 0 none, 1 (most severe) … 4
	DisabilityType      string // 肢体, 视力 …
	Chronic, Serious    bool
	Labour              string // full, partial, none
	Identity            string // 务农, 退休, 在校学生 …
	Employment, School  string
}

type plannedHousehold struct {
	Kind        string // the shape it was drawn as (loneElder …), for the income items
	Village     place
	Category    string // urban, rural
	Members     []plannedMember
	Covered     int  // how many people the computation is expected to cover
	Individual  bool // 单人保: income above the standard, the severely disabled member covered alone
	Address     string
	Phone       string
	BankName    string
	BankAccount string
	DecidedOn   civil.Date
	// Level is, for a household covered as a whole, its weight in the gap between its income
	// and the standard (scaled to the payout by chooseIncomes); for one covered alone (单人保),
	// its per-capita income in basis points of the standard.
	Level int64
}

// shape is a kind of household the report's township has on its rolls, with how many
// people it may cover (the plan grows and shrinks households within these bounds until the
// covered people add up).
type shape struct {
	kind     string
	min, max int
}

var shapes = map[string]shape{
	"loneElder":      {"loneElder", 1, 1},      // 孤老: an old person living alone
	"elderCouple":    {"elderCouple", 2, 2},    // 老年夫妇
	"disabledAdult":  {"disabledAdult", 1, 1},  // 残疾人单独立户
	"illCouple":      {"illCouple", 2, 2},      // 因病致贫: one spouse seriously ill
	"family":         {"family", 3, 5},         // parents and children, one parent ill or disabled
	"singleParent":   {"singleParent", 2, 3},   // 单亲家庭
	"grandchildren":  {"grandchildren", 2, 3},  // 隔代抚养: a grandparent and grandchildren
	"carer":          {"carer", 2, 2},          // an old parent and a severely disabled grown child
	"individual":     {"individual", 1, 1},     // 单人保: one severely disabled member of a household above the line
	"unemployedLone": {"unemployedLone", 1, 2}, // 城镇失业: a jobless adult, sometimes with a child
}

// weights of the shapes per category: rural rolls are old people and illness, urban rolls
// mostly single people (the report: 229 urban households with 312 people).
var shapeWeights = map[string][]struct {
	kind   string
	weight int
}{
	"rural": {{"loneElder", 20}, {"elderCouple", 13}, {"disabledAdult", 8}, {"illCouple", 22}, {"family", 11},
		{"singleParent", 6}, {"grandchildren", 5}, {"carer", 7}, {"individual", 1}, {"unemployedLone", 7}},
	"urban": {{"loneElder", 18}, {"elderCouple", 3}, {"disabledAdult", 14}, {"illCouple", 8}, {"family", 3},
		{"singleParent", 8}, {"grandchildren", 2}, {"carer", 5}, {"individual", 1}, {"unemployedLone", 38}},
}

// planTownship draws households of one category until they count households and cover
// people, with ID numbers not in taken (which it extends).
func planTownship(r *rand.Rand, category string, households, people int, villages []place, today civil.Date,
	taken map[string]bool) []plannedHousehold {
	if households <= 0 {
		return nil
	}
	if people < households {
		people = households
	}
	weights := shapeWeights[category]
	total := 0
	for _, w := range weights {
		total += w.weight
	}
	kinds := make([]string, households)
	sizes := make([]int, households)
	covered := 0
	for i := range kinds {
		n := r.IntN(total)
		for _, w := range weights {
			if n < w.weight {
				kinds[i] = w.kind
				break
			}
			n -= w.weight
		}
		s := shapes[kinds[i]]
		sizes[i] = s.min + r.IntN(s.max-s.min+1)
		covered += sizes[i]
	}
	// Grow or shrink flexible households (or swap a shape for a bigger or smaller one)
	// until the covered people are exactly what the report says.
	for guard := 0; covered != people && guard < 1_000_000; guard++ {
		i := r.IntN(households)
		s := shapes[kinds[i]]
		switch {
		case covered < people && sizes[i] < s.max:
			sizes[i]++
			covered++
		case covered > people && sizes[i] > s.min:
			sizes[i]--
			covered--
		case covered < people && sizes[i] == 1 && r.IntN(4) == 0:
			// a lone old person becomes an old couple, a lone adult a single parent
			next := map[string]string{"loneElder": "elderCouple", "disabledAdult": "carer", "unemployedLone": "singleParent"}[kinds[i]]
			if next != "" {
				kinds[i], sizes[i] = next, 2
				covered++
			}
		case covered > people && sizes[i] == 2 && r.IntN(4) == 0:
			prev := map[string]string{"elderCouple": "loneElder", "carer": "disabledAdult", "illCouple": "disabledAdult"}[kinds[i]]
			if prev != "" {
				kinds[i], sizes[i] = prev, 1
				covered--
			}
		}
	}
	earliest := civil.Date{Year: 2026, Month: time.January, Day: 5} // the demo standards of 2026 (enrolment.SeedDemo)
	if d := today.AddDays(-330); d.After(earliest) {
		earliest = d
	}
	span := earliest.DaysUntil(today)
	out := make([]plannedHousehold, households)
	for i := range out {
		village := villages[r.IntN(len(villages))]
		h := plannedHousehold{Kind: kinds[i], Village: village, Category: category, Covered: sizes[i],
			Individual: kinds[i] == "individual"}
		h.Members = members(r, kinds[i], sizes[i], taken)
		// How far below the line the household is, relative to the others: most a little,
		// a quarter of them much further (no work, no support).
		h.Level = 2000 + int64(r.IntN(8000))
		if r.IntN(4) == 0 {
			h.Level += int64(r.IntN(20000))
		}
		if h.Individual {
			h.Level = 11000 + int64(r.IntN(3000)) // 110–140 %: above the line, within the county's 150 %
		}
		if category == "rural" {
			h.Address = fmt.Sprintf("%s%d组%d号", village.name, 1+r.IntN(12), 1+r.IntN(80))
		} else {
			h.Address = fmt.Sprintf("%s%d幢%d单元%d室", village.name, 1+r.IntN(30), 1+r.IntN(4), 100*(1+r.IntN(6))+1+r.IntN(4))
		}
		h.Phone = fmt.Sprintf("1%s%08d", []string{"38", "39", "58", "59", "87", "88", "35", "57"}[r.IntN(8)], r.IntN(100_000_000))
		bank := r.IntN(len(demoBanks))
		h.BankName = demoBanks[bank].name
		h.BankAccount = fmt.Sprintf("%s%013d", demoBanks[bank].bin, r.Int64N(10_000_000_000_000))
		if span > 0 {
			h.DecidedOn = earliest.AddDays(r.IntN(span + 1))
		} else {
			h.DecidedOn = today
		}
		out[i] = h
	}
	return out
}

var demoBanks = []struct{ name, bin string }{
	{"中国农业银行安吉支行", "622848"}, {"浙江安吉农村商业银行", "623066"}, {"中国邮政储蓄银行安吉县支行", "621799"},
	{"中国工商银行安吉支行", "622202"}, {"中国建设银行安吉支行", "621700"},
}

// members draws the people of a household of a shape; the head comes first.
func members(r *rand.Rand, kind string, size int, taken map[string]bool) []plannedMember {
	surname := pickSurname(r)
	person := func(relation, sex string, age int, fam string) plannedMember {
		m := plannedMember{Relation: relation, Sex: sex, Labour: "full"}
		m.Name = personName(r, fam, sex, age)
		m.Birth = civil.Date{Year: birthReference - age, Month: time.Month(1 + r.IntN(12)), Day: 1 + r.IntN(28)}
		m.IDNumber = idNumber(r, m.Birth, sex, taken)
		switch {
		case age >= 65:
			m.Labour, m.Identity = "none", "务农"
		case age >= 60:
			m.Labour, m.Identity = "partial", "务农"
		case age < 18:
			m.Labour, m.Identity = "none", "在校学生"
		case age < 23 && r.IntN(2) == 0:
			m.Labour, m.Identity, m.School = "partial", "在校学生", "湖州职业技术学院"
		default:
			m.Identity, m.Employment = "务农", []string{"务农", "竹制品厂零工", "白茶采摘季节工", "保洁员", "护林员"}[r.IntN(5)]
		}
		if age >= 6 && age < 18 {
			m.School = []string{"梅溪镇中心小学", "梅溪镇初级中学", "安吉县职业教育中心", "安吉县高级中学"}[min((age-6)/4, 3)]
		}
		if age >= 55 && r.IntN(3) == 0 {
			m.Chronic = true // 高血压、糖尿病 and the like: recorded, not a supplement class
		}
		return m
	}
	other := func() string { return pickSurname(r) } // a spouse keeps their own surname
	sex := func() string {
		if r.IntN(2) == 0 {
			return "male"
		}
		return "female"
	}
	ill := func(m *plannedMember) {
		m.Serious, m.Labour, m.Employment, m.Identity = true, "none", "", "无业"
	}
	// Illness that impoverishes: serious (大病, a supplement class) or chronic and disabling.
	illOrChronic := func(m *plannedMember) {
		if r.IntN(3) == 0 {
			ill(m)
			return
		}
		m.Chronic, m.Labour, m.Employment, m.Identity = true, "none", "", "无业"
	}
	disable := func(m *plannedMember, severe bool) {
		m.Disability = 3 + r.IntN(2)
		if severe {
			m.Disability = 1 + r.IntN(2)
		}
		m.DisabilityType = []string{"肢体", "视力", "智力", "精神", "听力", "多重"}[r.IntN(6)]
		m.Labour, m.Employment, m.Identity = "none", "", "无业"
		if !severe && r.IntN(2) == 0 {
			m.Labour = "partial"
		}
	}
	children := func(ms []plannedMember, n, parentAge int) []plannedMember {
		for range n {
			age := max(1, parentAge-22-r.IntN(14)) // grown children still living at home are in the household
			ms = append(ms, person("child", sex(), age, surname))
		}
		return ms
	}
	var ms []plannedMember
	switch kind {
	case "loneElder":
		s := sex()
		ms = []plannedMember{person("self", s, 64+r.IntN(27), surname)}
		if r.IntN(6) == 0 {
			disable(&ms[0], r.IntN(2) == 0)
		}
	case "elderCouple":
		age := 62 + r.IntN(22)
		ms = []plannedMember{person("self", "male", age, surname), person("spouse", "female", age-r.IntN(5), other())}
		if r.IntN(8) == 0 {
			ill(&ms[r.IntN(2)])
		}
	case "disabledAdult":
		ms = []plannedMember{person("self", sex(), 24+r.IntN(36), surname)}
		disable(&ms[0], r.IntN(4) == 0)
	case "illCouple":
		age := 38 + r.IntN(22)
		ms = []plannedMember{person("self", "male", age, surname), person("spouse", "female", age-r.IntN(5), other())}
		illOrChronic(&ms[1])
		ms[0].Labour = "partial"
		if r.IntN(2) == 0 {
			ms[0], ms[1] = swapHead(ms[1], ms[0])
		}
	case "family":
		age := 32 + r.IntN(18)
		ms = []plannedMember{person("self", "male", age, surname), person("spouse", "female", age-r.IntN(4), other())}
		if r.IntN(2) == 0 {
			illOrChronic(&ms[r.IntN(2)])
		} else {
			disable(&ms[r.IntN(2)], r.IntN(4) == 0)
		}
		ms = children(ms, size-2, age)
	case "singleParent":
		age := 28 + r.IntN(20)
		s := "female"
		if r.IntN(4) == 0 {
			s = "male"
		}
		ms = []plannedMember{person("self", s, age, surname)}
		ms[0].Labour = "partial"
		ms = children(ms, size-1, age)
	case "grandchildren":
		age := 58 + r.IntN(18)
		ms = []plannedMember{person("self", sex(), age, surname)}
		for range size - 1 {
			ms = append(ms, person("grandchild", sex(), 5+r.IntN(12), surname))
		}
	case "carer":
		age := 60 + r.IntN(22)
		ms = []plannedMember{person("self", sex(), age, surname), person("child", sex(), age-22-r.IntN(10), surname)}
		disable(&ms[1], r.IntN(2) == 0)
	case "individual":
		// Parents of working age who earn, and a severely disabled grown child covered alone.
		age := 45 + r.IntN(12)
		ms = []plannedMember{person("self", "male", age, surname), person("spouse", "female", age-r.IntN(4), other()),
			person("child", sex(), age-22-r.IntN(6), surname)}
		disable(&ms[2], true)
	case "unemployedLone":
		age := 35 + r.IntN(24)
		ms = []plannedMember{person("self", sex(), age, surname)}
		ms[0].Identity, ms[0].Employment, ms[0].Labour = "失业", "", "partial"
		if r.IntN(5) == 0 {
			ms[0].Chronic = true
		}
		ms = children(ms, size-1, age)
	}
	return ms
}

// swapHead makes the second member the head and the first the spouse.
func swapHead(a, b plannedMember) (plannedMember, plannedMember) {
	a.Relation, b.Relation = "self", "spouse"
	return a, b
}

// idNumber is a valid ID number of 安吉县 for someone born on birth, unused so far. Its
// sequence is below 100: the browser tests' households and enrolment's stand-ins use
// sequences from 100 up, so the demo never takes a number they register.
func idNumber(r *rand.Rand, birth civil.Date, sex string, taken map[string]bool) string {
	start := 1 + r.IntN(98)
	for i := 0; i < 99; i++ {
		seq := 1 + (start+i)%98
		if (seq%2 == 1) != (sex == "male") {
			continue
		}
		n := household.MakeIDNumber(demoRegion, birth, seq)
		if !taken[n] {
			taken[n] = true
			return n
		}
	}
	// 49 people of one sex born on one day: move the birthday.
	return idNumber(r, birth.AddDays(1), sex, taken)
}

// Surnames of northern Zhejiang, most common first; pickSurname favours the front. 柏, 荆
// and 葛 are left out: the browser tests search for households by those.
var demoSurnames = []string{"王", "陈", "张", "李", "吴", "周", "徐", "沈", "朱", "胡", "钱", "潘", "杨", "蒋", "施", "俞",
	"金", "姚", "章", "汪", "许", "郑", "孙", "叶", "方", "邵", "程", "严", "褚", "费", "宋", "刘", "黄", "赵", "孔", "许"}

func pickSurname(r *rand.Rand) string {
	f := r.Float64()
	return demoSurnames[int(float64(len(demoSurnames))*f*f)]
}

// Given names by sex and generation: 桂英 and 根法 are grandparents, 梓涵 a schoolchild.
var givenNames = map[string][3][]string{
	"male": {
		{"根法", "金水", "福根", "荣华", "水根", "长林", "德明", "阿毛", "土根", "炳荣", "金福", "松林", "有才", "阿三", "财宝", "发根"},
		{"建华", "国平", "海峰", "志强", "卫东", "新华", "建明", "小龙", "俊", "斌", "勇", "军", "伟", "建忠", "利民", "永康"},
		{"子轩", "浩然", "宇航", "梓豪", "一鸣", "俊杰", "博文", "晨阳", "宇", "涛", "睿", "嘉豪", "子墨", "天佑"},
	},
	"female": {
		{"桂英", "金花", "秀英", "月娥", "阿香", "凤英", "彩娥", "小妹", "素珍", "玉兰", "菊芳", "杏花", "爱娟", "月仙", "宝珠"},
		{"丽", "芳", "红", "燕", "丽萍", "美华", "敏", "霞", "雪芳", "海燕", "晓红", "彩霞", "丽娟", "春燕", "美琴", "建芬"},
		{"欣怡", "梓涵", "雨萱", "诗琪", "可欣", "佳怡", "思琪", "语嫣", "一诺", "紫涵", "雨桐", "若曦", "梦瑶"},
	},
}

// enrolment's stand-ins; the demo draws nobody of the same name, so screens and browser
// tests that look them up find one.
var standInNames = map[string]bool{"王阿大": true, "陈国强": true, "沈月华": true, "陈思远": true, "李桂芳": true, "周明": true}

func personName(r *rand.Rand, surname, sex string, age int) string {
	gen := 0
	switch {
	case age < 25:
		gen = 2
	case age < 60:
		gen = 1
	}
	pool := givenNames[sex][gen]
	for {
		name := surname + pool[r.IntN(len(pool))]
		if !standInNames[name] {
			return name
		}
	}
}

// byDecision orders households by decision date, so certificates are numbered in the order
// they were issued.
func byDecision(hs []plannedHousehold) {
	sort.SliceStable(hs, func(i, j int) bool { return hs[i].DecidedOn.Before(hs[j].DecidedOn) })
}

// headOf is a household's head (the first member).
func (h plannedHousehold) head() plannedMember { return h.Members[0] }

// hukou is where the household's registration is, as the application form writes it.
func (h plannedHousehold) hukou() string {
	return strings.Join([]string{"浙江省湖州市安吉县梅溪镇", h.Village.name}, "")
}
