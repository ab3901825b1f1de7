package records

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors.json from the current code")

const vectorsFile = "testdata/vectors.json"

// vectors is the layout of testdata/vectors.json, the test vectors
// docs/FORMAT.md §9 cites. Byte strings that are text are stored as JSON
// strings holding exactly those bytes.
type vectors struct {
	Comment     string        `json:"comment"`
	Seed        string        `json:"seed"`         // hex Ed25519 seed (RFC 8032 private key)
	PublicKey   string        `json:"publicKey"`    // hex raw Ed25519 public key
	PublicDER   string        `json:"publicKeyDER"` // base64 DER SubjectPublicKeyInfo, as in the genesis
	Fingerprint string        `json:"fingerprint"`  // hex SHA-256 of the DER
	Document    vectorDoc     `json:"document"`
	Entries     []vectorEntry `json:"entries"`
	Rules       []fieldRule   `json:"rules"`  // field values to accept and reject (FORMAT.md §3.3)
	DocIDs      []vectorDocID `json:"docIDs"` // FORMAT.md §3.5: ids derived from file names
	// KeyStatements are key entries (FORMAT.md §3.7) in place of entry 1,
	// about the key with seed bytes 0x21 … 0x40, signed by the vectors' key.
	KeyStatements []vectorKeyStatement `json:"keyStatements"`
}

type vectorKeyStatement struct {
	Action    string `json:"action"`
	Statement string `json:"statement"`
	Envelope  string `json:"envelope"`
}

// vectorDocID is a file name and the document id derived from it, or ""
// when none can be (the user must give one).
type vectorDocID struct {
	FileName string `json:"fileName"`
	ID       string `json:"id"`
}

type vectorDoc struct {
	File   string `json:"file"`   // relative to the repository root
	Size   int    `json:"size"`   // bytes
	SHA256 string `json:"sha256"` // hex
}

type vectorEntry struct {
	Entry     uint64 `json:"entry"`
	Kind      string `json:"kind"`
	Statement string `json:"statement"` // the payload: canonical statement bytes
	Envelope  string `json:"envelope"`  // the envelope.json bytes
	EntryHash string `json:"entryHash"` // hex SHA-256(envelope)
	LeafHash  string `json:"leafHash"`  // hex SHA-256(0x00 || envelope)
	Hashes    string `json:"hashes"`    // hex of the entry's hashes file (FORMAT.md §2.2)
	// EntriesTree is the git tree ID of entries/ in the entry's commit:
	// the checkpoint's entries line.
	EntriesTree string `json:"entriesTree"`
	Checkpoint  string `json:"checkpoint"` // the checkpoint stored with the entry (FORMAT.md §5)
}

// makeVectors builds the test vectors from the fixed key, time and document.
func makeVectors(t *testing.T) []byte {
	f := newFixture(t)
	entryHash := func(env []byte) string { return hexHash(EntryHash(env)) }
	leafHash := func(env []byte) string { return hexHash(LeafHash(env)) }
	// Entry 1's hashes file: its leaf hash, then the root of leaves 0 … 1
	// (FORMAT.md §2.2); the checkpoint after it covers both entries.
	leaf1, root2 := LeafHash(f.docEnv), rootOf(f.genesisEnv, f.docEnv)
	docFiles := vectorEntryFiles{envelope: f.docEnv, hashes: append(leaf1[:], root2[:]...), document: f.content}
	genesisTree := entriesTreeID([]vectorEntryFiles{f.genesisFiles})
	docTree := entriesTreeID([]vectorEntryFiles{f.genesisFiles, docFiles})
	docCP := checkpointFor(t, f.key, 2, root2, docTree)
	v := vectors{
		Comment: "Test vectors for " + FormatVersion + " (docs/FORMAT.md §9): a genesis and one document entry signed with a fixed Ed25519 key, and document ids derived from file names (§3.5). " +
			"Ed25519 signatures are deterministic, so every byte here is reproducible. " +
			"Regenerate with: go test ./records -run TestVectors -update",
		Seed:        hex.EncodeToString(goldenSeed()),
		PublicKey:   hex.EncodeToString(f.key.pub),
		PublicDER:   f.spec.PublicKey,
		Fingerprint: f.spec.Fingerprint,
		Document:    vectorDoc{File: "examples/prisoners-letter-2016.txt", Size: len(f.content), SHA256: sha256Hex(f.content)},
		Entries: []vectorEntry{
			{0, "genesis", string(mustMarshal(t, f.genesis)), string(f.genesisEnv), entryHash(f.genesisEnv), leafHash(f.genesisEnv),
				hex.EncodeToString(f.genesisFiles.hashes), hex.EncodeToString(genesisTree[:]), string(f.genesisCP)},
			{1, "document", string(mustMarshal(t, f.doc)), string(f.docEnv), entryHash(f.docEnv), leafHash(f.docEnv),
				hex.EncodeToString(docFiles.hashes), hex.EncodeToString(docTree[:]), string(docCP)},
		},
		Rules: fieldRules(),
	}
	for _, action := range []string{KeyAdd, KeyRevoke, KeyRotate} {
		st := keyStatement(f, action)
		env, err := Sign(st, f.spec.Fingerprint, f.key)
		if err != nil {
			t.Fatal(err)
		}
		v.KeyStatements = append(v.KeyStatements, vectorKeyStatement{Action: action, Statement: string(mustMarshal(t, st)), Envelope: string(env)})
	}
	for _, d := range docIDDerivations {
		if !utf8.ValidString(d.name) {
			continue // JSON strings hold only valid UTF-8
		}
		id, _ := DocIDFromPath(d.name)
		v.DocIDs = append(v.DocIDs, vectorDocID{FileName: d.name, ID: id})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encoding vectors: %v", err)
	}
	return buf.Bytes()
}

// rootOf is the RFC 6962 root of a two-leaf tree.
func rootOf(a, b []byte) [32]byte {
	var r [32]byte
	copy(r[:], rfc6962.DefaultHasher.HashChildren(rfc6962.DefaultHasher.HashLeaf(a), rfc6962.DefaultHasher.HashLeaf(b)))
	return r
}

// TestVectors regenerates testdata/vectors.json and compares it byte for
// byte with the stored file; -update rewrites the file instead.
func TestVectors(t *testing.T) {
	got := makeVectors(t)
	if *update {
		if err := os.MkdirAll(filepath.Dir(vectorsFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(vectorsFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", vectorsFile)
		return
	}
	want, err := os.ReadFile(vectorsFile)
	if err != nil {
		t.Fatalf("%v (run go test ./records -run TestVectors -update to create it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("%s line %d:\n got %s\nwant %s\nThe encoding changed; if that is intended, run with -update and update docs/FORMAT.md", vectorsFile, i+1, g, w)
		}
	}
	t.Fatalf("%s differs from the regenerated vectors", vectorsFile)
}

// TestVectorsFile checks the stored vectors on their own, as an independent
// implementation would use them: the key derives from the seed, every
// statement and envelope parses and verifies, the hashes are right and the
// entries chain.
func TestVectorsFile(t *testing.T) {
	raw, err := os.ReadFile(vectorsFile)
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %s: %v", vectorsFile, err)
	}

	seed, err := hex.DecodeString(v.Seed)
	if err != nil || len(seed) != ed25519.SeedSize {
		t.Fatalf("seed %q is not 32 hex bytes", v.Seed)
	}
	for i, b := range seed {
		if b != byte(i+1) {
			t.Fatalf("seed = %s, want bytes 0x01 … 0x20", v.Seed)
		}
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	key := edKey{priv: priv, pub: pub}
	if got := hex.EncodeToString(pub); got != v.PublicKey {
		t.Errorf("public key from seed = %s, want %s", got, v.PublicKey)
	}
	der, _ := x509.MarshalPKIXPublicKey(pub)
	if got := base64.StdEncoding.EncodeToString(der); got != v.PublicDER {
		t.Errorf("public key DER = %s, want %s", got, v.PublicDER)
	}
	if got := sha256Hex(der); got != v.Fingerprint {
		t.Errorf("fingerprint = %s, want %s", got, v.Fingerprint)
	}

	content, err := os.ReadFile(filepath.Join("..", v.Document.File))
	if err != nil {
		t.Fatal(err)
	}
	if len(content) != v.Document.Size || sha256Hex(content) != v.Document.SHA256 {
		t.Errorf("document %s is %d bytes with SHA-256 %s, want %d bytes, %s", v.Document.File, len(content), sha256Hex(content), v.Document.Size, v.Document.SHA256)
	}

	if len(v.Entries) != 2 {
		t.Fatalf("%d entries, want 2", len(v.Entries))
	}
	verifier, err := note.NewVerifier(mustVerifierKey(t, testLedger, pub))
	if err != nil {
		t.Fatal(err)
	}
	var leaves [][]byte
	var files []vectorEntryFiles
	for i, e := range v.Entries {
		env := []byte(e.Envelope)
		if e.Entry != uint64(i) {
			t.Errorf("entries[%d].entry = %d", i, e.Entry)
		}
		p, err := ParseEnvelope(env)
		if err != nil {
			t.Fatalf("entry %d: ParseEnvelope = %v", i, err)
		}
		if err := p.Verify(key); err != nil {
			t.Errorf("entry %d: Verify = %v", i, err)
		}
		if string(p.Payload) != e.Statement {
			t.Errorf("entry %d: envelope payload =\n%s\nwant the statement\n%s", i, p.Payload, e.Statement)
		}
		if _, err := ParseStatement([]byte(e.Statement)); err != nil {
			t.Errorf("entry %d: ParseStatement = %v", i, err)
		}
		if got := sha256Hex(env); got != e.EntryHash {
			t.Errorf("entry %d: SHA-256(envelope) = %s, want entryHash %s", i, got, e.EntryHash)
		}
		if got := hex.EncodeToString(rfc6962.DefaultHasher.HashLeaf(env)); got != e.LeafHash {
			t.Errorf("entry %d: RFC 6962 leaf hash = %s, want leafHash %s", i, got, e.LeafHash)
		}
		pr := p.Statement.Predicate
		if pr.Entry != e.Entry || pr.Ledger != testLedger || pr.Time != testTime || pr.Signer != v.Fingerprint {
			t.Errorf("entry %d: predicate = %+v", i, pr)
		}

		// The merkleRoot is the root of the entries before this one.
		wantRoot := emptyRoot
		if i == 1 {
			wantRoot = hex.EncodeToString(rfc6962.DefaultHasher.HashLeaf(leaves[0]))
		}
		if pr.MerkleRoot != wantRoot {
			t.Errorf("entry %d: merkleRoot = %s, want %s", i, pr.MerkleRoot, wantRoot)
		}
		leaves = append(leaves, env)

		// The checkpoint stored with the entry covers entries 0 … i.
		n, err := note.Open([]byte(e.Checkpoint), note.VerifierList(verifier))
		if err != nil {
			t.Fatalf("entry %d: checkpoint does not verify: %v", i, err)
		}
		var root []byte
		if i == 0 {
			root = rfc6962.DefaultHasher.HashLeaf(leaves[0])
		} else {
			root = rfc6962.DefaultHasher.HashChildren(rfc6962.DefaultHasher.HashLeaf(leaves[0]), rfc6962.DefaultHasher.HashLeaf(leaves[1]))
		}
		wantHashes := rfc6962.DefaultHasher.HashLeaf(env)
		if i == 1 {
			wantHashes = append(wantHashes, root...)
		}
		if got := hex.EncodeToString(wantHashes); got != e.Hashes {
			t.Errorf("entry %d: hashes = %s, want %s", i, e.Hashes, got)
		}
		files = append(files, vectorEntryFiles{envelope: env, hashes: wantHashes})
		if i == 1 {
			files[1].document = content
		}
		tree := entriesTreeID(files)
		if got := hex.EncodeToString(tree[:]); got != e.EntriesTree {
			t.Errorf("entry %d: entries tree = %s, want %s", i, e.EntriesTree, got)
		}
		wantBody := testLedger + "\n" + strconv.Itoa(i+1) + "\n" + base64.StdEncoding.EncodeToString(root) + "\n" +
			"entries " + e.EntriesTree + "\n"
		if n.Text != wantBody {
			t.Errorf("entry %d: checkpoint body = %q, want %q", i, n.Text, wantBody)
		}
	}

	g := v.Entries[0]
	gs, _ := ParseStatement([]byte(g.Statement))
	if gs.PredicateType != GenesisType || gs.Predicate.Genesis.RootKey.PublicKey != v.PublicDER ||
		gs.Predicate.Genesis.RootKey.Fingerprint != v.Fingerprint || gs.Predicate.Genesis.RootKey.Algorithm != "ed25519" {
		t.Errorf("genesis = %+v, want the vectors' key", gs)
	}
	d := v.Entries[1]
	ds, _ := ParseStatement([]byte(d.Statement))
	if ds.PredicateType != DocumentType {
		t.Fatalf("entry 1 predicate type = %s", ds.PredicateType)
	}
	if ds.Predicate.PreviousEntry != g.EntryHash {
		t.Errorf("entry 1 previousEntry = %s, want entry 0's entryHash %s", ds.Predicate.PreviousEntry, g.EntryHash)
	}
	if got := sha256Hex([]byte(g.Checkpoint)); ds.Predicate.PreviousCheckpoint != got {
		t.Errorf("entry 1 previousCheckpoint = %s, want SHA-256 of entry 0's checkpoint %s", ds.Predicate.PreviousCheckpoint, got)
	}
	doc := ds.Predicate.Document
	if ds.Subject[0].Name != testDocID || doc.ID != testDocID || doc.Version != 1 || doc.Previous != nil {
		t.Errorf("entry 1 document = %+v, want version 1 of %s", doc, testDocID)
	}
	if ds.Subject[0].Digest.SHA256 != v.Document.SHA256 || doc.Size != int64(v.Document.Size) {
		t.Errorf("entry 1 subject digest %s, size %d; want %s, %d", ds.Subject[0].Digest.SHA256, doc.Size, v.Document.SHA256, v.Document.Size)
	}
}

func mustVerifierKey(t testing.TB, name string, pub ed25519.PublicKey) string {
	t.Helper()
	vkey, err := note.NewEd25519VerifierKey(name, pub)
	if err != nil {
		t.Fatal(err)
	}
	return vkey
}
