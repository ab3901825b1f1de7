package ledger

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/records"
)

var update = flag.Bool("update", false, "rewrite the golden ledger in testdata")

// The golden ledger (testdata/golden.git, described in testdata/golden.txt)
// is the test vector of FORMAT.md §9: a complete small ledger built from a
// fixed Ed25519 key (seed 0x01..0x20) and fixed times. Ed25519 signatures are
// deterministic, so building it again gives the same bytes and hashes.
// Regenerate with: go test ./ledger -run TestGolden -update
// (testdata/golden-v2.git is the format v2 ledger of the same kind, kept as
// it was made: see golden_v2_test.go.)

const (
	goldenDir  = "testdata/golden.git"
	goldenDesc = "testdata/golden.txt"
)

// seedSigner is an Ed25519 ledger key from a fixed seed.
type seedSigner struct {
	priv ed25519.PrivateKey
	pub  *keys.PublicKey
}

func newSeedSigner(t testing.TB) *seedSigner { return seedSignerFrom(t, 1) }

// seedSignerFrom is the Ed25519 key whose seed is the 32 bytes first,
// first+1, …: 0x01 for the golden root, 0x21 for its archivist, 0x41 for
// the root it rotates to.
func seedSignerFrom(t testing.TB, first byte) *seedSigner {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = first + byte(i)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	der, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	pub, err := keys.PublicKeyFromDER(der)
	if err != nil {
		t.Fatal(err)
	}
	return &seedSigner{priv: priv, pub: pub}
}

func (s *seedSigner) Sign(msg []byte) ([]byte, error) { return ed25519.Sign(s.priv, msg), nil }
func (s *seedSigner) Public() *keys.PublicKey         { return s.pub }

// buildGolden builds the golden ledger in dir and returns its description.
func buildGolden(t *testing.T, dir string) string {
	letter, err := os.ReadFile("../examples/prisoners-letter-2016.txt")
	if err != nil {
		t.Fatal(err)
	}
	corrected, err := os.ReadFile("../examples/prisoners-letter-2016-corrected.txt")
	if err != nil {
		t.Fatal(err)
	}
	key := newSeedSigner(t)
	clock := testClock()
	l, err := Init(dir, "example.org/verbatim-golden", key, AppendOptions{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	a, err := l.Append(key, AppendOptions{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	docs := []NewDocument{
		{ID: "prisoners-letter-2016", Content: letter, Title: "Letter by eleven political prisoners", Language: "en"},
		{ID: "prisoners-letter-2016", Content: corrected, Note: "spelling made consistent (organisers)"},
		{ID: "empty", Content: nil},
		// A format v3 id (FORMAT.md §3.5): Persian letters, NFC; a
		// translation of the letter's version 1 (FORMAT.md §3.3).
		{ID: "نامه-۲۰۱۶", Content: []byte("نامهٔ زندانیان سیاسی\n"), Language: "fa"},
		// A hash-only entry: digests and sketch, no document file.
		{ID: "witness-statement", Content: []byte("I saw the lists of names on the wall of the prison in the summer of 1988.\n"), HashOnly: true},
	}
	for _, d := range docs {
		if d.Language == "fa" {
			v, err := l.Lookup("prisoners-letter-2016", 1)
			if err != nil {
				t.Fatal(err)
			}
			d.TranslationOf = v
		}
		if _, err := a.Add(d); err != nil {
			t.Fatal(err)
		}
		if err := a.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	goldenKeys(t, l, a, clock)
	return describe(t, dir)
}

// goldenKeys adds the key entries of FORMAT.md §3.7 to the golden ledger:
// an archivist key, a version it signs, its revocation, a rotation to a new
// root, and a version the new root signs.
func goldenKeys(t *testing.T, l *Ledger, a *Appender, clock func() time.Time) {
	archivist, newRoot := seedSignerFrom(t, 0x21), seedSignerFrom(t, 0x41)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(a.AddKey(archivist.pub, "archivist one"))
	must(a.Flush())
	a.Close()
	a2, err := l.Append(archivist, AppendOptions{Now: clock})
	must(err)
	_, err = a2.Add(NewDocument{ID: "archivist-note", Content: []byte("registered by an archivist key\n")})
	must(err)
	must(a2.Flush())
	a2.Close()
	a3, err := l.Append(seedSignerFrom(t, 1), AppendOptions{Now: clock})
	must(err)
	must(a3.RevokeKey(archivist.pub.Fingerprint(), records.ReasonRetired))
	must(a3.RotateRoot(newRoot, "root two"))
	must(a3.Flush())
	a3.Close()
	a4, err := l.Append(newRoot, AppendOptions{Now: clock})
	must(err)
	_, err = a4.Add(NewDocument{ID: "archivist-note", Content: []byte("corrected by the new root\n")})
	must(err)
	must(a4.Flush())
	a4.Close()
}

// describe lists, for each entry, its commit and the hashes FORMAT.md §4
// defines, and the newest checkpoint.
func describe(t *testing.T, dir string) string {
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	r := l.r
	_, head, _ := r.head()
	commits, err := r.history(head)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "ledger %s\nroot-key %s\nhead %s\n", l.Name(), l.RootFingerprint(), head)
	for n := range commits {
		env, err := l.Envelope(uint64(n))
		if err != nil {
			t.Fatal(err)
		}
		eh, lh := records.EntryHash(env), records.LeafHash(env)
		fmt.Fprintf(&b, "entry %d commit %s tree %s entry-hash %s leaf-hash %s\n",
			n, commits[n].hash, commits[n].tree, hex.EncodeToString(eh[:]), hex.EncodeToString(lh[:]))
	}
	ks, err := l.Keys()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ks {
		if len(ks) == 1 {
			break // a ledger with no key entries (golden-v2.txt)
		}
		fmt.Fprintf(&b, "key %s %s %q", k.Fingerprint, k.Status, k.Name)
		for _, c := range k.Changes {
			fmt.Fprintf(&b, " %s@%d", c.Action, c.Entry)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "checkpoint:\n%s", l.Checkpoint().Raw)
	return b.String()
}

func TestGolden(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "golden.git")
	got := buildGolden(t, dir)
	if *update {
		os.RemoveAll(goldenDir)
		if err := copyTree(dir, goldenDir); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenDesc, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(goldenDesc)
	if err != nil {
		t.Fatalf("%v (regenerate with go test ./ledger -run TestGolden -update)", err)
	}
	if got != string(want) {
		t.Errorf("rebuilding the golden ledger gave\n%s\nwant (testdata/golden.txt)\n%s", got, want)
	}
	// The committed ledger verifies, pinned to the seed key, and is the one described.
	rep, err := Verify(goldenDir, VerifyOptions{Trust: newSeedSigner(t).pub.Fingerprint()})
	if err != nil {
		t.Fatalf("Verify(%s): %v", goldenDir, err)
	}
	if rep.Entries != 11 || rep.HashOnly != 1 || !strings.Contains(string(want), "head "+rep.Head+"\n") {
		t.Errorf("Verify(%s) = %d entries (%d hash-only), head %s; want 11 (1) and the head in golden.txt", goldenDir, rep.Entries, rep.HashOnly, rep.Head)
	}
	// Trusting the root it rotated to verifies it too.
	if _, err := Verify(goldenDir, VerifyOptions{Trust: seedSignerFrom(t, 0x41).pub.Fingerprint()}); err != nil {
		t.Errorf("Verify(%s) trusting the new root: %v", goldenDir, err)
	}
	if got := describe(t, goldenDir); got != string(want) {
		t.Errorf("describe(%s) differs from golden.txt:\n%s", goldenDir, got)
	}
}

// copyTree copies the files of a git directory, leaving out the lock file.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if d.Name() == "verbatim.lock" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
