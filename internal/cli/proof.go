package cli

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/verbatim-ledger/verbatim/bundle"
	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
)

type checkpointOptions struct {
	output string
}

func newCheckpointCmd(e *env) *cobra.Command {
	var o checkpointOptions
	cmd := &cobra.Command{
		Use:   "checkpoint [--output FILE]",
		Short: "Print the ledger's current signed checkpoint (C2SP tlog-checkpoint)",
		Args:  noArgs("checkpoint"),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := ledger.Open(e.dir())
			if err != nil {
				return err
			}
			defer l.Close()
			cp := l.Checkpoint()
			if o.output != "" {
				if err := writeFile(o.output, cp.Raw); err != nil {
					return err
				}
			}
			if e.jsonOut {
				return e.printJSON(map[string]any{
					"origin": cp.Origin, "size": cp.Size, "root": base64.StdEncoding.EncodeToString(cp.Root[:]),
					"entries_tree": hex.EncodeToString(cp.Entries[:]), "checkpoint": string(cp.Raw), "verifier_key": l.VerifierKey(),
				})
			}
			if o.output != "" {
				e.printf("wrote the checkpoint of %s at %d entries to %s\n", cp.Origin, cp.Size, o.output)
				return nil
			}
			_, err = e.stdout.Write(cp.Raw)
			return err
		},
	}
	cmd.Flags().StringVar(&o.output, "output", "", "write the checkpoint to FILE instead of stdout")
	return cmd
}

type proofOptions struct {
	output, cosigned string
}

func newProofCmd(e *env) *cobra.Command {
	var o proofOptions
	cmd := &cobra.Command{
		Use:   "proof ID[@VERSION] --output FILE",
		Short: "Write an offline proof bundle for a document version",
		Long: `Proof writes one self-contained JSON file: the version's signed envelope, the
signer's public key, an RFC 6962 inclusion proof and the signed checkpoint it
leads to. 'verbatim check DOCUMENT --bundle FILE --trust KEY' verifies it with
no ledger and no network.`,
		Args: exactArgs(1, "proof needs one ID or ID@VERSION"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.output == "" {
				return usagef("proof needs --output FILE")
			}
			l, v, err := e.openVersion(args[0])
			if err != nil {
				return err
			}
			defer l.Close()
			cp := l.Checkpoint()
			if o.cosigned != "" {
				raw, err := readInput(o.cosigned, "cosigned checkpoint")
				if err != nil {
					return err
				}
				if cp, err = checkpoint.ParseCosigned(raw, l.Name(), l.RootKey()); err != nil {
					return usageErr(fmt.Errorf("%s: %w", o.cosigned, err))
				}
			}
			b, err := l.BundleAt(v, cp)
			if err != nil {
				return err
			}
			if err := writeFile(o.output, b.Marshal()); err != nil {
				return err
			}
			if e.jsonOut {
				return e.printJSON(map[string]any{"output": o.output, "doc": v.Doc, "version": v.Version, "entry": v.Entry, "tree_size": b.Inclusion.TreeSize})
			}
			e.printf("wrote proof of %s version %d (entry %d of %d) to %s\n", v.Doc, v.Version, v.Entry, b.Inclusion.TreeSize, o.output)
			return nil
		},
	}
	cmd.Flags().StringVar(&o.output, "output", "", "the bundle file to write (required)")
	cmd.Flags().StringVar(&o.cosigned, "cosigned", "", "prove against this checkpoint, as witnesses cosigned it, instead of the newest")
	return cmd
}

// writeFile writes data to path through a temporary file and a rename.
func writeFile(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// runCheckBundle verifies files against an offline bundle.
func runCheckBundle(e *env, o checkOptions, files []string) error {
	if len(files) != 1 {
		return usagef("check --bundle verifies one DOCUMENT")
	}
	if o.trust == "" {
		return usagef("check --bundle needs --trust PUBKEY|FINGERPRINT: trust comes from you, not from the bundle")
	}
	trust, err := parseTrust(o.trust)
	if err != nil {
		return err
	}
	if err := checkRegularFile(files[0], "file"); err != nil {
		return usageErr(err)
	}
	if err := checkRegularFile(o.bundle, "bundle"); err != nil {
		return usageErr(err)
	}
	doc, err := os.ReadFile(files[0])
	if err != nil {
		return usageErr(err)
	}
	data, err := os.ReadFile(o.bundle)
	if err != nil {
		return usageErr(err)
	}
	b, err := bundle.Parse(data)
	if err != nil {
		return usageErr(fmt.Errorf("%s: %w", o.bundle, err))
	}
	res, err := b.Verify(doc, trust)
	if errors.Is(err, bundle.ErrMalformed) {
		return usageErr(fmt.Errorf("%s: %w", o.bundle, err))
	}
	if err != nil {
		if e.jsonOut {
			e.printJSON(map[string]any{"ok": false, "file": files[0], "bundle": o.bundle, "error": err.Error()})
		}
		return &failure{fmt.Sprintf("%s does not prove %s: %v", o.bundle, files[0], err)}
	}
	pub, _ := keys.ParsePublicKey([]byte(b.PublicKey)) // Verify parsed it
	if err := o.witnessFlags.require([]byte(b.Checkpoint), res.Checkpoint.Origin, pub); err != nil {
		return err
	}
	return e.printBundleMatch(files[0], res)
}

func (e *env) printBundleMatch(file string, res *bundle.Result) error {
	p := res.Statement.Predicate
	d := p.Document
	if e.jsonOut {
		return e.printJSON(map[string]any{
			"ok": true, "file": file, "ledger": p.Ledger, "doc": d.ID, "version": d.Version, "title": d.Title,
			"entry": p.Entry, "time": p.TimeValue(), "signer": string(res.Signer), "tree_size": res.Checkpoint.Size,
		})
	}
	e.printf("MATCH  %s = %s version %d, entry %d of ledger %s, registered %s by key %s\n",
		file, d.ID, d.Version, p.Entry, p.Ledger, p.TimeValue().Format(time.RFC3339), keys.Fingerprint(p.Signer).Short())
	e.printf("proven offline: signature, content hash, inclusion in the signed checkpoint of %d entries\n", res.Checkpoint.Size)
	return nil
}
