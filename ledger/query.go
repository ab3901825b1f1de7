package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/docindex"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/records"
)

// EntryInfo summarizes one entry for listings.
type EntryInfo struct {
	Entry   uint64
	Kind    string // "genesis" or "document"
	Doc     string
	Version uint64
	Time    time.Time
	Signer  keys.Fingerprint
}

func (l *Ledger) refresh() error {
	if l.stale {
		return l.load()
	}
	return nil
}

// Entries returns a summary of every entry, oldest first, each read from
// its envelope, which must match its leaf in the newest checkpoint's signed
// Merkle tree and carry a valid signature by a key the ledger authorizes.
// It reads every envelope; an altered one gives an error wrapping
// ErrTampered.
func (l *Ledger) Entries() ([]EntryInfo, error) {
	if err := l.refresh(); err != nil {
		return nil, err
	}
	if err := l.full(); err != nil {
		return nil, err
	}
	out := make([]EntryInfo, 0, l.st.size)
	cur := pathTrees{root: l.tip.root}
	for n := uint64(0); n < l.st.size; n++ {
		env, _, err := l.entryAt(&cur, n)
		if err != nil {
			return nil, err
		}
		if err := l.checkSignature(n, env); err != nil {
			return nil, err
		}
		out = append(out, entryInfoOf(env.Statement))
	}
	return out, nil
}

// errIndex marks an index (the state cache's) that does not match the
// signed entries.
var errIndex = errors.New("the ledger's cached index does not match the signed entries")

// replayed reports whether err came from a state cache that does not match
// the signed entries and, if so, re-reads the ledger replaying every entry
// (and rewrites the cache), so that the query can be run again.
func (l *Ledger) replayed(err error) bool {
	if !errors.Is(err, errIndex) || !l.cached || l.noCache {
		return false
	}
	l.noCache = true
	return l.load() == nil
}

// History returns the versions of document id, oldest first, or an error
// wrapping ErrNotFound. Each is read from its verified entry (VerifiedVersion).
func (l *Ledger) History(id string) ([]*Version, error) {
	vs, err := l.history(id)
	if l.replayed(err) {
		vs, err = l.history(id)
	}
	return vs, err
}

func (l *Ledger) history(id string) ([]*Version, error) {
	vs, err := l.cachedHistory(id)
	if err != nil {
		return nil, err
	}
	out := make([]*Version, len(vs))
	for i, v := range vs {
		if out[i], err = l.verified(v); err != nil {
			return nil, err
		}
		if out[i].Version != uint64(i+1) {
			return nil, l.indexError(v)
		}
	}
	return out, nil
}

// verified is VerifiedVersion for a version cachedHistory listed: one read
// through the index was already read from its entry and checked
// (indexedVersions), so it is not read again.
func (l *Ledger) verified(v *Version) (*Version, error) {
	if l.lazy {
		return v, nil
	}
	return l.VerifiedVersion(v)
}

// cachedHistory is the index's list of the versions of id: unverified from
// the state cache, checked when read through the index.
func (l *Ledger) cachedHistory(id string) ([]*Version, error) {
	if err := l.refresh(); err != nil {
		return nil, err
	}
	vs := l.st.docs[id]
	if l.lazy {
		var err error
		if vs, err = l.indexedVersions(docindex.DocKey(id), func(v *Version) bool { return v.Doc == id }); err != nil {
			return nil, err
		}
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("%w: no document %q in ledger %s", ErrNotFound, id, l.st.name)
	}
	return vs, nil
}

// Lookup returns version v of document id, read from its verified entry;
// v == 0 means the latest.
func (l *Ledger) Lookup(id string, v uint64) (*Version, error) {
	got, err := l.lookup(id, v)
	if l.replayed(err) {
		got, err = l.lookup(id, v)
	}
	return got, err
}

func (l *Ledger) lookup(id string, v uint64) (*Version, error) {
	vs, err := l.cachedHistory(id)
	if err != nil {
		return nil, err
	}
	if v > uint64(len(vs)) {
		return nil, fmt.Errorf("%w: %s has versions 1 to %d, not %d", ErrNotFound, id, len(vs), v)
	}
	if v == 0 {
		v = uint64(len(vs))
	}
	got, err := l.verified(vs[v-1])
	if err == nil && got.Version != v {
		err = l.indexError(vs[v-1])
	}
	return got, err
}

// FindContent returns the registered versions whose bytes are content, each
// read from its verified entry. The index that finds them is the state
// cache's when there is one: a damaged cache can hide a version (FORMAT.md
// §7.1), never invent one.
func (l *Ledger) FindContent(content []byte) ([]*Version, error) {
	vs, err := l.findContent(content)
	if l.replayed(err) {
		vs, err = l.findContent(content)
	}
	return vs, err
}

func (l *Ledger) findContent(content []byte) ([]*Version, error) {
	if err := l.refresh(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(content)
	if l.lazy {
		digest := hex.EncodeToString(sum[:])
		return l.indexedVersions(docindex.DigestKey(digest), func(v *Version) bool { return v.SHA256 == digest })
	}
	var out []*Version
	for _, v := range l.st.byDigest[hex.EncodeToString(sum[:])] {
		got, err := l.VerifiedVersion(v)
		if err != nil {
			return nil, err
		}
		out = append(out, got)
	}
	return out, nil
}

// Envelope returns the raw DSSE envelope of entry n.
func (l *Ledger) Envelope(n uint64) ([]byte, error) {
	env, _, err := l.entry(n)
	if err != nil {
		return nil, err
	}
	return env.Raw, nil
}

// Statement returns the decoded statement of entry n.
func (l *Ledger) Statement(n uint64) (*records.Statement, error) {
	env, _, err := l.entry(n)
	if err != nil {
		return nil, err
	}
	return env.Statement, nil
}

// Content returns the registered bytes of v after checking them against the
// signed entry: its signature by an authorized key and its recorded digest.
// A mismatch returns an error wrapping ErrTampered.
func (l *Ledger) Content(v *Version) ([]byte, error) {
	env, dir, err := l.version(v)
	if err != nil {
		return nil, err
	}
	if v.HashOnly || env.Statement.Predicate.Document.HashOnly {
		return nil, fmt.Errorf("%w: %s version %d was registered hash-only: the ledger records its digests, not its bytes", ErrWithheld, v.Doc, v.Version)
	}
	doc, ok := dir.Find(documentFile)
	if !ok {
		return nil, entryErr(v.Entry, env.Statement, "", fmt.Errorf("the document's bytes are missing"))
	}
	data, err := l.r.object(plumbing.BlobObject, doc.Hash)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != v.SHA256 {
		return nil, entryErr(v.Entry, env.Statement, "", fmt.Errorf("the stored document does not match its signed SHA-256: it was altered"))
	}
	return data, nil
}

// VerifyVersion checks that v is what its entry's signed statement says:
// the entry matches the signed Merkle tree, is signed by a key the ledger
// authorizes, and registers v's document, version, digest and size.
func (l *Ledger) VerifyVersion(v *Version) error {
	_, _, err := l.version(v)
	return err
}

// VerifiedVersion checks v as VerifyVersion does and returns the version as
// its signed statement records it: every field (title, time, signer, …)
// comes from the verified entry, none from the state cache, which only the
// signed leaves check. Every answer a caller gives from a Version should
// come from it.
func (l *Ledger) VerifiedVersion(v *Version) (*Version, error) {
	env, _, err := l.version(v)
	if err != nil {
		return nil, err
	}
	return versionOf(env.Statement), nil
}

// version reads and checks v's entry, as VerifyVersion describes.
func (l *Ledger) version(v *Version) (*records.ParsedEnvelope, tree, error) {
	env, dir, err := l.entry(v.Entry)
	if err != nil {
		return nil, nil, err
	}
	if err := l.checkVersion(v, env); err != nil {
		return nil, nil, err
	}
	return env, dir, nil
}

// checkVersion checks entry v.Entry's envelope env, already matched to its
// leaf: its signature, and that it registers v.
func (l *Ledger) checkVersion(v *Version, env *records.ParsedEnvelope) error {
	if err := l.checkSignature(v.Entry, env); err != nil {
		return err
	}
	st := env.Statement
	d := st.Predicate.Document
	if d == nil || d.ID != v.Doc || d.Version != v.Version || d.Size != v.Size || st.Subject[0].Digest.SHA256 != v.SHA256 {
		return l.indexError(v)
	}
	return nil
}

// indexError reports a state cache that does not match the signed entries.
func (l *Ledger) indexError(v *Version) error {
	if l.lazy {
		return &EntryError{Entry: v.Entry, Doc: v.Doc, Version: v.Version, Err: ErrTampered,
			Problem: "the ledger's index (FORMAT.md §2.4) does not match the signed entries"}
	}
	return &EntryError{Entry: v.Entry, Doc: v.Doc, Version: v.Version, Err: errIndex,
		Problem: fmt.Sprintf("the ledger's cached index does not match the signed entry; delete %s and retry", cacheFile)}
}

func (l *Ledger) checkSignature(n uint64, env *records.ParsedEnvelope) error {
	key, ok := l.st.keyByFingerprint(env.KeyID)
	if !ok {
		return entryErr(n, env.Statement, "", fmt.Errorf("signed by key %s, which the ledger does not authorize", short(env.KeyID)))
	}
	if err := env.Verify(key); err != nil {
		return entryErr(n, env.Statement, "", fmt.Errorf("envelope signature does not verify with key %s", key.Fingerprint().Short()))
	}
	return nil
}

// entry reads entry n's envelope and directory from the newest commit.
func (l *Ledger) entry(n uint64) (*records.ParsedEnvelope, tree, error) {
	if err := l.refresh(); err != nil {
		return nil, nil, err
	}
	return l.entryAt(&pathTrees{root: l.tip.root}, n)
}

// entryAt reads entry n's envelope and directory below the commit tree
// cur.root, through the cursor cur (walking entries in order reads each
// tree once), and checks the envelope against its leaf.
func (l *Ledger) entryAt(cur *pathTrees, n uint64) (*records.ParsedEnvelope, tree, error) {
	return l.entryAtCP(cur, n, l.cp)
}

// entryAtCP is entryAt for a ledger read from its index, when cur.root is
// the tree of checkpoint cp rather than the newest: an Appender reads the
// ledger as it was when it began.
func (l *Ledger) entryAtCP(cur *pathTrees, n uint64, cp *checkpoint.Checkpoint) (*records.ParsedEnvelope, tree, error) {
	if n >= l.st.size {
		return nil, nil, fmt.Errorf("%w: entry %d (the ledger has %d entries)", ErrNotFound, n, l.st.size)
	}
	if cur.entries == nil {
		e, ok := cur.root.Find(entriesDir)
		if !ok || e.Mode != modeDir {
			return nil, nil, fmt.Errorf("%w: the newest commit has no %s directory", ErrTampered, entriesDir)
		}
		t, err := l.r.tree(e.Hash)
		if err != nil {
			return nil, nil, err
		}
		cur.entries = t
	}
	h, found, err := cur.entryDir(l.r, n)
	if err != nil {
		return nil, nil, err
	}
	if !found {
		return nil, nil, fmt.Errorf("%w: %s is missing or not a directory", ErrTampered, pathOf(n))
	}
	dir, err := l.r.tree(h)
	if err != nil {
		return nil, nil, err
	}
	env, err := l.readEnvelope(n, dir)
	if err != nil {
		return nil, nil, err
	}
	if l.lazy {
		if err := l.checkLeafIn(cur.root, cp, n, env); err != nil {
			return nil, nil, err
		}
		return env, dir, nil
	}
	// The leaf hashes are bound to the newest checkpoint's signed root (Open
	// checked them): an envelope that does not match its leaf was altered.
	if records.LeafHash(env.Raw) != l.st.leaves[n] {
		return nil, nil, entryErr(n, env.Statement, "", fmt.Errorf("the envelope does not match the ledger's signed Merkle tree: it was altered"))
	}
	return env, dir, nil
}

// ContentDigest is the lowercase hex SHA-256 of content, as entries record it.
func ContentDigest(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// VerifierKey is the signed-note verifier key of the ledger's root key,
// which signs its checkpoints (FORMAT.md §5).
func (l *Ledger) VerifierKey() string {
	return checkpoint.VerifierKey(l.st.name, l.st.rootKey)
}

// RootKey is the ledger's root public key, which signs its entries and
// checkpoints in format v1.
func (l *Ledger) RootKey() *keys.PublicKey { return l.st.rootKey }

// VerifyTipEntry checks, in the newest commit, what an answer about entry
// n rests on beyond VerifiedVersion: the top level holds exactly the
// checkpoint file and the entries directory (FORMAT.md §2.2), the entries
// directory is the tree the newest checkpoint signs, the path to
// the entry is made of directories, and the entry's directory holds exactly
// its files: the envelope (matching its signed leaf), the hashes file, and
// for a document entry the document, whose bytes must match the signed
// digest and size. It does not read the history (earlier commits) or other
// entries; Verify does. Failures wrap ErrTampered.
func (l *Ledger) VerifyTipEntry(n uint64) error {
	if err := l.refresh(); err != nil {
		return err
	}
	if err := checkRoot(l.tip.root); err != nil {
		return fmt.Errorf("%w: the newest commit (%s): %w", ErrTampered, shortHash(l.head), err)
	}
	// The newest checkpoint names the entries/ tree it was signed with
	// (FORMAT.md §5): an equal tree ID means every entry's files are the
	// ones the ledger's key signed for.
	if e, _ := l.tip.root.Find(entriesDir); [20]byte(e.Hash) != l.cp.Entries {
		return fmt.Errorf("%w: the newest commit's %s/ tree is %s, not the %x its checkpoint signs: a commit after the checkpoint's changed files of entries", ErrTampered, entriesDir, e.Hash, l.cp.Entries)
	}
	env, dir, err := l.entry(n)
	if err != nil {
		return err
	}
	_, doc, _, err := readEntryFiles(l.r, dir, n)
	if err == nil {
		err = checkDocument(l.r, doc, env.Statement)
	}
	if err != nil {
		return entryErr(n, env.Statement, "", err)
	}
	return nil
}
