package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
	"github.com/verbatim-ledger/verbatim/records"
)

type initOptions struct {
	name, key string
}

func newInitCmd(e *env) *cobra.Command {
	var o initOptions
	cmd := &cobra.Command{
		Use:   "init --ledger DIR --name NAME --key KEY",
		Short: "Create a new ledger whose genesis entry makes KEY its root key",
		Args:  noArgs("init"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInit(e, o)
		},
	}
	cmd.Flags().StringVar(&o.name, "name", "", "ledger name, e.g. archive.example.org/letters (required)")
	cmd.Flags().StringVar(&o.key, "key", "", "private key file that becomes the root key (required)")
	return cmd
}

func runInit(e *env, o initOptions) error {
	if o.name == "" || o.key == "" {
		return usagef("init needs --name NAME and --key KEY")
	}
	if err := records.CheckLedgerName(o.name); err != nil {
		return usageErr(err)
	}
	if err := ledger.CanInit(e.dir()); err != nil {
		return err
	}
	key, err := e.signingKey(o.key)
	if err != nil {
		return err
	}
	l, err := ledger.Init(e.dir(), o.name, key, ledger.AppendOptions{})
	if err != nil {
		return err
	}
	defer l.Close()
	if e.jsonOut {
		return e.printJSON(map[string]any{
			"ledger": e.dir(), "name": l.Name(), "entries": l.Size(),
			"root_fingerprint": l.RootFingerprint(), "head": l.Head(),
		})
	}
	e.printf("created ledger %s in %s\n", l.Name(), e.dir())
	e.printf("root key %s\n", l.RootFingerprint())
	return nil
}

// signingKey reads a private key file, asking for its password.
func (e *env) signingKey(path string) (*keys.PrivateKey, error) {
	if err := checkRegularFile(path, "key file"); err != nil {
		return nil, err
	}
	if p := fileProblem(path); p != "" { // a FIFO would block the read
		return nil, usagef("key file %s: %s", path, p)
	}
	if _, err := keys.ReadPublicKeyFile(path); err == nil {
		return nil, fmt.Errorf("%s is a public key; signing needs the private key file: %w", path, keys.ErrPublicKeyGiven)
	}
	pw, err := e.password("password for "+path, false)
	if err != nil {
		return nil, err
	}
	return keys.ReadPrivateKeyFile(path, pw)
}

// checkRegularFile gives a clear error for a missing file or a directory.
func checkRegularFile(path, what string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return inputErr(fmt.Errorf("%s %s does not exist", what, path))
	case err != nil:
		return inputErr(fmt.Errorf("%s %s: %w", what, path, err))
	case fi.IsDir():
		return inputErr(fmt.Errorf("%s %s is a directory, not a file", what, path))
	}
	return nil
}

type registerOptions struct {
	key, doc, title, source, language, note string
	dryRun, quiet                           bool
	hashOnly, noSketch                      bool
	translationOf                           string
}

func newRegisterCmd(e *env) *cobra.Command {
	var o registerOptions
	cmd := &cobra.Command{
		Use:   "register FILE... --key KEY [--doc ID] [--title T] [--source URL] [--language TAG] [--note N]",
		Short: "Register files as new signed document versions",
		Long: `Register adds one signed entry per file. The document id is the file's name
without extension, normalised (Unicode NFC), lower-cased, with every run of
characters other than letters, digits, combining marks, '.' and '_' folded to
'-' (so "Nāmeh 2016.txt" is nāmeh-2016, "نامه-2016.txt" is نامه-2016), unless
--doc gives one (single file only). A file whose bytes equal its document's
latest version is reported unchanged and adds nothing. A file whose id names
an existing document of another media type (huge.bin after huge.txt) is
skipped unless --doc names that document.

Files that cannot be registered (missing, a directory or pipe, no usable id,
an id given twice) are skipped with one line each on stderr; the others are
registered, and the exit status is 2. Results are printed as each batch of
entries is committed; on a terminal, progress is shown on stderr. On
interrupt (Ctrl-C, SIGTERM) register commits the entries it has signed,
stops, says how far it got, and exits 1; running the same command again
registers the rest.

Each UTF-8 text also records its text identity (the SHA-256 of its
normalised form) and a similarity sketch, so that 'verbatim check' finds it
in other bytes (CRLF, NFD, ...) and finds the nearest version of an altered
copy; --no-sketch leaves the sketch out. A file that is not UTF-8 text
(binary, Latin-1, UTF-16) is registered as bytes only, with a note. Files
over 64 MiB are skipped.

--hash-only records the digests (and sketch) but not the bytes, for
confidential evidence: 'check' still recognises the file, 'show' says the
content is withheld. --translation-of ID@N --language TAG records that the
file translates that registered version (one file only).

--dry-run prints what would happen (id, version, unchanged or skipped) and
registers nothing; it needs no key.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRegister(e, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.key, "key", "", "private key file to sign with (required unless --dry-run)")
	f.StringVar(&o.doc, "doc", "", "document id (one file only)")
	f.StringVar(&o.title, "title", "", "title of the document")
	f.StringVar(&o.source, "source", "", "where the document comes from (URL)")
	f.StringVar(&o.language, "language", "", "language tag, e.g. en or fa")
	f.StringVar(&o.note, "note", "", "a note about this version")
	f.BoolVar(&o.dryRun, "dry-run", false, "show each file's id and version; register nothing")
	f.BoolVar(&o.quiet, "quiet", false, "print only errors and skipped files")
	f.BoolVar(&o.hashOnly, "hash-only", false, "record the digests and sketch but not the bytes")
	f.BoolVar(&o.noSketch, "no-sketch", false, "record no similarity sketch")
	f.StringVar(&o.translationOf, "translation-of", "", "ID@N: the registered version this file translates (needs --language)")
	return cmd
}

var languageTag = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)

// check refuses what is wrong with the command as a whole.
func (o registerOptions) check(files []string) error {
	if len(files) == 0 {
		return usagef("register needs at least one FILE")
	}
	if o.key == "" && !o.dryRun {
		return usagef("register needs --key KEY")
	}
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		if p := filepath.Clean(f); seen[p] {
			return usagef("%s is given twice; give each file once", f)
		} else {
			seen[p] = true
		}
	}
	if o.doc != "" && len(files) > 1 {
		return usagef("--doc names one document; give one FILE with it")
	}
	if o.doc != "" {
		if err := records.CheckDocID(o.doc); err != nil {
			return usageErr(err)
		}
	}
	if o.translationOf != "" {
		if len(files) > 1 {
			return usagef("--translation-of links one file; give one FILE with it")
		}
		if o.language == "" {
			return usagef("--translation-of needs --language TAG: the language of the translation")
		}
		if !strings.Contains(o.translationOf, "@") {
			return usagef("--translation-of %q: give ID@VERSION, e.g. letter@1", o.translationOf)
		}
		if _, _, err := parseRef(o.translationOf); err != nil {
			return err
		}
	}
	if o.language != "" && !languageTag.MatchString(o.language) {
		return usagef("--language %q is not a language tag like en, fa or pt-BR", o.language)
	}
	for _, f := range []struct{ name, v string }{{"title", o.title}, {"source", o.source}, {"note", o.note}} {
		if err := records.CheckText(f.name, f.v); err != nil {
			return usageErr(err)
		}
	}
	return nil
}

// registerFlushEvery bounds how many entries one packfile and ref update
// carry: results are printed, and an interrupted bulk import keeps what it
// finished, batch by batch.
const registerFlushEvery = 1000

func runRegister(e *env, o registerOptions, files []string) error {
	if err := o.check(files); err != nil {
		return err
	}
	l, err := ledger.Open(e.dir())
	if err != nil {
		return err
	}
	defer l.Close()
	if o.doc != "" {
		if err := records.CheckDocIDIn(l.Format(), o.doc); err != nil {
			return usageErr(err)
		}
	}
	r := &registerRun{e: e, o: o, l: l, items: o.plan(files, l.Format())}
	if o.translationOf != "" {
		id, ver, _ := parseRef(o.translationOf)
		if r.translationOf, err = l.Lookup(id, ver); err != nil {
			return &detailError{err: err, doc: id, version: ver}
		}
	}
	if o.dryRun {
		return r.dryRun()
	}
	if r.good() == 0 {
		r.reportSkips()
		return r.finish()
	}
	key, err := e.signingKey(o.key)
	if err != nil {
		return err
	}
	a, err := l.Append(key, ledger.AppendOptions{})
	if err != nil {
		return err
	}
	defer a.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := r.register(ctx, a); err != nil {
		if done := r.added + r.unchanged; done > 0 {
			return fmt.Errorf("%w (the %s files before it are registered; re-running the same command after fixing this registers the rest)", err, thousands(done))
		}
		return err
	}
	return r.finish()
}
