package records

import (
	"crypto/sha1"
	"fmt"
	"sort"
)

// The test vectors' checkpoints carry the git tree ID of entries/
// (FORMAT.md §2.2, §5). These helpers compute it from first principles, as
// an independent implementation would, without a git library.

// vectorEntryFiles is one entry directory's files: envelope.json, hashes
// and, for a document entry, document.
type vectorEntryFiles struct {
	envelope, hashes, document []byte
}

// gitObjectID is the SHA-1 git object name of an object of type typ.
func gitObjectID(typ string, body []byte) [20]byte {
	return sha1.Sum(append([]byte(fmt.Sprintf("%s %d\x00", typ, len(body))), body...))
}

// treeEntry is one name in a git tree.
type treeEntry struct {
	name string
	dir  bool
	id   [20]byte
}

// gitTreeID encodes a tree: entries sorted by name (a directory sorts as
// its name followed by "/"), each "<mode> <name>\0<20-byte id>".
func gitTreeID(es []treeEntry) [20]byte {
	key := func(e treeEntry) string {
		if e.dir {
			return e.name + "/"
		}
		return e.name
	}
	sort.Slice(es, func(i, j int) bool { return key(es[i]) < key(es[j]) })
	var b []byte
	for _, e := range es {
		mode := "100644"
		if e.dir {
			mode = "40000"
		}
		b = append(b, mode+" "+e.name+"\x00"...)
		b = append(b, e.id[:]...)
	}
	return gitObjectID("tree", b)
}

// entriesTreeID is the ID of the entries/ tree holding entries 0 … len−1,
// which must all lie below entries/0000/00/00/.
func entriesTreeID(entries []vectorEntryFiles) [20]byte {
	var dirs []treeEntry
	for n, e := range entries {
		files := []treeEntry{
			{name: "envelope.json", id: gitObjectID("blob", e.envelope)},
			{name: "hashes", id: gitObjectID("blob", e.hashes)},
		}
		if e.document != nil {
			files = append(files, treeEntry{name: "document", id: gitObjectID("blob", e.document)})
		}
		dirs = append(dirs, treeEntry{name: fmt.Sprintf("%010d", n), dir: true, id: gitTreeID(files)})
	}
	if len(entries) > 100 {
		panic("entriesTreeID handles entries/0000/00/00/ only")
	}
	id := gitTreeID(dirs)
	for _, name := range []string{"00", "00", "0000"} {
		id = gitTreeID([]treeEntry{{name: name, dir: true, id: id}})
	}
	return id
}
