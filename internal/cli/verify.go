package cli

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

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
	cmd.Flags().StringVar(&o.trust, "trust", "", "the root key to require: a public key file or its fingerprint")
	cmd.Flags().StringVar(&o.since, "since", "", "also require that the ledger extends this earlier checkpoint file")
	o.witnessFlags.add(cmd, "the --since checkpoint")
	return cmd
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
	Ledger          string             `json:"ledger,omitempty"`
	RootFingerprint string             `json:"root_fingerprint,omitempty"`
	TrustPinned     bool               `json:"trust_pinned"`
	Head            string             `json:"head,omitempty"`
	Checkpoint      string             `json:"checkpoint,omitempty"`
	Error           string             `json:"error,omitempty"`
	Failure         *ledger.EntryError `json:"failure,omitempty"`
}

func runVerify(e *env, o verifyOptions) error {
	trust, err := parseTrust(o.trust)
	if err != nil {
		return err
	}
	var since []byte
	if o.since != "" {
		if err := checkRegularFile(o.since, "checkpoint file"); err != nil {
			return usageErr(err)
		}
		if since, err = os.ReadFile(o.since); err != nil {
			return usageErr(err)
		}
	}
	rep, err := ledger.Verify(e.dir(), ledger.VerifyOptions{Trust: trust, Since: since})
	if err != nil {
		if e.jsonOut && errors.Is(err, ledger.ErrTampered) {
			j := verifyJSON{OK: false, TrustPinned: trust != "", Error: err.Error()}
			errors.As(err, &j.Failure)
			e.printJSON(j)
		}
		return err
	}
	if since != nil {
		if err := o.witnessFlags.require(since, rep.Name, rep.RootKey); err != nil {
			return err
		}
	} else if len(o.witnesses) > 0 {
		return usagef("--witness checks the cosignatures of the --since checkpoint: give --since")
	}
	if e.jsonOut {
		return e.printJSON(verifyJSON{
			OK: true, Entries: rep.Entries, Documents: rep.Documents, Versions: rep.Versions,
			Ledger: rep.Name, RootFingerprint: string(rep.RootFingerprint), TrustPinned: rep.Pinned,
			Head: rep.Head, Checkpoint: base64.StdEncoding.EncodeToString(rep.Checkpoint.Raw),
		})
	}
	e.printf("ledger %s: OK, %s (%s, %s), every signature, hash and file checked\n",
		rep.Name, plural(int(rep.Entries), "entry", "entries"), plural(rep.Documents, "document", "documents"), plural(rep.Versions, "version", "versions"))
	if rep.Pinned {
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
