// Package cli is verbatim's command line: it parses flags, calls the
// ledger, records and keys packages, and prints. Main is the only place
// that turns errors into messages and exit codes.
package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/verbatim-ledger/verbatim/ledger"
)

// Exit codes (README.md, docs/JSON.md).
const (
	exitOK     = 0
	exitFailed = 1 // verification failed, tampering, not registered, or the ledger could not be read
	exitUsage  = 2 // usage or input error
)

// env is what every command needs from the outside world.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	jsonOut        bool
	ledgerDir      string
	result         []byte // the JSON result printJSON keeps until the command ends
}

// Main runs verbatim with args and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	root := newRootCmd(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteC()
	if err == nil {
		err = e.flushJSON()
	}
	if err == nil {
		return exitOK
	}
	c := classify(err)
	msg := c.message(err)
	if e.jsonOut || jsonRequested(args) {
		stdout.Write(errorJSON(e.result, err, c, msg))
	}
	fmt.Fprintf(stderr, "verbatim: %s\n", msg)
	if h := hint(err, cmd.Name()); h != "" {
		fmt.Fprintf(stderr, "hint: %s\n", h)
	}
	return c.exit
}

// jsonRequested reports whether --json is among the arguments, for errors
// found before cobra parsed it (an unknown flag before it, for one).
func jsonRequested(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "--json", "--json=true":
			return true
		}
	}
	return false
}

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "verbatim",
		Short: "Keep a signed, append-only provenance ledger of documents",
		Long: `verbatim registers signed versions of documents in a git-backed, append-only
ledger, and verifies that a text is exactly what was registered, by whom and when.

The ledger is --ledger DIR, else $VERBATIM_LEDGER, else the current directory.
Passwords for private keys come from $VERBATIM_PASSWORD or a terminal prompt.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       version(),
		// Unknown commands are usage errors (exit 2), not help (exit 0).
		Args: cobra.ArbitraryArgs,
		RunE: groupRun(nil),
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("ledger") && strings.TrimSpace(e.ledgerDir) == "" {
				return usagef("--ledger is empty: give the ledger directory (omit --ledger to use $VERBATIM_LEDGER or the current directory)")
			}
			return nil
		},
	}
	root.SetVersionTemplate("verbatim {{.Version}}\n")
	root.PersistentFlags().StringVar(&e.ledgerDir, "ledger", "", "ledger directory (default $VERBATIM_LEDGER, else the current directory)")
	root.PersistentFlags().BoolVar(&e.jsonOut, "json", false, "print the result as one JSON document")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })
	root.AddCommand(
		newKeysCmd(e),
		newInitCmd(e),
		newRegisterCmd(e),
		newVerifyCmd(e),
		newShowCmd(e),
		newCheckCmd(e),
		newLogCmd(e),
		newHistoryCmd(e),
		newDiffCmd(e),
		newCheckpointCmd(e),
		newProofCmd(e),
		newAuditCmd(e),
		newWitnessCmd(e),
		newServeCmd(e),
		newGCCmd(e),
		newCloneCmd(e), newPullCmd(e), newPushCmd(e), newSyncCmd(e),
	)
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		switch c.Name() {
		case "completion", "keys", "witness":
			c.Args, c.RunE = cobra.ArbitraryArgs, groupRun(plannedCommands[c.Name()])
		case "show", "history", "proof":
			c.ValidArgsFunction = e.completeDocIDs
		}
	}
	return root
}

// plannedCommands are subcommands that are planned but not yet available,
// with what to do meanwhile.
var plannedCommands = map[string]map[string]string{}

// groupRun is the RunE of a command that only holds subcommands: with no
// arguments it prints the help; an unknown subcommand is a usage error
// (cobra would print the help and exit 0).
func groupRun(planned map[string]string) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		if what, ok := planned[args[0]]; ok {
			return &usageError{err: fmt.Errorf("'%s %s' is not available yet", cmd.CommandPath(), args[0]), hint: what}
		}
		return &usageError{
			err:  fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath()),
			hint: fmt.Sprintf("run '%s --help' for the commands", cmd.CommandPath()),
		}
	}
}

// completeDocIDs completes a document id from the ledger's entries.
func (e *env) completeDocIDs(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	l, err := ledger.Open(e.dir())
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	defer l.Close()
	entries, err := l.Entries()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var ids []string
	seen := map[string]bool{}
	for _, x := range entries {
		if x.Kind == "document" && !seen[x.Doc] && strings.HasPrefix(x.Doc, toComplete) {
			seen[x.Doc] = true
			ids = append(ids, x.Doc)
		}
	}
	return ids, cobra.ShellCompDirectiveNoFileComp
}

// version is verbatim's version from the build information: the module
// version when built by 'go install module@version', else "devel" and the
// git revision the binary was built from.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	v := "devel"
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" {
		v += " " + rev
		if modified == "true" {
			v += " (modified)"
		}
	}
	return v
}

// dir is the ledger directory the user chose.
func (e *env) dir() string {
	if e.ledgerDir != "" {
		return e.ledgerDir
	}
	if d := e.getenv("VERBATIM_LEDGER"); d != "" {
		return d
	}
	return "."
}

// printJSON keeps v, a command's result, to print as indented JSON on
// stdout when the command ends: if the command then fails, Main adds the
// error's fields to it, so that stdout always holds one JSON object.
func (e *env) printJSON(v any) error {
	data, err := marshalJSON(v)
	if err != nil {
		return err
	}
	e.result = append(e.result, data...)
	return nil
}

// flushJSON writes the kept result on stdout.
func (e *env) flushJSON() error {
	if len(e.result) == 0 {
		return nil
	}
	_, err := e.stdout.Write(e.result)
	e.result = nil
	return err
}

// marshalJSON encodes v as indented JSON, without HTML escaping.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (e *env) printf(format string, args ...any) { fmt.Fprintf(e.stdout, format, args...) }

func itoa(v uint64) string { return strconv.FormatUint(v, 10) }
