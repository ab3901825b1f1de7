package words

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []string // tokens, words marked with W:, spaces with S:
	}{
		{"", nil},
		{"some 30,000 political", []string{"W:some", "S: ", "W:30,000", "S: ", "W:political"}},
		{"in 1988.", []string{"W:in", "S: ", "W:1988", "."}},
		{"1,2.3", []string{"W:1,2.3"}},
		{"a,b 3,", []string{"W:a", ",", "W:b", "S: ", "W:3", ","}},
		{"people’s", []string{"W:people", "’", "W:s"}},
		{"#Iran’s #1988massacre", []string{"#", "W:Iran", "’", "W:s", "S: ", "#", "W:1988massacre"}},
		{"نامه\u200cی گروهی", []string{"W:نامه\u200cی", "S: ", "W:گروهی"}},
		{"حدود ۳۰٬۰۰۰ زندانی", []string{"W:حدود", "S: ", "W:۳۰٬۰۰۰", "S: ", "W:زندانی"}},
		{"\u200cx", []string{"\u200c", "W:x"}},
		{"e\u0301t\u00e9", []string{"W:e\u0301t\u00e9"}},
		{"a\n\n b\t", []string{"W:a", "S:\n\n ", "W:b", "S:\t"}},
		{"x\xffy", []string{"W:x", "\xff", "W:y"}},
		{"½ ²", []string{"½", "S: ", "²"}},
	}
	for _, tt := range tests {
		var got []string
		for _, tok := range Split(tt.in) {
			s := tt.in[tok.Start:tok.End]
			switch tok.Kind {
			case Word:
				s = "W:" + s
			case Space:
				s = "S:" + s
			}
			got = append(got, s)
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Split(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAppendKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"IRAN", "iran"},
		{"Ångström", "ångström"},
		{"نامه\u200cی", "نامهی"},
		{"كـتاب", "كتاب"}, // tatweel dropped
		{"30,000", "30,000"},
		{"ΣΊΣΥΦΟΣ", "σίσυφοσ"}, // simple mapping: no final sigma
	}
	for _, tt := range tests {
		if got := string(AppendKey(nil, tt.in)); got != tt.want {
			t.Errorf("AppendKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestASCIIFastPaths checks that the ASCII shortcuts agree with the general
// definitions.
func TestASCIIFastPaths(t *testing.T) {
	for r := rune(0); r < utf8.RuneSelf; r++ {
		want := unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r)
		if got := IsWordRune(r); got != want {
			t.Errorf("IsWordRune(%q) = %v, want %v", r, got, want)
		}
		if got, want := string(AppendKey(nil, string(r))), string(unicode.ToLower(r)); got != want {
			t.Errorf("AppendKey(%q) = %q, want %q", r, got, want)
		}
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{"", "a 30,000.", "نامه\u200cی ۳۰٬۰۰۰", "\xff\u200c,1,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b strings.Builder
		end := 0
		for _, tok := range Split(s) {
			if tok.Start != end || tok.End <= tok.Start {
				t.Fatalf("Split(%q): token %v does not follow %d", s, tok, end)
			}
			b.WriteString(s[tok.Start:tok.End])
			end = tok.End
		}
		if b.String() != s {
			t.Fatalf("Split(%q) does not cover the text", s)
		}
	})
}
