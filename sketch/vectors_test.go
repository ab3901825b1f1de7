package sketch

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors.json")

// vectors is testdata/vectors.json (docs/TEXT.md §6).
type vectors struct {
	Permutations []permVector `json:"permutations"`
	Texts        []textVector `json:"texts"`
	Pairs        []pairVector `json:"pairs"`
}

type permVector struct {
	I int    `json:"i"`
	A string `json:"a"` // hex
	B string `json:"b"`
}

type textVector struct {
	Name      string `json:"name"`
	Text      string `json:"text"` // normalised
	Shingles  int    `json:"shingles"`
	FirstHash string `json:"firstShingleHash"` // hex, of the first shingle in text order
	Sketch    string `json:"sketch"`
}

type pairVector struct {
	A          string  `json:"a"`
	B          string  `json:"b"`
	Similarity float64 `json:"similarity"`
	Jaccard    float64 `json:"jaccard"`
}

func makeVectors(t *testing.T) vectors {
	letter := readLetter(t, "prisoners-letter-2016.txt")
	persian, err := os.ReadFile("../textform/testdata/persian-sample.txt")
	if err != nil {
		t.Fatal(err)
	}
	texts := []struct {
		name string
		text []byte
	}{
		{"prisoners-letter", letter},
		{"prisoners-letter-3000", bytes.Replace(letter, []byte("30,000"), []byte("3,000"), 1)},
		{"prisoners-letter-corrected", readLetter(t, "prisoners-letter-2016-corrected.txt")},
		{"persian", normalised(t, persian)},
		{"latin", []byte("Café déjà vu — Ångström, São Paulo, 3.14 and 1,000,000.\n")},
		{"two-words", []byte("Two words\n")},
	}
	var v vectors
	for _, i := range []int{0, 1, K - 1} {
		v.Permutations = append(v.Permutations, permVector{i, fmt.Sprintf("%016x", perm[i][0]), fmt.Sprintf("%016x", perm[i][1])})
	}
	sketches := map[string]Sketch{}
	for _, tx := range texts {
		s, err := Of(tx.text)
		if err != nil {
			t.Fatal(err)
		}
		var first uint64
		forEachShingle(tx.text, func(h uint64) {
			if first == 0 {
				first = h
			}
		})
		sketches[tx.name] = s
		v.Texts = append(v.Texts, textVector{tx.name, string(tx.text), len(Shingles(tx.text)), fmt.Sprintf("%016x", first), s.String()})
	}
	for _, tx := range texts[1:] {
		a, b := sketches[texts[0].name], sketches[tx.name]
		v.Pairs = append(v.Pairs, pairVector{texts[0].name, tx.name, a.Similarity(&b), Jaccard(Shingles(texts[0].text), Shingles(tx.text))})
	}
	return v
}

func TestVectors(t *testing.T) {
	path := filepath.Join("testdata", "vectors.json")
	want := makeVectors(t)
	if *update {
		b, err := json.MarshalIndent(want, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got vectors
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if !bytes.Equal(gb, wb) {
		t.Errorf("%s differs from what the code computes (run with -update after a deliberate change):\n got  %s\n want %s", path, gb, wb)
	}
}
