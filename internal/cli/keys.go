package cli

import (
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
)

func newKeysCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Generate keys, print fingerprints, export the root key; add, revoke and rotate the ledger's keys",
	}
	cmd.AddCommand(newKeysGenerateCmd(e), newKeysFingerprintCmd(e), newKeysExportRootCmd(e),
		newKeysAddCmd(e), newKeysRevokeCmd(e), newKeysRotateCmd(e), newKeysListCmd(e))
	return cmd
}

type keysGenerateOptions struct {
	output    string
	algorithm string
}

func newKeysGenerateCmd(e *env) *cobra.Command {
	var o keysGenerateOptions
	cmd := &cobra.Command{
		Use:   "generate --output PREFIX [--algorithm ecdsa-p256|ed25519]",
		Short: "Write a new key pair PREFIX.key (encrypted, cosign format) and PREFIX.pub",
		Args:  noArgs("keys generate"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runKeysGenerate(e, o)
		},
	}
	cmd.Flags().StringVar(&o.output, "output", "", "path prefix of the key files (required)")
	cmd.Flags().StringVar(&o.algorithm, "algorithm", "ecdsa-p256", "ecdsa-p256 or ed25519")
	return cmd
}

func runKeysGenerate(e *env, o keysGenerateOptions) error {
	if o.output == "" {
		return usagef("keys generate needs --output PREFIX")
	}
	alg, err := keys.ParseAlgorithm(o.algorithm)
	if err != nil {
		return usageErr(err)
	}
	for _, p := range []string{o.output + ".key", o.output + ".pub"} {
		if _, err := os.Lstat(p); err == nil {
			return usagef("%s already exists; choose another --output (keys are never overwritten)", p)
		}
	}
	if dir := filepath.Dir(o.output); !isDir(dir) {
		return usagef("cannot write %s.key: directory %s does not exist", o.output, dir)
	}
	pw, err := e.password("password for the new key", true)
	if err != nil {
		return err
	}
	priv, pub, err := keys.Generate(alg, pw)
	if err != nil {
		return err
	}
	pk, err := keys.ParsePublicKey(pub)
	if err != nil {
		return err
	}
	keyPath, pubPath, err := keys.WriteKeyPair(o.output, priv, pub)
	if err != nil {
		return err
	}
	if e.jsonOut {
		return e.printJSON(map[string]any{
			"private_key": keyPath, "public_key": pubPath,
			"algorithm": string(alg), "fingerprint": string(pk.Fingerprint()),
		})
	}
	e.printf("wrote %s (private, encrypted) and %s\n", keyPath, pubPath)
	e.printf("fingerprint %s\n", pk.Fingerprint())
	return nil
}

func newKeysFingerprintCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "fingerprint FILE",
		Short: "Print the fingerprint of a public or private key file",
		Args:  exactArgs(1, "keys fingerprint needs one key file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkRegularFile(args[0], "key file"); err != nil {
				return inputErr(err)
			}
			fp, err := keys.FileFingerprint(args[0], func() ([]byte, error) {
				return e.password("password for "+args[0], false)
			})
			if err != nil {
				return err
			}
			if e.jsonOut {
				return e.printJSON(map[string]any{"file": args[0], "fingerprint": string(fp)})
			}
			e.printf("%s\n", fp)
			return nil
		},
	}
}

type keysExportRootOptions struct {
	output, trust string
	force         bool
}

func newKeysExportRootCmd(e *env) *cobra.Command {
	var o keysExportRootOptions
	cmd := &cobra.Command{
		Use:   "export-root [--output FILE] [--trust FINGERPRINT|PUBKEY]",
		Short: "Write the ledger's root public key (PEM, as cosign reads it)",
		Long: `Export-root writes the public key of the ledger's root, the key that signs its
genesis entry, checkpoints and (by default) every entry, as a PEM file that
'cosign verify-blob-attestation --key FILE' reads. The key carries its own
fingerprint: give --trust with the fingerprint the archive published to
refuse any other key; without --trust, compare the printed fingerprint.`,
		Args: noArgs("keys export-root"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runKeysExportRoot(e, o, cmd.Flags().Changed("output"))
		},
	}
	cmd.Flags().StringVar(&o.output, "output", "", "write the key to FILE instead of stdout")
	cmd.Flags().BoolVar(&o.force, "force", false, "overwrite the --output file if it exists")
	addTrustFlag(cmd.Flags(), &o.trust)
	return cmd
}

func runKeysExportRoot(e *env, o keysExportRootOptions, toFile bool) error {
	trust, err := parseTrust(o.trust)
	if err != nil {
		return err
	}
	if toFile {
		if err := checkOutput(o.output, o.force); err != nil {
			return err
		}
	}
	l, err := ledger.Open(e.dir())
	if err != nil {
		return err
	}
	defer l.Close()
	if trust != "" {
		// The pin may be any root of the chain (FORMAT.md §3.7), as in verify.
		if _, err := l.CheckTrust(trust); err != nil {
			return err
		}
	}
	k := l.RootKey()
	if toFile {
		if err := writeFile(o.output, k.PEM()); err != nil {
			return err
		}
	}
	if e.jsonOut {
		j := map[string]any{"ledger": l.Name(), "fingerprint": string(k.Fingerprint()), "trust_pinned": trust != "", "public_key": string(k.PEM())}
		if toFile {
			j["output"] = o.output
		}
		return e.printJSON(j)
	}
	if !toFile {
		_, err := e.stdout.Write(k.PEM())
		return err
	}
	e.printf("wrote the root key of ledger %s to %s\n", l.Name(), o.output)
	if trust != "" {
		e.printf("fingerprint %s matches the pinned key\n", k.Fingerprint())
	} else {
		e.printf("fingerprint %s: compare it with the one the archive published, or give --trust\n", k.Fingerprint())
	}
	return nil
}

// isDir reports whether path is an existing directory.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// exactArgs is cobra.ExactArgs with a message that says what is missing.
func exactArgs(n int, msg string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s (got %d arguments)", msg, len(args))
		}
		return nil
	}
}

// noArgs refuses positional arguments with a message that says so.
func noArgs(name string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("%s takes no arguments (got %q)", name, args[0])
		}
		return nil
	}
}
