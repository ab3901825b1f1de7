package sketch

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/verbatim-ledger/verbatim/words"
)

// W is the number of words in a shingle; K the number of slots in a sketch.
const (
	W = 3
	K = 128
)

// EncodedLen is the length of a sketch's String form.
const EncodedLen = (K*4 + 2) / 3 * 4

// ErrNoWords is returned for a text that has no words and so no sketch.
var ErrNoWords = errors.New("text has no words to sketch")

// ErrMalformed is wrapped by Parse's errors.
var ErrMalformed = errors.New("malformed sketch")

// Sketch is the MinHash of a text's shingles: K 32-bit slots.
type Sketch [K]uint32

// perm holds A_i and B_i of step 5.
var perm = permutations()

func permutations() (p [K][2]uint64) {
	for i := range p {
		for j, ab := range []string{"a", "b"} {
			h := sha256.Sum256([]byte("verbatim/minhash/v1/" + strconv.Itoa(i) + "/" + ab))
			p[i][j] = binary.BigEndian.Uint64(h[:8])
		}
		p[i][0] |= 1
	}
	return p
}

// Of returns the sketch of text, which must be in the normalised form of
// package textform (Of does not normalise), or ErrNoWords.
func Of(text []byte) (Sketch, error) {
	var s Sketch
	for i := range s {
		s[i] = math.MaxUint32
	}
	var batch [minHashBatch]uint64
	n := 0
	forEachShingle(text, func(h uint64) {
		batch[n%minHashBatch] = h
		n++
		if n%minHashBatch == 0 {
			minHash(&s, batch[:])
		}
	})
	if n == 0 {
		return Sketch{}, ErrNoWords
	}
	minHash(&s, batch[:n%minHashBatch])
	return s, nil
}

// minHashBatch is how many shingle hashes Of gathers before it lowers the
// slots: four slots at a time over a batch, their constants and minimums
// stay in registers and their comparisons do not wait for one another
// (BenchmarkMinHash).
const minHashBatch = 64

// minHash lowers each slot of s to the value of each shingle hash of hs
// (step 5). Repeats do not change a minimum, so hs may hold any.
func minHash(s *Sketch, hs []uint64) {
	for i := 0; i < K; i += 4 {
		a0, b0, a1, b1 := perm[i][0], perm[i][1], perm[i+1][0], perm[i+1][1]
		a2, b2, a3, b3 := perm[i+2][0], perm[i+2][1], perm[i+3][0], perm[i+3][1]
		m0, m1, m2, m3 := s[i], s[i+1], s[i+2], s[i+3]
		for _, h := range hs {
			m0 = min(m0, uint32((a0*h+b0)>>32))
			m1 = min(m1, uint32((a1*h+b1)>>32))
			m2 = min(m2, uint32((a2*h+b2)>>32))
			m3 = min(m3, uint32((a3*h+b3)>>32))
		}
		s[i], s[i+1], s[i+2], s[i+3] = m0, m1, m2, m3
	}
}

// Shingles returns the sorted, distinct shingle hashes of text (step 4),
// for an exact comparison with Jaccard.
func Shingles(text []byte) []uint64 {
	var hs []uint64
	forEachShingle(text, func(h uint64) { hs = append(hs, h) })
	slices.Sort(hs)
	return slices.Compact(hs)
}

// keysCompactAt is the length past which forEachShingle drops the keys no
// later shingle uses, so memory does not grow with the text.
const keysCompactAt = 1024

// forEachShingle calls fn with the hash of each shingle of text, in order,
// repeats included. It appends the words' keys to one buffer, separated by
// single spaces, so that each shingle is a slice of it.
func forEachShingle(text []byte, fn func(uint64)) {
	s := string(text)
	keys := make([]byte, 0, 2*keysCompactAt)
	var starts [W]int // where the last W keys start in keys, a ring
	n := 0
	for i := 0; i < len(s); {
		t := words.Next(s, i)
		i = t.End
		if t.Kind != words.Word {
			continue
		}
		if n >= W-1 && len(keys) > keysCompactAt {
			keys = dropKeys(keys, &starts, starts[(n-(W-1))%W])
		}
		if n > 0 {
			keys = append(keys, ' ')
		}
		starts[n%W] = len(keys)
		keys = words.AppendKey(keys, s[t.Start:t.End])
		n++
		if n >= W {
			fn(hash(keys[starts[(n-W)%W]:]))
		}
	}
	if n > 0 && n < W {
		fn(hash(keys))
	}
}

// dropKeys removes the first off bytes of keys and moves the starts with them.
func dropKeys(keys []byte, starts *[W]int, off int) []byte {
	n := copy(keys, keys[off:])
	for j := range starts {
		starts[j] -= off // the one before off is stale and about to be replaced
	}
	return keys[:n]
}

func hash(shingle []byte) uint64 {
	h := sha256.Sum256(shingle)
	return binary.BigEndian.Uint64(h[:8])
}

// Jaccard returns |a∩b| / |a∪b| for two sorted, distinct sets as Shingles
// returns them; 0 when both are empty.
func Jaccard(a, b []uint64) float64 {
	common := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			common++
			i++
			j++
		}
	}
	union := len(a) + len(b) - common
	if union == 0 {
		return 0
	}
	return float64(common) / float64(union)
}

// Similarity returns the fraction of slots s and t share, the estimated
// Jaccard similarity of their texts' shingle sets.
func (s *Sketch) Similarity(t *Sketch) float64 {
	return float64(s.Equal(t)) / K
}

// Equal returns how many of the K slots s and t share.
func (s *Sketch) Equal(t *Sketch) int {
	n := 0
	for i := range s {
		if s[i] == t[i] {
			n++
		}
	}
	return n
}

// String returns the encoding of step 6.
func (s Sketch) String() string {
	b := make([]byte, 0, K*4)
	for _, v := range s {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// Parse decodes the encoding of step 6; it accepts nothing else (no other
// length, no missing padding, no non-canonical base64).
func Parse(str string) (Sketch, error) {
	var s Sketch
	if len(str) != EncodedLen {
		return s, fmt.Errorf("%w: %d characters, want %d", ErrMalformed, len(str), EncodedLen)
	}
	// Decoded into an array, not allocated: a verifier parses the sketch
	// of every entry that has one.
	var buf [EncodedLen / 4 * 3]byte
	n, err := base64.StdEncoding.Strict().Decode(buf[:], []byte(str))
	if err != nil || n != K*4 {
		return s, fmt.Errorf("%w: not base64 of %d bytes", ErrMalformed, K*4)
	}
	b := buf[:n]
	for i := range s {
		s[i] = binary.BigEndian.Uint32(b[4*i:])
	}
	return s, nil
}

// MarshalText returns the String encoding.
func (s Sketch) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes with Parse.
func (s *Sketch) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
