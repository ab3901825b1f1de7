package ledger

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/verbatim-ledger/verbatim/keys"
)

// TestRefLockRefuses: a branch lock file left by git (running or
// interrupted) makes a register refuse, naming the file, and leaves the
// ledger and the lock file as they were, whether the lock appears before
// the Appender starts or while it works.
func TestRefLockRefuses(t *testing.T) {
	for _, when := range []string{"before Append", "before Flush"} {
		t.Run(when, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ledger")
			buildLedger(t, dir, sampleDocs[:1]).Close()
			ref := filepath.Join(dir, "refs", "heads", "main")
			lock := ref + ".lock"
			before, _ := os.ReadFile(ref)
			gitsOwn := []byte("0123456789012345678901234567890123456789\n")
			l, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if when == "before Append" {
				os.WriteFile(lock, gitsOwn, 0o644)
			}
			a, err := l.Append(testKey(t, keys.ECDSAP256), AppendOptions{Now: testClock()})
			if err == nil {
				defer a.Close()
				if _, err = a.Add(NewDocument{ID: "another", Content: []byte("another\n")}); err != nil {
					t.Fatal(err)
				}
				os.WriteFile(lock, gitsOwn, 0o644)
				err = a.Flush()
			}
			if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), lock) || !strings.Contains(err.Error(), "remove") {
				t.Fatalf("register with %s present = %v; want ErrLocked naming it and what to do", lock, err)
			}
			if after, _ := os.ReadFile(ref); string(after) != string(before) {
				t.Errorf("the branch moved from %q to %q", before, after)
			}
			if got, _ := os.ReadFile(lock); string(got) != string(gitsOwn) {
				t.Errorf("the lock file was overwritten: %q", got)
			}
			os.Remove(lock)
			checkLedger(t, dir, 2)
		})
	}
}

// TestLooseObjectsWritten: a small register writes loose objects that git
// and go-git read back, and leaves no temporary files.
func TestLooseObjectsWritten(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	buildLedger(t, dir, sampleDocs).Close()
	checkLedger(t, dir, uint64(1+len(sampleDocs)))
	filepath.WalkDir(filepath.Join(dir, "objects"), func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), "tmp_") {
			t.Errorf("temporary file left: %s", path)
		}
		return nil
	})
	if _, err := os.Stat("/usr/bin/git"); err == nil {
		tamperGit(t, dir, nil, "fsck", "--strict")
	}
}
