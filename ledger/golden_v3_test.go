package ledger

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/internal/gitstore"
	"github.com/verbatim-ledger/verbatim/records"
)

// testdata/golden-v3.git is the golden ledger as format v3 made it (genesis
// "format": "verbatim-ledger/v3", no index), described in
// testdata/golden-v3.txt. It is never regenerated: FORMAT.md §8 says this
// version of verbatim verifies it, and appends to it, under v3's rules.
const (
	goldenV3Dir  = "testdata/golden-v3.git"
	goldenV3Desc = "testdata/golden-v3.txt"
)

func TestGoldenV3Verifies(t *testing.T) {
	want, err := os.ReadFile(goldenV3Desc)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(goldenV3Dir, VerifyOptions{Trust: newSeedSigner(t).pub.Fingerprint()})
	if err != nil {
		t.Fatalf("Verify(%s): %v", goldenV3Dir, err)
	}
	if rep.Entries != 11 || !strings.Contains(string(want), "head "+rep.Head+"\n") {
		t.Errorf("Verify(%s) = %d entries, head %s; want 11 and the head in golden-v3.txt", goldenV3Dir, rep.Entries, rep.Head)
	}
	if got := describe(t, goldenV3Dir); got != string(want) {
		t.Errorf("describe(%s) differs from golden-v3.txt:\n%s", goldenV3Dir, got)
	}
	l, err := Open(goldenV3Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.Format() != records.FormatV3 {
		t.Errorf("Format() = %q, want %q", l.Format(), records.FormatV3)
	}
}

// A v3 ledger stays v3 when appended to: past the end of a block (entry
// 99) it gets no index file, and it verifies; an index file added to it is
// refused as an unexpected file (FORMAT.md §8).
func TestV3AppendWritesNoIndex(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "v3.git")
	if err := copyTree(goldenV3Dir, dir); err != nil {
		t.Fatal(err)
	}
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := l.Append(seedSignerFrom(t, 0x41), AppendOptions{Now: testClock()})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 120; i++ {
		if _, err := a.Add(NewDocument{ID: fmt.Sprint("more-", i), Content: []byte(fmt.Sprint("more ", i))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	a.Close()
	l.Close()
	if _, err := Verify(dir, VerifyOptions{}); err != nil {
		t.Fatalf("Verify after appending 120 entries to a v3 ledger: %v", err)
	}
	if files := indexFilesIn(t, dir); len(files) != 0 {
		t.Errorf("a v3 ledger got index files: %v", files)
	}
}

// indexFilesIn lists the paths of the index files and directories in the
// newest tree of the ledger in dir.
func indexFilesIn(t *testing.T, dir string) []string {
	t.Helper()
	r, head, err := openForReading(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	data, err := r.object(plumbing.CommitObject, head)
	if err != nil {
		t.Fatal(err)
	}
	c, err := gitstore.ParseCommitHeader(data)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(h plumbing.Hash, path string)
	walk = func(h plumbing.Hash, path string) {
		tr, err := r.tree(h)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range tr {
			switch {
			case e.Name == indexName:
				out = append(out, path+e.Name)
			case e.Mode == modeDir && len(e.Name) < 10: // not an entry's directory
				walk(e.Hash, path+e.Name+"/")
			}
		}
	}
	walk(c.Tree, "")
	return out
}
