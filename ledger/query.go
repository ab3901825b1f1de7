package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/checkpoint"
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

// Entries returns a summary of every entry, oldest first.
func (l *Ledger) Entries() ([]EntryInfo, error) {
	if err := l.refresh(); err != nil {
		return nil, err
	}
	return l.st.entries, nil
}

// History returns the versions of document id, oldest first, or an error
// wrapping ErrNotFound.
func (l *Ledger) History(id string) ([]*Version, error) {
	if err := l.refresh(); err != nil {
		return nil, err
	}
	vs := l.st.docs[id]
	if len(vs) == 0 {
		return nil, fmt.Errorf("%w: no document %q in ledger %s", ErrNotFound, id, l.st.name)
	}
	return vs, nil
}

// Lookup returns version v of document id; v == 0 means the latest.
func (l *Ledger) Lookup(id string, v uint64) (*Version, error) {
	vs, err := l.History(id)
	if err != nil {
		return nil, err
	}
	if v == 0 {
		return vs[len(vs)-1], nil
	}
	if v > uint64(len(vs)) {
		return nil, fmt.Errorf("%w: %s has versions 1 to %d, not %d", ErrNotFound, id, len(vs), v)
	}
	return vs[v-1], nil
}

// FindContent returns the registered versions whose bytes are content.
func (l *Ledger) FindContent(content []byte) ([]*Version, error) {
	if err := l.refresh(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(content)
	return l.st.byDigest[hex.EncodeToString(sum[:])], nil
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
	doc, ok := dir.find(documentFile)
	if !ok {
		return nil, entryErr(v.Entry, env.Statement, "", fmt.Errorf("the document's bytes are missing"))
	}
	data, err := l.r.object(plumbing.BlobObject, doc.hash)
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
// authorizes, and registers v's document, version, digest and size. Every
// answer a caller gives from a Version (a match, a bundle) should rest on it:
// Versions may come from the state cache, which only the signed leaves
// check.
func (l *Ledger) VerifyVersion(v *Version) error {
	_, _, err := l.version(v)
	return err
}

// version reads and checks v's entry, as VerifyVersion describes.
func (l *Ledger) version(v *Version) (*records.ParsedEnvelope, tree, error) {
	env, dir, err := l.entry(v.Entry)
	if err != nil {
		return nil, nil, err
	}
	if err := l.checkSignature(v.Entry, env); err != nil {
		return nil, nil, err
	}
	st := env.Statement
	d := st.Predicate.Document
	if d == nil || d.ID != v.Doc || d.Version != v.Version || d.Size != v.Size || st.Subject[0].Digest.SHA256 != v.SHA256 {
		return nil, nil, entryErr(v.Entry, st, "", fmt.Errorf("the ledger's cached index does not match the signed entry; delete %s and retry", cacheFile))
	}
	return env, dir, nil
}

func (l *Ledger) checkSignature(n uint64, env *records.ParsedEnvelope) error {
	key, ok := l.st.signers[env.KeyID]
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
	if n >= l.st.size {
		return nil, nil, fmt.Errorf("%w: entry %d (the ledger has %d entries)", ErrNotFound, n, l.st.size)
	}
	e, _ := l.tip.root.find(entriesDir)
	where, p := entriesDir, pathOf(n)
	for i := 0; i < 4; i++ {
		t, err := l.r.tree(e.hash)
		if err != nil {
			return nil, nil, err
		}
		if e, err = findDir(t, p[i]); err != nil {
			return nil, nil, fmt.Errorf("%w: %s/%s: %v", ErrTampered, where, p[i], err)
		}
		where += "/" + p[i]
	}
	dir, err := l.r.tree(e.hash)
	if err != nil {
		return nil, nil, err
	}
	env, err := l.readEnvelope(n, dir)
	if err != nil {
		return nil, nil, err
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
