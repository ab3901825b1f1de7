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
	// and audit): each document's newest version in newest, instead of
	// docs, and no list of entries, leaves or digests, so memory grows
	// with the number of documents, not of versions (makeLean).
	lean     bool
	newest   map[[32]byte]leanVersion // by leanKey of the document id
	versions int                      // document versions applied
	// index, in a v4 ledger, gathers the records of the current index
	// blocks (FORMAT.md §2.4); indexed is what the newest entry completed.
	index   *docindex.Blocks
	indexed docindex.Completed
	recs    []docindex.Record // scratch
	// rootOf, rootEnd and rootHash cache root(): the root of tree when it
	// held rootEnd leaves.
	rootOf   *compact.Range
	rootEnd  uint64
	rootHash [32]byte
}

// leanVersion is what a lean state keeps of a document's newest version:
// what the next version's link and a translation's are checked against
// (applyDocument, checkTranslation, and Ledger.checkVersion when an
// Appender links to it). It holds no pointer, so the garbage collector
// never scans the map of a million-entry ledger's documents.
type leanVersion struct {
	version, entry uint64
	size           int64
	sha256         [32]byte
}

// leanKey is the key of document id in a lean state's map: its SHA-256,
// so that the map holds no pointer either.
func leanKey(id string) [32]byte { return sha256.Sum256([]byte(id)) }

// leanOf is what a lean state keeps of v.
func leanOf(v *Version) leanVersion {
	lv := leanVersion{version: v.Version, entry: v.Entry, size: v.Size}
	if _, err := hex.Decode(lv.sha256[:], []byte(v.SHA256)); err != nil {
		panic("ledger: a version's SHA-256 is not hex: " + v.SHA256)
	}
	return lv
}

// full is the Version a lean state holds of document id.
func (lv leanVersion) full(id string) *Version {
	return &Version{Doc: id, Version: lv.version, Entry: lv.entry, SHA256: hex.EncodeToString(lv.sha256[:]), Size: lv.size}
}

// makeLean makes s a lean state, keeping of the versions it holds only
// each document's newest.
func (s *state) makeLean() {
	if s.lean {
		return
	}
	s.lean, s.newest = true, make(map[[32]byte]leanVersion, len(s.docs))
	for id, vs := range s.docs {
		if len(vs) > 0 {
			s.newest[leanKey(id)] = leanOf(vs[len(vs)-1])
		}
	}
	s.docs, s.byDigest, s.byText = map[string][]*Version{}, map[string][]*Version{}, map[string][]*Version{}
}

// documents is the number of documents with a version applied.
func (s *state) documents() int {
	if s.lean {
		return len(s.newest)
	}
	return len(s.docs)
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

// root is the RFC 6962 root hash of the entries applied so far. An entry
// is checked against the root before it (checkLink) and its checkpoint
// against the root after it: the cache computes each root once.
func (s *state) root() [32]byte {
	if s.rootOf != s.tree || s.rootEnd != s.tree.End() {
		s.rootOf, s.rootEnd, s.rootHash = s.tree, s.tree.End(), rangeRoot(s.tree)
	}
	return s.rootHash
}

// rangeRoot is the RFC 6962 root hash of a compact range starting at 0:
// compact.Range.GetRootHash without its allocation of every node hashed on
// the way (TestRangeRoot compares the two).
func rangeRoot(r *compact.Range) [32]byte {
	if r.Begin() != 0 {
		panic("ledger: compact range does not start at 0")
	}
	hs := r.Hashes()
	if len(hs) == 0 {
		return emptyRoot
	}
	var out [32]byte
	copy(out[:], hs[len(hs)-1])
	// RFC 6962 §2.1: an interior node is SHA-256(0x01 || left || right).
	var node [1 + 2*sha256.Size]byte
	node[0] = rfc6962.RFC6962NodeHashPrefix
	for i := len(hs) - 2; i >= 0; i-- {
		copy(node[1:], hs[i])
		copy(node[1+sha256.Size:], out[:])
		out = sha256.Sum256(node[:])
	}
	return out
}

// emptyRoot is the root of the empty tree.
var emptyRoot = [32]byte(rfc6962.DefaultHasher.EmptyRoot())

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
	return s.applyHashed(env.Statement, sumsOf(env.Raw))
}

// entrySums are the hashes of an entry's envelope bytes the state records:
// its RFC 6962 leaf hash and its EntryHash.
type entrySums struct{ leaf, entry [32]byte }

func sumsOf(envelope []byte) entrySums {
	return entrySums{leaf: records.LeafHash(envelope), entry: records.EntryHash(envelope)}
}

// applyHashed is apply of the envelope whose statement is st and whose
// bytes have the sums: a verifier's workers hash the envelopes they read,
// so that only their statements wait to be applied.
func (s *state) applyHashed(st *records.Statement, sums entrySums) (*keys.PublicKey, error) {
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
	leaf := sums.leaf
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
	s.lastHash = sums.entry
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
	if !hexEqual(p.PreviousEntry, s.lastHash[:]) {
		return fmt.Errorf("previous-entry hash %s does not match entry %d (%s): the chain is broken", short(p.PreviousEntry), s.size-1, short(hex.EncodeToString(s.lastHash[:])))
	}
	if root := s.root(); !hexEqual(p.MerkleRoot, root[:]) {
		return fmt.Errorf("Merkle root %s does not match the %d entries before it (%s)", short(p.MerkleRoot), s.size, short(hexRoot(root)))
	}
	if s.lastCheckpoint != nil && !hexEqual(p.PreviousCheckpoint, s.lastCheckpoint) {
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
	var key [32]byte
	if s.lean {
		key = leanKey(d.ID)
	}
	prev, err := s.previous(d, key)
	if err != nil {
		return err
	}
	var want uint64 = 1
	if prev != nil {
		want = prev.version + 1
	}
	if d.Version != want {
		return fmt.Errorf("%s is version %d, but the next version is %d", d.ID, d.Version, want)
	}
	if prev != nil && (d.Previous.Entry != prev.entry || !prev.sameDigest) {
		return fmt.Errorf("%s version %d does not link to version %d (entry %d)", d.ID, d.Version, prev.version, prev.entry)
	}
	s.versions++
	if d.HashOnly {
		s.hashOnly++
	}
	if s.lean {
		lv := leanVersion{version: d.Version, entry: st.Predicate.Entry, size: d.Size}
		if _, err := hex.Decode(lv.sha256[:], []byte(st.Subject[0].Digest.SHA256)); err != nil {
			return fmt.Errorf("subject digest %q is not hex", st.Subject[0].Digest.SHA256) // records validated it
		}
		s.newest[key] = lv
		return nil
	}
	v := versionOf(st)
	digest := st.Subject[0].Digest.SHA256
	s.docs[d.ID] = append(s.docs[d.ID], v)
	s.byDigest[digest] = append(s.byDigest[digest], v)
	s.indexText(v)
	return nil
}

// linked is the version a new version d of a document must follow, and
// whether d's link records that version's SHA-256.
type linked struct {
	version, entry uint64
	sameDigest     bool
}

// previous returns the newest version of d's document, found in the state
// (in a lean one under key) or, if d links to one the state does not hold,
// through older; nil if there is none.
func (s *state) previous(d *records.Document, key [32]byte) (*linked, error) {
	if s.lean {
		if lv, ok := s.newest[key]; ok {
			return &linked{lv.version, lv.entry, d.Previous != nil && hexEqual(d.Previous.SHA256, lv.sha256[:])}, nil
		}
	} else if v := s.latest(d.ID); v != nil {
		return &linked{v.Version, v.Entry, d.Previous != nil && d.Previous.SHA256 == v.SHA256}, nil
	}
	if s.older == nil || d.Previous == nil {
		return nil, nil
	}
	v, err := s.older(d.ID, d.Previous)
	if err != nil || v == nil {
		return nil, err
	}
	return &linked{v.Version, v.Entry, d.Previous.SHA256 == v.SHA256}, nil
}

// version returns version ver of document id if the state holds it: a
// lean state holds only the newest.
func (s *state) version(id string, ver uint64) *Version {
	if ver == 0 {
		return nil
	}
	if s.lean {
		if v := s.latest(id); v != nil && v.Version == ver {
			return v
		}
		return nil
	}
	if vs := s.docs[id]; ver <= uint64(len(vs)) {
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

// latest returns the newest version of id, or nil: in a lean state, only
// the fields leanVersion keeps.
func (s *state) latest(id string) *Version {
	if s.lean {
		if lv, ok := s.newest[leanKey(id)]; ok {
			return lv.full(id)
		}
		return nil
	}
	if vs := s.docs[id]; len(vs) > 0 {
		return vs[len(vs)-1]
	}
	return nil
}

func hexRoot(r [32]byte) string { return hex.EncodeToString(r[:]) }

// hexEqual reports whether s is the lowercase hex encoding of b, as
// s == hex.EncodeToString(b) would, without allocating it.
func hexEqual(s string, b []byte) bool {
	if len(s) != 2*len(b) {
		return false
	}
	const digits = "0123456789abcdef"
	for i, c := range b {
		if s[2*i] != digits[c>>4] || s[2*i+1] != digits[c&15] {
			return false
		}
	}
	return true
}

// short abbreviates a hex hash for messages.
func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
