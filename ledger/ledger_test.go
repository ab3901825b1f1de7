package ledger

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"github.com/verbatim-ledger/verbatim/keys"
)

func TestBuildAndVerify(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	l := buildLedger(t, dir, sampleDocs)
	if got, want := l.Size(), uint64(len(sampleDocs)+1); got != want {
		t.Fatalf("Size() = %d, want %d", got, want)
	}
	rep := checkLedger(t, dir, uint64(len(sampleDocs)+1))
	if rep.Documents != 3 || rep.Versions != 4 {
		t.Errorf("Verify: %d documents, %d versions; want 3, 4", rep.Documents, rep.Versions)
	}
	for _, d := range sampleDocs {
		vs, err := l.FindContent([]byte(d.content))
		if err != nil || len(vs) != 1 || vs[0].Doc != d.id {
			t.Errorf("FindContent(%q) = %v, %v; want one version of %s", d.content, vs, err, d.id)
			continue
		}
		got, err := l.Content(vs[0])
		if err != nil || !bytes.Equal(got, []byte(d.content)) {
			t.Errorf("Content(%s@%d) = %q, %v; want %q", d.id, vs[0].Version, got, err, d.content)
		}
	}
}

func TestUnchangedAddsNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	l := buildLedger(t, dir, sampleDocs)
	head := l.Head()
	a, err := l.Append(testKey(t, keys.ECDSAP256), AppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	res, err := a.Add(NewDocument{ID: "letter", Content: []byte(sampleDocs[2].content)})
	if err != nil || !res.Unchanged || res.Version.Version != 2 {
		t.Fatalf("Add(latest content) = %+v, %v; want unchanged version 2", res, err)
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	if l.Head() != head {
		t.Fatalf("head moved from %s to %s though nothing was added", head, l.Head())
	}
	// Content equal to an older version is a new version.
	res, err = a.Add(NewDocument{ID: "letter", Content: []byte(sampleDocs[0].content)})
	if err != nil || res.Unchanged || res.Version.Version != 3 {
		t.Fatalf("Add(older content) = %+v, %v; want new version 3", res, err)
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	checkLedger(t, dir, uint64(len(sampleDocs)+2))
}

// One Appender adds a document, then links to a version flushed before it
// (a new version's previous, a translation's original): the link is read
// from the commit the Appender started on, which adding must not alter.
func TestLinkAfterAddInOneAppender(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  func(original *Version) NewDocument
	}{
		{"new version", func(*Version) NewDocument { return NewDocument{ID: "a", Content: []byte("a, version 2\n")} }},
		{"translation", func(o *Version) NewDocument {
			return NewDocument{ID: "a-fr", Content: []byte("un\n"), Language: "fr", TranslationOf: o}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ledger")
			l := buildLedger(t, dir, []testDoc{{"a", "one"}, {"b", "two"}})
			defer l.Close()
			original, err := l.Lookup("a", 1)
			if err != nil {
				t.Fatal(err)
			}
			a, err := l.Append(testKey(t, keys.ECDSAP256), AppendOptions{Now: testClock()})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if _, err := a.Add(NewDocument{ID: "c", Content: []byte("c\n")}); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Add(tc.doc(original)); err != nil {
				t.Fatalf("Add after another Add: %v", err)
			}
			if err := a.Flush(); err != nil {
				t.Fatal(err)
			}
			checkLedger(t, dir, 5)
		})
	}
}

func TestInitRefuses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	buildLedger(t, dir, nil)
	key := testKey(t, keys.ECDSAP256)
	if _, err := Init(dir, "example.org/again", key, AppendOptions{}); !errors.Is(err, ErrExists) {
		t.Errorf("Init over a ledger: %v, want ErrExists", err)
	}
	if _, err := Init(t.TempDir()+"/x", "bad name", key, AppendOptions{}); !errors.Is(err, ErrInput) {
		t.Errorf("Init with a bad name: %v, want ErrInput", err)
	}
	checkLedger(t, dir, 1)
}

func TestForeignKeyRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	l := buildLedger(t, dir, sampleDocs[:1])
	if _, err := l.Append(testOtherKey(t), AppendOptions{}); !errors.Is(err, ErrInput) {
		t.Fatalf("Append with a foreign key: %v, want ErrInput", err)
	}
	checkLedger(t, dir, 2)
}

func TestBadDocIDChangesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	l := buildLedger(t, dir, sampleDocs[:1])
	a, err := l.Append(testKey(t, keys.ECDSAP256), AppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, id := range []string{"", "a/b", "..", "a b", "a\x00b", "A", "../x"} {
		if _, err := a.Add(NewDocument{ID: id, Content: []byte("x")}); !errors.Is(err, ErrInput) {
			t.Errorf("Add(id %q) = %v, want ErrInput", id, err)
		}
	}
	if a.Pending() != 0 {
		t.Fatalf("Pending() = %d after refused adds, want 0", a.Pending())
	}
	a.Flush()
	checkLedger(t, dir, 2)
}

func TestBulkAcrossShards(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 250 entries")
	}
	dir := filepath.Join(t.TempDir(), "ledger")
	clock := testClock()
	l, err := Init(dir, "example.org/bulk", testKey(t, keys.Ed25519), AppendOptions{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	a, err := l.Append(testKey(t, keys.Ed25519), AppendOptions{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	// 250 entries cross two CC shard directories; flush every 100 writes packs.
	for i := 0; i < 250; i++ {
		if _, err := a.Add(NewDocument{ID: "doc-" + string(rune('a'+i%7)), Content: []byte{byte(i), byte(i >> 8)}}); err != nil {
			t.Fatal(err)
		}
		if a.Pending() == 100 {
			if err := a.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	a.Close()
	rep, err := Verify(dir, VerifyOptions{Trust: testKey(t, keys.Ed25519).Public().Fingerprint()})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Entries != 251 {
		t.Fatalf("Verify: %d entries, want 251", rep.Entries)
	}
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
}
