package ledger

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"

	"github.com/verbatim-ledger/verbatim/internal/gitstore"
)

// A ledger may be a clone with a working tree (`git clone URL DIR`, not
// --bare). Appending moves its branch; the work tree and the index must
// follow, or `git status` shows every new entry as deleted. So Append
// refuses to start if they differ from the branch (local changes: `git
// status` would list something), and each Flush, once the branch has moved,
// writes the files that changed into the work tree and updates the index
// (written through index.lock, created exclusively as git does, and
// renamed). A process killed between the two leaves the ledger whole and
// the work tree stale: the next register refuses and says to run `git
// checkout -f`.

// workTree returns the working tree of r's repository: the parent of a
// .git directory whose config does not say it is bare; "" for a bare
// repository, as every ledger verbatim init makes is.
func (r *repo) workTree() string {
	if filepath.Base(r.gitDir) != ".git" {
		return ""
	}
	if r.git.Bare() {
		return ""
	}
	return filepath.Dir(r.gitDir)
}

// checkWorkTree refuses a clone whose index or work tree differ from
// commit head: appending would have to overwrite local changes, or leave
// them beside a branch that moved.
func (r *repo) checkWorkTree(head plumbing.Hash) error {
	dir := r.workTree()
	if dir == "" || head.IsZero() {
		return nil
	}
	if err := gitstore.CheckLockFile(filepath.Join(r.gitDir, "index.lock")); err != nil {
		return storeError(err)
	}
	path, err := r.localChange(dir, head)
	if err != nil {
		return fmt.Errorf("reading the working tree of %s: %w", dir, err)
	}
	if path != "" {
		return fmt.Errorf("%w: %s is a clone with a working tree, and %s differs from the ledger's branch (git -C %s status): commit or discard the changes (git -C %s checkout -f; git -C %s clean -n lists untracked files) and retry, or register in a bare clone (git clone --bare)", ErrInput, dir, path, dir, dir, dir)
	}
	return nil
}

// localChange returns the first path where the index or the work tree
// differ from commit head ("" if none): as git status, an index entry
// whose file has the size and modification time it records is taken as
// unchanged, any other is hashed.
func (r *repo) localChange(dir string, head plumbing.Hash) (string, error) {
	files := map[string]treeEntry{}
	if err := r.diffCommits(plumbing.ZeroHash, head, func(p string, _, e *treeEntry) error { files[p] = *e; return nil }); err != nil {
		return "", err
	}
	idx, err := r.readIndex()
	if err != nil {
		return "", err
	}
	indexed := map[string]bool{}
	for _, e := range idx.Entries {
		indexed[e.Name] = true
		if f, ok := files[e.Name]; !ok || e.Stage != 0 || e.Hash != f.Hash || e.Mode != filemode.Regular {
			return e.Name, nil
		}
		if changed, err := fileChanged(filepath.Join(dir, filepath.FromSlash(e.Name)), e); err != nil || changed {
			return e.Name, err
		}
	}
	for p := range files {
		if !indexed[p] {
			return p, nil
		}
	}
	untracked := ""
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.IsDir() && rel == ".git":
			return filepath.SkipDir
		case !d.IsDir() && !indexed[filepath.ToSlash(rel)]:
			untracked = filepath.ToSlash(rel)
			return filepath.SkipAll
		}
		return nil
	})
	return untracked, err
}

// fileChanged reports whether the file at path differs from index entry e.
func fileChanged(path string, e *index.Entry) (bool, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if !fi.Mode().IsRegular() || fi.Mode()&0o111 != 0 || fi.Size() != int64(e.Size) {
		return true, nil
	}
	if fi.ModTime().Equal(e.ModifiedAt) {
		return false, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	return gitstore.Hash(plumbing.BlobObject, data) != e.Hash, nil
}

func (r *repo) readIndex() (*index.Index, error) {
	idx := &index.Index{Version: 2}
	f, err := os.Open(filepath.Join(r.gitDir, "index"))
	if errors.Is(err, fs.ErrNotExist) {
		return idx, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := index.NewDecoder(bufio.NewReader(f)).Decode(idx); err != nil {
		return nil, fmt.Errorf("reading the git index: %w", err)
	}
	return idx, nil
}

// updateWorkTree moves the work tree and index of a clone with a working
// tree from commit old to commit h, which the branch names now: the files
// that differ are written (through a temporary file, renamed) or removed,
// and their index entries replaced.
func (r *repo) updateWorkTree(old, h plumbing.Hash) error {
	dir := r.workTree()
	if dir == "" || old.IsZero() {
		return nil
	}
	err := r.checkout(dir, old, h)
	if err != nil {
		return fmt.Errorf("the entries are in the ledger, but updating the working tree of %s failed: %w; run git -C %s checkout -f", dir, err, dir)
	}
	return nil
}

func (r *repo) checkout(dir string, old, h plumbing.Hash) error {
	idx, err := r.readIndex()
	if err != nil {
		return err
	}
	err = r.diffCommits(old, h, func(p string, _, e *treeEntry) error {
		path := filepath.Join(dir, filepath.FromSlash(p))
		idx.Remove(p)
		if e == nil {
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			return nil
		}
		fi, err := r.writeWorkFile(path, e.Hash)
		if err != nil {
			return err
		}
		idx.Entries = append(idx.Entries, &index.Entry{Name: p, Hash: e.Hash, Mode: filemode.Regular,
			Size: uint32(fi.Size()), ModifiedAt: fi.ModTime(), CreatedAt: fi.ModTime()})
		return nil
	})
	if err != nil {
		return err
	}
	idx.Cache = nil // the cached trees name the old commit's
	if idx.Version > index.EncodeVersionSupported {
		idx.Version = 2
	}
	var buf bytes.Buffer
	if err := index.NewEncoder(&buf).Encode(idx); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(r.gitDir, "index"), buf.Bytes(), 0o644)
}

// writeWorkFile writes blob h to path through a temporary file.
func (r *repo) writeWorkFile(path string, h plumbing.Hash) (fs.FileInfo, error) {
	data, err := r.object(plumbing.BlobObject, h)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".verbatim-tmp-")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return nil, err
	}
	return os.Lstat(path)
}

// diffCommits calls fn for each file path whose entry differs between the
// trees of commits a and b (a zero commit has no files), with the entry in
// a and in b (nil where there is none).
func (r *repo) diffCommits(a, b plumbing.Hash, fn func(path string, ea, eb *treeEntry) error) error {
	ta, err := r.commitTree(a)
	if err != nil {
		return err
	}
	tb, err := r.commitTree(b)
	if err != nil {
		return err
	}
	return r.diffTrees("", ta, tb, fn)
}

// diffTrees is diffCommits for trees a and b under prefix; equal subtrees
// are skipped unread.
func (r *repo) diffTrees(prefix string, a, b plumbing.Hash, fn func(string, *treeEntry, *treeEntry) error) error {
	if a == b {
		return nil
	}
	read := func(h plumbing.Hash) (map[string]treeEntry, error) {
		m := map[string]treeEntry{}
		if h.IsZero() {
			return m, nil
		}
		t, err := r.tree(h)
		for _, e := range t {
			m[e.Name] = e
		}
		return m, err
	}
	ma, err := read(a)
	if err != nil {
		return err
	}
	mb, err := read(b)
	if err != nil {
		return err
	}
	for name := range mb {
		if _, ok := ma[name]; !ok {
			ma[name] = treeEntry{}
		}
	}
	for name, ea := range ma {
		eb := mb[name]
		sub := func(e treeEntry) plumbing.Hash {
			if e.Mode == modeDir {
				return e.Hash
			}
			return plumbing.ZeroHash
		}
		if err := r.diffTrees(prefix+name+"/", sub(ea), sub(eb), fn); err != nil {
			return err
		}
		fa, fb := fileOf(ea), fileOf(eb)
		if (fa == nil) != (fb == nil) || (fa != nil && *fa != *fb) {
			if err := fn(prefix+name, fa, fb); err != nil {
				return err
			}
		}
	}
	return nil
}

// fileOf is e if it is a file entry, else nil.
func fileOf(e treeEntry) *treeEntry {
	if e.Mode == "" || e.Mode == modeDir {
		return nil
	}
	return &e
}
