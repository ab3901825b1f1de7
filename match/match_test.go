package match

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/verbatim-ledger/verbatim/ledger"
	"github.com/verbatim-ledger/verbatim/sketch"
	"github.com/verbatim-ledger/verbatim/textform"
)

// smallLedger registers docWords texts d = 0…3 (version 1 each) and a
// hash-only one, and returns the ledger open.
func smallLedger(t testing.TB) *ledger.Ledger {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ledger")
	key := newEdSigner(t)
	l, err := ledger.Init(dir, "example.org/match-test", key, ledger.AppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := l.Append(key, ledger.AppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for d := 0; d < 4; d++ {
		if _, err := a.Add(ledger.NewDocument{ID: "doc-" + string(rune('a'+d)), Content: text(docWords(d, 0))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Add(ledger.NewDocument{ID: "secret", Content: text(docWords(9, 0)), HashOnly: true}); err != nil {
		t.Fatal(err)
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	a.Close()
	t.Cleanup(func() { l.Close() })
	return l
}

func TestFind(t *testing.T) {
	l := smallLedger(t)
	var f Finder
	b := text(docWords(1, 0))
	altered := docWords(1, 0)
	altered[10] = "zzzzzz"
	secret := docWords(9, 0)
	secret[3] = "zzzzzz"
	for _, tc := range []struct {
		name    string
		content []byte
		kind    Kind
		doc     string
		changes textform.Changes
	}{
		{"exact", b, Exact, "doc-b", 0},
		{"CRLF and BOM", append([]byte("\uFEFF"), bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))...), Text, "doc-b", textform.ByteOrderMark | textform.LineEndingsCRLF},
		{"one word changed", text(altered), Nearest, "doc-b", 0},
		{"hash-only, one word changed", text(secret), Nearest, "secret", 0},
		{"unrelated", []byte(strings.Repeat("other words entirely here ", 20)), None, "", 0},
		{"not UTF-8", []byte{0xff, 0xfe, 'a'}, None, "", 0},
		{"no words", []byte("... !!!\n"), None, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := f.Find(l, tc.content)
			if err != nil {
				t.Fatal(err)
			}
			if r.Kind != tc.kind {
				t.Fatalf("Kind = %s, want %s", r.Kind, tc.kind)
			}
			if tc.doc != "" && (len(r.Versions) == 0 || r.Versions[0].Doc != tc.doc) {
				t.Fatalf("Versions = %v, want %s", r.Versions, tc.doc)
			}
			if r.Kind == Text && r.Changes != tc.changes {
				t.Errorf("Changes = %v, want %v", r.Changes, tc.changes)
			}
		})
	}
}

// TestNearestIsExact: the similarity of a nearest answer is the exact
// Jaccard against the registered bytes, and its diff comes from them; only
// a hash-only version's is the sketch estimate, and it says so.
func TestNearestIsExact(t *testing.T) {
	l := smallLedger(t)
	var f Finder
	ws := docWords(2, 0)
	for i := 0; i < 40; i += 4 {
		ws[i] = "zzzzzz"
	}
	copyText := text(ws)
	r, err := f.Find(l, copyText)
	if err != nil || r.Kind != Nearest {
		t.Fatalf("Find = %+v, %v", r, err)
	}
	want := sketch.Jaccard(sketch.Shingles(copyText), sketch.Shingles(text(docWords(2, 0))))
	if r.Similarity != want || r.Estimated {
		t.Errorf("Similarity = %v (estimated %v), want the exact Jaccard %v", r.Similarity, r.Estimated, want)
	}
	if r.Diff == nil || r.Diff.A() != string(text(docWords(2, 0))) || r.Diff.B() != string(copyText) {
		t.Errorf("the diff is not from the registered text to the copy")
	}
	sw := docWords(9, 0)
	sw[0] = "zzzzzz"
	r, err = f.Find(l, text(sw))
	if err != nil || r.Kind != Nearest || !r.Estimated || r.Diff != nil {
		t.Errorf("hash-only nearest = %+v, %v; want an estimate and no diff", r, err)
	}
}
