package cli

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/verbatim-ledger/verbatim/bundle"
	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/internal/durable"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
)

type checkpointOptions struct {
	output string
	force  bool
}

func newCheckpointCmd(e *env) *cobra.Command {
	var o checkpointOptions
	cmd := &cobra.Command{
		Use:   "checkpoint [--output FILE]",
		Short: "Print the ledger's current signed checkpoint (C2SP tlog-checkpoint)",
		Args:  noArgs("checkpoint"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("output") {
				if err := checkOutput(o.output, o.force); err != nil {
					return err
				}
			}
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
				j := map[string]any{
					"origin": cp.Origin, "size": cp.Size, "root": base64.StdEncoding.EncodeToString(cp.Root[:]),
					"entries_tree": hex.EncodeToString(cp.Entries[:]), "checkpoint": string(cp.Raw), "verifier_key": l.VerifierKey(),
				}
				if o.output != "" {
					j["output"] = o.output
				}
				return e.printJSON(j)
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
	cmd.Flags().BoolVar(&o.force, "force", false, "overwrite the --output file if it exists")
	return cmd
}

type proofOptions struct {
	output, cosigned string
	force            bool
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
			if !cmd.Flags().Changed("output") {
				return usagef("proof needs --output FILE")
			}
			if err := checkOutput(o.output, o.force); err != nil {
				return err
			}
			var cosigned []byte
			if o.cosigned != "" {
				var err error
				if cosigned, err = readInput(o.cosigned, "cosigned checkpoint"); err != nil {
					return err
				}
			}
			l, v, err := e.openVersion(args[0])
			if err != nil {
				return err
			}
			defer l.Close()
			cp := l.Checkpoint()
			if cosigned != nil {
				if cp, err = checkpoint.ParseCosigned(cosigned, l.Name(), l.RootKey()); err != nil {
					return inputErr(fmt.Errorf("%s: %w", o.cosigned, err))
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
				return e.printJSON(map[string]any{
					"output": o.output, "doc": v.Doc, "version": v.Version, "entry": v.Entry,
					"tree_size": b.Inclusion.TreeSize, "checkpoint": b.Checkpoint,
				})
			}
			e.printf("wrote proof of %s version %d (entry %d of %d) to %s\n", v.Doc, v.Version, v.Entry, b.Inclusion.TreeSize, o.output)
			return nil
		},
	}
	cmd.Flags().StringVar(&o.output, "output", "", "the bundle file to write (required)")
	cmd.Flags().StringVar(&o.cosigned, "cosigned", "", "prove against this checkpoint, as witnesses cosigned it, instead of the newest")
	cmd.Flags().BoolVar(&o.force, "force", false, "overwrite the --output file if it exists")
	return cmd
}

// writeFile writes an --output file durably (internal/durable).
func writeFile(path string, data []byte) error { return durable.WriteFile(path, data, 0o644) }

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
	if err := o.witnessFlags.validate(); err != nil {
		return err
	}
	if err := checkDocumentArgs(files); err != nil {
		return err
	}
	data, err := readInput(o.bundle, "bundle")
	if err != nil {
		return err
	}
	doc, err := readDocument(files[0])
	if err != nil {
		return inputErr(err)
	}
	b, err := bundle.Parse(data)
	if err != nil {
		return inputErr(fmt.Errorf("%s: %w", o.bundle, err))
	}
	res, err := b.Verify(doc, trust)
	if errors.Is(err, bundle.ErrMalformed) {
		return inputErr(fmt.Errorf("%s: %w", o.bundle, err))
	}
	if err != nil {
		e.printJSON(map[string]any{"ok": false, "file": files[0], "bundle": o.bundle})
		return fmt.Errorf("%s does not prove %s: %w", o.bundle, files[0], err)
	}
	pub, _ := keys.ParsePublicKey([]byte(b.PublicKey)) // Verify parsed it
	if err := o.witnessFlags.require([]byte(b.Checkpoint), res.Checkpoint.Origin, pub); err != nil {
		return err
	}
	if err := e.printBundleMatch(files[0], res, o.text); err != nil {
		return err
	}
	if res.Text && !o.text {
		return &failure{fmt.Sprintf("%s is not the registered bytes, but the same text as %s version %d (give --text to accept that)", files[0], res.Statement.Predicate.Document.ID, res.Statement.Predicate.Document.Version)}
	}
	return nil
}

func (e *env) printBundleMatch(file string, res *bundle.Result, text bool) error {
	p := res.Statement.Predicate
	d := p.Document
	if e.jsonOut {
		kind := "exact"
		if res.Text {
			kind = "text"
		}
		return e.printJSON(map[string]any{
			"ok": !res.Text || text, "file": file, "ledger": p.Ledger, "doc": d.ID, "version": d.Version, "title": d.Title,
			"entry": p.Entry, "time": p.TimeValue(), "signer": string(res.Signer), "signer_name": res.SignerName, "tree_size": res.Checkpoint.Size,
			"match": kind, "document": d.ID, "normalisations": res.Changes.Descriptions(),
		})
	}
	label := "MATCH "
	if res.Text {
		label = "TEXT MATCH "
	}
	e.printf("%s %s = %s version %d, entry %d of ledger %s, registered %s by key %s\n",
		label, file, d.ID, d.Version, p.Entry, p.Ledger, p.TimeValue().Format(time.RFC3339), keys.Fingerprint(p.Signer).Short())
	if res.Text {
		e.printf("       same text, other bytes: %s\n", describeChanges(res.Changes.Descriptions()))
	}
	e.printf("proven offline: signature, content hash, inclusion in the signed checkpoint of %d entries\n", res.Checkpoint.Size)
	if len(res.Roots) > 0 {
		e.printf("signer %s (%q) connected to the pinned root by the bundle's key entries\n", res.Signer, res.SignerName)
	}
	if line := rootChainLine(res.Roots); line != "" {
		e.printf("%s\n", line)
	}
	return nil
}
