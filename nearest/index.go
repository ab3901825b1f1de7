// Package nearest finds the registered versions most similar to a text
// without reading every document: an in-memory locality-sensitive hashing
// (LSH) index over sketches (docs/TEXT.md §5).
//
// The first 126 of the K = 128 slots of a sketch are cut into Bands = 42
// bands of Rows = 3 slots. Two sketches are candidates when some band is
// equal in both. For two texts of Jaccard similarity J that happens with
// probability 1 − (1 − J³)⁴²: 0.68 at J = 0.3, 0.94 at J = 0.4, 0.996 at
// J = 0.5 and 0.99996 at J = 0.6 (a copy of a 600-word text with 50 words
// changed), while unrelated texts rarely meet (0.04 at J = 0.1, 0.005 at
// J = 0.05). With 4 rows instead of 3, one copy in fifty with 50 changed
// words found no candidate in the benchmark.
// Candidates are ranked by estimated similarity (sketch.Similarity); the
// caller then compares the best few exactly (Nearest does this with a
// function it is given), so the final choice never rests on the estimate.
//
// The index is derived data: it is rebuilt from the sketches in the signed
// statements and is never stored or trusted. Its parameters are not part of
// the ledger format.
package nearest

import (
	"slices"
	"sync"

	"github.com/verbatim-ledger/verbatim/sketch"
)

// Bands and Rows are the LSH parameters: Bands × Rows ≤ sketch.K.
const (
	Bands = 42
	Rows  = 3
)

// Index is an LSH index of sketches, each with a caller's key K (for
// example "letter@2"). It is safe for concurrent use.
type Index[K any] struct {
	mu       sync.Mutex
	keys     []K
	sketches []sketch.Sketch
	// bands[b] holds bandKey<<32 | position for every sketch, sorted when
	// sorted is true.
	bands  [Bands][]uint64
	sorted bool
}

// Candidate is a key whose sketch shares a band with the query, and the
// estimated similarity of the two sketches.
type Candidate[K any] struct {
	Key        K
	Similarity float64
}

// Add adds a sketch with its key. Adding is cheap; the first query after
// adds sorts the bands (n log n).
func (x *Index[K]) Add(key K, s *sketch.Sketch) {
	x.mu.Lock()
	defer x.mu.Unlock()
	pos := uint64(len(x.keys))
	if pos > 1<<32-1 {
		panic("nearest: more than 2^32 sketches")
	}
	x.keys = append(x.keys, key)
	x.sketches = append(x.sketches, *s)
	for b := range x.bands {
		x.bands[b] = append(x.bands[b], uint64(bandKey(s, b))<<32|pos)
	}
	x.sorted = false
}

// Len returns the number of sketches added.
func (x *Index[K]) Len() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return len(x.keys)
}

// bandKey hashes the Rows slots of band b to 32 bits. A collision only adds
// a candidate that the similarity ranking then puts in its place.
func bandKey(s *sketch.Sketch, b int) uint32 {
	h := uint64(0x9e3779b97f4a7c15)
	for _, v := range s[b*Rows : (b+1)*Rows] {
		h = (h ^ uint64(v)) * 0xff51afd7ed558ccd
		h ^= h >> 33
	}
	return uint32(h >> 32)
}

// Candidates returns up to n keys whose sketches share at least one band
// with q, most similar (by estimate) first; ties keep the order of Add.
func (x *Index[K]) Candidates(q *sketch.Sketch, n int) []Candidate[K] {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.sortBands()
	var found []uint32
	for b := range x.bands {
		found = x.appendBandMatches(found, b, bandKey(q, b))
	}
	slices.Sort(found)
	found = slices.Compact(found)
	cands := make([]Candidate[K], 0, len(found))
	for _, pos := range found {
		cands = append(cands, Candidate[K]{x.keys[pos], q.Similarity(&x.sketches[pos])})
	}
	slices.SortStableFunc(cands, func(a, b Candidate[K]) int {
		switch {
		case a.Similarity > b.Similarity:
			return -1
		case a.Similarity < b.Similarity:
			return 1
		}
		return 0
	})
	return cands[:min(n, len(cands))]
}

func (x *Index[K]) sortBands() {
	if x.sorted {
		return
	}
	for b := range x.bands {
		slices.Sort(x.bands[b])
	}
	x.sorted = true
}

// appendBandMatches appends the positions stored under key in band b.
func (x *Index[K]) appendBandMatches(found []uint32, b int, key uint32) []uint32 {
	band := x.bands[b]
	lo := uint64(key) << 32
	i, _ := slices.BinarySearch(band, lo)
	for ; i < len(band) && band[i]>>32 == uint64(key); i++ {
		found = append(found, uint32(band[i]))
	}
	return found
}
