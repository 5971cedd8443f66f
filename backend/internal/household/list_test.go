package household

import "testing"

func TestPrefixUpper(t *testing.T) {
	for in, want := range map[string]string{"张": "张"[:0] + string(rune('张'+1)), "ab": "ac", "a\U0010FFFF": "b", "\uD7FF": "\uE000"} {
		got, ok := prefixUpper(in)
		if !ok || got != want {
			t.Errorf("prefixUpper(%q) = %q, want %q", in, got, want)
		}
	}
	if _, ok := prefixUpper("\U0010FFFF"); ok {
		t.Error("no upper bound exists for U+10FFFF")
	}
}
