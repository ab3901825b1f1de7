package match

import (
	"testing"
)

// FuzzFind: any upload gets one of the four answers, never a panic or an
// error, and a named version is always one the ledger holds.
func FuzzFind(f *testing.F) {
	for _, s := range []string{"", "\uFEFF", "a", "a b c\r\n", "\xff\xfe", string(text(docWords(1, 0)))} {
		f.Add([]byte(s))
	}
	l := smallLedger(f)
	var fi Finder
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := fi.Find(l, b)
		if err != nil {
			t.Fatalf("Find(%q) = %v", b, err)
		}
		switch r.Kind {
		case Exact, Text, Nearest:
			if len(r.Versions) == 0 {
				t.Fatalf("%s answer names no version", r.Kind)
			}
		case None:
			if len(r.Versions) != 0 {
				t.Fatalf("none answer names %v", r.Versions)
			}
		default:
			t.Fatalf("answer %q", r.Kind)
		}
		if r.Kind == Nearest && (r.Similarity < MinSimilarity || r.Similarity > 1) {
			t.Fatalf("similarity %v", r.Similarity)
		}
	})
}
