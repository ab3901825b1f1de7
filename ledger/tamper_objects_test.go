package ledger

// Tamper tests of the git objects themselves (FORMAT.md §2.3, §6): every
// object reachable from the branch must be present, inflate and hash to its
// name, and every commit's stored trees must be the trees Verify derives,
// including those of older commits, which a reader of the repository (git
// show, git log -p, a clone, a git host) sees but Verify used to derive
// without reading.

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// looseObjectFile is the file of loose object h in the git directory dir.
func looseObjectFile(dir, h string) string {
	return filepath.Join(dir, "objects", h[:2], h[2:])
}

// encodeLoose returns the bytes of a loose object file holding content as
// an object of type typ (whatever name it is stored under).
func encodeLoose(t testing.TB, typ plumbing.ObjectType, content []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	fmt.Fprintf(zw, "%s %d\x00", typ, len(content))
	zw.Write(content)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// substituteLoose stores content, a well-formed object of type typ, as the
// loose object named h, replacing h's own file if there is one: the object
// inflates, but no longer hashes to its name.
func substituteLoose(t *testing.T, dir, h string, typ plumbing.ObjectType, content []byte) {
	t.Helper()
	name := looseObjectFile(dir, h)
	if _, err := os.Stat(name); err == nil {
		rewriteObjectFile(t, name, func([]byte) []byte { return encodeLoose(t, typ, content) })
		return
	}
	tamperWrite(t, name, encodeLoose(t, typ, content))
}

// objectsOf lists the objects reachable from HEAD with their paths (empty
// for commits and root trees).
func objectsOf(t *testing.T, dir string) [][2]string {
	t.Helper()
	var out [][2]string
	for _, line := range strings.Split(strings.TrimSpace(tamperGit(t, dir, nil, "rev-list", "--objects", "HEAD")), "\n") {
		h, p, _ := strings.Cut(line, " ")
		out = append(out, [2]string{h, p})
	}
	return out
}

// TestTamperEveryObject corrupts each object reachable from the branch in
// turn, as a loose object: one flipped byte in the middle of its file.
// Verify must refuse every one and name the object.
func TestTamperEveryObject(t *testing.T) {
	fx := newTamperFixture(t)
	objs := objectsOf(t, fx.base)
	if len(objs) < 40 {
		t.Fatalf("only %d objects reachable", len(objs))
	}
	var cases []tamperCase
	for _, o := range objs {
		h, p := o[0], o[1]
		cases = append(cases, tamperCase{name: h[:8] + " " + p, bare: func(t *testing.T, dir string) {
			name := looseObjectFile(dir, h)
			if _, err := os.Stat(name); err != nil {
				t.Fatalf("%s (%s) is not a loose object: %v", h, p, err)
			}
			rewriteObjectFile(t, name, func(data []byte) []byte { return flipByteAt(len(data) / 2)(data) })
		}, want: failsWith(h), open: openAny})
	}
	fx.run(t, cases)
}

// olderObject is an object that belongs to an older commit only (or, for a
// blob, is read once): Verify used to derive or compare it without reading.
type olderObject struct {
	name  string
	rev   string
	entry uint64 // the entry whose commit made it
	path  string // its path in that commit's tree
	typ   plumbing.ObjectType
	doc   string // the entry's document and version, as Verify names it
}

func (fx *tamperFixture) olderObjects() []olderObject {
	e2 := pathOf(2)
	c := entriesDir + "/" + e2[0] + "/" + e2[1] + "/" + e2[2]
	return []olderObject{
		{"entries/AAAA/BB/CC tree of an older commit", "HEAD~2:" + c, 2, c, plumbing.TreeObject, "translation version 1"},
		{"entries/AAAA/BB tree of an older commit", "HEAD~2:" + entriesDir + "/" + e2[0] + "/" + e2[1], 2, entriesDir + "/" + e2[0] + "/" + e2[1], plumbing.TreeObject, "translation version 1"},
		{"entries/AAAA tree of an older commit", "HEAD~1:" + entriesDir + "/" + e2[0], 3, entriesDir + "/" + e2[0], plumbing.TreeObject, "letter version 2"},
		{"entries tree of an older commit", "HEAD~2:" + entriesDir, 2, entriesDir, plumbing.TreeObject, "translation version 1"},
		{"hashes blob of an earlier entry", "HEAD:" + entryDirOf(1) + "/hashes", 1, entryDirOf(1) + "/hashes", plumbing.BlobObject, "letter version 1"},
	}
}

// wantObjectError checks that Verify's error is an EntryError for o's entry
// and commit, naming the object, its path, and the document version.
func wantObjectError(t *testing.T, dir string, o olderObject, h string, words ...string) {
	t.Helper()
	_, err := tamperVerify(t, dir, VerifyOptions{})
	t.Logf("Verify: %v", err)
	commit := tamperGitLine(t, dir, "rev-parse", fmt.Sprintf("HEAD~%d", 4-o.entry))[:12]
	wantTampered(t, err, append([]string{fmt.Sprintf("entry %d", o.entry), "git " + o.typ.String() + " object " + h, o.path, commit, o.doc}, words...)...)
	var ee *EntryError
	if !errors.As(err, &ee) || ee.Entry != o.entry || ee.Commit != commit {
		t.Fatalf("error %q is not an EntryError of entry %d, commit %s", err, o.entry, commit)
	}
}

// TestTamperOlderObjects corrupts, deletes and substitutes objects that
// belong to older commits only, as loose objects and in a pack.
func TestTamperOlderObjects(t *testing.T) {
	fx := newTamperFixture(t)
	if fx.tip != 4 {
		t.Fatalf("the fixture's tip is %d, the cases assume 4", fx.tip)
	}
	for _, o := range fx.olderObjects() {
		setup := func(t *testing.T) (string, string) {
			dir := fx.copy(t)
			h := tamperGitLine(t, dir, "rev-parse", o.rev)
			if _, err := os.Stat(looseObjectFile(dir, h)); err != nil {
				t.Fatalf("%s is not a loose object", o.rev)
			}
			return dir, h
		}
		t.Run("zlib garbage/"+o.name, func(t *testing.T) {
			t.Parallel()
			dir, h := setup(t)
			garbage := make([]byte, 64)
			rand.New(rand.NewSource(1)).Read(garbage)
			rewriteObjectFile(t, looseObjectFile(dir, h), func([]byte) []byte { return garbage })
			wantObjectError(t, dir, o, h)
		})
		t.Run("deleted/"+o.name, func(t *testing.T) {
			t.Parallel()
			dir, h := setup(t)
			if err := os.Remove(looseObjectFile(dir, h)); err != nil {
				t.Fatal(err)
			}
			wantObjectError(t, dir, o, h, "missing")
		})
		t.Run("substituted/"+o.name, func(t *testing.T) {
			t.Parallel()
			dir, h := setup(t)
			// Another object of the same type, well formed: for a tree, the
			// same directory of the next commit; for a blob, other bytes.
			var forged []byte
			if o.typ == plumbing.TreeObject {
				next := fmt.Sprintf("HEAD~%d:%s", 3-o.entry, o.path)
				forged = []byte(tamperGit(t, dir, nil, "cat-file", "tree", next))
			} else {
				forged = bytes.Repeat([]byte{0xab}, 64)
			}
			substituteLoose(t, dir, h, o.typ, forged)
			wantObjectError(t, dir, o, h, "does not match its hash")
		})
		t.Run("flipped byte in a pack/"+o.name, func(t *testing.T) {
			t.Parallel()
			dir, h := setup(t)
			pack, objs := tamperRepack(t, dir)
			p, ok := objs[h]
			if !ok {
				t.Fatalf("%s is not in the pack", h)
			}
			rewriteObjectFile(t, pack, flipByteAt(int(p.offset+p.size/2)))
			_, err := tamperVerify(t, dir, VerifyOptions{})
			t.Logf("%+v: %v", p, err)
			// A flipped byte breaks the object or, if it is the base of a
			// delta read first, that delta: either way a tree or blob object
			// is named.
			wantTampered(t, err, "git ", " object ")
		})
	}
}

// TestTamperSubstitutedBlobs replaces blobs Verify reads once (an envelope, a
// document, an older checkpoint) by other well-formed loose objects.
func TestTamperSubstitutedBlobs(t *testing.T) {
	fx := newTamperFixture(t)
	for _, o := range []olderObject{
		{"envelope", "HEAD:" + entryDirOf(2) + "/envelope.json", 2, entryDirOf(2) + "/envelope.json", plumbing.BlobObject, ""},
		{"document", "HEAD:" + entryDirOf(1) + "/document", 1, entryDirOf(1) + "/document", plumbing.BlobObject, "letter version 1"},
		{"older checkpoint", "HEAD~2:checkpoint", 2, checkpointFile, plumbing.BlobObject, "translation version 1"},
		{"hashes", "HEAD:" + entryDirOf(3) + "/hashes", 3, entryDirOf(3) + "/hashes", plumbing.BlobObject, "letter version 2"},
	} {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			dir := fx.copy(t)
			h := tamperGitLine(t, dir, "rev-parse", o.rev)
			substituteLoose(t, dir, h, plumbing.BlobObject, []byte("other bytes\n"))
			wantObjectError(t, dir, o, h, "does not match its hash")
		})
	}
}

// TestTamperLaterCommitNamed changes an earlier entry's document in a later
// commit (and the commits after it): Verify must name that commit, not the
// entry's own, with the entry's document and version.
func TestTamperLaterCommitNamed(t *testing.T) {
	fx := newTamperFixture(t)
	dir := fx.copy(t)
	work := tamperClone(t, dir)
	c3, c4 := fx.commitOf(t, work, 3), fx.commitOf(t, work, 4)
	doc := entryDirOf(1) + "/document"
	tamperFilterBranch(t, work, "--tree-filter", fmt.Sprintf("if %s || %s; then printf x >> %s; fi", onCommit(c3), onCommit(c4), shq(doc)))
	tamperPush(t, work)
	damaging := tamperGitLine(t, dir, "rev-parse", "HEAD~1")[:12]
	_, err := tamperVerify(t, dir, VerifyOptions{Trust: fx.root})
	t.Logf("Verify: %v", err)
	wantTampered(t, err, "a later commit changed", "commit "+damaging, "entry 3", entryDirOf(1))
	var ee *EntryError
	if !errors.As(err, &ee) {
		t.Fatalf("%v is not an EntryError", err)
	}
	if ee.Entry != 1 || ee.Commit != damaging || ee.Doc != "letter" || ee.Version != 1 {
		t.Fatalf("EntryError %+v: want entry 1, commit %s, letter version 1", *ee, damaging)
	}
}
