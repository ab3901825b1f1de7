package ledger

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/verbatim-ledger/verbatim/keys"
)

// useLedger reads, checks and extends the ledger in dir as a user would
// (show, check, history, register) and verifies it before and after.
func useLedger(t *testing.T, dir string, entries uint64, doc string) {
	t.Helper()
	checkLedger(t, dir, entries)
	l, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer l.Close()
	if _, err := l.History("letter"); err != nil {
		t.Fatalf("History: %v", err)
	}
	v, err := l.Lookup("letter", 2)
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	content, err := l.Content(v)
	if err != nil || string(content) != sampleDocs[2].content {
		t.Fatalf("Content: %q, %v", content, err)
	}
	if vs, err := l.FindContent(content); err != nil || len(vs) != 1 {
		t.Fatalf("FindContent: %v, %v", vs, err)
	}
	if err := l.VerifyVersion(v); err != nil {
		t.Fatalf("VerifyVersion: %v", err)
	}
	registerDocs(t, l, testKey(t, keys.ECDSAP256), testClock(), []testDoc{{doc, "added to a ledger whose objects are borrowed\n"}})
	checkLedger(t, dir, entries+1)
}

// TestAlternates verifies, reads and extends ledgers whose objects live in
// an alternate object store (FORMAT.md §2.1): `git clone --shared` (an
// absolute path), a relative path, and alternates chained through two
// clones, with the source's objects loose or packed with deltas.
func TestAlternates(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	n := uint64(len(sampleDocs)) + 1
	source := func(t *testing.T, repack bool) string {
		src := filepath.Join(t.TempDir(), "src")
		buildLedger(t, src, sampleDocs).Close()
		if repack {
			tamperGit(t, src, nil, "repack", "-a", "-d", "-q")
		}
		return src
	}
	shared := func(t *testing.T, src string, bare bool) string {
		dst := filepath.Join(t.TempDir(), "clone")
		args := []string{"clone", "-q", "--shared"}
		if bare {
			args = append(args, "--bare")
		}
		tamperGit(t, filepath.Dir(dst), nil, append(args, src, dst)...)
		return dst
	}
	gitDirOf := func(dir string) string {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return filepath.Join(dir, ".git")
		}
		return dir
	}
	noObjects := func(t *testing.T, dir string) {
		t.Helper()
		loose, _ := filepath.Glob(filepath.Join(gitDirOf(dir), "objects", "??", "*"))
		packs, _ := filepath.Glob(filepath.Join(gitDirOf(dir), "objects", "pack", "*.pack"))
		if len(loose)+len(packs) != 0 {
			t.Fatalf("the clone holds objects of its own: %d loose, %d packs", len(loose), len(packs))
		}
	}
	for _, repack := range []bool{false, true} {
		name := "loose"
		if repack {
			name = "packed"
		}
		t.Run("clone --shared/"+name, func(t *testing.T) {
			dst := shared(t, source(t, repack), false)
			noObjects(t, dst)
			useLedger(t, dst, n, "new")
		})
		t.Run("bare clone --shared/"+name, func(t *testing.T) {
			dst := shared(t, source(t, repack), true)
			noObjects(t, dst)
			useLedger(t, dst, n, "new")
		})
		t.Run("relative path/"+name, func(t *testing.T) {
			src := source(t, repack)
			dst := shared(t, src, true)
			rel, err := filepath.Rel(filepath.Join(dst, "objects"), filepath.Join(src, "objects"))
			if err != nil {
				t.Fatal(err)
			}
			tamperWrite(t, filepath.Join(dst, "objects", "info", "alternates"), []byte("# borrowed\n\n"+rel+"\n"))
			tamperGit(t, dst, nil, "fsck", "--connectivity-only") // git reads it the same way
			useLedger(t, dst, n, "new")
		})
		t.Run("chained/"+name, func(t *testing.T) {
			a := source(t, repack)
			b := shared(t, a, true)
			useLedger(t, b, n, "in-b") // b now holds objects of its own
			c := shared(t, b, true)
			noObjects(t, c)
			useLedger(t, c, n+1, "in-c")
		})
	}
	t.Run("missing alternate", func(t *testing.T) {
		dst := shared(t, source(t, false), true)
		tamperWrite(t, filepath.Join(dst, "objects", "info", "alternates"), []byte("/nonexistent/objects\n"))
		_, err := Verify(dst, VerifyOptions{})
		if !errors.Is(err, ErrInput) || !containsFold(err.Error(), "/nonexistent/objects") {
			t.Fatalf("Verify: %v; want ErrInput naming the missing alternate", err)
		}
		if _, err := Open(dst); !errors.Is(err, ErrInput) {
			t.Fatalf("Open: %v; want ErrInput", err)
		}
	})
}
