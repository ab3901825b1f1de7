package ledger

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/verbatim-ledger/verbatim/docindex"
	"github.com/verbatim-ledger/verbatim/keys"
)

// indexDocs is the number of documents the index test ledgers spread their
// versions over.
const indexDocs = 37

// buildIndexLedger makes a deterministic v4 ledger of n entries in dir:
// versions of indexDocs text documents, every 50th hash-only, a
// translation, and a key entry (entry 150, when n > 150) followed by
// versions the added key signs.
func buildIndexLedger(t testing.TB, dir string, n int) {
	t.Helper()
	root, archivist := newSeedSigner(t), seedSignerFrom(t, 0x21)
	clock := testClock()
	l, err := Init(dir, "example.org/verbatim-index", root, AppendOptions{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	signer := Signer(root)
	a, err := l.Append(signer, AppendOptions{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < n; i++ {
		switch {
		case i == 150:
			err = a.AddKey(archivist.pub, "archivist")
		default:
			d := NewDocument{ID: fmt.Sprint("doc-", i%indexDocs), Content: fmt.Appendf(nil, "Version %d of document %d.\n", i, i%indexDocs), HashOnly: i%50 == 0, NoSketch: true}
			if i == 120 {
				d.ID, d.Language, d.TranslationOf = "ترجمه", "fa", l.st.latest("doc-7")
			}
			_, err = a.Add(d)
		}
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		if a.Pending() == 1000 || i == 150 {
			if err := a.Flush(); err != nil {
				t.Fatal(err)
			}
		}
		if i == 150 { // from here on the archivist signs
			a.Close()
			if a, err = l.Append(archivist, AppendOptions{Now: clock}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	a.Close()
}

// indexFixtures are index test ledgers, built once per test binary.
var indexFixtures struct {
	sync.Mutex
	dirs map[int]string
	tmp  string
}

// indexLedger returns a copy of the index test ledger of n entries.
func indexLedger(t *testing.T, n int) string {
	t.Helper()
	indexFixtures.Lock()
	defer indexFixtures.Unlock()
	if indexFixtures.dirs == nil {
		tmp, err := os.MkdirTemp("", "verbatim-index-fixtures")
		if err != nil {
			t.Fatal(err)
		}
		indexFixtures.tmp, indexFixtures.dirs = tmp, map[int]string{}
	}
	src, ok := indexFixtures.dirs[n]
	if !ok {
		src = filepath.Join(indexFixtures.tmp, fmt.Sprint(n))
		buildIndexLedger(t, src, n)
		indexFixtures.dirs[n] = src
	}
	dst := filepath.Join(t.TempDir(), "ledger")
	if err := copyTree(src, dst); err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestMain(m *testing.M) {
	code := m.Run()
	if indexFixtures.tmp != "" {
		os.RemoveAll(indexFixtures.tmp)
	}
	os.Exit(code)
}

// TestIndexFiles checks where the index files are (FORMAT.md §2.4): one
// per complete small block, one directory per complete large block, none
// for incomplete blocks, and that the ledger verifies.
func TestIndexFiles(t *testing.T) {
	dir := indexLedger(t, 10_250)
	rep, err := Verify(dir, VerifyOptions{})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if rep.Entries != 10_250 || rep.Keys != 1 {
		t.Errorf("Verify = %d entries, %d key entries", rep.Entries, rep.Keys)
	}
	var want []string
	for s := 0; s < 10_200; s += 100 {
		want = append(want, smallIndexPath(uint64(s)))
	}
	want = append(want, largeIndexPath(0))
	got := indexFilesIn(t, dir)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("index files: %d, want %d (first %v)", len(got), len(want), got[:min(3, len(got))])
	}
}

// TestIndexLookup checks lookups through the index against the full
// state's maps, for every label kind, on a ledger with a large block, small
// blocks and a tail.
func TestIndexLookup(t *testing.T) {
	dir := indexLedger(t, 10_250)
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if !l.lazy {
		t.Fatal("Open of a v4 ledger without a cache replayed it")
	}
	type q struct {
		what string
		k    docindex.Key
		want func(*state) []uint64
	}
	entriesOf := func(vs []*Version) []uint64 {
		var out []uint64
		for _, v := range vs {
			out = append(out, v.Entry)
		}
		return out
	}
	var qs []q
	for _, id := range []string{"doc-0", "doc-7", "doc-36", "ترجمه", "nothing"} {
		qs = append(qs, q{"doc " + id, docindex.DocKey(id), func(s *state) []uint64 { return entriesOf(s.docs[id]) }})
	}
	qs = append(qs, q{"keys", docindex.KeysKey(), func(*state) []uint64 { return []uint64{150} }},
		q{"translation-of doc-7", docindex.TranslationKey("doc-7"), func(*state) []uint64 { return []uint64{120} }})
	full, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	if err := full.full(); err != nil {
		t.Fatal(err)
	}
	for _, n := range []uint64{1, 9_999, 10_000, 10_100, 10_249} {
		env, _, err := full.entry(n)
		if err != nil {
			t.Fatal(err)
		}
		sum := env.Statement.Subject[0].Digest.SHA256
		text := env.Statement.Predicate.Document.Text.SHA256
		qs = append(qs, q{fmt.Sprint("sha256 of entry ", n), docindex.DigestKey(sum), func(s *state) []uint64 { return entriesOf(s.byDigest[sum]) }},
			q{fmt.Sprint("text of entry ", n), docindex.TextKey(text), func(s *state) []uint64 { return entriesOf(s.byText[text]) }})
	}
	for _, c := range qs {
		got, err := l.indexed(c.k)
		if err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if want := c.want(full.st); !slices.Equal(got, want) {
			t.Errorf("%s: index gives %v, the replayed state %v", c.what, got, want)
		}
	}
}

// TestIndexedQueries checks that a ledger read from its index answers
// History, Lookup, FindContent, FindText, Translations, Keys and Bundle as
// a replayed one does, and that Append on it loads the full state.
func TestIndexedQueries(t *testing.T) {
	dir := indexLedger(t, 250)
	lazy, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer lazy.Close()
	full, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	if err := full.full(); err != nil || full.lazy {
		t.Fatalf("full: %v (lazy %v)", err, full.lazy)
	}
	for _, id := range []string{"doc-3", "doc-7", "ترجمه"} {
		a, errA := lazy.History(id)
		b, errB := full.History(id)
		if errA != nil || errB != nil || fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("History(%s): %v, %v; replayed: %v, %v", id, a, errA, b, errB)
		}
	}
	if _, err := lazy.History("nothing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("History(nothing) = %v, want ErrNotFound", err)
	}
	v, err := lazy.Lookup("doc-7", 2)
	if err != nil || v.Version != 2 || v.Doc != "doc-7" {
		t.Fatalf("Lookup(doc-7, 2) = %v, %v", v, err)
	}
	content, err := lazy.Content(v)
	if err != nil {
		t.Fatal(err)
	}
	found, err := lazy.FindContent(content)
	if err != nil || len(found) != 1 || found[0].Entry != v.Entry {
		t.Errorf("FindContent = %v, %v; want entry %d", found, err, v.Entry)
	}
	text, err := lazy.FindText(v.TextSHA256)
	if err != nil || len(text) != 1 || text[0].Entry != v.Entry {
		t.Errorf("FindText = %v, %v; want entry %d", text, err, v.Entry)
	}
	tr, err := lazy.Translations("doc-7")
	if err != nil || len(tr) != 1 || tr[0].Doc != "ترجمه" {
		t.Errorf("Translations(doc-7) = %v, %v", tr, err)
	}
	ka, _ := lazy.Keys()
	kb, _ := full.Keys()
	keyNames := func(ks []KeyInfo) string {
		var b strings.Builder
		for _, k := range ks {
			fmt.Fprintln(&b, k.Fingerprint, k.Name, k.Status, k.Changes)
		}
		return b.String()
	}
	if keyNames(ka) != keyNames(kb) {
		t.Errorf("Keys: %v, replayed %v", ka, kb)
	}
	b, err := lazy.Bundle(v)
	if err != nil {
		t.Fatalf("Bundle: %v", err)
	}
	if _, err := b.Verify(content, newSeedSigner(t).pub.Fingerprint()); err != nil {
		t.Errorf("the bundle of a ledger read from its index does not verify: %v", err)
	}
	a, err := lazy.Append(seedSignerFrom(t, 0x21), AppendOptions{Now: testClock()})
	if err != nil {
		t.Fatal(err)
	}
	if !lazy.lazy || !lazy.st.lean {
		t.Error("Append loaded the full state of a ledger read from its index")
	}
	// Versions of every document (their previous versions found through
	// the index), a translation of an old version, and new documents,
	// past the end of a small block.
	for i := 0; i < 160; i++ {
		d := NewDocument{ID: fmt.Sprint("doc-", i%(indexDocs+3)), Content: fmt.Appendf(nil, "appended %d\n", i)}
		if i == 5 {
			d.ID, d.Language, d.TranslationOf = "traduction", "fr", v
		}
		if _, err := a.Add(d); err != nil {
			t.Fatalf("Add %d: %v", i, err)
		}
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	a.Close()
	if _, err := Verify(dir, VerifyOptions{}); err != nil {
		t.Errorf("Verify after appending to a ledger read from its index: %v", err)
	}
}

// rewriteIndexFile replaces, in the newest commit only, the blob at path
// (below entries/) by what f returns (nil: removes it), with git plumbing,
// and moves the branch there. The checkpoint still names the old entries/
// tree.
func rewriteIndexFile(t *testing.T, dir, path string, f func([]byte) []byte) {
	t.Helper()
	work := tamperClone(t, dir)
	old := tamperGit(t, work, nil, "show", "HEAD:"+path)
	if next := f([]byte(old)); next == nil {
		tamperGit(t, work, nil, "rm", "-q", path)
	} else {
		tamperWrite(t, filepath.Join(work, path), next)
		tamperGit(t, work, nil, "add", path)
	}
	tamperAmend(t, work, false, "")
	tamperPush(t, work)
}

// buildHookedIndexLedger is buildIndexLedger with hook altering the index
// files the Appender writes, so that the signed ledger holds a wrong index
// (a signer's mistake, or a signer lying): only verify's check of each
// block's index (FORMAT.md §6 step 2.11) can find it.
func buildHookedIndexLedger(t *testing.T, n int, hook func(n uint64, c *docindex.Completed)) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ledger")
	key := newSeedSigner(t)
	clock := testClock()
	l, err := Init(dir, "example.org/verbatim-index", key, AppendOptions{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	a, err := l.Append(key, AppendOptions{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.indexHook = hook
	for i := 1; i < n; i++ {
		if _, err := a.Add(NewDocument{ID: fmt.Sprint("doc-", i%indexDocs), Content: fmt.Appendf(nil, "Version %d.\n", i), NoSketch: true}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// wantIndexFailure checks that verify fails at entry n, saying the index
// is wrong or missing.
func wantIndexFailure(t *testing.T, dir string, n uint64, words ...string) {
	t.Helper()
	_, err := Verify(dir, VerifyOptions{})
	var ee *EntryError
	if !errors.Is(err, ErrTampered) || !errors.As(err, &ee) || ee.Entry != n {
		t.Fatalf("Verify = %v; want a failure at entry %d", err, n)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("Verify = %v; want it to say %q", err, w)
		}
	}
}

func TestTamperIndexSigned(t *testing.T) {
	ghost := docindex.Encode([]docindex.Record{{Key: docindex.DocKey("ghost"), Entry: 5}})
	small := func(f func([]byte) []byte) func(uint64, *docindex.Completed) {
		return func(n uint64, c *docindex.Completed) {
			if n == 99 {
				c.Small = f(c.Small)
			}
		}
	}
	for _, tc := range []struct {
		name  string
		hook  func(uint64, *docindex.Completed)
		entry uint64
		words []string
	}{
		{"record dropped", small(func(b []byte) []byte { return b[docindex.RecordSize:] }), 99, []string{"entries/0000/00/00/index", "entries 0 to 99"}},
		{"record added", small(func(b []byte) []byte { return append(append([]byte(nil), ghost...), b...) }), 99, []string{"entries/0000/00/00/index"}},
		{"records out of order", small(func(b []byte) []byte {
			out := append([]byte(nil), b[docindex.RecordSize:2*docindex.RecordSize]...)
			out = append(out, b[:docindex.RecordSize]...)
			return append(out, b[2*docindex.RecordSize:]...)
		}), 99, []string{"index"}},
		{"entry number changed", small(func(b []byte) []byte {
			out := append([]byte(nil), b...)
			out[docindex.RecordSize-1] ^= 1
			return out
		}), 99, []string{"index"}},
		{"half a record", small(func(b []byte) []byte { return b[:len(b)-20] }), 99, []string{"index"}},
		{"no index file", small(func([]byte) []byte { return nil }), 99, []string{"entries/0000/00/00/index", "missing"}},
		{"index written early", func(n uint64, c *docindex.Completed) {
			if n == 50 {
				c.Small = ghost
			}
		}, 50, nil},
		{"small block's index at the next entry", func(n uint64, c *docindex.Completed) {
			if n == 100 {
				c.Small = ghost
			}
		}, 100, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantIndexFailure(t, buildHookedIndexLedger(t, 150, tc.hook), tc.entry, tc.words...)
		})
	}
}

// TestTamperIndexSignedLarge: a large block's index part without one
// record, another with one record too many, or without a part.
func TestTamperIndexSignedLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ledgers of 10,000 entries")
	}
	for _, tc := range []struct {
		name string
		f    func(parts *[docindex.Parts][]byte)
	}{
		{"record dropped", func(p *[docindex.Parts][]byte) { p[3] = p[3][docindex.RecordSize:] }},
		{"part missing", func(p *[docindex.Parts][]byte) { p[9] = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := buildHookedIndexLedger(t, 10_001, func(n uint64, c *docindex.Completed) {
				if c.Large != nil {
					parts := *c.Large
					tc.f(&parts)
					c.Large = &parts
				}
			})
			wantIndexFailure(t, dir, 9_999, "entries/0000/00/index/", "entries 0 to 9999")
		})
	}
}

// TestTamperIndexTip: an index file changed or removed in the newest
// commit only (the checkpoint, signed before, names the entries/ tree
// without the change) fails verify and is refused by a reader that reads
// the index.
func TestTamperIndexTip(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func([]byte) []byte
	}{
		{"record dropped", func(b []byte) []byte { return b[docindex.RecordSize:] }},
		{"removed", func([]byte) []byte { return nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := indexLedger(t, 250)
			rewriteIndexFile(t, dir, smallIndexPath(0), tc.f)
			if _, err := Verify(dir, VerifyOptions{}); !errors.Is(err, ErrTampered) {
				t.Errorf("Verify = %v, want ErrTampered", err)
			}
			// A reader does not use an index the checkpoint does not
			// sign: it replays the entries (which are intact here).
			l, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if l.lazy {
				t.Error("Open read the ledger from an index its checkpoint does not sign")
			}
		})
	}
}

// TestIndexedReadRefusesWrongIndex: a reader of a signed but wrong index
// (here: doc-3's label pointing at a version of doc-4) refuses the answer
// instead of showing another document's version.
func TestIndexedReadRefusesWrongIndex(t *testing.T) {
	dir := buildHookedIndexLedger(t, 150, func(n uint64, c *docindex.Completed) {
		if n == 99 {
			recs, _ := docindex.ParseRun(c.Small)
			recs = append(recs, docindex.Record{Key: docindex.DocKey("doc-3"), Entry: 4})
			c.Small = docindex.Encode(recs)
		}
	})
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.History("doc-3"); !errors.Is(err, ErrTampered) {
		t.Errorf("History(doc-3) = %v, want ErrTampered", err)
	}
	if vs, err := l.History("doc-4"); err != nil || len(vs) == 0 {
		t.Errorf("History(doc-4) = %v, %v", vs, err)
	}
}

// TestIndexedAudit: an audit of a v4 ledger whose key entry lies in a
// complete block below the earlier checkpoint finds it through the index
// (FORMAT.md §7.2 step 1), so the archivist it added may sign the new
// entries, and the audit passes.
func TestIndexedAudit(t *testing.T) {
	dir := indexLedger(t, 10_250)
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	old := l.Checkpoint().Raw
	a, err := l.Append(seedSignerFrom(t, 0x21), AppendOptions{Now: testClock()})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if _, err := a.Add(NewDocument{ID: fmt.Sprint("doc-", i), Content: fmt.Appendf(nil, "audited %d\n", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	a.Close()
	l.Close()
	rep, err := Audit(dir, AuditOptions{Since: old, Trust: newSeedSigner(t).pub.Fingerprint()})
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if rep.OldSize != 10_250 || rep.NewSize != 10_260 {
		t.Errorf("Audit = %d -> %d", rep.OldSize, rep.NewSize)
	}
}

// TestIndexedReadChecksSignatures: a version read through the index is
// refused if its envelope's signature does not verify, even though the
// signed Merkle tree holds it, as a replayed ledger's queries refuse it.
func TestIndexedReadChecksSignatures(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "l")
	root, eve := testKey(t, keys.ECDSAP256), testKey(t, keys.Ed25519)
	l := buildLedger(t, dir, []testDoc{{"a", "one"}})
	clock := testClock()
	registerDocs(t, l, badSigner{claimed: root.Public(), real: eve}, clock, []testDoc{{"forged", "signed by eve as the root"}})
	registerDocs(t, l, root, clock, []testDoc{{"b", "two"}})
	l.Close()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if !l.lazy {
		t.Fatal("not read from the index")
	}
	vs, err := l.FindContent([]byte("signed by eve as the root"))
	if !errors.Is(err, ErrTampered) || !strings.Contains(err.Error(), "signature does not verify") {
		t.Errorf("FindContent(forged) = %v, %v; want ErrTampered for the signature", vs, err)
	}
}

// TestIndexedTranslationInBatch registers, in one unflushed batch on a
// ledger read from its index, a version, its replacement, and a
// translation of the replaced version: the translation links to a version
// that is neither the newest nor on disk yet.
func TestIndexedTranslationInBatch(t *testing.T) {
	dir := indexLedger(t, 250)
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	a, err := l.Append(seedSignerFrom(t, 0x21), AppendOptions{Now: testClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	first, err := a.Add(NewDocument{ID: "minutes", Content: []byte("Minutes, first draft.\n")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Add(NewDocument{ID: "minutes", Content: []byte("Minutes, as corrected.\n")}); err != nil {
		t.Fatal(err)
	}
	tr, err := a.Add(NewDocument{ID: "minutes-fr", Content: []byte("Procès-verbal, premier jet.\n"), Language: "fr", TranslationOf: first.Version})
	if err != nil {
		t.Fatalf("a translation of a version replaced in the same batch: %v", err)
	}
	// A link to a version that is not one is still refused.
	bad := *first.Version
	bad.SHA256 = tr.Version.SHA256
	if _, err := a.Add(NewDocument{ID: "minutes-de", Content: []byte("Protokoll.\n"), Language: "de", TranslationOf: &bad}); !errors.Is(err, ErrInput) {
		t.Errorf("a translation of a version with the wrong digest: %v, want ErrInput", err)
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	a.Close()
	if _, err := Verify(dir, VerifyOptions{}); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}
