package records

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// Shared fixtures for the records tests: a deterministic Ed25519 key and
// valid genesis and document statements built from it.

const (
	testLedger  = "example.org/verbatim-test"
	testTime    = "2026-11-28T12:00:00Z"
	testDocID   = "prisoners-letter-2016"
	testDocPath = "../examples/prisoners-letter-2016.txt"
	testMedia   = "text/plain; charset=utf-8"
	// emptyRoot is the RFC 6962 root of the empty tree, SHA-256("").
	emptyRoot = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// edKey adapts an Ed25519 key pair to Signer and Verifier.
type edKey struct {
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
}

func (k edKey) Sign(msg []byte) ([]byte, error) { return ed25519.Sign(k.priv, msg), nil }

func (k edKey) Verify(msg, sig []byte) error {
	if !ed25519.Verify(k.pub, msg, sig) {
		return errors.New("ed25519: invalid signature")
	}
	return nil
}

// goldenSeed is the seed of the test vectors: bytes 0x01 … 0x20.
func goldenSeed() []byte {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i + 1)
	}
	return seed
}

// newEdKey returns the key for seed and its KeySpec.
func newEdKey(t testing.TB, seed []byte) (edKey, KeySpec) {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatalf("MarshalPKIXPublicKey: %v", err)
	}
	sum := sha256.Sum256(der)
	return edKey{priv: priv, pub: pub}, KeySpec{
		Fingerprint: hex.EncodeToString(sum[:]),
		Algorithm:   "ed25519",
		PublicKey:   base64.StdEncoding.EncodeToString(der),
	}
}

// goldenKey is the key of the test vectors.
func goldenKey(t testing.TB) (edKey, KeySpec) { return newEdKey(t, goldenSeed()) }

// otherKey is a second, unrelated key.
func otherKey(t testing.TB) (edKey, KeySpec) {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = 0xa0 + byte(i)
	}
	return newEdKey(t, seed)
}

func hexHash(b [32]byte) string { return hex.EncodeToString(b[:]) }

func sha256Hex(b []byte) string { return hexHash(sha256.Sum256(b)) }

// genesisStatement is a valid entry 0 for key.
func genesisStatement(key KeySpec) *Statement {
	return &Statement{
		Type:          StatementType,
		Subject:       []Subject{{Name: testLedger, Digest: Digest{SHA256: key.Fingerprint}}},
		PredicateType: GenesisType,
		Predicate: Predicate{
			Ledger:     testLedger,
			Entry:      0,
			MerkleRoot: emptyRoot,
			Time:       testTime,
			Signer:     key.Fingerprint,
			Genesis:    &Genesis{Format: FormatVersion, RootKey: key},
		},
	}
}

// noteSigner signs C2SP signed notes with an Ed25519 key.
type noteSigner struct {
	name string
	key  edKey
}

func (s noteSigner) Name() string { return s.name }

// KeyHash is the signed-note key hash: SHA-256(name || "\n" || 0x01 || key)[:4].
func (s noteSigner) KeyHash() uint32 {
	h := sha256.Sum256(append([]byte(s.name+"\n\x01"), s.key.pub...))
	return binary.BigEndian.Uint32(h[:4])
}

func (s noteSigner) Sign(msg []byte) ([]byte, error) { return s.key.Sign(msg) }

// checkpointFor is the checkpoint (FORMAT.md §5) of a ledger of size entries
// with Merkle root root and entries/ tree ID entries, signed by key.
func checkpointFor(t testing.TB, key edKey, size uint64, root [32]byte, entries [20]byte) []byte {
	t.Helper()
	body := fmt.Sprintf("%s\n%d\n%s\nentries %x\n", testLedger, size, base64.StdEncoding.EncodeToString(root[:]), entries)
	cp, err := note.Sign(&note.Note{Text: body}, noteSigner{name: testLedger, key: key})
	if err != nil {
		t.Fatalf("signing checkpoint: %v", err)
	}
	return cp
}

// documentStatement is a valid entry 1 registering version 1 of content,
// following the genesis envelope genesisEnv and its checkpoint genesisCP (a
// one-leaf tree, so its Merkle root is the genesis envelope's leaf hash).
func documentStatement(key KeySpec, genesisEnv, genesisCP, content []byte) *Statement {
	return &Statement{
		Type:          StatementType,
		Subject:       []Subject{{Name: testDocID, Digest: Digest{SHA256: sha256Hex(content)}}},
		PredicateType: DocumentType,
		Predicate: Predicate{
			Ledger:             testLedger,
			Entry:              1,
			PreviousEntry:      hexHash(EntryHash(genesisEnv)),
			PreviousCheckpoint: sha256Hex(genesisCP),
			MerkleRoot:         hexHash(LeafHash(genesisEnv)),
			Time:               testTime,
			Signer:             key.Fingerprint,
			Document: &Document{
				ID:        testDocID,
				Version:   1,
				MediaType: testMedia,
				Size:      int64(len(content)),
				Text:      textIDOf(content),
				Title:     "Letter by political prisoners to the Paris conference on the 1988 massacre",
				Language:  "en",
			},
		},
	}
}

// readExample reads the example document the golden vectors register.
func readExample(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(testDocPath)
	if err != nil {
		t.Fatalf("reading example document: %v", err)
	}
	return b
}

// fixture is a signed genesis and document built from the golden key.
type fixture struct {
	key        edKey
	spec       KeySpec
	content    []byte
	genesis    *Statement
	genesisEnv []byte
	genesisCP  []byte // the checkpoint stored with the genesis
	// genesisFiles is the genesis entry's directory (FORMAT.md §2.2).
	genesisFiles vectorEntryFiles
	doc          *Statement
	docEnv       []byte
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	key, spec := goldenKey(t)
	f := &fixture{key: key, spec: spec, content: readExample(t)}
	f.genesis = genesisStatement(spec)
	var err error
	if f.genesisEnv, err = Sign(f.genesis, spec.Fingerprint, key); err != nil {
		t.Fatalf("Sign(genesis) = %v", err)
	}
	leaf0 := LeafHash(f.genesisEnv)
	f.genesisFiles = vectorEntryFiles{envelope: f.genesisEnv, hashes: leaf0[:]}
	f.genesisCP = checkpointFor(t, key, 1, leaf0, entriesTreeID([]vectorEntryFiles{f.genesisFiles}))
	f.doc = documentStatement(spec, f.genesisEnv, f.genesisCP, f.content)
	if f.docEnv, err = Sign(f.doc, spec.Fingerprint, key); err != nil {
		t.Fatalf("Sign(document) = %v", err)
	}
	return f
}

// mustMarshal returns s.Marshal() or fails the test.
func mustMarshal(t testing.TB, s *Statement) []byte {
	t.Helper()
	b, err := s.Marshal()
	if err != nil {
		t.Fatalf("Marshal() = %v", err)
	}
	return b
}
