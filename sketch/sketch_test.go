package sketch

import (
	"bytes"
	"errors"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/verbatim-ledger/verbatim/textform"
)

func normalised(t testing.TB, b []byte) []byte {
	t.Helper()
	n, _, err := textform.Normalize(b)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func readLetter(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../examples/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return normalised(t, b)
}

func TestShingleCount(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"", 0},
		{"... ,\n", 0},
		{"one\n", 1},
		{"one two\n", 1},
		{"one two three\n", 1},
		{"one two three four\n", 2},
		{"One TWO three one two THREE\n", 3}, // "one two three" twice: a set
		{"some 30,000 political prisoners\n", 2},
		{"نامه‌ی گروهی از زندانیان\n", 2},
	}
	for _, tt := range tests {
		if got := len(Shingles([]byte(tt.text))); got != tt.want {
			t.Errorf("len(Shingles(%q)) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

func TestShingleText(t *testing.T) {
	// The shingles of "A b, C d." are "a b c" and "b c d": the same hashes as
	// those texts written plainly.
	got := Shingles([]byte("A b, C d.\n"))
	want := []uint64{hash([]byte("a b c")), hash([]byte("b c d"))}
	if len(got) != 2 || !(got[0] == want[0] && got[1] == want[1] || got[0] == want[1] && got[1] == want[0]) {
		t.Errorf("Shingles = %x, want %x in some order", got, want)
	}
	if one := Shingles([]byte("Two words\n")); len(one) != 1 || one[0] != hash([]byte("two words")) {
		t.Errorf("Shingles(Two words) = %x, want [%x]", one, hash([]byte("two words")))
	}
}

func TestNoWords(t *testing.T) {
	for _, text := range []string{"", "\n", "— … !\n"} {
		if _, err := Of([]byte(text)); !errors.Is(err, ErrNoWords) {
			t.Errorf("Of(%q) error = %v, want ErrNoWords", text, err)
		}
	}
}

func TestSimilarityTracksJaccard(t *testing.T) {
	letter := readLetter(t, "prisoners-letter-2016.txt")
	tests := []struct {
		name string
		b    []byte
	}{
		{"identical", letter},
		{"corrected version", readLetter(t, "prisoners-letter-2016-corrected.txt")},
		{"30,000 to 3,000", bytes.Replace(letter, []byte("30,000"), []byte("3,000"), 1)},
		{"case and punctuation only", bytes.ToUpper(bytes.ReplaceAll(letter, []byte(","), nil))},
		{"first half", letter[:len(letter)/2]},
		{"persian", normalised(t, []byte("نامه‌ی گروهی از زندانیان سیاسی به کنفرانس پاریس"))},
	}
	sa, err := Of(letter)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		sb, err := Of(tt.b)
		if err != nil {
			t.Fatal(err)
		}
		est, exact := sa.Similarity(&sb), Jaccard(Shingles(letter), Shingles(tt.b))
		if math.Abs(est-exact) > 0.15 { // > 3 standard errors
			t.Errorf("%s: Similarity = %.3f, Jaccard = %.3f", tt.name, est, exact)
		}
		t.Logf("%s: Similarity %.3f, Jaccard %.3f", tt.name, est, exact)
	}
}

func TestParse(t *testing.T) {
	s, err := Of(readLetter(t, "prisoners-letter-2016.txt"))
	if err != nil {
		t.Fatal(err)
	}
	enc := s.String()
	if len(enc) != EncodedLen || EncodedLen != 684 {
		t.Fatalf("len(String()) = %d, EncodedLen = %d, want 684", len(enc), EncodedLen)
	}
	back, err := Parse(enc)
	if err != nil || back != s {
		t.Fatalf("Parse(String()) = %v, %v", back, err)
	}
	bad := []string{
		"",
		enc[:len(enc)-1],
		enc + "=",
		strings.Replace(enc, "=", "A", 1), // no padding
		enc[:len(enc)-2] + "B=",           // non-zero padding bits
		"!" + enc[1:],                     // not base64
		strings.Replace(enc, enc[:4], "\n", 1) + "AAA", // newline
	}
	for _, b := range bad {
		if _, err := Parse(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("Parse(%.20q…) error = %v, want ErrMalformed", b, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	var zero Sketch
	f.Add(zero.String())
	f.Add("")
	f.Fuzz(func(t *testing.T, str string) {
		s, err := Parse(str)
		if err != nil {
			return
		}
		if s.String() != str {
			t.Fatalf("Parse(%q) accepted a non-canonical encoding", str)
		}
	})
}

func FuzzOf(f *testing.F) {
	f.Add([]byte("some 30,000 political prisoners\n"), []byte("some 3,000 political prisoners\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		sa, errA := Of(a)
		sb, errB := Of(b)
		if errA != nil || errB != nil {
			return
		}
		if sim := sa.Similarity(&sb); sim < 0 || sim > 1 || (bytes.Equal(a, b) && sim != 1) {
			t.Fatalf("Similarity(%q, %q) = %v", a, b, sim)
		}
		if j := Jaccard(Shingles(a), Shingles(b)); j < 0 || j > 1 || (j == 1 && sa != sb) {
			t.Fatalf("Jaccard(%q, %q) = %v with sketches equal %v", a, b, j, sa == sb)
		}
	})
}
