package gitstore

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/adler32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestWriteStored: the stored zlib streams the pack writer makes for small
// objects inflate to their data, with one block or several (a stored block
// holds at most 65,535 bytes), and are 11 bytes longer per block than it.
func TestWriteStored(t *testing.T) {
	for _, n := range []int{0, 1, 300, 0xffff, 0xffff + 1, 3*0xffff + 7} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(i * 7)
		}
		var buf bytes.Buffer
		writeStored(&buf, data)
		blocks := max(1, (n+0xfffe)/0xffff)
		if want := n + 6 + 5*blocks; buf.Len() != want {
			t.Errorf("writeStored(%d bytes) wrote %d bytes, want %d", n, buf.Len(), want)
		}
		zr, err := zlib.NewReader(&buf)
		if err != nil {
			t.Fatalf("writeStored(%d bytes): %v", n, err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("writeStored(%d bytes) inflates to %d bytes, %v; want the data", n, len(got), err)
		}
	}
}

// TestGCMergeRefusesCorruptPack: GC streams the objects of the packs it
// merges into a new pack, checking each against its name; a pack holding an
// object altered in place is refused (ErrCorrupt) and no pack is deleted.
// The other way round, two sound packs merge into one that reads back.
func TestGCMergeRefusesCorruptPack(t *testing.T) {
	for _, corrupt := range []bool{false, true} {
		dir := t.TempDir()
		if err := Init(dir, "refs/heads/main"); err != nil {
			t.Fatal(err)
		}
		s := Open(dir)
		objects, _ := testObjects(200)
		small := Object{Type: plumbing.BlobObject, Hash: Hash(plumbing.BlobObject, []byte("a small blob\n")), Content: []byte("a small blob\n")}
		objects = append([]Object{small}, objects...)
		half := len(objects) / 2
		for _, part := range [][]Object{objects[:half], objects[half:]} {
			if err := s.Write(part, true); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
		packs, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "*.pack"))
		if corrupt {
			// The small blob is stored: its bytes are in the pack as they
			// are, followed by their Adler-32, which is made to match.
			p := firstPack(t, packs, small.Hash)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			i := bytes.Index(data, small.Content)
			if i < 0 {
				t.Fatal("the small blob is not stored in the first pack")
			}
			data[i] ^= 1
			binary.BigEndian.PutUint32(data[i+len(small.Content):], adler32.Checksum(data[i:i+len(small.Content)]))
			os.Chmod(p, 0o644)
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		s = Open(dir)
		_, err := s.GC()
		s.Close()
		after, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "*.pack"))
		switch {
		case corrupt && (!errors.Is(err, ErrCorrupt) || len(after) != 2):
			t.Errorf("GC of a corrupt pack = %v, %d packs left; want ErrCorrupt and both packs", err, len(after))
		case !corrupt && (err != nil || len(after) != 1):
			t.Errorf("GC of two packs = %v, %d packs left; want one", err, len(after))
		case !corrupt:
			s = Open(dir)
			for _, o := range objects {
				if got, err := s.Read(o.Type, o.Hash, true); err != nil || !bytes.Equal(got, o.Content) {
					t.Fatalf("Read(%s) after GC = %v", o.Hash, err)
				}
			}
			s.Close()
		}
	}
}

// firstPack is the one of packs whose index lists h.
func firstPack(t *testing.T, packs []string, h plumbing.Hash) string {
	t.Helper()
	for _, p := range packs {
		pf, err := openPackFile(p[:len(p)-len(".pack")])
		if err != nil {
			t.Fatal(err)
		}
		_, found := findOffset(pf.idx, h)
		unmapFile(pf.data)
		pf.f.Close()
		if found {
			return p
		}
	}
	t.Fatalf("no pack holds %s", h)
	return ""
}

// TestPacksInWrittenOrder writes five packs of one blob each, dated in an
// order unlike that of their names (hashes): the reader tries them in the
// order they were written, and GC merges them in that order, so that the
// objects of entries appended one after another stay together.
func TestPacksInWrittenOrder(t *testing.T) {
	dir := t.TempDir()
	if err := Init(dir, "refs/heads/main"); err != nil {
		t.Fatal(err)
	}
	s := Open(dir)
	var blobs []Object
	for i := range 5 {
		content := fmt.Appendf(nil, "blob %d\n", i)
		o := Object{Type: plumbing.BlobObject, Hash: Hash(plumbing.BlobObject, content), Content: content}
		if err := s.Write([]Object{o}, true); err != nil {
			t.Fatal(err)
		}
		blobs = append(blobs, o)
	}
	s.Close()
	// Date pack i (holding blob i) i hours ago: the newest blob's pack
	// was written first.
	written := map[plumbing.Hash]time.Time{}
	for i, o := range blobs {
		p := firstPack(t, mustGlob(t, filepath.Join(dir, "objects", "pack", "*.pack")), o.Hash)
		written[o.Hash] = time.Now().Add(-time.Duration(i) * time.Hour)
		if err := os.Chtimes(p, written[o.Hash], written[o.Hash]); err != nil {
			t.Fatal(err)
		}
	}
	want := []plumbing.Hash{blobs[4].Hash, blobs[3].Hash, blobs[2].Hash, blobs[1].Hash, blobs[0].Hash}

	pr, err := openPackReader(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []plumbing.Hash
	for _, p := range pr.packs {
		iter, _ := p.idx.Entries()
		e, _ := iter.Next()
		got = append(got, e.Hash)
	}
	pr.close()
	if !slices.Equal(got, want) {
		t.Errorf("the reader's packs hold %v, want %v (oldest first)", got, want)
	}

	s = Open(dir)
	defer s.Close()
	if _, err := s.GC(); err != nil {
		t.Fatal(err)
	}
	packs := mustGlob(t, filepath.Join(dir, "objects", "pack", "*.pack"))
	if len(packs) != 1 {
		t.Fatalf("GC left %d packs, want 1", len(packs))
	}
	pf, err := openPackFile(strings.TrimSuffix(packs[0], ".pack"))
	if err != nil {
		t.Fatal(err)
	}
	defer pf.close()
	_, byOffset, err := objectsByOffset(pf)
	if err != nil || !slices.Equal(byOffset, want) {
		t.Errorf("GC merged the packs into %v (%v), want %v (oldest first)", byOffset, err, want)
	}
}

func mustGlob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil || len(m) == 0 {
		t.Fatalf("%s: %v, %d files", pattern, err, len(m))
	}
	return m
}
