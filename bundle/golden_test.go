package bundle_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/verbatim-ledger/verbatim/bundle"

	"github.com/verbatim-ledger/verbatim/keys"
)

var update = flag.Bool("update", false, "rewrite testdata")

// TestGoldenBundle keeps testdata/bundle.json, a real bundle for
// testdata/document.txt, verifying; -update makes a new one.
func TestGoldenBundle(t *testing.T) {
	if *update {
		key := testKey(t, keys.Ed25519)
		l := buildLedger(t, key, 3)
		vs, _ := l.FindContent(content(0))
		b, err := l.Bundle(vs[0])
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile("testdata/bundle.json", b.Marshal(), 0o644)
		os.WriteFile("testdata/document.txt", content(0), 0o644)
		os.WriteFile("testdata/fingerprint.txt", []byte(key.Public().Fingerprint()+"\n"), 0o644)
	}
	data, err := os.ReadFile("testdata/bundle.json")
	if err != nil {
		t.Fatalf("%v (regenerate with go test ./bundle -run TestGoldenBundle -update)", err)
	}
	doc, _ := os.ReadFile("testdata/document.txt")
	fp, _ := os.ReadFile("testdata/fingerprint.txt")
	trust, err := keys.ParseFingerprint(strings.TrimSpace(string(fp)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.Verify(doc, trust)
	if err != nil {
		t.Fatalf("testdata/bundle.json does not verify: %v", err)
	}
	if res.Statement.Predicate.Document.ID != "doc-0" || res.Checkpoint.Size != 4 {
		t.Errorf("Verify = %s, size %d; want doc-0 in a tree of 4", res.Statement.Predicate.Document.ID, res.Checkpoint.Size)
	}
}
