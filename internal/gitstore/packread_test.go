package gitstore

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
)

// zlibBytes compresses b.
func zlibBytes(b []byte) []byte {
	var out bytes.Buffer
	zw := zlib.NewWriter(&out)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

// craftedPack writes a pack whose entries are the given raw bytes (header
// and data, as they appear in a pack), named by names, with its index, into
// gitDir's objects/pack. Nothing about the entries is checked: they may lie.
func craftedPack(t testing.TB, gitDir string, names []plumbing.Hash, entries [][]byte) (pack []byte, idx *idxfile.MemoryIndex) {
	t.Helper()
	var buf bytes.Buffer
	buf.WriteString("PACK\x00\x00\x00\x02")
	buf.Write([]byte{0, 0, 0, byte(len(entries))})
	iw := new(idxfile.Writer)
	iw.OnHeader(uint32(len(entries)))
	for i, e := range entries {
		iw.Add(names[i], uint64(buf.Len()), crc32.ChecksumIEEE(e))
		buf.Write(e)
	}
	sum := sha1.Sum(buf.Bytes())
	buf.Write(sum[:])
	iw.OnFooter(plumbing.Hash(sum))
	idx, err := iw.Index()
	if err != nil {
		t.Fatal(err)
	}
	if gitDir != "" {
		base := filepath.Join(gitDir, "objects", "pack", "pack-"+hex.EncodeToString(sum[:]))
		if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := writeIdx(base+".idx", idx); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(base+".pack", buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes(), idx
}

// allocated returns how many bytes f allocated.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func hashN(i byte) plumbing.Hash {
	var h plumbing.Hash
	h[0], h[19] = i, i
	return h
}

// TestPackReadHostileEntries reads crafted pack entries whose size fields,
// delta bases or delta chains lie (issue 12 point 3): each read must fail
// with an error, without a panic, and without allocating more than a little.
func TestPackReadHostileEntries(t *testing.T) {
	ofsDelta := func(back byte, delta []byte) []byte {
		return append(append(objectHeader(packOfsDelta, int64(len(delta))), back), zlibBytes(delta)...)
	}
	refDelta := func(base plumbing.Hash, delta []byte) []byte {
		return append(append(objectHeader(packRefDelta, int64(len(delta))), base[:]...), zlibBytes(delta)...)
	}
	blob := func(size int64, content []byte) []byte {
		return append(objectHeader(plumbing.BlobObject, size), zlibBytes(content)...)
	}
	hi := blob(2, []byte("hi"))
	back := byte(len(hi)) // an offset delta right after hi names it
	for _, tc := range []struct {
		name    string
		entries [][]byte // the first is read
		words   string
	}{
		{"blob claiming 60 MiB in a few bytes", [][]byte{blob(60<<20, []byte("hi"))}, "cannot hold"},
		{"blob claiming 8 GiB in a few bytes", [][]byte{blob(1<<33, []byte("hi"))}, "more than"},
		{"blob shorter than it claims", [][]byte{blob(100, []byte("hi"))}, "EOF"},
		{"delta result claiming 2 GiB", [][]byte{hi, ofsDelta(back, []byte{2, 0x80, 0x80, 0x80, 0x80, 0x08, 0x91, 0, 2})}, "more than"},
		{"delta result larger than its header says", [][]byte{hi, ofsDelta(back, []byte{2, 3, 0x91, 0, 2, 0x91, 0, 2})}, "more bytes"},
		{"delta copying outside its base", [][]byte{hi, ofsDelta(back, []byte{2, 100, 0x91, 0, 100})}, "copies bytes"},
		{"delta base before the pack", [][]byte{ofsDelta(100, []byte{0, 0})}, "base"},
		{"delta chain in a cycle", [][]byte{refDelta(hashN(2), []byte{0, 0}), refDelta(hashN(1), []byte{0, 0})}, "chain"},
		{"delta on a missing base", [][]byte{refDelta(hashN(9), []byte{0, 0})}, "not in any pack"},
		{"unknown entry type", [][]byte{append([]byte{0x50}, zlibBytes(nil)...)}, "unknown type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			// In the delta cases the second entry is read, a delta on hi.
			entries := tc.entries
			names := make([]plumbing.Hash, len(entries))
			for i := range names {
				names[i] = hashN(byte(i + 1))
			}
			target := names[0]
			if len(entries) == 2 && !strings.Contains(tc.name, "cycle") {
				target = names[1]
			}
			craftedPack(t, dir, names, entries)
			pr, err := openPackReader(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer pr.close()
			var ok bool
			n := allocated(func() { _, _, ok, err = pr.read(target) })
			t.Logf("ok %v, err %v, %d bytes allocated", ok, err, n)
			if err == nil || !strings.Contains(err.Error(), tc.words) {
				t.Fatalf("read: ok %v, error %v; want an error mentioning %q", ok, err, tc.words)
			}
			if n > 16<<20 {
				t.Fatalf("read allocated %d bytes for a pack of a few bytes", n)
			}
		})
	}
}

// gitPackedRepo writes a repository of n similar blobs in a tree, a
// commit and a branch naming it, and repacks it with git, deltas and all,
// returning the git directory and the pack's base path.
func gitPackedRepo(t testing.TB, n int) (string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	s := testRepo(t, dir, n)
	s.Close()
	git(t, dir, "repack", "-a", "-d", "-f", "-q", "--window=50", "--depth=50")
	packs, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "*.pack"))
	if len(packs) != 1 {
		t.Fatalf("%d packs", len(packs))
	}
	return dir, strings.TrimSuffix(packs[0], ".pack")
}

// testRepo creates a repository in dir holding n blobs of about 1 KiB that
// differ a little (as versions of documents do) in a tree, a commit of
// that tree, and refs/heads/main naming it; the objects are loose.
func testRepo(t testing.TB, dir string, n int) *Store {
	t.Helper()
	if err := Init(dir, "refs/heads/main"); err != nil {
		t.Fatal(err)
	}
	s := Open(dir)
	objects, head := testObjects(n)
	if err := s.Write(objects, false); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRef("refs/heads/main", head); err != nil {
		t.Fatal(err)
	}
	return s
}

// testObjects returns n blobs, the trees holding them (100 a tree, in a
// root tree), and a commit of the root, which it also returns the name of.
func testObjects(n int) ([]Object, plumbing.Hash) {
	var objects []Object
	add := func(typ plumbing.ObjectType, content []byte) plumbing.Hash {
		h := Hash(typ, content)
		objects = append(objects, Object{Type: typ, Hash: h, Content: content})
		return h
	}
	var root, sub Tree
	flush := func() {
		if len(sub) > 0 {
			root = root.With(TreeEntry{Mode: ModeDir, Name: fmt.Sprintf("d%05d", len(root)), Hash: add(plumbing.TreeObject, EncodeTree(sub))})
		}
		sub = nil
	}
	for i := 0; i < n; i++ {
		doc := strings.Repeat(fmt.Sprintf("line of document %d\n", i%97), 48) + fmt.Sprintf("version %d\n", i)
		sub = sub.With(TreeEntry{Mode: ModeFile, Name: fmt.Sprintf("f%05d", i), Hash: add(plumbing.BlobObject, []byte(doc))})
		if len(sub) == 100 {
			flush()
		}
	}
	flush()
	tree := add(plumbing.TreeObject, EncodeTree(root))
	commit := add(plumbing.CommitObject, []byte(fmt.Sprintf("tree %s\nauthor a <a@example.com> 0 +0000\ncommitter a <a@example.com> 0 +0000\n\ntest\n", tree)))
	return objects, commit
}

// git runs git in the repository dir, skipping the test if git is not
// installed.
func git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestPackReadDeltas reads every object of a pack git made, deltas
// included, and checks each against its name.
func TestPackReadDeltas(t *testing.T) {
	dir, base := gitPackedRepo(t, 300)
	deltas := 0
	for _, line := range strings.Split(git(t, dir, "verify-pack", "-v", base+".idx"), "\n") {
		if f := strings.Fields(line); len(f) > 6 && len(f[0]) == 40 {
			deltas++
		}
	}
	if deltas == 0 {
		t.Fatalf("git made no deltas")
	}
	pr, err := openPackReader(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer pr.close()
	iter, _ := pr.packs[0].idx.Entries()
	count := 0
	for {
		e, err := iter.Next()
		if err != nil {
			break
		}
		typ, data, ok, err := pr.read(e.Hash)
		if err != nil || !ok || plumbing.ComputeHash(typ, data) != e.Hash {
			t.Fatalf("read %s: %v %v %v", e.Hash, typ, ok, err)
		}
		count++
	}
	t.Logf("%d objects read, %d of them deltas", count, deltas)
}

// FuzzPackRead reads every object of a mutated pack, through an index of
// the offsets given (4 bytes each, big-endian, naming the objects hashN(1),
// hashN(2), ...): no input may panic, hang, or return an object beyond
// MaxObjectSize or of a type that is not an object's. The seeds are small
// (packReadSeeds), and packs longer than maxFuzzPack are skipped: the
// engine minimizes every input that reaches new code before it goes on,
// for up to -fuzzminimizetime (60 s), in a number of runs that grows with
// the square of the input's length. With the whole 8 KB seed.pack as seed
// it spent all but the first second of a run minimizing (a run of 15 s
// reported 2 executions), and with a seed of 1.5 KB still most of it.
func FuzzPackRead(f *testing.F) {
	for _, s := range packReadSeeds(f) {
		f.Add(s.pack, s.offsets)
	}
	f.Fuzz(func(t *testing.T, pack, offsets []byte) {
		if len(pack) < 12+20 || len(pack) > maxFuzzPack || len(offsets) > 4*maxFuzzObjects {
			return
		}
		n := len(offsets) / 4
		iw := new(idxfile.Writer)
		iw.OnHeader(uint32(n))
		for i := range n {
			iw.Add(hashN(byte(i+1)), uint64(binary.BigEndian.Uint32(offsets[4*i:])), 0)
		}
		iw.OnFooter(plumbing.ZeroHash)
		idx, err := iw.Index()
		if err != nil {
			t.Fatal(err)
		}
		pr := &packReader{packs: []packFile{{name: "fuzz.pack", idx: idx, data: pack, end: int64(len(pack)) - 20}}, shared: true}
		for i := range n {
			h := hashN(byte(i + 1))
			typ, data, ok, err := pr.read(h)
			if err == nil && !ok {
				t.Fatalf("%s: neither read nor an error", h)
			}
			if err == nil && (len(data) > MaxObjectSize || typ < plumbing.CommitObject || typ > plumbing.TagObject) {
				t.Fatalf("%s: a %v object of %d bytes", h, typ, len(data))
			}
		}
	})
}

// maxFuzzPack and maxFuzzObjects bound the packs FuzzPackRead reads and
// the objects it names: a few times its seeds.
const (
	maxFuzzPack    = 1 << 10
	maxFuzzObjects = 64
)

// packSeed is an input of FuzzPackRead.
type packSeed struct{ pack, offsets []byte }

// packReadSeeds returns FuzzPackRead's seeds: the first 2 objects of
// testdata/packread/seed.pack (the sample ledger of the ledger package's
// tests, repacked by git with deltas), a commit and an offset delta on it;
// crafted entries (offset and ref deltas, a chain of both, a missing base);
// and a chain of deltas that would make more than maxDeltaWork.
func packReadSeeds(t testing.TB) []packSeed {
	const prefix = 347 // where the third object of seed.pack starts
	raw, err := os.ReadFile(filepath.Join("testdata", "packread", "seed.pack"))
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Open(filepath.Join("testdata", "packread", "seed.idx"))
	if err != nil {
		t.Fatal(err)
	}
	defer fi.Close()
	idx := idxfile.NewMemoryIndex()
	if err := idxfile.NewDecoder(fi).Decode(idx); err != nil {
		t.Fatal(err)
	}
	git := packSeed{pack: append(raw[:prefix:prefix], make([]byte, 20)...)}
	iter, _ := idx.Entries()
	for {
		e, err := iter.Next()
		if err != nil {
			break
		}
		if e.Offset < prefix {
			git.offsets = binary.BigEndian.AppendUint32(git.offsets, uint32(e.Offset))
		}
	}
	ofsDelta := func(back int, delta []byte) []byte {
		return append(append(objectHeader(packOfsDelta, int64(len(delta))), byte(back)), zlibBytes(delta)...)
	}
	refDelta := func(base plumbing.Hash, delta []byte) []byte {
		return append(append(objectHeader(packRefDelta, int64(len(delta))), base[:]...), zlibBytes(delta)...)
	}
	hello := append(objectHeader(plumbing.BlobObject, 6), zlibBytes([]byte("hello\n"))...)
	crafted := [][]byte{
		hello,
		ofsDelta(len(hello), []byte{6, 9, 0x90, 5, 4, 'x', 'y', 'z', '\n'}), // "helloxyz\n"
		refDelta(hashN(2), []byte{9, 4, 0x91, 5, 3, 1, '!'}),                // "xyz!", on hashN(2)
		refDelta(hashN(9), []byte{0, 0}),                                    // on a missing base
	}
	// 17 deltas, of a header only, that each say they make 64 MiB, on a
	// blob of a byte: the chain is refused before they are applied (they
	// would not apply).
	chain := [][]byte{append(objectHeader(plumbing.BlobObject, 1), zlibBytes([]byte("x"))...)}
	for range maxDeltaWork/MaxObjectSize + 1 {
		chain = append(chain, ofsDelta(len(chain[len(chain)-1]), deltaHeader(MaxObjectSize, MaxObjectSize)))
	}
	last := craftedSeed(chain)
	last.offsets = last.offsets[len(last.offsets)-4:] // only the last is read
	return []packSeed{git, craftedSeed(crafted), last}
}

// craftedSeed is a FuzzPackRead input of a pack of entries.
func craftedSeed(entries [][]byte) packSeed {
	s := packSeed{pack: []byte("PACK\x00\x00\x00\x02")}
	s.pack = binary.BigEndian.AppendUint32(s.pack, uint32(len(entries)))
	for _, e := range entries {
		s.offsets = binary.BigEndian.AppendUint32(s.offsets, uint32(len(s.pack)))
		s.pack = append(s.pack, e...)
	}
	s.pack = append(s.pack, make([]byte, 20)...)
	return s
}

// FuzzApplyDelta applies arbitrary deltas to arbitrary bases: no panic, and
// a result exactly the size the delta's header declares.
func FuzzApplyDelta(f *testing.F) {
	f.Add([]byte("hello"), []byte{5, 7, 0x90, 5, 2, 'x', 'y'})
	f.Add([]byte(""), []byte{0, 3, 3, 'a', 'b', 'c'})
	f.Add([]byte("abc"), []byte{3, 0x80, 0x80, 0x04, 0xb3, 0, 0, 1})
	f.Fuzz(func(t *testing.T, base, delta []byte) {
		out, err := applyDelta(base, delta)
		if err != nil {
			return
		}
		_, rest, _ := deltaVarint(delta)
		size, _, _ := deltaVarint(rest)
		if uint64(len(out)) != size {
			t.Fatalf("result of %d bytes, header says %d", len(out), size)
		}
	})
}

// FuzzReadLoose parses arbitrary loose object files: no panic, and an
// object returned only with the size its header states and a known type.
func FuzzReadLoose(f *testing.F) {
	f.Add(zlibBytes([]byte("blob 6\x00hello\n")))
	tr := EncodeTree(Tree{{Mode: ModeFile, Name: "checkpoint"}})
	f.Add(zlibBytes(append(fmt.Appendf(nil, "tree %d\x00", len(tr)), tr...)))
	f.Add(zlibBytes([]byte("blob 999999999\x00x")))
	f.Add(zlibBytes([]byte("blob 01\x00x")))
	f.Fuzz(func(t *testing.T, file []byte) {
		typ, data, err := readLooseObject(bytes.NewReader(file), int64(len(file)))
		if err != nil {
			return
		}
		if typ < plumbing.CommitObject || typ > plumbing.TagObject || int64(len(data)) > int64(len(file))*maxInflateRatio {
			t.Fatalf("%v object of %d bytes from a file of %d", typ, len(data), len(file))
		}
	})
}

// TestFindOffset compares findOffset with go-git's FindOffset on the seed
// pack's index and on an index with 64-bit offsets.
func TestFindOffset(t *testing.T) {
	fi, err := os.Open(filepath.Join("testdata", "packread", "seed.idx"))
	if err != nil {
		t.Fatal(err)
	}
	seed := idxfile.NewMemoryIndex()
	err = idxfile.NewDecoder(fi).Decode(seed)
	fi.Close()
	if err != nil {
		t.Fatal(err)
	}
	iw := new(idxfile.Writer)
	iw.OnHeader(3)
	iw.Add(hashN(1), 12, 0)
	iw.Add(hashN(2), 1<<33, 0)
	iw.Add(hashN(3), 1<<31+5, 0)
	iw.OnFooter(plumbing.ZeroHash)
	big, err := iw.Index()
	if err != nil {
		t.Fatal(err)
	}
	for _, idx := range []*idxfile.MemoryIndex{seed, big} {
		iter, _ := idx.Entries()
		n := 0
		for {
			e, err := iter.Next()
			if err != nil {
				break
			}
			want, err := idx.FindOffset(e.Hash)
			got, ok := findOffset(idx, e.Hash)
			if err != nil || !ok || got != want {
				t.Fatalf("%s: findOffset %d %v, FindOffset %d %v", e.Hash, got, ok, want, err)
			}
			n++
		}
		if n == 0 {
			t.Fatal("no entries")
		}
		if _, ok := findOffset(idx, hashN(9)); ok {
			t.Fatal("found a missing object")
		}
	}
}

// TestReadIntoAllocatesNothing reads a packed object stored whole into a
// buffer that fits it, its hash checked, as verification reads most
// objects: the read allocates nothing (plumbing.ComputeHash allocated a
// hasher for each, and the entry's parse its reader).
func TestReadIntoAllocatesNothing(t *testing.T) {
	objects, head := testObjects(100)
	dir := filepath.Join(t.TempDir(), "repo")
	if err := Init(dir, "refs/heads/main"); err != nil {
		t.Fatal(err)
	}
	s := Open(dir)
	defer s.Close()
	if err := s.Write(objects, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRef("refs/heads/main", head); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 8<<10)
	for _, o := range []Object{objects[0], objects[len(objects)-3], objects[len(objects)-1]} { // a blob, a tree, the commit
		n := testing.AllocsPerRun(100, func() {
			if data, err := s.ReadInto(buf, o.Type, o.Hash, true); err != nil || len(data) != len(o.Content) {
				t.Fatalf("ReadInto(%s) = %d bytes, %v", o.Hash, len(data), err)
			}
		})
		if n != 0 {
			t.Errorf("ReadInto(%s %s) allocated %v times", o.Type, o.Hash, n)
		}
	}
}
