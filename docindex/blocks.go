package docindex

import (
	"encoding/binary"
	"fmt"
)

// Blocks gathers the records of consecutive entries and encodes each block's
// runs when its last entry is added: the writer and the verifier of a
// ledger both derive the index files this way.
type Blocks struct {
	next  uint64   // the entry Add expects
	small []Record // the records of the current small block
	large []Record // the records of the current large block
}

// Completed is what adding an entry completed: the run of its small block
// if it was that block's last entry, and the parts of its large block if it
// was that block's last entry (nil parts are absent files).
type Completed struct {
	Small []byte
	Large *[Parts][]byte
}

// NewBlocks starts gathering at entry next, the first entry of no block
// gathered yet or one of the current small block's: large holds the
// records of the large block's entries before next (its complete small
// blocks' runs, ParseRun, and the records of the small block's entries
// before next), small those of the small block's entries before next.
func NewBlocks(next uint64, large, small []Record) *Blocks {
	return &Blocks{next: next, large: large, small: small}
}

// Add adds the records of entry n, which must be Next, and returns the
// runs it completed.
func (b *Blocks) Add(n uint64, recs []Record) Completed {
	if n != b.next {
		panic(fmt.Sprintf("docindex: entry %d added when %d was expected", n, b.next))
	}
	b.next++
	b.small = append(b.small, recs...)
	b.large = append(b.large, recs...)
	var c Completed
	if b.next%SmallBlock == 0 {
		c.Small = Encode(b.small)
		b.small = b.small[:0]
	}
	if b.next%LargeBlock == 0 {
		parts := Split(b.large)
		c.Large = &parts
		b.large = b.large[:0] // Split keeps none of it
	}
	return c
}

// ParseRun decodes a run. It checks only that the run is a whole number
// of records.
func ParseRun(run []byte) ([]Record, error) {
	if err := checkLen(run); err != nil {
		return nil, err
	}
	out := make([]Record, len(run)/RecordSize)
	for i := range out {
		r := run[i*RecordSize:]
		copy(out[i].Key[:], r[:32])
		out[i].Entry = binary.BigEndian.Uint64(r[32:40])
	}
	return out, nil
}
