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
	for _, copies := range []int{64, 0} {
		entries := workChain(copies)
		names := make([]plumbing.Hash, len(entries))
		for i := range names {
			names[i] = hashN(byte(i + 1))
		}
		dir := t.TempDir()
		pack, _ := craftedPack(t, dir, names, entries)
		pr, err := openPackReader(dir)
		if err != nil {
			t.Fatal(err)
		}
		var ok bool
		var data []byte
		n := allocated(func() { _, data, ok, err = pr.read(names[len(names)-1]) })
		pr.close()
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
