package ledger

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/records"
)

// snapshot is what queries see of a ledger, to compare loads.
func snapshot(t *testing.T, dir string) []any {
	t.Helper()
	l, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer l.Close()
	entries, _ := l.Entries()
	out := []any{l.Size(), l.Head(), l.RootFingerprint(), l.Format(), entries, l.Checkpoint().Root}
	for _, e := range entries {
		if e.Doc != "" {
			vs, _ := l.History(e.Doc)
			for _, v := range vs {
				out = append(out, *v)
			}
		}
	}
	proof, err := l.InclusionProof(1, l.Size())
	if err != nil {
		t.Fatal(err)
	}
	return append(out, proof)
}

func TestCacheAgreesWithReplay(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	l := buildLedger(t, dir, sampleDocs)
	l.Close()
	cache := filepath.Join(dir, cacheFile)
	if _, err := os.Stat(cache); err != nil {
		t.Fatalf("no state cache after appending: %v", err)
	}
	withCache := snapshot(t, dir)
	os.Remove(cache)
	replayed := snapshot(t, dir)
	if !reflect.DeepEqual(withCache, replayed) {
		t.Fatalf("Open from the cache differs from a full replay:\n%v\n%v", withCache, replayed)
	}

	// Entries appended by another handle are replayed on top of the cache.
	stale, _ := os.ReadFile(cache)
	l2, _ := Open(dir)
	registerDocs(t, l2, testKey(t, keys.ECDSAP256), testClock(), moreDocs)
	l2.Close()
	os.WriteFile(cache, stale, 0o644)
	incremental := snapshot(t, dir)
	os.Remove(cache)
	if full := snapshot(t, dir); !reflect.DeepEqual(incremental, full) {
		t.Fatalf("Open from a stale cache differs from a full replay")
	}

	// A cache of another ledger, or a damaged one, is not used.
	other := filepath.Join(t.TempDir(), "other")
	lo := buildLedger(t, other, sampleDocs[:2])
	lo.Close()
	foreign, _ := os.ReadFile(filepath.Join(other, cacheFile))
	want := snapshot(t, dir)
	for name, data := range map[string][]byte{"foreign": foreign, "truncated": foreign[:len(foreign)/2], "garbage": []byte("garbage")} {
		os.WriteFile(cache, data, 0o644)
		if got := snapshot(t, dir); !reflect.DeepEqual(got, want) {
			t.Errorf("with a %s cache, Open gives another state", name)
		}
	}
	checkLedger(t, dir, uint64(1+len(sampleDocs)+len(moreDocs)))
}

// A cache without the ledger's format (written before format v3) is not
// used: the format decides which ids an append may write.
func TestCacheWithoutFormatIsDiscarded(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	l := buildLedger(t, dir, sampleDocs)
	l.Close()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if st, _ := l.readCache(); st == nil || st.format != records.FormatVersion {
		t.Fatalf("readCache after appending = %v, want a state of format %s", st, records.FormatVersion)
	}
	l.st.format = ""
	l.writeCache()
	if st, _ := l.readCache(); st != nil {
		t.Errorf("readCache of a cache without a format = a state of format %q, want none", st.format)
	}
}
