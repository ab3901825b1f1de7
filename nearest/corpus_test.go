package nearest

import (
	"bytes"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"github.com/verbatim-ledger/verbatim/sketch"
)

// The synthetic corpus: documents of about 4 KiB whose words are drawn from
// a fixed vocabulary with a Zipf distribution (so common words and phrases
// recur across documents, as in real archives), each with VersionsPerDoc
// versions, version v+1 being version v with editWords words replaced. All of
// it follows from fixed seeds, so any version can be regenerated instead of
// kept: the exact comparison regenerates a candidate as a ledger would read it.
const (
	vocabSize      = 20000
	versionsPerDoc = 4
	editWords      = 5
	textBytes      = 4096
)

// version names one synthetic text.
type version struct{ Doc, V int }

type corpus struct {
	vocab []string
}

func newCorpus() *corpus {
	r := rand.New(rand.NewPCG(1, 1))
	c := &corpus{vocab: make([]string, vocabSize)}
	for i := range c.vocab {
		w := make([]byte, 2+r.IntN(9))
		for j := range w {
			w[j] = byte('a' + r.IntN(26))
		}
		c.vocab[i] = string(w)
	}
	return c
}

// words returns the word ids of a version.
func (c *corpus) words(v version) []int {
	r := rand.New(rand.NewPCG(2, uint64(v.Doc)))
	z := rand.NewZipf(r, 1.1, 1, vocabSize-1)
	var ws []int
	for n := 0; n < textBytes; {
		w := int(z.Uint64())
		if n+len(c.vocab[w])+1 > textBytes {
			break
		}
		ws = append(ws, w)
		n += len(c.vocab[w]) + 1
	}
	for i := 1; i <= v.V; i++ {
		c.alter(ws, editWords, rand.New(rand.NewPCG(3, uint64(v.Doc*versionsPerDoc+i))))
	}
	return ws
}

// alter replaces n distinct word positions of ws by other words.
func (c *corpus) alter(ws []int, n int, r *rand.Rand) {
	for _, i := range r.Perm(len(ws))[:n] {
		w := r.IntN(vocabSize)
		for w == ws[i] {
			w = r.IntN(vocabSize)
		}
		ws[i] = w
	}
}

// text renders word ids as lines of 12 words, in normalised form.
func (c *corpus) text(ws []int) []byte {
	var b bytes.Buffer
	for i, w := range ws {
		b.WriteString(c.vocab[w])
		if i%12 == 11 || i == len(ws)-1 {
			b.WriteByte('\n')
		} else {
			b.WriteByte(' ')
		}
	}
	return b.Bytes()
}

// build indexes the first n versions (document-major order), sketching them
// on all CPUs; indexing is how long Add and the first sort took, which is
// all a ledger whose statements hold the sketches would spend.
func (c *corpus) build(n int) (x *Index[version], indexing time.Duration) {
	sk := make([]sketch.Sketch, n)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				s, err := sketch.Of(c.text(c.words(versionAt(i))))
				if err != nil {
					panic("nearest test: synthetic text has no words")
				}
				sk[i] = s
			}
		})
	}
	wg.Wait()
	start := time.Now()
	x = &Index[version]{}
	for i := range sk {
		x.Add(versionAt(i), &sk[i])
	}
	x.Candidates(&sk[0], 1) // sort the bands now, not in the first lookup
	return x, time.Since(start)
}

func versionAt(i int) version { return version{i / versionsPerDoc, i % versionsPerDoc} }

// query returns version v with n words replaced, from seed.
func (c *corpus) query(v version, n int, seed uint64) []byte {
	ws := c.words(v)
	c.alter(ws, n, rand.New(rand.NewPCG(4, seed)))
	return c.text(ws)
}

// nearest finds the nearest version to text as verbatim check would: sketch
// the text, take the 5 best candidates, compare their shingle sets exactly.
func (c *corpus) nearest(x *Index[version], text []byte) (Candidate[version], bool) {
	q, err := sketch.Of(text)
	if err != nil {
		panic("nearest test: query has no words")
	}
	qs := sketch.Shingles(text)
	best, ok, err := x.Nearest(&q, 5, func(v version) (float64, error) {
		return sketch.Jaccard(qs, sketch.Shingles(c.text(c.words(v)))), nil
	})
	if err != nil {
		panic(err)
	}
	return best, ok
}
