package ledger

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/internal/gitstore"
)

// defaultBranch is the branch a new ledger's HEAD names.
const defaultBranch = plumbing.ReferenceName("refs/heads/main")

// A document is stored as one git object: the store must read the largest.
var _ [gitstore.MaxObjectSize - MaxDocumentSize]struct{}

// The git object formats the ledger's trees are written in (gitstore).
type (
	tree      = gitstore.Tree
	treeEntry = gitstore.TreeEntry
)

// Git object modes used by the format; no other mode may appear.
const (
	modeFile = gitstore.ModeFile
	modeDir  = gitstore.ModeDir
)

// objectStore is what the ledger needs from the git repository it is kept
// in, and all its rules use: objects read by name, each checked to hash to
// it unless the caller compares the bytes itself (an *gitstore.ObjectError
// if it is missing or corrupt); new objects written durably, so that only
// then may the branch move; the branch's ref read and moved; and the write
// lock that serializes writers. gitstore.Store implements it over a
// repository's files.
type objectStore interface {
	Read(typ plumbing.ObjectType, h plumbing.Hash, check bool) ([]byte, error)
	Write(objects []gitstore.Object, pack bool) error
	NewBatch() *gitstore.Batch
	AddWritten(w gitstore.Written) error
	Reference(name plumbing.ReferenceName) (*plumbing.Reference, error)
	References() ([]*plumbing.Reference, error)
	SetRef(name plumbing.ReferenceName, h plumbing.Hash) error
	CheckRefLock(name plumbing.ReferenceName) error
	Lock() (unlock func(), err error)
}

// repo is the git repository behind a ledger: its objects and refs (st),
// and the store itself (git) for opening, closing and maintenance.
type repo struct {
	gitDir string
	st     objectStore
	git    *gitstore.Store
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
	return wrapStore(gitstore.Open(gitDir))
}

func wrapStore(s *gitstore.Store) *repo {
	return &repo{gitDir: s.Dir(), st: s, git: s}
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
	return storeError(r.git.OpenPacks())
}

// worker returns a handle on the same repository for another goroutine,
// sharing r's mapped packs (read-only).
func (r *repo) worker() *repo {
	w := wrapStore(r.git.Worker())
	return w
}

// close releases the repository's open files.
func (r *repo) close() {
	r.git.Close()
}

// lock takes the ledger's write lock, waiting for another writer to finish.
func (r *repo) lock() (unlock func(), err error) {
	return r.st.Lock()
}

// object reads a git object and checks that its content hashes to h, so a
// corrupted object is never mistaken for a different valid one.
func (r *repo) object(typ plumbing.ObjectType, h plumbing.Hash) ([]byte, error) {
	return r.read(typ, h, true)
}

// read is object, with the hash check only if check is set: callers that
// check the content otherwise may skip it (verification compares a derived
// tree's bytes with the stored ones). A missing or corrupt object is an
// *objectError, so tampering.
func (r *repo) read(typ plumbing.ObjectType, h plumbing.Hash, check bool) ([]byte, error) {
	data, err := r.st.Read(typ, h, check)
	if err != nil {
		return nil, readError(err)
	}
	return data, nil
}

// readError is an error of objectStore.Read as the ledger reports it: a
// missing or corrupt object is an *objectError, so tampering.
func readError(err error) error {
	var oe *gitstore.ObjectError
	if errors.As(err, &oe) {
		return &objectError{*oe}
	}
	return storeError(err)
}

// tree reads and decodes a tree object.
func (r *repo) tree(h plumbing.Hash) (tree, error) {
	data, err := r.object(plumbing.TreeObject, h)
	if err != nil {
		return nil, err
	}
	t, err := gitstore.DecodeTree(data)
	if err != nil {
		return nil, &objectError{gitstore.ObjectError{Type: plumbing.TreeObject, Hash: h, Err: err}}
	}
	return t, nil
}

// objectError is a git object that is missing, unreadable or corrupt: in a
// ledger, tampering.
type objectError struct{ gitstore.ObjectError }

func (e *objectError) Unwrap() error { return ErrTampered }

// at names the place in the tree of a git object error: err unchanged
// unless it is an *objectError without a path.
func at(err error, path string) error {
	var oe *objectError
	if errors.As(err, &oe) && oe.Path == "" {
		c := *oe
		c.Path = path
		return &c
	}
	return err
}

// storeError gives an error of the object store the ledger's sentinel: a
// corrupt pack or object is tampering, an alternates file that cannot be
// followed is the user's to correct, a git lock file means the ledger is
// locked. The message is the store's, after the sentinel's.
func storeError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gitstore.ErrLocked):
		return fmt.Errorf("%w: %w", ErrLocked, err)
	case errors.Is(err, gitstore.ErrAlternates):
		return fmt.Errorf("%w: %w", ErrInput, err)
	case errors.Is(err, gitstore.ErrCorrupt):
		return fmt.Errorf("%w: %w", ErrTampered, err)
	}
	return err
}

// setRef points branch at h, if it still points at old: the store writes
// the ref atomically (gitstore.Store.SetRef), after the objects it names are
// durable. The caller holds the ledger lock.
func (r *repo) setRef(branch plumbing.ReferenceName, old, h plumbing.Hash) error {
	if _, cur, err := r.head(); err != nil {
		return err
	} else if cur != old {
		return fmt.Errorf("ledger moved from %s to %s while writing; nothing was changed, try again", old.String()[:12], cur.String()[:12])
	}
	return storeError(r.st.SetRef(branch, h))
}

// writeFileAtomic writes data to path as git writes a ref
// (gitstore.WriteFileAtomic): ErrLocked if path.lock exists.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	return storeError(gitstore.WriteFileAtomic(path, data, perm))
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

// commitTree returns the root tree of commit c (the zero hash for none).
func (r *repo) commitTree(c plumbing.Hash) (plumbing.Hash, error) {
	if c.IsZero() {
		return c, nil
	}
	data, err := r.object(plumbing.CommitObject, c)
	if err != nil {
		return c, err
	}
	h, err := gitstore.ParseCommitHeader(data)
	return h.Tree, err
}

// shortHash is a commit hash as people read it.
func shortHash(h plumbing.Hash) string { return strings.ToLower(h.String()[:12]) }
