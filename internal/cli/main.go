// Package cli is verbatim's command line: it parses flags, calls the
// ledger, records and keys packages, and prints. Main is the only place
// that turns errors into messages and exit codes.
package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
)

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1 // verification failed, tampering found, or not registered
	exitUsage  = 2 // usage or input error
)

// env is what every command needs from the outside world.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	jsonOut        bool
	ledgerDir      string
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
		return exitOK
	}
	code := exitCode(err)
	fmt.Fprintf(stderr, "verbatim: %s\n", err)
	if h := hint(err, cmd.Name()); h != "" {
		fmt.Fprintf(stderr, "hint: %s\n", h)
	}
	return code
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
	}
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
		newCheckpointCmd(e),
		newProofCmd(e),
		newAuditCmd(e),
		newWitnessCmd(e),
		newServeCmd(e),
	)
	return root
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

// printJSON writes v as indented JSON on stdout.
func (e *env) printJSON(v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func (e *env) printf(format string, args ...any) { fmt.Fprintf(e.stdout, format, args...) }

// usageError is a mistake in how verbatim was called.
type usageError struct{ err error }

func (u *usageError) Error() string { return u.err.Error() }
func (u *usageError) Unwrap() error { return u.err }

func usageErr(err error) error { return &usageError{err} }

func usagef(format string, args ...any) error { return usageErr(fmt.Errorf(format, args...)) }

// failure is a negative answer (verification failed, not registered)
// whose message the command chose.
type failure struct{ msg string }

func (f *failure) Error() string { return f.msg }

func exitCode(err error) int {
	var u *usageError
	var f *failure
	switch {
	case errors.As(err, &u):
		return exitUsage
	case errors.Is(err, ledger.ErrInput):
		return exitUsage
	case errors.As(err, &f), errors.Is(err, ledger.ErrTampered), errors.Is(err, ledger.ErrNotFound):
		return exitFailed
	default:
		return exitUsage
	}
}

// hint suggests what to do about common mistakes.
func hint(err error, command string) string {
	switch {
	case errors.Is(err, ledger.ErrNotLedger):
		return "give the ledger with --ledger DIR or VERBATIM_LEDGER, or create one with 'verbatim init'"
	case errors.Is(err, keys.ErrWrongPassword):
		return "the password comes from VERBATIM_PASSWORD or the terminal prompt"
	case errors.Is(err, keys.ErrPublicKeyGiven):
		return "signing needs the private key file (PREFIX.key), not PREFIX.pub"
	case errors.Is(err, ledger.ErrTampered) && command != "verify" && command != "audit":
		return "run 'verbatim verify' for a full check of the ledger"
	}
	var u *usageError
	if errors.As(err, &u) && strings.Contains(err.Error(), "flag") {
		return "run 'verbatim help' for usage"
	}
	return ""
}

func itoa(v uint64) string { return strconv.FormatUint(v, 10) }
