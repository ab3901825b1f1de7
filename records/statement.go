package records

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// In-toto and verbatim type URIs. The predicate type names the entry kind and
// the format revision: a change to a predicate's fields gets a new URI.
const (
	// StatementType is the in-toto Statement v1 type.
	StatementType = "https://in-toto.io/Statement/v1"
	// GenesisType is the predicate type of entry 0, which names the ledger and its root key.
	GenesisType = "https://verbatim.dev/ledger/genesis/v1"
	// DocumentType is the predicate type of a document version entry in a
	// format v3 ledger: v1's fields plus text, hashOnly and relations.
	DocumentType = "https://verbatim.dev/ledger/document/v2"
	// DocumentTypeV1 is the predicate type of a document version entry in a
	// format v2 ledger, which has none of the fields v2 adds.
	DocumentTypeV1 = "https://verbatim.dev/ledger/document/v1"
	// KeyType is the predicate type of a key event (add, revoke, rotate),
	// valid in format v3 and v4 ledgers only (FORMAT.md §3.7).
	KeyType = "https://verbatim.dev/ledger/key/v1"
)

// FormatVersion is the ledger format this package writes; it is recorded in
// the genesis entry. Format v4 differs from v3 only in the document index
// its tree holds (FORMAT.md §2.4); its entries are v3's.
const FormatVersion = "verbatim-ledger/v4"

// FormatV3 is the format before the index, which this package still reads
// and appends to under v3's rules: the tree holds no index.
const FormatV3 = "verbatim-ledger/v3"

// FormatV2 is the previous format, which this package still reads and
// appends to under v2's rules: its document ids are ASCII only
// (CheckDocIDIn).
const FormatV2 = "verbatim-ledger/v2"

// KnownFormat reports whether this package reads ledgers of format.
func KnownFormat(format string) bool {
	return format == FormatVersion || format == FormatV3 || format == FormatV2
}

// HasKeyEntries reports whether a ledger of format may hold key entries
// and archivist keys (FORMAT.md §3.7): v3 and later.
func HasKeyEntries(format string) bool { return format == FormatVersion || format == FormatV3 }

// HasIndex reports whether a ledger of format holds the document index
// (FORMAT.md §2.4): v4.
func HasIndex(format string) bool { return format == FormatVersion }

// TimeLayout is the only accepted encoding of a time: RFC 3339, UTC, seconds.
const TimeLayout = "2006-01-02T15:04:05Z"

// maxStatementSize bounds what ParseStatement reads; real statements are a
// few hundred bytes plus the user's note.
const maxStatementSize = 64 << 10

// ErrMalformed is wrapped by every error caused by bytes that are not a
// well-formed, canonical record.
var ErrMalformed = errors.New("malformed record")

// Statement is an in-toto Statement v1 with a verbatim predicate. Field order
// is the canonical order.
type Statement struct {
	Type          string    `json:"_type"`
	Subject       []Subject `json:"subject"`
	PredicateType string    `json:"predicateType"`
	Predicate     Predicate `json:"predicate"`
}

// Subject is an in-toto resource descriptor restricted to a name and a SHA-256 digest.
type Subject struct {
	Name   string `json:"name"`
	Digest Digest `json:"digest"`
}

// Digest holds a lowercase hex SHA-256.
type Digest struct {
	SHA256 string `json:"sha256"`
}

// Predicate is what every verbatim entry records. Exactly one of Genesis,
// Document and Key is set, as the statement's predicate type says.
type Predicate struct {
	Ledger        string `json:"ledger"`
	Entry         uint64 `json:"entry"`
	PreviousEntry string `json:"previousEntry"` // hex EntryHash of entry-1; "" for genesis
	// PreviousCheckpoint is the hex SHA-256 of the checkpoint stored with
	// entry-1 ("" for genesis), so that every checkpoint but the newest is
	// covered by a later entry's signature.
	PreviousCheckpoint string    `json:"previousCheckpoint"`
	MerkleRoot         string    `json:"merkleRoot"` // hex RFC 6962 root of entries [0, Entry)
	Time               string    `json:"time"`       // TimeLayout
	Signer             string    `json:"signer"`     // key fingerprint
	Genesis            *Genesis  `json:"genesis,omitempty"`
	Document           *Document `json:"document,omitempty"`
	Key                *KeyEvent `json:"key,omitempty"`
}

// Genesis is the kind-specific part of entry 0.
type Genesis struct {
	Format  string  `json:"format"` // FormatVersion
	RootKey KeySpec `json:"rootKey"`
}

// KeySpec describes a public key recorded in the ledger.
type KeySpec struct {
	Fingerprint string `json:"fingerprint"` // hex SHA-256 of PublicKey's bytes
	Algorithm   string `json:"algorithm"`   // "ecdsa-p256" or "ed25519"
	PublicKey   string `json:"publicKey"`   // base64 of the DER SubjectPublicKeyInfo
}

// Document is the kind-specific part of a document version entry.
type Document struct {
	ID        string       `json:"id"`
	Version   uint64       `json:"version"`
	Previous  *VersionLink `json:"previous,omitempty"` // set iff Version > 1
	MediaType string       `json:"mediaType"`
	Size      int64        `json:"size"`
	Text      *TextID      `json:"text,omitempty"`      // DocumentType only; set iff the bytes are UTF-8 text
	HashOnly  bool         `json:"hashOnly,omitempty"`  // DocumentType only; the entry has no document file
	Relations *Relations   `json:"relations,omitempty"` // DocumentType only
	Title     string       `json:"title,omitempty"`
	Source    string       `json:"source,omitempty"`
	Language  string       `json:"language,omitempty"`
	Note      string       `json:"note,omitempty"`
}

// TextID is a document's text identity (docs/TEXT.md §2, §4): the hex
// SHA-256 of its normalised text form and, optionally, its similarity
// sketch (684 characters of base64).
type TextID struct {
	SHA256 string `json:"sha256"`
	Sketch string `json:"sketch,omitempty"`
}

// Relations links a document version to versions of other documents.
type Relations struct {
	TranslationOf *DocumentLink `json:"translationOf,omitempty"`
}

// DocumentLink points to a version of any document by id, version, entry
// and digest.
type DocumentLink struct {
	ID      string `json:"id"`
	Version uint64 `json:"version"`
	Entry   uint64 `json:"entry"`
	SHA256  string `json:"sha256"`
}

// DocumentTypeFor is the document predicate type a ledger of format writes
// and accepts: DocumentTypeV1 in a v2 ledger, DocumentType in a v3 one.
func DocumentTypeFor(format string) string {
	if format == FormatV2 {
		return DocumentTypeV1
	}
	return DocumentType
}

// VersionLink points from a document version to the one it follows.
type VersionLink struct {
	Version uint64 `json:"version"`
	Entry   uint64 `json:"entry"`
	SHA256  string `json:"sha256"`
}

// Marshal returns the canonical encoding of s after checking it is valid
// and no larger than ParseStatement accepts.
func (s *Statement) Marshal() ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	b := appendStatement(make([]byte, 0, 2048), s)
	if len(b) > maxStatementSize {
		return nil, fmt.Errorf("%w: statement is %d bytes encoded, more than %d (shorten the title, source or note)", ErrMalformed, len(b), maxStatementSize)
	}
	return b, nil
}

// ParseStatement decodes a statement, accepting only its canonical encoding
// and only valid content. Errors wrap ErrMalformed.
func ParseStatement(b []byte) (*Statement, error) {
	if len(b) > maxStatementSize {
		return nil, fmt.Errorf("%w: statement is %d bytes, more than %d", ErrMalformed, len(b), maxStatementSize)
	}
	if s, ok := scanStatement(b); ok {
		if err := s.Validate(); err != nil {
			return nil, err
		}
		return s, nil
	}
	// Not canonical, or with escapes in a string: encoding/json decides
	// which and says what is wrong.
	var s Statement
	if err := strictUnmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%w: statement: %w", ErrMalformed, err)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if c, err := canonicalJSON(&s); err != nil || !bytes.Equal(c, b) {
		return nil, fmt.Errorf("%w: statement is not in canonical form", ErrMalformed)
	}
	return &s, nil
}

// clone returns a deep copy of s.
func (s *Statement) clone() *Statement {
	c := *s
	c.Subject = slices.Clone(s.Subject)
	p := &c.Predicate
	if p.Genesis != nil {
		g := *p.Genesis
		p.Genesis = &g
	}
	if p.Key != nil {
		k := *p.Key
		p.Key = &k
	}
	if p.Document != nil {
		p.Document = p.Document.clone()
	}
	return &c
}

func (d *Document) clone() *Document {
	c := *d
	if d.Previous != nil {
		l := *d.Previous
		c.Previous = &l
	}
	if d.Text != nil {
		t := *d.Text
		c.Text = &t
	}
	if d.Relations != nil {
		r := *d.Relations
		if r.TranslationOf != nil {
			l := *r.TranslationOf
			r.TranslationOf = &l
		}
		c.Relations = &r
	}
	return &c
}

// TimeValue returns the predicate's time.
func (p *Predicate) TimeValue() time.Time {
	t, _ := time.Parse(TimeLayout, p.Time)
	return t
}

// FormatTime encodes t as TimeLayout in UTC, truncated to the second.
func FormatTime(t time.Time) string {
	return t.UTC().Format(TimeLayout)
}

// canonicalJSON is encoding/json without HTML escaping and without the trailing newline.
func canonicalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// strictUnmarshal rejects unknown fields and trailing data.
func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after JSON value")
	}
	return nil
}
