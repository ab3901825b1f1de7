package ledger

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/verbatim-ledger/verbatim/internal/durable"
)

// defaultBranch is the branch a new ledger's HEAD names.
const defaultBranch = plumbing.ReferenceName("refs/heads/main")

// repo is the git repository behind a ledger: object reads through go-git's
// storage (loose objects and packs), and the ref and lock files written by
// hand so that each update is atomic.
type repo struct {
	gitDir string
	st     *filesystem.Storage
	packs  *packReader // reads objects; nil until readFast is called
	// ref, if set, is the ref read and written instead of the branch HEAD
	// names: a sync builds its re-signed entries there (sync.go).
	ref plumbing.ReferenceName
}

// openRepo opens the git repository at dir: a bare repository, or a
// working copy with a .git directory (as `git clone` makes).
func openRepo(dir string) (*repo, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s does not exist", ErrNotLedger, dir)
		}
		return nil, fmt.Errorf("opening ledger %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a directory", ErrNotLedger, dir)
	}
	gitDir := dir
	if fi, err := os.Stat(filepath.Join(dir, ".git")); err == nil && fi.IsDir() {
		gitDir = filepath.Join(dir, ".git")
	}
	for _, name := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(gitDir, name)); err != nil {
			return nil, fmt.Errorf("%w: %s holds no git repository", ErrNotLedger, dir)
		}
	}
	return newRepo(gitDir), nil
}

// openForReading opens the repository at dir with its packs mapped, and
// returns the commit its branch points to; a branch without commits is
// ErrNotLedger, or ErrHead if other branches exist (see unbornHead).
func openForReading(dir string) (*repo, plumbing.Hash, error) {
	r, err := openRepo(dir)
	if err != nil {
		return nil, plumbing.ZeroHash, err
	}
	branch, head, err := r.head()
	if err == nil && head.IsZero() {
		err = r.unbornHead(dir, branch)
	}
	if err == nil {
		err = r.readFast()
	}
	if err != nil {
		r.close()
		return nil, plumbing.ZeroHash, err
	}
	return r, head, nil
}

func newRepo(gitDir string) *repo {
	st := filesystem.NewStorageWithOptions(osfs.New(gitDir), cache.NewObjectLRU(cache.MiByte), filesystem.Options{KeepDescriptors: true})
	return &repo{gitDir: gitDir, st: st}
}

// head returns the branch HEAD names and the commit it points to (zero if
// the branch has no commits yet).
func (r *repo) head() (plumbing.ReferenceName, plumbing.Hash, error) {
	h, err := r.st.Reference(plumbing.HEAD)
	if err != nil {
		return "", plumbing.ZeroHash, fmt.Errorf("reading HEAD: %w", err)
	}
	if h.Type() != plumbing.SymbolicReference {
		return "", plumbing.ZeroHash, fmt.Errorf("%w: HEAD is detached; it must name a branch", ErrTampered)
	}
	branch := h.Target()
	if r.ref != "" {
		branch = r.ref
	}
	ref, err := r.st.Reference(branch)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return branch, plumbing.ZeroHash, nil
	}
	if err != nil {
		return "", plumbing.ZeroHash, fmt.Errorf("reading %s: %w", branch, err)
	}
	if ref.Type() != plumbing.HashReference {
		return "", plumbing.ZeroHash, fmt.Errorf("%w: %s is not a commit reference", ErrTampered, branch)
	}
	return branch, ref.Hash(), nil
}

// readFast makes later reads go straight to the packfiles present now (in
// the repository and its alternates).
func (r *repo) readFast() error {
	pr, err := openPackReader(r.gitDir)
	if err != nil {
		return err
	}
	r.packs = pr
	return nil
}

// addPack makes a pack this process just wrote readable through r.
func (r *repo) addPack(base string) error {
	r.st.ObjectStorage.Reindex()
	if r.packs == nil {
		return nil
	}
	p, err := openPackFile(base)
	if err != nil {
		return err
	}
	r.packs.packs = append(r.packs.packs, p)
	return nil
}

// worker returns a handle on the same repository for another goroutine: its
// own go-git storage, sharing r's mapped packs (read-only).
func (r *repo) worker() *repo {
	w := newRepo(r.gitDir)
	if r.packs != nil {
		w.packs = &packReader{packs: r.packs.packs, dirs: r.packs.dirs, shared: true}
	}
	return w
}

// close releases the repository's open files.
func (r *repo) close() {
	if r.packs != nil {
		r.packs.close()
	}
	r.st.Close()
}

// object reads a git object and checks that its content hashes to h, so a
// corrupted object is never mistaken for a different valid one.
func (r *repo) object(typ plumbing.ObjectType, h plumbing.Hash) ([]byte, error) {
	return r.read(typ, h, true)
}

// read is object, with the hash check only if check is set: callers that
// check the content otherwise may skip it (verification compares a derived
// tree's bytes with the stored ones). Objects are read from the packs and
// loose object files of the repository and its alternates (objectDirs);
// go-git's storage is used for refs and writes only.
func (r *repo) read(typ plumbing.ObjectType, h plumbing.Hash, check bool) ([]byte, error) {
	if r.packs == nil {
		if err := r.readFast(); err != nil {
			return nil, err
		}
	}
	got, data, ok, err := r.packs.read(h)
	switch {
	case err != nil:
		return nil, &objectError{typ: typ, hash: h, err: err}
	case !ok:
		return nil, &objectError{typ: typ, hash: h, err: plumbing.ErrObjectNotFound}
	case got != typ:
		return nil, &objectError{typ: typ, hash: h, err: fmt.Errorf("is a %s object", got)}
	case check && plumbing.ComputeHash(typ, data) != h:
		return nil, &objectError{typ: typ, hash: h, err: errors.New("content does not match its hash")}
	}
	return data, nil
}

// tree reads and decodes a tree object.
func (r *repo) tree(h plumbing.Hash) (tree, error) {
	data, err := r.object(plumbing.TreeObject, h)
	if err != nil {
		return nil, err
	}
	t, err := decodeTree(data)
	if err != nil {
		return nil, &objectError{typ: plumbing.TreeObject, hash: h, err: err}
	}
	return t, nil
}

// objectError is a git object that is missing, unreadable or corrupt.
type objectError struct {
	typ  plumbing.ObjectType
	hash plumbing.Hash
	path string // where the object is in the commit's tree, if known
	err  error
}

func (e *objectError) Error() string {
	msg := e.err.Error()
	if errors.Is(e.err, plumbing.ErrObjectNotFound) {
		msg = "missing"
	}
	if e.path != "" {
		return fmt.Sprintf("git %s object %s (%s): %s", e.typ, e.hash, e.path, msg)
	}
	return fmt.Sprintf("git %s object %s: %s", e.typ, e.hash, msg)
}

// at names the place in the tree of a git object error: err unchanged
// unless it is an *objectError without a path.
func at(err error, path string) error {
	var oe *objectError
	if errors.As(err, &oe) && oe.path == "" {
		c := *oe
		c.path = path
		return &c
	}
	return err
}

func (e *objectError) Unwrap() error { return ErrTampered }

// setRef points branch at h, if it still points at old: the ref file is
// written beside itself (as git does, in branch.lock, created exclusively)
// and renamed into place, so a reader or a crash sees either the old commit
// or the new one, and a git process updating the branch at the same time
// is refused rather than overwritten. The caller holds the ledger lock.
func (r *repo) setRef(branch plumbing.ReferenceName, old, h plumbing.Hash) error {
	if _, cur, err := r.head(); err != nil {
		return err
	} else if cur != old {
		return fmt.Errorf("ledger moved from %s to %s while writing; nothing was changed, try again", old.String()[:12], cur.String()[:12])
	}
	path := r.refPath(branch)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return writeFileAtomic(path, []byte(h.String()+"\n"), 0o644)
}

// refPath is the file of a ref, in the git directory.
func (r *repo) refPath(ref plumbing.ReferenceName) string {
	return filepath.Join(r.gitDir, filepath.FromSlash(ref.String()))
}

// checkRefLock refuses to start writing while branch's lock file exists:
// git is updating the branch, or a git process died holding it.
func (r *repo) checkRefLock(branch plumbing.ReferenceName) error {
	lock := r.refPath(branch) + ".lock"
	if _, err := os.Lstat(lock); err == nil {
		return lockedError(lock)
	}
	return nil
}

func lockedError(lock string) error {
	return fmt.Errorf("%w: %s exists: a git command is updating the ledger's branch, or one was interrupted; if no git or verbatim process is running, remove %s and retry", ErrLocked, lock, lock)
}

// writeFileAtomic writes data to path through path.lock, created
// exclusively (as git creates its lock files), synced and renamed; then it
// syncs the directory. If path.lock exists it changes nothing and returns
// an error wrapping ErrLocked.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp := path + ".lock"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, fs.ErrExist) {
		return lockedError(tmp)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		writeStep("ref-locked")
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	writeStep("ref")
	return durable.SyncDir(filepath.Dir(path))
}

// isEmptyDir reports whether dir is missing or empty, ignoring nothing.
func isEmptyDir(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return len(entries) == 0, nil
}

// shortHash is a commit hash as people read it.
func shortHash(h plumbing.Hash) string { return strings.ToLower(h.String()[:12]) }
