package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/verbatim-ledger/verbatim/ledger"
)

type checkOptions struct {
	trust  string
	bundle string
	witnessFlags
}

func newCheckCmd(e *env) *cobra.Command {
	var o checkOptions
	cmd := &cobra.Command{
		Use:   "check FILE... [--trust PUBKEY|FINGERPRINT]",
		Short: "Tell whether each file's exact bytes are a registered version",
		Long: `Check reports, for each file, whether its exact bytes are a registered version:
document, version, title, signer, time and entry. It exits 0 only if every file
matches. It checks what it relies on: the ledger's chain and Merkle tree, the
newest checkpoint's signature, and the signature of each matching entry.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(e, o, args)
		},
	}
	addTrustFlag(cmd.Flags(), &o.trust)
	cmd.Flags().StringVar(&o.bundle, "bundle", "", "verify against this offline proof bundle instead of a ledger")
	o.witnessFlags.add(cmd, "the bundle's checkpoint (with --bundle)")
	return cmd
}

type checkMatch struct {
	Doc     string    `json:"doc"`
	Version uint64    `json:"version"`
	Title   string    `json:"title,omitempty"`
	Signer  string    `json:"signer"`
	Time    time.Time `json:"time"`
	Entry   uint64    `json:"entry"`
}

type checkFile struct {
	File    string       `json:"file"`
	SHA256  string       `json:"sha256"`
	Match   bool         `json:"match"`
	Matches []checkMatch `json:"matches"`
}

func runCheck(e *env, o checkOptions, files []string) error {
	if len(files) == 0 {
		return usagef("check needs at least one FILE")
	}
	if o.bundle != "" {
		return runCheckBundle(e, o, files)
	}
	if len(o.witnesses) > 0 || o.quorum != 0 {
		return usagef("--witness and --quorum check a bundle's checkpoint: give --bundle")
	}
	trust, err := parseTrust(o.trust)
	if err != nil {
		return err
	}
	if err := checkDocumentArgs(files); err != nil {
		return err
	}
	l, err := ledger.Open(e.dir())
	if err != nil {
		return err
	}
	defer l.Close()
	if trust != "" && l.RootFingerprint() != string(trust) {
		return &failure{fmt.Sprintf("ledger %s has root key %s, not the pinned key %s", l.Name(), l.RootFingerprint(), trust)}
	}
	var results []checkFile
	missing := 0
	for _, f := range files {
		r, err := checkOne(l, f)
		if err != nil {
			return err
		}
		if !r.Match {
			missing++
		}
		results = append(results, r)
	}
	if e.jsonOut {
		e.printJSON(map[string]any{"ok": missing == 0, "ledger": l.Name(), "trust_pinned": trust != "", "root_fingerprint": l.RootFingerprint(), "files": results})
	} else {
		e.printCheck(l, results, trust != "")
	}
	if missing > 0 {
		return &failure{fmt.Sprintf("%d of %d files are not registered in ledger %s", missing, len(files), l.Name())}
	}
	return nil
}

func checkOne(l *ledger.Ledger, file string) (checkFile, error) {
	content, err := readDocument(file)
	if err != nil {
		return checkFile{}, inputErr(err)
	}
	vs, err := l.FindContent(content)
	if err != nil {
		return checkFile{}, err
	}
	r := checkFile{File: file, SHA256: ledger.ContentDigest(content), Matches: []checkMatch{}}
	for _, v := range vs {
		if err := l.VerifyVersion(v); err != nil {
			return r, err
		}
		r.Matches = append(r.Matches, checkMatch{Doc: v.Doc, Version: v.Version, Title: v.Title, Signer: string(v.Signer), Time: v.Time, Entry: v.Entry})
	}
	r.Match = len(r.Matches) > 0
	return r, nil
}

func (e *env) printCheck(l *ledger.Ledger, results []checkFile, pinned bool) {
	for _, r := range results {
		if !r.Match {
			e.printf("NOT REGISTERED  %s (sha256 %s)\n", r.File, r.SHA256[:16])
			continue
		}
		for _, m := range r.Matches {
			title := ""
			if m.Title != "" {
				title = " \"" + printable(m.Title) + "\""
			}
			e.printf("MATCH  %s = %s version %d%s, entry %d, registered %s by key %s\n",
				r.File, m.Doc, m.Version, title, m.Entry, m.Time.Format(time.RFC3339), m.Signer[:16])
		}
	}
	if !pinned {
		e.printf("trust NOT pinned: ledger %s has root key %s; pin it with --trust\n", l.Name(), l.RootFingerprint())
	}
}
