package ledger

import (
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/internal/gitstore"
)

// pathTrees are the trees of one commit on the path to entry p: the root,
// entries/, entries/AAAA (a), entries/AAAA/BB (b) and entries/AAAA/BB/CC (c).
// Appending an entry changes exactly these trees (FORMAT.md §2.2), so the
// appender and the verifier both keep them and derive the next commit's
// tree from them.
type pathTrees struct {
	root, entries, a, b, c tree
	p                      entryPath
	entriesHash            plumbing.Hash // of entries, set by add
	buf                    []byte        // scratch for encoding trees
}

// levels returns the trees from entries/ down, the parents of p[0..3].
func (t *pathTrees) levels() [4]tree { return [4]tree{t.entries, t.a, t.b, t.c} }

// add moves t's trees below the root to those after adding entry n, whose
// directory is the tree dir, with the index files idx its commit adds (v4,
// FORMAT.md §2.4), and returns the new entries/ tree's hash (which the
// entry's checkpoint names); withCheckpoint then completes the root. put
// returns the hash of each new tree object (and may store a copy of it).
// add updates t's trees in place.
func (t *pathTrees) add(n uint64, dir plumbing.Hash, idx indexFiles, put func(plumbing.ObjectType, []byte) plumbing.Hash) plumbing.Hash {
	p := pathOf(n)
	below := []*tree{&t.a, &t.b, &t.c}
	for i := 0; i < 3; i++ {
		if t.p[i] != p[i] {
			for _, lvl := range below[i:] {
				*lvl = nil // a new shard directory
			}
			break
		}
	}
	t.p = p
	hash := func(x tree) plumbing.Hash {
		t.buf = gitstore.AppendTree(t.buf[:0], x)
		return put(plumbing.TreeObject, t.buf)
	}
	t.c = t.c.With(treeEntry{Mode: modeDir, Name: p[3], Hash: dir})
	if !idx.small.IsZero() {
		t.c = t.c.With(treeEntry{Mode: modeFile, Name: indexName, Hash: idx.small})
	}
	t.b = t.b.With(treeEntry{Mode: modeDir, Name: p[2], Hash: hash(t.c)})
	if !idx.large.IsZero() {
		t.b = t.b.With(treeEntry{Mode: modeDir, Name: indexName, Hash: idx.large})
	}
	t.a = t.a.With(treeEntry{Mode: modeDir, Name: p[1], Hash: hash(t.b)})
	t.entries = t.entries.With(treeEntry{Mode: modeDir, Name: p[0], Hash: hash(t.a)})
	t.entriesHash = hash(t.entries)
	return t.entriesHash
}

// withCheckpoint sets the root tree to the entries/ tree add made and the
// checkpoint blob cp, and returns the root tree's hash.
func (t *pathTrees) withCheckpoint(cp plumbing.Hash, put func(plumbing.ObjectType, []byte) plumbing.Hash) plumbing.Hash {
	t.root = t.root.With(treeEntry{Mode: modeFile, Name: checkpointFile, Hash: cp})
	t.root = t.root.With(treeEntry{Mode: modeDir, Name: entriesDir, Hash: t.entriesHash})
	t.buf = gitstore.AppendTree(t.buf[:0], t.root)
	return put(plumbing.TreeObject, t.buf)
}

// entryDir returns the hash of entry n's directory below t.entries,
// reading the a, b and c trees it needs and keeping them for the next call:
// walking entries in order reads each tree once.
func (t *pathTrees) entryDir(r *repo, n uint64) (plumbing.Hash, bool, error) {
	if t.entries == nil && t.root != nil {
		e, ok := t.root.Find(entriesDir)
		if !ok || e.Mode != modeDir {
			return plumbing.ZeroHash, false, nil
		}
		var err error
		if t.entries, err = r.tree(e.Hash); err != nil {
			return plumbing.ZeroHash, false, err
		}
	}
	p := pathOf(n)
	parents := []*tree{&t.entries, &t.a, &t.b}
	children := []*tree{&t.a, &t.b, &t.c}
	for i := 0; i < 3; i++ {
		if t.p[i] == p[i] && *children[i] != nil {
			continue
		}
		e, ok := parents[i].Find(p[i])
		if !ok || e.Mode != modeDir {
			return plumbing.ZeroHash, false, nil
		}
		next, err := r.tree(e.Hash)
		if err != nil {
			return plumbing.ZeroHash, false, err
		}
		*children[i] = next
		t.p[i] = p[i]
		for j := i + 1; j < 3; j++ {
			t.p[j] = ""
			*children[j] = nil
		}
	}
	e, ok := t.c.Find(p[3])
	if !ok || e.Mode != modeDir {
		return plumbing.ZeroHash, false, nil
	}
	t.p[3] = p[3]
	return e.Hash, true, nil
}
