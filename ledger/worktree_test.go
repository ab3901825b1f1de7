package ledger

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/verbatim-ledger/verbatim/keys"
)

// gitClone makes a clone with a working tree of the ledger in src.
func gitClone(t *testing.T, src, dst string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	if out, err := exec.Command("git", "clone", "-q", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
}

func gitStatus(t *testing.T, dir string) string {
	t.Helper()
	out, err := exec.Command("git", "-C", dir, "status", "--porcelain", "--untracked-files=all").CombinedOutput()
	if err != nil {
		t.Fatalf("git status: %v\n%s", err, out)
	}
	return string(out)
}

// TestRegisterInWorkTreeClone: registering in a clone with a working tree
// leaves its index and work tree at the new commit (git status clean), with
// the new entries' files in the work tree.
func TestRegisterInWorkTreeClone(t *testing.T) {
	tmp := t.TempDir()
	src, clone := filepath.Join(tmp, "ledger"), filepath.Join(tmp, "clone")
	buildLedger(t, src, sampleDocs[:2]).Close()
	gitClone(t, src, clone)
	if st := gitStatus(t, clone); st != "" {
		t.Fatalf("a fresh clone is not clean:\n%s", st)
	}
	l, err := Open(clone)
	if err != nil {
		t.Fatal(err)
	}
	registerDocs(t, l, testKey(t, keys.ECDSAP256), testClock(), sampleDocs[2:])
	l.Close()
	if st := gitStatus(t, clone); st != "" {
		t.Fatalf("git status after register in a clone with a working tree:\n%s", st)
	}
	checkLedger(t, clone, 5)
	out, err := exec.Command("git", "-C", clone, "ls-files").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range strings.Fields(string(out)) {
		if _, err := os.Stat(filepath.Join(clone, f)); err != nil {
			t.Fatalf("%s is in the index but not in the work tree: %v", f, err)
		}
	}
}

// TestRegisterRefusesDirtyWorkTree: a clone whose work tree or index has
// local changes is refused, and the ledger is left as it was.
func TestRegisterRefusesDirtyWorkTree(t *testing.T) {
	tmp := t.TempDir()
	src := filepath.Join(tmp, "ledger")
	buildLedger(t, src, sampleDocs[:2]).Close()
	for name, change := range map[string]func(clone string) error{
		"edited": func(clone string) error {
			return os.WriteFile(filepath.Join(clone, "checkpoint"), []byte("edited\n"), 0o644)
		},
		"untracked": func(clone string) error {
			return os.WriteFile(filepath.Join(clone, "notes.txt"), []byte("mine\n"), 0o644)
		},
		"deleted": func(clone string) error {
			return os.Remove(filepath.Join(clone, "checkpoint"))
		},
		"staged": func(clone string) error {
			return exec.Command("git", "-C", clone, "rm", "-q", "--cached", "checkpoint").Run()
		},
	} {
		t.Run(name, func(t *testing.T) {
			clone := filepath.Join(tmp, name)
			gitClone(t, src, clone)
			if err := change(clone); err != nil {
				t.Fatal(err)
			}
			ref := filepath.Join(clone, ".git", "refs", "heads", "main")
			before, _ := os.ReadFile(ref)
			status := gitStatus(t, clone)
			l, err := Open(clone)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			a, err := l.Append(testKey(t, keys.ECDSAP256), AppendOptions{})
			if err == nil {
				a.Close()
				t.Fatal("Append in a clone with local changes was not refused")
			}
			if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "checkout -f") || !strings.Contains(err.Error(), "bare clone") {
				t.Fatalf("refusal %q does not wrap ErrInput and name the commands", err)
			}
			after, _ := os.ReadFile(ref)
			if string(after) != string(before) || gitStatus(t, clone) != status {
				t.Fatalf("a refused register changed the clone: ref %q -> %q", before, after)
			}
		})
	}
}
