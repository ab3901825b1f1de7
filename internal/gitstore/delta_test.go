package gitstore

import (
	"bytes"
	"encoding/binary"
	"runtime"
	"strings"
	"testing"
	"time"

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
	for _, copies := range []int{int(maxDeltaWork / MaxObjectSize), 0} {
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
// deltas of 4 MiB each (256 MiB of deltas, from a pack of a few hundred
// KiB), on a blob of a byte. The reader once held every delta of a chain
// until its base was read, and so refused a chain whose deltas added up to
// more than 64 MiB, which git makes for large, heavily rewritten documents.
// Now it reads the chain holding a delta and two objects at a time, and
// refuses it only past maxDeltaBytes.
func TestPackReadDeltaChainBytes(t *testing.T) {
	const n, size = 64, 4 << 20
	delta := func(base uint64) []byte { // size bytes of zeros, inserted 127 at a time
		d := deltaHeader(base, size)
		for left := size; left > 0; left -= min(left, 127) {
			d = append(d, byte(min(left, 127)))
			d = append(d, make([]byte, min(left, 127))...)
		}
		return d
	}
	entries := [][]byte{append(objectHeader(plumbing.BlobObject, 1), zlibBytes([]byte("x"))...)}
	for i := range n {
		d := delta(map[bool]uint64{true: 1, false: size}[i == 0])
		e := append(objectHeader(packOfsDelta, int64(len(d))), ofsDeltaOffset(int64(len(entries[len(entries)-1])))...)
		entries = append(entries, append(e, zlibBytes(d)...))
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	peak, stop := heapPeak()
	r := readLast(t, entries)
	stop()
	t.Logf("pack of %d bytes: ok %v, err %v, %d bytes allocated, heap peak %d bytes above the start", len(r.pack), r.ok, r.err, r.allocated, *peak-before.HeapAlloc)
	if r.err != nil || len(r.data) != size || bytes.Count(r.data, []byte{0}) != size {
		t.Fatalf("read a chain of %d deltas of %d bytes: %d bytes, %v", n, size, len(r.data), r.err)
	}
	if held := *peak - before.HeapAlloc; held > 128<<20 {
		t.Errorf("reading the chain held %d bytes at once; its deltas take %d", held, n*size)
	}
	defer func(old int64) { maxDeltaBytes = old }(maxDeltaBytes)
	maxDeltaBytes = n * size / 2
	if r := readLast(t, entries); r.err == nil || !strings.Contains(r.err.Error(), "chain of deltas of more than") {
		t.Fatalf("read with the deltas past maxDeltaBytes: ok %v, error %v; want an error about the chain of deltas", r.ok, r.err)
	}
}

// heapPeak samples the heap in use every millisecond until stop, keeping
// the most it saw.
func heapPeak() (peak *uint64, stop func()) {
	peak = new(uint64)
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		var m runtime.MemStats
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			*peak = max(*peak, m.HeapAlloc)
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return peak, func() { close(done); <-finished }
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
