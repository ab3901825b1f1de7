package gitstore

import (
	"bytes"
	"crypto/sha1"
	"errors"
	"sort"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"
)

// Git object modes of a tree entry: a file and a directory (the only two a
// ledger uses).
const (
	ModeFile = "100644"
	ModeDir  = "40000"
)

// TreeEntry is one line of a git tree object.
type TreeEntry struct {
	Mode string
	Name string
	Hash plumbing.Hash
}

// Tree is a git tree's entries in git order.
type Tree []TreeEntry

// Less orders tree entries as git does: a directory sorts as if its name
// ended in '/'.
func Less(a, b TreeEntry) bool {
	an, bn := a.Name, b.Name
	if a.Mode == ModeDir {
		an += "/"
	}
	if b.Mode == ModeDir {
		bn += "/"
	}
	return an < bn
}

// With returns t with e added, or replacing the entry of the same name. It
// may reuse t's array: callers keep only the result.
func (t Tree) With(e TreeEntry) Tree {
	i := sort.Search(len(t), func(i int) bool { return !Less(t[i], e) })
	if i < len(t) && t[i].Name == e.Name {
		t[i] = e
		return t
	}
	t = append(t, TreeEntry{})
	copy(t[i+1:], t[i:])
	t[i] = e
	return t
}

// Find returns the entry named name.
func (t Tree) Find(name string) (TreeEntry, bool) {
	for _, e := range t {
		if e.Name == name {
			return e, true
		}
	}
	return TreeEntry{}, false
}

// EncodeTree returns the content of t's git tree object.
func EncodeTree(t Tree) []byte { return AppendTree(nil, t) }

// AppendTree appends the content of t's git tree object to b.
func AppendTree(b []byte, t Tree) []byte {
	for _, e := range t {
		b = append(b, e.Mode...)
		b = append(b, ' ')
		b = append(b, e.Name...)
		b = append(b, 0)
		b = append(b, e.Hash[:]...)
	}
	return b
}

// ErrBadTree means a tree object is not in the form git writes.
var ErrBadTree = errors.New("malformed git tree object")

// DecodeTree parses a git tree object's content, accepting only what git
// itself writes: no empty or duplicate names, git order. It does not check
// the modes: which a tree may hold is the caller's rule.
func DecodeTree(data []byte) (Tree, error) {
	var t Tree
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		if sp < 0 {
			return nil, ErrBadTree
		}
		mode := string(data[:sp])
		data = data[sp+1:]
		nul := bytes.IndexByte(data, 0)
		if nul <= 0 || len(data) < nul+1+20 {
			return nil, ErrBadTree
		}
		e := TreeEntry{Mode: mode, Name: string(data[:nul])}
		copy(e.Hash[:], data[nul+1:nul+21])
		data = data[nul+21:]
		if n := len(t); n > 0 && !Less(t[n-1], e) {
			return nil, ErrBadTree
		}
		t = append(t, e)
	}
	return t, nil
}

// CommitHeader is what a reader needs from a commit before it knows more:
// its tree and parents. (The ledger checks the rest by re-encoding.)
type CommitHeader struct {
	Tree    plumbing.Hash
	Parents []plumbing.Hash
}

// ParseCommitHeader reads the tree and parent lines of a commit object.
func ParseCommitHeader(data []byte) (CommitHeader, error) {
	var c CommitHeader
	for {
		nl := bytes.IndexByte(data, '\n')
		if nl <= 0 {
			break
		}
		line := string(data[:nl])
		data = data[nl+1:]
		switch {
		case len(line) == 45 && line[:5] == "tree ":
			c.Tree = plumbing.NewHash(line[5:])
		case len(line) == 47 && line[:7] == "parent ":
			c.Parents = append(c.Parents, plumbing.NewHash(line[7:]))
		}
	}
	if c.Tree.IsZero() {
		return c, errors.New("commit has no tree")
	}
	return c, nil
}

// Hash is the git object name of content as an object of type typ:
// SHA-1("<type> <size>\x00" || content).
func Hash(typ plumbing.ObjectType, content []byte) plumbing.Hash {
	h := sha1.New()
	var hdr [32]byte
	b := append(hdr[:0], typ.String()...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(len(content)), 10)
	h.Write(append(b, 0))
	h.Write(content)
	var out plumbing.Hash
	h.Sum(out[:0])
	return out
}
