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
		{"a\xff", false},
		{"\u212a", false}, // KELVIN SIGN, which lower-cases to k
		{strings.Repeat("a", 129), false},
		{strings.Repeat("a", 1000), false},

		// Format v3: letters, marks and digits of any script, NFC, lower case.
		{"é", true},
		{"café", true},
		{"résumé-final", true},
		{"über", true},
		{"نامه", true},
		{"نامه-2016", true},
		{"2016-نامه", true},
		{"نامه-۲۰۱۶", true},              // EXTENDED ARABIC-INDIC digits are Nd
		{"書簡", true},                     // Lo
		{"ǆ", true},                      // U+01C6, lower case of the titlecase U+01C5
		{"σοφία", true},                  // final sigma is lower case
		{"क्षेत्र", true},                // Devanagari with vowel signs and virama (Mc, Mn)
		{"q\u0301", true},                // no precomposed q with acute: NFC keeps the mark
		{"a\u0301", false},               // NFC is U+00E1
		{strings.Repeat("ب", 128), true}, // 128 characters, 256 bytes
		{strings.Repeat("ب", 129), false},
		{strings.Repeat("書", 85), true},  // 255 bytes
		{strings.Repeat("書", 86), false}, // 258 bytes: over the byte limit

		{"Café", false},
		{"CAFÉ", false},
		{"cafe\u0301", false},  // NFD
		{"\u0301a", false},     // starts with a mark
		{"a\u202eb", false},    // RIGHT-TO-LEFT OVERRIDE (Cf)
		{"a\u200db", false},    // ZERO WIDTH JOINER (Cf)
		{"a\u200cb", false},    // ZERO WIDTH NON-JOINER (Cf)
		{"\u200fa", false},     // RIGHT-TO-LEFT MARK (Cf)
		{"a\ufeff", false},     // BOM (Cf)
		{"a\u00a0b", false},    // NO-BREAK SPACE (Zs)
		{"a\u2028b", false},    // LINE SEPARATOR (Zl)
		{"a\u00b2", false},     // SUPERSCRIPT TWO is No, not Nd
		{"Ⅻ", false},           // ROMAN NUMERAL (Nl)
		{"a€", false},          // Sc
		{"a\U0001F600", false}, // emoji (So)
		{"\U000e0001a", false}, // LANGUAGE TAG (Cf)
		{"a\ue000", false},     // private use (Co)
		{"a\U000e01ef", true},  // VARIATION SELECTOR-256 is Mn
		{"\u0378", false},      // unassigned
		{"a/b\u2215c", false},  // DIVISION SLASH (Sm)
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
		{"Über.txt", "über"},
		{"résumé final.docx", "résumé-final"},
		{".hidden.txt", "hidden"},
		{long, strings.Repeat("a", 127)},
		{strings.Repeat("ab", 100), strings.Repeat("ab", 64)},
		{strings.Repeat("x", 128) + ".txt", strings.Repeat("x", 128)},
		{strings.Repeat("x", 129) + ".txt", strings.Repeat("x", 128)},

		// Nothing usable is left: the caller must give an id.
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

// docIDDerivations is the table of FORMAT.md §3.5 id derivations, also
// written to testdata/vectors.json; want "" means no id can be derived.
var docIDDerivations = []struct{ name, want string }{
	{"نامه-2016.txt", "نامه-2016"},
	{"2016-نامه.txt", "2016-نامه"},
	{"نامهٔ زندانیان.txt", "نامهٔ-زندانیان"},
	{"café.txt", "café"},
	{"CAFÉ.TXT", "café"},
	{"cafe\u0301.txt", "café"}, // NFD, as macOS file systems give names
	{"CAFE\u0301.txt", "café"},
	{"Résumé – Final.docx", "résumé-final"},
	{"Σοφία.txt", "σοφία"},
	{"Письмо 2016 (копия).txt", "письмо-2016-копия"},
	{"letter-письмо-نامه.txt", "letter-письмо-نامه"},
	{"書簡.txt", "書簡"},
	{"huge.bin", "huge"},
	{"huge.txt", "huge"},
	{"report\u202etxt.exe", "report-txt"}, // RIGHT-TO-LEFT OVERRIDE
	{"\u202eabc.txt", "abc"},
	{"a\u200db.txt", "a-b"},           // ZERO WIDTH JOINER
	{"می\u200cخواهم.txt", "می-خواهم"}, // ZERO WIDTH NON-JOINER
	{"\ufeffbom.txt", "bom"},
	{"\u0301abc.txt", "abc"}, // a leading combining mark has no letter
	{"x²+y².txt", "x-y"},
	{"!!!.txt", ""},
	{"?*«»—.txt", ""},
	{"\u202e\u200d.txt", ""},
	{"bad\xffname.txt", ""},
	{strings.Repeat("ب", 200) + ".txt", strings.Repeat("ب", 128)},
	{strings.Repeat("書", 200) + ".txt", strings.Repeat("書", 85)},
	{strings.Repeat("e\u0301", 127) + "x.txt", strings.Repeat("é", 127) + "x"},
	{strings.Repeat("a", 127) + "\u0915\u094d\u0937.txt", strings.Repeat("a", 127)}, // a cluster is kept whole or dropped
}

func TestDocIDFromPathUnicode(t *testing.T) {
	for _, tc := range docIDDerivations {
		got, err := DocIDFromPath(tc.name)
		if tc.want == "" {
			if err == nil || !strings.Contains(err.Error(), "--doc") {
				t.Errorf("DocIDFromPath(%q) = %q, %v; want an error suggesting --doc", tc.name, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("DocIDFromPath(%q) = %q, %v; want %q", tc.name, got, err, tc.want)
			continue
		}
		if again, err := DocIDFromPath(got + ".txt"); err != nil || again != got {
			t.Errorf("DocIDFromPath(%q) = %q, %v; want it unchanged", got+".txt", again, err)
		}
	}
}

func TestCheckDocIDIn(t *testing.T) {
	for _, tc := range []struct {
		format, id string
		ok         bool
	}{
		{FormatVersion, "café", true},
		{FormatVersion, "letter", true},
		{FormatV2, "letter", true},
		{FormatV2, "a.b_c-2", true},
		{FormatV2, "café", false},
		{FormatV2, "نامه-2016", false},
		{FormatV2, "Letter", false},
		{"verbatim-ledger/v1", "letter", false},
		{"", "letter", false},
	} {
		if err := CheckDocIDIn(tc.format, tc.id); (err == nil) != tc.ok {
			t.Errorf("CheckDocIDIn(%q, %q) = %v, want ok=%v", tc.format, tc.id, err, tc.ok)
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
