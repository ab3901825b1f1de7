package records

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"
	"unicode/utf8"
)

// Field limits. They keep records small and make hostile input cheap to refuse.
const (
	maxTextField = 4096 // title, source, language, note: bytes each
	maxMediaType = 255
)

// minTime is the earliest entry time (FORMAT.md §3.3); the layout's four
// digit year makes 9999-12-31T23:59:59Z the latest.
var minTime = time.Unix(0, 0).UTC()

// Validate checks that s is a well-formed verbatim statement on its own: the
// types, the field formats, and the rules that tie fields together (the genesis
// is signed by its root key; a document's subject is its id; version links are
// consecutive). What needs other entries (the chain, the Merkle root, who may
// sign) is the ledger's to check. Errors wrap ErrMalformed.
func (s *Statement) Validate() error {
	if err := s.validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return nil
}

func (s *Statement) validate() error {
	if s.Type != StatementType {
		return fmt.Errorf("_type is %q, want %q", s.Type, StatementType)
	}
	if len(s.Subject) != 1 {
		return fmt.Errorf("statement has %d subjects, want 1", len(s.Subject))
	}
	if !isHexHash(s.Subject[0].Digest.SHA256) {
		return fmt.Errorf("subject digest %q is not a lowercase hex SHA-256", s.Subject[0].Digest.SHA256)
	}
	if err := s.Predicate.validateCommon(); err != nil {
		return err
	}
	p := &s.Predicate
	switch s.PredicateType {
	case GenesisType:
		if p.Genesis == nil || p.Document != nil || p.Key != nil {
			return fmt.Errorf("genesis predicate must have exactly the genesis part")
		}
		return s.validateGenesis()
	case DocumentType, DocumentTypeV1:
		if p.Document == nil || p.Genesis != nil || p.Key != nil {
			return fmt.Errorf("document predicate must have exactly the document part")
		}
		if err := s.validateDocument(); err != nil {
			return err
		}
		return s.validateTextFields()
	case KeyType:
		if p.Key == nil || p.Genesis != nil || p.Document != nil {
			return fmt.Errorf("key predicate must have exactly the key part")
		}
		return s.validateKey()
	default:
		return fmt.Errorf("predicate type %q is not one this version of verbatim knows", s.PredicateType)
	}
}

func (p *Predicate) validateCommon() error {
	if err := CheckLedgerName(p.Ledger); err != nil {
		return err
	}
	if p.Entry == 0 && (p.PreviousEntry != "" || p.PreviousCheckpoint != "") {
		return fmt.Errorf("entry 0 has a previous entry or checkpoint hash")
	}
	if p.Entry > 0 && !isHexHash(p.PreviousEntry) {
		return fmt.Errorf("previous entry hash %q is not a lowercase hex SHA-256", p.PreviousEntry)
	}
	if p.Entry > 0 && !isHexHash(p.PreviousCheckpoint) {
		return fmt.Errorf("previous checkpoint hash %q is not a lowercase hex SHA-256", p.PreviousCheckpoint)
	}
	if !isHexHash(p.MerkleRoot) {
		return fmt.Errorf("merkle root %q is not a lowercase hex SHA-256", p.MerkleRoot)
	}
	if t, err := time.Parse(TimeLayout, p.Time); err != nil || t.Format(TimeLayout) != p.Time {
		return fmt.Errorf("time %q is not of the form %s", p.Time, TimeLayout)
	} else if t.Before(minTime) {
		// The commit records the time in Unix seconds (FORMAT.md §2.3),
		// which git does not allow to be negative.
		return fmt.Errorf("time %q is before 1970-01-01T00:00:00Z, the earliest allowed", p.Time)
	}
	if !isHexHash(p.Signer) {
		return fmt.Errorf("signer %q is not a key fingerprint (64 lowercase hex digits)", p.Signer)
	}
	return nil
}

func (s *Statement) validateGenesis() error {
	p := &s.Predicate
	g := p.Genesis
	if p.Entry != 0 {
		return fmt.Errorf("genesis predicate in entry %d; only entry 0 may be genesis", p.Entry)
	}
	if !KnownFormat(g.Format) {
		return fmt.Errorf("ledger format %q is not %q, %q or %q, the ones this version of verbatim reads", g.Format, FormatVersion, FormatV3, FormatV2)
	}
	if err := g.RootKey.validate(); err != nil {
		return fmt.Errorf("root key: %w", err)
	}
	if p.Signer != g.RootKey.Fingerprint {
		return fmt.Errorf("genesis is signed by %s, not by its root key %s", p.Signer, g.RootKey.Fingerprint)
	}
	if s.Subject[0].Name != p.Ledger || s.Subject[0].Digest.SHA256 != g.RootKey.Fingerprint {
		return fmt.Errorf("genesis subject must be the ledger name with the root key's fingerprint as digest")
	}
	return nil
}

func (k *KeySpec) validate() error {
	if k.Algorithm != "ecdsa-p256" && k.Algorithm != "ed25519" {
		return fmt.Errorf("algorithm %q is not ecdsa-p256 or ed25519", k.Algorithm)
	}
	der, err := base64.StdEncoding.Strict().DecodeString(k.PublicKey)
	if err != nil || len(der) == 0 || base64.StdEncoding.EncodeToString(der) != k.PublicKey {
		return fmt.Errorf("public key is not canonical base64")
	}
	sum := sha256.Sum256(der)
	if hex.EncodeToString(sum[:]) != k.Fingerprint {
		return fmt.Errorf("fingerprint %q does not match the public key", k.Fingerprint)
	}
	return nil
}

func (s *Statement) validateDocument() error {
	p := &s.Predicate
	d := p.Document
	if p.Entry == 0 {
		return fmt.Errorf("document predicate in entry 0, which must be genesis")
	}
	// The current format's id rule, which every v2 id also meets; that a
	// v2 ledger's ids are ASCII depends on its genesis, so the ledger checks
	// it (CheckDocIDIn).
	if err := CheckDocID(d.ID); err != nil {
		return err
	}
	if s.Subject[0].Name != d.ID {
		return fmt.Errorf("subject name %q is not the document id %q", s.Subject[0].Name, d.ID)
	}
	if d.Version == 0 {
		return fmt.Errorf("document version 0; versions start at 1")
	}
	switch {
	case d.Version == 1 && d.Previous != nil:
		return fmt.Errorf("version 1 links to a previous version")
	case d.Version > 1 && d.Previous == nil:
		return fmt.Errorf("version %d has no link to version %d", d.Version, d.Version-1)
	case d.Previous != nil:
		if d.Previous.Version != d.Version-1 || d.Previous.Entry >= p.Entry || !isHexHash(d.Previous.SHA256) {
			return fmt.Errorf("version %d has a malformed link to its previous version", d.Version)
		}
	}
	if d.Size < 0 {
		return fmt.Errorf("negative document size %d", d.Size)
	}
	if d.MediaType == "" || len(d.MediaType) > maxMediaType || !isText(d.MediaType) {
		return fmt.Errorf("media type %q is empty, too long or not printable", d.MediaType)
	}
	for _, f := range [...]struct{ name, v string }{{"title", d.Title}, {"source", d.Source}, {"language", d.Language}, {"note", d.Note}} {
		if err := CheckText(f.name, f.v); err != nil {
			return err
		}
	}
	return nil
}

// CheckText reports whether v may be stored in a text field (title, source,
// language, note): valid UTF-8, at most 4096 bytes.
func CheckText(field, v string) error {
	if !utf8.ValidString(v) {
		return fmt.Errorf("%s is not valid UTF-8", field)
	}
	if len(v) > maxTextField {
		return fmt.Errorf("%s is %d bytes, more than the %d allowed", field, len(v), maxTextField)
	}
	return nil
}

func isText(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return utf8.ValidString(s)
}

func isHexHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
