package tenancy

import (
	"reflect"
	"testing"
)

func TestCodeRules(t *testing.T) {
	levels := map[string]string{
		"33": LevelProvince, "3305": LevelCity, "330523": LevelCounty, "330523101": LevelTownship,
		"330523101201": LevelVillage, "000000": LevelPlatform,
		"03": "", "3": "", "33052": "", "3305231012": "", "33052310120A": "", "": "", "3305231012011": "",
	}
	for code, want := range levels {
		if got := LevelOfCode(code); got != want {
			t.Errorf("LevelOfCode(%q) = %q, want %q", code, got, want)
		}
	}
	shorten := map[string]string{
		"330000000000": "33", "330500000000": "3305", "330523000000": "330523", "330523101000": "330523101",
		"330523101201": "330523101201", "330523101": "330523101", "abc": "abc",
	}
	for in, want := range shorten {
		if got := ShortenCode(in); got != want {
			t.Errorf("ShortenCode(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Ancestors("330523101201"); !reflect.DeepEqual(got, []string{"33", "3305", "330523", "330523101"}) {
		t.Errorf("Ancestors = %v", got)
	}
	if got := ParentOf("330523101201"); got != "330523101" {
		t.Errorf("ParentOf village = %q", got)
	}
	for code, ok := range map[string]bool{"330523": true, "330500": false, "330023": false, "030523": false, "33052a": false} {
		if ValidCountyCode(code) != ok {
			t.Errorf("ValidCountyCode(%q) != %v", code, ok)
		}
	}
	if ValidTownshipCode("330523000") || !ValidTownshipCode("330523101") || ValidVillageCode("330523101000") || !ValidVillageCode("330523101001") {
		t.Error("township/village code validity wrong")
	}
	if _, p := CleanName("  梅溪村 "); p != nameOK {
		t.Error("a plain name refused")
	}
	if _, p := CleanName(" \t "); p != nameEmpty {
		t.Error("a blank name accepted")
	}
	if _, p := CleanName("梅\x01溪"); p != nameControl {
		t.Error("a control character accepted")
	}
}

func TestBroadest(t *testing.T) {
	got := broadest([]string{"330523101", "330523", "330523101201", "330522101", "330523"})
	if !reflect.DeepEqual(got, []string{"330523", "330522101"}) {
		t.Errorf("broadest = %v", got)
	}
}
