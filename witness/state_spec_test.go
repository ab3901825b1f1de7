package witness_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/verbatim-ledger/verbatim/witness"
)

// TestStateRootCanonical: the state's root is canonical base64 (FORMAT.md
// §3.1); the same 32 bytes spelled with padding bits or a line break are
// refused.
func TestStateRootCanonical(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	state := func(root string) string {
		return `{"format":"verbatim-witness-state/v1","origin":"o","ledger_key":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","size":3,"root":"` + root + `","checkpoint":"x"}`
	}
	for name, tc := range map[string]struct {
		root string
		ok   bool
	}{
		"canonical":       {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", true},
		"padding bits":    {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=", false},
		"line break":      {`AAAAAAAAAAAAAAAAAAAA\nAAAAAAAAAAAAAAAAAAAAAAA=`, false},
		"carriage return": {`AAAAAAAAAAAAAAAAAAAA\rAAAAAAAAAAAAAAAAAAAAAAA=`, false},
	} {
		os.WriteFile(path, []byte(state(tc.root)), 0o644)
		_, err := witness.ReadState(path)
		if tc.ok && err != nil || !tc.ok && !errors.Is(err, witness.ErrBadState) {
			t.Errorf("%s: ReadState = %v", name, err)
		}
	}
}
