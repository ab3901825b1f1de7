package records

import (
	"errors"
	"strings"
	"testing"

	"github.com/verbatim-ledger/verbatim/sketch"
	"github.com/verbatim-ledger/verbatim/textform"
)

// textIDOf is the text identity of content as a v3 ledger records it.
func textIDOf(content []byte) *TextID {
	norm, _, err := textform.Normalize(content)
	if err != nil {
		return nil
	}
	sum, _, _ := textform.Sum(content)
	id := &TextID{SHA256: sum}
	if sk, err := sketch.Of(norm); err == nil {
		id.Sketch = sk.String()
	}
	return id
}

// TestTextFieldsEncoding fixes the canonical order of the fields
// document/v2 adds: after size, text {sha256, sketch}, hashOnly, relations.
func TestTextFieldsEncoding(t *testing.T) {
	f := newFixture(t)
	s := cloneStatement(f.doc)
	d := s.Predicate.Document
	s.Predicate.Entry = 9
	d.HashOnly = true
	d.Relations = &Relations{TranslationOf: &DocumentLink{ID: "original", Version: 2, Entry: 4, SHA256: strings.Repeat("ab", 32)}}
	b := string(mustMarshal(t, s))
	want := `"size":3211,"text":{"sha256":"` + d.Text.SHA256 + `","sketch":"` + d.Text.Sketch + `"},"hashOnly":true,` +
		`"relations":{"translationOf":{"id":"original","version":2,"entry":4,"sha256":"` + strings.Repeat("ab", 32) + `"}},"title":`
	if !strings.Contains(b, want) {
		t.Errorf("Marshal = %s\nwant it to contain %s", b, want)
	}
	if _, err := ParseStatement([]byte(b)); err != nil {
		t.Errorf("ParseStatement(Marshal) = %v", err)
	}
	for _, bad := range []string{`"hashOnly":true`, `"relations":{"translationOf"`} {
		alt := strings.Replace(b, bad, strings.Replace(bad, "true", "false", 1), 1)
		if bad == `"relations":{"translationOf"` {
			alt = strings.Replace(b, `"relations":{"translationOf":{"id":"original","version":2,"entry":4,"sha256":"`+strings.Repeat("ab", 32)+`"}},`, `"relations":{},`, 1)
		}
		if _, err := ParseStatement([]byte(alt)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseStatement(%s) = %v, want ErrMalformed", bad, err)
		}
	}
}

func TestTextFieldsInvalid(t *testing.T) {
	f := newFixture(t)
	link := func() *Relations {
		return &Relations{TranslationOf: &DocumentLink{ID: "original", Version: 1, Entry: 1, SHA256: strings.Repeat("ab", 32)}}
	}
	for _, tc := range []struct {
		name   string
		change func(s *Statement)
		want   string
	}{
		{"text in document/v1", func(s *Statement) { s.PredicateType = DocumentTypeV1 }, "no text, hashOnly or relations"},
		{"hashOnly in document/v1", func(s *Statement) {
			s.PredicateType, s.Predicate.Document.Text, s.Predicate.Document.HashOnly = DocumentTypeV1, nil, true
		}, "no text, hashOnly or relations"},
		{"uppercase text sha256", func(s *Statement) { s.Predicate.Document.Text.SHA256 = strings.Repeat("AB", 32) }, "text sha256"},
		{"short text sha256", func(s *Statement) { s.Predicate.Document.Text.SHA256 = "ab" }, "text sha256"},
		{"short sketch", func(s *Statement) { s.Predicate.Document.Text.Sketch = "AAAA" }, "sketch"},
		{"non-canonical sketch", func(s *Statement) {
			// 512 bytes end in one "=": the character before it carries
			// two padding bits, which must be zero.
			const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
			sk := []byte(s.Predicate.Document.Text.Sketch)
			sk[len(sk)-2] = alphabet[strings.IndexByte(alphabet, sk[len(sk)-2])^1]
			s.Predicate.Document.Text.Sketch = string(sk)
		}, "sketch"},
		{"empty relations", func(s *Statement) { s.Predicate.Document.Relations = &Relations{} }, "relations is empty"},
		{"translation of itself", func(s *Statement) {
			s.Predicate.Entry = 5
			s.Predicate.Document.Relations = link()
			s.Predicate.Document.Relations.TranslationOf.ID = s.Predicate.Document.ID
		}, "itself"},
		{"translation of a later entry", func(s *Statement) { s.Predicate.Document.Relations = link() }, "malformed link"},
		{"translation of version 0", func(s *Statement) {
			s.Predicate.Entry = 5
			s.Predicate.Document.Relations = link()
			s.Predicate.Document.Relations.TranslationOf.Version = 0
		}, "malformed link"},
		{"translation without language", func(s *Statement) {
			s.Predicate.Entry = 5
			s.Predicate.Document.Relations = link()
			s.Predicate.Document.Language = ""
		}, "language"},
		{"translation of a bad id", func(s *Statement) {
			s.Predicate.Entry = 5
			s.Predicate.Document.Relations = link()
			s.Predicate.Document.Relations.TranslationOf.ID = "A B"
		}, "translationOf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := cloneStatement(f.doc)
			tc.change(s)
			err := s.Validate()
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want ErrMalformed mentioning %q", err, tc.want)
			}
		})
	}
	ok := cloneStatement(f.doc)
	ok.Predicate.Entry = 5
	ok.Predicate.Document.Relations = link()
	if err := ok.Validate(); err != nil {
		t.Errorf("a valid translation: Validate() = %v", err)
	}
}
