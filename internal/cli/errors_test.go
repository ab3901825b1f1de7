package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/transparency-dev/merkle/proof"

	"github.com/verbatim-ledger/verbatim/bundle"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
)

// TestClassify checks the code and exit status of each class of error,
// wrapped as the library and the commands wrap them.
func TestClassify(t *testing.T) {
	tests := []struct {
		err  error
		code string
		exit int
	}{
		{usagef("bad flag"), "usage", 2},
		{inputErr(errors.New("file x does not exist")), "input", 2},
		{fmt.Errorf("%w: nowhere does not exist", ledger.ErrNotLedger), "not_a_ledger", 2},
		{fmt.Errorf("k.key: %w", keys.ErrWrongPassword), "wrong_password", 2},
		{errNoPassword, "no_password", 2},
		{fmt.Errorf("%w: bad id", ledger.ErrInput), "input", 2},
		{fmt.Errorf("reading key file x: %w", fs.ErrNotExist), "input", 2},
		{fmt.Errorf("%w: no document", ledger.ErrNotFound), "not_found", 1},
		{&ledger.EntryError{Entry: 3, Problem: "altered"}, "tampered", 1},
		{fmt.Errorf("%w: fewer", ledger.ErrRollback), "rollback", 1},
		{fmt.Errorf("%w: rewritten", ledger.ErrFork), "fork", 1},
		{&failure{"1 of 2 files are not registered"}, "failed", 1},
		{errors.New("open objects/pack: input/output error"), "io", 1},
		{fmt.Errorf("writing out: %w", fs.ErrPermission), "io", 1},
	}
	for _, tt := range tests {
		c := classify(tt.err)
		if c.code != tt.code || c.exit != tt.exit {
			t.Errorf("classify(%v) = %s, %d; want %s, %d", tt.err, c.code, c.exit, tt.code, tt.exit)
		}
	}
}

// TestErrorJSON checks that the error's fields are added to a command's
// result, without replacing its own, and stand alone without one.
func TestErrorJSON(t *testing.T) {
	err := &ledger.EntryError{Entry: 2, Doc: "notes", Version: 1, Commit: "abc", Problem: "altered"}
	for _, result := range []string{"", "{\n  \"ok\": false,\n  \"entries\": 3\n}\n", "{}"} {
		out := errorJSON([]byte(result), err, classify(err), err.Error())
		var got map[string]any
		if e := json.Unmarshal(out, &got); e != nil {
			t.Fatalf("errorJSON(%q) = %s: %v", result, out, e)
		}
		want := map[string]any{"ok": false, "code": "tampered", "exit": 1.0, "entry": 2.0, "doc": "notes", "version": 1.0, "commit": "abc", "problem": "altered"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("errorJSON(%q)[%s] = %v, want %v", result, k, got[k], v)
			}
		}
		if result != "" && result != "{}" && got["entries"] != 3.0 {
			t.Errorf("errorJSON(%q) lost the result's field entries: %s", result, out)
		}
	}
}

// TestHexRoots checks that a Merkle root mismatch is printed on one line in
// hex, as transparency-dev/merkle's RootMismatchError prints byte slices.
func TestHexRoots(t *testing.T) {
	err := fmt.Errorf("%w: the inclusion proof does not lead from the entry to the checkpoint's root: %v",
		bundle.ErrFailed, proof.RootMismatchError{CalculatedRoot: []byte{1, 2, 255}, ExpectedRoot: []byte{0, 16}})
	got := classify(err).message(err)
	want := "bundle verification failed: the inclusion proof does not lead from the entry to the checkpoint's root: calculated root 0102ff does not match expected root 0010"
	if got != want {
		t.Errorf("message = %q\nwant      %q", got, want)
	}
}
