package ledger

import (
	"bytes"
	"encoding/gob"
	"os"
	"path/filepath"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/records"
)

// The state cache (FORMAT.md §7.1) spares Open from replaying every entry:
// it is the state after a known commit, kept in the git directory at
// verbatim/state-v1.gob, outside the ledger's history (git ignores it;
// clones do not carry it). Open loads it, replays only the entries after it
// from the newest tree, and then requires the Merkle root of all the leaf
// hashes to equal the newest checkpoint's, which the ledger key signed: a
// cache from another history, stale or damaged, fails that check and Open
// replays everything instead. It is rewritten after each load that replayed
// entries and after each append. Nothing shown or signed comes from it
// (FORMAT.md §7.1): queries re-read the entries it points to, and a query
// that finds it wrong replays every entry (Ledger.replayed).
const cacheFile = "verbatim/state-v1.gob"

// cacheLayout is the layout of cachedState; a cache of another layout (or
// of none: written before the text identities were cached) is discarded.
const cacheLayout = 2

type cachedState struct {
	Layout         int
	Head           plumbing.Hash
	Name           string
	Format         string // the genesis "format"; a cache without it is discarded
	RootKey        []byte
	Size           uint64
	LastHash       [32]byte
	LastTime       string
	LastCheckpoint []byte
	Leaves         [][32]byte
	Versions       []Version // in entry order
	Entries        []EntryInfo
}

// readCache returns the state the cache holds and the commit it is of, or nil.
func (l *Ledger) readCache() (*state, plumbing.Hash) {
	data, err := os.ReadFile(filepath.Join(l.r.gitDir, cacheFile))
	if err != nil {
		return nil, plumbing.ZeroHash
	}
	var c cachedState
	if gob.NewDecoder(bytes.NewReader(data)).Decode(&c) != nil || c.Size == 0 || c.Layout != cacheLayout || !records.KnownFormat(c.Format) || uint64(len(c.Leaves)) != c.Size || uint64(len(c.Entries)) != c.Size {
		return nil, plumbing.ZeroHash
	}
	root, err := keys.PublicKeyFromDER(c.RootKey)
	if err != nil {
		return nil, plumbing.ZeroHash
	}
	s := newState()
	s.name, s.format, s.rootKey, s.lastSigner = c.Name, c.Format, root, root
	s.signers[string(root.Fingerprint())] = root
	s.noteRoot(root)
	s.size, s.lastHash, s.lastTime, s.lastCheckpoint = c.Size, c.LastHash, c.LastTime, c.LastCheckpoint
	s.leaves, s.entries = c.Leaves, c.Entries
	for i := range s.leaves {
		s.tree.Append(s.leaves[i][:], nil)
	}
	if records.HasIndex(s.format) {
		// The cache holds no key state: a v4 ledger's key entries are
		// found through its index, each signature verified.
		if _, _, err := applyIndexedKeys(l.r, &pathTrees{root: l.tip.root}, s, c.Size); err != nil {
			return nil, plumbing.ZeroHash
		}
	}
	for i := range c.Versions {
		v := &c.Versions[i]
		s.docs[v.Doc] = append(s.docs[v.Doc], v)
		s.byDigest[v.SHA256] = append(s.byDigest[v.SHA256], v)
		s.indexText(v)
		s.versions++
		if v.HashOnly {
			s.hashOnly++
		}
	}
	return s, c.Head
}

// writeCache saves the ledger's state; failing to is not an error, only slower.
func (l *Ledger) writeCache() {
	s := l.st
	if s.ring().events > 0 && !records.HasIndex(s.format) {
		return // the cache holds no key state: a v3 ledger with key entries is replayed from the last cache before them
	}
	c := cachedState{
		Layout: cacheLayout, Head: l.head, Name: s.name, Format: s.format, RootKey: s.rootKey.DER(), Size: s.size, LastHash: s.lastHash,
		LastTime: s.lastTime, LastCheckpoint: s.lastCheckpoint, Leaves: s.leaves, Entries: s.entries,
	}
	for _, vs := range s.docs {
		for _, v := range vs {
			c.Versions = append(c.Versions, *v)
		}
	}
	sort.Slice(c.Versions, func(i, j int) bool { return c.Versions[i].Entry < c.Versions[j].Entry })
	var buf bytes.Buffer
	if gob.NewEncoder(&buf).Encode(&c) != nil {
		return
	}
	path := filepath.Join(l.r.gitDir, cacheFile)
	if os.MkdirAll(filepath.Dir(path), 0o755) != nil {
		return
	}
	// A temporary file of its own: readers rewrite the cache without the
	// ledger lock, and two of them must not write one file at once.
	f, err := os.CreateTemp(filepath.Dir(path), "state-v1.gob.tmp*")
	if err != nil {
		return
	}
	_, err = f.Write(buf.Bytes())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil || os.Chmod(f.Name(), 0o644) != nil || os.Rename(f.Name(), path) != nil {
		os.Remove(f.Name())
	}
}
