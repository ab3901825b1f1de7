// Package report holds the JSON shapes that verbatim's command line
// (--json) and its web API (/api/) both print, so the two cannot drift
// apart: docs/JSON.md and docs/API.md describe them.
package report

import (
	"fmt"
	"time"

	"github.com/verbatim-ledger/verbatim/ledger"
)

// Version is one document version as `verbatim history --json` and the
// web API's history and documents answers print it.
type Version struct {
	Version    uint64    `json:"version"`
	Entry      uint64    `json:"entry"`
	SHA256     string    `json:"sha256"`
	Size       int64     `json:"size"`
	MediaType  string    `json:"media_type"`
	Title      string    `json:"title,omitempty"`
	Source     string    `json:"source,omitempty"`
	Language   string    `json:"language,omitempty"`
	Note       string    `json:"note,omitempty"`
	Time       time.Time `json:"time"`
	Signer     string    `json:"signer"`
	SignerName string    `json:"signer_name,omitempty"`
	HashOnly   bool      `json:"hash_only,omitempty"`
	// TranslationOf is "ID@N" of the version this one translates;
	// Translations are the versions that translate this one.
	TranslationOf string   `json:"translation_of,omitempty"`
	Translations  []string `json:"translations,omitempty"`
}

// VersionOf is v as printed, with the name its signer's key entry gives
// ("" for the root of a single-key ledger) and the versions that translate
// it (as "ID@N (language)").
func VersionOf(v *ledger.Version, signerName string, translations []string) Version {
	return Version{
		Version: v.Version, Entry: v.Entry, SHA256: v.SHA256, Size: v.Size, MediaType: v.MediaType,
		Title: v.Title, Source: v.Source, Language: v.Language, Note: v.Note, Time: v.Time,
		Signer: string(v.Signer), SignerName: signerName, HashOnly: v.HashOnly,
		TranslationOf: TranslationRef(v), Translations: translations,
	}
}

// TranslationRef is "ID@N" of the version v translates, or "".
func TranslationRef(v *ledger.Version) string {
	if v.TranslationOf == nil {
		return ""
	}
	return fmt.Sprintf("%s@%d", v.TranslationOf.ID, v.TranslationOf.Version)
}

// Translations lists, for each version of document id, the versions that
// translate it, as "ID@N (language)", each read from its verified entry.
// quote makes the language safe to print.
func Translations(l *ledger.Ledger, id string, quote func(string) string) (map[uint64][]string, error) {
	trs, err := l.Translations(id)
	if err != nil {
		return nil, err
	}
	out := map[uint64][]string{}
	for _, t := range trs {
		v := t.TranslationOf.Version
		out[v] = append(out[v], fmt.Sprintf("%s@%d (%s)", t.Doc, t.Version, quote(t.Language)))
	}
	return out, nil
}
