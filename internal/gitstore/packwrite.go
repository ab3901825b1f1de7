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

// writePack writes objects as one packfile (version 2, no deltas) with its
// index into gitDir/objects/pack and returns the pack's base path.
//
// Both files are written under temporary names, synced, and renamed: first
// the index, then the pack. Git and go-git find packs by different names
// (git by .idx, go-git by .pack) and both ignore an index without its pack,
// so a process killed at any moment leaves either no new pack or a
// complete one, and never a file that breaks reading the repository.
func writePack(gitDir string, objects []Object) (string, error) {
	dir := filepath.Join(gitDir, "objects", "pack")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, "tmp_pack_")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	idx, sum, err := encodePack(tmp, objects)
	if err == nil {
		err = tmp.Sync()
	}
	if err != nil {
		return "", fmt.Errorf("writing pack: %w", err)
	}
	base := filepath.Join(dir, "pack-"+hex.EncodeToString(sum[:]))
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
	if err := os.Rename(tmp.Name(), base+".pack"); err != nil {
		return "", err
	}
	writeStep("pack")
	if err := durable.SyncDir(dir); err != nil {
		return "", err
	}
	return base, nil
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

// encodePack writes the pack stream and returns its index and checksum.
func encodePack(f io.Writer, objects []Object) (*idxfile.MemoryIndex, plumbing.Hash, error) {
	sum := sha1.New()
	bw := bufio.NewWriterSize(io.MultiWriter(f, sum), 64<<10)
	cw := &countingWriter{w: bw, crc: crc32.NewIEEE()}
	iw := new(idxfile.Writer)
	iw.OnHeader(uint32(len(objects)))
	var hdr [12]byte
	copy(hdr[:], "PACK")
	binary.BigEndian.PutUint32(hdr[4:], 2)
	binary.BigEndian.PutUint32(hdr[8:], uint32(len(objects)))
	cw.Write(hdr[:])
	zw, _ := zlib.NewWriterLevel(cw, zlib.BestSpeed)
	for _, o := range objects {
		pos := cw.n
		cw.crc.Reset()
		cw.Write(objectHeader(o.Type, int64(len(o.Content))))
		if stored(o) {
			writeStored(cw, o.Content)
		} else {
			zw.Reset(cw)
			zw.Write(o.Content)
			if err := zw.Close(); err != nil {
				return nil, plumbing.ZeroHash, err
			}
		}
		iw.Add(o.Hash, uint64(pos), cw.crc.Sum32())
	}
	if err := bw.Flush(); err != nil {
		return nil, plumbing.ZeroHash, err
	}
	var checksum plumbing.Hash
	sum.Sum(checksum[:0])
	if _, err := f.Write(checksum[:]); err != nil {
		return nil, plumbing.ZeroHash, err
	}
	iw.OnFooter(checksum)
	idx, err := iw.Index()
	return idx, checksum, err
}

// Objects smaller than these are written uncompressed (stored, writeStored)
// rather than with deflate at BestSpeed. Deflate's cost per object is mostly
// fixed (building its Huffman tables), so for a ledger's many small objects
// it costs much and saves little; larger objects still compress well. On the
// objects of 1,000 entries of 256-byte documents (a pack of
// bench/million.sh), per entry (ns of one core, GOMAXPROCS=1):
//
//	                         objects  deflate saves  deflate costs
//	trees < 1 KiB               4.8       2%  (~70 B)    66 µs
//	blobs < 512 B (document,    3.0      27% (~155 B)    31 µs
//	  checkpoint, hashes)
//	commits (~330 B)            1.0      30% (~100 B)     8 µs
//	trees >= 1 KiB              1.2      28% (~660 B)    70 µs
//	blobs >= 1 KiB (envelope)   1.0      25% (~660 B)    28 µs
//
// Storing the first two classes halves compression's time (203 to 106 µs
// an entry) for 4% more bytes (5,320 to 5,545 an entry); storing the large
// trees as well would save another 70 µs for 12% more, and storing
// everything costs 32% more disk. Small trees gain least: their 20-byte
// hashes do not compress.
const (
	storedTree = 1 << 10
	storedBlob = 512
)

// stored reports whether o is written uncompressed (see storedTree).
func stored(o Object) bool {
	switch o.Type {
	case plumbing.TreeObject:
		return len(o.Content) < storedTree
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
