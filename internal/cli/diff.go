package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/verbatim-ledger/verbatim/ledger"
	"github.com/verbatim-ledger/verbatim/textform"
	"github.com/verbatim-ledger/verbatim/worddiff"
)

func newDiffCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "diff A B",
		Short: "Show a word-level diff of two texts: registered versions (ID@N) or files",
		Long: `Diff compares two texts word by word. Each side is a registered version
(ID@N, or ID for the latest), read and checked against its signed entry, or a
file ('-' for standard input). Both are compared in their normalised text
form, so line endings, NFC and trailing spaces do not show as changes.
Lines are numbered as in A. Changes are coloured on a terminal and marked
[-deleted-] {+inserted+} otherwise; --json gives the chunks. A hash-only
version cannot be diffed: its bytes are not in the ledger. The exit status
is 0 when the texts are the same, 1 when they differ.`,
		Args: exactArgs(2, "diff needs two sides: ID@N or FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDiff(e, args[0], args[1])
		},
	}
}

// diffSide is one side of a diff: its label and normalised text.
type diffSide struct {
	label string
	text  []byte
}

func runDiff(e *env, a, b string) error {
	if a == "-" && b == "-" {
		return usagef("- (standard input) can be given only once")
	}
	var l *ledger.Ledger
	defer func() {
		if l != nil {
			l.Close()
		}
	}()
	sides := make([]diffSide, 2)
	for i, arg := range []string{a, b} {
		var err error
		if sides[i], err = e.readDiffSide(&l, arg); err != nil {
			return err
		}
	}
	d, err := worddiff.Compare(string(sides[0].text), string(sides[1].text))
	if err != nil {
		return inputErr(fmt.Errorf("cannot diff %s and %s: %w", a, b, err))
	}
	if e.jsonOut {
		if err := e.printJSON(map[string]any{"a": sides[0].label, "b": sides[1].label, "same": !d.Changed(),
			"granularity": d.Granularity, "chunks": d.Chunks}); err != nil {
			return err
		}
	} else {
		e.printf("--- %s\n+++ %s\n", sides[0].label, sides[1].label)
		if err := d.WriteText(e.stdout, worddiff.Style{Color: e.colour()}); err != nil {
			return err
		}
	}
	if d.Changed() {
		return &failure{fmt.Sprintf("%s and %s differ", sides[0].label, sides[1].label)}
	}
	return nil
}

// readDiffSide reads a side: a file or "-" when it names one (or is "-"),
// else a registered version, opening the ledger on first use.
func (e *env) readDiffSide(l **ledger.Ledger, arg string) (diffSide, error) {
	if arg == "-" || isFile(arg) {
		if err := checkDocumentArgs([]string{arg}); err != nil {
			return diffSide{}, err
		}
		data, err := readDocument(arg)
		if err != nil {
			return diffSide{}, inputErr(err)
		}
		return normalisedSide(arg, data)
	}
	if isDir(arg) {
		return diffSide{}, inputErr(fmt.Errorf("%s is a directory; give a file or ID@N", arg))
	}
	id, ver, err := parseRef(arg)
	if err != nil {
		return diffSide{}, usagef("%s is neither a file nor a registered version ID@N: %v", arg, err)
	}
	if *l == nil {
		if *l, err = ledger.Open(e.dir()); err != nil {
			return diffSide{}, err
		}
	}
	v, err := (*l).Lookup(id, ver)
	if err != nil {
		if !strings.Contains(arg, "@") {
			err = fmt.Errorf("%w, and there is no file %s", err, arg)
		}
		return diffSide{}, &detailError{err: err, doc: id, version: ver}
	}
	data, err := (*l).Content(v)
	if errors.Is(err, ledger.ErrWithheld) {
		return diffSide{}, &failure{fmt.Sprintf("%s@%d was registered hash-only: its bytes are not in the ledger, so it cannot be diffed ('verbatim check' still compares a file with it)", v.Doc, v.Version)}
	}
	if err != nil {
		return diffSide{}, err
	}
	return normalisedSide(fmt.Sprintf("%s@%d", v.Doc, v.Version), data)
}

func normalisedSide(label string, data []byte) (diffSide, error) {
	t, _, err := textform.Normalize(data)
	if err != nil {
		return diffSide{}, inputErr(fmt.Errorf("%s is not UTF-8 text, so it has no words to diff: %w", label, err))
	}
	return diffSide{label: label, text: t}, nil
}

// isFile reports whether path names an existing non-directory; an ID@N
// is never taken for a file unless such a file exists.
func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() || strings.ContainsAny(path, "/\\") && !isDir(path)
}
