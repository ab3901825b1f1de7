package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/docindex"
	"github.com/verbatim-ledger/verbatim/internal/gitstore"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/records"
)

// VerifyOptions configures Verify.
type VerifyOptions struct {
	// Trust pins the root key: verification fails unless the genesis root
	// key has this fingerprint. Empty means trust was not pinned.
	Trust keys.Fingerprint
	// Workers is the number of goroutines reading and checking entries;
	// 0 means GOMAXPROCS.
	Workers int
	// Since, if set, is an earlier checkpoint the ledger must extend, as
	// Audit checks it.
	Since []byte
}

// VerifyMemoryLimit is the soft memory limit (runtime/debug.SetMemoryLimit)
// a program that verifies a ledger, as `verbatim verify` does, can run
// Verify under: the garbage collector otherwise lets the heap grow to twice
// what is live. Verify keeps live 40 bytes per entry (the history's commit
// and tree IDs), about 120 per document (its newest version) and a few
// megabytes for the entries being checked, of which the collector scans
// only the last: 60 MB for a million entries of 100,000 documents
// (GODEBUG=gctrace=1 verbatim verify, on bench/million.sh's ledger), which
// the limit leaves room to grow to twice, so that the collector runs no
// more often than without it.
const VerifyMemoryLimit = 160 << 20

// Report describes a ledger that verified.
type Report struct {
	Name            string
	Entries         uint64
	Documents       int
	Versions        int
	HashOnly        int // versions whose bytes are withheld (FORMAT.md §3.3)
	RootFingerprint keys.Fingerprint
	RootKey         *keys.PublicKey
	Pinned          bool // the root key was checked against VerifyOptions.Trust
	Head            string
	Checkpoint      *checkpoint.Checkpoint
	// RootChain is the chain of root keys from the pinned one (the genesis
	// root when none was pinned) to the current root (FORMAT.md §3.7).
	RootChain []keys.Fingerprint
	Keys      int // key entries (add, revoke, rotate)
}

// Verify replays the ledger in dir from its genesis and checks every entry
// as FORMAT.md §6 specifies: each commit is the canonical commit of its
// entry on top of the previous one; each commit's tree is the previous tree
// plus exactly that entry's files and a new checkpoint; every envelope is
// canonical, correctly chained, numbered and signed by an authorized key;
// every document's bytes match their recorded digest and size; version links
// are consecutive; every checkpoint is signed and matches the Merkle tree.
// It also vouches for what a reader of the git repository sees: every object
// reachable from the branch (each commit, each tree of each commit, each
// blob) is read once, and must be present, well formed and hash to its name
// (FORMAT.md §2.3, §6); a failure names the object, its path and the commit
// that added it.
// A failure returns an error wrapping ErrTampered (an *EntryError where it
// concerns one entry); a directory without a ledger returns ErrNotLedger;
// a repository it cannot read the ledger from as it stands (HEAD naming a
// branch without commits, a shallow clone, a missing alternate object
// directory) returns an error wrapping ErrInput that says what to run.
// Verify holds no more than a few thousand entries in memory at a time,
// and no document beyond the ones being hashed.
func Verify(dir string, opts VerifyOptions) (*Report, error) {
	return verify(dir, opts, false)
}

// verify is Verify. With aheadFirst, every entry it can is checked ahead
// before the history is walked: the tamper tests check that checking
// ahead changes no outcome.
func verify(dir string, opts VerifyOptions, aheadFirst bool) (*Report, error) {
	r, head, err := openForReading(dir)
	if err != nil {
		return nil, err
	}
	defer r.close()
	if r.shallow() {
		return nil, r.shallowError(dir)
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// One core walks the history, the others check ahead.
	var pre *ahead
	if aheadFirst {
		pre = checkAhead(r, head, max(workers-1, 1))
		pre.wg.Wait()
	} else if workers > 1 {
		pre = checkAhead(r, head, workers-1)
	}
	commits, err := r.walkHistory(head, MaxEntries+1)
	pre.stop()
	if err == nil && commits.count > MaxEntries {
		err = errHistoryTooLong
	}
	if err != nil {
		return nil, err
	}
	st := newState()
	st.makeLean()
	st.index = docindex.NewBlocks(0, nil, nil)
	v := &verifier{gitDir: r.gitDir, commits: commits, st: st, workers: workers, ahead: pre}
	if err := v.run(r, opts.Trust); err != nil {
		return nil, err
	}
	if opts.Since != nil {
		if err := v.extends(r, opts.Since); err != nil {
			return nil, err
		}
	}
	rep := &Report{
		Name: v.st.name, Entries: v.st.size, Documents: v.st.documents(), RootFingerprint: v.st.rootKey.Fingerprint(),
		RootKey: v.st.rootKey, Pinned: opts.Trust != "", Head: head.String(), Checkpoint: v.cp, RootChain: v.chain,
		Keys: v.st.ring().events,
	}
	rep.Versions = v.st.versions
	rep.HashOnly = v.st.hashOnly
	return rep, nil
}

// verifier runs Verify: entry 0 alone, then the rest in chunks that the
// workers check in parallel (reading, parsing, hashing, signatures) and
// the state applies in order (chain, Merkle tree, versions, authorization).
type verifier struct {
	gitDir  string
	commits *commitList
	st      *state
	keys    *keyMap            // every key the ledger declares, for the workers
	chain   []keys.Fingerprint // the roots from the pinned one to the current one
	workers int
	ahead   *ahead // what was checked while the history was walked; nil in an audit
	cp      *checkpoint.Checkpoint
	indexed bool // a v4 ledger: blocks end with index files (FORMAT.md §2.4)
}

func (v *verifier) run(r *repo, trust keys.Fingerprint) error {
	// A git repository whose first commit has no entries is not a ledger at
	// all (a project checkout, say): that is a usage mistake, not tampering.
	if root, err := r.tree(v.commits.at(0).tree); err == nil {
		_, hasEntries := root.Find(entriesDir)
		_, hasCheckpoint := root.Find(checkpointFile)
		if !hasEntries && !hasCheckpoint {
			return fmt.Errorf("%w: the git repository's first commit holds neither %s/ nor %s", ErrNotLedger, entriesDir, checkpointFile)
		}
	}
	tip, err := v.tipTrees(r)
	if err != nil {
		return err
	}
	var cur pathTrees
	first := v.check(r, &cur, &tip, 0)
	if err := v.accept(0, first); err != nil {
		return err
	}
	v.indexed = records.HasIndex(v.st.format)
	if !v.indexed {
		v.st.index = nil
	}
	// The state keeps only each document's newest version: a translation
	// of an older one is checked against that version's entry, read from
	// the newest tree (applied, so checked, before the translation is).
	olderc := tip
	v.st.older = func(id string, link *records.VersionLink) (*Version, error) {
		return olderVersion(r, &olderc, v.st.size, id, link)
	}
	v.keys = newKeyMap(v.st.rootKey)
	repos := make([]*repo, v.workers)
	for i := range repos {
		repos[i] = r.worker()
		defer repos[i].close()
	}
	if err := v.runSegments(repos, &tip, 1); err != nil {
		return err
	}
	return v.pin(trust)
}

// segment is a run of consecutive entries one worker checks.
type segment struct {
	start   uint64
	results []checked
	done    chan struct{}
}

// segmentSize is how many consecutive entries a worker checks at a time, and
// maxAhead how many segments may be checked but not yet applied: it bounds
// memory whatever the ledger's size.
const (
	segmentSize = 512
	maxAhead    = 8
)

// runSegments checks the entries from first on: the workers take segments
// in order, each as soon as it is free, while this goroutine applies
// finished segments in order.
func (v *verifier) runSegments(repos []*repo, tip *pathTrees, first uint64) error {
	n := v.commits.len()
	count := int((n - first + segmentSize - 1) / segmentSize)
	segs := make(chan *segment, maxAhead) // in order, for the applier
	todo := make(chan *segment, maxAhead) // for the workers
	stop := make(chan struct{})
	go func() {
		defer close(segs)
		defer close(todo)
		for i := 0; i < count; i++ {
			start := first + uint64(i)*segmentSize
			s := &segment{start: start, results: make([]checked, min(segmentSize, n-start)), done: make(chan struct{})}
			select {
			case segs <- s:
			case <-stop:
				return
			}
			todo <- s
		}
	}()
	var wg sync.WaitGroup
	for _, rp := range repos {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range todo {
				cur := rp.pathFor(v.commits.at(s.start-1).tree, s.start-1)
				tipc := *tip
				for i := range s.results {
					s.results[i] = v.check(rp, &cur, &tipc, s.start+uint64(i))
				}
				close(s.done)
			}
		}()
	}
	defer wg.Wait()
	defer close(stop)
	for s := range segs {
		<-s.done
		for i := range s.results {
			if err := v.accept(s.start+uint64(i), s.results[i]); err != nil {
				go func() { // drain, so the feeder and the workers finish
					for range segs {
					}
				}()
				return err
			}
		}
	}
	return nil
}

// tipTrees reads the newest commit's root and entries trees, from which
// the workers find each entry's directory.
func (v *verifier) tipTrees(r *repo) (pathTrees, error) {
	last := v.commits.at(v.commits.len() - 1)
	var t pathTrees
	var err error
	if t.root, err = r.tree(last.tree); err != nil {
		return t, err
	}
	if err := checkRoot(t.root); err != nil {
		return t, &EntryError{Entry: v.commits.len() - 1, Commit: shortHash(last.hash), Problem: err.Error(), Err: err}
	}
	e, _ := t.root.Find(entriesDir)
	t.entries, err = r.tree(e.Hash)
	return t, err
}

// checked is what a worker found out about one entry.
type checked struct {
	// env is the entry's envelope: once its signature is verified, only
	// its statement (the workers drop the bytes, which sums stands for).
	env     *records.ParsedEnvelope
	sums    entrySums
	cp      *checkpoint.Checkpoint
	entries plumbing.Hash // the commit's entries/ tree
	hashes  plumbing.Hash // the entry's hashes file
	err     error
	idx     indexFiles    // the index files the commit adds (v4)
	commit  plumbing.Hash // the commit err is about, if not entry n's
	sigOK   bool
	// deferred says the worker could not check the signatures: the
	// entry's signer or checkpoint key was not known yet (keys.go).
	deferred bool
}

// accept applies a checked entry to the state in order.
func (v *verifier) accept(n uint64, c checked) error {
	commit := shortHash(v.commits.at(n).hash)
	var st *records.Statement
	if c.env != nil {
		st = c.env.Statement
	}
	if c.err != nil {
		if !c.commit.IsZero() {
			commit = shortHash(c.commit)
		}
		return entryErr(n, st, commit, c.err)
	}
	key, err := v.st.applyHashed(c.env.Statement, c.sums)
	if err != nil {
		return entryErr(n, st, commit, err)
	}
	v.learnKeys(st)
	if c.deferred {
		return v.acceptDeferred(n, c, key)
	}
	if n == 0 {
		// Entry 0 was checked before its key was known.
		if err := c.env.Verify(key); err != nil {
			return entryErr(n, st, commit, fmt.Errorf("envelope signature does not verify with the root key"))
		}
		if c.cp, err = v.checkpoint(c.cp.Raw, n, key); err != nil {
			return entryErr(n, st, commit, err)
		}
	} else if !c.sigOK {
		return entryErr(n, st, commit, fmt.Errorf("envelope signature does not verify with key %s", key.Fingerprint().Short()))
	}
	return v.acceptCheckpoint(n, c)
}

// acceptCheckpoint checks entry n's checkpoint and hashes against the state
// after the entry.
func (v *verifier) acceptCheckpoint(n uint64, c checked) error {
	commit := shortHash(v.commits.at(n).hash)
	var st *records.Statement
	if c.env != nil {
		st = c.env.Statement
	}
	v.st.checkpointed(c.cp.Raw)
	if c.cp.Size != v.st.size || c.cp.Root != v.st.root() {
		return entryErr(n, st, commit, fmt.Errorf("checkpoint (size %d, root %s) does not match the ledger after this entry (size %d, root %s)",
			c.cp.Size, short(hex.EncodeToString(c.cp.Root[:])), v.st.size, short(hexRoot(v.st.root()))))
	}
	if v.indexed {
		if err := checkIndex(n, v.st.indexed, c.idx); err != nil {
			return entryErr(n, st, commit, err)
		}
	}
	if gitstore.Hash(plumbing.BlobObject, v.st.nodes) != c.hashes {
		return entryErr(n, st, commit, fmt.Errorf("%s/%s does not hold the entry's Merkle tree hashes", pathOf(n), hashesFile))
	}
	if c.cp.Entries != c.entries {
		return entryErr(n, st, commit, fmt.Errorf("checkpoint names entries tree %s, but the commit's %s/ is %s",
			short(hex.EncodeToString(c.cp.Entries[:])), entriesDir, short(c.entries.String())))
	}
	v.cp = c.cp
	return nil
}

// check reads and checks everything about entry n that does not depend on
// earlier entries' contents. cur holds the trees of commit n-1 (empty for
// entry 0) and moves to those of commit n; tip is a cursor over the newest
// commit's tree, where entry n's directory is found.
//
// Commit n's tree is not read level by level: it is derived from commit
// n-1's trees, entry n's directory and commit n's checkpoint, as the
// appender derives it, and its hash compared with the commit's. Only on a
// mismatch are the trees read to say what differs.
func (v *verifier) check(r *repo, cur, tip *pathTrees, n uint64) (c checked) {
	ci := v.commits.at(n)
	root, err := r.tree(ci.tree)
	if err != nil {
		return checked{err: at(err, "the commit's root tree")}
	}
	if err := checkRoot(root); err != nil {
		return checked{err: err}
	}
	cpEntry, _ := root.Find(checkpointFile)
	dirHash, found, err := tip.entryDir(r, n)
	if err != nil {
		return checked{err: err}
	}
	if !found {
		return checked{err: fmt.Errorf("the entry's directory %s is missing from the newest commit", pathOf(n))}
	}
	if v.indexed {
		if c.idx, err = storedIndex(r, tip, n); err != nil {
			return checked{err: err}
		}
	}
	stored := newStoredTrees(r, n)
	c.entries = cur.add(n, dirHash, c.idx, stored.put)
	if cur.withCheckpoint(cpEntry.Hash, gitstore.Hash) != ci.tree {
		return v.diagnose(r, n, dirHash)
	}
	dir, err := r.tree(dirHash)
	if err != nil {
		return checked{err: at(err, pathOf(n).String())}
	}
	var doc *treeEntry
	if c.env, doc, c.hashes, c.err = readEntryFiles(r, dir, n); c.err != nil {
		return c
	}
	c.sums = sumsOf(c.env.Raw)
	if stored.err != nil {
		c.err = stored.err
		return c
	}
	// The hashes file's ID is compared with the Merkle tree's nodes when the
	// entry is applied; here its stored object must be intact.
	buf := scratch.Get().(*[]byte)
	defer scratch.Put(buf)
	if _, err := r.readInto(buf, plumbing.BlobObject, c.hashes, true); err != nil {
		c.err = at(err, pathOf(n).String()+"/"+hashesFile)
		return c
	}
	st := c.env.Statement
	parent := plumbing.ZeroHash
	if n > 0 {
		parent = v.commits.at(n - 1).hash
	}
	*buf = appendCommit((*buf)[:0], ci.tree, parent, st)
	if gitstore.Hash(plumbing.CommitObject, *buf) != ci.hash {
		c.err = fmt.Errorf("commit is not the canonical commit of its entry (its message, author, time or parent was altered)")
		return c
	}
	if !v.ahead.passed(n) {
		if c.err = at(checkDocument(r, doc, st), pathOf(n).String()+"/"+documentFile); c.err != nil {
			return c
		}
	}
	raw, err := r.object(plumbing.BlobObject, cpEntry.Hash)
	if err != nil {
		c.err = at(err, checkpointFile)
		return c
	}
	c.cp = &checkpoint.Checkpoint{Raw: raw}
	if n == 0 {
		return c // the key is known only once entry 0 is applied
	}
	key := v.workerKey(c.env.KeyID)
	if key == nil || isRotation(st) {
		c.deferred = true // the signer or the checkpoint's key is known once the entries before are applied
		return c
	}
	c.sigOK = v.ahead.passed(n) || c.env.Verify(key) == nil
	c.cp, c.err = v.checkpoint(raw, n, key)
	// Up to a few thousand entries wait to be applied: without the bytes
	// the statement was read from, each holds a third of the memory.
	c.env = &records.ParsedEnvelope{Statement: st, KeyID: c.env.KeyID}
	return c
}

// checkpoint parses entry n's checkpoint. Only the newest one's signature is
// verified: every other checkpoint's SHA-256 is recorded in the next entry,
// whose signature covers it (FORMAT.md §5).
func (v *verifier) checkpoint(raw []byte, n uint64, key *keys.PublicKey) (*checkpoint.Checkpoint, error) {
	if n == v.commits.len()-1 {
		return checkpoint.Parse(raw, v.st.name, key)
	}
	return checkpoint.ParseChained(raw, v.st.name, key)
}

// diagnose explains why commit n's tree is not the one derived from commit
// n-1 plus entry n: it reads both commits' trees and names the first
// difference. When commit n is intact but entry n's directory differs in the
// newest commit, it names the later commit that changed it.
func (v *verifier) diagnose(r *repo, n uint64, tipDir plumbing.Hash) checked {
	pt, dir, err := r.loadPath(v.commits.at(n).tree, n)
	if err != nil {
		return checked{err: err}
	}
	var prev *pathTrees
	if n > 0 {
		p := r.pathFor(v.commits.at(n-1).tree, n-1)
		prev = &p
	}
	if err := pt.checkAgainst(prev, n); err != nil {
		return checked{err: err}
	}
	if own := gitstore.Hash(plumbing.TreeObject, gitstore.EncodeTree(dir)); own != tipDir {
		c := checked{env: v.ownEnvelope(r, dir, n)}
		k, what := v.changedBy(r, n, own)
		c.commit = v.commits.at(k).hash
		c.err = fmt.Errorf("a later commit changed this entry's files: commit %s (entry %d) %s %s: files of earlier entries must never change",
			shortHash(c.commit), k, what, pathOf(n))
		return c
	}
	return checked{err: fmt.Errorf("the commit's tree is not exactly the entries up to this one and its checkpoint")}
}

// changedBy finds the first commit after n whose tree does not hold entry
// n's directory as commit n stored it (own), and says what it did to it.
// It reads the path to the directory in each later commit: this runs only
// once verification has failed.
func (v *verifier) changedBy(r *repo, n uint64, own plumbing.Hash) (uint64, string) {
	for k := n + 1; k < v.commits.len(); k++ {
		_, dir, err := r.loadPath(v.commits.at(k).tree, n)
		switch {
		case err != nil:
			return k, "removed or damaged"
		case gitstore.Hash(plumbing.TreeObject, gitstore.EncodeTree(dir)) != own:
			return k, "changed the files in"
		}
	}
	return v.commits.len() - 1, "changed"
}

// ownEnvelope parses the envelope entry n's commit stored, to name its
// document and version; nil if it cannot.
func (v *verifier) ownEnvelope(r *repo, dir tree, n uint64) *records.ParsedEnvelope {
	e, ok := dir.Find(envelopeFile)
	if !ok {
		return nil
	}
	data, err := r.object(plumbing.BlobObject, e.Hash)
	if err != nil {
		return nil
	}
	env, err := records.ParseEnvelope(data)
	if err != nil || env.Statement.Predicate.Entry != n {
		return nil
	}
	return env
}

// readEntryFiles checks an entry directory's files and parses its envelope.
// It returns the document's tree entry (nil for an entry without one) and
// the hashes file's blob ID, which the caller checks against the Merkle
// tree.
func readEntryFiles(r *repo, dir tree, n uint64) (*records.ParsedEnvelope, *treeEntry, plumbing.Hash, error) {
	var env, doc, hashes *treeEntry
	for i := range dir {
		e := &dir[i]
		switch {
		case e.Name == envelopeFile && e.Mode == modeFile:
			env = e
		case e.Name == documentFile && e.Mode == modeFile:
			doc = e
		case e.Name == hashesFile && e.Mode == modeFile:
			hashes = e
		default:
			return nil, nil, plumbing.ZeroHash, fmt.Errorf("unexpected file %s/%s (mode %s) in the entry's directory", pathOf(n), e.Name, e.Mode)
		}
	}
	for _, f := range []struct {
		e    *treeEntry
		name string
	}{{env, envelopeFile}, {hashes, hashesFile}} {
		if f.e == nil {
			return nil, nil, plumbing.ZeroHash, fmt.Errorf("%s/%s is missing", pathOf(n), f.name)
		}
	}
	data, err := r.object(plumbing.BlobObject, env.Hash)
	if err != nil {
		return nil, nil, plumbing.ZeroHash, at(err, pathOf(n).String()+"/"+envelopeFile)
	}
	parsed, err := records.ParseEnvelope(data)
	if err != nil {
		return nil, nil, plumbing.ZeroHash, fmt.Errorf("envelope: %w", err)
	}
	d := parsed.Statement.Predicate.Document
	isDoc := d != nil && !d.HashOnly
	if isDoc && doc == nil {
		return parsed, nil, plumbing.ZeroHash, fmt.Errorf("the document's bytes (%s/%s) are missing", pathOf(n), documentFile)
	}
	if !isDoc && doc != nil {
		what := "an entry that registers no document"
		if d != nil {
			what = "a hash-only entry, whose bytes are withheld"
		}
		return parsed, nil, plumbing.ZeroHash, fmt.Errorf("unexpected %s/%s in %s", pathOf(n), documentFile, what)
	}
	return parsed, doc, hashes.Hash, nil
}

// checkDocument hashes a document blob and compares it with its statement.
func checkDocument(r *repo, doc *treeEntry, st *records.Statement) error {
	if doc == nil {
		return nil
	}
	buf := scratch.Get().(*[]byte)
	defer scratch.Put(buf)
	data, err := r.readInto(buf, plumbing.BlobObject, doc.Hash, true)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != st.Subject[0].Digest.SHA256 {
		return fmt.Errorf("the stored document's SHA-256 is %s, but the signed entry records %s: the document was altered", short(got), short(st.Subject[0].Digest.SHA256))
	}
	if int64(len(data)) != st.Predicate.Document.Size {
		return fmt.Errorf("the stored document is %d bytes, the entry records %d", len(data), st.Predicate.Document.Size)
	}
	return checkText(data, st)
}

// extends checks that the verified ledger extends the earlier checkpoint
// since: its tree of the checkpoint's size has the checkpoint's root, and
// the commit of that size has the checkpoint's entries/ tree.
func (v *verifier) extends(r *repo, since []byte) error {
	old, err := checkpoint.ParseCosigned(since, v.st.name, v.st.sinceKey(since))
	if err != nil {
		return fmt.Errorf("%w: the earlier checkpoint is not one of ledger %s signed by its root key: %w", ErrInput, v.st.name, err)
	}
	if old.Size > v.st.size {
		return fmt.Errorf("%w: the ledger has %d entries, fewer than the %d of the earlier checkpoint: it was rolled back", ErrRollback, v.st.size, old.Size)
	}
	tip, err := v.tipTrees(r)
	if err != nil {
		return err
	}
	if old.Size == 0 {
		return fmt.Errorf("%w: the earlier checkpoint has size 0, but a ledger's first checkpoint already holds its genesis entry", ErrInput)
	}
	// Every hashes file was checked above, so the root they give is the one
	// of the verified entries.
	root, err := storedRoot(r, &tip, old.Size)
	if err != nil {
		return err
	}
	if root != old.Root {
		return fmt.Errorf("%w: the ledger's first %d entries do not have the earlier checkpoint's root: its history was rewritten", ErrFork, old.Size)
	}
	commitTree, err := r.tree(v.commits.at(old.Size - 1).tree)
	if err != nil {
		return err
	}
	if e, _ := commitTree.Find(entriesDir); e.Hash != plumbing.Hash(old.Entries) {
		return fmt.Errorf("%w: the ledger's first %d entries have the earlier checkpoint's root, but not its entries/ tree %x: the checkpoint was signed for another git history", ErrFork, old.Size, old.Entries[:6])
	}
	return nil
}
