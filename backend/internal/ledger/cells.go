package ledger

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"dibao/backend/internal/platform/civil"
)

// Reading one cell. Cells arrive as the text stored in the file (raw values: a number is the
// decimal text Excel wrote, a date typed as a date is its serial number), so money is read
// from its decimal digits and never through a float.

// maxFen is the largest amount accepted (a hundred billion yuan): beyond it is a typing slip.
const maxFen = 10_000_000_000_000

var (
	yuanPattern   = regexp.MustCompile(`^([0-9]+)(?:\.([0-9]+))?$`)
	serialPattern = regexp.MustCompile(`^[0-9]{1,5}(?:\.[0-9]+)?$`)
	datePattern   = regexp.MustCompile(`^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?$`)
	compactDate   = regexp.MustCompile(`^([0-9]{4})([0-9]{2})([0-9]{2})$`)
	sciPattern    = regexp.MustCompile(`^[0-9](?:\.[0-9]+)?[eE]\+?[0-9]+$`)
)

// yuanToFen reads a monthly amount in yuan with at most two decimals as integer fen. Excel
// stores a number computed by a formula with binary noise (1234.5599999999999); such a value
// is first rounded to the 15 significant digits Excel itself shows, as decimal text, and a
// fraction of a fen that survives is refused, never rounded away.
func yuanToFen(raw string) (int64, *problem) {
	s := strings.TrimSpace(raw)
	for _, cut := range []string{"¥", "￥", "元", ",", "，", " "} {
		s = strings.ReplaceAll(s, cut, "")
	}
	if s == "" {
		return 0, nil
	}
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−") {
		return 0, &problem{ZH: fmt.Sprintf("金额 %s 不能为负数", strings.TrimSpace(raw)), EN: fmt.Sprintf("The amount %s cannot be negative", strings.TrimSpace(raw))}
	}
	s = strings.TrimPrefix(s, "+")
	m := yuanPattern.FindStringSubmatch(s)
	if m == nil {
		return 0, &problem{ZH: fmt.Sprintf("金额 %q 不是数字（单位元，如 1234.56）", strings.TrimSpace(raw)),
			EN: fmt.Sprintf("The amount %q is not a number (yuan, e.g. 1234.56)", strings.TrimSpace(raw))}
	}
	whole, frac := strings.TrimLeft(m[1], "0"), m[2]
	if len(frac) > 2 {
		whole, frac = roundSignificant(whole, frac, 15)
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > 2 {
		return 0, &problem{ZH: fmt.Sprintf("金额 %s 不足一分：最多两位小数", strings.TrimSpace(raw)),
			EN: fmt.Sprintf("The amount %s has a fraction of a fen: at most 2 decimals", strings.TrimSpace(raw))}
	}
	if len(whole) > 11 {
		return 0, &problem{ZH: fmt.Sprintf("金额 %s 过大", strings.TrimSpace(raw)), EN: fmt.Sprintf("The amount %s is too large", strings.TrimSpace(raw))}
	}
	frac += strings.Repeat("0", 2-len(frac))
	fen, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || fen > maxFen {
		return 0, &problem{ZH: fmt.Sprintf("金额 %s 过大", strings.TrimSpace(raw)), EN: fmt.Sprintf("The amount %s is too large", strings.TrimSpace(raw))}
	}
	return fen, nil
}

// roundSignificant rounds the decimal whole.frac (whole without leading zeros) half up to n
// significant digits, in decimal text.
func roundSignificant(whole, frac string, n int) (string, string) {
	digits := []byte(whole + frac)
	first := 0 // the first significant digit
	for first < len(digits) && digits[first] == '0' {
		first++
	}
	cut := first + n
	if cut >= len(digits) {
		return whole, frac
	}
	up := digits[cut] >= '5'
	digits = digits[:cut]
	for i := cut - 1; up && i >= 0; i-- {
		if digits[i] == '9' {
			digits[i] = '0'
			continue
		}
		digits[i]++
		up = false
	}
	if up { // 999… rounded to 1000…
		digits = append([]byte{'1'}, digits...)
		whole = "0" + whole // one more digit before the point
	}
	w := len(whole)
	if len(digits) <= w {
		return string(digits) + strings.Repeat("0", w-len(digits)), ""
	}
	return string(digits[:w]), string(digits[w:])
}

// parseDate reads a birth date as people write it (1962-03-15, 1962/3/15, 1962.3.15,
// 1962年3月15日, 19620315) or as Excel stores a date cell (a serial number of days).
func parseDate(raw string) (civil.Date, bool) {
	s := strings.TrimSpace(raw)
	if i := strings.IndexAny(s, " T"); i > 0 && strings.Contains(s[i:], ":") {
		s = s[:i] // a time of day after the date
	}
	var y, mo, d int
	if m := datePattern.FindStringSubmatch(s); m != nil {
		y, _ = strconv.Atoi(m[1])
		mo, _ = strconv.Atoi(m[2])
		d, _ = strconv.Atoi(m[3])
	} else if m := compactDate.FindStringSubmatch(s); m != nil {
		y, _ = strconv.Atoi(m[1])
		mo, _ = strconv.Atoi(m[2])
		d, _ = strconv.Atoi(m[3])
	} else if serialPattern.MatchString(s) {
		days, _ := strconv.Atoi(strings.SplitN(s, ".", 2)[0])
		if days < 61 { // Excel's serials before March 1900 are off by its 1900 leap-year bug
			return civil.Date{}, false
		}
		return civil.Date{Year: 1899, Month: time.December, Day: 30}.AddDays(days), true
	} else {
		return civil.Date{}, false
	}
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != mo || t.Day() != d {
		return civil.Date{}, false // 2月30日
	}
	return civil.Date{Year: y, Month: time.Month(mo), Day: d}, true
}

// parseYesNo reads 是/否 and its many spellings; empty is no.
func parseYesNo(raw string) (bool, bool) {
	switch raw {
	case "", "否":
		return false, true
	case "是":
		return true, true
	}
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "", "否", "无", "没有", "n", "no", "false", "0", "×":
		return false, true
	case "是", "有", "y", "yes", "true", "1", "√", "✓":
		return true, true
	}
	return false, false
}

// Enumerations of the registry with the words a ledger uses for them.
var (
	sexWords = map[string]string{"男": "male", "女": "female", "male": "male", "female": "female", "m": "male", "f": "female"}

	categoryWords = map[string]string{"城镇": "urban", "城市": "urban", "城镇低保": "urban", "城市低保": "urban", "urban": "urban",
		"农村": "rural", "农村低保": "rural", "rural": "rural"}

	relationWords = map[string]string{
		"本人": "self", "户主": "self", "self": "self", "head": "self",
		"配偶": "spouse", "妻": "spouse", "妻子": "spouse", "夫": "spouse", "丈夫": "spouse", "spouse": "spouse",
		"子女": "child", "子": "child", "女": "child", "儿子": "child", "女儿": "child", "长子": "child", "次子": "child",
		"长女": "child", "次女": "child", "养子": "child", "养女": "child", "继子": "child", "继女": "child", "child": "child",
		"父母": "parent", "父亲": "parent", "母亲": "parent", "父": "parent", "母": "parent", "公公": "parent", "婆婆": "parent",
		"岳父": "parent", "岳母": "parent", "parent": "parent",
		"孙子女": "grandchild", "孙子": "grandchild", "孙女": "grandchild", "外孙": "grandchild", "外孙子": "grandchild",
		"外孙女": "grandchild", "grandchild": "grandchild",
		"祖父母": "grandparent", "祖父": "grandparent", "祖母": "grandparent", "外祖父": "grandparent", "外祖母": "grandparent",
		"爷爷": "grandparent", "奶奶": "grandparent", "grandparent": "grandparent",
		"兄弟姐妹": "sibling", "兄": "sibling", "弟": "sibling", "姐": "sibling", "妹": "sibling", "哥哥": "sibling",
		"弟弟": "sibling", "姐姐": "sibling", "妹妹": "sibling", "兄弟": "sibling", "姐妹": "sibling", "sibling": "sibling",
		"儿媳女婿": "child_in_law", "儿媳": "child_in_law", "女婿": "child_in_law", "媳妇": "child_in_law",
		"child_in_law": "child_in_law", "childinlaw": "child_in_law",
		"其他": "other", "其它": "other", "other": "other",
	}

	labourWords = map[string]string{"": "full", "完全": "full", "有": "full", "有劳动能力": "full", "完全劳动能力": "full", "full": "full",
		"部分": "partial", "部分劳动能力": "partial", "部分丧失": "partial", "partial": "partial",
		"无": "none", "丧失": "none", "无劳动能力": "none", "丧失劳动能力": "none", "完全丧失": "none", "none": "none"}

	disabilityWords = map[string]int{"": 0, "无": 0, "否": 0, "0": 0, "none": 0,
		"一级": 1, "1级": 1, "1": 1, "二级": 2, "2级": 2, "2": 2, "三级": 3, "3级": 3, "3": 3, "四级": 4, "4级": 4, "4": 4,
		"壹级": 1, "贰级": 2, "叁级": 3, "肆级": 4}
)

// word looks a cell up in one of the maps above, ignoring case and spaces.
func word[V any](m map[string]V, raw string) (V, bool) {
	if v, ok := m[raw]; ok { // as written, the usual case: no allocation
		return v, true
	}
	v, ok := m[strings.ToLower(strings.Join(strings.Fields(raw), ""))]
	return v, ok
}

// cleanDigits drops the spaces and dashes people type inside long numbers (accounts) and
// the apostrophe Excel users type to keep a number as text.
func cleanDigits(raw string) string {
	s := strings.TrimPrefix(strings.TrimSpace(raw), "'")
	if !strings.ContainsAny(s, " \u00a0\t") {
		return s // the usual case: nothing to drop, nothing to allocate
	}
	var b strings.Builder
	for _, r := range s {
		if r != ' ' && r != '\u00a0' && r != '\t' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// looksScientific reports a long number Excel turned into 3.30523E+17: its last digits are lost.
func looksScientific(s string) bool { return sciPattern.MatchString(s) }
