package cli

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
)

type verifyOptions struct {
	trust, since string
	witnessFlags
}

func newVerifyCmd(e *env) *cobra.Command {
	var o verifyOptions
	cmd := &cobra.Command{
		Use:   "verify [--trust PUBKEY|FINGERPRINT]",
		Short: "Replay the whole ledger and check every entry, signature, hash and file",
		Args:  noArgs("verify"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(e, o)
		},
	}
	addTrustFlag(cmd.Flags(), &o.trust)
	cmd.Flags().StringVar(&o.since, "since", "", "also require that the ledger extends this earlier checkpoint file")
	o.witnessFlags.add(cmd, "the --since checkpoint")
	return cmd
}

// addTrustFlag adds --trust, which refuses an empty value: an unset
// variable in --trust "$FINGERPRINT" must not silently mean "not pinned".
func addTrustFlag(fs *pflag.FlagSet, p *string) {
	fs.Var((*trustValue)(p), "trust", "the root key to require: a public key file or its fingerprint")
}

// trustValue is a --trust flag value: not empty, not only spaces.
type trustValue string

func (t *trustValue) String() string { return string(*t) }
func (t *trustValue) Type() string   { return "string" }
func (t *trustValue) Set(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("--trust is empty: give the root key's fingerprint (64 hex digits) or its public key file; omit --trust to check without pinning (is the variable holding the fingerprint unset?)")
	}
	*t = trustValue(v)
	return nil
}

// parseTrust reads a --trust value; "" means not pinned.
func parseTrust(arg string) (keys.Fingerprint, error) {
	if arg == "" {
		return "", nil
	}
	fp, err := keys.ParseTrust(arg)
	if err != nil {
		return "", usageErr(err)
	}
	return fp, nil
}

type verifyJSON struct {
	OK              bool               `json:"ok"`
	Entries         uint64             `json:"entries"`
	Documents       int                `json:"documents"`
	Versions        int                `json:"versions"`
	HashOnly        int                `json:"hash_only"` // versions whose bytes are withheld
	Ledger          string             `json:"ledger,omitempty"`
	RootFingerprint string             `json:"root_fingerprint,omitempty"`
	TrustPinned     bool               `json:"trust_pinned"`
	Head            string             `json:"head,omitempty"`
	Checkpoint      string             `json:"checkpoint,omitempty"` // the signed note's text
	RootChain       []string           `json:"root_chain,omitempty"` // the roots from the pinned (or genesis) one to the current one, when the root rotated
	Failure         *ledger.EntryError `json:"failure,omitempty"`
}

func runVerify(e *env, o verifyOptions) error {
	trust, err := parseTrust(o.trust)
	if err != nil {
		return err
	}
	if err := o.witnessFlags.validate(); err != nil {
		return err
	}
	if o.since == "" && len(o.witnesses) > 0 {
		return usagef("--witness checks the cosignatures of the --since checkpoint: give --since")
	}
	var since []byte
	if o.since != "" {
		if since, err = readInput(o.since, "checkpoint file"); err != nil {
			return err
		}
	}
	limitMemory()
	rep, err := ledger.Verify(e.dir(), ledger.VerifyOptions{Trust: trust, Since: since})
	if err != nil {
		if errors.Is(err, ledger.ErrTampered) {
			j := verifyJSON{OK: false, TrustPinned: trust != ""}
			errors.As(err, &j.Failure)
			e.printJSON(j)
		}
		return err
	}
	if since != nil {
		if err := o.witnessFlags.require(since, rep.Name, rep.RootKey); err != nil {
			return err
		}
	}
	if e.jsonOut {
		return e.printJSON(verifyJSON{
			OK: true, Entries: rep.Entries, Documents: rep.Documents, Versions: rep.Versions, HashOnly: rep.HashOnly,
			Ledger: rep.Name, RootFingerprint: string(rep.RootFingerprint), TrustPinned: rep.Pinned,
			Head: rep.Head, Checkpoint: string(rep.Checkpoint.Raw), RootChain: chainStrings(rep.RootChain),
		})
	}
	e.printf("ledger %s: OK, %s (%s, %s), every signature, hash and file checked\n",
		rep.Name, plural(int(rep.Entries), "entry", "entries"), plural(rep.Documents, "document", "documents"), plural(rep.Versions, "version", "versions"))
	if rep.HashOnly > 0 {
		e.printf("hash-only: %s (digests and signatures checked; bytes withheld)\n", plural(rep.HashOnly, "version", "versions"))
	}
	if line := rootChainLine(rep.RootChain); line != "" {
		e.printf("%s\n", line)
	}
	if rep.Pinned && len(rep.RootChain) > 1 {
		e.printf("root key %s, reached from the pinned key %s\n", rep.RootFingerprint, rep.RootChain[0])
	} else if rep.Pinned {
		e.printf("root key %s matches the pinned key\n", rep.RootFingerprint)
	} else {
		e.printf("trust NOT pinned: this shows the ledger is consistent, not who made it\n")
		e.printf("root key %s; pin it with --trust %s\n", rep.RootFingerprint, rep.RootFingerprint)
	}
	return nil
}

// plural formats a count with the right form of its noun.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// validate refuses --witness and --quorum values that cannot be met, before
// any long work: a negative or too large quorum, a quorum without
// witnesses, a witness key file that cannot be read.
func (w *witnessFlags) validate() error {
	switch {
	case w.quorum < 0:
		return usagef("--quorum %d: give a number of witnesses from 1", w.quorum)
	case w.quorum > 0 && len(w.witnesses) == 0:
		return usagef("--quorum needs --witness keys: give each witness's public key with --witness [NAME=]PUBKEY")
	case w.quorum > len(w.witnesses):
		return usagef("--quorum %d is more than the %d witnesses given", w.quorum, len(w.witnesses))
	}
	for _, arg := range w.witnesses {
		_, path, found := strings.Cut(arg, "=")
		if !found {
			path = arg
		}
		if _, err := keys.ReadPublicKeyFile(path); err != nil {
			return inputErr(fmt.Errorf("--witness %s: %w", arg, err))
		}
	}
	return nil
}

// limitMemory sets the soft memory limit verify runs under
// (ledger.VerifyMemoryLimit); GOMEMLIMIT, if set, decides instead.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(ledger.VerifyMemoryLimit)
	}
}
