package sketch

import (
	"bytes"
	"testing"
)

// fourKiB returns the prisoners' letter repeated and cut to 4096 bytes at a
// line end: a 4 KiB English text of about 680 words.
func fourKiB(b *testing.B) []byte {
	letter := readLetter(b, "prisoners-letter-2016.txt")
	text := bytes.Repeat(letter, 2)[:4096]
	return text[:bytes.LastIndexByte(text, '\n')+1]
}

// BenchmarkSketchOf sketches a 256-byte and a 4 KiB text.
func BenchmarkSketchOf(b *testing.B) {
	text := fourKiB(b)
	for _, bc := range []struct {
		name string
		text []byte
	}{{"size=256B", text[:bytes.LastIndexByte(text[:256], '\n')+1]}, {"size=4KiB", text}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.text)))
			for b.Loop() {
				if _, err := Of(bc.text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkShingles computes the exact shingle set of a 4 KiB text.
func BenchmarkShingles(b *testing.B) {
	text := fourKiB(b)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Shingles(text)
	}
}

// BenchmarkSimilarity compares two sketches.
func BenchmarkSimilarity(b *testing.B) {
	s, _ := Of(fourKiB(b))
	t := s
	t[3]++
	for b.Loop() {
		s.Similarity(&t)
	}
}

// BenchmarkMinHash lowers the K slots with a batch of shingle hashes
// (step 5 alone).
func BenchmarkMinHash(b *testing.B) {
	var s Sketch
	var hs [minHashBatch]uint64
	for i := range hs {
		hs[i] = uint64(i) * 0x9e3779b97f4a7c15
	}
	for b.Loop() {
		minHash(&s, hs[:])
	}
}
