package ledger

import (
	"bytes"
	"crypto/sha1"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/records"
)

// Git object modes used by the format; no other mode may appear.
const (
	modeFile = "100644"
	modeDir  = "40000"
)

// treeEntry is one line of a git tree object.
type treeEntry struct {
	mode string
	name string
	hash plumbing.Hash
}

// tree is a git tree's entries in git order.
type tree []treeEntry

// gitLess orders names as git does: a directory sorts as if its name ended in '/'.
func gitLess(a, b treeEntry) bool {
	an, bn := a.name, b.name
	if a.mode == modeDir {
		an += "/"
	}
	if b.mode == modeDir {
		bn += "/"
	}
	return an < bn
}

// with returns t with e added, or replacing the entry of the same name. It
// may reuse t's array: callers keep only the result.
func (t tree) with(e treeEntry) tree {
	i := sort.Search(len(t), func(i int) bool { return !gitLess(t[i], e) })
	if i < len(t) && t[i].name == e.name {
		t[i] = e
		return t
	}
	t = append(t, treeEntry{})
	copy(t[i+1:], t[i:])
	t[i] = e
	return t
}

// find returns the entry named name.
func (t tree) find(name string) (treeEntry, bool) {
	for _, e := range t {
		if e.name == name {
			return e, true
		}
	}
	return treeEntry{}, false
}

// encodeTree returns the content of t's git tree object.
func encodeTree(t tree) []byte { return appendTree(nil, t) }

// appendTree appends the content of t's git tree object to b.
func appendTree(b []byte, t tree) []byte {
	for _, e := range t {
		b = append(b, e.mode...)
		b = append(b, ' ')
		b = append(b, e.name...)
		b = append(b, 0)
		b = append(b, e.hash[:]...)
	}
	return b
}

var errBadTree = errors.New("malformed git tree object")

// decodeTree parses a git tree object's content, accepting only what git
// itself writes: known modes, no empty or duplicate names, git order.
func decodeTree(data []byte) (tree, error) {
	var t tree
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		if sp < 0 {
			return nil, errBadTree
		}
		mode := string(data[:sp])
		data = data[sp+1:]
		nul := bytes.IndexByte(data, 0)
		if nul <= 0 || len(data) < nul+1+20 {
			return nil, errBadTree
		}
		e := treeEntry{mode: mode, name: string(data[:nul])}
		copy(e.hash[:], data[nul+1:nul+21])
		data = data[nul+21:]
		if n := len(t); n > 0 && !gitLess(t[n-1], e) {
			return nil, errBadTree
		}
		t = append(t, e)
	}
	return t, nil
}

// newObject returns an in-memory git object of type typ holding content.
func newObject(typ plumbing.ObjectType, content []byte) *plumbing.MemoryObject {
	o := &plumbing.MemoryObject{}
	o.SetType(typ)
	o.SetSize(int64(len(content)))
	o.Write(content) // MemoryObject.Write cannot fail
	return o
}

// Commit identity: every ledger commit has this author and committer, and
// the entry's time, so a commit is a pure function of its tree, parent and
// entry (FORMAT.md §2.3).
const (
	commitName  = "verbatim"
	commitEmail = "ledger@verbatim.invalid"
)

// commitMessage is the message of the commit that adds the entry s.
func commitMessage(s *records.Statement) string {
	p := &s.Predicate
	var what string
	switch {
	case p.Genesis != nil:
		what = "genesis of ledger " + p.Ledger
	case p.Document != nil:
		what = p.Document.ID + " version " + strconv.FormatUint(p.Document.Version, 10)
	case p.Key != nil:
		what = "key " + p.Key.Action + " " + p.Key.Key.Fingerprint
	}
	return fmt.Sprintf("verbatim entry %d: %s\n\nsigner %s\n", p.Entry, what, p.Signer)
}

// encodeCommit returns the content of the canonical commit object adding
// entry s with tree treeHash on top of parent (zero for the genesis).
func encodeCommit(treeHash, parent plumbing.Hash, s *records.Statement) []byte {
	t := s.Predicate.TimeValue().Unix()
	var b bytes.Buffer
	fmt.Fprintf(&b, "tree %s\n", treeHash)
	if !parent.IsZero() {
		fmt.Fprintf(&b, "parent %s\n", parent)
	}
	fmt.Fprintf(&b, "author %s <%s> %d +0000\n", commitName, commitEmail, t)
	fmt.Fprintf(&b, "committer %s <%s> %d +0000\n\n", commitName, commitEmail, t)
	b.WriteString(commitMessage(s))
	return b.Bytes()
}

// commitHeader is what verification needs from a commit before it knows the
// entry: its tree and parents. The rest is checked by re-encoding.
type commitHeader struct {
	tree    plumbing.Hash
	parents []plumbing.Hash
}

// parseCommitHeader reads the tree and parent lines of a commit object.
func parseCommitHeader(data []byte) (commitHeader, error) {
	var c commitHeader
	for {
		nl := bytes.IndexByte(data, '\n')
		if nl <= 0 {
			break
		}
		line := string(data[:nl])
		data = data[nl+1:]
		switch {
		case len(line) == 45 && line[:5] == "tree ":
			c.tree = plumbing.NewHash(line[5:])
		case len(line) == 47 && line[:7] == "parent ":
			c.parents = append(c.parents, plumbing.NewHash(line[7:]))
		}
	}
	if c.tree.IsZero() {
		return c, errors.New("commit has no tree")
	}
	return c, nil
}

// gitHash is the git object name of content as an object of type typ:
// SHA-1("<type> <size>\x00" || content).
func gitHash(typ plumbing.ObjectType, content []byte) plumbing.Hash {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", typ, len(content))
	h.Write(content)
	var out plumbing.Hash
	h.Sum(out[:0])
	return out
}
