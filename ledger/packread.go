package ledger

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
)

// packReader reads whole (undeltified) objects straight from a repository's
// packfiles: an index lookup, one positioned read and an inflate, about a
// fifth of what a read through go-git's storage costs. Verification reads
// every object of the ledger, so this is its hot path. Anything else —
// loose objects, deltas that `git gc` makes — is left to go-git (ok false).
type packReader struct {
	packs  []packFile
	last   int  // the pack of the previous hit: an entry's objects share a pack
	shared bool // packs belong to another packReader, which closes them
}

type packFile struct {
	idx  *idxfile.MemoryIndex
	f    *os.File
	data []byte // the pack mapped into memory, or nil to read with ReadAt
}

// openPackReader indexes the packfiles in gitDir/objects/pack.
func openPackReader(gitDir string) (*packReader, error) {
	dir := filepath.Join(gitDir, "objects", "pack")
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	pr := &packReader{}
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
		if err != nil {
			pr.close()
			return nil, fmt.Errorf("%w: pack %s: %w", ErrTampered, filepath.Base(base), err)
		}
		pr.packs = append(pr.packs, p)
	}
	return pr, nil
}

func openPackFile(base string) (packFile, error) {
	fi, err := os.Open(base + ".idx")
	if err != nil {
		return packFile{}, err
	}
	defer fi.Close()
	idx := idxfile.NewMemoryIndex()
	if err := idxfile.NewDecoder(bufio.NewReader(fi)).Decode(idx); err != nil {
		return packFile{}, err
	}
	f, err := os.Open(base + ".pack")
	if err != nil {
		return packFile{}, err
	}
	return packFile{idx: idx, f: f, data: mapFile(f)}, nil
}

func (pr *packReader) close() {
	for _, p := range pr.packs {
		unmapFile(p.data)
		p.f.Close()
	}
}

// maxObjectSize bounds an object read from a pack: a hostile size field must
// not make verbatim allocate without limit.
const maxObjectSize = 1 << 34

var inflaters sync.Pool // of *inflater

type inflater struct {
	br *bufio.Reader
	mr bytes.Reader
	zr io.ReadCloser
}

// read returns object h's type and content if it is stored whole in a pack.
// A packReader is used by one goroutine at a time.
func (pr *packReader) read(h plumbing.Hash) (plumbing.ObjectType, []byte, bool, error) {
	for i := range pr.packs {
		j := (pr.last + i) % len(pr.packs)
		off, err := pr.packs[j].idx.FindOffset(h)
		if err != nil {
			continue
		}
		pr.last = j
		return pr.packs[j].readAt(off)
	}
	return plumbing.InvalidObject, nil, false, nil
}

func (p packFile) readAt(off int64) (typ plumbing.ObjectType, data []byte, ok bool, err error) {
	// A pack truncated while it is mapped makes reads fault: report that as
	// an error, not a crash.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			typ, data, ok, err = plumbing.InvalidObject, nil, false, fmt.Errorf("reading pack: %v", r)
		}
	}()
	inf, _ := inflaters.Get().(*inflater)
	if inf == nil {
		inf = &inflater{br: bufio.NewReaderSize(nil, 8192)}
	}
	defer inflaters.Put(inf)
	var r interface {
		io.Reader
		io.ByteReader
	}
	if p.data != nil {
		if off < 0 || off >= int64(len(p.data)) {
			return plumbing.InvalidObject, nil, false, fmt.Errorf("offset %d outside the pack", off)
		}
		inf.mr.Reset(p.data[off:])
		r = &inf.mr
	} else {
		inf.br.Reset(io.NewSectionReader(p.f, off, 1<<62))
		r = inf.br
	}
	typ, size, err := readObjectHeader(r)
	if err != nil {
		return typ, nil, false, err
	}
	if typ != plumbing.CommitObject && typ != plumbing.TreeObject && typ != plumbing.BlobObject && typ != plumbing.TagObject {
		return typ, nil, false, nil // a delta: go-git resolves it
	}
	if size > maxObjectSize {
		return typ, nil, false, fmt.Errorf("object of %d bytes", size)
	}
	if inf.zr == nil {
		inf.zr, err = zlib.NewReader(r)
	} else {
		err = inf.zr.(zlib.Resetter).Reset(r, nil)
	}
	if err != nil {
		return typ, nil, false, err
	}
	data = make([]byte, size)
	if _, err := io.ReadFull(inf.zr, data); err != nil {
		return typ, nil, false, err
	}
	return typ, data, true, nil
}

// readObjectHeader parses a pack entry's type and size: 3 bits of type and
// 4 of size in the first byte, 7 more bits of size in each following byte
// while the high bit is set.
func readObjectHeader(r io.ByteReader) (plumbing.ObjectType, int64, error) {
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
