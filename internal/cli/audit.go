package cli

import (
	"encoding/base64"
	"errors"

	"github.com/spf13/cobra"

	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/ledger"
)

type auditOptions struct {
	since, trust, writeCheckpoint string
	witnessFlags
}

func newAuditCmd(e *env) *cobra.Command {
	var o auditOptions
	cmd := &cobra.Command{
		Use:   "audit --since CHECKPOINT_FILE [--trust PUBKEY|FINGERPRINT] [--write-checkpoint FILE]",
		Short: "Prove the ledger only grew since an earlier checkpoint, and verify what was added",
		Long: `Audit proves the ledger extends an earlier checkpoint: the history holds the
checkpoint's state, the entries below its size still hash to its root (nothing
was rewritten, removed or reordered), and every entry added since verifies in
full. It fails on a rollback or a fork. --write-checkpoint saves the newest
checkpoint for the next run. See docs/AUDIT.md for the --json fields.`,
		Args: noArgs("audit"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAudit(e, o)
		},
	}
	cmd.Flags().StringVar(&o.since, "since", "", "the earlier checkpoint file (required)")
	addTrustFlag(cmd.Flags(), &o.trust)
	cmd.Flags().StringVar(&o.writeCheckpoint, "write-checkpoint", "", "write the newest checkpoint to FILE when the audit passes")
	o.witnessFlags.add(cmd, "the --since checkpoint")
	return cmd
}

// auditJSON is the stable machine-readable result of audit (docs/AUDIT.md).
type auditJSON struct {
	OK              bool               `json:"ok"`
	Ledger          string             `json:"ledger,omitempty"`
	RootFingerprint string             `json:"root_fingerprint,omitempty"`
	TrustPinned     bool               `json:"trust_pinned"`
	OldSize         uint64             `json:"old_size,omitempty"` // omitted only when not known (a failure)
	NewSize         uint64             `json:"new_size,omitempty"`
	NewEntries      *uint64            `json:"new_entries,omitempty"`
	OldRoot         string             `json:"old_root,omitempty"`
	NewRoot         string             `json:"new_root,omitempty"`
	Consistency     []string           `json:"consistency"`
	Checkpoint      string             `json:"checkpoint,omitempty"` // the signed note's text
	Head            string             `json:"head,omitempty"`
	Failure         *ledger.EntryError `json:"failure,omitempty"`
}

func runAudit(e *env, o auditOptions) error {
	if o.since == "" {
		return usagef("audit needs --since CHECKPOINT_FILE (write one with 'verbatim checkpoint --output FILE')")
	}
	trust, err := parseTrust(o.trust)
	if err != nil {
		return err
	}
	if err := o.witnessFlags.validate(); err != nil {
		return err
	}
	since, err := readInput(o.since, "checkpoint file")
	if err != nil {
		return err
	}
	if o.writeCheckpoint != "" {
		if err := checkOutput(o.writeCheckpoint, true); err != nil {
			return err
		}
	}
	rep, err := ledger.Audit(e.dir(), ledger.AuditOptions{Since: since, Trust: trust})
	if err != nil {
		if errors.Is(err, ledger.ErrTampered) {
			j := auditJSON{OK: false, TrustPinned: trust != "", Consistency: []string{}}
			j.Ledger, j.OldSize, j.NewSize = auditSizes(e.dir(), since)
			errors.As(err, &j.Failure)
			e.printJSON(j)
		}
		return err
	}
	if err := o.witnessFlags.require(since, rep.Name, rep.RootKey); err != nil {
		return err
	}
	if o.writeCheckpoint != "" {
		if err := writeFile(o.writeCheckpoint, rep.Checkpoint.Raw); err != nil {
			return err
		}
	}
	if e.jsonOut {
		added := rep.NewSize - rep.OldSize
		j := auditJSON{
			OK: true, Ledger: rep.Name, RootFingerprint: string(rep.RootFingerprint), TrustPinned: rep.Pinned,
			OldSize: rep.OldSize, NewSize: rep.NewSize, NewEntries: &added,
			OldRoot: b64(rep.OldRoot[:]), NewRoot: b64(rep.NewRoot[:]), Consistency: []string{},
			Checkpoint: string(rep.Checkpoint.Raw), Head: rep.Head,
		}
		for _, h := range rep.Consistency {
			j.Consistency = append(j.Consistency, b64(h))
		}
		return e.printJSON(j)
	}
	e.printf("ledger %s: OK, extends the checkpoint of %s: now %s, the %d new ones verified in full\n",
		rep.Name, plural(int(rep.OldSize), "entry", "entries"), plural(int(rep.NewSize), "entry", "entries"), rep.NewSize-rep.OldSize)
	e.printf("consistency proof: %s\n", plural(len(rep.Consistency), "hash", "hashes"))
	if line := rootChainLine(rep.RootChain); line != "" {
		e.printf("%s\n", line)
	}
	if !rep.Pinned {
		e.printf("trust NOT pinned: root key %s; pin it with --trust\n", rep.RootFingerprint)
	}
	if o.writeCheckpoint != "" {
		e.printf("wrote the new checkpoint to %s\n", o.writeCheckpoint)
	}
	return nil
}

// auditSizes reports, for a failed audit, the ledger's name, the size of
// the earlier checkpoint and the size the ledger's newest checkpoint claims.
// They describe what was compared, not what was verified; a size that cannot
// be read is 0 (and omitted from the JSON).
func auditSizes(dir string, since []byte) (name string, oldSize, newSize uint64) {
	l, err := ledger.Open(dir)
	if err != nil {
		return "", 0, 0
	}
	defer l.Close()
	if cp, err := checkpoint.ParseCosigned(since, l.Name(), l.RootKey()); err == nil {
		oldSize = cp.Size
	}
	return l.Name(), oldSize, l.Checkpoint().Size
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
