package gitstore

import (
	"bufio"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/adler32"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"

	"github.com/verbatim-ledger/verbatim/internal/durable"
)

// packWriter writes one packfile (version 2, no deltas) object by object
// into a temporary file, keeping only each object's name, offset and CRC in
// memory, so that a pack of any size costs memory for its index only.
// finish makes it durable and names it.
type packWriter struct {
	dir  string // objects/pack
	f    *os.File
	bw   *bufio.Writer
	cw   *countingWriter
	zw   *zlib.Writer
	iw   *idxfile.Writer
	seen map[plumbing.Hash]bool
	n    uint32
}

// newPackWriter starts a pack in gitDir/objects/pack. Its header's object
// count is written at finish.
func newPackWriter(gitDir string) (*packWriter, error) {
	dir := filepath.Join(gitDir, "objects", "pack")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "tmp_pack_")
	if err != nil {
		return nil, err
	}
	w := &packWriter{dir: dir, f: f, bw: bufio.NewWriterSize(f, 64<<10), iw: new(idxfile.Writer), seen: map[plumbing.Hash]bool{}}
	w.cw = &countingWriter{w: w.bw, crc: crc32.NewIEEE()}
	w.zw, _ = zlib.NewWriterLevel(w.cw, zlib.BestSpeed)
	w.iw.OnHeader(0)
	var hdr [12]byte
	copy(hdr[:], "PACK")
	binary.BigEndian.PutUint32(hdr[4:], 2)
	w.cw.Write(hdr[:])
	return w, nil
}

// add appends o, unless the pack holds an object of its name already.
func (w *packWriter) add(o Object) error {
	if w.seen[o.Hash] {
		return nil
	}
	w.seen[o.Hash] = true
	pos := w.cw.n
	w.cw.crc.Reset()
	w.cw.Write(objectHeader(o.Type, int64(len(o.Content))))
	if stored(o) {
		writeStored(w.cw, o.Content)
	} else {
		w.zw.Reset(w.cw)
		w.zw.Write(o.Content)
		if err := w.zw.Close(); err != nil {
			return err
		}
	}
	w.iw.Add(o.Hash, uint64(pos), w.cw.crc.Sum32())
	w.n++
	return nil
}

// finish completes the pack and its index and returns the pack's base path.
//
// The object count is written into the header, the file read back to
// compute the pack's checksum (the SHA-1 of all before it, as git's
// index-pack fixes up a pack it completes), which is appended, and the file
// synced. Then the index is written under a temporary name and synced, and
// both are renamed: first the index, then the pack. Git and go-git find
// packs by different names (git by .idx, go-git by .pack) and both ignore
// an index without its pack, so a process killed at any moment leaves
// either no new pack or a complete one, and never a file that breaks
// reading the repository.
func (w *packWriter) finish() (string, error) {
	defer w.abort()
	sum, err := w.checksum()
	if err == nil {
		err = w.f.Sync()
	}
	if err != nil {
		return "", fmt.Errorf("writing pack: %w", err)
	}
	w.iw.OnFooter(sum)
	idx, err := w.iw.Index()
	if err != nil {
		return "", err
	}
	base := filepath.Join(w.dir, "pack-"+hex.EncodeToString(sum[:]))
	idxTmp := base + ".idx.tmp"
	if err := writeIdx(idxTmp, idx); err != nil {
		os.Remove(idxTmp)
		return "", err
	}
	if err := os.Rename(idxTmp, base+".idx"); err != nil {
		os.Remove(idxTmp)
		return "", err
	}
	writeStep("pack-index")
	if err := os.Rename(w.f.Name(), base+".pack"); err != nil {
		return "", err
	}
	writeStep("pack")
	if err := durable.SyncDir(w.dir); err != nil {
		return "", err
	}
	return base, nil
}

// checksum flushes the objects, writes their count into the header, and
// appends the SHA-1 of the whole, which it returns.
func (w *packWriter) checksum() (plumbing.Hash, error) {
	var sum plumbing.Hash
	if err := w.bw.Flush(); err != nil {
		return sum, err
	}
	var count [4]byte
	binary.BigEndian.PutUint32(count[:], w.n)
	if _, err := w.f.WriteAt(count[:], 8); err != nil {
		return sum, err
	}
	h := sha1.New()
	if _, err := io.Copy(h, io.NewSectionReader(w.f, 0, w.cw.n)); err != nil {
		return sum, fmt.Errorf("reading the pack back: %w", err)
	}
	h.Sum(sum[:0])
	_, err := w.f.WriteAt(sum[:], w.cw.n)
	return sum, err
}

// abort closes the temporary file and removes it, unless finish renamed it.
func (w *packWriter) abort() {
	w.f.Close()
	os.Remove(w.f.Name())
}

// writePack writes objects as one packfile with its index into
// gitDir/objects/pack (packWriter) and returns the pack's base path.
func writePack(gitDir string, objects []Object) (string, error) {
	w, err := newPackWriter(gitDir)
	if err != nil {
		return "", err
	}
	for _, o := range objects {
		if err := w.add(o); err != nil {
			w.abort()
			return "", fmt.Errorf("writing pack: %w", err)
		}
	}
	return w.finish()
}

// Object is a git object to write: its type, its name (Hash(Type,
// Content), which the writer does not recompute) and its content.
type Object struct {
	Type    plumbing.ObjectType
	Hash    plumbing.Hash
	Content []byte
}

// Write writes objects durably: each is on disk, and so is the directory
// naming it, before Write returns, so that a ref moved afterwards (SetRef)
// never names an object a power loss could take. With pack set they go into
// one packfile (writePack), otherwise into loose object files (writeLoose);
// both are readable through s at once.
func (s *Store) Write(objects []Object, pack bool) error {
	if !pack {
		return writeLoose(s.gitDir, objects)
	}
	base, err := writePack(s.gitDir, objects)
	if err != nil {
		return err
	}
	return s.addPack(base)
}

// Which objects a pack holds uncompressed (stored, writeStored) rather than
// deflated at BestSpeed. Deflate's cost per object is mostly fixed
// (building its Huffman tables), and a ledger's trees, mostly 20-byte
// hashes, hardly compress. On the objects of 1,000 entries of 256-byte
// documents (a pack of bench/million.sh), per entry (ns of one core,
// GOMAXPROCS=1):
//
//	                         objects  deflate saves  deflate costs
//	trees < 1 KiB               4.8       2%  (~70 B)    66 µs
//	blobs < 512 B (document,    3.0      27% (~155 B)    31 µs
//	  checkpoint, hashes)
//	commits (~330 B)            1.0      30% (~100 B)     8 µs
//	trees >= 1 KiB              1.2      28% (~660 B)    70 µs
//	blobs >= 1 KiB (envelope)   1.0      27% (~630 B)    28 µs
//
// and reading costs the same way (BenchmarkInflate, into a buffer that
// fits, as verify reads):
//
//	                              stored   deflated
//	tree of 100 entries (3,367 B)  1.3 µs   28.5 µs (2,421 B)
//	envelope (2,320 B)             0.8 µs   36.5 µs (1,741 B)
//
// and verify reads about five trees, a commit and an envelope an entry.
// So every tree and commit, and every blob under storedBlob (an entry's
// envelope, hashes and checkpoint, and small documents) is stored:
// appending and verifying each cost about 100 µs an entry less, for about
// 20% more bytes than deflating all but the small objects (measured when
// storedBlob was 2 KiB); documents of 4 KiB and more are deflated. An envelope takes 2.3 to 2.7 KB, more than
// the 2 KiB storedBlob was: storing it too made a gc'd ledger of 200,000
// entries (bench/million, 256-byte documents) 7,904 bytes an entry on disk
// instead of 7,273 (+9%), and its verify about 15 µs of CPU an entry
// cheaper (132 µs instead of 146, means of 4 and 3 runs on 2 shared cores
// that vary by 10%; 56 µs of it is ECDSA).
const storedBlob = 4 << 10

// stored reports whether o is written uncompressed (see storedBlob).
func stored(o Object) bool {
	switch o.Type {
	case plumbing.TreeObject, plumbing.CommitObject:
		return true
	case plumbing.BlobObject:
		return len(o.Content) < storedBlob
	}
	return false
}

// writeStored writes data as a zlib stream of stored (uncompressed) deflate
// blocks (RFC 1950, RFC 1951 §3.2.4): 11 bytes more than data, where
// compress/zlib at NoCompression adds 16 and allocates its compressor.
func writeStored(w io.Writer, data []byte) {
	sum := adler32.Checksum(data)
	w.Write([]byte{0x78, 0x01}) // deflate, 32 KiB window, no dictionary, fastest
	for {
		n := min(len(data), 0xffff)
		final := byte(0)
		if n == len(data) {
			final = 1
		}
		w.Write([]byte{final, byte(n), byte(n >> 8), ^byte(n), ^byte(n >> 8)})
		w.Write(data[:n])
		if final == 1 {
			break
		}
		data = data[n:]
	}
	w.Write(binary.BigEndian.AppendUint32(nil, sum))
}

// objectHeader is a pack entry header: type and size, as readObjectHeader reads it.
func objectHeader(typ plumbing.ObjectType, size int64) []byte {
	b := []byte{byte(typ)<<4 | byte(size&0x0f)}
	for size >>= 4; size > 0; size >>= 7 {
		b[len(b)-1] |= 0x80
		b = append(b, byte(size&0x7f))
	}
	return b
}

func writeIdx(path string, idx *idxfile.MemoryIndex) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o444)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	_, err = idxfile.NewEncoder(bw).Encode(idx)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// countingWriter counts bytes and keeps a CRC-32 of an entry, which the
// pack index records.
type countingWriter struct {
	w   io.Writer
	n   int64
	crc hash.Hash32
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.crc.Write(p[:n])
	return n, err
}

// testHookWrite, when a test sets it (SetWriteHook), is called at each
// step of writing objects and refs, with the step's name; the crash tests
// kill the process there.
var testHookWrite func(step string)

// SetWriteHook makes every later step of writing objects, packs, refs and
// of GC call hook with the step's name ("object", "objects-synced",
// "pack-index", "pack", "ref-locked", "ref", "gc-packed", "gc-checked",
// "gc-removed", "gc-dirs-removed", "gc-merged", "gc-pack-removed"). It is
// for crash tests, which kill the process at a step; nil removes the hook.
func SetWriteHook(hook func(step string)) { testHookWrite = hook }

func writeStep(step string) {
	if testHookWrite != nil {
		testHookWrite(step)
	}
}

// writeLoose writes objects as loose objects (zlib of "type size\x00"
// content, at objects/xx/yyyy…) that are durable before it returns: each
// is written under a temporary name, synced and renamed, and every
// directory it changed is synced. go-git's own writer syncs nothing, and
// the ref naming these objects is synced: without this a power loss could
// leave the branch pointing at objects that never reached the disk.
func writeLoose(gitDir string, objects []Object) error {
	objDir := filepath.Join(gitDir, "objects")
	dirty := map[string]bool{}
	for _, o := range objects {
		hex := o.Hash.String()
		dir, path := filepath.Join(objDir, hex[:2]), filepath.Join(objDir, hex[:2], hex[2:])
		if _, err := os.Stat(path); err == nil {
			continue // objects are immutable: one already there is this one
		}
		if _, err := os.Stat(dir); err != nil {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			dirty[objDir] = true
		}
		if err := writeLooseObject(dir, path, o); err != nil {
			return err
		}
		dirty[dir] = true
		writeStep("object")
	}
	for dir := range dirty {
		if err := durable.SyncDir(dir); err != nil {
			return err
		}
	}
	writeStep("objects-synced")
	return nil
}

// writeLooseObject writes one loose object to path through a synced
// temporary file in dir.
func writeLooseObject(dir, path string, o Object) error {
	f, err := os.CreateTemp(dir, "tmp_obj_")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	zw := zlib.NewWriter(f)
	fmt.Fprintf(zw, "%s %d\x00", o.Type, len(o.Content))
	zw.Write(o.Content)
	err = zw.Close()
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o444)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("writing git object %s: %w", o.Hash, err)
	}
	return nil
}
