package witness

import (
	"errors"
	"fmt"
	"strings"

	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/keys"
)

var (
	// ErrStateExists means Request.Init was set but the state file exists:
	// the witness has cosigned for this ledger before.
	ErrStateExists = errors.New("witness state file exists already")
	// ErrBadCheckpoint means the checkpoint to cosign is not a checkpoint
	// signed by the ledger's key.
	ErrBadCheckpoint = errors.New("not a checkpoint signed by the ledger's key")
)

// Request is one checkpoint a witness is asked to cosign.
type Request struct {
	// Checkpoint is the checkpoint note, signed by LedgerKey.
	Checkpoint []byte
	// LedgerKey is the ledger's public key. The state pins the key of the
	// first checkpoint cosigned; any other key is refused.
	LedgerKey *keys.PublicKey
	// Init says the witness has no state for this ledger yet.
	Init bool
	// Proof returns the RFC 6962 consistency proof from the tree of
	// oldSize entries (the checkpoint cosigned before) to cp. It is called
	// only when cp is larger; its errors are returned as they are.
	Proof func(oldSize uint64, cp *checkpoint.Checkpoint) ([][]byte, error)
	// Key returns the witness's Ed25519 private key. It is called only once
	// the checkpoint is accepted (so a refusal asks for no password); its
	// errors are returned as they are.
	Key func() (*keys.PrivateKey, error)
	// Name is the witness's name; "" means checkpoint.WitnessName of its key.
	Name string
}

// testHookChecked, when set by a test, runs after a checkpoint is accepted
// and before the state is written.
var testHookChecked func()

// Cosign cosigns req.Checkpoint if it extends the last checkpoint this
// witness cosigned for the ledger (Check), records it in the state file at
// statePath, and returns the cosigned note. The whole decision, from
// reading the state to writing it, holds an exclusive lock on the state
// file, so two runs at once (two forks shown to one witness) cannot both be
// cosigned at one size; the state is written durably (a synced temporary
// file renamed into place, and the directory synced) before the cosigned
// note is returned. Refusals wrap ErrRefused and leave the state as it was;
// other errors wrap ErrNoState, ErrBadState, ErrStateExists or
// ErrBadCheckpoint, or are those of req.Proof and req.Key.
func Cosign(statePath string, req Request) ([]byte, error) {
	unlock, err := lockState(statePath)
	if err != nil {
		return nil, err
	}
	defer unlock()
	prev, err := ReadState(statePath)
	switch {
	case errors.Is(err, ErrNoState) && req.Init:
		prev = nil
	case err != nil:
		return nil, err
	case req.Init:
		return nil, fmt.Errorf("%w: %s (--init starts a new witness state)", ErrStateExists, statePath)
	}
	cp, err := accept(prev, req)
	if err != nil {
		return nil, err
	}
	if testHookChecked != nil {
		testHookChecked()
	}
	out, err := cosignWith(cp, req)
	if err != nil {
		return nil, err
	}
	next := &State{Origin: cp.Origin, LedgerKey: string(req.LedgerKey.Fingerprint()), Size: cp.Size, Root: cp.Root[:], Checkpoint: string(out)}
	if err := WriteState(statePath, next); err != nil {
		return nil, err
	}
	return out, nil
}

// accept parses the checkpoint and decides whether the witness whose state
// is prev may cosign it.
func accept(prev *State, req Request) (*checkpoint.Checkpoint, error) {
	got := req.LedgerKey.Fingerprint()
	if prev != nil && string(got) != prev.LedgerKey {
		return nil, fmt.Errorf("%w: the state pins ledger key %s, but this checkpoint is checked against key %s: a ledger keeps its key", ErrRefused, prev.LedgerKey, got)
	}
	origin, _, _ := strings.Cut(string(req.Checkpoint), "\n")
	cp, err := checkpoint.ParseCosigned(req.Checkpoint, origin, req.LedgerKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadCheckpoint, err)
	}
	var proof [][]byte
	if prev != nil && cp.Size > prev.Size {
		if proof, err = req.Proof(prev.Size, cp); err != nil {
			return nil, err
		}
	}
	if err := Check(prev, cp, proof); err != nil {
		return nil, err
	}
	return cp, nil
}

// cosignWith adds the witness's cosignature to cp.
func cosignWith(cp *checkpoint.Checkpoint, req Request) ([]byte, error) {
	key, err := req.Key()
	if err != nil {
		return nil, err
	}
	name := req.Name
	if name == "" {
		name = checkpoint.WitnessName(key.Public())
	}
	out, err := checkpoint.Cosign(cp, name, key)
	if err != nil {
		return nil, fmt.Errorf("cosigning: %w", err)
	}
	return out, nil
}
