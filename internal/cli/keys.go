package cli

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/verbatim-ledger/verbatim/keys"
)

func newKeysCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Generate keys and print fingerprints",
	}
	cmd.AddCommand(newKeysGenerateCmd(e), newKeysFingerprintCmd(e))
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
