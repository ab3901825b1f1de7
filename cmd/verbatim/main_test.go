//go:build unix

// The end-to-end tests build the real verbatim binary once and run it as a
// user would, from the testscript files in testdata/*.txt.
//
// Besides testscript's standard commands, the scripts can use:
//
//	status N PROG [ARGS...]   run PROG like exec and require exit status N
//	notty PROG [ARGS...]      (a program, for exec or status) run PROG in a new
//	                          session, without a controlling terminal
//	perm MODE FILE            require FILE's permission bits to be MODE (octal)
//	stdoutenv NAME            set $NAME to the last stdout, final newline removed
//	replace FILE OLD NEW      replace every OLD in FILE by NEW (OLD must occur)
//	jsonvalid                 require stdout to be exactly one JSON object
//	jsonfield PATH [WANT]     require the field PATH (a.b.0.c) of the JSON object
//	                          on stdout to exist and, with WANT, to be the JSON
//	                          value WANT; with !, require it absent or different
//
// The tests are for Unix: they check file modes and use a new session (notty)
// to show that verbatim never waits for a password on a terminal it lacks.
//
// Each 'keys generate' and each use of a private key costs a scrypt
// computation (about 100 ms), so the scripts make few keys.
package main_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// binDir is the directory holding the verbatim binary built for the tests.
var binDir string

func TestMain(m *testing.M) {
	testscript.Main(buildFirst{m}, map[string]func(){
		"notty": notty,
	})
}

// buildFirst builds the verbatim binary before running the tests, and
// removes it after. testscript.Main calls Run only in the top-level test
// process, not when the test binary runs as one of its commands (notty).
type buildFirst struct{ m *testing.M }

func (b buildFirst) Run() int {
	dir, err := os.MkdirTemp("", "verbatim-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "verbatim"), ".")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "building verbatim: %v\n", err)
		return 1
	}
	binDir = dir
	return b.m.Run()
}

// notty runs its arguments as a command in a new session, so that the
// command has no controlling terminal (/dev/tty cannot be opened), even when
// the tests run in one. It exits with the command's exit status.
func notty() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: notty PROG [ARGS...]")
		os.Exit(127)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		os.Exit(ee.ExitCode())
	case err != nil:
		fmt.Fprintln(os.Stderr, "notty:", err)
		os.Exit(127)
	}
	os.Exit(0)
}

func TestScripts(t *testing.T) {
	examples, err := filepath.Abs(filepath.Join("..", "..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	goldenV2, err := filepath.Abs(filepath.Join("..", "..", "ledger", "testdata", "golden-v2.git"))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(e *testscript.Env) error {
			e.Setenv("PATH", binDir+string(filepath.ListSeparator)+e.Getenv("PATH"))
			e.Setenv("VERBATIM_PASSWORD", "test-password")
			e.Setenv("VERBATIM_LEDGER", "") // the CLI treats empty as unset
			e.Setenv("HOME", e.WorkDir)
			e.Setenv("EXAMPLES", examples)
			e.Setenv("GOLDEN_V2", goldenV2) // a format v2 ledger; copy it before use
			// git, for the tamper scripts: no user or system configuration.
			e.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
			e.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"status":    cmdStatus,
			"perm":      cmdPerm,
			"stdoutenv": cmdStdoutEnv,
			"replace":   cmdReplace,
			"jsonvalid": cmdJSONValid,
			"jsonfield": cmdJSONField,
			"convert":   cmdConvert,
		},
	})
}

// status N PROG [ARGS...] runs PROG like exec and requires exit status N.
// Its stdout and stderr are then available to stdout, stderr and cmp.
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! status")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: status N PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil || want < 0 {
		ts.Fatalf("status: bad exit status %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("status: running %s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	ts.Logf("[exit status %d]", got)
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// perm MODE FILE requires FILE's permission bits to be MODE, in octal.
func cmdPerm(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: perm MODE FILE")
	}
	want, err := strconv.ParseUint(args[0], 8, 32)
	if err != nil {
		ts.Fatalf("perm: bad mode %q", args[0])
	}
	fi, err := os.Stat(ts.MkAbs(args[1]))
	ts.Check(err)
	got := fi.Mode().Perm()
	if (got == os.FileMode(want)) == neg {
		ts.Fatalf("%s has mode %#o; want %s%#o", args[1], got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// stdoutenv NAME sets the environment variable NAME to the last command's
// stdout, without its final newline.
func cmdStdoutEnv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: stdoutenv NAME")
	}
	ts.Setenv(args[0], strings.TrimSuffix(ts.ReadFile("stdout"), "\n"))
}

// replace FILE OLD NEW replaces every OLD in FILE by NEW; OLD must occur.
func cmdReplace(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: replace FILE OLD NEW")
	}
	name := ts.MkAbs(args[0])
	data, err := os.ReadFile(name)
	ts.Check(err)
	if !bytes.Contains(data, []byte(args[1])) {
		ts.Fatalf("replace: %s does not contain %q", args[0], args[1])
	}
	fi, err := os.Stat(name)
	ts.Check(err)
	ts.Check(os.WriteFile(name, bytes.ReplaceAll(data, []byte(args[1]), []byte(args[2])), fi.Mode().Perm()))
}

// stdoutJSON parses the last command's stdout as exactly one JSON object.
func stdoutJSON(ts *testscript.TestScript) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(ts.ReadFile("stdout")))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("stdout is not a JSON object: %v", err)
	}
	if dec.More() {
		return nil, errors.New("stdout holds more than one JSON value")
	}
	return v, nil
}

// jsonvalid requires stdout to be exactly one JSON object.
func cmdJSONValid(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 0 {
		ts.Fatalf("usage: jsonvalid")
	}
	_, err := stdoutJSON(ts)
	switch {
	case err != nil && !neg:
		ts.Fatalf("%v", err)
	case err == nil && neg:
		ts.Fatalf("stdout is a JSON object")
	}
}

// jsonfield PATH [WANT] requires the field PATH of the JSON object on stdout
// to exist and, with WANT, to equal the JSON value WANT. PATH is a dotted list
// of object keys and array indexes: failure.entry, files.0.matches.0.doc.
// Negated, it requires the field to be absent (or, with WANT, different).
func cmdJSONField(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 && len(args) != 2 {
		ts.Fatalf("usage: jsonfield PATH [WANT]")
	}
	obj, err := stdoutJSON(ts)
	ts.Check(err)
	var v any = obj
	found := true
	for _, key := range strings.Split(args[0], ".") {
		switch x := v.(type) {
		case map[string]any:
			v, found = x[key]
		case []any:
			i, err := strconv.Atoi(key)
			found = err == nil && i >= 0 && i < len(x)
			if found {
				v = x[i]
			}
		default:
			found = false
		}
		if !found {
			break
		}
	}
	if len(args) == 1 {
		if found == neg {
			ts.Fatalf("JSON field %s: found %v, want %v", args[0], found, !neg)
		}
		return
	}
	var want any
	dec := json.NewDecoder(strings.NewReader(args[1]))
	dec.UseNumber()
	if err := dec.Decode(&want); err != nil {
		ts.Fatalf("jsonfield: WANT %q is not JSON: %v", args[1], err)
	}
	got, wantText := compactJSON(v), compactJSON(want)
	equal := found && got == wantText
	if equal == neg {
		if !found {
			got = "absent"
		}
		ts.Fatalf("JSON field %s is %s; want %s%s", args[0], got, map[bool]string{true: "not ", false: ""}[neg], wantText)
	}
}

func compactJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
