package worddiff

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestCompare(t *testing.T) {
	tests := []struct {
		name, a, b string
		want       string // chunks as op-letter:text, joined by |
	}{
		{"equal", "same text\n", "same text\n", "=:same text\n"},
		{"both empty", "", "", ""},
		{"from empty", "", "new\n", "+:new\n"},
		{"to empty", "old\n", "", "-:old\n"},
		{"number", "some 30,000 political\n", "some 3,000 political\n", "=:some |-:30,000|+:3,000|=: political\n"},
		{"words merge over a space", "the cat sat\n", "a dog sat\n", "-:the cat|+:a dog|=: sat\n"},
		{"case is a change", "Iran\n", "IRAN\n", "-:Iran|+:IRAN|=:\n"},
		{"insertion", "a c\n", "a b c\n", "=:a |+:b |=:c\n"},
		{"deletion", "a b c\n", "a c\n", "=:a |-:b |=:c\n"},
		{"line break", "a b\n", "a\nb\n", "=:a|-: |+:\n|=:b\n"},
		{"crlf is not normalised here", "a\r\n", "a\n", "=:a|-:\r\n|+:\n"},
		{"persian", "حدود ۳۰٬۰۰۰ زندانی\n", "حدود ۳٬۰۰۰ زندانی\n", "=:حدود |-:۳۰٬۰۰۰|+:۳٬۰۰۰|=: زندانی\n"},
	}
	for _, tt := range tests {
		d, err := Compare(tt.a, tt.b)
		if err != nil {
			t.Errorf("%s: Compare error %v", tt.name, err)
			continue
		}
		var got []string
		for _, c := range d.Chunks {
			got = append(got, map[Op]string{Equal: "=", Delete: "-", Insert: "+"}[c.Op]+":"+c.Text)
		}
		if g := strings.Join(got, "|"); g != tt.want || d.Granularity != "word" {
			t.Errorf("%s: Compare(%q, %q) = %s %q, want word %q", tt.name, tt.a, tt.b, d.Granularity, g, tt.want)
		}
		if d.A() != tt.a || d.B() != tt.b || d.Changed() != (tt.a != tt.b) {
			t.Errorf("%s: A, B, Changed = %q, %q, %v", tt.name, d.A(), d.B(), d.Changed())
		}
	}
}

func TestJSONEmpty(t *testing.T) {
	d, err := Compare("", "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(d)
	if err != nil || string(b) != `{"granularity":"word","chunks":[]}` {
		t.Errorf("json.Marshal(Compare(\"\", \"\")) = %s, %v", b, err)
	}
}

func TestLineNumbers(t *testing.T) {
	d, err := Compare("one\ntwo\nthree four\n", "one\ntwo\nthree 4\nfive\n")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range d.Chunks {
		got = append(got, fmt.Sprintf("%s@%d", c.Op, c.Line))
	}
	if g := strings.Join(got, " "); g != "equal@1 delete@3 insert@3 equal@3" {
		t.Errorf("chunk lines = %s", g)
	}
}

func TestLimits(t *testing.T) {
	if _, err := Compare(strings.Repeat("a", MaxBytes+1), ""); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Compare(over MaxBytes) error = %v, want ErrTooLarge", err)
	}
	lines := func(prefix string, n, perLine int) string {
		var b strings.Builder
		for i := range n * perLine {
			fmt.Fprintf(&b, "%s%d", prefix, i)
			if i%perLine == perLine-1 {
				b.WriteString("\n")
			} else {
				b.WriteString(" ")
			}
		}
		return b.String()
	}
	// 100 lines of 30 words, every word different: over MaxEdits word edits,
	// but 200 line edits.
	a, b := lines("a", 100, 30), lines("b", 100, 30)
	d, err := Compare(a, b)
	if err != nil || d.Granularity != "line" || d.A() != a || d.B() != b {
		t.Errorf("Compare(many changed words) = %v, %v; want a line diff", d, err)
	}
	// 1500 lines each, all different: over MaxEdits line edits.
	if _, err := Compare(lines("a", 1500, 1), lines("b", 1500, 1)); !errors.Is(err, ErrTooDifferent) {
		t.Errorf("Compare(unrelated long texts) error = %v, want ErrTooDifferent", err)
	}
}

// TestLetterGolden is the prisoners' letter with "30,000" changed to "3,000":
// the diff is exactly that word.
func TestLetterGolden(t *testing.T) {
	a, err := os.ReadFile("../examples/prisoners-letter-2016.txt")
	if err != nil {
		t.Fatal(err)
	}
	b := bytes.Replace(a, []byte("30,000"), []byte("3,000"), 1)
	d, err := Compare(string(a), string(b))
	if err != nil {
		t.Fatal(err)
	}
	var changed []Chunk
	for _, c := range d.Chunks {
		if c.Op != Equal {
			changed = append(changed, c)
		}
	}
	want := []Chunk{{Delete, "30,000", 7}, {Insert, "3,000", 7}}
	if fmt.Sprint(changed) != fmt.Sprint(want) {
		t.Errorf("changes = %v, want %v", changed, want)
	}
	var ctx, colour, text bytes.Buffer
	d.WriteContext(&ctx, 5, Style{})
	d.WriteContext(&colour, 5, Style{Color: true})
	d.WriteText(&text, Style{})
	js, err := json.MarshalIndent(d, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "letter-3000.context.txt", ctx.Bytes())
	golden(t, "letter-3000.color.txt", colour.Bytes())
	golden(t, "letter-3000.text.txt", text.Bytes())
	golden(t, "letter-3000.json", append(js, '\n'))
}

func TestPersianGolden(t *testing.T) {
	a, err := os.ReadFile("../textform/testdata/persian-sample.txt")
	if err != nil {
		t.Fatal(err)
	}
	b := strings.Replace(string(a), "۳۰٬۰۰۰", "۳٬۰۰۰", 1)
	b = strings.Replace(b, "آزادی", "آزادی و عدالت", 1)
	d, err := Compare(string(a), b)
	if err != nil {
		t.Fatal(err)
	}
	var ctx, text bytes.Buffer
	d.WriteContext(&ctx, 3, Style{})
	d.WriteText(&text, Style{})
	golden(t, "persian.context.txt", ctx.Bytes())
	golden(t, "persian.text.txt", text.Bytes())
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n got:\n%s\n want:\n%s", path, got, want)
	}
}

func TestWriteContextGroups(t *testing.T) {
	d, err := Compare("one two three four five six seven eight nine ten\nx y\n", "one TWO three four five six seven eight NINE ten\nx z\n")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	d.WriteContext(&b, 2, Style{})
	want := "line 1: one [-two-]{+TWO+} three four…\n" +
		"line 1: …seven eight [-nine-]{+NINE+} ten\n" +
		"line 2: x [-y-]{+z+}\n"
	if b.String() != want {
		t.Errorf("WriteContext(2) =\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	d.WriteContext(&b, 3, Style{})
	if want := "line 1: one [-two-]{+TWO+} three four five six seven eight [-nine-]{+NINE+} ten\nline 2: x [-y-]{+z+}\n"; b.String() != want {
		t.Errorf("WriteContext(3) =\n%s\nwant\n%s", b.String(), want)
	}
}

func FuzzCompare(f *testing.F) {
	f.Add("some 30,000 political\n", "some 3,000 political\n")
	f.Add("a b\nc\n", "a\nb c\n")
	f.Add("حدود ۳۰٬۰۰۰", "\xff\r\n")
	f.Fuzz(func(t *testing.T, a, b string) {
		d, err := Compare(a, b)
		if err != nil {
			return
		}
		if d.A() != a || d.B() != b {
			t.Fatalf("Compare(%q, %q) does not reconstruct: %q, %q", a, b, d.A(), d.B())
		}
		for i, c := range d.Chunks {
			if c.Text == "" || i > 0 && c.Op == d.Chunks[i-1].Op {
				t.Fatalf("Compare(%q, %q): empty or repeated chunk %d %v", a, b, i, d.Chunks)
			}
		}
		var w bytes.Buffer
		if d.WriteText(&w, Style{}) != nil || d.WriteContext(&w, 3, Style{Color: true}) != nil {
			t.Fatal("write failed")
		}
	})
}
