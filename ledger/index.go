package ledger

import (
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/docindex"
	"github.com/verbatim-ledger/verbatim/internal/gitstore"
)

// The document index of a v4 ledger (FORMAT.md §2.4): package docindex
// says what each entry contributes and how a block is encoded; this file
// places the blocks in the tree, checks them and reads them.

// indexName is the name of a small block's index file and of a large
// block's index directory.
const indexName = "index"

// indexFiles are the index objects the commit of entry n adds: small, the
// file entries/AAAA/BB/CC/index, when n ends a small block; large, the
// tree entries/AAAA/BB/index, when n ends a large block. Zero when none.
type indexFiles struct{ small, large plumbing.Hash }

// indexObjects makes the git objects of what an entry completed, through
// put, and returns their hashes.
func indexObjects(c docindex.Completed, put func(plumbing.ObjectType, []byte) plumbing.Hash) indexFiles {
	var f indexFiles
	if c.Small != nil {
		f.small = put(plumbing.BlobObject, c.Small)
	}
	if c.Large != nil {
		var t tree
		for i, part := range c.Large {
			if part != nil {
				t = append(t, treeEntry{Mode: modeFile, Name: docindex.PartName(i), Hash: put(plumbing.BlobObject, part)})
			}
		}
		f.large = put(plumbing.TreeObject, gitstore.EncodeTree(t))
	}
	return f
}

// endsSmall and endsLarge report whether entry n is the last of its block.
func endsSmall(n uint64) bool { return (n+1)%docindex.SmallBlock == 0 }
func endsLarge(n uint64) bool { return (n+1)%docindex.LargeBlock == 0 }

// smallIndexPath and largeIndexPath name the index files of entry n's
// blocks.
func smallIndexPath(n uint64) string {
	p := pathOf(n)
	return entriesDir + "/" + p[0] + "/" + p[1] + "/" + p[2] + "/" + indexName
}

func largeIndexPath(n uint64) string {
	p := pathOf(n)
	return entriesDir + "/" + p[0] + "/" + p[1] + "/" + indexName
}

// storedIndex returns the index files of the blocks entry n ends, as the
// tree tipc walks holds them (tipc is at entry n), and reads each object
// once so that a missing or corrupt one is found (FORMAT.md §6). Whether
// they hold the right records is checked when entry n is applied
// (checkIndex).
func storedIndex(r *repo, tipc *pathTrees, n uint64) (indexFiles, error) {
	var f indexFiles
	if endsSmall(n) {
		e, ok := tipc.c.Find(indexName)
		if !ok || e.Mode != modeFile {
			return f, fmt.Errorf("the index of entries %d to %d (%s, FORMAT.md §2.4) is missing", n+1-docindex.SmallBlock, n, smallIndexPath(n))
		}
		if _, err := r.object(plumbing.BlobObject, e.Hash); err != nil {
			return f, at(err, smallIndexPath(n))
		}
		f.small = e.Hash
	}
	if endsLarge(n) {
		e, ok := tipc.b.Find(indexName)
		if !ok || e.Mode != modeDir {
			return f, fmt.Errorf("the index of entries %d to %d (%s/, FORMAT.md §2.4) is missing", n+1-docindex.LargeBlock, n, largeIndexPath(n))
		}
		t, err := r.tree(e.Hash)
		if err != nil {
			return f, at(err, largeIndexPath(n))
		}
		for _, part := range t {
			if _, err := r.object(plumbing.BlobObject, part.Hash); err != nil {
				return f, at(err, largeIndexPath(n)+"/"+part.Name)
			}
		}
		f.large = e.Hash
	}
	return f, nil
}

// checkIndex checks that the index files stored with entry n are the ones
// its block's entries give (FORMAT.md §6 step 2.11).
func checkIndex(n uint64, derived docindex.Completed, stored indexFiles) error {
	want := indexObjects(derived, gitstore.Hash)
	if want.small != stored.small {
		return fmt.Errorf("%s does not hold the index records of entries %d to %d (FORMAT.md §2.4)", smallIndexPath(n), n+1-docindex.SmallBlock, n)
	}
	if want.large != stored.large {
		return fmt.Errorf("%s/ does not hold the index records of entries %d to %d (FORMAT.md §2.4)", largeIndexPath(n), n+1-docindex.LargeBlock, n)
	}
	return nil
}

// indexBlocksAt returns the gatherer of index records for the entries from
// k on, resumed from the tree tipc walks: the records of the current large
// block before k are read from its complete small blocks' index files and
// from the envelopes of the current small block's entries.
func indexBlocksAt(r *repo, tipc *pathTrees, k uint64) (*docindex.Blocks, error) {
	smallStart := k - k%docindex.SmallBlock
	var large, small []docindex.Record
	for s := k - k%docindex.LargeBlock; s < smallStart; s += docindex.SmallBlock {
		recs, err := readSmallIndex(r, tipc, s)
		if err != nil {
			return nil, err
		}
		large = append(large, recs...)
	}
	for n := smallStart; n < k; n++ {
		env, _, err := readTipEntry(r, tipc, n)
		if err != nil {
			return nil, err
		}
		small = docindex.Records(small, n, env.Statement)
	}
	return docindex.NewBlocks(k, append(large, small...), small), nil
}

// readSmallIndex reads the index file of the small block starting at s.
func readSmallIndex(r *repo, tipc *pathTrees, s uint64) ([]docindex.Record, error) {
	x := newIndexReader(r)
	h, err := x.smallIndex(tipc, s)
	if err != nil {
		return nil, err
	}
	run, err := x.run(h)
	if err != nil {
		return nil, at(err, smallIndexPath(s))
	}
	recs, err := docindex.ParseRun(run)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrTampered, smallIndexPath(s), err)
	}
	return recs, nil
}

// indexLookup returns, in entry order, the entries of the first size
// entries of the tree tipc walks that have the label whose key is k
// (FORMAT.md §2.4, Lookup). They are the index's claims: callers check
// every entry they use against the signed Merkle tree.
func indexLookup(r *repo, tipc *pathTrees, size uint64, k docindex.Key) ([]uint64, error) {
	return newIndexReader(r).lookup(tipc.root, tipc, size, k)
}

// indexReader reads index files and keeps what it read: a block's index
// files never change once written (FORMAT.md §2.4), so what one lookup
// read serves every later one, in this commit's tree or a later one's.
type indexReader struct {
	r     *repo
	parts map[uint64]tree              // a large block's index/ tree, by its first entry
	small map[uint64]plumbing.Hash     // a small block's index file, by its first entry
	runs  map[plumbing.Hash][]byte     // index files read, by ID
	tail  map[uint64][]docindex.Record // records of entries read from their envelopes
	kept  int                          // bytes in runs
}

// maxIndexCache bounds the index files an indexReader keeps: about the
// large-block files of 8 million entries.
const maxIndexCache = 1 << 30

func newIndexReader(r *repo) *indexReader {
	return &indexReader{r: r, parts: map[uint64]tree{}, small: map[uint64]plumbing.Hash{}, runs: map[plumbing.Hash][]byte{}, tail: map[uint64][]docindex.Record{}}
}

// lookup is indexLookup through the reader's caches; root is the commit
// tree tipc walks (tipc may be nil: one is made from root).
func (x *indexReader) lookup(root tree, tipc *pathTrees, size uint64, k docindex.Key) ([]uint64, error) {
	if tipc == nil {
		tipc = &pathTrees{root: root}
	}
	var out []uint64
	search := func(h plumbing.Hash, where string) error {
		run, err := x.run(h)
		if err != nil {
			return at(err, where)
		}
		found, err := docindex.Search(run, k)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrTampered, where, err)
		}
		out = append(out, found...)
		return nil
	}
	largeEnd := size - size%docindex.LargeBlock
	for s := uint64(0); s < largeEnd; s += docindex.LargeBlock {
		t, err := x.largeIndex(tipc, s)
		if err != nil {
			return nil, err
		}
		if f, ok := t.Find(docindex.PartName(docindex.Part(k))); ok {
			if err := search(f.Hash, largeIndexPath(s)+"/"+f.Name); err != nil {
				return nil, err
			}
		}
	}
	smallEnd := size - size%docindex.SmallBlock
	for s := largeEnd; s < smallEnd; s += docindex.SmallBlock {
		h, err := x.smallIndex(tipc, s)
		if err == nil {
			err = search(h, smallIndexPath(s))
		}
		if err != nil {
			return nil, err
		}
	}
	for n := smallEnd; n < size; n++ {
		recs, ok := x.tail[n]
		if !ok {
			env, _, err := readTipEntry(x.r, tipc, n)
			if err != nil {
				return nil, err
			}
			recs = docindex.Records(nil, n, env.Statement)
			x.tail[n] = recs
		}
		for _, rec := range recs {
			if rec.Key == k {
				out = append(out, n)
			}
		}
	}
	return out, nil
}

// largeIndex returns the index/ tree of the large block starting at s.
func (x *indexReader) largeIndex(tipc *pathTrees, s uint64) (tree, error) {
	if t, ok := x.parts[s]; ok {
		return t, nil
	}
	if err := x.at(tipc, s); err != nil {
		return nil, err
	}
	e, ok := tipc.b.Find(indexName)
	if !ok || e.Mode != modeDir {
		return nil, fmt.Errorf("%w: the index directory %s/ is missing (FORMAT.md §2.4)", ErrTampered, largeIndexPath(s))
	}
	t, err := x.r.tree(e.Hash)
	if err != nil {
		return nil, err
	}
	x.parts[s] = t
	return t, nil
}

// smallIndex returns the ID of the index file of the small block starting at s.
func (x *indexReader) smallIndex(tipc *pathTrees, s uint64) (plumbing.Hash, error) {
	if h, ok := x.small[s]; ok {
		return h, nil
	}
	if err := x.at(tipc, s); err != nil {
		return plumbing.ZeroHash, err
	}
	e, ok := tipc.c.Find(indexName)
	if !ok || e.Mode != modeFile {
		return plumbing.ZeroHash, fmt.Errorf("%w: the index file %s is missing (FORMAT.md §2.4)", ErrTampered, smallIndexPath(s))
	}
	x.small[s] = e.Hash
	return e.Hash, nil
}

// at moves tipc to entry s's directory.
func (x *indexReader) at(tipc *pathTrees, s uint64) error {
	_, found, err := tipc.entryDir(x.r, s)
	if err == nil && !found {
		err = fmt.Errorf("%w: the entry's directory %s is missing from the newest commit", ErrTampered, pathOf(s))
	}
	return err
}

// run reads the index file h.
func (x *indexReader) run(h plumbing.Hash) ([]byte, error) {
	if run, ok := x.runs[h]; ok {
		return run, nil
	}
	run, err := x.r.object(plumbing.BlobObject, h)
	if err != nil {
		return nil, err
	}
	if x.kept+len(run) <= maxIndexCache {
		x.runs[h] = run
		x.kept += len(run)
	}
	return run, nil
}
