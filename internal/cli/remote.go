package cli

import (
	"github.com/spf13/cobra"

	"github.com/verbatim-ledger/verbatim/ledger"
)

// clone, pull, push and sync: publishing a ledger through a git remote
// (FORMAT.md §7.3).

type remoteOptions struct {
	remote, trust, key string
	attempts           int
}

// addFlags adds the flags every remote command has: --trust and --remote.
func (o *remoteOptions) addFlags(cmd *cobra.Command) {
	addTrustFlag(cmd.Flags(), &o.trust)
	cmd.Flags().StringVar(&o.remote, "remote", ledger.DefaultRemote, "name of the remote")
}

func (o remoteOptions) ledgerOptions() (ledger.RemoteOptions, error) {
	trust, err := parseTrust(o.trust)
	return ledger.RemoteOptions{Remote: o.remote, Trust: trust}, err
}

func newCloneCmd(e *env) *cobra.Command {
	var o remoteOptions
	cmd := &cobra.Command{
		Use:   "clone URL DIR [--trust KEY]",
		Short: "Clone a ledger from a git remote, verify it, and trust its checkpoint for later pulls",
		Long: `Clone copies the ledger at URL (file://, ssh://, https:// or git://, or a path)
into DIR, a new bare repository, verifies every entry (pinned to --trust if
given) and records the verified checkpoint as this clone's trusted state for
the remote: pull, push and sync accept the remote only if it extends it.`,
		Args: exactArgs(2, "clone needs a URL and a directory"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := o.ledgerOptions()
			if err != nil {
				return err
			}
			rep, err := ledger.Clone(args[0], args[1], opts)
			if err != nil {
				return err
			}
			if e.jsonOut {
				return e.printJSON(map[string]any{"ledger": rep.Name, "dir": args[1], "entries": rep.Entries, "root_fingerprint": string(rep.RootFingerprint), "trust_pinned": rep.Pinned, "checkpoint": string(rep.Checkpoint.Raw)})
			}
			e.printf("cloned ledger %s into %s: OK, %d entries verified\n", rep.Name, args[1], rep.Entries)
			if rep.Pinned {
				e.printf("root key %s, reached from the pinned key\n", rep.RootFingerprint)
			} else {
				e.printf("trust NOT pinned: root key %s; pin it with --trust\n", rep.RootFingerprint)
			}
			return nil
		},
	}
	o.addFlags(cmd)
	return cmd
}

func newPullCmd(e *env) *cobra.Command {
	var o remoteOptions
	cmd := &cobra.Command{
		Use:   "pull [--remote NAME] [--trust KEY]",
		Short: "Fetch the remote's entries; accept them only if they extend the trusted state",
		Args:  noArgs("pull"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := o.ledgerOptions()
			if err != nil {
				return err
			}
			res, err := ledger.Pull(e.dir(), opts)
			if err != nil {
				return err
			}
			if e.jsonOut {
				return e.printJSON(map[string]any{"before": res.Before, "after": res.After, "remote": res.Remote, "unpublished": res.Unpublished})
			}
			switch {
			case res.Unpublished > 0 && res.Remote > res.Before-res.Unpublished:
				e.printf("the remote has new entries, and this clone %d unpublished ones: run 'verbatim sync --key KEY' to re-sign them on top of the remote\n", res.Unpublished)
			case res.After > res.Before:
				e.printf("pulled %d entries; the ledger has %d entries\n", res.After-res.Before, res.After)
			default:
				e.printf("up to date: %d entries (%d not yet pushed)\n", res.After, res.Unpublished)
			}
			return nil
		},
	}
	o.addFlags(cmd)
	return cmd
}

func newPushCmd(e *env) *cobra.Command {
	var o remoteOptions
	cmd := &cobra.Command{
		Use:   "push [--remote NAME]",
		Short: "Publish this clone's entries; fails with \"pull first\" if the remote moved",
		Args:  noArgs("push"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := o.ledgerOptions()
			if err != nil {
				return err
			}
			n, err := ledger.Push(e.dir(), opts)
			if err != nil {
				return err
			}
			if e.jsonOut {
				return e.printJSON(map[string]any{"published": n})
			}
			e.printf("published %d entries\n", n)
			return nil
		},
	}
	o.addFlags(cmd)
	return cmd
}

func newSyncCmd(e *env) *cobra.Command {
	var o remoteOptions
	cmd := &cobra.Command{
		Use:   "sync --key KEY [--remote NAME] [--attempts N]",
		Short: "Pull, re-sign this clone's unpublished entries on top of the remote, and push",
		Long: `Sync pulls (refusing a remote that does not extend the trusted state),
re-signs with KEY the entries this clone has and the remote has not, on top
of the remote's entries (each entry commits to the one before it, so moved
entries are new entries: same document, bytes and metadata, new entry and
version numbers), moves this clone there, and pushes; when another clone
pushed in between it starts again, at most --attempts times. KEY's password
is asked once (VERBATIM_PASSWORD).`,
		Args: noArgs("sync"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.key == "" {
				return usagef("sync needs --key KEY (the key that signed this clone's unpublished entries)")
			}
			opts, err := o.ledgerOptions()
			if err != nil {
				return err
			}
			key, err := e.signingKey(o.key)
			if err != nil {
				return err
			}
			res, err := ledger.Sync(e.dir(), key, ledger.SyncOptions{RemoteOptions: opts, Attempts: o.attempts})
			if err != nil {
				return err
			}
			if e.jsonOut {
				return e.printJSON(map[string]any{"fetched": res.Fetched, "resigned": res.Resigned, "published": res.Published, "attempts": res.Attempts, "entries": res.Size})
			}
			e.printf("synced: %d entries fetched, %d re-signed, %d published; the ledger has %d entries here and at the remote\n", res.Fetched, res.Resigned, res.Published, res.Size)
			return nil
		},
	}
	o.addFlags(cmd)
	cmd.Flags().StringVar(&o.key, "key", "", "private key that signed this clone's unpublished entries (required)")
	cmd.Flags().IntVar(&o.attempts, "attempts", 5, "how many times to start again when another clone pushed in between")
	return cmd
}
