package gitstore

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
)

// Fuzz tests for every parser of untrusted repository bytes: git trees and
// commits as verbatim reads them, and pack entry headers (packs, deltas and
// loose objects: packread_test.go).

func FuzzDecodeTree(f *testing.F) {
	f.Add(EncodeTree(Tree{{Mode: ModeFile, Name: "checkpoint"}, {Mode: ModeDir, Name: "entries"}}))
	f.Add([]byte("100644 a\x00012345678901234567890"))
	f.Add([]byte("40000 \x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := DecodeTree(data)
		if err != nil {
			return
		}
		if got := EncodeTree(tr); !bytes.Equal(got, data) {
			t.Fatalf("EncodeTree(DecodeTree(%q)) = %q", data, got)
		}
		for i := 1; i < len(tr); i++ {
			if !Less(tr[i-1], tr[i]) {
				t.Fatalf("DecodeTree accepted entries out of git order: %q, %q", tr[i-1].Name, tr[i].Name)
			}
		}
	})
}

func FuzzParseCommitHeader(f *testing.F) {
	f.Add([]byte("tree 36083cfbf0ad50721ec779595f8737b75105764a\nparent 086a00fa0d0c4735f0b4c0c028cf9af6d109080d\nauthor x\n\nmsg\n"))
	f.Add([]byte("tree \n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCommitHeader(data)
		if err == nil && c.Tree.IsZero() {
			t.Fatalf("ParseCommitHeader(%q) accepted a commit without a tree", data)
		}
	})
}

func FuzzReadObjectHeader(f *testing.F) {
	f.Add([]byte{0x35})
	f.Add([]byte{0x95, 0x0a})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		typ, size, err := readObjectHeader(bytes.NewReader(data))
		if err == nil && (size < 0 || typ > 7) {
			t.Fatalf("readObjectHeader(%x) = %v, %d", data, typ, size)
		}
	})
}

// FuzzParseIndex parses arbitrary pack index files: an index parseIndex
// accepts is one go-git's decoder accepts too, with the same objects at the
// same offsets (and no panic on any input).
func FuzzParseIndex(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "packread", "seed.idx"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		idx, err := parseIndex(data)
		if err != nil {
			return
		}
		want := idxfile.NewMemoryIndex()
		if err := idxfile.NewDecoder(bytes.NewReader(data)).Decode(want); err != nil {
			t.Fatalf("parseIndex accepted an index go-git refuses: %v", err)
		}
		got, _ := idx.Entries()
		wantIter, _ := want.Entries()
		for {
			g, gerr := got.Next()
			w, werr := wantIter.Next()
			if (gerr == nil) != (werr == nil) || (gerr == nil && *g != *w) {
				t.Fatalf("entry %v (%v), go-git's %v (%v)", g, gerr, w, werr)
			}
			if gerr != nil {
				break
			}
			if off, ok := findOffset(idx, g.Hash); !ok || uint64(off) != g.Offset {
				t.Fatalf("findOffset(%s) = %d, %v; the entry says %d", g.Hash, off, ok, g.Offset)
			}
		}
	})
}

// FuzzInflateStored decodes arbitrary zlib streams with inflateStored, the
// fast path for streams of stored blocks, and with compress/zlib
// (inflateZlib): where the fast path takes a stream it must return what
// compress/zlib returns, the same bytes and the same length of stream;
// and a stream writeStored wrote it must take.
func FuzzInflateStored(f *testing.F) {
	for _, data := range [][]byte{nil, []byte("blob"), bytes.Repeat([]byte("tree 0123456789\n"), 20)} {
		f.Add(storedStream(data), uint32(len(data)), false)
		f.Add(zlibBytes(data), uint32(len(data)), false)
		f.Add(data, uint32(len(data)), true)
	}
	f.Add(storedBlocks([]byte("several "), nil, []byte("stored blocks")), uint32(21), false)
	f.Add(storedThenFixed([]byte("stored "), []byte("then fixed")), uint32(17), false)
	f.Fuzz(func(t *testing.T, z []byte, size uint32, write bool) {
		if write { // z is content: writeStored's stream of it
			content := z
			z = storedStream(content)
			data, used, ok := inflateStored(z, int64(len(content)), nil)
			if !ok || !bytes.Equal(data, content) || used != len(z) {
				t.Fatalf("inflateStored(writeStored(%d bytes)) = %d bytes, %d used, %v", len(content), len(data), used, ok)
			}
			return
		}
		n := int64(min(size, 1<<20))
		if n > int64(len(z))*maxInflateRatio {
			return // inflateBounded refuses it before either runs
		}
		data, used, ok := inflateStored(z, n, nil)
		if !ok {
			return
		}
		want, wantUsed, err := inflateZlib(z, n, nil)
		if err != nil || !bytes.Equal(data, want) || used != wantUsed {
			t.Fatalf("inflateStored = %d bytes, %d used; compress/zlib %d bytes, %d used, %v", len(data), used, len(want), wantUsed, err)
		}
	})
}
