package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
	"github.com/verbatim-ledger/verbatim/witness"
)

func newWitnessCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "witness",
		Short: "Cosign checkpoints as a witness (C2SP tlog-cosignature)",
	}
	cmd.AddCommand(newWitnessCosignCmd(e))
	return cmd
}

type witnessCosignOptions struct {
	key, state, proof, trust, name, output string
	init                                   bool
}

func newWitnessCosignCmd(e *env) *cobra.Command {
	var o witnessCosignOptions
	cmd := &cobra.Command{
		Use:   "cosign CHECKPOINT --key WITNESS_KEY --state FILE [--ledger DIR | --proof FILE --trust LEDGER_PUB]",
		Short: "Cosign a checkpoint if it extends the last one this witness cosigned",
		Long: `Cosign prints CHECKPOINT with this witness's cosignature line added, after
checking it is consistent with the last checkpoint the witness cosigned for the
ledger, kept in the --state file. The consistency proof comes from the ledger
(--ledger DIR) or from a file the archivist hands over (--proof FILE: the output
of 'verbatim audit --json'; then --trust gives the ledger's public key). A
witness refuses a checkpoint inconsistent with one it cosigned before, and says
so: that is how a split view is caught. Witness keys are Ed25519.`,
		Args: exactArgs(1, "witness cosign needs one CHECKPOINT file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWitnessCosign(e, o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.key, "key", "", "the witness's private key (Ed25519; required)")
	f.StringVar(&o.state, "state", "", "the witness's state file for this ledger (required)")
	f.StringVar(&o.proof, "proof", "", "consistency proof file (audit --json output) instead of a ledger")
	f.StringVar(&o.trust, "trust", "", "the ledger's public key file, with --proof")
	f.StringVar(&o.name, "name", "", "the witness's name (default witness-<fingerprint>)")
	f.StringVar(&o.output, "output", "", "write the cosigned checkpoint to FILE instead of stdout")
	f.BoolVar(&o.init, "init", false, "start witnessing: no state file exists yet")
	return cmd
}

func runWitnessCosign(e *env, o witnessCosignOptions, cpFile string) error {
	if o.key == "" || o.state == "" {
		return usagef("witness cosign needs --key WITNESS_KEY and --state FILE")
	}
	raw, err := readInput(cpFile, "checkpoint file")
	if err != nil {
		return err
	}
	if err := checkStateFlags(o); err != nil {
		return err
	}
	ledgerKey, l, err := e.witnessLedger(o)
	if err != nil {
		return err
	}
	if l != nil {
		defer l.Close()
	}
	out, err := witness.Cosign(o.state, witness.Request{
		Checkpoint: raw, LedgerKey: ledgerKey, Init: o.init, Name: o.name,
		Proof: func(oldSize uint64, cp *checkpoint.Checkpoint) ([][]byte, error) {
			return consistencyFor(l, o.proof, oldSize, cp)
		},
		Key: func() (*keys.PrivateKey, error) { return e.signingKey(o.key) },
	})
	switch {
	case errors.Is(err, witness.ErrRefused):
		return &failure{err.Error()}
	case errors.Is(err, witness.ErrBadCheckpoint):
		return &failure{cpFile + " is " + err.Error()}
	case errors.Is(err, witness.ErrNoState), errors.Is(err, witness.ErrBadState), errors.Is(err, witness.ErrStateExists):
		return usageErr(err)
	case err != nil:
		return err
	}
	if o.output != "" {
		return writeFile(o.output, out)
	}
	_, err = e.stdout.Write(out)
	return err
}

// checkStateFlags refuses, before the ledger is read, a state file that
// cannot be used as --init says; witness.Cosign decides again under its lock.
func checkStateFlags(o witnessCosignOptions) error {
	_, err := witness.ReadState(o.state)
	switch {
	case errors.Is(err, witness.ErrNoState) && o.init:
		return nil
	case err != nil:
		return usageErr(err)
	case o.init:
		return usagef("--init, but the witness state file %s exists already", o.state)
	}
	return nil
}

// witnessLedger finds the ledger key: from --trust with --proof, else from the ledger.
func (e *env) witnessLedger(o witnessCosignOptions) (*keys.PublicKey, *ledger.Ledger, error) {
	if o.proof != "" {
		if o.trust == "" {
			return nil, nil, usagef("--proof needs --trust LEDGER_PUB: the ledger's public key file")
		}
		k, err := keys.ReadPublicKeyFile(o.trust)
		if err != nil {
			return nil, nil, usageErr(err)
		}
		return k, nil, nil
	}
	l, err := ledger.Open(e.dir())
	if err != nil {
		return nil, nil, err
	}
	return l.RootKey(), l, nil
}

// consistencyFor returns the consistency proof from oldSize entries to cp, from the
// ledger l or from a proof file.
func consistencyFor(l *ledger.Ledger, proofFile string, oldSize uint64, cp *checkpoint.Checkpoint) ([][]byte, error) {
	if l != nil {
		if root, err := l.RootAt(cp.Size); err != nil || root != cp.Root {
			return nil, &failure{fmt.Sprintf("%v: the checkpoint of %d entries is not of this ledger's history (split view)", witness.ErrRefused, cp.Size)}
		}
		return l.ConsistencyProof(oldSize, cp.Size)
	}
	data, err := readInput(proofFile, "proof file")
	if err != nil {
		return nil, err
	}
	var p struct {
		OldSize     uint64   `json:"old_size"`
		NewSize     uint64   `json:"new_size"`
		Consistency [][]byte `json:"consistency"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&p); err != nil || len(p.Consistency) > 128 {
		return nil, usagef("%s is not a consistency proof (the output of 'verbatim audit --json')", proofFile)
	}
	if p.OldSize != oldSize || p.NewSize != cp.Size {
		return nil, usagef("%s proves %d -> %d entries; the witness needs %d -> %d", proofFile, p.OldSize, p.NewSize, oldSize, cp.Size)
	}
	return p.Consistency, nil
}

// readInput reads a small input file, with usage errors naming it.
func readInput(path, what string) ([]byte, error) {
	if err := checkRegularFile(path, what); err != nil {
		return nil, usageErr(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageErr(err)
	}
	return data, nil
}

// witnessFlags are --witness and --quorum, for commands that can require
// witness cosignatures on a checkpoint.
type witnessFlags struct {
	witnesses []string
	quorum    int
}

func (w *witnessFlags) add(cmd *cobra.Command, what string) {
	cmd.Flags().StringArrayVar(&w.witnesses, "witness", nil, "a witness's public key file, as [NAME=]PUBKEY (repeatable)")
	cmd.Flags().IntVar(&w.quorum, "quorum", 0, "how many of the --witness keys must have cosigned "+what+" (default: all given)")
}

// require checks the quorum of cosignatures on a checkpoint note.
func (w *witnessFlags) require(raw []byte, origin string, ledgerKey *keys.PublicKey) error {
	if len(w.witnesses) == 0 {
		if w.quorum > 0 {
			return usagef("--quorum needs --witness keys")
		}
		return nil
	}
	var ws []checkpoint.Witness
	for _, arg := range w.witnesses {
		name, path, found := strings.Cut(arg, "=")
		if !found {
			path, name = arg, ""
		}
		k, err := keys.ReadPublicKeyFile(path)
		if err != nil {
			return usageErr(fmt.Errorf("--witness %s: %w", arg, err))
		}
		if name == "" {
			name = checkpoint.WitnessName(k)
		}
		ws = append(ws, checkpoint.Witness{Name: name, Key: k})
	}
	q := w.quorum
	if q == 0 {
		q = len(ws)
	}
	if q > len(ws) {
		return usagef("--quorum %d is more than the %d witnesses given", q, len(ws))
	}
	if err := checkpoint.RequireQuorum(raw, origin, ledgerKey, ws, q); err != nil {
		return &failure{err.Error()}
	}
	return nil
}
