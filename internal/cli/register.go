package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"

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
}

func newRegisterCmd(e *env) *cobra.Command {
	var o registerOptions
	cmd := &cobra.Command{
		Use:   "register FILE... --key KEY [--doc ID] [--title T] [--source URL] [--language TAG] [--note N]",
		Short: "Register files as new signed document versions",
		Long: `Register adds one signed entry per file. The document id is the file's name
without extension, lower-cased, other characters folded to '-', unless --doc
gives one (single file only). A file whose bytes equal its document's latest
version is reported unchanged and adds nothing.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRegister(e, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.key, "key", "", "private key file to sign with (required)")
	f.StringVar(&o.doc, "doc", "", "document id (one file only)")
	f.StringVar(&o.title, "title", "", "title of the document")
	f.StringVar(&o.source, "source", "", "where the document comes from (URL)")
	f.StringVar(&o.language, "language", "", "language tag, e.g. en or fa")
	f.StringVar(&o.note, "note", "", "a note about this version")
	return cmd
}

var languageTag = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)

// registerItem is one file to register, checked before anything is written.
type registerItem struct {
	file, id string
}

func (o registerOptions) items(files []string) ([]registerItem, error) {
	if len(files) == 0 {
		return nil, usagef("register needs at least one FILE")
	}
	if o.key == "" {
		return nil, usagef("register needs --key KEY")
	}
	if o.doc != "" && len(files) > 1 {
		return nil, usagef("--doc names one document; give one FILE with it")
	}
	if o.language != "" && !languageTag.MatchString(o.language) {
		return nil, usagef("--language %q is not a language tag like en, fa or pt-BR", o.language)
	}
	for _, f := range []struct{ name, v string }{{"title", o.title}, {"source", o.source}, {"note", o.note}} {
		if err := records.CheckText(f.name, f.v); err != nil {
			return nil, usageErr(err)
		}
	}
	items := make([]registerItem, len(files))
	fileOf := map[string]string{}
	for i, f := range files {
		if err := checkRegularFile(f, "file"); err != nil {
			return nil, usageErr(err)
		}
		id := o.doc
		if id == "" {
			var err error
			if id, err = records.DocIDFromPath(f); err != nil {
				return nil, usageErr(err)
			}
		} else if err := records.CheckDocID(id); err != nil {
			return nil, usageErr(err)
		}
		if other, ok := fileOf[id]; ok {
			return nil, usagef("%s and %s both become document %s; register one at a time, or name each with --doc", other, f, id)
		}
		fileOf[id] = f
		items[i] = registerItem{file: f, id: id}
	}
	return items, nil
}

// registerFlushEvery bounds how many entries one packfile and ref update
// carry, so an interrupted bulk import keeps what it finished.
const registerFlushEvery = 1000

func runRegister(e *env, o registerOptions, files []string) error {
	items, err := o.items(files)
	if err != nil {
		return err
	}
	l, err := ledger.Open(e.dir())
	if err != nil {
		return err
	}
	defer l.Close()
	key, err := e.signingKey(o.key)
	if err != nil {
		return err
	}
	a, err := l.Append(key, ledger.AppendOptions{})
	if err != nil {
		return err
	}
	defer a.Close()
	var out []registerResult
	for _, it := range items {
		content, err := os.ReadFile(it.file)
		if err != nil {
			return fmt.Errorf("reading %s: %w", it.file, err)
		}
		res, err := a.Add(ledger.NewDocument{ID: it.id, Content: content, Title: o.title, Source: o.source, Language: o.language, Note: o.note})
		if err != nil {
			return fmt.Errorf("registering %s: %w", it.file, err)
		}
		out = append(out, registerResult{File: it.file, Doc: it.id, Version: res.Version.Version, Entry: res.Version.Entry, SHA256: res.Version.SHA256, Unchanged: res.Unchanged})
		if a.Pending() >= registerFlushEvery {
			if err := a.Flush(); err != nil {
				return err
			}
		}
	}
	if err := a.Flush(); err != nil {
		return err
	}
	return e.printRegistered(l, out)
}

type registerResult struct {
	File      string `json:"file"`
	Doc       string `json:"doc"`
	Version   uint64 `json:"version"`
	Entry     uint64 `json:"entry"`
	SHA256    string `json:"sha256"`
	Unchanged bool   `json:"unchanged"`
}

func (e *env) printRegistered(l *ledger.Ledger, out []registerResult) error {
	added := 0
	for _, r := range out {
		if !r.Unchanged {
			added++
		}
	}
	if e.jsonOut {
		return e.printJSON(map[string]any{"ledger": l.Name(), "added": added, "unchanged": len(out) - added, "entries": l.Size(), "results": out})
	}
	for _, r := range out {
		if r.Unchanged {
			e.printf("unchanged  %s = %s version %d (entry %d)\n", r.File, r.Doc, r.Version, r.Entry)
		} else {
			e.printf("registered %s as %s version %d (entry %d, sha256 %s)\n", r.File, r.Doc, r.Version, r.Entry, r.SHA256[:16])
		}
	}
	e.printf("%d added, %d unchanged; ledger %s has %d entries\n", added, len(out)-added, l.Name(), l.Size())
	return nil
}
