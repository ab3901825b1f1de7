package textform

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors.json from the inputs in vectorInputs")

// vector is one entry of testdata/vectors.json (docs/TEXT.md §6).
type vector struct {
	Name       string  `json:"name"`
	Input      []byte  `json:"input"`                // base64
	Error      string  `json:"error,omitempty"`      // "not-utf8" when there is no text form
	Normalised []byte  `json:"normalised,omitempty"` // base64
	SHA256     string  `json:"sha256,omitempty"`     // hex SHA-256 of normalised
	Changes    Changes `json:"changes"`
}

func vectorInputs(t *testing.T) []vector {
	letter := readFile(t, "../examples/prisoners-letter-2016.txt")
	persian := readFile(t, "testdata/persian-sample.txt")
	crlf := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")) }
	return []vector{
		{Name: "empty", Input: []byte{}},
		{Name: "prisoners-letter", Input: letter},
		{Name: "prisoners-letter-crlf", Input: crlf(letter)},
		{Name: "prisoners-letter-bom-trailing-space", Input: append([]byte("\uFEFF"), bytes.ReplaceAll(letter, []byte("\n"), []byte(" \n"))...)},
		{Name: "persian", Input: persian},
		{Name: "persian-crlf-bom", Input: append([]byte("\uFEFF"), crlf(persian)...)},
		{Name: "persian-nfd", Input: norm.NFD.Bytes(persian)},
		{Name: "persian-trailing-blank-lines", Input: append(bytes.Clone(persian), "\n \n\t\n"...)},
		{Name: "latin-nfd", Input: norm.NFD.Bytes([]byte("Café déjà vu — Ångström, São Paulo\n"))},
		{Name: "latin-nfc", Input: []byte("Café déjà vu — Ångström, São Paulo\n")},
		{Name: "mixed-line-endings", Input: []byte("one\r\ntwo\rthree\nfour\r\n\r\n")},
		{Name: "whitespace-only-lines", Input: []byte("a\n \t \n\nb  \n")},
		{Name: "only-whitespace", Input: []byte(" \r\n\t\n\n")},
		{Name: "no-final-newline", Input: []byte("last line")},
		{Name: "invalid-latin1", Input: []byte("caf\xe9\n")},
		{Name: "invalid-utf16le-bom", Input: []byte("\xff\xfea\x00\n\x00")},
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVectors(t *testing.T) {
	path := filepath.Join("testdata", "vectors.json")
	if *update {
		writeVectors(t, path)
	}
	var vs []vector
	if err := json.Unmarshal(readFile(t, path), &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) != len(vectorInputs(t)) {
		t.Errorf("%s has %d vectors, want %d (run with -update)", path, len(vs), len(vectorInputs(t)))
	}
	for _, v := range vs {
		got, changes, err := Normalize(v.Input)
		if v.Error != "" {
			if !errors.Is(err, ErrNotUTF8) || v.Error != "not-utf8" {
				t.Errorf("%s: Normalize error = %v, want %s", v.Name, err, v.Error)
			}
			continue
		}
		sum := sha256.Sum256(v.Normalised)
		if err != nil || !bytes.Equal(got, v.Normalised) || changes != v.Changes || hex.EncodeToString(sum[:]) != v.SHA256 {
			t.Errorf("%s: Normalize = %q, %v, %v; want %q, %v (sha256 %s)", v.Name, got, changes, err, v.Normalised, v.Changes, v.SHA256)
		}
		if s, _, _ := Sum(v.Input); s != v.SHA256 {
			t.Errorf("%s: Sum = %s, want %s", v.Name, s, v.SHA256)
		}
	}
}

func writeVectors(t *testing.T, path string) {
	vs := vectorInputs(t)
	for i := range vs {
		text, changes, err := Normalize(vs[i].Input)
		if err != nil {
			vs[i].Error = "not-utf8"
			continue
		}
		sum := sha256.Sum256(text)
		vs[i].Normalised, vs[i].SHA256, vs[i].Changes = text, hex.EncodeToString(sum[:]), changes
	}
	var buf strings.Builder
	buf.WriteString("[\n")
	for i, v := range vs {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		if i < len(vs)-1 {
			buf.WriteString(",")
		}
		buf.WriteString("\n")
	}
	buf.WriteString("]\n")
	if err := os.WriteFile(path, []byte(buf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
