package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
	"github.com/verbatim-ledger/verbatim/records"
)

// The key entry commands (FORMAT.md §3.7): keys add, revoke, rotate, list.

type keyEntryOptions struct {
	key, name, reason string
}

func newKeysAddCmd(e *env) *cobra.Command {
	var o keyEntryOptions
	cmd := &cobra.Command{
		Use:   "add PUBKEY --name NAME --key ROOT.key",
		Short: "Authorize an archivist's key (ECDSA P-256 or Ed25519 .pub) to register versions",
		Long: `Add appends a key entry, signed by the ledger's root key, that authorizes
the public key PUBKEY (a cosign or verbatim .pub file) to sign document
versions from the next entry on: 'verbatim register --key ARCHIVIST.key'
then works without the root key. A key is added once: a key the ledger
named before (added, revoked, or a root) is refused.`,
		Args: exactArgs(1, "keys add needs one public key file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.name == "" || o.key == "" {
				return usagef("keys add needs --name NAME and --key ROOT.key")
			}
			if err := records.CheckKeyName(o.name); err != nil {
				return usageErr(err)
			}
			if err := checkRegularFile(args[0], "public key file"); err != nil {
				return err
			}
			pub, err := keys.ReadPublicKeyFile(args[0])
			if err != nil {
				return inputErr(err)
			}
			return e.keyEntry(o.key, "added", pub.Fingerprint(), func(a *ledger.Appender) error { return a.AddKey(pub, o.name) })
		},
	}
	cmd.Flags().StringVar(&o.name, "name", "", "the archivist's name, shown next to the versions the key signs (required)")
	cmd.Flags().StringVar(&o.key, "key", "", "the ledger's root private key (required)")
	return cmd
}

func newKeysRevokeCmd(e *env) *cobra.Command {
	var o keyEntryOptions
	cmd := &cobra.Command{
		Use:   "revoke FINGERPRINT --reason retired|compromised --key ROOT.key",
		Short: "Revoke an archivist's key: versions it signed before stay valid",
		Long: `Revoke appends a key entry, signed by the root key, that revokes an added
key: the versions it signed before stay valid, and any later entry it signs
fails 'verbatim verify' and 'verbatim audit'. A revoked key stays revoked.`,
		Args: exactArgs(1, "keys revoke needs the key's fingerprint"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.key == "" || (o.reason != records.ReasonRetired && o.reason != records.ReasonCompromised) {
				return usagef("keys revoke needs --reason retired|compromised and --key ROOT.key")
			}
			fp, err := keys.ParseFingerprint(args[0])
			if err != nil {
				return usageErr(err)
			}
			return e.keyEntry(o.key, "revoked", fp, func(a *ledger.Appender) error { return a.RevokeKey(fp, o.reason) })
		},
	}
	cmd.Flags().StringVar(&o.reason, "reason", "", "retired (no longer used) or compromised (the private key may be known to others)")
	cmd.Flags().StringVar(&o.key, "key", "", "the ledger's root private key (required)")
	return cmd
}

func newKeysRotateCmd(e *env) *cobra.Command {
	var o keyEntryOptions
	cmd := &cobra.Command{
		Use:   "rotate NEW.key --key OLD-ROOT.key [--name NAME]",
		Short: "Hand the root to a new key (signed by the old root, accepted by the new one)",
		Long: `Rotate appends a key entry, signed by the current root key, that makes the key
of NEW.key the root key; the new key signs that entry's checkpoint, which is
how it accepts the ledger it takes over (FORMAT.md §3.7), so rotate needs
the new key's private file. From the next entry on the old root signs
nothing. 'verbatim verify --trust' then accepts the genesis root or any
later root, and prints the chain of roots. VERBATIM_PASSWORD (or the
prompt) gives the passwords of both keys.`,
		Args: exactArgs(1, "keys rotate needs the new root's private key file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.key == "" {
				return usagef("keys rotate needs --key OLD-ROOT.key")
			}
			if o.name == "" {
				o.name = "root"
			}
			if err := records.CheckKeyName(o.name); err != nil {
				return usageErr(err)
			}
			if _, err := keys.ReadPublicKeyFile(args[0]); err == nil {
				return usagef("%s is a public key; rotate needs the new root's private key file, since the new root signs the rotation's checkpoint", args[0])
			}
			next, err := e.signingKey(args[0])
			if err != nil {
				return err
			}
			return e.keyEntry(o.key, "made root", next.Public().Fingerprint(), func(a *ledger.Appender) error { return a.RotateRoot(next, o.name) })
		},
	}
	cmd.Flags().StringVar(&o.name, "name", "root", "name shown for the new root key")
	cmd.Flags().StringVar(&o.key, "key", "", "the current root private key (required)")
	return cmd
}

// keyEntry appends one key entry signed with the key file rootPath.
func (e *env) keyEntry(rootPath, done string, fp keys.Fingerprint, f func(*ledger.Appender) error) error {
	l, err := ledger.Open(e.dir())
	if err != nil {
		return err
	}
	defer l.Close()
	root, err := e.signingKey(rootPath)
	if err != nil {
		return err
	}
	a, err := l.Append(root, ledger.AppendOptions{})
	if err != nil {
		return err
	}
	defer a.Close()
	if err := f(a); err != nil {
		return err
	}
	if err := a.Flush(); err != nil {
		return err
	}
	if e.jsonOut {
		return e.printJSON(map[string]any{"ledger": l.Name(), "fingerprint": string(fp), "name": l.KeyName(fp), "entry": l.Size() - 1, "action": done})
	}
	e.printf("key %s (%s) %s in entry %d of ledger %s\n", fp, l.KeyName(fp), done, l.Size()-1, l.Name())
	return nil
}

func newKeysListCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List every key of the ledger: name, status and the entries that changed it",
		Args:  noArgs("keys list"),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := ledger.Open(e.dir())
			if err != nil {
				return err
			}
			defer l.Close()
			ks, err := l.Keys()
			if err != nil {
				return err
			}
			if e.jsonOut {
				return e.printJSON(keysJSON(l, ks))
			}
			for _, k := range ks {
				var ch []string
				for _, c := range k.Changes {
					s := fmt.Sprintf("%s@%d", c.Action, c.Entry)
					if c.Reason != "" {
						s += " (" + c.Reason + ")"
					}
					ch = append(ch, s)
				}
				e.printf("%s  %-11s %-8s %s  %s\n", k.Fingerprint, k.Status, k.Algorithm, k.Name, strings.Join(ch, ", "))
			}
			return nil
		},
	}
}

func keysJSON(l *ledger.Ledger, ks []ledger.KeyInfo) map[string]any {
	list := []map[string]any{}
	for _, k := range ks {
		changes := []map[string]any{}
		for _, c := range k.Changes {
			m := map[string]any{"entry": c.Entry, "action": c.Action}
			if c.Reason != "" {
				m["reason"] = c.Reason
			}
			changes = append(changes, m)
		}
		list = append(list, map[string]any{"fingerprint": string(k.Fingerprint), "name": k.Name, "algorithm": k.Algorithm, "status": k.Status, "changes": changes})
	}
	chain := []string{}
	for _, fp := range l.RootChain() {
		chain = append(chain, string(fp))
	}
	return map[string]any{"ledger": l.Name(), "keys": list, "root_chain": chain}
}

// signerLabel names a signing key by fingerprint and, when the ledger
// names it, by name: `4f1c2a3b5d6e ("alice")`.
func signerLabel(l *ledger.Ledger, fp keys.Fingerprint) string {
	if name := l.KeyName(fp); name != "" {
		return fmt.Sprintf("%s (%q)", fp.Short(), name)
	}
	return fp.Short()
}

// rootChainLine describes the chain of root keys from the pinned (or
// genesis) root to the current one, or "" when the root never rotated.
func rootChainLine(chain []keys.Fingerprint) string {
	if len(chain) < 2 {
		return ""
	}
	s := make([]string, len(chain))
	for i, fp := range chain {
		s[i] = fp.Short()
	}
	return "root keys: " + strings.Join(s, " -> ") + " (each rotation signed by the root before it and accepted by the next)"
}

// chainStrings is a chain of roots for JSON output, nil when the root
// never rotated.
func chainStrings(chain []keys.Fingerprint) []string {
	if len(chain) < 2 {
		return nil
	}
	out := make([]string, len(chain))
	for i, fp := range chain {
		out[i] = string(fp)
	}
	return out
}
