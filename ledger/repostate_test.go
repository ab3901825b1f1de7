package ledger

// Tests of the git repository around a ledger (FORMAT.md §2.1): which branch
// HEAD names, shallow clones, grafts and replace refs. These are input
// errors to explain (exit status 2), or git features verbatim ignores, never
// tampering verdicts.

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runHint runs the shell command an error message suggests.
func runHint(t *testing.T, msg string) {
	t.Helper()
	i := strings.Index(msg, "git -C ")
	if i < 0 {
		t.Fatalf("%q suggests no git command", msg)
	}
	cmd := exec.Command("sh", "-c", msg[i:])
	cmd.Env = tamperGitEnv(nil)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", msg[i:], err, out)
	}
}

// wantInputError checks that err is an input error wrapping sentinel, not
// a tampering verdict, and mentions words.
func wantInputError(t *testing.T, err, sentinel error, words ...string) {
	t.Helper()
	if !errors.Is(err, sentinel) || !errors.Is(err, ErrInput) || errors.Is(err, ErrTampered) {
		t.Fatalf("error %v: want %v (an input error), not tampering", err, sentinel)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("error %q does not mention %q", err, w)
		}
	}
}

func TestHeadNamesMissingBranch(t *testing.T) {
	fx := newTamperFixture(t)
	t.Run("bare ledger", func(t *testing.T) {
		dir := fx.copy(t)
		tamperGit(t, dir, nil, "branch", "backup", "main~1")
		tamperGit(t, dir, nil, "symbolic-ref", "HEAD", "refs/heads/master")
		_, err := Verify(dir, VerifyOptions{})
		t.Logf("Verify: %v", err)
		wantInputError(t, err, ErrHead, "HEAD names the branch master, which does not exist", "ledgers are on main, backup (branches: main, backup)",
			"git -C "+dir+" symbolic-ref HEAD refs/heads/main")
		_, err = Open(dir)
		wantInputError(t, err, ErrHead, "symbolic-ref HEAD refs/heads/main")
		runHint(t, err.Error())
		checkLedger(t, dir, fx.tip+1)
	})
	t.Run("clone of a remote whose HEAD names an empty master", func(t *testing.T) {
		src := fx.copy(t)
		tamperGit(t, src, nil, "symbolic-ref", "HEAD", "refs/heads/master")
		dst := filepath.Join(t.TempDir(), "clone")
		tamperGit(t, filepath.Dir(dst), nil, "clone", "-q", src, dst)
		_, err := Verify(dst, VerifyOptions{})
		t.Logf("Verify: %v", err)
		wantInputError(t, err, ErrHead, "HEAD names the branch master", "the ledger is on origin/main", "git -C "+dst+" checkout main")
		runHint(t, err.Error())
		checkLedger(t, dst, fx.tip+1)
	})
	t.Run("bare clone of it", func(t *testing.T) {
		src := fx.copy(t)
		tamperGit(t, src, nil, "symbolic-ref", "HEAD", "refs/heads/master")
		dst := filepath.Join(t.TempDir(), "clone.git")
		tamperGit(t, filepath.Dir(dst), nil, "clone", "-q", "--bare", src, dst)
		_, err := Verify(dst, VerifyOptions{})
		wantInputError(t, err, ErrHead, "the ledger is on main", "symbolic-ref HEAD refs/heads/main")
		runHint(t, err.Error())
		checkLedger(t, dst, fx.tip+1)
	})
	t.Run("no branch holds a ledger", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "repo")
		tamperGit(t, filepath.Dir(dir), nil, "init", "-q", "-b", "docs", dir)
		tamperWrite(t, filepath.Join(dir, "README"), []byte("hello\n"))
		tamperGit(t, dir, nil, "add", "README")
		tamperGit(t, dir, nil, "commit", "-q", "-m", "readme")
		tamperGit(t, dir, nil, "symbolic-ref", "HEAD", "refs/heads/main")
		_, err := Verify(dir, VerifyOptions{})
		if !errors.Is(err, ErrNotLedger) || !strings.Contains(err.Error(), "none of its branches (docs) holds a ledger") {
			t.Fatalf("Verify: %v; want ErrNotLedger listing the branches", err)
		}
	})
	t.Run("empty repository", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "repo")
		tamperGit(t, filepath.Dir(dir), nil, "init", "-q", "--bare", dir)
		if _, err := Verify(dir, VerifyOptions{}); !errors.Is(err, ErrNotLedger) || !strings.Contains(err.Error(), "no entries") {
			t.Fatalf("Verify: %v; want ErrNotLedger", err)
		}
	})
}

func TestShallowClone(t *testing.T) {
	fx := newTamperFixture(t)
	for _, bare := range []bool{false, true} {
		name := "with a working tree"
		if bare {
			name = "bare"
		}
		t.Run(name, func(t *testing.T) {
			src := fx.copy(t)
			old := tamperGit(t, src, nil, "show", "HEAD~3:checkpoint")
			dst := filepath.Join(t.TempDir(), "shallow")
			args := []string{"clone", "-q", "--depth", "2"}
			if bare {
				args = append(args, "--bare")
			}
			tamperGit(t, filepath.Dir(dst), nil, append(args, "file://"+src, dst)...)
			_, err := Verify(dst, VerifyOptions{Trust: fx.root})
			t.Logf("Verify: %v", err)
			wantInputError(t, err, ErrShallow, "shallow clone", "fetch --unshallow")
			_, err = Audit(dst, AuditOptions{Since: []byte(old)})
			t.Logf("Audit: %v", err)
			wantInputError(t, err, ErrShallow, "fetch --unshallow")
			runHint(t, strings.Replace(err.Error(), "fetch --unshallow", "fetch -q --unshallow", 1))
			checkLedger(t, dst, fx.tip+1)
		})
	}
}

// TestGraftsAndReplaceRefsIgnored: git's grafts file and replace refs change
// what `git log` shows, not the objects; verbatim reads objects by their
// names and so sees the ledger as it is stored (FORMAT.md §2.1).
func TestGraftsAndReplaceRefsIgnored(t *testing.T) {
	fx := newTamperFixture(t)
	head := tamperGitLine(t, fx.base, "rev-parse", "HEAD")
	t.Run("grafts", func(t *testing.T) {
		dir := fx.copy(t)
		// Cut the history at entry 2 as git log sees it.
		tamperWrite(t, filepath.Join(dir, "info", "grafts"), []byte(tamperGitLine(t, dir, "rev-parse", "HEAD~2")+"\n"))
		if n := strings.Count(tamperGit(t, dir, []string{"GIT_GRAFT_FILE=" + filepath.Join(dir, "info", "grafts")}, "rev-list", "HEAD"), "\n"); n != 3 {
			t.Logf("git rev-list sees %d commits through the grafts (git may no longer honour grafts)", n)
		}
		if rep := checkLedger(t, dir, fx.tip+1); rep.Head != head {
			t.Fatalf("head %s, want %s", rep.Head, head)
		}
	})
	t.Run("replace ref", func(t *testing.T) {
		dir := fx.copy(t)
		tree := tamperGitLine(t, dir, "rev-parse", "HEAD~1^{tree}")
		evil := tamperGitLine(t, dir, "commit-tree", "-p", "HEAD~2", "-m", "evil", tree)
		tamperGit(t, dir, nil, "replace", tamperGitLine(t, dir, "rev-parse", "HEAD~1"), evil)
		if !strings.Contains(tamperGit(t, dir, nil, "log", "--format=%s"), "evil") {
			t.Fatalf("git log does not show the replacement")
		}
		if rep := checkLedger(t, dir, fx.tip+1); rep.Head != head {
			t.Fatalf("head %s, want %s", rep.Head, head)
		}
	})
	if _, err := os.Stat(fx.base); err != nil {
		t.Fatal(err)
	}
}
