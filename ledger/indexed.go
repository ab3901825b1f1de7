package ledger

import (
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/docindex"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/records"
)

// Reading a v4 ledger without replaying it (FORMAT.md §6, the verifier that
// holds only the newest tree; §7.1): Open reads the genesis, the key
// entries the index lists and the newest entry, verifies the newest
// checkpoint and checks the stored Merkle hashes against it. Queries then
// find entries through the index (§2.4) and check each entry they answer
// with against its leaf by an inclusion proof to the signed root, and its
// signature. An Appender finds previous versions through the index too
// (readIndexed). What needs every entry at hand (the nearest-version
// search, a listing of every entry) loads the full state first (full).

// errNoIndex says a ledger has no index to read: it is replayed instead.
var errNoIndex = errors.New("the ledger's format has no index")

// loadIndexed reads the state of a v4 ledger from its newest tree, as
// described above. l.tip.root is the newest commit's tree.
func (l *Ledger) loadIndexed() error {
	cur := pathTrees{root: l.tip.root}
	genesis, _, err := readTipEntry(l.r, &cur, 0)
	if err != nil {
		// Not a ledger, or a damaged one: replaying says which, as for
		// any other format.
		return errNoIndex
	}
	if g := genesis.Statement.Predicate.Genesis; g == nil || !records.HasIndex(g.Format) {
		return errNoIndex
	}
	cpEntry, ok := l.tip.root.Find(checkpointFile)
	if !ok || cpEntry.Mode != modeFile {
		return fmt.Errorf("%w: the newest commit has no checkpoint", ErrTampered)
	}
	raw, err := l.r.object(plumbing.BlobObject, cpEntry.Hash)
	if err != nil {
		return err
	}
	size, ok := noteSize(raw) // a claim until the checkpoint verifies
	if !ok || size == 0 || size > MaxEntries {
		return fmt.Errorf("%w: the newest checkpoint has no valid tree size", ErrTampered)
	}
	// Only an index the checkpoint signs can be used (checkIndexedTip
	// checks the claim once the signature verifies). Otherwise replaying
	// checks each entry against its signed leaf and names what changed.
	if h, ok := noteEntries(raw); !ok || h != entriesOf(l.tip.root) {
		return errNoIndex
	}
	s := newState()
	if _, err := s.apply(genesis); err != nil {
		return entryErr(0, genesis.Statement, "", err)
	}
	if err := genesis.Verify(s.rootKey); err != nil {
		return entryErr(0, genesis.Statement, "", fmt.Errorf("envelope signature does not verify with the root key"))
	}
	keyEnvs, cpKeys, err := applyIndexedKeys(l.r, &cur, s, size)
	if err != nil {
		return err
	}
	last, _, err := readTipEntry(l.r, &cur, size-1)
	if err != nil {
		return err
	}
	lastKey := cpKeys[size-1]
	if lastKey == nil && size > 1 {
		if lastKey, err = s.signer(last.KeyID); err != nil {
			return entryErr(size-1, last.Statement, "", err)
		}
		if last.Verify(lastKey) != nil {
			return entryErr(size-1, last.Statement, "", fmt.Errorf("envelope signature does not verify with key %s", lastKey.Fingerprint().Short()))
		}
	} else if lastKey == nil {
		lastKey = s.rootKey
	}
	cp, err := checkpoint.Parse(raw, s.name, lastKey)
	if err != nil {
		return &EntryError{Entry: size - 1, Problem: err.Error(), Err: err}
	}
	if err := l.checkIndexedTip(&cur, cp, size); err != nil {
		return err
	}
	rng, err := storedRange(l.r, &cur, size)
	if err != nil {
		return err
	}
	if rangeRoot(rng) != cp.Root {
		return fmt.Errorf("%w: the Merkle tree hashes stored with the %d entries do not give the newest checkpoint's root", ErrTampered, size)
	}
	// The Appender derives the next commit's trees from those on the path
	// to the newest entry, as after a replay.
	if _, found, err := cur.entryDir(l.r, size-1); err != nil || !found {
		return fmt.Errorf("%w: entry %d is missing from the newest commit", ErrTampered, size-1)
	}
	l.tip = cur
	s.tree, s.size, s.leaves, s.entries = rng, size, nil, nil
	s.lastHash, s.lastTime, s.lastSigner = last.Hash(), last.Statement.Predicate.Time, lastKey
	s.checkpointed(raw)
	l.st, l.cp, l.lazy, l.proved, l.ix = s, cp, true, map[uint64]bool{}, newIndexReader(l.r)
	keyEnvs[0], keyEnvs[size-1] = genesis, last
	for n, env := range keyEnvs {
		if err := l.checkLeaf(n, env); err != nil {
			return err
		}
	}
	return nil
}

// applyIndexedKeys applies, in order, the key entries the index lists
// among the first size entries of the tree cur walks, each signed by the
// root key of its time (FORMAT.md §3.7), and returns their envelopes and
// the keys that sign their checkpoints.
func applyIndexedKeys(r *repo, cur *pathTrees, s *state, size uint64) (map[uint64]*records.ParsedEnvelope, map[uint64]*keys.PublicKey, error) {
	found, err := indexLookup(r, cur, size, docindex.KeysKey())
	if err != nil {
		return nil, nil, err
	}
	envs, cpKeys := map[uint64]*records.ParsedEnvelope{}, map[uint64]*keys.PublicKey{}
	for _, n := range found {
		env, _, err := readTipEntry(r, cur, n)
		if err != nil {
			return nil, nil, err
		}
		p := &env.Statement.Predicate
		if p.Key == nil {
			return nil, nil, entryErr(n, env.Statement, "", fmt.Errorf("%w: the index lists it as a key entry, but it is not one", ErrTampered))
		}
		key, err := s.signer(p.Signer)
		if err == nil && env.Verify(key) != nil {
			err = fmt.Errorf("envelope signature does not verify with key %s", key.Fingerprint().Short())
		}
		if err == nil {
			cpKeys[n], err = s.applyKey(p, key)
		}
		if err != nil {
			return nil, nil, entryErr(n, env.Statement, "", fmt.Errorf("%w: %w", ErrTampered, err))
		}
		envs[n] = env
	}
	return envs, cpKeys, nil
}

// checkIndexedTip checks that the newest checkpoint describes the newest
// tree: its size is the number of entries there and its entries line names
// that tree's entries/, which holds the index the reader relies on.
func (l *Ledger) checkIndexedTip(cur *pathTrees, cp *checkpoint.Checkpoint, size uint64) error {
	if cp.Size != size {
		return fmt.Errorf("%w: the newest checkpoint's size is %d, not the %d it states", ErrTampered, cp.Size, size)
	}
	if [20]byte(entriesOf(l.tip.root)) != cp.Entries {
		return fmt.Errorf("%w: the newest commit's %s/ tree is not the %x its checkpoint signs", ErrTampered, entriesDir, cp.Entries)
	}
	if _, found, err := cur.entryDir(l.r, size); err != nil || found {
		if err == nil {
			err = fmt.Errorf("%w: the newest tree holds entry %d, beyond the newest checkpoint's %d entries", ErrTampered, size, size)
		}
		return err
	}
	return nil
}

// checkLeaf checks entry n's envelope against the signed Merkle tree of a
// ledger read from its index: an inclusion proof read from the stored
// hashes must lead from its leaf hash to the newest checkpoint's root.
func (l *Ledger) checkLeaf(n uint64, env *records.ParsedEnvelope) error {
	return l.checkLeafIn(l.tip.root, l.cp, n, env)
}

// checkLeafIn is checkLeaf against checkpoint cp, whose entries are those
// of the commit tree root.
func (l *Ledger) checkLeafIn(root tree, cp *checkpoint.Checkpoint, n uint64, env *records.ParsedEnvelope) error {
	if l.proved[n] {
		return nil
	}
	nodes, err := proof.Inclusion(n, cp.Size)
	if err != nil {
		return fmt.Errorf("%w: entry %d: %w", ErrNotFound, n, err)
	}
	cur := pathTrees{root: root}
	hashes, err := storedProof(l.r, &cur, nodes)
	if err != nil {
		return err
	}
	leaf := records.LeafHash(env.Raw)
	if proof.VerifyInclusion(rfc6962.DefaultHasher, n, cp.Size, leaf[:], hashes, cp.Root[:]) != nil {
		return entryErr(n, env.Statement, "", fmt.Errorf("the envelope does not match the ledger's signed Merkle tree: it was altered"))
	}
	l.proved[n] = true
	return nil
}

// full loads the whole state of a ledger read from its index, for what
// needs every entry at hand.
func (l *Ledger) full() error {
	if !l.lazy {
		return nil
	}
	l.needFull = true
	return l.load()
}

// indexed finds the entries with the label whose key is k, through the
// index of a ledger read from it.
func (l *Ledger) indexed(k docindex.Key) ([]uint64, error) {
	return l.ix.lookup(l.tip.root, nil, l.st.size, k)
}

// indexedVersions returns the versions the entries with label k register,
// in entry order, each read from its entry and checked against the signed
// tree (entryAt) and its signature; each must have the label (match), or
// the index is wrong.
func (l *Ledger) indexedVersions(k docindex.Key, match func(*Version) bool) ([]*Version, error) {
	found, err := l.indexed(k)
	if err != nil {
		return nil, err
	}
	out := make([]*Version, 0, len(found))
	cur := pathTrees{root: l.tip.root}
	for _, n := range found {
		env, _, err := l.entryAt(&cur, n)
		if err == nil {
			// As a replayed ledger's queries do (VerifiedVersion): the
			// signed tree holds the entry, and its own signature holds too.
			err = l.checkSignature(n, env)
		}
		if err != nil {
			return nil, err
		}
		if env.Statement.Predicate.Document == nil {
			return nil, entryErr(n, env.Statement, "", fmt.Errorf("%w: the index lists it as a document version, but it is not one", ErrTampered))
		}
		v := versionOf(env.Statement)
		if !match(v) {
			return nil, l.indexError(v)
		}
		out = append(out, v)
	}
	return out, nil
}

// entriesOf is the ID of the entries/ tree in the commit tree root.
func entriesOf(root tree) plumbing.Hash {
	e, _ := root.Find(entriesDir)
	return e.Hash
}

// toIndexed turns a replayed v4 ledger into one read from its index,
// dropping what the replay kept of every version: its appender and its
// queries then cost the same whatever the ledger's size, in time and in
// memory.
func (l *Ledger) toIndexed() {
	if l.lazy {
		return
	}
	s := l.st
	s.docs, s.byDigest, s.byText = map[string][]*Version{}, map[string][]*Version{}, map[string][]*Version{}
	s.entries, s.leaves = nil, nil
	l.lazy, l.proved, l.ix = true, map[uint64]bool{}, newIndexReader(l.r)
}

// readIndexed prepares an Appender on a ledger read from its index: the
// state keeps only each document's newest version, and versions from
// before the Appender are found through the index (indexedLatest); an
// entry that links to an older version (a translation) has it read from
// its entry in the newest tree written (state.older), or, not yet
// flushed, from the versions this Appender staged, so that appending
// costs the same whatever the ledger's size.
func (a *Appender) readIndexed() {
	s := a.l.st
	s.makeLean()
	a.staged = map[uint64]*Version{}
	s.older = func(id string, link *records.VersionLink) (*Version, error) {
		if link.Entry >= a.writtenSize {
			return a.stagedVersion(id, link)
		}
		cur := pathTrees{root: a.written.root}
		return olderVersion(a.l.r, &cur, a.writtenSize, id, link)
	}
}

// stagedVersion is olderVersion for an entry added since the last Flush.
func (a *Appender) stagedVersion(id string, link *records.VersionLink) (*Version, error) {
	v := a.staged[link.Entry]
	if v == nil || v.Doc != id || v.Version != link.Version || v.SHA256 != link.SHA256 {
		return nil, fmt.Errorf("%s version %d links to entry %d, which is not its version %d", id, link.Version+1, link.Entry, link.Version)
	}
	return v, nil
}

// indexedLatest returns the newest version of id before the Appender
// began, found through the index and read from its entry, checked against
// the signed tree and its signature; nil if there is none.
func (a *Appender) indexedLatest(id string) (*Version, error) {
	found, err := a.l.ix.lookup(a.base.root, nil, a.baseSize, docindex.DocKey(id))
	if err != nil || len(found) == 0 {
		return nil, err
	}
	n := found[len(found)-1]
	env, _, err := a.l.entryAtCP(&pathTrees{root: a.base.root}, n, a.baseCP)
	if err == nil {
		err = a.l.checkSignature(n, env)
	}
	if err != nil {
		return nil, fmt.Errorf("checking %s's newest version (entry %d) before linking to it: %w", id, n, err)
	}
	v := versionOf(env.Statement)
	if v.Doc != id || v.Version != uint64(len(found)) {
		return nil, a.l.indexError(v)
	}
	return v, nil
}
