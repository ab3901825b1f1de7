package ledger

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/internal/gitstore"
	"github.com/verbatim-ledger/verbatim/records"
)

// Ledger is an open ledger at the state its branch pointed to when it was
// opened. Reads need no lock; Append takes the write lock. A Ledger is not
// safe for concurrent use.
type Ledger struct {
	dir    string
	r      *repo
	branch plumbing.ReferenceName
	head   plumbing.Hash
	st     *state
	tip    pathTrees // the newest commit's trees on the path to the newest entry
	cp     *checkpoint.Checkpoint
	stale  bool // an Appender discarded entries: re-read before use
	// cached says the state came from the state cache; noCache that a
	// query found the cache wrong, and the ledger replays every entry.
	cached, noCache bool
	// lazy says the state was read from a v4 ledger's index (indexed.go):
	// it holds no documents, and queries read the index. needFull says
	// something needed the full state: it is loaded from then on. proved
	// lists the entries whose leaves checkLeaf proved.
	lazy, needFull bool
	proved         map[uint64]bool
	ix             *indexReader // reads the index of a ledger read from it
}

// Open opens the ledger in dir and reads its current state from the newest
// commit's tree: every entry's envelope, the hash chain, the version links
// and the Merkle root, checked against the newest checkpoint, whose
// signature it verifies. With a state cache (FORMAT.md §7.1) it replays only
// the entries added since, checks the whole tree of leaf hashes against the
// newest checkpoint instead, and reads the genesis and the newest entry from
// the tree; the queries (Entries, History, Lookup, FindContent) re-read and
// check every entry they answer with, so no answer comes from the cache.
// It does not verify the envelopes' signatures,
// the documents or the history; Verify does. A ledger that is not
// consistent gives an error wrapping ErrTampered.
func Open(dir string) (*Ledger, error) {
	r, err := openRepo(dir)
	if err != nil {
		return nil, err
	}
	if err := r.readFast(); err != nil {
		r.close()
		return nil, err
	}
	l := &Ledger{dir: dir, r: r}
	if err := l.load(); err != nil {
		r.close()
		return nil, err
	}
	return l, nil
}

// Close releases the ledger's open files.
func (l *Ledger) Close() error {
	l.r.close()
	return nil
}

// Name is the ledger's name (the origin of its checkpoints).
func (l *Ledger) Name() string { return l.st.name }

// Format is the ledger's format version, its genesis "format" field
// (records.FormatVersion or records.FormatV2); it decides which document ids
// are valid (records.CheckDocIDIn).
func (l *Ledger) Format() string { return l.st.format }

// Size is the number of entries, the genesis included.
func (l *Ledger) Size() uint64 { return l.st.size }

// Head is the commit the ledger's branch points to.
func (l *Ledger) Head() string { return l.head.String() }

// RootFingerprint is the fingerprint of the ledger's root key.
func (l *Ledger) RootFingerprint() string { return string(l.st.rootKey.Fingerprint()) }

// Checkpoint is the newest checkpoint, verified against the ledger's entries.
func (l *Ledger) Checkpoint() *checkpoint.Checkpoint { return l.cp }

func (l *Ledger) load() error {
	l.tip, l.stale = pathTrees{}, false
	branch, head, err := l.r.head()
	if err != nil {
		return err
	}
	if head.IsZero() {
		return l.r.unbornHead(l.dir, branch)
	}
	l.branch, l.head, l.st = branch, head, newState()
	data, err := l.r.object(plumbing.CommitObject, head)
	if err != nil {
		return err
	}
	c, err := gitstore.ParseCommitHeader(data)
	if err != nil {
		return fmt.Errorf("%w: commit %s: %w", ErrTampered, shortHash(head), err)
	}
	if l.tip.root, err = l.r.tree(c.Tree); err != nil {
		return err
	}
	l.cached, l.lazy = false, false
	if !l.needFull {
		err := l.loadIndexed()
		if !errors.Is(err, errNoIndex) {
			return err
		}
		l.st = newState()
	}
	if cached, cachedHead := l.readCache(); cached != nil && !l.noCache {
		cachedSize := cached.size
		l.st = cached
		if err := l.loadEntries(); err == nil && l.loadCheckpoint() == nil && l.checkCachedEnds() == nil {
			if l.st.size != cachedSize || cachedHead != head {
				l.writeCache()
			}
			l.cached = true
			return nil
		}
		// A cache of another history, stale or damaged: replay everything.
		l.tip = pathTrees{root: l.tip.root}
		l.st = newState()
	}
	if err := l.loadEntries(); err != nil {
		return err
	}
	if err := l.loadCheckpoint(); err != nil {
		return err
	}
	l.writeCache()
	return nil
}

// checkCachedEnds takes from the signed entries, not the cache, what the
// next entry is signed against: the ledger's name and root key (from the
// genesis) and the newest entry's hash, time and signer. Both envelopes
// must match their leaves, which the newest checkpoint's signed root
// covers.
func (l *Ledger) checkCachedEnds() error {
	cur := pathTrees{root: l.tip.root}
	genesis, _, err := l.entryAt(&cur, 0)
	if err != nil {
		return err
	}
	p := &genesis.Statement.Predicate
	if p.Genesis == nil || p.Ledger != l.st.name || p.Genesis.RootKey.PublicKey != base64.StdEncoding.EncodeToString(l.st.rootKey.DER()) {
		return fmt.Errorf("%w: the cached ledger name or root key is not the genesis's", ErrTampered)
	}
	last, _, err := l.entryAt(&cur, l.st.size-1)
	if err != nil {
		return err
	}
	key, ok := l.st.signers[last.KeyID]
	if !ok {
		return fmt.Errorf("%w: the newest entry's signer is not authorized", ErrTampered)
	}
	l.st.lastHash, l.st.lastTime, l.st.lastSigner = last.Hash(), last.Statement.Predicate.Time, key
	return nil
}

// loadEntries replays the envelopes in the tip tree in order.
func (l *Ledger) loadEntries() error {
	e, ok := l.tip.root.Find(entriesDir)
	if !ok || e.Mode != modeDir {
		return fmt.Errorf("%w: the newest commit has no %s directory", ErrNotLedger, entriesDir)
	}
	var err error
	if l.tip.entries, err = l.r.tree(e.Hash); err != nil {
		return err
	}
	if n := l.st.size; n > 0 {
		// Resuming from the cache: move the cursor to the last cached entry.
		if _, found, err := l.tip.entryDir(l.r, n-1); err != nil || !found {
			return fmt.Errorf("%w: cached entry %d is missing", ErrTampered, n-1)
		}
	}
	for n := l.st.size; ; n++ {
		h, found, err := l.tip.entryDir(l.r, n)
		if err != nil {
			return err
		}
		if !found {
			break
		}
		dir, err := l.r.tree(h)
		if err != nil {
			return err
		}
		env, err := l.readEnvelope(n, dir)
		if err != nil {
			return err
		}
		if _, err := l.st.apply(env); err != nil {
			return entryErr(n, env.Statement, "", err)
		}
	}
	if l.st.size == 0 {
		return fmt.Errorf("%w: %s has no genesis entry", ErrNotLedger, l.dir)
	}
	return nil
}

func (l *Ledger) readEnvelope(n uint64, dir tree) (*records.ParsedEnvelope, error) {
	e, ok := dir.Find(envelopeFile)
	if !ok || e.Mode != modeFile {
		return nil, &EntryError{Entry: n, Problem: "entry directory has no " + envelopeFile}
	}
	data, err := l.r.object(plumbing.BlobObject, e.Hash)
	if err != nil {
		return nil, err
	}
	env, err := records.ParseEnvelope(data)
	if err != nil {
		return nil, &EntryError{Entry: n, Problem: err.Error(), Err: err}
	}
	return env, nil
}

func (l *Ledger) loadCheckpoint() error {
	e, ok := l.tip.root.Find(checkpointFile)
	if !ok || e.Mode != modeFile {
		return fmt.Errorf("%w: the newest commit has no checkpoint", ErrTampered)
	}
	data, err := l.r.object(plumbing.BlobObject, e.Hash)
	if err != nil {
		return err
	}
	n := l.st.size - 1
	key := l.st.lastSigner
	cp, err := checkpoint.Parse(data, l.st.name, key)
	if err != nil {
		return &EntryError{Entry: n, Problem: err.Error(), Err: err}
	}
	if cp.Size != l.st.size || cp.Root != l.st.root() {
		root := l.st.root()
		return &EntryError{Entry: n, Problem: fmt.Sprintf("the newest checkpoint (size %d, root %x) does not match the %d entries in the tree (root %x)", cp.Size, cp.Root[:6], l.st.size, root[:6])}
	}
	l.cp = cp
	l.st.checkpointed(data)
	return nil
}

// entryErr makes an EntryError for entry n from what its statement says.
func entryErr(n uint64, st *records.Statement, commit string, err error) error {
	e := &EntryError{Entry: n, Commit: commit, Problem: err.Error(), Err: err}
	if st != nil && st.Predicate.Document != nil {
		e.Doc, e.Version = st.Predicate.Document.ID, st.Predicate.Document.Version
	}
	return e
}

// Init creates a ledger named name in dir, which must be missing or empty,
// with a genesis entry signed by root that makes it the root key. On any
// error dir is left as it was (a directory Init created is removed).
func Init(dir, name string, root Signer, opts AppendOptions) (*Ledger, error) {
	if err := records.CheckLedgerName(name); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInput, err)
	}
	if err := CanInit(dir); err != nil {
		return nil, err
	}
	_, statErr := os.Stat(dir)
	created := errors.Is(statErr, os.ErrNotExist)
	l, err := initLedger(dir, name, root, opts)
	if err != nil {
		if created {
			os.RemoveAll(dir)
		} else {
			clearDir(dir)
		}
		return nil, err
	}
	return l, nil
}

func initLedger(dir, name string, root Signer, opts AppendOptions) (*Ledger, error) {
	if err := gitstore.Init(dir, defaultBranch); err != nil {
		return nil, err
	}
	l := &Ledger{dir: dir, r: newRepo(dir), branch: defaultBranch, st: newState()}
	a, err := l.Append(root, opts)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	if err := a.addGenesis(name); err != nil {
		return nil, err
	}
	if err := a.Flush(); err != nil {
		return nil, err
	}
	return l, nil
}

// clearDir empties a directory Init found empty and then wrote into.
func clearDir(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.RemoveAll(dir + string(os.PathSeparator) + e.Name())
	}
}

// CanInit reports whether Init may create a ledger in dir, without changing
// anything: dir must be missing or empty.
func CanInit(dir string) error {
	empty, err := isEmptyDir(dir)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInput, dir, err)
	}
	if empty {
		return nil
	}
	if l, err := Open(dir); err == nil {
		l.Close()
		return fmt.Errorf("%w: %s already holds a ledger", ErrExists, dir)
	}
	if _, err := openRepo(dir); err == nil {
		return fmt.Errorf("%w: %s holds a git repository that is not a verbatim ledger; give a new or empty directory", ErrExists, dir)
	}
	return fmt.Errorf("%w: %s holds other files; give a new or empty directory", ErrExists, dir)
}
