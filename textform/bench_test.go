package textform

import (
	"bytes"
	"os"
	"testing"
)

// BenchmarkNormalize normalises a CRLF copy of the prisoners' letter (3.2 KB).
func BenchmarkNormalize(b *testing.B) {
	letter, err := os.ReadFile("../examples/prisoners-letter-2016.txt")
	if err != nil {
		b.Fatal(err)
	}
	in := bytes.ReplaceAll(letter, []byte("\n"), []byte("\r\n"))
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, _, err := Normalize(in); err != nil {
			b.Fatal(err)
		}
	}
}
