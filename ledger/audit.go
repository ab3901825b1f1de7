package ledger

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/internal/gitstore"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/records"
)

// AuditOptions configures Audit.
type AuditOptions struct {
	// Since is an earlier checkpoint of the ledger (a signed note), which
	// the ledger must extend.
	Since []byte
	// Trust pins the root key, as for Verify.
	Trust keys.Fingerprint
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int
}

// AuditReport describes a ledger that extends an earlier checkpoint.
type AuditReport struct {
	Name            string
	RootFingerprint keys.Fingerprint
	RootKey         *keys.PublicKey
	Pinned          bool
	OldSize         uint64
	OldRoot         [32]byte
	NewSize         uint64
	NewRoot         [32]byte
	Consistency     [][]byte // RFC 6962 consistency proof from OldSize to NewSize
	Checkpoint      *checkpoint.Checkpoint
	Head            string
	RootChain       []keys.Fingerprint // the roots from the pinned one (or the genesis root) to the current one
}

// Errors an audit distinguishes; all wrap ErrTampered.
var (
	// ErrRollback means the ledger is shorter than an earlier checkpoint.
	ErrRollback = fmt.Errorf("%w: rollback", ErrTampered)
	// ErrFork means the ledger does not extend an earlier checkpoint of the
	// same size or smaller: its history was rewritten.
	ErrFork = fmt.Errorf("%w: fork", ErrTampered)
)

// Audit proves that the ledger in dir extends the earlier checkpoint since
// (FORMAT.md §7): the newest checkpoint is signed by the root key; the
// commit holding the earlier checkpoint's last entry is in the history with
// that checkpoint; the entries below the earlier size still hash to its
// root (nothing below it was rewritten, removed or reordered); and every
// entry added since is verified in full, as Verify does. It returns the
// RFC 6962 consistency proof from the old tree to the new one.
//
// The entries before the checkpoint are checked only by their envelopes'
// hashes: their documents, and the link of a new version to the latest
// older version of its document, are Verify's to check in full.
func Audit(dir string, opts AuditOptions) (*AuditReport, error) {
	return auditAt(dir, plumbing.ZeroHash, opts)
}

// auditAt is Audit of the history ending at commit at (zero: the branch's).
func auditAt(dir string, at plumbing.Hash, opts AuditOptions) (*AuditReport, error) {
	r, head, err := openForReading(dir)
	if err != nil {
		return nil, err
	}
	defer r.close()
	if !at.IsZero() {
		head = at
	}
	a := &auditor{r: r, workers: opts.Workers}
	if a.workers <= 0 {
		a.workers = runtime.GOMAXPROCS(0)
	}
	if err := a.start(head, opts); err != nil {
		return nil, err
	}
	return a.finish(head, opts)
}

// auditor holds what an audit has established so far.
type auditor struct {
	r        *repo
	workers  int
	tip      pathTrees
	genesis  *records.ParsedEnvelope
	key      *keys.PublicKey
	name     string
	newCP    *checkpoint.Checkpoint
	old      *checkpoint.Checkpoint
	commits  *commitList // entries old.Size-1 and later
	oldCPRaw []byte
	keysAt   *state // the key state after the earlier checkpoint's entries (auditkeys.go)
	newSize  uint64 // the newest checkpoint's size, read before its key is known
	newRaw   []byte // the newest checkpoint
}

// start reads the genesis, the newest and the earlier checkpoint, and the
// commits since the earlier one.
func (a *auditor) start(head plumbing.Hash, opts AuditOptions) error {
	data, err := a.r.object(plumbing.CommitObject, head)
	if err != nil {
		return err
	}
	c, err := gitstore.ParseCommitHeader(data)
	if err != nil {
		return fmt.Errorf("%w: commit %s: %w", ErrTampered, shortHash(head), err)
	}
	if a.tip, err = tipTreesAt(a.r, c.Tree); err != nil {
		return err
	}
	if err := a.readGenesis(); err != nil {
		return err
	}
	cpEntry, _ := a.tip.root.Find(checkpointFile)
	raw, err := a.r.object(plumbing.BlobObject, cpEntry.Hash)
	if err != nil {
		return err
	}
	// Which keys signed the two checkpoints depends on the key entries
	// before them (FORMAT.md §3.7): read the sizes first, then the keys.
	n, ok := noteSize(raw)
	k, ok2 := noteSize(opts.Since)
	if !ok2 {
		return a.unreadable()
	}
	if !ok || n == 0 {
		return fmt.Errorf("%w: the newest checkpoint has no tree size", ErrTampered)
	}
	a.newSize = n
	if a.keysAt, err = a.keyScan(min(k, n), opts.Since); err != nil {
		return err
	}
	if k > 0 {
		key := a.keysAt.lastSigner
		if k > n { // a rollback: the key that signed entry k-1 is not in the ledger any more
			key = a.keysAt.sinceKey(opts.Since)
		}
		if a.old, err = checkpoint.ParseCosigned(opts.Since, a.name, key); err != nil {
			return fmt.Errorf("%w: the earlier checkpoint is not one of ledger %s signed by the key that signed its entry %d: %w", ErrInput, a.name, k-1, err)
		}
	}
	// With entries since k, the newest checkpoint is verified with the key
	// the state says signed it when they are applied (finish).
	a.newRaw = raw
	if k > n {
		if a.newCP, err = checkpoint.Parse(raw, a.name, a.keysAt.lastSigner); err != nil {
			return fmt.Errorf("%w: the newest checkpoint: %w", ErrTampered, err)
		}
	}
	if k == 0 {
		return fmt.Errorf("%w: the earlier checkpoint has size 0, but a ledger's first checkpoint already holds its genesis entry", ErrInput)
	}
	if n < k {
		return fmt.Errorf("%w: the ledger has %d entries, fewer than the %d of the earlier checkpoint: it was rolled back", ErrRollback, n, k)
	}
	if a.old.Size != k {
		return a.unreadable()
	}
	if a.commits, err = a.r.walkHistory(head, n-k+1); err != nil {
		return err
	}
	if a.commits.count != n-k+1 {
		return fmt.Errorf("%w: the history holds fewer commits than the %d entries of the newest checkpoint", ErrTampered, n)
	}
	a.commits.first = k - 1
	return a.checkOldCommit()
}

// readGenesis reads entry 0 from the newest tree and its root key.
func (a *auditor) readGenesis() error {
	tipc := a.tip
	env, _, err := readTipEntry(a.r, &tipc, 0)
	if err != nil {
		return err
	}
	st := newState()
	if a.key, err = st.keyFor(env.Statement); err != nil {
		return entryErr(0, env.Statement, "", err)
	}
	if err := env.Verify(a.key); err != nil {
		return entryErr(0, env.Statement, "", errors.New("envelope signature does not verify with the root key"))
	}
	a.genesis, a.name = env, env.Statement.Predicate.Ledger
	return nil
}

// checkOldCommit checks that the commit of the earlier checkpoint's last
// entry holds that checkpoint: the history contains the earlier state.
func (a *auditor) checkOldCommit() error {
	k := a.old.Size
	ci := a.commits.at(k - 1)
	root, err := a.r.tree(ci.tree)
	if err != nil {
		return err
	}
	e, ok := root.Find(checkpointFile)
	if !ok {
		return &EntryError{Entry: k - 1, Commit: shortHash(ci.hash), Problem: "the commit has no checkpoint"}
	}
	if a.oldCPRaw, err = a.r.object(plumbing.BlobObject, e.Hash); err != nil {
		return err
	}
	cp, err := checkpoint.ParseChained(a.oldCPRaw, a.name, a.keysAt.lastSigner)
	entries, _ := root.Find(entriesDir)
	if err != nil || cp.Size != k || cp.Root != a.old.Root || cp.Entries != a.old.Entries || entries.Hash != plumbing.Hash(a.old.Entries) {
		return fmt.Errorf("%w: commit %s, which holds entry %d, does not have the earlier checkpoint's state (size %d, root %x): the history was rewritten",
			ErrFork, shortHash(ci.hash), k-1, k, a.old.Root[:8])
	}
	return nil
}

// finish checks the old entries' hashes, verifies the new entries in full,
// and proves consistency.
func (a *auditor) finish(head plumbing.Hash, opts AuditOptions) (*AuditReport, error) {
	k, n := a.old.Size, a.newSize
	if err := a.compareBelow(k); err != nil {
		return nil, err
	}
	st, err := a.stateAt(k)
	if err != nil {
		return nil, err
	}
	v := &verifier{gitDir: a.r.gitDir, commits: a.commits, st: st, workers: a.workers, keys: newKeyMap(), indexed: st.index != nil}
	for fp, info := range st.ring().known {
		v.keys.put(fp, info.Key)
	}
	v.cp = a.newCP
	if k == n {
		// No entry since: the newest checkpoint is the one of the earlier
		// checkpoint's commit, which checkOldCommit compared with it.
		if v.cp, err = checkpoint.Parse(a.newRaw, a.name, st.lastSigner); err != nil {
			return nil, fmt.Errorf("%w: the newest checkpoint: %w", ErrTampered, err)
		}
	}
	if k < n {
		repos := make([]*repo, a.workers)
		for i := range repos {
			repos[i] = a.r.worker()
			defer repos[i].close()
		}
		if err := v.runSegments(repos, &a.tip, k); err != nil {
			return nil, err
		}
	}
	a.newCP = v.cp
	if st.size != n || a.newCP == nil || st.root() != a.newCP.Root {
		return nil, fmt.Errorf("%w: the newest checkpoint does not match the ledger's %d entries", ErrTampered, st.size)
	}
	chain := st.ring().roots
	if opts.Trust != "" {
		if chain, err = st.ring().trustChain(opts.Trust); err != nil {
			return nil, err
		}
	}
	nodes, err := proof.Consistency(k, n)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTampered, err)
	}
	tipc := a.tip
	cons, err := storedProof(a.r, &tipc, nodes)
	if err != nil {
		return nil, err
	}
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, k, n, cons, a.old.Root[:], a.newCP.Root[:]); err != nil {
		return nil, fmt.Errorf("%w: the consistency proof from %d to %d entries does not verify: %w", ErrFork, k, n, err)
	}
	return &AuditReport{
		Name: a.name, RootFingerprint: st.rootKey.Fingerprint(), RootKey: st.rootKey, Pinned: opts.Trust != "", RootChain: chain,
		OldSize: k, OldRoot: a.old.Root, NewSize: n, NewRoot: a.newCP.Root,
		Consistency: cons, Checkpoint: v.cp, Head: head.String(),
	}, nil
}

// stateAt builds the state after the first k entries from the Merkle tree
// hashes stored with them (the compact range of the first k leaves, read
// from at most log2(k)+1 hashes files), checking it against the earlier
// checkpoint's root, and from entry k-1's envelope.
func (a *auditor) stateAt(k uint64) (*state, error) {
	tipc := a.tip
	st := newState()
	var err error
	if st.tree, err = storedRange(a.r, &tipc, k); err != nil {
		return nil, err
	}
	if st.root() != a.old.Root {
		return nil, fmt.Errorf("%w: the Merkle tree hashes stored with the %d entries below the earlier checkpoint do not give its root: entries were rewritten, removed or reordered", ErrFork, k)
	}
	last, _, err := readTipEntry(a.r, &tipc, k-1)
	if err != nil {
		return nil, err
	}
	ks := a.keysAt
	st.name, st.rootKey, st.lastSigner = a.name, ks.rootKey, ks.lastSigner
	st.format = ks.format
	st.signers, st.keys = ks.signers, ks.keys
	st.size = k
	st.lastHash, st.lastTime = last.Hash(), last.Statement.Predicate.Time
	st.checkpointed(a.oldCPRaw)
	// Versions below k are not in the state, and a lean state holds only
	// each document's newest: any other is read from its entry, which is
	// below k (trusted with the earlier checkpoint) or already applied.
	st.older = func(id string, link *records.VersionLink) (*Version, error) {
		return olderVersion(a.r, &tipc, st.size, id, link)
	}
	st.makeLean()
	if records.HasIndex(st.format) {
		if st.index, err = indexBlocksAt(a.r, &tipc, k); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// olderVersion reads the version a new entry links to, below entry k.
func olderVersion(r *repo, tipc *pathTrees, k uint64, id string, link *records.VersionLink) (*Version, error) {
	if link.Entry >= k {
		return nil, fmt.Errorf("%s version %d links to entry %d, which is not a version of it", id, link.Version+1, link.Entry)
	}
	env, _, err := readTipEntry(r, tipc, link.Entry)
	if err != nil {
		return nil, err
	}
	st := env.Statement
	d := st.Predicate.Document
	if d == nil || d.ID != id || d.Version != link.Version || st.Subject[0].Digest.SHA256 != link.SHA256 {
		return nil, fmt.Errorf("%s version %d links to entry %d, which is not its version %d", id, link.Version+1, link.Entry, link.Version)
	}
	return &Version{Doc: id, Version: d.Version, Entry: link.Entry, SHA256: link.SHA256}, nil
}

// compareBelow checks that the newest entries/ tree holds every entry
// directory of the earlier checkpoint's entries/ tree unchanged. Trees are
// compared by their git IDs along the path to entry k-1 only: subtrees with
// equal IDs hold equal entries, so the work does not grow with k.
func (a *auditor) compareBelow(k uint64) error {
	old, err := a.r.tree(plumbing.Hash(a.old.Entries))
	if err != nil {
		return err
	}
	cur, where, p := a.tip.entries, entriesDir, pathOf(k-1)
	for i := 0; ; i++ {
		var oldNext, curNext treeEntry
		for _, e := range old {
			t, ok := cur.Find(e.Name)
			switch {
			case ok && t == e:
			case i < 3 && e.Name == p[i] && ok && t.Mode == modeDir:
				oldNext, curNext = e, t
			case !ok:
				return fmt.Errorf("%w: %s/%s, below the earlier checkpoint's %d entries, was removed: the history was rewritten", ErrFork, where, e.Name, k)
			default:
				return fmt.Errorf("%w: %s/%s, below the earlier checkpoint's %d entries, was modified: the history was rewritten", ErrFork, where, e.Name, k)
			}
		}
		if oldNext.Name == "" {
			return nil
		}
		if old, err = a.r.tree(oldNext.Hash); err != nil {
			return err
		}
		if cur, err = a.r.tree(curNext.Hash); err != nil {
			return err
		}
		where += "/" + p[i]
	}
}

// tipTreesAt reads a commit's root and entries trees.
func tipTreesAt(r *repo, treeHash plumbing.Hash) (pathTrees, error) {
	var t pathTrees
	var err error
	if t.root, err = r.tree(treeHash); err != nil {
		return t, err
	}
	if err := checkRoot(t.root); err != nil {
		return t, fmt.Errorf("%w: the newest commit: %w", ErrTampered, err)
	}
	e, _ := t.root.Find(entriesDir)
	t.entries, err = r.tree(e.Hash)
	return t, err
}

// readTipFile returns the bytes of the file name in entry n's directory, in
// the tree tipc walks.
func readTipFile(r *repo, tipc *pathTrees, n uint64, name string) ([]byte, error) {
	h, found, err := tipc.entryDir(r, n)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, &EntryError{Entry: n, Problem: fmt.Sprintf("the entry's directory %s is missing from the newest commit", pathOf(n))}
	}
	dir, err := r.tree(h)
	if err != nil {
		return nil, err
	}
	e, ok := dir.Find(name)
	if !ok || e.Mode != modeFile {
		return nil, &EntryError{Entry: n, Problem: name + " is missing"}
	}
	return r.object(plumbing.BlobObject, e.Hash)
}

// readTipEntry reads and parses entry n from the tree tipc walks.
func readTipEntry(r *repo, tipc *pathTrees, n uint64) (*records.ParsedEnvelope, []byte, error) {
	raw, err := readTipFile(r, tipc, n, envelopeFile)
	if err != nil {
		return nil, nil, err
	}
	env, err := records.ParseEnvelope(raw)
	if err != nil {
		return nil, nil, &EntryError{Entry: n, Problem: err.Error(), Err: err}
	}
	if env.Statement.Predicate.Entry != n {
		return nil, nil, &EntryError{Entry: n, Problem: fmt.Sprintf("records entry number %d", env.Statement.Predicate.Entry)}
	}
	return env, raw, nil
}
