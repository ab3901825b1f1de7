package nearest

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/verbatim-ledger/verbatim/sketch"
)

var corpusSize = flag.Int("corpus", 0, "synthetic versions to index (default 4000 in tests, 100000 in benchmarks)")

func size(def int) int {
	if *corpusSize > 0 {
		return *corpusSize
	}
	return def
}

// TestFindsAlteredCopies checks that the right version (not only the right
// document: neighbouring versions differ by 5 words) is found for copies with
// 1, 10 and 50 of their ~700 words replaced.
func TestFindsAlteredCopies(t *testing.T) {
	c, x, n := testIndex()
	r := rand.New(rand.NewPCG(5, 5))
	for _, tt := range []struct{ changed, trials, minHits int }{{1, 30, 30}, {10, 30, 30}, {50, 30, 27}} {
		hits, docHits := 0, 0
		for trial := range tt.trials {
			want := versionAt(r.IntN(n))
			got, ok := c.nearest(x, c.query(want, tt.changed, uint64(trial)))
			if ok && got.Key == want {
				hits++
			}
			if ok && got.Key.Doc == want.Doc {
				docHits++
			}
		}
		t.Logf("%d versions, %d words changed: right version %d/%d, right document %d/%d", n, tt.changed, hits, tt.trials, docHits, tt.trials)
		if hits < tt.minHits {
			t.Errorf("%d words changed: right version found %d times in %d, want at least %d", tt.changed, hits, tt.trials, tt.minHits)
		}
	}
}

func TestUnrelatedTextHasNoCandidates(t *testing.T) {
	_, x, _ := testIndex()
	q, _ := sketch.Of([]byte("Archive photo, prisoner. Letter by group of political prisoners to Paris conference.\n"))
	if got := x.Candidates(&q, 5); len(got) != 0 {
		t.Errorf("Candidates(unrelated) = %v, want none", got)
	}
}

func TestCandidatesOrder(t *testing.T) {
	texts := []string{
		"the quick brown fox jumps over the lazy dog near the river bank today\n",
		"the quick brown fox jumps over the lazy cat near the river bank today\n",
		"the quick brown fox jumps over the lazy dog near the river bank today\n",
		"an entirely different sentence about political prisoners in iran\n",
	}
	var x Index[int]
	for i, s := range texts {
		sk, err := sketch.Of([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		x.Add(i, &sk)
	}
	q, _ := sketch.Of([]byte(texts[0]))
	got := x.Candidates(&q, 10)
	if len(got) != 3 || got[0].Key != 0 || got[1].Key != 2 || got[2].Key != 1 || got[0].Similarity != 1 {
		t.Errorf("Candidates = %v, want keys 0, 2 (equal, in Add order), then 1", got)
	}
	if got := x.Candidates(&q, 1); len(got) != 1 || got[0].Key != 0 {
		t.Errorf("Candidates(n=1) = %v", got)
	}
	boom := errors.New("boom")
	if _, _, err := x.Nearest(&q, 2, func(int) (float64, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Errorf("Nearest error = %v, want boom", err)
	}
	if x.Len() != 4 {
		t.Errorf("Len() = %d", x.Len())
	}
}

var tests struct {
	once sync.Once
	c    *corpus
	x    *Index[version]
	n    int
}

// testIndex builds the tests' index once per process.
func testIndex() (*corpus, *Index[version], int) {
	tests.once.Do(func() {
		tests.c, tests.n = newCorpus(), size(4000)
		tests.x, _ = tests.c.build(tests.n)
	})
	return tests.c, tests.x, tests.n
}

var bench struct {
	once    sync.Once
	c       *corpus
	x       *Index[version]
	n       int
	buildS  float64
	indexS  float64
	indexMB float64
}

// benchIndex builds the benchmark index once per process.
func benchIndex() {
	bench.once.Do(func() {
		bench.c, bench.n = newCorpus(), size(100000)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		var indexing time.Duration
		bench.x, indexing = bench.c.build(bench.n)
		bench.buildS, bench.indexS = time.Since(start).Seconds(), indexing.Seconds()
		runtime.GC()
		runtime.ReadMemStats(&after)
		bench.indexMB = float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
		fmt.Printf("nearest: %d synthetic 4 KiB versions generated and sketched in %.1f s, indexed in %.2f s; index heap %.1f MiB\n", bench.n, bench.buildS-bench.indexS, bench.indexS, bench.indexMB)
	})
}

// BenchmarkNearest is one lookup of a copy with 10 changed words in the
// benchmark index: sketch it, take 5 candidates, compare them exactly (each
// candidate regenerated and shingled, as a ledger would read it).
func BenchmarkNearest(b *testing.B) {
	for _, changed := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("changed=%d", changed), func(b *testing.B) {
			benchIndex()
			r := rand.New(rand.NewPCG(6, uint64(changed)))
			hits, total := 0, 0
			for b.Loop() {
				b.StopTimer()
				want := versionAt(r.IntN(bench.n))
				text := bench.c.query(want, changed, uint64(total))
				b.StartTimer()
				got, ok := bench.c.nearest(bench.x, text)
				if ok && got.Key == want {
					hits++
				}
				total++
			}
			b.ReportMetric(float64(hits)/float64(total), "hit-rate")
			b.ReportMetric(float64(bench.n), "versions")
			b.ReportMetric(bench.buildS, "build-s")
			b.ReportMetric(bench.indexS, "index-s")
			b.ReportMetric(bench.indexMB, "index-MiB")
		})
	}
}

// BenchmarkCandidates is the index lookup alone, for a sketch already made.
func BenchmarkCandidates(b *testing.B) {
	benchIndex()
	q, _ := sketch.Of(bench.c.query(version{7, 1}, 10, 1))
	for b.Loop() {
		bench.x.Candidates(&q, 5)
	}
}
