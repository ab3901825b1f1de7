package gitstore

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
)

// packReader reads git objects straight from a repository's object
// directories (its own and its alternates, see objectDirs): from packfiles,
// an index lookup, a positioned read and an inflate, resolving deltas as
// `git gc` makes them; otherwise from loose object files. It takes about
// half the time of a read through go-git's storage (BenchmarkRead), and
// verification reads every object of the ledger, so this is its hot path.
//
// Nothing in a pack or an object file is trusted to be sane: every size is
// bounded by the bytes that hold it (a zlib stream inflates at most
// maxInflateRatio times) and by MaxObjectSize, and delta chains by
// maxDeltaDepth, maxDeltaBytes and maxDeltaWork, and a read holds one delta
// of its chain at a time (resolve), so a small hostile file cannot make a
// read hold more than a few of the largest objects, nor cost more than
// reading 64 of them would.
// The content is not hashed here: callers check it.
type packReader struct {
	packs  []packFile
	dirs   []string   // object directories, for loose objects
	last   int        // the pack of the previous hit: an entry's objects share a pack
	shared bool       // packs belong to another packReader, which closes them
	res    *residency // shared with the workers' readers; nil: no bound
	near   packSpot   // where the previous read from a mapped pack ended

	own []packFile // packs refresh opened, which a shared reader closes too
}

// packSpot is a place in one of a packReader's packs.
type packSpot struct {
	pack int
	off  int64
}

// resident returns how many bytes reading span bytes at off in pack j may
// make resident: the span, and the bytes between it and where the previous
// read ended, up to a fault-around's worth (a fault maps the pages around
// the one read: reading one object in every few pages, as reading the
// history does with the commits, one in each entry's objects, makes them
// all resident, forwards or backwards). An entry's objects are written
// next to each other, so verification reads mostly such runs, and
// counting a fault-around for each object released the packs several
// times as often as their pages grow.
func (pr *packReader) resident(j int, off, span int64) int64 {
	gap := int64(faultAround)
	if j == pr.near.pack {
		gap = min(gap, max(off-pr.near.off, pr.near.off-off))
	}
	pr.near = packSpot{j, off + span}
	return span + gap
}

type packFile struct {
	name    string // the pack's file name, for messages
	idx     *idxfile.MemoryIndex
	idxData []byte // the index file mapped into memory, which idx's tables point into (or nil)
	f       *os.File
	data    []byte // the pack mapped into memory, or nil to read with ReadAt
	end     int64  // the offset of the pack's 20-byte trailer, where every object ends at the latest
	// use is what was read of the mappings since the residency released them.
	use     *packUse
	written time.Time // the pack's modification time
}

// openPackReader indexes the packfiles of gitDir's object directories.
func openPackReader(gitDir string) (*packReader, error) {
	dirs, err := objectDirs(gitDir)
	if err != nil {
		return nil, err
	}
	pr := &packReader{dirs: dirs, res: &residency{release: releaseFile}}
	for _, objects := range dirs {
		dir := filepath.Join(objects, "pack")
		entries, err := os.ReadDir(dir)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			pr.close()
			return nil, err
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasPrefix(name, "pack-") || !strings.HasSuffix(name, ".idx") {
				continue
			}
			base := filepath.Join(dir, strings.TrimSuffix(name, ".idx"))
			if _, err := os.Stat(base + ".pack"); err != nil {
				continue // an index whose pack was never completed: git ignores it too
			}
			p, err := openPackFile(base)
			if errors.Is(err, os.ErrNotExist) {
				continue // gc merged it into another pack since ReadDir
			}
			if err != nil {
				pr.close()
				return nil, kindError(ErrCorrupt, fmt.Errorf("pack %s: %w", filepath.Base(base), err))
			}
			pr.packs = append(pr.packs, p)
		}
	}
	// In the order they were written, which is the history's: a lookup
	// that misses the pack of the previous hit tries the packs after it
	// first, and verification, reading entries in order, finds an entry's
	// objects in the pack that follows. (In the order of their names, which
	// are hashes, it searched half of them on average.)
	sort.SliceStable(pr.packs, func(a, b int) bool { return pr.packs[a].written.Before(pr.packs[b].written) })
	return pr, nil
}

func openPackFile(base string) (packFile, error) {
	idx, idxData, err := mapIndex(base + ".idx")
	if err != nil {
		return packFile{}, err
	}
	f, err := os.Open(base + ".pack")
	if err != nil {
		unmapFile(idxData)
		return packFile{}, err
	}
	p := packFile{name: filepath.Base(base) + ".pack", idx: idx, idxData: idxData, f: f, data: mapFile(f), use: new(packUse)}
	st, err := f.Stat()
	if err == nil && st.Size() < 12+20 {
		err = errors.New("too short to be a pack")
	}
	if err != nil {
		p.close()
		return packFile{}, err
	}
	p.end, p.written = st.Size()-20, st.ModTime()
	return p, nil
}

func (p packFile) close() {
	unmapFile(p.data)
	unmapFile(p.idxData)
	p.f.Close()
}

func (pr *packReader) close() {
	if pr.shared {
		pr.packs = pr.own
	}
	for _, p := range pr.packs {
		p.close()
	}
}

// MaxObjectSize bounds every git object a Store reads: the largest a
// ledger writes is a document's blob (ledger.MaxDocumentSize, which may not
// exceed it). A size field above it is refused before anything is
// allocated.
const MaxObjectSize = 64 << 20

// maxInflateRatio bounds how many bytes a zlib stream of n bytes inflates
// to: deflate encodes at most 258 bytes in a 2-bit match, 1032 to 1.
const maxInflateRatio = 1032

// maxDeltaDepth bounds a chain of deltas (git's own limit for `repack
// --depth`).
const maxDeltaDepth = 4095

// Pack entry types beyond the four object types.
const (
	packOfsDelta = 6
	packRefDelta = 7
)

var inflaters sync.Pool // of *inflater

type inflater struct {
	mr bytes.Reader
	zr io.ReadCloser
}

// read returns object h's type and content if it is in a pack of one of
// the object directories or a loose object there (ok false if neither).
// A packReader is used by one goroutine at a time.
func (pr *packReader) read(h plumbing.Hash) (plumbing.ObjectType, []byte, bool, error) {
	return pr.readInto(h, nil)
}

// readInto is read, inflating a packed object stored whole into buf if it
// fits there (see inflateBounded).
func (pr *packReader) readInto(h plumbing.Hash, buf []byte) (plumbing.ObjectType, []byte, bool, error) {
	if j, off, found := pr.find(h); found {
		typ, data, err := pr.resolve(j, off, buf)
		if err != nil {
			err = fmt.Errorf("pack %s: %w", pr.packs[j].name, err)
		}
		return typ, data, err == nil, err
	}
	typ, data, ok, err := readLoose(pr.dirs, h)
	if !ok && err == nil && pr.refresh() {
		return pr.read(h) // gc packed it and deleted the loose file since pr opened
	}
	return typ, data, ok, err
}

// find returns the pack holding h and the object's offset in it.
func (pr *packReader) find(h plumbing.Hash) (int, int64, bool) {
	for i := range pr.packs {
		j := (pr.last + i) % len(pr.packs)
		off, ok := findOffset(pr.packs[j].idx, h)
		pr.res.readIndex(&pr.packs[j], pr.packs)
		if !ok {
			continue
		}
		pr.last = j
		return j, off, true
	}
	return 0, 0, false
}

// findOffset looks h up in a pack index as go-git's FindOffset does, but
// without the reverse map FindOffset fills, under a lock, on every call: the
// verifier's workers share the indexes, and that map would grow to every
// object read. An offset the index cannot give is returned as -1, which
// entryAt refuses.
func findOffset(idx *idxfile.MemoryIndex, h plumbing.Hash) (int64, bool) {
	k := idx.FanoutMapping[h[0]]
	if k < 0 || k >= len(idx.Names) || k >= len(idx.Offset32) {
		return 0, false
	}
	names, offs := idx.Names[k], idx.Offset32[k]
	n := min(len(names)/20, len(offs)/4)
	// A binary search for the first name >= h, as sort.Search would do it,
	// written out: it runs for every object read, in every pack tried. It
	// compares the names' first 8 bytes as a number (the index sorts names
	// as byte strings, so big-endian order is theirs) and the rest only
	// where those are equal: bytes.Compare cost most of the lookup.
	key := binary.BigEndian.Uint64(h[:8])
	i, j := narrow(names, n, key)
	for i < j {
		m := int(uint(i+j) >> 1)
		name := names[m*20 : m*20+20]
		if k := binary.BigEndian.Uint64(name); k < key || k == key && bytes.Compare(name[8:], h[8:]) < 0 {
			i = m + 1
		} else {
			j = m
		}
	}
	if i == n || !bytes.Equal(names[i*20:i*20+20], h[:]) {
		return 0, false
	}
	off := binary.BigEndian.Uint32(offs[i*4:])
	if off&(1<<31) == 0 {
		return int64(off), true
	}
	k64 := uint64(off&^(1<<31)) * 8
	if k64+8 > uint64(len(idx.Offset64)) {
		return -1, true
	}
	return int64(binary.BigEndian.Uint64(idx.Offset64[k64:])), true
}

// narrow returns a range [i, j) of the n sorted names (20 bytes each, all
// with the same first byte) such that names before i have first 8 bytes, as
// a number, < key and names from j on > key: the first name >= a hash
// starting with key is in [i, j], as the binary search needs. Names are SHA-1 sums, so spread evenly: a few
// steps of interpolation search find a range of a handful of names, where
// a binary search would read a new cache line of the index at each of its
// log2(n) steps. The interpolation stops after a few steps whatever the
// names are, so a crafted index costs no more than a binary search and a
// few reads.
func narrow(names []byte, n int, key uint64) (int, int) {
	i, j := 0, n
	// Below lo (the name before i, or the bucket's start) every name is
	// < key; from hi (name j, or the bucket's end) on, every name is >= key.
	lo := key &^ (1<<56 - 1)
	hi := lo | (1<<56 - 1)
	for step := 0; step < 4 && j-i > 8; step++ {
		if key < lo || key > hi || hi <= lo {
			break
		}
		frac := float64(key-lo) / float64(hi-lo)
		m := i + int(frac*float64(j-i))
		m = max(i, min(m, j-1))
		k := binary.BigEndian.Uint64(names[m*20:])
		switch {
		case k < key:
			i, lo = m+1, k
		case k > key:
			j, hi = m, k
		default:
			return i, j // names sharing 8 bytes with h: the binary search compares the rest
		}
	}
	return i, j
}

// resolve reads the object at off in pack j, applying its chain of deltas.
// An object stored whole is inflated into buf if it fits there.
func (pr *packReader) resolve(j int, off int64, buf []byte) (plumbing.ObjectType, []byte, error) {
	var chain []packSpot // the deltas, outermost first
	var cost chainCost
	var seen map[packSpot]bool
	for {
		if len(chain) > maxDeltaDepth {
			return plumbing.InvalidObject, nil, fmt.Errorf("a chain of more than %d deltas", maxDeltaDepth)
		}
		if len(chain) > 0 {
			// A chain that comes back to an entry is refused at once, before
			// it counts maxDeltaDepth deltas.
			if seen == nil {
				seen = map[packSpot]bool{}
			}
			at := packSpot{j, off}
			if seen[at] {
				return plumbing.InvalidObject, nil, fmt.Errorf("a chain of deltas that loops back to offset %d", off)
			}
			seen[at] = true
			buf = nil // the base of a delta is kept until the delta is applied
		}
		e, err := pr.entry(j, off, buf)
		if err != nil {
			return plumbing.InvalidObject, nil, err
		}
		if e.typ != packOfsDelta && e.typ != packRefDelta {
			return pr.applyChain(e.typ, e.data, chain)
		}
		// The delta is counted, then dropped: applyChain reads it again.
		if err := cost.add(e.data); err != nil {
			return plumbing.InvalidObject, nil, err
		}
		chain = append(chain, packSpot{j, off})
		if e.typ == packOfsDelta {
			off = e.base
			continue
		}
		var found bool
		if j, off, found = pr.find(e.baseHash); !found {
			return plumbing.InvalidObject, nil, fmt.Errorf("the base %s of a delta is not in any pack", e.baseHash)
		}
	}
}

// applyChain applies the deltas at chain (outermost first) to the object
// data of type typ, innermost first, reading each as it applies it: a read
// holds the object, the next and one delta, however long the chain.
func (pr *packReader) applyChain(typ plumbing.ObjectType, data []byte, chain []packSpot) (plumbing.ObjectType, []byte, error) {
	for i := len(chain) - 1; i >= 0; i-- {
		e, err := pr.entry(chain[i].pack, chain[i].off, nil)
		if err != nil {
			return plumbing.InvalidObject, nil, err
		}
		if data, err = applyDelta(data, e.data); err != nil {
			return plumbing.InvalidObject, nil, err
		}
	}
	return typ, data, nil
}

// entry is entryAt of pack j, counting what the read makes resident.
func (pr *packReader) entry(j int, off int64, buf []byte) (packEntry, error) {
	e, err := pr.packs[j].entryAt(off, buf)
	if err == nil && pr.packs[j].data != nil {
		pr.res.readPack(&pr.packs[j], pr.resident(j, off, e.span), pr.packs)
	}
	return e, err
}

// packEntry is one entry of a pack, inflated: an object, or a delta with
// the offset or name of its base.
type packEntry struct {
	typ      plumbing.ObjectType
	data     []byte
	base     int64         // packOfsDelta
	baseHash plumbing.Hash // packRefDelta
	span     int64         // the bytes the entry takes in the pack
}

// entryAt reads and inflates the pack entry at off. No object reaches past
// the pack's trailer, which bounds what it may inflate to. (Where the next
// object begins would bound it more tightly, but a sorted list of the
// objects' offsets takes 8 bytes per object of memory, 96 MB for a ledger
// of a million entries; what an object inflates to is checked against what
// its size field claims, and its content against its name, by the caller.)
// Its content is inflated into buf if it fits there.
func (p packFile) entryAt(off int64, buf []byte) (e packEntry, err error) {
	// A pack truncated while it is mapped makes reads fault: report that as
	// an error, not a crash.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			e, err = packEntry{}, fmt.Errorf("reading pack: %v", r)
		}
	}()
	if off < 12 || off >= p.end {
		return e, fmt.Errorf("offset %d is not an object of the pack", off)
	}
	if p.data != nil {
		if p.end > int64(len(p.data)) {
			return e, fmt.Errorf("object at offset %d is cut off", off)
		}
		return parseEntry(p.data[off:p.end], off, buf)
	}
	// Read with ReadAt: a window that grows until it holds the entry. A
	// window of 64 KiB cannot make a valid size look too large: its
	// maxInflateRatio times is more than MaxObjectSize.
	for n := int64(64 << 10); ; n *= 2 {
		n = min(n, p.end-off)
		raw := make([]byte, n)
		if _, err := p.f.ReadAt(raw, off); err != nil {
			return e, fmt.Errorf("reading offset %d: %w", off, err)
		}
		e, err = parseEntry(raw, off, buf)
		if n == p.end-off || !(errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)) {
			return e, err
		}
	}
}

// parseEntry parses a pack entry held in raw, which starts at offset off,
// inflating its content into buf if it fits there.
func parseEntry(raw []byte, off int64, buf []byte) (packEntry, error) {
	var e packEntry
	r := bytes.NewReader(raw)
	typ, size, err := readObjectHeader(r)
	if err != nil {
		return e, err
	}
	e.typ = typ
	switch typ {
	case plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject, plumbing.TagObject:
	case packOfsDelta:
		back, err := readOfsDeltaOffset(r)
		if err != nil {
			return e, err
		}
		if back <= 0 || back > off {
			return e, fmt.Errorf("delta at offset %d names a base %d bytes before it", off, back)
		}
		e.base = off - back
	case packRefDelta:
		if n, _ := r.Read(e.baseHash[:]); n < len(e.baseHash) {
			return e, io.ErrUnexpectedEOF
		}
	default:
		return e, fmt.Errorf("entry of unknown type %d at offset %d", typ, off)
	}
	var used int
	e.data, used, err = inflateBounded(raw[len(raw)-r.Len():], size, buf)
	e.span = int64(len(raw) - r.Len() + used)
	return e, err
}

// inflateBounded inflates the zlib stream at the start of z, which must
// hold exactly size bytes and end with its checksum, and returns the bytes
// and how many of z it used. The size is checked against what z can hold
// before anything is allocated, and the result is allocated as it inflates,
// never more than twice what it has inflated: a size field may lie. If
// buf has room for size bytes, they are inflated into it instead: a reader
// that only hashes or compares an object allocates nothing for it. A
// stream of stored blocks, as the writer stores most objects, is decoded
// without compress/flate (inflateStored).
func inflateBounded(z []byte, size int64, buf []byte) ([]byte, int, error) {
	if size > MaxObjectSize {
		return nil, 0, fmt.Errorf("object of %d bytes, more than the %d bytes a ledger object may have", size, int64(MaxObjectSize))
	}
	if size > int64(len(z))*maxInflateRatio {
		return nil, 0, fmt.Errorf("object claims %d bytes, but its %d compressed bytes cannot hold that many", size, len(z))
	}
	if data, used, ok := inflateStored(z, size, buf); ok {
		return data, used, nil
	}
	return inflateZlib(z, size, buf)
}

// inflateZlib is inflateBounded through compress/zlib, for any zlib
// stream: the size has been checked against MaxObjectSize and against
// what z can hold.
func inflateZlib(z []byte, size int64, buf []byte) ([]byte, int, error) {
	inf, _ := inflaters.Get().(*inflater)
	if inf == nil {
		inf = &inflater{}
	}
	defer inflaters.Put(inf)
	inf.mr.Reset(z)
	var err error
	if inf.zr == nil {
		inf.zr, err = zlib.NewReader(&inf.mr)
	} else {
		err = inf.zr.(zlib.Resetter).Reset(&inf.mr, nil)
	}
	if err != nil {
		return nil, 0, err
	}
	var data []byte
	if int64(cap(buf)) >= size {
		data = buf[:size]
	} else {
		data = make([]byte, min(size, inflateStep))
	}
	if _, err := io.ReadFull(inf.zr, data); err != nil {
		return nil, 0, err
	}
	for int64(len(data)) < size {
		n := len(data)
		data = append(data, make([]byte, min(size-int64(n), int64(n)))...)
		if _, err := io.ReadFull(inf.zr, data[n:]); err != nil {
			return nil, 0, err
		}
	}
	// The stream must end here; reading its end also checks its Adler-32.
	var one [1]byte
	if n, err := inf.zr.Read(one[:]); n != 0 || err != io.EOF {
		if err == nil || err == io.EOF {
			err = errors.New("data after the object's content")
		}
		return nil, 0, err
	}
	return data, len(z) - inf.mr.Len(), nil
}

// inflateStep is what inflateBounded allocates before it has inflated
// anything: objects up to this size are allocated once.
const inflateStep = 1 << 20

// readObjectHeader parses a pack entry's type and size: 3 bits of type and
// 4 of size in the first byte, 7 more bits of size in each following byte
// while the high bit is set.
func readObjectHeader(r *bytes.Reader) (plumbing.ObjectType, int64, error) {
	b, err := r.ReadByte()
	if err != nil {
		return plumbing.InvalidObject, 0, err
	}
	typ := plumbing.ObjectType((b >> 4) & 7)
	size := int64(b & 0x0f)
	for shift := uint(4); b&0x80 != 0; shift += 7 {
		if shift > 56 {
			return typ, 0, errors.New("object size too large")
		}
		if b, err = r.ReadByte(); err != nil {
			return typ, 0, err
		}
		size |= int64(b&0x7f) << shift
	}
	return typ, size, nil
}

// readOfsDeltaOffset parses how far before an offset delta its base starts:
// 7 bits a byte, most significant first, adding one for each continuation
// (git's encoding, so no two encodings give the same distance).
func readOfsDeltaOffset(r *bytes.Reader) (int64, error) {
	b, err := r.ReadByte()
	if err != nil {
		return 0, err
	}
	back := int64(b & 0x7f)
	for b&0x80 != 0 {
		if back >= 1<<55 {
			return 0, errors.New("delta base offset too large")
		}
		if b, err = r.ReadByte(); err != nil {
			return 0, err
		}
		back = (back+1)<<7 | int64(b&0x7f)
	}
	return back, nil
}
