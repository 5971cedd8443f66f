package household

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"dibao/backend/internal/platform/civil"
)

// ID numbers (公民身份号码) of GB 11643-1999: 6 digits of the region where the number was
// issued, 8 of the birth date (YYYYMMDD), 3 of a sequence whose last digit is odd for men
// and even for women, and a check character computed with ISO 7064 MOD 11-2 (0–9 or X).

// idWeights are the weights 2^(17-i) mod 11 of the first 17 digits.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheckChars maps the weighted sum mod 11 to the check character.
const idCheckChars = "10X98765432"

// provinces are the province-level codes an ID number may begin with (GB/T 2260, with
// 71 Taiwan, 81 Hong Kong, 82 Macao, and 83 for the residence permits of their residents).
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true, "83": true,
}

var idShape = regexp.MustCompile(`^[0-9]{17}[0-9X]$`)

// IDNumber is a parsed, valid ID number.
type IDNumber struct {
	Number    string // 18 characters, X upper case
	BirthDate civil.Date
	Sex       string // male / female
}

// IDCheckChar computes the check character of the first 17 digits.
func IDCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// idProblem is why an ID number is not valid, in both languages.
type idProblem struct{ zh, en string }

func (p *idProblem) Error() string { return p.en }

// NormalizeIDNumber trims the number and upper-cases a final x.
func NormalizeIDNumber(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// ParseIDNumber checks an ID number (normalised with NormalizeIDNumber) against GB 11643:
// shape, region, birth date (a real date, not after today in China, not before 1900) and
// check character. now is the current time.
func ParseIDNumber(s string, now time.Time) (IDNumber, error) {
	if len(s) != 18 {
		return IDNumber{}, &idProblem{fmt.Sprintf("身份证号须为 18 位（现为 %d 位）", len([]rune(s))),
			fmt.Sprintf("An ID number has 18 characters (this one has %d)", len([]rune(s)))}
	}
	if !idShape.MatchString(s) {
		return IDNumber{}, &idProblem{"身份证号前 17 位须为数字，最后一位为数字或 X",
			"An ID number is 17 digits followed by a digit or X"}
	}
	if !provinces[s[:2]] || s[2:6] == "0000" {
		return IDNumber{}, &idProblem{fmt.Sprintf("身份证号前 6 位地址码 %s 不是有效的行政区划代码", s[:6]),
			fmt.Sprintf("The region code %s at the start of the ID number is not a valid division", s[:6])}
	}
	birth, err := time.Parse("20060102", s[6:14])
	if err != nil {
		return IDNumber{}, &idProblem{fmt.Sprintf("身份证号中的出生日期 %s 不是有效日期", s[6:14]),
			fmt.Sprintf("The birth date %s in the ID number is not a valid date", s[6:14])}
	}
	bd := civil.DateOf(birth)
	if bd.After(civil.Today(now)) {
		return IDNumber{}, &idProblem{fmt.Sprintf("身份证号中的出生日期 %s 晚于今天", bd),
			fmt.Sprintf("The birth date %s in the ID number is in the future", bd)}
	}
	if bd.Year < 1900 {
		return IDNumber{}, &idProblem{fmt.Sprintf("身份证号中的出生日期 %s 早于 1900 年", bd),
			fmt.Sprintf("The birth date %s in the ID number is before 1900", bd)}
	}
	if want := IDCheckChar(s[:17]); s[17] != want {
		return IDNumber{}, &idProblem{"身份证号校验位错误，请核对号码",
			"The ID number's check digit is wrong; please check the number"}
	}
	sex := "female"
	if (s[16]-'0')%2 == 1 {
		sex = "male"
	}
	return IDNumber{Number: s, BirthDate: bd, Sex: sex}, nil
}

// MakeIDNumber composes a valid ID number from a 6-digit region code, a birth date and a
// sequence (0–999, odd for men, even for women, as the standard has it): for demo data,
// synthetic data and tests.
func MakeIDNumber(region string, birth civil.Date, seq int) string {
	s := fmt.Sprintf("%s%04d%02d%02d%03d", region, birth.Year, int(birth.Month), birth.Day, seq%1000)
	return s + string(IDCheckChar(s))
}
