// Package bundle reads, writes and verifies verbatim's offline proof
// bundles: one self-contained JSON file that lets anyone check that a
// document is a version registered in a ledger, with no ledger, no network
// and no other file, given only the ledger's public key. docs/BUNDLE.md is
// the specification.
//
// A bundle holds the version's DSSE envelope, the signer's public key, an
// RFC 6962 inclusion proof of the entry, and the signed checkpoint the proof
// leads to. Verify checks, in order: the key is the trusted one; the
// envelope is signed by it; the document's SHA-256 and size are the ones the
// envelope records; the inclusion proof leads from the entry to the
// checkpoint's root; the checkpoint is signed by the key. Trust comes only
// from the fingerprint the caller supplies, never from the bundle.
package bundle

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/records"
	"github.com/verbatim-ledger/verbatim/textform"
)

// Format is the value of a version 1 bundle's "format" field.
const Format = "verbatim-bundle/v1"

// Limits that make hostile bundles cheap to refuse.
const (
	maxBundleSize = 1 << 20
	maxProofLen   = 64 // a tree of 2^64 leaves needs at most 64 hashes
)

var (
	// ErrMalformed is wrapped by errors for bytes that are not a bundle.
	ErrMalformed = errors.New("malformed bundle")
	// ErrFailed is wrapped by errors for a bundle that does not prove what
	// it claims, or not for this document or this key.
	ErrFailed = errors.New("bundle verification failed")
)

// Bundle is an offline proof that one document version is in a ledger.
type Bundle struct {
	Format     string    `json:"format"`
	Ledger     string    `json:"ledger"`
	Entry      uint64    `json:"entry"`
	Envelope   []byte    `json:"envelope"`   // the entry's envelope bytes, exactly as stored (base64 in JSON)
	PublicKey  string    `json:"publicKey"`  // PEM public key that signed the entry and the checkpoint
	Inclusion  Inclusion `json:"inclusion"`  // RFC 6962 inclusion proof of the entry in the checkpoint's tree
	Checkpoint string    `json:"checkpoint"` // the signed checkpoint note, with any witness cosignatures
	// RootKey and Keys connect an archivist's key, or a rotated root, to
	// the pinned root (keys.go); both are absent when one key signed the
	// entry and the checkpoint.
	RootKey string     `json:"rootKey,omitempty"`
	Keys    []KeyProof `json:"keys,omitempty"`
}

// Inclusion is an RFC 6962 inclusion proof (§2.1.1).
type Inclusion struct {
	LeafIndex uint64   `json:"leafIndex"`
	TreeSize  uint64   `json:"treeSize"`
	Hashes    [][]byte `json:"hashes"` // base64 in JSON, 32 bytes each
}

// Marshal encodes b as indented JSON.
func (b *Bundle) Marshal() []byte {
	out, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("bundle: cannot encode: %v", err))
	}
	return append(out, '\n')
}

// Parse decodes a bundle and checks its form (not what it proves). Errors
// wrap ErrMalformed.
func Parse(data []byte) (*Bundle, error) {
	if len(data) > maxBundleSize {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrMalformed, len(data), maxBundleSize)
	}
	var b Bundle
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the bundle", ErrMalformed)
	}
	switch {
	case b.Format != Format:
		return nil, fmt.Errorf("%w: format %q, want %q", ErrMalformed, b.Format, Format)
	case len(b.Envelope) == 0 || b.PublicKey == "" || b.Checkpoint == "":
		return nil, fmt.Errorf("%w: envelope, publicKey and checkpoint are required", ErrMalformed)
	case len(b.Inclusion.Hashes) > maxProofLen:
		return nil, fmt.Errorf("%w: inclusion proof of %d hashes", ErrMalformed, len(b.Inclusion.Hashes))
	}
	if err := checkBase64(data); err != nil {
		return nil, err
	}
	if err := checkKeysForm(&b, data); err != nil {
		return nil, err
	}
	for i, h := range b.Inclusion.Hashes {
		if len(h) != sha256.Size {
			return nil, fmt.Errorf("%w: inclusion hash %d is %d bytes, want 32", ErrMalformed, i, len(h))
		}
	}
	return &b, nil
}

// checkBase64 refuses a bundle whose base64 fields are not in the one
// canonical encoding (FORMAT.md §3.1), which encoding/json does not check:
// it ignores line breaks and non-zero padding bits.
func checkBase64(data []byte) error {
	var raw struct {
		Envelope  string `json:"envelope"`
		Inclusion struct {
			Hashes []string `json:"hashes"`
		} `json:"inclusion"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if _, err := records.DecodeBase64(raw.Envelope); err != nil {
		return fmt.Errorf("%w: envelope is not canonical base64: %w", ErrMalformed, err)
	}
	for i, h := range raw.Inclusion.Hashes {
		if _, err := records.DecodeBase64(h); err != nil {
			return fmt.Errorf("%w: inclusion hash %d is not canonical base64: %w", ErrMalformed, i, err)
		}
	}
	return nil
}

// Result is what a verified bundle establishes.
type Result struct {
	Statement  *records.Statement
	Signer     keys.Fingerprint
	Checkpoint *checkpoint.Checkpoint
	Roots      []keys.Fingerprint // the chain of root keys the bundle's key entries show (chained bundles only)
	SignerName string             // the signer's name from its add or rotate entry, if the bundle carries one
	// Text is set when the document's bytes differ from the registered
	// ones but its normalised text is the signed text identity (a text
	// match, docs/TEXT.md §2); Changes are then the normalisations the
	// document needed (offline, the registered bytes' own are not known).
	Text    bool
	Changes textform.Changes
}

// Verify checks that document is the version b proves registered, under the
// key with fingerprint trust. Errors wrap ErrFailed, or ErrMalformed for
// parts that do not decode.
func (b *Bundle) Verify(document []byte, trust keys.Fingerprint) (*Result, error) {
	if b.chained() {
		return b.verifyChained(document, trust)
	}
	pub, err := keys.ParsePublicKey([]byte(b.PublicKey))
	if err != nil {
		return nil, fmt.Errorf("%w: publicKey: %w", ErrMalformed, err)
	}
	if string(pub.PEM()) != b.PublicKey {
		return nil, fmt.Errorf("%w: publicKey is not the canonical PEM of its key (64-character base64 lines, one final newline, nothing else)", ErrMalformed)
	}
	if pub.Fingerprint() != trust {
		return nil, fmt.Errorf("%w: the bundle's key %s is not the trusted key %s", ErrFailed, pub.Fingerprint(), trust)
	}
	env, err := records.ParseEnvelope(b.Envelope)
	if err != nil {
		return nil, fmt.Errorf("%w: envelope: %w", ErrMalformed, err)
	}
	st := env.Statement
	text, changes, err := b.checkEntry(env, pub, document)
	if err != nil {
		return nil, err
	}
	cp, err := checkpoint.ParseCosigned([]byte(b.Checkpoint), st.Predicate.Ledger, pub)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFailed, err)
	}
	in := b.Inclusion
	if cp.Size != in.TreeSize {
		return nil, fmt.Errorf("%w: the inclusion proof is for a tree of %d entries, the checkpoint for %d", ErrFailed, in.TreeSize, cp.Size)
	}
	if in.LeafIndex != b.Entry || in.LeafIndex >= in.TreeSize {
		return nil, fmt.Errorf("%w: the inclusion proof is for entry %d of %d, the bundle for entry %d", ErrFailed, in.LeafIndex, in.TreeSize, b.Entry)
	}
	leaf := records.LeafHash(b.Envelope)
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, in.LeafIndex, in.TreeSize, leaf[:], in.Hashes, cp.Root[:]); err != nil {
		return nil, fmt.Errorf("%w: the inclusion proof does not lead from the entry to the checkpoint's root: %w", ErrFailed, err)
	}
	return &Result{Statement: st, Signer: pub.Fingerprint(), Checkpoint: cp, Text: text, Changes: changes}, nil
}

// checkEntry checks the envelope's signature and that it registers
// document: its exact bytes, or (text) its normalised text.
func (b *Bundle) checkEntry(env *records.ParsedEnvelope, pub *keys.PublicKey, document []byte) (text bool, changes textform.Changes, err error) {
	st := env.Statement
	p := &st.Predicate
	switch {
	case env.KeyID != string(pub.Fingerprint()):
		return false, 0, fmt.Errorf("%w: the envelope is signed by key %s, not the bundle's key", ErrFailed, short(env.KeyID))
	case env.Verify(pub) != nil:
		return false, 0, fmt.Errorf("%w: the envelope's signature does not verify: it was altered", ErrFailed)
	case p.Document == nil:
		return false, 0, fmt.Errorf("%w: entry %d registers no document", ErrFailed, p.Entry)
	case p.Ledger != b.Ledger || p.Entry != b.Entry:
		return false, 0, fmt.Errorf("%w: the envelope is entry %d of %s, the bundle claims entry %d of %s", ErrFailed, p.Entry, p.Ledger, b.Entry, b.Ledger)
	}
	sum := sha256.Sum256(document)
	if got, want := hex.EncodeToString(sum[:]), st.Subject[0].Digest.SHA256; got != want {
		if changes, ok := textMatch(p.Document, document); ok {
			return true, changes, nil
		}
		return false, 0, fmt.Errorf("%w: the document is not the registered version: its SHA-256 is %s, the bundle proves %s (%s version %d), and its text is not that version's either",
			ErrFailed, short(got), short(want), p.Document.ID, p.Document.Version)
	}
	if int64(len(document)) != p.Document.Size {
		return false, 0, fmt.Errorf("%w: the document is %d bytes, the entry records %d", ErrFailed, len(document), p.Document.Size)
	}
	return false, 0, nil
}

// textMatch reports whether document's normalised text is the signed text
// identity d records, and the normalisations it needed.
func textMatch(d *records.Document, document []byte) (textform.Changes, bool) {
	if d.Text == nil {
		return 0, false
	}
	sum, changes, err := textform.Sum(document)
	return changes, err == nil && sum == d.Text.SHA256
}

func short(h string) string {
	if len(h) > 16 {
		return h[:16]
	}
	return h
}
