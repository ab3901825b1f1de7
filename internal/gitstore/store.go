package gitstore

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	githash "github.com/go-git/go-git/v5/plumbing/hash"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/verbatim-ledger/verbatim/internal/durable"
)

// Store is the object store and the refs of one git repository: objects
// read from its packs and loose object files and those of its alternates
// (our reader), refs read through go-git's storage, and objects, refs and
// lock files written by hand so that each write is durable and atomic.
//
// A Store is used by one goroutine at a time; Worker gives another
// goroutine its own handle on the same repository.
type Store struct {
	gitDir string
	st     *filesystem.Storage
	packs  *packReader // reads objects; nil until OpenPacks or the first Read
	check  objectHasher
}

// Open returns the store of the git directory gitDir (a bare repository,
// or the .git directory of a clone). It reads nothing yet.
func Open(gitDir string) *Store {
	st := filesystem.NewStorageWithOptions(osfs.New(gitDir), cache.NewObjectLRU(cache.MiByte), filesystem.Options{KeepDescriptors: true})
	return &Store{gitDir: gitDir, st: st}
}

// Dir is the git directory of s.
func (s *Store) Dir() string { return s.gitDir }

// OpenPacks makes later reads go straight to the packfiles present now (in
// the repository and its alternates). Its errors wrap ErrAlternates (an
// alternates file that cannot be followed) or ErrCorrupt (a pack or index
// that cannot be read).
func (s *Store) OpenPacks() error {
	pr, err := openPackReader(s.gitDir)
	if err != nil {
		return err
	}
	s.packs = pr
	return nil
}

// addPack makes a pack this process just wrote readable through s.
func (s *Store) addPack(base string) error {
	s.st.ObjectStorage.Reindex()
	if s.packs == nil {
		return nil
	}
	p, err := openPackFile(base)
	if err != nil {
		return err
	}
	s.packs.packs = append(s.packs.packs, p)
	return nil
}

// Worker returns a handle on the same repository for another goroutine: its
// own go-git storage, sharing s's mapped packs (read-only).
func (s *Store) Worker() *Store {
	w := Open(s.gitDir)
	if s.packs != nil {
		w.packs = &packReader{packs: s.packs.packs, dirs: s.packs.dirs, shared: true, res: s.packs.res}
	}
	return w
}

// Close releases the store's open files.
func (s *Store) Close() {
	if s.packs != nil {
		s.packs.close()
	}
	s.st.Close()
}

// Read returns the content of object h, which must be of type typ, from
// the packs and loose object files of the repository and its alternates
// (objectDirs); go-git's storage is used for refs only. If check is set the
// content must hash to h, so a corrupted object is never mistaken for a
// different valid one; callers that check the content otherwise may skip
// it (the ledger compares a derived tree's bytes with the stored ones). A
// missing, unreadable or corrupt object is an *ObjectError.
func (s *Store) Read(typ plumbing.ObjectType, h plumbing.Hash, check bool) ([]byte, error) {
	return s.ReadInto(nil, typ, h, check)
}

// ReadInto is Read, but an object packed whole (not as a delta) that fits
// in buf is inflated into it: a caller that only hashes or compares the
// content, with a buffer of its own, allocates nothing for it. The result
// may share buf's memory, so it is valid only until buf is used again.
func (s *Store) ReadInto(buf []byte, typ plumbing.ObjectType, h plumbing.Hash, check bool) ([]byte, error) {
	if s.packs == nil {
		if err := s.OpenPacks(); err != nil {
			return nil, err
		}
	}
	got, data, ok, err := s.packs.readInto(h, buf)
	switch {
	case err != nil:
		return nil, &ObjectError{Type: typ, Hash: h, Err: err}
	case !ok:
		return nil, &ObjectError{Type: typ, Hash: h, Err: ErrMissing}
	case got != typ:
		return nil, &ObjectError{Type: typ, Hash: h, Err: fmt.Errorf("is a %s object", got)}
	case check && !s.check.matches(typ, data, h):
		return nil, &ObjectError{Type: typ, Hash: h, Err: errors.New("content does not match its hash")}
	}
	return data, nil
}

// objectHasher checks objects read against their names with the SHA-1
// go-git uses, sha1cd, which detects the blocks of a collision attack and
// hashes them so that the object never gets the name it imitates (an
// object read is not trusted to be what its name says). Unlike
// plumbing.ComputeHash it keeps its hasher from one object to the next:
// allocating one for each object read took 2.1 of the 7 CPU seconds that
// checking hashes cost the verification of a million entries (a CPU
// profile: VERBATIM_BENCH_LEDGER=DIR go test -run '^$' -bench
// BenchmarkVerifyDir -benchtime 1x -cpuprofile P ./ledger/).
type objectHasher struct {
	h   githash.Hash // nil until the first check
	buf []byte       // the header, then the sum
}

// matches reports whether the object of type typ with content has the name h.
func (c *objectHasher) matches(typ plumbing.ObjectType, content []byte, h plumbing.Hash) bool {
	if c.h == nil {
		c.h = githash.New(githash.CryptoType)
		c.buf = make([]byte, 0, 32)
	}
	c.h.Reset()
	c.buf = append(c.buf[:0], typ.String()...)
	c.buf = append(c.buf, ' ')
	c.buf = strconv.AppendInt(c.buf, int64(len(content)), 10)
	c.h.Write(append(c.buf, 0))
	c.h.Write(content)
	c.buf = c.h.Sum(c.buf[:0])
	return bytes.Equal(c.buf, h[:])
}

// Reference reads the ref name, as go-git does (plumbing.ErrReferenceNotFound
// if there is none).
func (s *Store) Reference(name plumbing.ReferenceName) (*plumbing.Reference, error) {
	return s.st.Reference(name)
}

// References lists the repository's refs, loose and packed.
func (s *Store) References() ([]*plumbing.Reference, error) {
	iter, err := s.st.IterReferences()
	if err != nil {
		return nil, err
	}
	var refs []*plumbing.Reference
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		refs = append(refs, ref)
		return nil
	})
	return refs, err
}

// SetRef points the ref name at h: the ref file is written beside itself
// (as git does, in name.lock, created exclusively) and renamed into place,
// so a reader or a crash sees either the old value or the new one, and a
// git process updating the ref at the same time is refused (ErrLocked)
// rather than overwritten. Objects written before are durable already
// (Write). The caller holds the write lock (Lock) and has checked the ref's
// old value under it.
func (s *Store) SetRef(name plumbing.ReferenceName, h plumbing.Hash) error {
	path := s.RefPath(name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return WriteFileAtomic(path, []byte(h.String()+"\n"), 0o644)
}

// RefPath is the file of a ref, in the git directory.
func (s *Store) RefPath(ref plumbing.ReferenceName) string {
	return filepath.Join(s.gitDir, filepath.FromSlash(ref.String()))
}

// CheckRefLock refuses (ErrLocked) to start writing while name's lock file
// exists: git is updating the ref, or a git process died holding it.
func (s *Store) CheckRefLock(name plumbing.ReferenceName) error {
	return CheckLockFile(s.RefPath(name) + ".lock")
}

// CheckLockFile returns an error wrapping ErrLocked if the git lock file
// lock exists.
func CheckLockFile(lock string) error {
	if _, err := os.Lstat(lock); err == nil {
		return lockedError(lock)
	}
	return nil
}

func lockedError(lock string) error {
	return kindError(ErrLocked, fmt.Errorf("%s exists: a git command is updating the ledger's branch, or one was interrupted; if no git or verbatim process is running, remove %s and retry", lock, lock))
}

// Bare reports whether the repository's config says it is bare.
func (s *Store) Bare() bool {
	cfg, err := s.st.Config()
	return err == nil && cfg.Core.IsBare
}

// Shallow reports whether the repository is a shallow clone: git lists the
// commits whose parents it lacks in the file shallow.
func (s *Store) Shallow() bool {
	fi, err := os.Stat(filepath.Join(s.gitDir, "shallow"))
	return err == nil && fi.Size() > 0
}

// WriteFileAtomic writes data to path through path.lock, created
// exclusively (as git creates its lock files), synced and renamed; then it
// syncs the directory. If path.lock exists it changes nothing and returns
// an error wrapping ErrLocked.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
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
