package records

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// cloneStatement returns a deep copy of s, so table cases can mutate freely.
func cloneStatement(s *Statement) *Statement {
	c := *s
	c.Subject = append([]Subject(nil), s.Subject...)
	if s.Predicate.Genesis != nil {
		g := *s.Predicate.Genesis
		c.Predicate.Genesis = &g
	}
	if s.Predicate.Document != nil {
		d := *s.Predicate.Document
		if d.Previous != nil {
			l := *d.Previous
			d.Previous = &l
		}
		if d.Text != nil {
			t := *d.Text
			d.Text = &t
		}
		c.Predicate.Document = &d
	}
	return &c
}

// asVersion2 turns a document statement into a valid version 2 in entry 5
// whose version 1 is in entry 3.
func asVersion2(s *Statement) {
	s.Predicate.Entry = 5
	s.Predicate.Document.Version = 2
	s.Predicate.Document.Previous = &VersionLink{Version: 1, Entry: 3, SHA256: sha256Hex([]byte("version 1"))}
}

func TestStatementRoundTrip(t *testing.T) {
	f := newFixture(t)
	_, other := otherKey(t)
	for _, tc := range []struct {
		name   string
		base   *Statement
		mutate func(*Statement)
	}{
		{"genesis", f.genesis, func(*Statement) {}},
		{"document", f.doc, func(*Statement) {}},
		{"genesis with other key", f.genesis, func(s *Statement) {
			s.Predicate.Genesis.RootKey = other
			s.Predicate.Signer = other.Fingerprint
			s.Subject[0].Digest.SHA256 = other.Fingerprint
		}},
		{"genesis with mixed-case ledger name", f.genesis, func(s *Statement) {
			s.Predicate.Ledger = "Archive.Example.ORG:8443/letters_2016"
			s.Subject[0].Name = s.Predicate.Ledger
		}},
		{"ecdsa-p256 algorithm label", f.genesis, func(s *Statement) { s.Predicate.Genesis.RootKey.Algorithm = "ecdsa-p256" }},
		{"document version 2", f.doc, asVersion2},
		{"document version 3 linking entry 0", f.doc, func(s *Statement) {
			s.Predicate.Document.Version = 3
			s.Predicate.Document.Previous = &VersionLink{Version: 2, Entry: 0, SHA256: emptyRoot}
		}},
		{"document without optional fields", f.doc, func(s *Statement) {
			s.Predicate.Document.Title = ""
			s.Predicate.Document.Language = ""
		}},
		{"document with all optional fields", f.doc, func(s *Statement) {
			d := s.Predicate.Document
			d.Title = `Notes <draft> & "quotes" \ back`
			d.Source = "https://example.org/a?b=1&c=<2>"
			d.Language = "fa"
			d.Note = "line 1\nline 2\ttab\r\x00\x01\x1f\x7f\u2028\u2029 نامه é \ufffd"
		}},
		{"empty document", f.doc, func(s *Statement) {
			s.Predicate.Document.Size = 0
			s.Subject[0].Digest.SHA256 = sha256Hex(nil)
		}},
		{"huge size and entry", f.doc, func(s *Statement) {
			s.Predicate.Document.Size = 1<<63 - 1
			s.Predicate.Entry = 1<<64 - 1
		}},
		{"title of 4096 bytes", f.doc, func(s *Statement) { s.Predicate.Document.Title = strings.Repeat("é", 2048) }},
		{"media type of 255 bytes", f.doc, func(s *Statement) { s.Predicate.Document.MediaType = strings.Repeat("m", 255) }},
		{"doc id of 128 characters", f.doc, func(s *Statement) {
			id := strings.Repeat("a", 128)
			s.Predicate.Document.ID = id
			s.Subject[0].Name = id
		}},
		{"earliest time", f.doc, func(s *Statement) { s.Predicate.Time = "1970-01-01T00:00:00Z" }},
		{"latest time", f.doc, func(s *Statement) { s.Predicate.Time = "9999-12-31T23:59:59Z" }},
		{"leap day", f.doc, func(s *Statement) { s.Predicate.Time = "2028-02-29T23:59:59Z" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := cloneStatement(tc.base)
			tc.mutate(s)
			if err := s.Validate(); err != nil {
				t.Fatalf("Validate() = %v, want nil", err)
			}
			b, err := s.Marshal()
			if err != nil {
				t.Fatalf("Marshal() = %v, want nil", err)
			}
			p, err := ParseStatement(b)
			if err != nil {
				t.Fatalf("ParseStatement(Marshal()) = %v, want nil\n%s", err, b)
			}
			if !reflect.DeepEqual(p, s) {
				t.Errorf("ParseStatement(Marshal(s)) = %+v, want %+v", p, s)
			}
			b2, err := p.Marshal()
			if err != nil {
				t.Fatalf("Marshal(ParseStatement()) = %v", err)
			}
			if !bytes.Equal(b2, b) {
				t.Errorf("Marshal(ParseStatement(b)) =\n%s\nwant\n%s", b2, b)
			}
		})
	}
}

// TestStatementEncoding pins the canonical form of FORMAT.md §3.2, §3.3 and
// §3.6: field order, no white space, no trailing newline, omitted optional
// fields, and the string escaping.
func TestStatementEncoding(t *testing.T) {
	f := newFixture(t)
	g := mustMarshal(t, f.genesis)
	wantG := `{"_type":"https://in-toto.io/Statement/v1",` +
		`"subject":[{"name":"example.org/verbatim-test","digest":{"sha256":"` + f.spec.Fingerprint + `"}}],` +
		`"predicateType":"https://verbatim.dev/ledger/genesis/v1",` +
		`"predicate":{"ledger":"example.org/verbatim-test","entry":0,"previousEntry":"","previousCheckpoint":"","merkleRoot":"` + emptyRoot + `",` +
		`"time":"2026-11-28T12:00:00Z","signer":"` + f.spec.Fingerprint + `",` +
		`"genesis":{"format":"verbatim-ledger/v4","rootKey":{"fingerprint":"` + f.spec.Fingerprint +
		`","algorithm":"ed25519","publicKey":"` + f.spec.PublicKey + `"}}}}`
	if string(g) != wantG {
		t.Errorf("Marshal(genesis) =\n%s\nwant\n%s", g, wantG)
	}

	s := cloneStatement(f.doc)
	asVersion2(s)
	d := s.Predicate.Document
	d.Title, d.Language, d.Text = "", "", nil
	d.Note = "\"\\\b\t\n\f\r\x01\x1f\x7f\u2028\u2029<>&é/"
	b := mustMarshal(t, s)
	wantD := `{"_type":"https://in-toto.io/Statement/v1",` +
		`"subject":[{"name":"prisoners-letter-2016","digest":{"sha256":"` + s.Subject[0].Digest.SHA256 + `"}}],` +
		`"predicateType":"https://verbatim.dev/ledger/document/v2",` +
		`"predicate":{"ledger":"example.org/verbatim-test","entry":5,"previousEntry":"` + s.Predicate.PreviousEntry +
		`","previousCheckpoint":"` + s.Predicate.PreviousCheckpoint + `","merkleRoot":"` + s.Predicate.MerkleRoot + `","time":"2026-11-28T12:00:00Z","signer":"` + f.spec.Fingerprint + `",` +
		`"document":{"id":"prisoners-letter-2016","version":2,"previous":{"version":1,"entry":3,"sha256":"` + d.Previous.SHA256 + `"},` +
		`"mediaType":"text/plain; charset=utf-8","size":3211,` +
		`"note":"\"\\\b\t\n\f\r\u0001\u001f` + "\x7f" + `\u2028\u2029<>&é/"}}}`
	if d.Size != 3211 {
		t.Fatalf("example document is %d bytes; the expected encoding assumes 3211", d.Size)
	}
	if string(b) != wantD {
		t.Errorf("Marshal(document) =\n%s\nwant\n%s", b, wantD)
	}
}

// statementCase is a statement that is invalid on its own.
type statementCase struct {
	name   string
	base   string // "genesis" or "document"
	mutate func(*Statement)
	want   string // substring of the error
	// encodable is false when canonicalJSON repairs the fault (invalid
	// UTF-8 becomes U+FFFD), so the encoded bytes are a valid statement.
	encodable bool
}

// invalidStatements is shared with the fuzz seeds.
func invalidStatements(t testing.TB) []statementCase {
	_, other := otherKey(t)
	_, root := goldenKey(t)
	bigText := strings.Repeat("a", maxTextField+1)
	cases := []statementCase{
		{"wrong _type", "genesis", func(s *Statement) { s.Type = "https://in-toto.io/Statement/v0.1" }, "_type", true},
		{"empty _type", "document", func(s *Statement) { s.Type = "" }, "_type", true},
		{"no subjects", "document", func(s *Statement) { s.Subject = nil }, "0 subjects", true},
		{"empty subject list", "genesis", func(s *Statement) { s.Subject = []Subject{} }, "0 subjects", true},
		{"two subjects", "document", func(s *Statement) { s.Subject = append(s.Subject, s.Subject[0]) }, "2 subjects", true},
		{"uppercase hex digest", "document", func(s *Statement) {
			s.Subject[0].Digest.SHA256 = strings.ToUpper(s.Subject[0].Digest.SHA256)
		}, "subject digest", true},
		{"short digest", "document", func(s *Statement) { s.Subject[0].Digest.SHA256 = s.Subject[0].Digest.SHA256[:63] }, "subject digest", true},
		{"empty digest", "document", func(s *Statement) { s.Subject[0].Digest.SHA256 = "" }, "subject digest", true},
		{"digest with non-hex", "document", func(s *Statement) { s.Subject[0].Digest.SHA256 = strings.Repeat("g", 64) }, "subject digest", true},

		{"time with +00:00", "document", func(s *Statement) { s.Predicate.Time = "2026-11-28T14:04:20+00:00" }, "time", true},
		{"time with fractional seconds", "document", func(s *Statement) { s.Predicate.Time = "2026-11-28T12:00:00.5Z" }, "time", true},
		{"time with zero fraction", "document", func(s *Statement) { s.Predicate.Time = "2026-11-28T12:00:00.000Z" }, "time", true},
		{"time without Z", "document", func(s *Statement) { s.Predicate.Time = "2026-11-28T12:00:00" }, "time", true},
		{"time with lowercase z", "genesis", func(s *Statement) { s.Predicate.Time = "2026-11-28T12:00:00z" }, "time", true},
		{"time with space", "document", func(s *Statement) { s.Predicate.Time = "2026-11-28 12:00:00Z" }, "time", true},
		{"time without seconds", "document", func(s *Statement) { s.Predicate.Time = "2026-11-28T12:00Z" }, "time", true},
		{"time with leap second", "document", func(s *Statement) { s.Predicate.Time = "2026-12-31T23:59:60Z" }, "time", true},
		{"time on Feb 30", "document", func(s *Statement) { s.Predicate.Time = "2026-02-30T12:00:00Z" }, "time", true},
		{"time with other zone", "document", func(s *Statement) { s.Predicate.Time = "2026-11-28T12:00:00+01:00" }, "time", true},
		{"time as Unix seconds", "document", func(s *Statement) { s.Predicate.Time = "1795867200" }, "time", true},
		{"empty time", "genesis", func(s *Statement) { s.Predicate.Time = "" }, "time", true},
		{"time in year 0000", "document", func(s *Statement) { s.Predicate.Time = "0000-01-01T00:00:00Z" }, "before 1970", true},
		{"time a second before 1970", "genesis", func(s *Statement) { s.Predicate.Time = "1969-12-31T23:59:59Z" }, "before 1970", true},
		{"time with five-digit year", "document", func(s *Statement) { s.Predicate.Time = "10000-01-01T00:00:00Z" }, "time", true},
		{"time with negative year", "document", func(s *Statement) { s.Predicate.Time = "-0001-01-01T00:00:00Z" }, "time", true},
		{"time with hour 24", "document", func(s *Statement) { s.Predicate.Time = "2026-11-28T24:00:00Z" }, "time", true},

		{"entry 0 with previousEntry", "genesis", func(s *Statement) { s.Predicate.PreviousEntry = emptyRoot }, "entry 0 has a previous", true},
		{"entry > 0 without previousEntry", "document", func(s *Statement) { s.Predicate.PreviousEntry = "" }, "previous entry hash", true},
		{"entry 0 with previousCheckpoint", "genesis", func(s *Statement) { s.Predicate.PreviousCheckpoint = emptyRoot }, "entry 0 has a previous", true},
		{"entry > 0 without previousCheckpoint", "document", func(s *Statement) { s.Predicate.PreviousCheckpoint = "" }, "previous checkpoint hash", true},
		{"uppercase previousCheckpoint", "document", func(s *Statement) {
			s.Predicate.PreviousCheckpoint = strings.ToUpper(s.Predicate.PreviousCheckpoint)
		}, "previous checkpoint hash", true},
		{"previousCheckpoint with 0x prefix", "document", func(s *Statement) {
			s.Predicate.PreviousCheckpoint = "0x" + s.Predicate.PreviousCheckpoint[2:]
		}, "previous checkpoint hash", true},
		{"uppercase previousEntry", "document", func(s *Statement) {
			s.Predicate.PreviousEntry = strings.ToUpper(s.Predicate.PreviousEntry)
		}, "previous entry hash", true},
		{"empty merkleRoot", "genesis", func(s *Statement) { s.Predicate.MerkleRoot = "" }, "merkle root", true},
		{"uppercase merkleRoot", "document", func(s *Statement) { s.Predicate.MerkleRoot = strings.ToUpper(s.Predicate.MerkleRoot) }, "merkle root", true},
		{"short merkleRoot", "document", func(s *Statement) { s.Predicate.MerkleRoot = s.Predicate.MerkleRoot[1:] }, "merkle root", true},
		{"signer not hex", "document", func(s *Statement) { s.Predicate.Signer = "root" }, "signer", true},
		{"uppercase signer", "document", func(s *Statement) { s.Predicate.Signer = strings.ToUpper(s.Predicate.Signer) }, "signer", true},
		{"empty ledger name", "document", func(s *Statement) { s.Predicate.Ledger = "" }, "ledger name", true},
		{"bad ledger name", "document", func(s *Statement) { s.Predicate.Ledger = "example org" }, "ledger name", true},

		{"document in entry 0", "document", func(s *Statement) {
			s.Predicate.Entry = 0
			s.Predicate.PreviousEntry = ""
			s.Predicate.PreviousCheckpoint = ""
		}, "entry 0, which must be genesis", true},
		{"genesis in entry 3", "genesis", func(s *Statement) {
			s.Predicate.Entry = 3
			s.Predicate.PreviousEntry = emptyRoot
			s.Predicate.PreviousCheckpoint = emptyRoot
		}, "only entry 0 may be genesis", true},
		{"version 0", "document", func(s *Statement) { s.Predicate.Document.Version = 0 }, "version 0", true},
		{"version 2 without previous link", "document", func(s *Statement) {
			asVersion2(s)
			s.Predicate.Document.Previous = nil
		}, "no link", true},
		{"version 1 with link", "document", func(s *Statement) {
			asVersion2(s)
			s.Predicate.Document.Version = 1
			s.Predicate.Document.Previous.Version = 0
		}, "version 1 links", true},
		{"link with wrong version", "document", func(s *Statement) {
			asVersion2(s)
			s.Predicate.Document.Version = 3
		}, "malformed link", true},
		{"link to the same version", "document", func(s *Statement) {
			asVersion2(s)
			s.Predicate.Document.Previous.Version = 2
		}, "malformed link", true},
		{"link entry equal to own entry", "document", func(s *Statement) {
			asVersion2(s)
			s.Predicate.Document.Previous.Entry = 5
		}, "malformed link", true},
		{"link entry after own entry", "document", func(s *Statement) {
			asVersion2(s)
			s.Predicate.Document.Previous.Entry = 6
		}, "malformed link", true},
		{"link with uppercase digest", "document", func(s *Statement) {
			asVersion2(s)
			s.Predicate.Document.Previous.SHA256 = strings.ToUpper(s.Predicate.Document.Previous.SHA256)
		}, "malformed link", true},
		{"link with empty digest", "document", func(s *Statement) {
			asVersion2(s)
			s.Predicate.Document.Previous.SHA256 = ""
		}, "malformed link", true},
		{"negative size", "document", func(s *Statement) { s.Predicate.Document.Size = -1 }, "negative document size", true},
		{"most negative size", "document", func(s *Statement) { s.Predicate.Document.Size = -1 << 63 }, "negative document size", true},
		{"empty media type", "document", func(s *Statement) { s.Predicate.Document.MediaType = "" }, "media type", true},
		{"media type with newline", "document", func(s *Statement) { s.Predicate.Document.MediaType = "text/plain\n" }, "media type", true},
		{"media type with NUL", "document", func(s *Statement) { s.Predicate.Document.MediaType = "text/\x00plain" }, "media type", true},
		{"media type with DEL", "document", func(s *Statement) { s.Predicate.Document.MediaType = "text/plain\x7f" }, "media type", true},
		{"media type with tab", "document", func(s *Statement) { s.Predicate.Document.MediaType = "text/plain;\tcharset=utf-8" }, "media type", true},
		{"media type of 256 bytes", "document", func(s *Statement) { s.Predicate.Document.MediaType = strings.Repeat("m", 256) }, "media type", true},
		{"media type invalid UTF-8", "document", func(s *Statement) { s.Predicate.Document.MediaType = "text/\xffplain" }, "media type", false},
		{"subject name is not the doc id", "document", func(s *Statement) { s.Subject[0].Name = "another-letter" }, "subject name", true},
		{"subject name is the path", "document", func(s *Statement) {
			s.Subject[0].Name = "examples/prisoners-letter-2016.txt"
		}, "subject name", true},
		{"invalid doc id", "document", func(s *Statement) {
			s.Predicate.Document.ID = "Prisoners-Letter"
			s.Subject[0].Name = "Prisoners-Letter"
		}, "document id", true},
		{"empty doc id", "document", func(s *Statement) {
			s.Predicate.Document.ID = ""
			s.Subject[0].Name = ""
		}, "document id", true},
		{"doc id with ..", "document", func(s *Statement) {
			s.Predicate.Document.ID = "a..b"
			s.Subject[0].Name = "a..b"
		}, "document id", true},

		{"key predicate type on a document", "document", func(s *Statement) { s.PredicateType = KeyType }, "exactly the key part", true},
		{"key predicate type on genesis", "genesis", func(s *Statement) { s.PredicateType = KeyType }, "exactly the key part", true},
		{"empty predicate type", "document", func(s *Statement) { s.PredicateType = "" }, "predicate type", true},
		{"SLSA predicate type", "document", func(s *Statement) { s.PredicateType = "https://slsa.dev/provenance/v1" }, "predicate type", true},
		{"future document type", "document", func(s *Statement) { s.PredicateType = "https://verbatim.dev/ledger/document/v3" }, "predicate type", true},
		{"genesis type on a document", "document", func(s *Statement) { s.PredicateType = GenesisType }, "exactly the genesis part", true},
		{"document type on a genesis", "genesis", func(s *Statement) { s.PredicateType = DocumentType }, "exactly the document part", true},
		{"both genesis and document set (genesis type)", "genesis", func(s *Statement) {
			s.Predicate.Document = &Document{ID: "a", Version: 1, MediaType: "text/plain", Size: 1}
		}, "exactly the genesis part", true},
		{"both genesis and document set (document type)", "document", func(s *Statement) {
			s.Predicate.Genesis = &Genesis{Format: FormatVersion, RootKey: root}
		}, "exactly the document part", true},
		{"neither genesis nor document (genesis type)", "genesis", func(s *Statement) { s.Predicate.Genesis = nil }, "exactly the genesis part", true},
		{"neither genesis nor document (document type)", "document", func(s *Statement) { s.Predicate.Document = nil }, "exactly the document part", true},

		{"genesis signer is not the root key", "genesis", func(s *Statement) { s.Predicate.Signer = other.Fingerprint }, "not by its root key", true},
		{"fingerprint does not match public key", "genesis", func(s *Statement) {
			s.Predicate.Genesis.RootKey.Fingerprint = other.Fingerprint
			s.Predicate.Signer = other.Fingerprint
			s.Subject[0].Digest.SHA256 = other.Fingerprint
		}, "does not match the public key", true},
		{"uppercase root key fingerprint", "genesis", func(s *Statement) {
			up := strings.ToUpper(s.Predicate.Genesis.RootKey.Fingerprint)
			s.Predicate.Genesis.RootKey.Fingerprint = up
		}, "fingerprint", true},
		{"public key of another key", "genesis", func(s *Statement) { s.Predicate.Genesis.RootKey.PublicKey = other.PublicKey }, "does not match the public key", true},
		{"public key base64 without padding", "genesis", func(s *Statement) {
			k := &s.Predicate.Genesis.RootKey
			k.PublicKey = strings.TrimRight(k.PublicKey, "=")
		}, "canonical base64", true},
		{"public key base64 with non-zero padding bits", "genesis", func(s *Statement) {
			k := &s.Predicate.Genesis.RootKey
			k.PublicKey = setPaddingBits(k.PublicKey)
		}, "canonical base64", true},
		{"public key base64 with line break", "genesis", func(s *Statement) {
			k := &s.Predicate.Genesis.RootKey
			k.PublicKey = k.PublicKey[:20] + "\n" + k.PublicKey[20:]
		}, "canonical base64", true},
		{"public key base64 URL alphabet", "genesis", func(s *Statement) {
			k := &s.Predicate.Genesis.RootKey
			der, _ := base64.StdEncoding.DecodeString(k.PublicKey)
			der = append([]byte{0xfb, 0xff}, der...) // encodes to "+/" in the standard alphabet
			k.PublicKey = base64.URLEncoding.EncodeToString(der)
			k.Fingerprint = sha256Hex(der)
			s.Predicate.Signer = k.Fingerprint
			s.Subject[0].Digest.SHA256 = k.Fingerprint
		}, "canonical base64", true},
		{"empty public key", "genesis", func(s *Statement) {
			k := &s.Predicate.Genesis.RootKey
			k.PublicKey = ""
			k.Fingerprint = sha256Hex(nil)
			s.Predicate.Signer = k.Fingerprint
			s.Subject[0].Digest.SHA256 = k.Fingerprint
		}, "canonical base64", true},
		{"unknown key algorithm", "genesis", func(s *Statement) { s.Predicate.Genesis.RootKey.Algorithm = "rsa" }, "algorithm", true},
		{"algorithm in upper case", "genesis", func(s *Statement) { s.Predicate.Genesis.RootKey.Algorithm = "Ed25519" }, "algorithm", true},
		{"earlier draft format", "genesis", func(s *Statement) { s.Predicate.Genesis.Format = "verbatim-ledger/v1" }, "ledger format", true},
		{"later format", "genesis", func(s *Statement) { s.Predicate.Genesis.Format = "verbatim-ledger/v5" }, "ledger format", true},
		{"document id with a bidi override", "document", func(s *Statement) {
			s.Predicate.Document.ID = "letter\u202etxt.exe"
			s.Subject[0].Name = s.Predicate.Document.ID
		}, "U+202E", true},
		{"document id in NFD", "document", func(s *Statement) {
			s.Predicate.Document.ID = "cafe\u0301"
			s.Subject[0].Name = s.Predicate.Document.ID
		}, "NFC", true},
		{"genesis subject is not the ledger", "genesis", func(s *Statement) { s.Subject[0].Name = "example.org/other" }, "genesis subject", true},
		{"genesis subject digest is not the fingerprint", "genesis", func(s *Statement) {
			s.Subject[0].Digest.SHA256 = emptyRoot
		}, "genesis subject", true},

		{"invalid UTF-8 title", "document", func(s *Statement) { s.Predicate.Document.Title = "Letter \xff" }, "title is not valid UTF-8", false},
		{"truncated UTF-8 note", "document", func(s *Statement) { s.Predicate.Document.Note = "€"[:2] }, "note is not valid UTF-8", false},
		{"surrogate in source", "document", func(s *Statement) { s.Predicate.Document.Source = "\xed\xa0\x80" }, "source is not valid UTF-8", false},
		{"title of 4097 bytes", "document", func(s *Statement) { s.Predicate.Document.Title = bigText }, "title is 4097 bytes", true},
		{"source of 4097 bytes", "document", func(s *Statement) { s.Predicate.Document.Source = bigText }, "source is 4097 bytes", true},
		{"language of 4097 bytes", "document", func(s *Statement) { s.Predicate.Document.Language = bigText }, "language is 4097 bytes", true},
		{"note of 4097 bytes", "document", func(s *Statement) { s.Predicate.Document.Note = bigText }, "note is 4097 bytes", true},
		{"multi-byte title of 4098 bytes", "document", func(s *Statement) {
			s.Predicate.Document.Title = strings.Repeat("é", 2049)
		}, "title is 4098 bytes", true},
	}
	return cases
}

// setPaddingBits makes the last data character of a padded base64 string
// carry non-zero padding bits, the non-canonical twin of the same bytes.
func setPaddingBits(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	i := len(strings.TrimRight(s, "=")) - 1
	v := strings.IndexByte(alphabet, s[i])
	return s[:i] + string(alphabet[v|1]) + s[i+1:]
}

func TestStatementInvalid(t *testing.T) {
	f := newFixture(t)
	bases := map[string]*Statement{"genesis": f.genesis, "document": f.doc}
	for _, tc := range invalidStatements(t) {
		t.Run(tc.name, func(t *testing.T) {
			s := cloneStatement(bases[tc.base])
			tc.mutate(s)
			err := s.Validate()
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Validate() = %v, want an error wrapping ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %q, want it to mention %q", err, tc.want)
			}
			if b, err := s.Marshal(); !errors.Is(err, ErrMalformed) || b != nil {
				t.Errorf("Marshal() = %q, %v; want nil, an error wrapping ErrMalformed", b, err)
			}
			if _, err := Sign(s, f.spec.Fingerprint, f.key); !errors.Is(err, ErrMalformed) {
				t.Errorf("Sign() error = %v, want an error wrapping ErrMalformed", err)
			}
			// The same fault in canonically encoded bytes: ParseStatement must
			// refuse it too.
			b, err := canonicalJSON(s)
			if err != nil {
				t.Fatalf("canonicalJSON: %v", err)
			}
			_, err = ParseStatement(b)
			if !tc.encodable {
				return
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("ParseStatement(%s) = %v, want an error wrapping ErrMalformed", b, err)
			} else if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseStatement() = %q, want it to mention %q", err, tc.want)
			}
		})
	}
}

// nonCanonical is a byte-level rewrite of a valid statement or envelope; it
// returns nil if the text it rewrites is absent (a broken test case).
type nonCanonical struct {
	name   string
	mutate func([]byte) []byte
}

// replaceOnce replaces the first old with new, or returns nil if old is absent.
func replaceOnce(old, new string) func([]byte) []byte {
	return func(b []byte) []byte {
		if !bytes.Contains(b, []byte(old)) {
			return nil
		}
		return bytes.Replace(b, []byte(old), []byte(new), 1)
	}
}

func prefix(p string) func([]byte) []byte {
	return func(b []byte) []byte { return append([]byte(p), b...) }
}

func suffix(s string) func([]byte) []byte {
	return func(b []byte) []byte { return append(append([]byte(nil), b...), s...) }
}

// commonNonCanonical applies to any canonical JSON object.
func commonNonCanonical() []nonCanonical {
	return []nonCanonical{
		{"leading space", prefix(" ")},
		{"leading newline", prefix("\n")},
		{"byte order mark", prefix("\ufeff")},
		{"trailing newline", suffix("\n")},
		{"trailing CRLF", suffix("\r\n")},
		{"trailing space", suffix(" ")},
		{"trailing tab", suffix("\t")},
		{"trailing object", suffix("{}")},
		{"trailing brace", suffix("}")},
		{"trailing bracket", suffix("]")},
		{"trailing null", suffix("null")},
		{"trailing garbage", suffix("x")},
		{"trailing NUL", suffix("\x00")},
		{"twice", func(b []byte) []byte { return append(append([]byte(nil), b...), b...) }},
		{"space after opening brace", replaceOnce(`{"`, `{ "`)},
		{"space before closing brace", func(b []byte) []byte { return append(append([]byte(nil), b[:len(b)-1]...), " }"...) }},
		{"space after colon", replaceOnce(`":`, `": `)},
		{"space after comma", replaceOnce(`,"`, `, "`)},
		{"pretty printed", func(b []byte) []byte {
			var buf bytes.Buffer
			if json.Indent(&buf, b, "", "  ") != nil {
				return nil
			}
			return buf.Bytes()
		}},
		{"keys sorted", func(b []byte) []byte {
			var m map[string]any
			if json.Unmarshal(b, &m) != nil {
				return nil
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if enc.Encode(m) != nil {
				return nil
			}
			return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		}},
		{"unknown field first", replaceOnce(`{"`, `{"x":1,"`)},
		{"unknown field last", func(b []byte) []byte { return append(append([]byte(nil), b[:len(b)-1]...), `,"x":1}`...) }},
		{"truncated", func(b []byte) []byte { return b[:len(b)-1] }},
		{"empty", func([]byte) []byte { return []byte{} }},
		{"null", func([]byte) []byte { return []byte("null") }},
		{"empty object", func([]byte) []byte { return []byte("{}") }},
		{"array", func(b []byte) []byte { return append(append([]byte("["), b...), ']') }},
	}
}

// statementWithSpecials is a valid document statement whose canonical
// encoding has characters that have other valid JSON encodings.
func statementWithSpecials(t testing.TB) *Statement {
	f := newFixture(t)
	s := cloneStatement(f.doc)
	asVersion2(s)
	s.Predicate.Document.Title = "Café <draft> & co"
	s.Predicate.Document.Source = "https://example.org/"
	s.Predicate.Document.Note = "a\tb\u2028c\x1fd"
	return s
}

func statementNonCanonical() []nonCanonical {
	return append(commonNonCanonical(), []nonCanonical{
		{"reordered top-level fields", func(b []byte) []byte {
			const typ = `"_type":"https://in-toto.io/Statement/v1",`
			if !bytes.Contains(b, []byte(typ)) || !bytes.Contains(b, []byte(`"predicateType":`)) {
				return nil
			}
			b = bytes.Replace(b, []byte(typ), nil, 1)
			return bytes.Replace(b, []byte(`"predicateType":`), []byte(typ+`"predicateType":`), 1)
		}},
		{"reordered predicate fields", func(b []byte) []byte {
			s := string(b)
			i := strings.Index(s, `"ledger":"example.org/verbatim-test",`)
			j := strings.Index(s, `"entry":5,`)
			if i < 0 || j < 0 {
				return nil
			}
			s = strings.Replace(s, `"ledger":"example.org/verbatim-test","entry":5,`, `"entry":5,"ledger":"example.org/verbatim-test",`, 1)
			return []byte(s)
		}},
		{"unknown predicate field", replaceOnce(`"predicate":{`, `"predicate":{"extra":"",`)},
		{"unknown document field", replaceOnce(`"document":{`, `"document":{"sha512":"",`)},
		{"extra digest algorithm", replaceOnce(`"digest":{`, `"digest":{"sha512":"00",`)},
		{"duplicate _type", replaceOnce(`{"_type":"https://in-toto.io/Statement/v1",`,
			`{"_type":"https://in-toto.io/Statement/v1","_type":"https://in-toto.io/Statement/v1",`)},
		{"duplicate entry, same value", replaceOnce(`"entry":5,`, `"entry":5,"entry":5,`)},
		{"duplicate entry, different value", replaceOnce(`"entry":5,`, `"entry":4,"entry":5,`)},
		{"field name Ledger", replaceOnce(`"ledger":`, `"Ledger":`)},
		{"field name _TYPE", replaceOnce(`"_type":`, `"_TYPE":`)},
		{"field name predicatetype", replaceOnce(`"predicateType":`, `"predicatetype":`)},
		{"field name MediaType", replaceOnce(`"mediaType":`, `"MediaType":`)},
		{"escaped field name", replaceOnce(`"ledger":`, `"l\u0065dger":`)},
		{`HTML-escaped <`, replaceOnce(`<`, `\u003c`)},
		{`HTML-escaped >`, replaceOnce(`>`, `\u003e`)},
		{`HTML-escaped &`, replaceOnce(`&`, `\u0026`)},
		{`escaped solidus`, replaceOnce(`text/plain`, `text\/plain`)},
		{`escaped ASCII letter`, replaceOnce(`Caf`, `\u0043af`)},
		{`escaped é`, replaceOnce(`é`, `\u00e9`)},
		{`tab as \u0009`, replaceOnce(`\t`, `\u0009`)},
		{`raw tab`, replaceOnce(`\t`, "\t")},
		{`raw U+2028`, replaceOnce(`\u2028`, "\u2028")},
		{`uppercase hex escape \u001F`, replaceOnce(`\u001f`, `\u001F`)},
		{`invalid UTF-8 instead of é`, replaceOnce(`é`, "\xff")},
		{`overlong UTF-8 slash`, replaceOnce(`text/plain`, "text\xc0\xafplain")},
		{"entry as 5.0", replaceOnce(`"entry":5,`, `"entry":5.0,`)},
		{"entry with leading zero", replaceOnce(`"entry":5,`, `"entry":05,`)},
		{"entry with exponent", replaceOnce(`"entry":5,`, `"entry":5e0,`)},
		{"entry as string", replaceOnce(`"entry":5,`, `"entry":"5",`)},
		{"duplicate size", replaceOnce(`"version":2,`, `"version":2,"size":0,`)},
		{"size as 3211.0", replaceOnce(`"size":3211`, `"size":3211.0`)},
		{"size with plus", replaceOnce(`"size":3211`, `"size":+3211`)},
		{"explicit null genesis", replaceOnce(`"document":{`, `"genesis":null,"document":{`)},
		{"empty optional field", replaceOnce(`"mediaType":`, `"language":"","mediaType":`)},
		{"null previous link", replaceOnce(`"previous":{"version":1,"entry":3,`, `"previous":null,"x":{"version":1,"entry":3,`)},
		{"oversized", func(b []byte) []byte {
			return append(append([]byte(nil), b...), bytes.Repeat([]byte(" "), maxStatementSize)...)
		}},
	}...)
}

func TestParseStatementNonCanonical(t *testing.T) {
	s := statementWithSpecials(t)
	b := mustMarshal(t, s)
	if _, err := ParseStatement(b); err != nil {
		t.Fatalf("ParseStatement(canonical) = %v", err)
	}
	for _, tc := range statementNonCanonical() {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.mutate(bytes.Clone(b))
			if m == nil {
				t.Fatalf("mutation does not apply to %s", b)
			}
			if bytes.Equal(m, b) {
				t.Fatalf("mutation left the bytes unchanged")
			}
			if p, err := ParseStatement(m); !errors.Is(err, ErrMalformed) {
				t.Errorf("ParseStatement(%q) = %+v, %v; want an error wrapping ErrMalformed", m, p, err)
			}
		})
	}
}

func TestParseStatementSizeLimit(t *testing.T) {
	b := bytes.Repeat([]byte("x"), maxStatementSize+1)
	_, err := ParseStatement(b)
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "more than") {
		t.Errorf("ParseStatement(%d bytes) = %v, want the size error", len(b), err)
	}
}

// TestMarshalledStatementsParse checks that Marshal and ParseStatement
// agree on size: whatever Marshal encodes, ParseStatement (and, signed,
// ParseEnvelope) accepts, and what would be too large to parse Marshal and
// Sign refuse. The text-field limits alone do not bound the encoding, since
// a control character takes six bytes escaped.
func TestMarshalledStatementsParse(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name string
		text string // each of title, source, language and note
		fits bool
	}{
		{"ASCII", strings.Repeat("a", maxTextField), true},
		{"quotes", strings.Repeat(`"`, maxTextField), true},
		{"newlines", strings.Repeat("\n", maxTextField), true},
		{"U+2028", strings.Repeat("\u2028", maxTextField/3), true},
		{"control characters", strings.Repeat("\x01", maxTextField), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := cloneStatement(f.doc)
			d := s.Predicate.Document
			d.Title, d.Source, d.Language, d.Note = tc.text, tc.text, tc.text, tc.text
			checkMarshalAgrees(t, f, s, tc.fits)
		})
	}
}

// TestStatementSizeBoundary builds statements whose encoding is exactly at
// and just over ParseStatement's limit.
func TestStatementSizeBoundary(t *testing.T) {
	f := newFixture(t)
	for _, size := range []int{maxStatementSize - 1, maxStatementSize, maxStatementSize + 1} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			s := statementOfSize(t, f.doc, size)
			checkMarshalAgrees(t, f, s, size <= maxStatementSize)
		})
	}
}

// statementOfSize fills the text fields of a copy of doc with escaped
// control characters and letters until its canonical encoding is exactly
// size bytes.
func statementOfSize(t *testing.T, doc *Statement, size int) *Statement {
	s := cloneStatement(doc)
	d := s.Predicate.Document
	d.Title, d.Source, d.Language, d.Note = "", "", "", ""
	for _, field := range []*string{&d.Title, &d.Source, &d.Language, &d.Note} {
		*field = "a"
		b, err := canonicalJSON(s)
		if err != nil {
			t.Fatal(err)
		}
		r := size - len(b) + 1 // encoded bytes available for this field's text
		if r <= 0 {
			*field = ""
			break
		}
		n1 := min(maxTextField, r/6)
		n2 := min(maxTextField-n1, r-6*n1)
		*field = strings.Repeat("\x01", n1) + strings.Repeat("a", n2)
	}
	b, err := canonicalJSON(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != size {
		t.Fatalf("could not build a statement of %d bytes; got %d", size, len(b))
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("statement of %d bytes: Validate() = %v", size, err)
	}
	return s
}

func checkMarshalAgrees(t *testing.T, f *fixture, s *Statement, fits bool) {
	t.Helper()
	b, err := s.Marshal()
	env, signErr := Sign(s, f.spec.Fingerprint, f.key)
	if !fits {
		if !errors.Is(err, ErrMalformed) || b != nil {
			t.Errorf("Marshal() = %d bytes, %v; want an error wrapping ErrMalformed", len(b), err)
		}
		if !errors.Is(signErr, ErrMalformed) || env != nil {
			t.Errorf("Sign() = %d bytes, %v; want an error wrapping ErrMalformed", len(env), signErr)
		}
		c, _ := canonicalJSON(s)
		if _, err := ParseStatement(c); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseStatement(%d bytes) = %v, want an error wrapping ErrMalformed", len(c), err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Marshal() = %v, want nil", err)
	}
	if _, err := ParseStatement(b); err != nil {
		t.Errorf("ParseStatement(Marshal()) = %v, want nil (Marshal gave %d bytes)", err, len(b))
	}
	if signErr != nil {
		t.Fatalf("Sign() = %v, want nil", signErr)
	}
	if _, err := ParseEnvelope(env); err != nil {
		t.Errorf("ParseEnvelope(Sign()) = %v, want nil (Sign gave %d bytes)", err, len(env))
	}
}

func TestFormatTime(t *testing.T) {
	_, spec := goldenKey(t)
	tehran := time.FixedZone("IRST", 3*3600+1800)
	for _, tc := range []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC), "2026-11-28T12:00:00Z"},
		{time.Date(2026, 11, 28, 12, 0, 0, 999999999, time.UTC), "2026-11-28T12:00:00Z"},
		{time.Date(2026, 11, 28, 15, 30, 5, 0, tehran), "2026-11-28T12:00:05Z"},
		{time.Date(2027, 1, 1, 1, 0, 0, 0, tehran), "2026-12-31T21:30:00Z"},
		{time.Unix(0, 0), "1970-01-01T00:00:00Z"},
	} {
		got := FormatTime(tc.in)
		if got != tc.want {
			t.Errorf("FormatTime(%v) = %q, want %q", tc.in, got, tc.want)
		}
		p := Predicate{Time: got}
		if tv, want := p.TimeValue(), tc.in.Truncate(time.Second); !tv.Equal(want) {
			t.Errorf("TimeValue(%q) = %v, want %v", got, tv, want)
		}
		s := genesisStatement(spec)
		s.Predicate.Time = got
		if err := s.Validate(); err != nil {
			t.Errorf("FormatTime(%v) = %q, which Validate rejects: %v", tc.in, got, err)
		}
	}
	if tv := (&Predicate{Time: "not a time"}).TimeValue(); !tv.IsZero() {
		t.Errorf("TimeValue(%q) = %v, want the zero time", "not a time", tv)
	}
}

func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"", true},
		{"x", true},
		{"نامه زندانیان", true},
		{"\x00\x01\n", true},
		{strings.Repeat("a", maxTextField), true},
		{strings.Repeat("€", maxTextField/3) + "a", true},
		{strings.Repeat("a", maxTextField+1), false},
		{strings.Repeat("€", maxTextField/3+1), false},
		{"\xff", false},
		{"a\xc3", false},
		{"\xc0\xaf", false},
		{"\xed\xa0\x80", false},
	} {
		err := CheckText("title", tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("CheckText(%q) = %v, want ok=%v", tc.in, err, tc.ok)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "title ") {
			t.Errorf("CheckText(%q) = %q, want it to name the field", tc.in, err)
		}
	}
}
