package gitstore

import (
	"bytes"
	"compress/zlib"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// BenchmarkRead reads every object of a repository of 10,000 blobs of about
// 1 KiB in 101 trees, checking each hashes to its name, through Store.Read
// and through go-git's storage/filesystem object storage (as the ledger read
// before it had its own reader), from one pack as appending writes it (no
// deltas) and from the pack `git repack -a -d -f` makes of it (deltas).
// It reports the time, the allocations and the bytes allocated per object.
// Run: go test -run '^$' -bench BenchmarkRead -benchtime 5x ./internal/gitstore/
func BenchmarkRead(b *testing.B) {
	objects, head := testObjects(10000)
	for _, layout := range []string{"pack", "git-repacked"} {
		dir := filepath.Join(b.TempDir(), "repo")
		if err := Init(dir, "refs/heads/main"); err != nil {
			b.Fatal(err)
		}
		s := Open(dir)
		err := s.Write(objects, true)
		if err == nil {
			err = s.SetRef("refs/heads/main", head)
		}
		s.Close()
		if err != nil {
			b.Fatal(err)
		}
		if layout == "git-repacked" {
			git(b, dir, "-c", "pack.writeBitmaps=false", "repack", "-a", "-d", "-f", "-q")
		}
		b.Run(layout+"/gitstore", func(b *testing.B) {
			s := Open(dir)
			defer s.Close()
			benchReads(b, objects, func(o Object) ([]byte, error) { return s.Read(o.Type, o.Hash, true) })
		})
		b.Run(layout+"/go-git", func(b *testing.B) {
			st := filesystem.NewStorageWithOptions(osfs.New(dir), cache.NewObjectLRU(cache.MiByte), filesystem.Options{KeepDescriptors: true})
			defer st.Close()
			benchReads(b, objects, func(o Object) ([]byte, error) {
				obj, err := st.EncodedObject(o.Type, o.Hash)
				if err != nil {
					return nil, err
				}
				r, err := obj.Reader()
				if err != nil {
					return nil, err
				}
				defer r.Close()
				data, err := io.ReadAll(r)
				if err == nil && plumbing.ComputeHash(o.Type, data) != o.Hash {
					b.Fatalf("%s: content does not match its hash", o.Hash)
				}
				return data, err
			})
		})
	}
}

// benchReads reads every object with read, b.N times, and reports the cost
// per object.
func benchReads(b *testing.B, objects []Object, read func(Object) ([]byte, error)) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, o := range objects {
			data, err := read(o)
			if err != nil || len(data) != len(o.Content) {
				b.Fatalf("%s: %d bytes, %v", o.Hash, len(data), err)
			}
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	n := float64(b.N * len(objects))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/object")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/object")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/n, "B/object")
}

// BenchmarkInflate decodes one object's zlib stream as a pack holds it,
// into a buffer of the caller's, as verification reads: a tree of 100
// entries (3,367 bytes, as testObjects makes them) and an envelope (2,320
// bytes, testdata/envelope.json, from a ledger of bench/million), each
// stored as the writer stores it (writeStored), read by inflateStored
// ("stored") and by compress/zlib ("stored-zlib", as every object was read
// before inflateStored), and deflated at BestSpeed as the writer deflates
// larger blobs ("deflated"). It reports the stream's bytes too.
// Run: go test -run '^$' -bench BenchmarkInflate ./internal/gitstore/
func BenchmarkInflate(b *testing.B) {
	objects, _ := testObjects(100)
	tree := objects[len(objects)-3].Content // the tree of the 100 blobs
	envelope, err := os.ReadFile(filepath.Join("testdata", "envelope.json"))
	if err != nil {
		b.Fatal(err)
	}
	for _, obj := range []struct {
		name    string
		content []byte
	}{{"tree", tree}, {"envelope", envelope}} {
		var deflated bytes.Buffer
		zw, _ := zlib.NewWriterLevel(&deflated, zlib.BestSpeed)
		zw.Write(obj.content)
		zw.Close()
		for _, c := range []struct {
			name    string
			z       []byte
			inflate func([]byte, int64, []byte) ([]byte, int, error)
		}{
			{"stored", storedStream(obj.content), inflateBounded},
			{"stored-zlib", storedStream(obj.content), inflateZlib},
			{"deflated", deflated.Bytes(), inflateBounded},
		} {
			b.Run(obj.name+"/"+c.name, func(b *testing.B) {
				buf := make([]byte, 0, len(obj.content))
				for i := 0; i < b.N; i++ {
					data, _, err := c.inflate(c.z, int64(len(obj.content)), buf)
					if err != nil || len(data) != len(obj.content) {
						b.Fatalf("%d bytes, %v", len(data), err)
					}
				}
				b.ReportMetric(float64(len(c.z)), "stream-B")
			})
		}
	}
}
