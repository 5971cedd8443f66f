package enrolment

import (
	"strconv"

	"dibao/backend/internal/benefit"
	"dibao/backend/internal/household"
	"dibao/backend/internal/platform/civil"
)

// MinorAge: under it a member is a minor (未成年人), by law rather than by county setting.
const MinorAge = 18

// Re-check classes (DESIGN.md 3.5).
const (
	RecheckA = "A" // yearly: nobody able to work, no earned income (elderly, disabled, minors)
	RecheckB = "B" // half-yearly: nobody able to work, but clear income that is earned or from property
	RecheckC = "C" // quarterly: a member of working age able to work, so income may swing
)

// MemberView is a member as the amount's working shows them: enough to read the
// computation years later, nothing sensitive in full.
type MemberView struct {
	ID             string                `json:"id"` // the benefit.Member id: the registry member id
	Name           string                `json:"name"`
	Relation       string                `json:"relation"`
	IDNumberMasked string                `json:"id_number_masked"`
	Age            int                   `json:"age"`
	Covered        bool                  `json:"covered"`
	Classes        []benefit.MemberClass `json:"classes"`
}

// AgeOn is the age in whole years on date on of someone born on birth.
func AgeOn(birth, on civil.Date) int {
	age := on.Year - birth.Year
	if on.Month < birth.Month || (on.Month == birth.Month && on.Day < birth.Day) {
		age--
	}
	return max(age, 0)
}

// ClassesOf are the supplement classes (分类施保) of a member on a date: elderly from the
// county's elderly age, minor under 18, severely disabled with disability grade 1 or 2,
// seriously ill when the registry says so. A member may be in several; benefit.Compute
// pays the highest one.
func ClassesOf(m household.Member, on civil.Date, elderlyAge int) []benefit.MemberClass {
	out := []benefit.MemberClass{}
	age := AgeOn(m.BirthDate, on)
	if age >= elderlyAge {
		out = append(out, benefit.Elderly)
	}
	if age < MinorAge {
		out = append(out, benefit.Minor)
	}
	if m.DisabilityGrade == 1 || m.DisabilityGrade == 2 {
		out = append(out, benefit.SevereDisability)
	}
	if m.SeriousIllness {
		out = append(out, benefit.SeriousIllness)
	}
	return out
}

// BuildHousehold is what benefit.Compute needs of a registry household on a date, with
// the members as the working shows them.
func BuildHousehold(h household.Household, on civil.Date, elderlyAge int) (benefit.Household, []MemberView) {
	bh := benefit.Household{Members: []benefit.Member{}, MonthlyIncomeFen: h.CountedMonthlyIncome()}
	views := []MemberView{}
	for _, m := range h.Members {
		id := strconv.FormatInt(m.ID, 10)
		classes := ClassesOf(m, on, elderlyAge)
		bh.Members = append(bh.Members, benefit.Member{ID: id, Covered: m.Covered, Classes: classes})
		views = append(views, MemberView{ID: id, Name: m.Name, Relation: m.Relation, IDNumberMasked: m.IDNumberMasked,
			Age: AgeOn(m.BirthDate, on), Covered: m.Covered, Classes: classes})
	}
	return bh, views
}

// ableToWork reports whether a member is of working age and can work at least partly.
func ableToWork(m household.Member, on civil.Date, elderlyAge int) bool {
	age := AgeOn(m.BirthDate, on)
	if age < MinorAge || age >= elderlyAge || m.DisabilityGrade == 1 || m.DisabilityGrade == 2 {
		return false
	}
	return m.LabourCapacity == "full" || m.LabourCapacity == "partial"
}

// RecheckClassOf is the household's re-check class (DESIGN.md 3.5): C (quarterly) when a
// member of working age can work, since such a household's income swings; otherwise B
// (half-yearly) when it has counted income earned by work or from property, which is clear
// and stable but can change; otherwise A (yearly): the elderly, the severely disabled and
// minors living on transfers (pensions, support) or nothing.
func RecheckClassOf(h household.Household, on civil.Date, elderlyAge int) string {
	for _, m := range h.Members {
		if ableToWork(m, on, elderlyAge) {
			return RecheckC
		}
	}
	for _, in := range h.Incomes {
		if !in.Counted || in.MonthlyFen == 0 {
			continue
		}
		switch in.Kind {
		case "wages", "farming", "business", "property":
			return RecheckB
		}
	}
	return RecheckA
}
