package synthetic

import (
	"fmt"
	"math/rand/v2"
	"time"

	"dibao/backend/internal/household"
	"dibao/backend/internal/platform/civil"
)

// The plan of one county: its divisions and, village by village, its households. Everything
// follows from the seed and the county's number, so the same command makes the same data,
// and a benchmark can find again the people of a county generated in an earlier run.

// County is a generated county with its townships and villages.
type County struct {
	Code, Name       string
	Province, City   string // codes
	ProvName, CityNm string
	Townships        []Township
}

// Township is a generated township (乡/镇/街道).
type Township struct {
	Code, Name string
	Villages   []Village
}

// Village is a generated village (村) or community (社区); UrbanRural is its 城乡分类代码.
type Village struct {
	Code, Name, UrbanRural string
}

// countyCode is the i-th synthetic county: provinces of the list, 18 cities each, counties
// 21–30 of each city (the national scheme numbers counties from 21).
func countyCode(i int) (province, city, county string, err error) {
	const perCity, perProvince = 10, 180
	if i >= perProvince*len(provinces) {
		return "", "", "", fmt.Errorf("synthetic: at most %d counties", perProvince*len(provinces))
	}
	p := provinces[i/perProvince]
	c := (i%perProvince)/perCity + 1
	province = p.Code
	city = fmt.Sprintf("%s%02d", p.Code, c)
	county = fmt.Sprintf("%s%02d", city, 21+i%perCity)
	return province, city, county, nil
}

// planCounty lays out county i: 10–16 townships, each with 2–3 communities and 10–18
// villages, named like real places.
func planCounty(seed uint64, i int) (County, error) {
	pc, cc, code, err := countyCode(i)
	if err != nil {
		return County{}, err
	}
	r := rand.New(rand.NewPCG(seed, uint64(i)<<20))
	c := County{Code: code, Name: placeName(r) + "县", Province: pc, City: cc, CityNm: placeName(rand.New(rand.NewPCG(seed, 1<<40+uint64(i/10)))) + "市"}
	for _, p := range provinces {
		if p.Code == pc {
			c.ProvName = p.Name
		}
	}
	townships := 10 + r.IntN(7)
	for t := range townships {
		suffix := "镇"
		switch {
		case t < 2:
			suffix = "街道"
		case r.IntN(4) == 0:
			suffix = "乡"
		}
		tw := Township{Code: fmt.Sprintf("%s%03d", code, 101+t), Name: placeName(r) + suffix}
		communities := 2 + r.IntN(2)
		for v := range communities {
			types := []string{"111", "112", "121"}
			tw.Villages = append(tw.Villages, Village{Code: fmt.Sprintf("%s%03d", tw.Code, 1+v), Name: placeName(r) + "社区",
				UrbanRural: types[r.IntN(len(types))]})
		}
		villages := 10 + r.IntN(9)
		for v := range villages {
			ur := "220"
			if r.IntN(6) == 0 {
				ur = "210"
			}
			tw.Villages = append(tw.Villages, Village{Code: fmt.Sprintf("%s%03d", tw.Code, 201+v), Name: placeName(r) + "村", UrbanRural: ur})
		}
		c.Townships = append(c.Townships, tw)
	}
	return c, nil
}

// Villages lists the county's villages in order.
func (c County) Villages() []Village {
	var out []Village
	for _, t := range c.Townships {
		out = append(out, t.Villages...)
	}
	return out
}

// person is a generated member of a household.
type person struct {
	Name, IDNumber, Sex, Relation string
	Birth                         civil.Date
	Disability                    int
	Serious, Chronic              bool
	Labour                        string
	Incomes                       []income
}

type income struct {
	Kind string
	Fen  int64
}

// home is a generated household.
type home struct {
	Village     Village
	Category    string
	Members     []person
	Phone       string
	BankName    string
	BankAccount string
}

// ids hands out ID numbers of one county: for each birth date and sex, the next of the 500
// sequence numbers GB 11643 allows, moving the birth date a day when a date is full.
type ids struct {
	region string
	next   map[civil.Date][2]int
	today  civil.Date
}

func newIDs(region string, today civil.Date) *ids {
	return &ids{region: region, next: map[civil.Date][2]int{}, today: today}
}

func (g *ids) take(birth civil.Date, male bool) (string, civil.Date) {
	s := 0
	if male {
		s = 1
	}
	for {
		if birth.After(g.today) {
			birth = g.today
		}
		n := g.next[birth]
		if n[s] < 500 {
			seq := 2*n[s] + s // odd for men, even for women
			n[s]++
			g.next[birth] = n
			return household.MakeIDNumber(g.region, birth, seq), birth
		}
		birth = birth.AddDays(-1)
	}
}

// sizes weighs household sizes 1–6 (mean about 2.05 people: dibao households are small,
// many of them elderly people living alone).
var sizes = []int{42, 31, 14, 8, 3, 2}

func drawSize(r *rand.Rand) int {
	x := r.IntN(100)
	for i, w := range sizes {
		if x < w {
			return i + 1
		}
		x -= w
	}
	return 1
}

// makeHome generates one household in village v.
func makeHome(r *rand.Rand, g *ids, v Village) home {
	h := home{Village: v, Category: "rural"}
	if v.UrbanRural[0] == '1' {
		h.Category = "urban"
	}
	today := g.today
	birthAt := func(age int) civil.Date {
		d := civil.Date{Year: today.Year - age, Month: time.Month(1 + r.IntN(12)), Day: 1 + r.IntN(28)}
		return d
	}
	size := drawSize(r)
	headAge := 30 + r.IntN(56)
	if size == 1 {
		headAge = 55 + r.IntN(36) // alone: mostly elderly
	}
	headMale := r.IntN(10) < 6
	family := surname(r)
	add := func(rel string, age int, male bool, name string) {
		if age < 0 {
			age = 0
		}
		p := person{Name: name, Relation: rel, Sex: "female"}
		if male {
			p.Sex = "male"
		}
		p.IDNumber, p.Birth = g.take(birthAt(age), male)
		switch x := r.IntN(100); {
		case x < 3:
			p.Disability = 1 + r.IntN(2)
		case x < 8:
			p.Disability = 3 + r.IntN(2)
		}
		p.Serious = r.IntN(100) < 6
		p.Chronic = r.IntN(100) < 15
		switch {
		case age < 16 || age >= 65 || p.Disability == 1 || p.Disability == 2 || p.Serious:
			p.Labour = "none"
		case age >= 55 || p.Chronic || p.Disability > 0 || r.IntN(10) < 3:
			p.Labour = "partial"
		default:
			p.Labour = "full"
		}
		yuan := func(lo, hi int) int64 { return int64(lo+r.IntN(hi-lo+1)) * 100 }
		if age >= 18 && p.Labour != "none" && r.IntN(2) == 0 {
			p.Incomes = append(p.Incomes, income{"wages", yuan(600, 2200)})
		}
		if h.Category == "rural" && rel == "self" && r.IntN(10) < 6 {
			p.Incomes = append(p.Incomes, income{"farming", yuan(80, 500) + int64(r.IntN(10))*10})
		}
		if age >= 60 && r.IntN(10) < 8 {
			p.Incomes = append(p.Incomes, income{"transfer", yuan(150, 320)})
		}
		h.Members = append(h.Members, p)
	}
	add("self", headAge, headMale, family+givenName(r, headMale))
	if size >= 2 && r.IntN(10) < 7 {
		add("spouse", headAge-5+r.IntN(11), !headMale, surname(r)+givenName(r, !headMale))
	}
	for len(h.Members) < size {
		male := r.IntN(2) == 0
		switch {
		case headAge < 45 && r.IntN(4) == 0:
			add("parent", headAge+22+r.IntN(12), male, surname(r)+givenName(r, male))
		case headAge > 62 && r.IntN(3) == 0:
			add("grandchild", headAge-48-r.IntN(12), male, family+givenName(r, male))
		default:
			add("child", headAge-22-r.IntN(16), male, family+givenName(r, male))
		}
	}
	if r.IntN(4) != 0 {
		h.Phone = fmt.Sprintf("1%d%09d", 3+r.IntN(7), r.IntN(1_000_000_000))
	}
	if r.IntN(10) != 0 {
		b := r.IntN(len(banks))
		h.BankName = banks[b]
		h.BankAccount = fmt.Sprintf("%s%013d", bankPrefix[b], r.Int64N(10_000_000_000_000))
	}
	return h
}
