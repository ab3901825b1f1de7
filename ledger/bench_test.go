package ledger

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/verbatim-ledger/verbatim/keys"
)

// The benchmarks measure the targets of the core issue on a ledger of
// 10,000 document versions of about 4 KiB each, built through the bulk
// register path (one Appender, a Flush every 1,000 entries, as
// `verbatim register` does). Run them with bench/run.sh.

const (
	benchEntries = 10_000
	benchFlush   = 1_000
)

// benchContent returns about size bytes of text unique to entry i.
func benchContent(rng *rand.Rand, i, size int) []byte {
	const words = "letter prisoners conference justice massacre nineteen eighty eight evin prison families truth "
	b := make([]byte, 0, size+64)
	b = fmt.Appendf(b, "document version %d\n", i)
	for len(b) < size {
		j := rng.Intn(len(words) - 10)
		b = append(b, words[j:j+10]...)
	}
	return b
}

// buildBenchLedger registers n versions (n/10 documents, 10 versions each)
// and returns the time each block of benchFlush registrations took.
func buildBenchLedger(tb testing.TB, dir string, n, size int) []time.Duration {
	tb.Helper()
	key := testKey(tb, keys.ECDSAP256)
	l, err := Init(dir, "example.org/bench", key, AppendOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	a, err := l.Append(key, AppendOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	defer a.Close()
	rng := rand.New(rand.NewSource(1))
	var blocks []time.Duration
	start := time.Now()
	for i := 0; i < n; i++ {
		doc := NewDocument{ID: fmt.Sprintf("doc-%05d", i%(n/10)), Content: benchContent(rng, i, size), Title: "benchmark document"}
		if _, err := a.Add(doc); err != nil {
			tb.Fatal(err)
		}
		if a.Pending() == benchFlush {
			if err := a.Flush(); err != nil {
				tb.Fatal(err)
			}
			blocks = append(blocks, time.Since(start))
			start = time.Now()
		}
	}
	if err := a.Flush(); err != nil {
		tb.Fatal(err)
	}
	return blocks
}

// BenchmarkRegister builds the 10,000-version ledger, with 256-byte (issue
// 10's million-entry benchmark) and 4 KiB documents, and reports the bulk
// rate and the rates of the first and last 1,000 registrations.
func BenchmarkRegister(b *testing.B) {
	testKey(b, keys.ECDSAP256)
	for _, size := range []int{256, 4096} {
		b.Run(fmt.Sprintf("doc=%dB", size), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				dir := filepath.Join(b.TempDir(), "ledger")
				t0 := time.Now()
				blocks := buildBenchLedger(b, dir, benchEntries, size)
				total := time.Since(t0)
				first, last := blocks[0], blocks[len(blocks)-1]
				b.ReportMetric(float64(benchEntries)/total.Seconds(), "versions/s")
				b.ReportMetric(float64(benchFlush)/first.Seconds(), "first1k/s")
				b.ReportMetric(float64(benchFlush)/last.Seconds(), "last1k/s")
				b.ReportMetric(last.Seconds()/first.Seconds(), "last/first")
			}
		})
	}
}

// BenchmarkVerify verifies the ledger of 10,000 versions, with 4 KiB and
// with 16 KiB documents, and reports entries/s and the peak heap in use:
// the peak must not grow with the documents' total size.
func BenchmarkVerify(b *testing.B) {
	for _, size := range []int{4096, 16384} {
		b.Run(fmt.Sprintf("doc=%dKiB", size/1024), func(b *testing.B) {
			dir := filepath.Join(b.TempDir(), "ledger")
			buildBenchLedger(b, dir, benchEntries, size)
			runtime.GC()
			b.ResetTimer()
			var peak atomic.Uint64
			stop := sampleHeap(&peak)
			for i := 0; i < b.N; i++ {
				rep, err := Verify(dir, VerifyOptions{})
				if err != nil || rep.Entries != benchEntries+1 {
					b.Fatalf("Verify = %v, %v", rep, err)
				}
			}
			b.StopTimer()
			stop()
			b.ReportMetric(float64(b.N*(benchEntries+1))/b.Elapsed().Seconds(), "entries/s")
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
		})
	}
}

// sampleHeap records the largest HeapInuse seen until stop is called.
func sampleHeap(peak *atomic.Uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); <-finished }
}

// BenchmarkLarge builds a ledger of 100,000 entries (small documents), then
// measures, as issue 3 asks: a full verify; an audit after 100 new entries
// (from the checkpoint before them); and generating one proof bundle
// (Open, which uses the state cache, plus the bundle). Set
// VERBATIM_BENCH_ENTRIES to change the size.
func BenchmarkLarge(b *testing.B) {
	n := 100_000
	if s := os.Getenv("VERBATIM_BENCH_ENTRIES"); s != "" {
		fmt.Sscan(s, &n)
	}
	dir := filepath.Join(b.TempDir(), "ledger")
	buildBenchLedger(b, dir, n, 256)
	l, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	old := l.Checkpoint().Raw
	a, err := l.Append(testKey(b, keys.ECDSAP256), AppendOptions{})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if _, err := a.Add(NewDocument{ID: fmt.Sprintf("new-%d", i), Content: []byte(fmt.Sprint(i))}); err != nil {
			b.Fatal(err)
		}
	}
	if err := a.Flush(); err != nil {
		b.Fatal(err)
	}
	a.Close()
	l.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := Verify(dir, VerifyOptions{}); err != nil {
			b.Fatal(err)
		}
		tVerify := time.Since(t0)
		t0 = time.Now()
		if _, err := Audit(dir, AuditOptions{Since: old}); err != nil {
			b.Fatal(err)
		}
		tAudit := time.Since(t0)
		t0 = time.Now()
		l, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		v, err := l.Lookup("doc-00007", 3)
		if err != nil {
			b.Fatal(err)
		}
		bun, err := l.Bundle(v)
		if err != nil {
			b.Fatal(err)
		}
		tProof := time.Since(t0)
		l.Close()
		doc, trust := v.contentForBench(b, dir), testKey(b, keys.ECDSAP256).Public().Fingerprint()
		t0 = time.Now()
		if _, err := bun.Verify(doc, trust); err != nil {
			b.Fatal(err)
		}
		tCheck := time.Since(t0)
		b.ReportMetric(tVerify.Seconds(), "verify-s")
		b.ReportMetric(tAudit.Seconds(), "audit-s")
		b.ReportMetric(tVerify.Seconds()/tAudit.Seconds(), "verify/audit")
		b.ReportMetric(tProof.Seconds()*1000, "proof-ms")
		b.ReportMetric(float64(tCheck.Microseconds()), "bundle-check-µs")
		b.ReportMetric(float64(len(bun.Marshal())), "bundle-bytes")
	}
}

// contentForBench reads a version's registered bytes.
func (v *Version) contentForBench(b *testing.B, dir string) []byte {
	l, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	data, err := l.Content(v)
	if err != nil {
		b.Fatal(err)
	}
	return data
}
