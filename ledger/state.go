package ledger

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/verbatim-ledger/verbatim/docindex"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/records"
	"github.com/verbatim-ledger/verbatim/sketch"
)

// Version is one registered version of a document.
type Version struct {
	Doc       string
	Version   uint64
	Entry     uint64
	SHA256    string // lowercase hex
	Size      int64
	MediaType string
	Title     string
	Source    string
	Language  string
	Note      string
	Time      time.Time
	Signer    keys.Fingerprint
	// TextSHA256 is the text identity (docs/TEXT.md §2); "" when the bytes
	// have no text form or the ledger is format v2.
	TextSHA256 string
	Sketch     *sketch.Sketch // nil when none was recorded
	HashOnly   bool           // the bytes are withheld: the entry has no document file
	// TranslationOf is the version this one translates, or nil.
	TranslationOf *records.DocumentLink
}

var rangeFactory = &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}

// state is what replaying entries in order establishes: the rules of
// FORMAT.md §6 that tie an entry to the ones before it. Verification and
// appending share it, so a ledger verbatim writes is one it accepts.
type state struct {
	name       string
	format     string // the genesis "format", which decides what document ids are valid
	rootKey    *keys.PublicKey
	signers    map[string]*keys.PublicKey // keys allowed to sign the next entry
	size       uint64
	lastHash   [32]byte
	lastTime   string
	lastSigner *keys.PublicKey // the key that signed the newest entry's checkpoint
	// lastCheckpoint is the SHA-256 of the newest entry's checkpoint file,
	// set by checkpointed; nil when it is not known (Open replays
	// envelopes without history), and then not checked.
	lastCheckpoint []byte
	tree           *compact.Range
	docs           map[string][]*Version
	byDigest       map[string][]*Version
	byText         map[string][]*Version // by text identity
	hashOnly       int                   // versions whose bytes are withheld
	entries        []EntryInfo
	leaves         [][32]byte // RFC 6962 leaf hashes, for proofs; empty if the state began past entry 0 (an audit)
	// nodes is the hashes file of the newest entry: the hashes of the
	// perfect subtrees that end with it, from its leaf hash up.
	nodes []byte
	// older, when set, finds a document version the state has not applied:
	// an audit starts from a checkpoint, without replaying what precedes it.
	older func(id string, link *records.VersionLink) (*Version, error)
	keys  *keyring // every key named so far and the chain of roots (keys.go)
	// lean keeps only what the next entries are checked against (verify
	// and audit): each document's newest version, without its sketch, and
	// no list of entries, leaves or digests, so memory grows with the
	// number of documents, not of versions.
	lean     bool
	versions int // document versions applied
	// index, in a v4 ledger, gathers the records of the current index
	// blocks (FORMAT.md §2.4); indexed is what the newest entry completed.
	index   *docindex.Blocks
	indexed docindex.Completed
	recs    []docindex.Record // scratch
	// rootOf caches root(): the range and size it was computed for, and the
	// hash. Appending an entry asks for the root several times.
	rootOf struct {
		tree *compact.Range
		size uint64
		hash [32]byte
	}
}

func newState() *state {
	return &state{
		signers:  map[string]*keys.PublicKey{},
		tree:     rangeFactory.NewEmptyRange(0),
		docs:     map[string][]*Version{},
		byDigest: map[string][]*Version{},
		byText:   map[string][]*Version{},
	}
}

// root is the RFC 6962 root hash of the entries applied so far. A range
// only grows, so its size tells whether the cached hash is still its root.
func (s *state) root() [32]byte {
	c := &s.rootOf
	if c.tree != s.tree || c.size != s.tree.End() {
		c.tree, c.size, c.hash = s.tree, s.tree.End(), rangeRoot(s.tree)
	}
	return c.hash
}

// rangeRoot is the RFC 6962 root hash of a compact range starting at 0.
func rangeRoot(r *compact.Range) [32]byte {
	var out [32]byte
	h, err := r.GetRootHash(nil)
	if err != nil {
		panic("ledger: compact range does not start at 0")
	}
	if h == nil {
		h = rfc6962.DefaultHasher.EmptyRoot()
	}
	copy(out[:], h)
	return out
}

// keyFor returns the key whose signature st must carry to be the next
// entry: the genesis names its own root key; later entries must be signed by
// a key the ledger authorizes at that point.
func (s *state) keyFor(st *records.Statement) (*keys.PublicKey, error) {
	if s.size > 0 {
		return s.signer(st.Predicate.Signer)
	}
	g := st.Predicate.Genesis
	if g == nil {
		return nil, fmt.Errorf("first entry is not a genesis entry")
	}
	der, _ := base64.StdEncoding.DecodeString(g.RootKey.PublicKey) // validated by records
	k, err := keys.PublicKeyFromDER(der)
	if err != nil {
		return nil, fmt.Errorf("genesis root key: %w", err)
	}
	if string(k.Algorithm()) != g.RootKey.Algorithm {
		return nil, fmt.Errorf("genesis root key is %s, recorded as %s", k.Algorithm(), g.RootKey.Algorithm)
	}
	return k, nil
}

// signer returns the authorized key with fingerprint fp.
func (s *state) signer(fp string) (*keys.PublicKey, error) {
	k, ok := s.signers[fp]
	if !ok {
		return nil, s.unauthorized(fp)
	}
	return k, nil
}

// apply checks that env may follow the entries applied so far and records
// it. It returns the key that must have signed env; verifying the signature
// is the caller's part, apply checks everything that depends on earlier
// entries.
func (s *state) apply(env *records.ParsedEnvelope) (*keys.PublicKey, error) {
	st := env.Statement
	p := &st.Predicate
	if p.Entry != s.size {
		return nil, fmt.Errorf("records entry number %d at position %d (entries dropped, added or reordered)", p.Entry, s.size)
	}
	key, err := s.keyFor(st)
	if err != nil {
		return nil, err
	}
	if s.size == 0 {
		if want := hexRoot(s.root()); p.MerkleRoot != want {
			return nil, fmt.Errorf("genesis records Merkle root %s, want the empty tree's %s", short(p.MerkleRoot), short(want))
		}
		s.name, s.format = p.Ledger, p.Genesis.Format
		s.rootKey = key
		s.signers[string(key.Fingerprint())] = key
		s.noteRoot(key)
	} else {
		if err := s.checkLink(p); err != nil {
			return nil, err
		}
		if p.Document != nil {
			if err := s.applyDocument(st); err != nil {
				return nil, err
			}
		}
	}
	cpKey := key
	if p.Key != nil {
		if cpKey, err = s.applyKey(p, key); err != nil {
			return nil, err
		}
	}
	leaf := records.LeafHash(env.Raw)
	if uint64(len(s.leaves)) == s.size && !s.lean {
		s.leaves = append(s.leaves, leaf)
	}
	s.nodes = s.nodes[:0]
	if err := s.tree.Append(leaf[:], s.visitNode); err != nil {
		panic("ledger: compact range append failed")
	}
	if !s.lean {
		s.entries = append(s.entries, entryInfoOf(st))
	}
	if s.index != nil {
		s.recs = docindex.Records(s.recs[:0], s.size, st)
		s.indexed = s.index.Add(s.size, s.recs)
	}
	s.lastHash = env.Hash()
	s.lastTime = p.Time
	s.lastSigner = cpKey
	s.lastCheckpoint = nil
	s.size++
	return key, nil
}

// visitNode records a node the newest entry completed, in the order
// compact.Range.Append reports them: the leaf, then upward.
func (s *state) visitNode(_ compact.NodeID, h []byte) { s.nodes = append(s.nodes, h...) }

// checkpointed records the checkpoint file stored with the newest entry,
// which the next entry's previousCheckpoint must match.
func (s *state) checkpointed(raw []byte) {
	sum := sha256.Sum256(raw)
	s.lastCheckpoint = sum[:]
}

// checkLink checks what ties a non-genesis entry to its predecessors.
func (s *state) checkLink(p *records.Predicate) error {
	if p.Ledger != s.name {
		return fmt.Errorf("names ledger %q, not %q", p.Ledger, s.name)
	}
	if want := hex.EncodeToString(s.lastHash[:]); p.PreviousEntry != want {
		return fmt.Errorf("previous-entry hash %s does not match entry %d (%s): the chain is broken", short(p.PreviousEntry), s.size-1, short(want))
	}
	if want := hexRoot(s.root()); p.MerkleRoot != want {
		return fmt.Errorf("Merkle root %s does not match the %d entries before it (%s)", short(p.MerkleRoot), s.size, short(want))
	}
	if s.lastCheckpoint != nil && p.PreviousCheckpoint != hex.EncodeToString(s.lastCheckpoint) {
		return fmt.Errorf("previous-checkpoint hash %s does not match entry %d's checkpoint (%s): a checkpoint was altered", short(p.PreviousCheckpoint), s.size-1, short(hex.EncodeToString(s.lastCheckpoint)))
	}
	if p.Time < s.lastTime {
		return fmt.Errorf("time %s is before the previous entry's %s", p.Time, s.lastTime)
	}
	return nil
}

func (s *state) applyDocument(st *records.Statement) error {
	d := st.Predicate.Document
	if err := records.CheckDocIDIn(s.format, d.ID); err != nil {
		return err
	}
	if want := records.DocumentTypeFor(s.format); st.PredicateType != want {
		return fmt.Errorf("predicate type is %s, but a %s ledger's documents are %s", st.PredicateType, s.format, want)
	}
	if err := s.checkTranslation(d); err != nil {
		return err
	}
	digest := st.Subject[0].Digest.SHA256
	prev := s.latest(d.ID)
	if prev == nil && s.older != nil && d.Previous != nil {
		var err error
		if prev, err = s.older(d.ID, d.Previous); err != nil {
			return err
		}
	}
	var want uint64 = 1
	if prev != nil {
		want = prev.Version + 1
	}
	if d.Version != want {
		return fmt.Errorf("%s is version %d, but the next version is %d", d.ID, d.Version, want)
	}
	if prev != nil && (d.Previous.Entry != prev.Entry || d.Previous.SHA256 != prev.SHA256) {
		return fmt.Errorf("%s version %d does not link to version %d (entry %d)", d.ID, d.Version, prev.Version, prev.Entry)
	}
	v := versionOf(st)
	s.versions++
	if v.HashOnly {
		s.hashOnly++
	}
	if s.lean {
		// Only what the next version's link and a translation's are
		// checked against (applyDocument, checkTranslation, and
		// Ledger.checkVersion when an Appender links to it).
		*v = Version{Doc: v.Doc, Version: v.Version, Entry: v.Entry, SHA256: v.SHA256, Size: v.Size}
		if prev != nil && len(s.docs[d.ID]) == 1 {
			s.docs[d.ID][0] = v
		} else {
			s.docs[d.ID] = []*Version{v}
		}
		return nil
	}
	s.docs[d.ID] = append(s.docs[d.ID], v)
	s.byDigest[digest] = append(s.byDigest[digest], v)
	s.indexText(v)
	return nil
}

// version returns version ver of document id if the state holds it: a
// lean state holds only the newest.
func (s *state) version(id string, ver uint64) *Version {
	vs := s.docs[id]
	if ver == 0 || len(vs) == 0 {
		return nil
	}
	if s.lean {
		if v := vs[len(vs)-1]; v.Version == ver {
			return v
		}
		return nil
	}
	if ver <= uint64(len(vs)) {
		return vs[ver-1]
	}
	return nil
}

// versionOf is the Version a document entry's statement registers.
func versionOf(st *records.Statement) *Version {
	d := st.Predicate.Document
	return &Version{
		Doc: d.ID, Version: d.Version, Entry: st.Predicate.Entry, SHA256: st.Subject[0].Digest.SHA256, Size: d.Size,
		MediaType: d.MediaType, Title: d.Title, Source: d.Source, Language: d.Language, Note: d.Note,
		Time: st.Predicate.TimeValue(), Signer: keys.Fingerprint(st.Predicate.Signer),
		HashOnly: d.HashOnly, TextSHA256: textSHA256(d), Sketch: sketchOf(d), TranslationOf: translationOf(d),
	}
}

// entryInfoOf is the summary of an entry's statement.
func entryInfoOf(st *records.Statement) EntryInfo {
	p := &st.Predicate
	info := EntryInfo{Entry: p.Entry, Kind: "genesis", Time: p.TimeValue(), Signer: keys.Fingerprint(p.Signer)}
	if d := p.Document; d != nil {
		info.Kind, info.Doc, info.Version = "document", d.ID, d.Version
	}
	if p.Key != nil {
		info.Kind, info.Doc = "key "+p.Key.Action, p.Key.Key.Fingerprint
	}
	return info
}

// latest returns the newest version of id, or nil.
func (s *state) latest(id string) *Version {
	if vs := s.docs[id]; len(vs) > 0 {
		return vs[len(vs)-1]
	}
	return nil
}

func hexRoot(r [32]byte) string { return hex.EncodeToString(r[:]) }

// short abbreviates a hex hash for messages.
func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
