package ledger

import (
	"fmt"
	"strconv"
)

// Tree layout (FORMAT.md §2). Entry n lives in its own directory
//
//	entries/AAAA/BB/CC/NNNNNNNNNN/
//
// where NNNNNNNNNN is n in ten decimal digits and AAAA, BB and CC are its first
// four, next two and next two digits. A directory below entries/ thus holds at
// most 100 children (AAAA: 10,000, reached only past a million entries), so
// appending an entry rewrites five small trees whatever the ledger's size.
//
// The directory holds envelope.json, the document (for a document entry)
// and hashes: the RFC 6962 hashes of the perfect subtrees whose last leaf
// is entry n, from the leaf up (FORMAT.md §2.2). Any interior node of the
// Merkle tree is thus one file away, so proofs and audits need not rehash
// the entries below it.
const (
	entriesDir     = "entries"
	checkpointFile = "checkpoint"
	envelopeFile   = "envelope.json"
	documentFile   = "document"
	hashesFile     = "hashes"

	// MaxEntries is the number of entries the layout can address.
	MaxEntries = 10_000_000_000

	// MaxDocumentSize is the largest document a ledger holds, in bytes
	// (FORMAT.md §2.2): register refuses larger files, and a reader refuses
	// any git object larger than this before allocating it, so a hostile
	// size field cannot exhaust memory. The text form, sketch and word diff
	// of a document are computed in memory, hence 64 MiB.
	MaxDocumentSize = 64 << 20
)

// entryPath is the directory names leading from entries/ to entry n's directory.
type entryPath [4]string

func pathOf(n uint64) entryPath {
	if n >= MaxEntries {
		panic(fmt.Sprintf("ledger: entry %d beyond the layout's range", n))
	}
	// Ten digits, zero-padded, in one string (verify finds several paths
	// per entry).
	var b [10]byte
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	d := string(b[:])
	return entryPath{d[0:4], d[4:6], d[6:8], d}
}

// String is the entry directory's path from the root of the tree.
func (p entryPath) String() string {
	return entriesDir + "/" + p[0] + "/" + p[1] + "/" + p[2] + "/" + p[3]
}

// parseEntryName reads an entry directory name back to its number,
// accepting only the canonical ten-digit form.
func parseEntryName(name string) (uint64, bool) {
	if len(name) != 10 {
		return 0, false
	}
	for i := 0; i < len(name); i++ {
		if name[i] < '0' || name[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(name, 10, 64)
	return n, err == nil
}
