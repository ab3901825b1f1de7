// Package docindex is the document index of a verbatim-ledger/v4 ledger
// (FORMAT.md §2.4): what each entry contributes to it, how a block of
// entries' contributions is encoded in the ledger's tree, and how a reader
// finds the entries with a given label in those files.
//
// Each entry contributes index records, one per label it has:
//
//	doc <id>                  a document entry, by its document id
//	sha256 <hex>              a document entry, by the SHA-256 of its bytes
//	text <hex>                a document entry with a text identity, by its text.sha256
//	translation-of <id>       a document entry that translates a version of document <id>
//	keys                      a key entry (add, revoke, rotate)
//
// The genesis has none. A record is 40 bytes: the SHA-256 of the label's
// UTF-8 bytes (its key), then the entry number, unsigned 64-bit big-endian.
// A run is the records of a block of entries, sorted in ascending byte
// order and concatenated, with nothing between or after them: the records
// with one key are adjacent, in entry order, and a binary search finds
// them. A block of 100 entries is one run; a block of 10,000 is split into
// 16 runs by the first hex digit of the key, so that a lookup reads a
// sixteenth of it.
//
// Keys are hashes so that every record has one size and the 16 parts of a
// large block are of equal size. The package guarantees that Records and
// Encode are deterministic functions of the entries, as verification
// requires; Search never fails on a run it cannot read, it reports
// ErrMalformed.
package docindex
