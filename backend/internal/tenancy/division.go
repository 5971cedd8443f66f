// Package tenancy holds the division tree: provinces and cities for oversight, counties as
// tenants, and the townships and villages inside them. The platform provisions counties
// and imports their code lists; county administrators add, rename, retire and reactivate
// their townships and villages. Nothing is ever deleted: a retired division keeps its row
// and its history.
package tenancy

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Levels of the tree. Codes use the shortest form per level of the national statistical
// division code: province 2 digits, city 4, county 6, township 9, village 12.
const (
	LevelPlatform = "platform"
	LevelProvince = "province"
	LevelCity     = "city"
	LevelCounty   = "county"
	LevelTownship = "township"
	LevelVillage  = "village"
)

// Statuses of a division.
const (
	StatusActive  = "active"
	StatusRetired = "retired"
)

// PlatformCode is the pseudo-division of the platform (access.PlatformDomain).
const PlatformCode = "000000"

// MaxNameLength is the longest division name the schema accepts.
const MaxNameLength = 100

// UrbanRuralTypes are the urban-rural classification codes (城乡分类代码) a village carries;
// the first digit tells urban (1) from rural (2).
var UrbanRuralTypes = map[string]string{
	"111": "主城区",
	"112": "城乡结合区",
	"121": "镇中心区",
	"122": "镇乡结合区",
	"123": "特殊区域",
	"210": "乡中心区",
	"220": "村庄",
}

// UrbanRuralTypesEN are the English names of UrbanRuralTypes.
var UrbanRuralTypesEN = map[string]string{
	"111": "City core",
	"112": "Urban-rural fringe (city)",
	"121": "Town centre",
	"122": "Town-rural fringe",
	"123": "Special area",
	"210": "Township centre",
	"220": "Village",
}

// Division is one node of the tree.
type Division struct {
	Code           string     `json:"code" db:"code"`
	Name           string     `json:"name" db:"name"`
	Level          string     `json:"level" db:"level"`
	ParentCode     string     `json:"parent_code" db:"parent_code"`
	CountyCode     string     `json:"county_code" db:"county_code"`
	UrbanRuralType string     `json:"urban_rural_type" db:"urban_rural_type"` // villages only, else ""
	Status         string     `json:"status" db:"status"`
	HasChildren    bool       `json:"has_children" db:"has_children"`
	CreatedAt      time.Time  `json:"created_at" db:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at" db:"updated_at"`
	RetiredAt      *time.Time `json:"retired_at,omitempty" db:"retired_at"`
}

// Retired reports whether the division was retired (已撤销).
func (d Division) Retired() bool { return d.Status == StatusRetired }

// LevelOfCode is the level a code in shortest form belongs to, or "" for a malformed code.
func LevelOfCode(code string) string {
	if !allDigits(code) {
		return ""
	}
	switch len(code) {
	case 2:
		if code[0] == '0' {
			return ""
		}
		return LevelProvince
	case 4:
		return LevelCity
	case 6:
		if code == PlatformCode {
			return LevelPlatform
		}
		return LevelCounty
	case 9:
		return LevelTownship
	case 12:
		return LevelVillage
	}
	return ""
}

// ParentOf is the code of the level above a code in shortest form ("" for a province).
func ParentOf(code string) string {
	switch len(code) {
	case 4:
		return code[:2]
	case 6:
		return code[:4]
	case 9:
		return code[:6]
	case 12:
		return code[:9]
	}
	return ""
}

// Ancestors are the codes above code, from the province down.
func Ancestors(code string) []string {
	var out []string
	for _, n := range []int{2, 4, 6, 9} {
		if len(code) > n {
			out = append(out, code[:n])
		}
	}
	return out
}

// ChildLevel is the level directly below level ("" below villages).
func ChildLevel(level string) string {
	switch level {
	case LevelPlatform:
		return LevelProvince
	case LevelProvince:
		return LevelCity
	case LevelCity:
		return LevelCounty
	case LevelCounty:
		return LevelTownship
	case LevelTownship:
		return LevelVillage
	}
	return ""
}

// ShortenCode turns the 12-digit form of the official lists (330523101000 for a township)
// into the shortest form of its level (330523101). Codes that are not 12 digits come back
// as they are; a 12-digit code of a village stays whole.
func ShortenCode(code string) string {
	if len(code) != 12 || !allDigits(code) {
		return code
	}
	switch {
	case code[2:] == "0000000000":
		return code[:2]
	case code[4:] == "00000000":
		return code[:4]
	case code[6:] == "000000":
		return code[:6]
	case code[9:] == "000":
		return code[:9]
	}
	return code
}

// ValidCountyCode reports whether code can be a county: six digits whose province, city
// and county parts are not zero.
func ValidCountyCode(code string) bool {
	return len(code) == 6 && allDigits(code) && code[0] != '0' && code[2:4] != "00" && code[4:6] != "00"
}

// ValidTownshipCode reports whether code is a township code (9 digits, township part not zero).
func ValidTownshipCode(code string) bool {
	return len(code) == 9 && allDigits(code) && code[6:] != "000"
}

// ValidVillageCode reports whether code is a village code (12 digits, village part not zero).
func ValidVillageCode(code string) bool {
	return len(code) == 12 && allDigits(code) && code[9:] != "000"
}

// CleanName trims a name and reports what is wrong with it ("" when it is fine).
func CleanName(name string) (string, nameProblem) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return name, nameEmpty
	case utf8.RuneCountInString(name) > MaxNameLength:
		return name, nameTooLong
	case strings.IndexFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0:
		return name, nameControl
	}
	return name, nameOK
}

type nameProblem int

const (
	nameOK nameProblem = iota
	nameEmpty
	nameTooLong
	nameControl
)

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
