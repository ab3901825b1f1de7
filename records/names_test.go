package records

import (
	"strings"
	"testing"
)

func TestCheckDocID(t *testing.T) {
	for _, tc := range []struct {
		id string
		ok bool
	}{
		{"a", true},
		{"0", true},
		{"prisoners-letter-2016", true},
		{"a.b_c-d", true},
		{"2016", true},
		{"a.", true},
		{"a-", true},
		{"a_", true},
		{"a.b.c", true},
		{"a-.-b", true},
		{"a._.b", true},
		{strings.Repeat("a", 128), true},
		{"0" + strings.Repeat("-", 127), true},

		{"", false},
		{"A", false},
		{"Prisoners-letter", false},
		{"prisoners-letteR", false},
		{"-a", false},
		{".a", false},
		{"_a", false},
		{"a/b", false},
		{"/a", false},
		{"a\\b", false},
		{"a..b", false},
		{"a..", false},
		{"..", false},
		{".", false},
		{"a b", false},
		{" a", false},
		{"a ", false},
		{"a\x00", false},
		{"a\n", false},
		{"a\t", false},
		{"a:b", false},
		{"a+b", false},
		{"a%2fb", false},
		{"é", false},
		{"aé", false},
		{"a\u0301", false},
		{"a\xff", false},
		{"\u212a", false}, // KELVIN SIGN, which lower-cases to k
		{strings.Repeat("a", 129), false},
		{strings.Repeat("a", 1000), false},
	} {
		if err := CheckDocID(tc.id); (err == nil) != tc.ok {
			t.Errorf("CheckDocID(%q) = %v, want ok=%v", tc.id, err, tc.ok)
		}
	}
}

func TestDocIDFromPath(t *testing.T) {
	long := strings.Repeat("a", 127) + "-b" + strings.Repeat("c", 10) + ".txt"
	for _, tc := range []struct {
		path string
		want string // "" means an error
	}{
		{"examples/Prisoners Letter (2016).txt", "prisoners-letter-2016"},
		{"examples/prisoners-letter-2016.txt", "prisoners-letter-2016"},
		{"x.tar.gz", "x.tar"},
		{"a.b.c", "a.b"},
		{"noext", "noext"},
		{"x.", "x"},
		{"a.TXT", "a"},
		{"Report_2024.PDF", "report_2024"},
		{"/abs/path/My..Doc.txt", "my.doc"},
		{"file.tar..gz", "file.tar"},
		{"--a--.txt", "a"},
		{"_x_.md", "x"},
		{"a   b.txt", "a-b"},
		{"a - b.txt", "a-b"},
		{"a\x00b.txt", "a-b"},
		{"a\tb\nc.txt", "a-b-c"},
		{"2016.txt", "2016"},
		{"dir/", "dir"},
		{"a/b/", "b"},
		{"Über.txt", "ber"},
		{"résumé final.docx", "r-sum-final"},
		{".hidden.txt", "hidden"},
		{long, strings.Repeat("a", 127)},
		{strings.Repeat("ab", 100), strings.Repeat("ab", 64)},
		{strings.Repeat("x", 128) + ".txt", strings.Repeat("x", 128)},
		{strings.Repeat("x", 129) + ".txt", strings.Repeat("x", 128)},

		// Nothing usable is left: the caller must give an id.
		{"نامه.txt", ""},
		{"نامه زندانیان", ""},
		{"((  )).txt", ""},
		{"", ""},
		{".", ""},
		{"/", ""},
		{"./", ""},
		{"..txt", ""},
		{"....", ""},
		{"---.txt", ""},
		// filepath.Ext takes all of ".hidden" as the extension, so nothing
		// is left of the name.
		{".hidden", ""},
	} {
		got, err := DocIDFromPath(tc.path)
		if tc.want == "" {
			if err == nil {
				t.Errorf("DocIDFromPath(%q) = %q, want an error", tc.path, got)
			} else if !strings.Contains(err.Error(), "--doc") {
				t.Errorf("DocIDFromPath(%q) = %q, want it to suggest --doc", tc.path, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("DocIDFromPath(%q) = %q, %v; want %q", tc.path, got, err, tc.want)
			continue
		}
		if err := CheckDocID(got); err != nil {
			t.Errorf("DocIDFromPath(%q) = %q, which CheckDocID rejects: %v", tc.path, got, err)
		}
	}
}

func TestCheckLedgerName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"a", true},
		{"A", true},
		{"0", true},
		{"example.org/verbatim-test", true},
		{"archive.example.org/letters", true},
		{"Archive.Example.ORG/Letters", true},
		{"example.org:8443/a_b-c", true},
		{"a//b", true},
		{"a/", true},
		{"a:", true},
		{"z" + strings.Repeat("/", 254), true},
		{strings.Repeat("a", 255), true},

		{"", false},
		{strings.Repeat("a", 256), false},
		{"/a", false},
		{".a", false},
		{"-a", false},
		{"_a", false},
		{":a", false},
		{" a", false},
		{"a b", false},
		{"a\n", false},
		{"a\nb", false},
		{"a\x00", false},
		{"a\t", false},
		{"a+b", false}, // '+' separates the name in a note verifier key
		{"a@b", false},
		{"a\\b", false},
		{"a?b", false},
		{"a#b", false},
		{"é", false},
		{"aé", false},
		{"a\xff", false},
		{"\u212a", false},
	} {
		if err := CheckLedgerName(tc.name); (err == nil) != tc.ok {
			t.Errorf("CheckLedgerName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}
