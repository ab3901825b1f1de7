package ledger

import (
	"fmt"

	"github.com/verbatim-ledger/verbatim/records"
)

// textFields fills in what the document/v2 predicate adds: the text
// identity, hashOnly and the translation link. A v2 ledger (document/v1)
// has none of them: asking for one there is refused.
func (a *Appender) textFields(d *records.Document, typ string, doc *NewDocument) error {
	if typ == records.DocumentTypeV1 {
		if doc.HashOnly || doc.TranslationOf != nil {
			return fmt.Errorf("%w: ledger %s is format %s, which has no hash-only entries or translations; start a %s ledger for them",
				ErrInput, a.l.st.name, records.FormatV2, records.FormatVersion)
		}
		return nil
	}
	d.Text = TextOf(doc.Content, !doc.NoSketch)
	d.HashOnly = doc.HashOnly
	if doc.TranslationOf == nil {
		return nil
	}
	if doc.Language == "" {
		return fmt.Errorf("%w: a translation needs its language (--language)", ErrInput)
	}
	t, err := a.linked(doc.TranslationOf)
	if err != nil {
		return err
	}
	if t.Doc == doc.ID {
		return fmt.Errorf("%w: %s cannot be a translation of its own version %d; give the translation another document id", ErrInput, doc.ID, t.Version)
	}
	d.Relations = &records.Relations{TranslationOf: &records.DocumentLink{ID: t.Doc, Version: t.Version, Entry: t.Entry, SHA256: t.SHA256}}
	return nil
}

// linked returns v as its signed entry records it, checked as a previous
// version is (Appender.previous) before a new entry links to it.
func (a *Appender) linked(v *Version) (*Version, error) {
	if v.Entry >= a.baseSize {
		return v, nil // added by this Appender
	}
	env, _, err := a.l.entryAtCP(&a.base, v.Entry, a.baseCP)
	if err == nil {
		err = a.l.checkVersion(v, env)
	}
	if err != nil {
		return nil, fmt.Errorf("checking %s version %d before linking to it: %w", v.Doc, v.Version, err)
	}
	return versionOf(env.Statement), nil
}
