package gitstore

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// deltaHeader encodes a delta's header: its base's size and its result's.
func deltaHeader(baseSize, size uint64) []byte {
	return binary.AppendUvarint(binary.AppendUvarint(nil, baseSize), size)
}

// copyBase encodes delta instructions copying bytes [0, n) of the base, in
// copies of at most 8 MiB.
func copyBase(n uint64) []byte {
	var ops []byte
	for off := uint64(0); off < n; off += 8 << 20 {
		m := min(n-off, 8<<20)
		op := []byte{0x80}
		for i := range 4 {
			if b := byte(off >> (8 * i)); b != 0 {
				op[0] |= 1 << i
				op = append(op, b)
			}
		}
		for i := range 3 {
			if b := byte(m >> (8 * i)); b != 0 {
				op[0] |= 1 << (4 + i)
				op = append(op, b)
			}
		}
		ops = append(ops, op...)
	}
	return ops
}

// workChain returns the entries of a pack whose last object is a chain of
// offset deltas on a blob of one byte: 26 that each double their base, to
// MaxObjectSize, then copies more that each copy it whole. Every delta is
// sound, and a few dozen bytes, but each makes an object of up to 64 MiB:
// with 64 copies, a pack of 3.6 KB whose last object took 4 GiB of
// allocation and copying to read.
func workChain(copies int) [][]byte {
	entries := [][]byte{append(objectHeader(plumbing.BlobObject, 1), zlibBytes([]byte("x"))...)}
	add := func(delta []byte) {
		prev := len(entries[len(entries)-1]) // the base is the entry before
		if prev >= 128 {
			panic("workChain: an entry too long for a one-byte base offset")
		}
		e := append(objectHeader(packOfsDelta, int64(len(delta))), byte(prev))
		entries = append(entries, append(e, zlibBytes(delta)...))
	}
	size := uint64(1)
	for size < MaxObjectSize {
		add(append(append(deltaHeader(size, 2*size), copyBase(size)...), copyBase(size)...))
		size *= 2
	}
	for range copies {
		add(append(deltaHeader(size, size), copyBase(size)...))
	}
	return entries
}

// TestPackReadDeltaChainWork reads the last object of workChain(64): a
// chain of sound deltas whose results add up to far more than any object,
// which a few kilobytes of pack could make the reader build (and a clone of
// a hostile remote make `verbatim verify` build, object after object). The
// read must be refused before the deltas are applied, having allocated
// about what the pack inflates to, not gigabytes. The chain without the
// copies, making 128 MiB in all, reads.
func TestPackReadDeltaChainWork(t *testing.T) {
	for _, copies := range []int{maxDeltaWork / MaxObjectSize, 0} {
		r := readLast(t, workChain(copies))
		data, ok, err, n, pack := r.data, r.ok, r.err, r.allocated, r.pack
		t.Logf("%d copies, pack of %d bytes: ok %v, err %v, %d bytes allocated", copies, len(pack), ok, err, n)
		if copies == 0 {
			if err != nil || len(data) != MaxObjectSize || data[0] != 'x' || data[len(data)-1] != 'x' {
				t.Fatalf("read a chain making %d bytes: %d bytes, %v", 2*MaxObjectSize-2, len(data), err)
			}
			continue
		}
		if n > 16<<20 {
			t.Fatalf("reading an object of a pack of %d bytes allocated %d bytes", len(pack), n)
		}
		if err == nil || !strings.Contains(err.Error(), "chain of deltas") {
			t.Fatalf("read: ok %v, error %v; want an error about the chain of deltas", ok, err)
		}
	}
}

// TestPackReadDeltaChainBytes reads the last object of a chain of 64 offset
// deltas of 16 MiB each (compressed to 16 KiB: 1 MiB of pack), on a blob of
// a byte. A delta's size is bounded only by what its bytes inflate to, and
// the deltas of a chain were all held until they were applied: 1 GiB held
// at once, and 2 GiB allocated, for this read. It must be refused once the
// deltas held pass maxDeltaBytes.
func TestPackReadDeltaChainBytes(t *testing.T) {
	const n, size = 64, 16 << 20
	delta := make([]byte, size) // a header saying 1 byte to 1 byte, then zeros
	copy(delta, deltaHeader(1, 1))
	z := zlibBytes(delta)
	entries := [][]byte{append(objectHeader(plumbing.BlobObject, 1), zlibBytes([]byte("x"))...)}
	for range n {
		e := append(objectHeader(packOfsDelta, size), ofsDeltaOffset(int64(len(entries[len(entries)-1])))...)
		entries = append(entries, append(e, z...))
	}
	r := readLast(t, entries)
	ok, err, m, pack := r.ok, r.err, r.allocated, r.pack
	t.Logf("pack of %d bytes: ok %v, err %v, %d bytes allocated", len(pack), ok, err, m)
	if m > 512<<20 {
		t.Fatalf("reading an object of a pack of %d bytes allocated %d bytes", len(pack), m)
	}
	if err == nil || !strings.Contains(err.Error(), "chain of deltas") {
		t.Fatalf("read: ok %v, error %v; want an error about the chain of deltas", ok, err)
	}
}

// lastRead is what readLast found.
type lastRead struct {
	data      []byte
	ok        bool
	err       error
	allocated uint64 // bytes the read allocated
	pack      []byte
}

// readLast crafts a pack of entries, named hashN(1), hashN(2) and so on,
// and reads its last object.
func readLast(t *testing.T, entries [][]byte) lastRead {
	t.Helper()
	names := make([]plumbing.Hash, len(entries))
	for i := range names {
		names[i] = hashN(byte(i + 1))
	}
	dir := t.TempDir()
	var r lastRead
	r.pack, _ = craftedPack(t, dir, names, entries)
	pr, err := openPackReader(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer pr.close()
	r.allocated = allocated(func() { _, r.data, r.ok, r.err = pr.read(names[len(names)-1]) })
	return r
}

// ofsDeltaOffset encodes how far before an offset delta its base starts, as
// readOfsDeltaOffset reads it.
func ofsDeltaOffset(back int64) []byte {
	b := []byte{byte(back & 0x7f)}
	for back >>= 7; back > 0; back >>= 7 {
		back--
		b = append([]byte{0x80 | byte(back&0x7f)}, b...)
	}
	return b
}
