package synthetic

import (
	"math/rand/v2"
	"strings"
)

// Names that look like the real thing: common surnames weighted roughly by how common they
// are, given names of one or two characters, place names of two characters with the
// suffixes divisions carry.

// surnames are the most common Chinese surnames, most common first; pick favours the front.
var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")

var givenMale = []rune("伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林国建文志海东兴福贵生荣德成庆祥发春山根保")
var givenFemale = []rune("芳娜敏静丽艳娟霞秀英华慧巧美兰凤洁琳素云莲真雪荣爱妹霞香月玲桂珍红梅燕萍玉翠菊")

// placeSyllables make up township and village names.
var placeSyllables = []rune("东西南北上下前后大小新老长安平和兴隆丰太河山石桥湾塘溪岭坑口坪岗坞头庄园林桑梅竹松柏枫杨柳荷青白红黄金银龙凤鹤马牛羊鹿云水泉湖江")

// provinces are real province-level codes and names; the synthetic counties live under them.
var provinces = []struct{ Code, Name string }{
	{"41", "河南省"}, {"42", "湖北省"}, {"43", "湖南省"}, {"36", "江西省"}, {"34", "安徽省"}, {"37", "山东省"},
	{"45", "广西壮族自治区"}, {"51", "四川省"}, {"52", "贵州省"}, {"53", "云南省"}, {"61", "陕西省"}, {"62", "甘肃省"},
	{"13", "河北省"}, {"14", "山西省"}, {"22", "吉林省"}, {"23", "黑龙江省"}, {"35", "福建省"}, {"44", "广东省"},
}

// pick draws an index favouring the front of a list of n (a rough Zipf).
func pick(r *rand.Rand, n int) int {
	f := r.Float64()
	return int(float64(n) * f * f)
}

func surname(r *rand.Rand) string { return string(surnames[pick(r, len(surnames))]) }

func givenName(r *rand.Rand, male bool) string {
	pool := givenFemale
	if male {
		pool = givenMale
	}
	var b strings.Builder
	n := 1 + r.IntN(2) // one or two characters
	if r.IntN(10) < 7 {
		n = 2
	}
	for range n {
		b.WriteRune(pool[r.IntN(len(pool))])
	}
	return b.String()
}

func placeName(r *rand.Rand) string {
	a := placeSyllables[r.IntN(len(placeSyllables))]
	b := placeSyllables[r.IntN(len(placeSyllables))]
	for b == a {
		b = placeSyllables[r.IntN(len(placeSyllables))]
	}
	return string([]rune{a, b})
}

var banks = []string{"中国农业银行", "中国工商银行", "中国建设银行", "中国银行", "中国邮政储蓄银行", "农村商业银行", "农村信用合作社"}

// bankPrefix is a plausible card BIN for a bank above.
var bankPrefix = []string{"622848", "622202", "621700", "621661", "621799", "622319", "623066"}
