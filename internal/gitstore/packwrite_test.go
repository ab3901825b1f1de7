package gitstore

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/adler32"
	"io"
	"os"
	"path/filepath"
	"testing"

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
