//go:build unix

package ledger

import (
	"os"
	"runtime"
	"runtime/debug"
	"syscall"
	"testing"
	"time"
)

// BenchmarkVerifyDir verifies the ledger in $VERBATIM_BENCH_LEDGER (made
// once with VERBATIM_BENCH_BUILD=1, see TestBuildBenchLedger), so that two
// builds of verbatim can be compared on the very same ledger, alternately,
// on a shared machine. It reports entries/s and the CPU time per verify,
// which contention from other processes affects less than wall time, and
// the garbage collections per verify. Like `verbatim verify`, it runs under
// VerifyMemoryLimit unless GOMEMLIMIT is set.
func BenchmarkVerifyDir(b *testing.B) {
	dir := os.Getenv("VERBATIM_BENCH_LEDGER")
	if dir == "" {
		b.Skip("VERBATIM_BENCH_LEDGER is not set")
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(VerifyMemoryLimit))
	}
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	var entries uint64
	cpu0 := cpuTime()
	t0 := time.Now()
	for i := 0; i < b.N; i++ {
		rep, err := Verify(dir, VerifyOptions{})
		if err != nil {
			b.Fatal(err)
		}
		entries = rep.Entries
	}
	wall, cpu := time.Since(t0), cpuTime()-cpu0
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(uint64(b.N)*entries)/wall.Seconds(), "entries/s")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(ms1.NumGC-ms0.NumGC)/float64(b.N), "gcs/op")
}

// TestBuildBenchLedger builds the benchmark ledger of 10,000 versions of
// 4 KiB in $VERBATIM_BENCH_LEDGER when VERBATIM_BENCH_BUILD=1.
func TestBuildBenchLedger(t *testing.T) {
	dir := os.Getenv("VERBATIM_BENCH_LEDGER")
	if dir == "" || os.Getenv("VERBATIM_BENCH_BUILD") != "1" {
		t.Skip("VERBATIM_BENCH_LEDGER and VERBATIM_BENCH_BUILD=1 are not set")
	}
	buildBenchLedger(t, dir, benchEntries, 4096)
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
