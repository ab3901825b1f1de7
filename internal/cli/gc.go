package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/verbatim-ledger/verbatim/ledger"
)

func newGCCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "gc",
		Short: "Pack the ledger's loose git objects and small packs into one pack (changes no entry)",
		Long: `gc moves the loose git objects small registers leave into a pack, and merges
small packs, under the ledger's write lock: the new pack is written, synced and
read back before any loose file or pack is deleted, so an interrupted gc leaves
a ledger that verifies. It changes
no object and no ref (docs/FORMAT.md §7): commits, checkpoints and clones stay
the same. Sizes are the disk space of the git objects directory.`,
		Args: noArgs("gc"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runGC(e)
		},
	}
}

func runGC(e *env) error {
	rep, err := ledger.GC(e.dir())
	if err != nil {
		return err
	}
	if e.jsonOut {
		return e.printJSON(map[string]any{
			"ok": true, "packed": rep.Packed, "removed": rep.Removed, "packs": rep.Packs, "merged": rep.Merged,
			"bytes_before": rep.BytesBefore, "bytes_after": rep.BytesAfter,
			"disk_before": rep.DiskBefore, "disk_after": rep.DiskAfter,
		})
	}
	fmt.Fprintf(e.stdout, "packed %d objects, removed %d loose files, merged %d packs, %d → %d bytes on disk\n", rep.Packed, rep.Removed, rep.Merged, rep.DiskBefore, rep.DiskAfter)
	return nil
}
