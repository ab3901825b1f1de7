// Package witness is what a verbatim witness keeps and decides: a state
// file holding the last checkpoint it cosigned for a ledger, and the rule
// that it cosigns a new checkpoint only if an RFC 6962 consistency proof
// shows the new one extends it. A witness that refuses says so: that is how
// a split view (two histories shown to two audiences) or a rollback is
// caught. Cosign is the whole protocol, run under a lock on the state file;
// the cosignature itself is checkpoint.Cosign's.
package witness

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/internal/durable"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/records"
)

// StateFormat is the "format" of a version 1 state file.
const StateFormat = "verbatim-witness-state/v1"

// maxStateSize bounds a state file: it holds one checkpoint.
const maxStateSize = 64 << 10

var (
	// ErrNoState means the state file does not exist (a witness starts with --init).
	ErrNoState = errors.New("witness state file does not exist")
	// ErrBadState means the state file is not a state file.
	ErrBadState = errors.New("witness state file is corrupt")
	// ErrRefused means the witness refuses to cosign: the new checkpoint
	// does not extend the one it cosigned before.
	ErrRefused = errors.New("witness refuses to cosign")
)

// State is the last checkpoint a witness cosigned for one ledger.
type State struct {
	Format     string `json:"format"`
	Origin     string `json:"origin"`
	LedgerKey  string `json:"ledger_key"` // fingerprint of the ledger's key, pinned
	Size       uint64 `json:"size"`
	Root       []byte `json:"root"`       // base64 in JSON
	Checkpoint string `json:"checkpoint"` // the cosigned note
}

// ReadState reads a state file. Errors wrap ErrNoState or ErrBadState.
func ReadState(path string) (*State, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s (start witnessing a ledger with --init)", ErrNoState, path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading witness state %s: %w", path, err)
	}
	if len(data) > maxStateSize {
		return nil, fmt.Errorf("%w: %s is %d bytes", ErrBadState, path, len(data))
	}
	var s State
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil || s.Format != StateFormat || s.Origin == "" || len(s.Root) != 32 || s.Size == 0 {
		return nil, fmt.Errorf("%w: %s is not a %s file", ErrBadState, path, StateFormat)
	}
	if fp, err := keys.ParseFingerprint(s.LedgerKey); err != nil || string(fp) != s.LedgerKey {
		return nil, fmt.Errorf("%w: %s does not pin the ledger's key (ledger_key must be its fingerprint, 64 lowercase hex digits)", ErrBadState, path)
	}
	var raw struct{ Root string } // encoding/json decodes base64 leniently
	if json.Unmarshal(data, &raw) != nil || !canonicalBase64(raw.Root) {
		return nil, fmt.Errorf("%w: %s: root is not canonical base64 (FORMAT.md §3.1)", ErrBadState, path)
	}
	return &s, nil
}

func canonicalBase64(s string) bool { _, err := records.DecodeBase64(s); return err == nil }

// WriteState writes s to path atomically and durably: through a new
// temporary file in the same directory, synced and renamed into place, and
// then the directory synced, so after a crash or a power loss path holds
// either the old state or s. Cosign calls it under the state's lock.
func WriteState(path string, s *State) error {
	s.Format = StateFormat
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("writing witness state: %w", err)
	}
	if err := durable.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing witness state: %w", err)
	}
	return nil
}

// noteText is a signed note's text, without its signatures.
func noteText(note string) string {
	text, _, _ := strings.Cut(note, "\n\n")
	return text
}

// Check decides whether a witness whose state is prev (nil for the first
// checkpoint it sees) may cosign next, given the consistency proof from
// prev's size to next's. Errors wrap ErrRefused and say why.
func Check(prev *State, next *checkpoint.Checkpoint, consistency [][]byte) error {
	if prev == nil {
		return nil
	}
	switch {
	case prev.Origin != next.Origin:
		return fmt.Errorf("%w: the state is for ledger %s, the checkpoint of %s", ErrRefused, prev.Origin, next.Origin)
	case next.Size < prev.Size:
		return fmt.Errorf("%w: rollback: this checkpoint has %d entries, but it already cosigned %d", ErrRefused, next.Size, prev.Size)
	case next.Size == prev.Size && !bytes.Equal(next.Root[:], prev.Root):
		return fmt.Errorf("%w: split view: it already cosigned another checkpoint of %d entries with another root", ErrRefused, prev.Size)
	case next.Size == prev.Size && noteText(prev.Checkpoint) != noteText(string(next.Raw)):
		return fmt.Errorf("%w: split view: it already cosigned a checkpoint of %d entries with this root but another entries/ tree (another git history)", ErrRefused, prev.Size)
	}
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, prev.Size, next.Size, consistency, prev.Root, next.Root[:]); err != nil {
		return fmt.Errorf("%w: split view or fork: the checkpoint of %d entries is not consistent with the one of %d it cosigned before: %w", ErrRefused, next.Size, prev.Size, err)
	}
	return nil
}
