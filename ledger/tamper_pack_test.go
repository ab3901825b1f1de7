package ledger

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/hex"
	"hash/crc32"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
)

// TestTamperHostilePackSize adds to a ledger a small pack holding an object
// of the ledger (its newest checkpoint) whose size field claims 60 MiB (under
// gitstore.MaxObjectSize): Verify must refuse it without allocating it.
func TestTamperHostilePackSize(t *testing.T) {
	fx := newTamperFixture(t)
	dir := fx.copy(t)
	h := plumbing.NewHash(tamperGitLine(t, dir, "rev-parse", "HEAD:checkpoint"))
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte("checkpoint"))
	zw.Close()
	// A pack entry header: a blob (type 3) of 60<<20 bytes, 4 bits of the
	// size in the first byte and 7 in each next one.
	hostilePack(t, dir, h, append([]byte{0xb0, 0x80, 0x80, 0xf0, 0x01}, z.Bytes()...))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := tamperVerify(t, dir, VerifyOptions{Trust: fx.root})
	runtime.ReadMemStats(&after)
	n := after.TotalAlloc - before.TotalAlloc
	t.Logf("Verify: %v (%d bytes allocated)", err, n)
	wantTampered(t, err, h.String(), "cannot hold")
	if n > 64<<20 {
		t.Fatalf("Verify allocated %d bytes", n)
	}
}

// hostilePack adds to the repository dir a pack of one entry, raw (its
// header and data as they appear in a pack, which may lie), named h, with
// its index.
func hostilePack(t testing.TB, dir string, h plumbing.Hash, raw []byte) {
	t.Helper()
	var pack bytes.Buffer
	pack.WriteString("PACK\x00\x00\x00\x02\x00\x00\x00\x01")
	pack.Write(raw)
	sum := sha1.Sum(pack.Bytes())
	pack.Write(sum[:])
	iw := new(idxfile.Writer)
	iw.OnHeader(1)
	iw.Add(h, 12, crc32.ChecksumIEEE(raw))
	iw.OnFooter(plumbing.Hash(sum))
	idx, err := iw.Index()
	var idxBytes bytes.Buffer
	if err == nil {
		_, err = idxfile.NewEncoder(&idxBytes).Encode(idx)
	}
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(dir, "objects", "pack", "pack-"+hex.EncodeToString(sum[:]))
	tamperWrite(t, base+".idx", idxBytes.Bytes())
	tamperWrite(t, base+".pack", pack.Bytes())
}
