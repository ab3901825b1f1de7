package cli

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/verbatim-ledger/verbatim/internal/report"
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
			trs, err := report.Translations(l, args[0], printable)
			if err != nil {
				return err
			}
			if e.jsonOut {
				out := make([]report.Version, len(vs))
				for i, v := range vs {
					out[i] = report.VersionOf(v, l.KeyName(v.Signer), trs[v.Version])
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
				if ref := report.TranslationRef(v); ref != "" {
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
