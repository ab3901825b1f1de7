package ledger

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/records"
)

// signedEntry signs a document statement that the caller may have made
// wrong on purpose, as the holder of the root key could, and commits it;
// withDoc says whether the entry directory gets the document file.
func signedEntry(t *testing.T, l *Ledger, content []byte, withDoc bool, edit func(d *records.Document)) {
	t.Helper()
	key := testKey(t, keys.ECDSAP256)
	a, err := l.Append(key, AppendOptions{Now: testClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.docFile = func(*records.Document) bool { return withDoc }
	d := &records.Document{ID: "crafted", Version: 1, MediaType: "text/plain; charset=utf-8", Size: int64(len(content)), Text: TextOf(content, true)}
	edit(d)
	st := a.statement(records.DocumentType, records.Subject{Name: d.ID, Digest: records.Digest{SHA256: ContentDigest(content)}})
	st.Predicate.Document = d
	if err := a.add(st, content); err != nil {
		t.Fatal(err)
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
}

// TestTamperText: entries signed by the root key whose text fields do not
// match the entry's files fail verify (FORMAT.md §6 step 2.8).
func TestTamperText(t *testing.T) {
	text := []byte("The letter, as registered.\r\n")
	for _, tc := range []struct {
		name    string
		content []byte
		withDoc bool
		edit    func(d *records.Document)
		want    string
	}{
		{"text sha256 of other text", text, true, func(d *records.Document) { d.Text.SHA256 = ContentDigest(text) }, "text SHA-256"},
		{"no text identity for UTF-8 text", text, true, func(d *records.Document) { d.Text = nil }, "no text identity"},
		{"text identity for bytes that are not UTF-8", []byte{0xff, 0xfe, 0x00}, true, func(d *records.Document) {
			d.Text = &records.TextID{SHA256: ContentDigest(nil)}
		}, "not valid UTF-8"},
		{"sketch of an empty text", []byte(" \n"), true, func(d *records.Document) { d.Text.Sketch = TextOf(text, true).Sketch }, "sketch"},
		{"hash-only entry with a document file", text, true, func(d *records.Document) { d.HashOnly = true }, "hash-only"},
		{"entry without its document file", text, false, func(d *records.Document) {}, "missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ledger")
			l := buildLedger(t, dir, sampleDocs[:1])
			signedEntry(t, l, tc.content, tc.withDoc, tc.edit)
			l.Close()
			_, err := tamperVerify(t, dir, VerifyOptions{})
			wantTampered(t, err, "entry 2", tc.want)
		})
	}
}

// TestHashOnly: a hash-only version has no document file, verifies, is
// counted, is found by its digests, and its content is withheld.
func TestHashOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	l := buildLedger(t, dir, sampleDocs[:1])
	key := testKey(t, keys.ECDSAP256)
	a, err := l.Append(key, AppendOptions{Now: testClock()})
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("Names of the witnesses, kept confidential.\n")
	res, err := a.Add(NewDocument{ID: "evidence", Content: secret, HashOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	a.Close()
	if !res.Version.HashOnly || res.Version.TextSHA256 == "" || res.Version.Sketch == nil {
		t.Errorf("hash-only version = %+v, want HashOnly with text identity and sketch", res.Version)
	}
	if _, err := l.Content(res.Version); !errors.Is(err, ErrWithheld) {
		t.Errorf("Content(hash-only) = %v, want ErrWithheld", err)
	}
	if vs, err := l.FindContent(secret); err != nil || len(vs) != 1 {
		t.Errorf("FindContent(hash-only bytes) = %v, %v; want the version", vs, err)
	}
	if err := l.VerifyTipEntry(res.Version.Entry); err != nil {
		t.Errorf("VerifyTipEntry(hash-only) = %v", err)
	}
	l.Close()
	rep, err := tamperVerify(t, dir, VerifyOptions{})
	if err != nil || rep.HashOnly != 1 {
		t.Fatalf("Verify = %+v, %v; want 1 hash-only version", rep, err)
	}
}

// TestTranslation: a translation links to a registered version, which is
// checked; a link to a version that does not exist is refused.
func TestTranslation(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	l := buildLedger(t, dir, sampleDocs[:1])
	defer l.Close()
	orig, err := l.Lookup(sampleDocs[0].id, 1)
	if err != nil {
		t.Fatal(err)
	}
	key := testKey(t, keys.ECDSAP256)
	a, err := l.Append(key, AppendOptions{Now: testClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	fa := NewDocument{ID: "letter-fa", Content: []byte("نامه\n"), Language: "fa", TranslationOf: orig}
	noLang := fa
	noLang.Language = ""
	if _, err := a.Add(noLang); !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "language") {
		t.Errorf("Add(translation without language) = %v, want ErrInput about the language", err)
	}
	ghost := *orig
	ghost.Version, ghost.SHA256 = 1, strings.Repeat("0", 64)
	bad := fa
	bad.TranslationOf = &ghost
	if _, err := a.Add(bad); err == nil {
		t.Errorf("Add(translation of a version that is not registered) succeeded")
	}
	res, err := a.Add(fa)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	if tr := res.Version.TranslationOf; tr == nil || tr.ID != orig.Doc || tr.Entry != orig.Entry {
		t.Errorf("translation link = %+v, want %s@1", tr, orig.Doc)
	}
	a.Close()
	if _, err := tamperVerify(t, dir, VerifyOptions{}); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

// TestV2LedgerDocumentV1: a v2 ledger's new entries stay document/v1,
// without text fields; hash-only and translations are refused; and a
// document/v2 entry in a v2 ledger fails verification (FORMAT.md §8).
func TestV2LedgerDocumentV1(t *testing.T) {
	dir := copyGoldenV2(t)
	key := newSeedSigner(t)
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	a, err := l.Append(key, AppendOptions{Now: testClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Add(NewDocument{ID: "secret", Content: []byte("x\n"), HashOnly: true}); !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), records.FormatV2) {
		t.Errorf("Add(hash-only) in a v2 ledger = %v, want ErrInput naming the format", err)
	}
	res, err := a.Add(NewDocument{ID: "plain", Content: []byte("plain text\n")})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	st, err := l.Statement(res.Version.Entry)
	if err != nil || st.PredicateType != records.DocumentTypeV1 || st.Predicate.Document.Text != nil {
		t.Fatalf("v2 ledger entry = %+v, %v; want document/v1 without text", st, err)
	}
	if _, err := Verify(dir, VerifyOptions{}); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	l.st.format = records.FormatVersion // a broken writer
	if _, err := a.Add(NewDocument{ID: "plain2", Content: []byte("more text\n")}); err != nil {
		t.Fatal(err)
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	_, err = Verify(dir, VerifyOptions{})
	wantTampered(t, err, "predicate type", records.DocumentType, records.FormatV2)
}
