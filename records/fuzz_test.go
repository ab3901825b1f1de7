package records

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// storedVectors returns the statements and envelopes of testdata/vectors.json.
func storedVectors(f *testing.F) (statements, envelopes [][]byte) {
	raw, err := os.ReadFile(vectorsFile)
	if err != nil {
		f.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		f.Fatal(err)
	}
	for _, e := range v.Entries {
		statements = append(statements, []byte(e.Statement))
		envelopes = append(envelopes, []byte(e.Envelope))
	}
	return statements, envelopes
}

// invalidStatementBytes is the canonical encoding of every statement of the
// invalid-statement table.
func invalidStatementBytes(f *testing.F, fx *fixture) [][]byte {
	bases := map[string]*Statement{"genesis": fx.genesis, "document": fx.doc}
	var out [][]byte
	for _, tc := range invalidStatements(f) {
		s := cloneStatement(bases[tc.base])
		tc.mutate(s)
		b, err := canonicalJSON(s)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func FuzzParseStatement(f *testing.F) {
	fx := newFixture(f)
	statements, _ := storedVectors(f)
	special := mustMarshal(f, statementWithSpecials(f))
	// A document/v2 statement with every field it adds (FORMAT.md §3.3).
	full := cloneStatement(fx.doc)
	full.Predicate.Entry = 9
	full.Predicate.Document.HashOnly = true
	full.Predicate.Document.Relations = &Relations{TranslationOf: &DocumentLink{ID: "original", Version: 1, Entry: 2, SHA256: strings.Repeat("ab", 32)}}
	seeds := append(statements, special, mustMarshal(f, full))
	for _, action := range []string{KeyAdd, KeyRevoke, KeyRotate} {
		seeds = append(seeds, mustMarshal(f, keyStatement(fx, action)))
	}
	for _, s := range seeds {
		f.Add(s)
		for _, tc := range statementNonCanonical() {
			if tc.name == "oversized" {
				continue
			}
			if m := tc.mutate(bytes.Clone(s)); m != nil {
				f.Add(m)
			}
		}
	}
	for _, b := range invalidStatementBytes(f, fx) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseStatement(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseStatement(%q) = %v, want an error wrapping ErrMalformed", b, err)
			}
			if s != nil {
				t.Fatalf("ParseStatement(%q) returned a statement with error %v", b, err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("ParseStatement(%q) accepted a statement that Validate rejects: %v", b, err)
		}
		out, err := s.Marshal()
		if err != nil {
			t.Fatalf("Marshal(ParseStatement(%q)) = %v", b, err)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("Marshal(ParseStatement(b)) =\n%q\nwant b =\n%q", out, b)
		}
	})
}

func FuzzParseEnvelope(f *testing.F) {
	fx := newFixture(f)
	_, envelopes := storedVectors(f)
	for _, env := range envelopes {
		f.Add(env)
		for _, tc := range envelopeNonCanonical() {
			if tc.name == "oversized" {
				continue
			}
			if m := tc.mutate(bytes.Clone(env)); m != nil {
				f.Add(m)
			}
		}
	}
	// Envelopes around invalid statements, signed properly.
	for _, b := range invalidStatementBytes(f, fx) {
		sig, _ := fx.key.Sign(PAE(PayloadType, b))
		env, err := canonicalJSON(&Envelope{PayloadType: PayloadType, Payload: base64.StdEncoding.EncodeToString(b),
			Signatures: []Signature{{KeyID: fx.spec.Fingerprint, Sig: base64.StdEncoding.EncodeToString(sig)}}})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(env)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseEnvelope(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseEnvelope(%q) = %v, want an error wrapping ErrMalformed", b, err)
			}
			if p != nil {
				t.Fatalf("ParseEnvelope(%q) returned an envelope with error %v", b, err)
			}
			return
		}
		if !bytes.Equal(p.Raw, b) {
			t.Fatalf("ParseEnvelope(b).Raw = %q, want b = %q", p.Raw, b)
		}
		if p.KeyID != p.Statement.Predicate.Signer {
			t.Fatalf("ParseEnvelope(%q): key id %q is not the signer %q", b, p.KeyID, p.Statement.Predicate.Signer)
		}
		payload, err := p.Statement.Marshal()
		if err != nil {
			t.Fatalf("Marshal(statement of %q) = %v", b, err)
		}
		if !bytes.Equal(payload, p.Payload) {
			t.Fatalf("Marshal(statement) =\n%q\nwant the payload\n%q", payload, p.Payload)
		}
		env := Envelope{
			PayloadType: PayloadType,
			Payload:     base64.StdEncoding.EncodeToString(payload),
			Signatures:  []Signature{{KeyID: p.KeyID, Sig: base64.StdEncoding.EncodeToString(p.Sig)}},
		}
		out, err := canonicalJSON(&env)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("re-encoded envelope =\n%q\nwant the input\n%q", out, b)
		}
		// A fuzzed envelope can be well-formed; it must still not verify
		// unless it is one the key really signed.
		if err := p.Verify(fx.key); err != nil && !errors.Is(err, ErrBadSignature) {
			t.Fatalf("Verify() = %v, want nil or an error wrapping ErrBadSignature", err)
		}
	})
}

func FuzzDocIDFromPath(f *testing.F) {
	for _, s := range []string{
		"examples/Prisoners Letter (2016).txt", "x.tar.gz", "نامه.txt", ".hidden", "", "/", "a/b/",
		"a..b.txt", "--a--", "Über.txt", "\u212a.txt", "İ.txt", "a\x00b", "\xff\xfe.txt",
		strings.Repeat("a", 127) + "-b.txt", strings.Repeat("a.", 100), strings.Repeat("é", 200),
		"نامه-2016.txt", "cafe\u0301.TXT", "report\u202etxt.exe", "a\u200db", "\u0301x", "x²",
		strings.Repeat("e\u0301", 130), strings.Repeat("書", 100),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		id, err := DocIDFromPath(path)
		if err != nil {
			if id != "" {
				t.Fatalf("DocIDFromPath(%q) = %q with error %v", path, id, err)
			}
			return
		}
		if err := CheckDocID(id); err != nil {
			t.Fatalf("DocIDFromPath(%q) = %q, which CheckDocID rejects: %v", path, id, err)
		}
		// The derivation is idempotent: a derived id is its own id as a
		// file name with an extension.
		if again, err := DocIDFromPath("dir/" + id + ".txt"); err != nil || again != id {
			t.Fatalf("DocIDFromPath(%q) = %q, %v; want %q", "dir/"+id+".txt", again, err, id)
		}
	})
}

// FuzzMarshalParse builds document statements from fuzzed field values:
// whatever Marshal accepts, ParseStatement must accept and decode to the
// same statement.
func FuzzMarshalParse(f *testing.F) {
	fx := newFixture(f)
	f.Add("prisoners-letter-2016", uint64(1), "text/plain; charset=utf-8", int64(3211), "Title", "https://example.org/", "en", "note")
	f.Add("a", uint64(2), "application/pdf", int64(0), "<&>", "\u2028", "\x00", "\xff")
	f.Add("a.b_c-d", uint64(7), "text/plain;\tcharset=utf-8", int64(-1), "\"\\", "\x7f", "é", strings.Repeat("x", 4097))
	f.Fuzz(func(t *testing.T, id string, version uint64, mediaType string, size int64, title, source, language, note string) {
		s := cloneStatement(fx.doc)
		s.Subject[0].Name = id
		s.Predicate.Entry = 1 << 40
		d := s.Predicate.Document
		d.ID, d.Version, d.MediaType, d.Size = id, version, mediaType, size
		d.Title, d.Source, d.Language, d.Note = title, source, language, note
		if version > 1 {
			d.Previous = &VersionLink{Version: version - 1, Entry: 1, SHA256: emptyRoot}
		}
		b, err := s.Marshal()
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Marshal() = %v, want an error wrapping ErrMalformed", err)
			}
			return
		}
		p, err := ParseStatement(b)
		if err != nil {
			t.Fatalf("ParseStatement(Marshal()) = %v\n%q", err, b)
		}
		if !reflect.DeepEqual(p, s) {
			t.Fatalf("ParseStatement(Marshal(s)) = %+v, want %+v", p, s)
		}
	})
}
