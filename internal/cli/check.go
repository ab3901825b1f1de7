package cli

import (
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/spf13/cobra"

	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
	"github.com/verbatim-ledger/verbatim/match"
	"github.com/verbatim-ledger/verbatim/worddiff"
)

type checkOptions struct {
	trust  string
	bundle string
	text   bool
	witnessFlags
}

func newCheckCmd(e *env) *cobra.Command {
	var o checkOptions
	cmd := &cobra.Command{
		Use:   "check FILE... [--trust PUBKEY|FINGERPRINT]",
		Short: "Tell whether each file is a registered version, the same text, or near one",
		Long: `Check answers, for each file, one of:

  MATCH           exact: these bytes are a registered version
  TEXT MATCH      text: other bytes, but the same normalised text as a
                  registered version (line endings, NFC, BOM, trailing
                  spaces); it says which normalisations made the difference
  NEAREST         not registered; the most similar registered version, its
                  similarity (Jaccard of word triples, from 0.3 to 1) and a
                  word diff of what differs
  NOT REGISTERED  nothing registered is similar

with the document, version, title, signer, time and entry, and whether a
newer version of that document exists. It exits 0 only if every file is an
exact match (or a text match, with --text), and 1 otherwise.

It checks what its answer rests on, in the newest commit: the newest
checkpoint's signature, that the entries/ tree is the one that checkpoint
signs, the Merkle tree of all the entries' envelopes, the top-level layout,
and each matching entry in full (signature, files, stored bytes); every
printed field comes from the matching entry's signed statement. It does not
read the git history (the earlier commits), and says so: 'verbatim verify'
checks it.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(e, o, args)
		},
	}
	addTrustFlag(cmd.Flags(), &o.trust)
	cmd.Flags().BoolVar(&o.text, "text", false, "exit 0 for a text match too (same normalised text, other bytes)")
	cmd.Flags().StringVar(&o.bundle, "bundle", "", "verify against this offline proof bundle instead of a ledger")
	o.witnessFlags.add(cmd, "the bundle's checkpoint (with --bundle)")
	return cmd
}

type checkMatch struct {
	Doc        string    `json:"doc"`
	Version    uint64    `json:"version"`
	Title      string    `json:"title,omitempty"`
	Signer     string    `json:"signer"`
	SignerName string    `json:"signer_name,omitempty"`
	Time       time.Time `json:"time"`
	Entry      uint64    `json:"entry"`
	// Newer is the document's latest version, if newer than this one.
	Newer *checkNewer `json:"newer_version,omitempty"`
	// TranslationOf names the version this one translates.
	TranslationOf string `json:"translation_of,omitempty"`
	HashOnly      bool   `json:"hash_only,omitempty"`
}

type checkNewer struct {
	Version uint64    `json:"version"`
	Entry   uint64    `json:"entry"`
	Time    time.Time `json:"time"`
}

// What check relies on and what it leaves to verify, in its output.
var (
	checkChecked    = []string{"newest checkpoint signature", "entries tree signed by the checkpoint", "Merkle tree of all entries", "top-level layout", "matching entries in full"}
	checkNotChecked = []string{"git history"}
)

// checkFile is the answer for one file: match is exact, text, nearest or
// none (package match); document and version name the first match or the
// nearest version.
type checkFile struct {
	File           string         `json:"file"`
	SHA256         string         `json:"sha256"`
	Match          match.Kind     `json:"match"`
	Document       string         `json:"document,omitempty"`
	Version        uint64         `json:"version,omitempty"`
	Similarity     float64        `json:"similarity,omitempty"`
	Estimated      bool           `json:"similarity_estimated,omitempty"`
	Normalisations []string       `json:"normalisations,omitempty"`
	NotText        bool           `json:"not_text,omitempty"`
	Diff           *worddiff.Diff `json:"diff,omitempty"`
	Matches        []checkMatch   `json:"matches"`
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
	if trust != "" && l.RootFingerprint() != string(trust) && len(l.RootChain()) == 1 {
		return &failure{fmt.Sprintf("ledger %s has root key %s, not the pinned key %s", l.Name(), l.RootFingerprint(), trust)}
	}
	if trust != "" {
		// The key entries connect the newest checkpoint's signer to the
		// pinned root: their signatures are verified (FORMAT.md §3.7).
		if _, err := l.CheckTrust(trust); err != nil {
			return err
		}
	}
	var results []checkFile
	failed, texts := 0, 0
	var finder match.Finder
	for _, f := range files {
		r, err := checkOne(l, &finder, f)
		if err != nil {
			return err
		}
		if r.Match != match.Exact && (r.Match != match.Text || !o.text) {
			failed++
		}
		if r.Match == match.Text && !o.text {
			texts++
		}
		results = append(results, r)
	}
	if e.jsonOut {
		e.printJSON(map[string]any{"ok": failed == 0, "ledger": l.Name(), "trust_pinned": trust != "", "root_fingerprint": l.RootFingerprint(), "files": results,
			"entries": l.Size(), "checked": checkChecked, "not_checked": checkNotChecked})
	} else {
		e.printCheck(l, results, trust != "")
	}
	if failed > 0 {
		msg := fmt.Sprintf("%d of %d files are not registered in ledger %s", failed, len(files), l.Name())
		if texts > 0 {
			msg = fmt.Sprintf("%d of %d files are not registered byte for byte in ledger %s (%d the same text: give --text to accept that)", failed, len(files), l.Name(), texts)
		}
		return &failure{msg}
	}
	return nil
}

func checkOne(l *ledger.Ledger, finder *match.Finder, file string) (checkFile, error) {
	content, err := readDocument(file)
	if err != nil {
		return checkFile{}, inputErr(err)
	}
	r := checkFile{File: file, SHA256: ledger.ContentDigest(content), Matches: []checkMatch{}}
	res, err := finder.Find(l, content)
	if err != nil {
		return r, err
	}
	r.Match, r.NotText, r.Diff = res.Kind, res.NotText, res.Diff
	if res.Kind == match.Nearest {
		r.Similarity, r.Estimated = res.Similarity, res.Estimated
	}
	if res.Kind == match.Text {
		r.Normalisations = res.Changes.Descriptions()
	}
	for _, v := range res.Versions { // each read from its verified statement
		if err := l.VerifyTipEntry(v.Entry); err != nil {
			return r, err
		}
		m := checkMatch{Doc: v.Doc, Version: v.Version, Title: v.Title, Signer: string(v.Signer), SignerName: l.KeyName(v.Signer), Time: v.Time, Entry: v.Entry, HashOnly: v.HashOnly}
		if t := v.TranslationOf; t != nil {
			m.TranslationOf = fmt.Sprintf("%s@%d", t.ID, t.Version)
		}
		latest, err := l.Lookup(v.Doc, 0)
		if err != nil {
			return r, err
		}
		if latest.Version > v.Version {
			m.Newer = &checkNewer{Version: latest.Version, Entry: latest.Entry, Time: latest.Time}
		}
		r.Matches = append(r.Matches, m)
	}
	if len(r.Matches) > 0 {
		r.Document, r.Version = r.Matches[0].Doc, r.Matches[0].Version
	}
	return r, nil
}

func (e *env) printCheck(l *ledger.Ledger, results []checkFile, pinned bool) {
	for _, r := range results {
		e.printCheckFile(l, r)
	}
	e.printf("checked: the newest checkpoint's signature and the %d entries' files and Merkle tree it signs, the top-level layout, each matching entry in full\n", l.Size())
	e.printf("not checked: the git history (earlier commits); run 'verbatim verify' to check it\n")
	if !pinned {
		e.printf("trust NOT pinned: ledger %s has root key %s; pin it with --trust\n", l.Name(), l.RootFingerprint())
	}
}

func (e *env) printCheckFile(l *ledger.Ledger, r checkFile) {
	switch r.Match {
	case match.None:
		why := "nothing registered is similar"
		if r.NotText {
			why = "it is not UTF-8 text, so only its exact bytes could match, and they are not registered"
		}
		e.printf("NOT REGISTERED  %s (sha256 %s): %s\n", r.File, r.SHA256[:16], why)
		return
	case match.Nearest:
		m := r.Matches[0]
		how := "similarity"
		if r.Estimated {
			how = "estimated similarity (hash-only version: no bytes to compare)"
		}
		e.printf("NEAREST  %s is not registered; the most similar registered version is %s@%d%s (%s %.3f), entry %d\n",
			r.File, m.Doc, m.Version, titleOf(m.Title), how, r.Similarity, m.Entry)
		if r.Diff != nil {
			var buf strings.Builder
			r.Diff.WriteContext(&buf, 6, worddiff.Style{Color: e.colour()})
			for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
				e.printf("         %s\n", line)
			}
		}
		return
	}
	for _, m := range r.Matches {
		label := "MATCH "
		if r.Match == match.Text {
			label = "TEXT MATCH "
		}
		e.printf("%s %s = %s version %d%s, entry %d, registered %s by key %s\n",
			label, r.File, m.Doc, m.Version, titleOf(m.Title), m.Entry, m.Time.Format(time.RFC3339), signerLabel(l, keys.Fingerprint(m.Signer)))
		if r.Match == match.Text {
			e.printf("       same text, other bytes: %s\n", describeChanges(r.Normalisations))
		}
		if m.TranslationOf != "" {
			e.printf("       a translation of %s\n", m.TranslationOf)
		}
		if m.HashOnly {
			e.printf("       registered hash-only: the ledger holds its digests, not its bytes\n")
		}
		if m.Newer != nil {
			e.printf("       a newer version %d of %s exists (entry %d, registered %s)\n", m.Newer.Version, m.Doc, m.Newer.Entry, m.Newer.Time.Format(time.RFC3339))
		}
	}
}

func describeChanges(names []string) string {
	if len(names) == 0 {
		return "the bytes differ only as the registered bytes do from their own normal form"
	}
	return strings.Join(names, ", ")
}

func titleOf(t string) string {
	if t == "" {
		return ""
	}
	return " \"" + printable(t) + "\""
}

// colour reports whether stdout is a terminal, where diffs are coloured.
func (e *env) colour() bool {
	f, ok := e.stdout.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
