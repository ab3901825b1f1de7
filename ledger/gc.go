package ledger

import "github.com/verbatim-ledger/verbatim/internal/gitstore"

// GCReport says what GC did.
type GCReport = gitstore.GCReport

// GC moves the loose objects of the ledger in dir (its own objects
// directory, not its alternates) into packs, then merges the small packs
// into one (gitstore.Store.GC). It changes no object and no ref: the ledger
// is the same in git terms, only stored in fewer files.
//
// It holds the ledger's write lock, so no append runs meanwhile. A process
// killed at any moment leaves each object loose, packed, or both, and a
// ledger opened before GC still reads every entry. A loose object or a pack
// that does not hash to its name is ErrTampered, and nothing of it is
// deleted.
func GC(dir string) (GCReport, error) {
	r, err := openRepo(dir)
	if err != nil {
		return GCReport{}, err
	}
	defer r.close()
	unlock, err := r.lock()
	if err != nil {
		return GCReport{}, err
	}
	defer unlock()
	rep, err := r.git.GC()
	return rep, storeError(err)
}
