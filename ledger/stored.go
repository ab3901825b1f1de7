package ledger

import (
	"bytes"
	"errors"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/internal/gitstore"
)

// storedTrees checks that the repository stores the trees verification
// derives. pathTrees.add derives, for entry n, the new trees of its commit
// from entries/AAAA/BB/CC up to entries/ (in that order); put, given as add's
// hash function, reads the object stored under each derived hash and
// compares its bytes with the derived encoding. Equal bytes mean the stored
// object is present, inflates and hashes to its name, without hashing it
// again. Every other tree of the commit is either the commit's root tree
// (read with its hash checked), entry n's own directory (likewise), or
// shared with the previous commit, which was checked in its turn: so, commit
// by commit, every reachable tree is read once (FORMAT.md §6).
//
// The first problem is kept, not returned at once: if the commit's root
// does not match the derived one, the derived trees need not exist, and
// diagnose explains the mismatch better than a missing object.
type storedTrees struct {
	r     *repo
	paths [4]string // the trees add derives, in the order it derives them
	i     int
	err   error
}

func newStoredTrees(r *repo, n uint64) *storedTrees {
	p := pathOf(n)
	a := entriesDir + "/" + p[0]
	b := a + "/" + p[1]
	return &storedTrees{r: r, paths: [4]string{b + "/" + p[2], b, a, entriesDir}}
}

// put returns the git hash of a derived object and checks the stored one.
func (s *storedTrees) put(typ plumbing.ObjectType, content []byte) plumbing.Hash {
	h := gitstore.Hash(typ, content)
	path := ""
	if s.i < len(s.paths) {
		path = s.paths[s.i]
	}
	s.i++
	if s.err != nil {
		return h
	}
	buf := scratch.Get().(*[]byte)
	defer scratch.Put(buf)
	data, err := s.r.readInto(buf, typ, h, false)
	switch {
	case err != nil:
		s.err = at(err, path)
	case !bytes.Equal(data, content):
		s.err = &objectError{gitstore.ObjectError{Type: typ, Hash: h, Path: path, Err: errors.New("content does not match its hash (the stored object was altered or substituted)")}}
	}
	return h
}

// scratch holds buffers (*[]byte) for objects that are read only to be
// hashed or compared, then dropped: verification reads several such
// objects per entry, and allocating each one cost more than inflating it.
var scratch = sync.Pool{New: func() any { return new([]byte) }}

// maxScratch is the largest buffer kept in scratch: a large document is
// allocated when it is read, not held on to.
const maxScratch = 1 << 20

// readerInto is the method of gitstore.Store readInto uses where the
// object store has it.
type readerInto interface {
	ReadInto(buf []byte, typ plumbing.ObjectType, h plumbing.Hash, check bool) ([]byte, error)
}

// readInto is read, but the object may be inflated into *buf (which it
// grows to fit, up to maxScratch): the result is valid only until *buf is
// used again.
func (r *repo) readInto(buf *[]byte, typ plumbing.ObjectType, h plumbing.Hash, check bool) ([]byte, error) {
	st, ok := r.st.(readerInto)
	if !ok {
		return r.read(typ, h, check)
	}
	data, err := st.ReadInto(*buf, typ, h, check)
	if err != nil {
		return nil, readError(err)
	}
	if cap(data) > cap(*buf) && cap(data) <= maxScratch {
		*buf = data[:0] // the next object of this size inflates into it
	}
	return data, nil
}
