package sketch

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/verbatim-ledger/verbatim/words"
)

// ofRef is Of as docs/TEXT.md §4 states it, as it was written before the
// shingles shared one key buffer and the slots were lowered in batches:
// each shingle joined from its keys, hashed, and lowered into every slot.
func ofRef(text []byte) (Sketch, []uint64) {
	var s Sketch
	for i := range s {
		s[i] = math.MaxUint32
	}
	var keys []string
	var hs []uint64
	str := string(text)
	for i := 0; i < len(str); {
		t := words.Next(str, i)
		i = t.End
		if t.Kind == words.Word {
			keys = append(keys, string(words.AppendKey(nil, str[t.Start:t.End])))
		}
	}
	for i := 0; i+W <= len(keys) || i == 0 && len(keys) > 0; i++ {
		hs = append(hs, hash([]byte(strings.Join(keys[i:min(i+W, len(keys))], " "))))
	}
	for _, h := range hs {
		for i := range s {
			if v := uint32((perm[i][0]*h + perm[i][1]) >> 32); v < s[i] {
				s[i] = v
			}
		}
	}
	slices.Sort(hs)
	return s, slices.Compact(hs)
}

// checkOfAgrees compares Of and Shingles with ofRef on text.
func checkOfAgrees(t *testing.T, text []byte) {
	t.Helper()
	want, wantShingles := ofRef(text)
	got, err := Of(text)
	if len(wantShingles) == 0 {
		if err != ErrNoWords {
			t.Fatalf("Of(%q) = %v, want ErrNoWords", text, err)
		}
		return
	}
	if err != nil || got != want {
		t.Fatalf("Of(%q) = %v, %v\nreference %v", text, got, err, want)
	}
	if s := Shingles(text); !slices.Equal(s, wantShingles) {
		t.Fatalf("Shingles(%q) = %x, reference %x", text, s, wantShingles)
	}
}

// longText has n words of 1 to max bytes, so that Of drops keys from its
// buffer with short and long keys at every position of the ring.
func longText(n, max int) []byte {
	var b bytes.Buffer
	for i := range n {
		b.WriteString(strings.Repeat(string(rune('a'+i%26)), 1+(i*i*7)%max))
		b.WriteString([]string{" ", ", ", "\n", " — "}[i%4])
	}
	return b.Bytes()
}

// TestOfAgreesRandom compares Of with the reference on random texts of
// words, spaces, punctuation, digit groups, multi-byte letters and
// invalid UTF-8.
func TestOfAgreesRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "Bc", " ", "\n", ",", ".", "1", "é", "\u00ad", "\x80", "—", "نامه"}
	for range 5000 {
		var b []byte
		for range r.IntN(40) {
			b = append(b, pieces[r.IntN(len(pieces))]...)
		}
		checkOfAgrees(t, b)
	}
}

func TestOfAgreesWithReference(t *testing.T) {
	for _, text := range vectorTexts(t) {
		checkOfAgrees(t, text)
	}
	checkOfAgrees(t, longText(400, 1500))
}

// vectorTexts returns the texts of testdata/vectors.json.
func vectorTexts(t testing.TB) [][]byte {
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, tv := range v.Texts {
		out = append(out, []byte(tv.Text))
	}
	return out
}

// FuzzOfAgrees starts from the short vector texts: with the 3 KB letters
// as seeds the fuzzer makes next to no progress (TestOfAgreesWithReference
// checks them).
func FuzzOfAgrees(f *testing.F) {
	for _, text := range vectorTexts(f) {
		if len(text) < 1024 {
			f.Add(text)
		}
	}
	f.Add(longText(40, 20))
	f.Fuzz(func(t *testing.T, text []byte) { checkOfAgrees(t, text) })
}
