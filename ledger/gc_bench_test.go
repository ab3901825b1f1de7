package ledger

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/verbatim-ledger/verbatim/keys"
)

// BenchmarkGC builds a ledger of 2,000 single-file registers of about 1 KiB
// (VERBATIM_GC_ENTRIES to change; each a Flush of its own, so loose objects,
// as `verbatim register FILE` writes them), runs GC, and reports the disk
// space (blocks) and the file bytes (du -sb) of the objects directory per
// entry before and after. VERBATIM_GC_DIR=DIR builds the ledger in DIR and
// stops before GC, for du -sb and verbatim gc by hand.
// Run: go test -run '^$' -bench BenchmarkGC -benchtime 1x ./ledger/
func BenchmarkGC(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("VERBATIM_GC_ENTRIES")); err == nil && v > 0 {
		n = v
	}
	for i := 0; i < b.N; i++ {
		dir := os.Getenv("VERBATIM_GC_DIR")
		if dir == "" {
			dir = filepath.Join(b.TempDir(), "ledger")
		}
		b.StopTimer()
		key := testKey(b, keys.ECDSAP256)
		l, err := Init(dir, "example.org/gc-bench", key, AppendOptions{})
		if err != nil {
			b.Fatal(err)
		}
		a, err := l.Append(key, AppendOptions{})
		if err != nil {
			b.Fatal(err)
		}
		rng := rand.New(rand.NewSource(1))
		for j := 0; j < n; j++ {
			if _, err := a.Add(NewDocument{ID: fmt.Sprintf("doc-%05d", j), Content: benchContent(rng, j, 1024)}); err != nil {
				b.Fatal(err)
			}
			if err := a.Flush(); err != nil {
				b.Fatal(err)
			}
		}
		a.Close()
		l.Close()
		if os.Getenv("VERBATIM_GC_DIR") != "" {
			return
		}
		b.StartTimer()
		rep, err := GC(dir)
		if err != nil {
			b.Fatal(err)
		}
		entries := float64(n + 1)
		b.ReportMetric(float64(rep.DiskBefore)/entries, "disk-B/entry-before")
		b.ReportMetric(float64(rep.DiskAfter)/entries, "disk-B/entry-after")
		b.ReportMetric(float64(rep.BytesBefore)/entries, "file-B/entry-before")
		b.ReportMetric(float64(rep.BytesAfter)/entries, "file-B/entry-after")
		b.ReportMetric(float64(rep.Packed), "objects-packed")
	}
}
