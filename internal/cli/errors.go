package cli

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"strings"

	"github.com/verbatim-ledger/verbatim/bundle"
	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
	"github.com/verbatim-ledger/verbatim/witness"
)

// usageError is a mistake in how verbatim was called (code "usage") or in
// an input file the user gave (code "input"). Both exit 2.
type usageError struct {
	err  error
	code string // "" means "usage"
	hint string // what to do, if the generic hint does not say it
}

func (u *usageError) Error() string { return u.err.Error() }
func (u *usageError) Unwrap() error { return u.err }

// usageErr marks err as a usage error, unless it already is one (or an
// input error, which keeps its code).
func usageErr(err error) error {
	var u *usageError
	if errors.As(err, &u) {
		return err
	}
	return &usageError{err: err}
}

func usagef(format string, args ...any) error { return usageErr(fmt.Errorf(format, args...)) }

// inputErr marks err as a problem with an input file the user gave: it
// does not exist, cannot be read, or is not what it should be.
func inputErr(err error) error { return &usageError{err: err, code: "input"} }

// failure is a negative answer (verification failed, not registered)
// whose message the command chose.
type failure struct{ msg string }

func (f *failure) Error() string { return f.msg }

// detailError adds the document version an error is about, for --json.
type detailError struct {
	err     error
	doc     string
	version uint64 // 0 if not known
}

func (d *detailError) Error() string { return d.err.Error() }
func (d *detailError) Unwrap() error { return d.err }

// errClass is how Main reports an error: a stable code (docs/JSON.md) and
// an exit status.
type errClass struct {
	code string
	exit int
}

// classify maps an error to its code and exit status. Order matters: the
// more specific sentinels come before the ones they wrap.
func classify(err error) errClass {
	var u *usageError
	var f *failure
	switch {
	case errors.As(err, &u):
		if u.code != "" {
			return errClass{u.code, exitUsage}
		}
		return errClass{"usage", exitUsage}
	case errors.Is(err, ledger.ErrNotLedger):
		return errClass{"not_a_ledger", exitUsage}
	case errors.Is(err, keys.ErrWrongPassword):
		return errClass{"wrong_password", exitUsage}
	case errors.Is(err, errNoPassword):
		return errClass{"no_password", exitUsage}
	case errors.Is(err, ledger.ErrExists), errors.Is(err, keys.ErrExists):
		return errClass{"exists", exitUsage}
	case errors.Is(err, ledger.ErrInput), errors.Is(err, bundle.ErrMalformed), errors.Is(err, witness.ErrBadState),
		errors.Is(err, keys.ErrNotAKey), errors.Is(err, keys.ErrPublicKeyGiven),
		errors.Is(err, keys.ErrUnencryptedKey), errors.Is(err, keys.ErrUnsupportedKey):
		return errClass{"input", exitUsage}
	case errors.Is(err, ledger.ErrLocked):
		return errClass{"locked", exitFailed}
	case errors.Is(err, ledger.ErrRemoteMoved):
		return errClass{"remote_moved", exitFailed}
	case errors.Is(err, ledger.ErrRollback):
		return errClass{"rollback", exitFailed}
	case errors.Is(err, ledger.ErrFork):
		return errClass{"fork", exitFailed}
	case errors.Is(err, ledger.ErrTampered):
		return errClass{"tampered", exitFailed}
	case errors.Is(err, ledger.ErrNotFound):
		return errClass{"not_found", exitFailed}
	case errors.As(err, &f), errors.Is(err, bundle.ErrFailed), errors.Is(err, checkpoint.ErrQuorum),
		errors.Is(err, witness.ErrRefused):
		return errClass{"failed", exitFailed}
	case errors.Is(err, fs.ErrNotExist):
		// A path the user named (a key file, for one) does not exist; the
		// ledger's own missing objects are tampering, found above.
		return errClass{"input", exitUsage}
	default:
		// Anything else kept verbatim from finishing: a file or the ledger
		// could not be read or written. Nothing was verified, so it is not
		// a pass: exit 1.
		return errClass{"io", exitFailed}
	}
}

// message is the one-line message for err.
func (c errClass) message(err error) string {
	msg := hexRoots(err.Error())
	if c.code == "io" {
		return "could not complete: " + msg
	}
	return msg
}

// rootMismatch is the text of transparency-dev/merkle's RootMismatchError,
// which prints both roots as Go byte slices on lines of their own.
var rootMismatch = regexp.MustCompile(`calculated root:\s*\[([0-9 ]*)\]\s*does not match expected root:\s*\[([0-9 ]*)\]`)

// hexRoots rewrites Merkle root mismatches in msg on one line, in hex.
func hexRoots(msg string) string {
	return rootMismatch.ReplaceAllStringFunc(msg, func(m string) string {
		g := rootMismatch.FindStringSubmatch(m)
		return fmt.Sprintf("calculated root %s does not match expected root %s", bytesHex(g[1]), bytesHex(g[2]))
	})
}

// bytesHex turns "1 2 255" into "0102ff".
func bytesHex(list string) string {
	var b []byte
	for _, f := range strings.Fields(list) {
		n, err := strconv.ParseUint(f, 10, 8)
		if err != nil {
			return "[" + list + "]"
		}
		b = append(b, byte(n))
	}
	return hex.EncodeToString(b)
}

// hint suggests what to do about common mistakes.
func hint(err error, command string) string {
	var u *usageError
	if errors.As(err, &u) && u.hint != "" {
		return u.hint
	}
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
	if errors.As(err, &u) && strings.Contains(err.Error(), "flag") {
		return "run 'verbatim help' for usage"
	}
	if classify(err).code == "io" {
		return "nothing was verified or changed; check the path, its permissions and the disk, and run the command again"
	}
	return ""
}

// errorJSON is the JSON document Main prints on stdout for err under
// --json (docs/JSON.md): the command's result, if it printed one, with the
// error's fields added; else an object of the error's fields alone.
func errorJSON(result []byte, err error, c errClass, msg string) []byte {
	fields := []struct {
		key string
		val any
	}{{"ok", false}, {"code", c.code}, {"exit", c.exit}, {"message", msg}}
	add := func(key string, val any) {
		fields = append(fields, struct {
			key string
			val any
		}{key, val})
	}
	var ee *ledger.EntryError
	var de *detailError
	switch {
	case errors.As(err, &ee):
		add("entry", ee.Entry)
		if ee.Doc != "" {
			add("doc", ee.Doc)
			add("version", ee.Version)
		}
		if ee.Commit != "" {
			add("commit", ee.Commit)
		}
		add("problem", ee.Problem)
	case errors.As(err, &de):
		add("doc", de.doc)
		if de.version != 0 {
			add("version", de.version)
		}
	}
	var have map[string]json.RawMessage
	if json.Unmarshal(result, &have) != nil {
		result, have = []byte("{}"), nil
	}
	// Append the fields the result lacks before its closing brace.
	out := []byte(strings.TrimRight(string(result), " \n"))
	out = out[:len(out)-1]
	empty := len(have) == 0
	for _, f := range fields {
		if _, ok := have[f.key]; ok {
			continue
		}
		k, _ := json.Marshal(f.key)
		v, _ := json.Marshal(f.val)
		if !empty {
			out = append(out, ',')
		}
		empty = false
		out = append(append(append(out, k...), ':'), v...)
	}
	out = append(out, '}')
	pretty, perr := marshalJSON(json.RawMessage(out))
	if perr != nil {
		panic("cli: error JSON is not valid: " + perr.Error())
	}
	return pretty
}
