package ledger

import (
	"errors"
	"fmt"

	"github.com/verbatim-ledger/verbatim/records"
	"github.com/verbatim-ledger/verbatim/sketch"
	"github.com/verbatim-ledger/verbatim/textform"
)

// ErrWithheld means a version's bytes are not in the ledger: it was
// registered hash-only (FORMAT.md §3.3), so only its digests are.
var ErrWithheld = errors.New("content withheld")

// TextOf is the text identity a document/v2 statement records for content
// (FORMAT.md §3.3, docs/TEXT.md §2 and §4): nil when content is not valid
// UTF-8; the sketch only when withSketch and the text has words.
func TextOf(content []byte, withSketch bool) *records.TextID {
	norm, _, err := textform.Normalize(content)
	if err != nil {
		return nil
	}
	id := &records.TextID{SHA256: ContentDigest(norm)}
	if withSketch {
		if sk, err := sketch.Of(norm); err == nil {
			id.Sketch = sk.String()
		}
	}
	return id
}

// checkText checks a document/v2 statement's text identity against the
// document's bytes (FORMAT.md §6 step 2.8): present iff the bytes are
// UTF-8, and the SHA-256 of their normalised form. The sketch is the
// signer's claim: its encoding is checked (records), and it must be absent
// when the text has no words; recomputing it would cost more than the rest
// of verify (docs/TEXT.md §8).
func checkText(data []byte, st *records.Statement) error {
	if st.PredicateType != records.DocumentType {
		return nil
	}
	d := st.Predicate.Document
	norm, _, err := textform.Normalize(data)
	switch {
	case err != nil && d.Text != nil:
		return fmt.Errorf("the entry records a text identity, but the stored document is not valid UTF-8 text")
	case err != nil:
		return nil
	case d.Text == nil:
		return fmt.Errorf("the stored document is UTF-8 text, but the entry records no text identity for it")
	}
	if got := ContentDigest(norm); got != d.Text.SHA256 {
		return fmt.Errorf("the stored document's text SHA-256 is %s, but the signed entry records %s", short(got), short(d.Text.SHA256))
	}
	if len(norm) == 0 && d.Text.Sketch != "" {
		return fmt.Errorf("the entry records a sketch for an empty text")
	}
	return nil
}

// checkTranslation checks that a translation link names a registered
// version with that entry and digest (FORMAT.md §3.3), as a version's link
// to its previous version is checked.
func (s *state) checkTranslation(d *records.Document) error {
	if d.Relations == nil || d.Relations.TranslationOf == nil {
		return nil
	}
	t := d.Relations.TranslationOf
	if v := s.version(t.ID, t.Version); v != nil {
		if v.Entry == t.Entry && v.SHA256 == t.SHA256 {
			return nil
		}
	} else if s.older != nil {
		if _, err := s.older(t.ID, &records.VersionLink{Version: t.Version, Entry: t.Entry, SHA256: t.SHA256}); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%s is a translation of %s version %d (entry %d), which is not a registered version with that entry and digest", d.ID, t.ID, t.Version, t.Entry)
}

// indexText adds v to the text-identity index.
func (s *state) indexText(v *Version) {
	if v.TextSHA256 != "" {
		s.byText[v.TextSHA256] = append(s.byText[v.TextSHA256], v)
	}
}

func textSHA256(d *records.Document) string {
	if d.Text == nil {
		return ""
	}
	return d.Text.SHA256
}

func sketchOf(d *records.Document) *sketch.Sketch {
	if d.Text == nil || d.Text.Sketch == "" {
		return nil
	}
	sk, err := sketch.Parse(d.Text.Sketch)
	if err != nil {
		return nil // records validated it
	}
	return &sk
}

func translationOf(d *records.Document) *records.DocumentLink {
	if d.Relations == nil || d.Relations.TranslationOf == nil {
		return nil
	}
	t := *d.Relations.TranslationOf
	return &t
}
