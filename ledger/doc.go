// Package ledger keeps a verbatim ledger: a git repository whose branch
// holds one commit per entry, each adding the entry's signed envelope, its
// document and the Merkle tree's hashes, and a checkpoint signed over the
// whole (docs/FORMAT.md). Its git objects and refs are stored through
// internal/gitstore; this package holds the ledger's own rules.
//
// What it guarantees:
//
//   - Verify replays a ledger from its genesis and checks everything
//     FORMAT.md §6 lists, trusting nothing it reads: trust comes only from
//     the root key fingerprint (or earlier checkpoint, for Audit) the
//     caller pins. Any failure wraps ErrTampered, as an *EntryError naming
//     the entry and commit where it concerns one. Its memory does not grow
//     with the number of entries beyond a few dozen bytes each
//     (VerifyMemoryLimit).
//   - Audit checks that a ledger extends an earlier checkpoint without
//     replaying what that checkpoint already covers (docs/AUDIT.md).
//   - Reads (Open, and a Ledger's queries and proofs) show only what they
//     have checked against the newest signed checkpoint: an entry found
//     through a v4 ledger's index is read, its inclusion in the signed tree
//     proved and its signature verified before it is returned.
//   - An Appender signs new entries only from verified state: a version
//     links to its previous version as that version's signed entry records
//     it. Writes take the ledger's lock; a batch's objects are on disk
//     before the branch moves to it in one atomic rename, so a crash or
//     power loss at any moment leaves the ledger with whole batches only,
//     and a refused input (ErrInput) leaves it as it was.
//   - GC repacks a ledger's objects so that a kill at any moment leaves a
//     ledger that verifies, and readers that opened it before keep reading.
//
// Errors callers branch on are the sentinels ErrTampered, ErrNotLedger,
// ErrNotFound, ErrInput and ErrExists.
package ledger
