package records

import (
	"fmt"

	"github.com/verbatim-ledger/verbatim/sketch"
)

// validateTextFields checks the fields the document/v2 predicate adds
// (FORMAT.md §3.3): absent from document/v1; in document/v2 a text identity
// of a lowercase hex SHA-256 and a canonical sketch, and a translation link
// to an earlier entry of another document, with the language it is in.
// Whether text is present and matches the bytes needs the bytes: the
// ledger checks it.
func (s *Statement) validateTextFields() error {
	d := s.Predicate.Document
	if s.PredicateType == DocumentTypeV1 {
		if d.Text != nil || d.HashOnly || d.Relations != nil {
			return fmt.Errorf("predicate type %s has no text, hashOnly or relations fields (they are %s's)", DocumentTypeV1, DocumentType)
		}
		return nil
	}
	if t := d.Text; t != nil {
		if !isHexHash(t.SHA256) {
			return fmt.Errorf("text sha256 %q is not a lowercase hex SHA-256", t.SHA256)
		}
		if t.Sketch != "" {
			if _, err := sketch.Parse(t.Sketch); err != nil {
				return fmt.Errorf("text sketch: %w", err)
			}
		}
	}
	if r := d.Relations; r != nil {
		if r.TranslationOf == nil {
			return fmt.Errorf("relations is empty; omit it")
		}
		if err := s.validateTranslation(r.TranslationOf); err != nil {
			return err
		}
	}
	return nil
}

func (s *Statement) validateTranslation(t *DocumentLink) error {
	d := s.Predicate.Document
	if err := CheckDocID(t.ID); err != nil {
		return fmt.Errorf("translationOf: %w", err)
	}
	if t.ID == d.ID {
		return fmt.Errorf("translationOf names the document itself (%s); a translation is another document", t.ID)
	}
	if t.Version == 0 || t.Entry == 0 || t.Entry >= s.Predicate.Entry || !isHexHash(t.SHA256) {
		return fmt.Errorf("translationOf is a malformed link (version from 1, an earlier entry, a hex SHA-256)")
	}
	if d.Language == "" {
		return fmt.Errorf("a translation must record its language")
	}
	return nil
}
