package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/verbatim-ledger/verbatim/keys"
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
document, version, title, signer, time and entry, and whether a newer version
of that document exists. It exits 0 only if every file matches.

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
		e.printJSON(map[string]any{"ok": missing == 0, "ledger": l.Name(), "trust_pinned": trust != "", "root_fingerprint": l.RootFingerprint(), "files": results,
			"entries": l.Size(), "checked": checkChecked, "not_checked": checkNotChecked})
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
	for _, v := range vs { // each read from its verified statement
		if err := l.VerifyTipEntry(v.Entry); err != nil {
			return r, err
		}
		m := checkMatch{Doc: v.Doc, Version: v.Version, Title: v.Title, Signer: string(v.Signer), SignerName: l.KeyName(v.Signer), Time: v.Time, Entry: v.Entry}
		latest, err := l.Lookup(v.Doc, 0)
		if err != nil {
			return r, err
		}
		if latest.Version > v.Version {
			m.Newer = &checkNewer{Version: latest.Version, Entry: latest.Entry, Time: latest.Time}
		}
		r.Matches = append(r.Matches, m)
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
				r.File, m.Doc, m.Version, title, m.Entry, m.Time.Format(time.RFC3339), signerLabel(l, keys.Fingerprint(m.Signer)))
			if m.Newer != nil {
				e.printf("       a newer version %d of %s exists (entry %d, registered %s)\n", m.Newer.Version, m.Doc, m.Newer.Entry, m.Newer.Time.Format(time.RFC3339))
			}
		}
	}
	e.printf("checked: the newest checkpoint's signature and the %d entries' files and Merkle tree it signs, the top-level layout, each matching entry in full\n", l.Size())
	e.printf("not checked: the git history (earlier commits); run 'verbatim verify' to check it\n")
	if !pinned {
		e.printf("trust NOT pinned: ledger %s has root key %s; pin it with --trust\n", l.Name(), l.RootFingerprint())
	}
}
