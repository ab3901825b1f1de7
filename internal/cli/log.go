package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
	"github.com/verbatim-ledger/verbatim/records"
)

type entryJSON struct {
	Entry   uint64    `json:"entry"`
	Kind    string    `json:"kind"`
	Doc     string    `json:"doc,omitempty"`
	Version uint64    `json:"version,omitempty"`
	Time    time.Time `json:"time"`
	Signer  string    `json:"signer"`
}

func newLogCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "log",
		Short: "List the ledger's entries",
		Long: `Log lists every entry, oldest first, as its signed envelope records it: each
envelope is checked against the newest checkpoint's signed Merkle tree and its
signature verified before it is shown. The git history is not read ('verbatim
verify' checks it).`,
		Args: noArgs("log"),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := ledger.Open(e.dir())
			if err != nil {
				return err
			}
			defer l.Close()
			entries, err := l.Entries()
			if err != nil {
				return err
			}
			if e.jsonOut {
				out := make([]entryJSON, len(entries))
				for i, x := range entries {
					out[i] = entryJSON{Entry: x.Entry, Kind: x.Kind, Doc: x.Doc, Version: x.Version, Time: x.Time, Signer: string(x.Signer)}
				}
				return e.printJSON(map[string]any{"ledger": l.Name(), "entries": out})
			}
			for _, x := range entries {
				what := "genesis of " + l.Name()
				if x.Kind == "document" {
					what = x.Doc + " version " + itoa(x.Version)
				} else if strings.HasPrefix(x.Kind, "key ") {
					what = x.Kind + " " + signerLabel(l, keys.Fingerprint(x.Doc))
				}
				e.printf("%6d  %s  %s  %s\n", x.Entry, x.Time.Format(time.RFC3339), signerLabel(l, x.Signer), what)
			}
			return nil
		},
	}
}

type versionJSON struct {
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

func newHistoryCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "history ID",
		Short: "List the versions of one document",
		Long: `History lists the versions of one document, oldest first, each as its signed
entry records it: the entry is checked against the newest checkpoint's signed
Merkle tree and its signature verified before it is shown.`,
		Args: exactArgs(1, "history needs one document ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := records.CheckDocID(args[0]); err != nil {
				return usageErr(err)
			}
			l, err := ledger.Open(e.dir())
			if err != nil {
				return err
			}
			defer l.Close()
			vs, err := l.History(args[0])
			if err != nil {
				return err
			}
			trs, err := translationsByVersion(l, args[0])
			if err != nil {
				return err
			}
			if e.jsonOut {
				out := make([]versionJSON, len(vs))
				for i, v := range vs {
					out[i] = versionJSON{Version: v.Version, Entry: v.Entry, SHA256: v.SHA256, Size: v.Size, MediaType: v.MediaType,
						Title: v.Title, Source: v.Source, Language: v.Language, Note: v.Note, Time: v.Time, Signer: string(v.Signer), SignerName: l.KeyName(v.Signer),
						HashOnly: v.HashOnly, TranslationOf: linkRef(v), Translations: trs[v.Version]}
				}
				return e.printJSON(map[string]any{"doc": args[0], "versions": out})
			}
			for _, v := range vs {
				e.printf("%s version %d  entry %d  %s  %d bytes  sha256 %s  signer %s\n",
					v.Doc, v.Version, v.Entry, v.Time.Format(time.RFC3339), v.Size, v.SHA256[:16], signerLabel(l, v.Signer))
				if v.Title != "" {
					e.printf("    title: %s\n", printable(v.Title))
				}
				if v.Note != "" {
					e.printf("    note:  %s\n", printable(v.Note))
				}
				if v.HashOnly {
					e.printf("    hash-only: the bytes are withheld\n")
				}
				if ref := linkRef(v); ref != "" {
					e.printf("    translation of %s (%s)\n", ref, printable(v.Language))
				}
				for _, t := range trs[v.Version] {
					e.printf("    translated as %s\n", t)
				}
			}
			return nil
		},
	}
}

// printable shows text from a ledger safely on a terminal: control
// characters (and so escape sequences) are quoted, not sent.
func printable(s string) string {
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			q := strconv.Quote(s)
			return q[1 : len(q)-1]
		}
	}
	return s
}

// linkRef is "ID@N" of the version v translates, or "".
func linkRef(v *ledger.Version) string {
	if v.TranslationOf == nil {
		return ""
	}
	return fmt.Sprintf("%s@%d", v.TranslationOf.ID, v.TranslationOf.Version)
}

// translationsByVersion lists, for each version of id, its translations
// as "ID@N (language)", each read from its verified entry.
func translationsByVersion(l *ledger.Ledger, id string) (map[uint64][]string, error) {
	trs, err := l.Translations(id)
	if err != nil {
		return nil, err
	}
	out := map[uint64][]string{}
	for _, t := range trs {
		v := t.TranslationOf.Version
		out[v] = append(out[v], fmt.Sprintf("%s@%d (%s)", t.Doc, t.Version, printable(t.Language)))
	}
	return out, nil
}
