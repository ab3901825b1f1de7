package bundle_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/verbatim-ledger/verbatim/bundle"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
)

func testKey(t testing.TB, alg keys.Algorithm) *keys.PrivateKey {
	priv, _, err := keys.Generate(alg, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.ParsePrivateKey(priv, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// buildLedger registers docs (content i is "document i") and returns the
// open ledger.
func buildLedger(t testing.TB, key *keys.PrivateKey, n int) *ledger.Ledger {
	dir := filepath.Join(t.TempDir(), "ledger")
	l, err := ledger.Init(dir, "example.org/bundle-test", key, ledger.AppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := l.Append(key, ledger.AppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if _, err := a.Add(ledger.NewDocument{ID: fmt.Sprintf("doc-%d", i%3), Content: content(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	a.Close()
	t.Cleanup(func() { l.Close() })
	return l
}

func content(i int) []byte { return []byte(fmt.Sprintf("document %d\n", i)) }

func TestEveryEntryEveryAlgorithm(t *testing.T) {
	for _, alg := range []keys.Algorithm{keys.ECDSAP256, keys.Ed25519} {
		key := testKey(t, alg)
		const n = 13 // trees of 14 entries: imperfect, so proofs have ephemeral nodes
		l := buildLedger(t, key, n)
		for i := 0; i < n; i++ {
			vs, _ := l.FindContent(content(i))
			if len(vs) != 1 {
				t.Fatalf("FindContent(%d) = %d versions", i, len(vs))
			}
			b, err := l.Bundle(vs[0])
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := bundle.Parse(b.Marshal())
			if err != nil {
				t.Fatalf("Parse(Marshal()): %v", err)
			}
			res, err := parsed.Verify(content(i), key.Public().Fingerprint())
			if err != nil {
				t.Fatalf("%s entry %d: Verify: %v", alg, vs[0].Entry, err)
			}
			if res.Statement.Predicate.Entry != vs[0].Entry || res.Checkpoint.Size != n+1 {
				t.Errorf("Verify = entry %d, checkpoint size %d; want %d, %d", res.Statement.Predicate.Entry, res.Checkpoint.Size, vs[0].Entry, n+1)
			}
			if len(parsed.Inclusion.Hashes) > 4 {
				t.Errorf("inclusion proof of %d hashes for a tree of %d", len(parsed.Inclusion.Hashes), n+1)
			}
		}
	}
}

func TestRefuses(t *testing.T) {
	key := testKey(t, keys.Ed25519)
	l := buildLedger(t, key, 6)
	vs, _ := l.FindContent(content(4))
	good, err := l.Bundle(vs[0])
	if err != nil {
		t.Fatal(err)
	}
	trust := key.Public().Fingerprint()
	other := testKey(t, keys.Ed25519)
	otherLedger := buildLedger(t, other, 6)
	ovs, _ := otherLedger.FindContent(content(4))
	foreign, _ := otherLedger.Bundle(ovs[0])
	vs3, _ := l.FindContent(content(3))
	neighbour, _ := l.Bundle(vs3[0])

	tests := []struct {
		name   string
		mutate func(b *bundle.Bundle)
		doc    []byte
		trust  keys.Fingerprint
		want   error
		words  string
	}{
		{"another document", nil, content(5), trust, bundle.ErrFailed, "not the registered version"},
		{"another key trusted", nil, content(4), other.Public().Fingerprint(), bundle.ErrFailed, "not the trusted key"},
		{"key swapped for the trusted one's twin", func(b *bundle.Bundle) { b.PublicKey = foreign.PublicKey }, content(4), other.Public().Fingerprint(), bundle.ErrFailed, "signed by key"},
		{"envelope byte", func(b *bundle.Bundle) { b.Envelope = flip(b.Envelope, len(b.Envelope)-5) }, content(4), trust, bundle.ErrMalformed, ""},
		{"envelope of another entry", func(b *bundle.Bundle) { b.Envelope = neighbour.Envelope }, content(4), trust, bundle.ErrFailed, ""},
		{"entry number", func(b *bundle.Bundle) { b.Entry++ }, content(4), trust, bundle.ErrFailed, "claims entry"},
		{"ledger name", func(b *bundle.Bundle) { b.Ledger = "example.org/other" }, content(4), trust, bundle.ErrFailed, "claims"},
		{"proof hash", func(b *bundle.Bundle) { b.Inclusion.Hashes[0] = flip(b.Inclusion.Hashes[0], 3) }, content(4), trust, bundle.ErrFailed, "inclusion proof"},
		{"proof hash dropped", func(b *bundle.Bundle) { b.Inclusion.Hashes = b.Inclusion.Hashes[1:] }, content(4), trust, bundle.ErrFailed, "inclusion proof"},
		{"leaf index", func(b *bundle.Bundle) { b.Inclusion.LeafIndex-- }, content(4), trust, bundle.ErrFailed, "inclusion proof is for entry"},
		{"tree size larger than the checkpoint's", func(b *bundle.Bundle) { b.Inclusion.TreeSize++ }, content(4), trust, bundle.ErrFailed, "tree of"},
		{"checkpoint root", func(b *bundle.Bundle) { b.Checkpoint = strings.Replace(b.Checkpoint, "\n7\n", "\n6\n", 1) }, content(4), trust, bundle.ErrFailed, "does not verify"},
		{"checkpoint of another ledger", func(b *bundle.Bundle) { b.Checkpoint = foreign.Checkpoint }, content(4), trust, bundle.ErrFailed, "checkpoint"},
		{"checkpoint truncated", func(b *bundle.Bundle) { b.Checkpoint = b.Checkpoint[:20] }, content(4), trust, bundle.ErrFailed, "checkpoint"},
		{"public key garbled", func(b *bundle.Bundle) { b.PublicKey = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n" }, content(4), trust, bundle.ErrMalformed, "publicKey"},
	}
	for _, tt := range tests {
		b, _ := bundle.Parse(good.Marshal()) // a deep copy
		if tt.mutate != nil {
			tt.mutate(b)
		}
		_, err := b.Verify(tt.doc, tt.trust)
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.words) {
			t.Errorf("%s: Verify = %v; want %v mentioning %q", tt.name, err, tt.want, tt.words)
		}
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 1
	return c
}

func TestParseRefuses(t *testing.T) {
	good, err := os.ReadFile("testdata/bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bundle.Parse(good); err != nil {
		t.Fatalf("Parse(testdata/bundle.json): %v", err)
	}
	for _, tt := range []struct{ name, data string }{
		{"empty", ""},
		{"truncated", string(good[:len(good)/2])},
		{"not json", "hello"},
		{"unknown field", strings.Replace(string(good), `"format"`, `"extra": 1, "format"`, 1)},
		{"other format", strings.Replace(string(good), bundle.Format, "verbatim-bundle/v9", 1)},
		{"trailing data", string(good) + "{}"},
		{"short hash", strings.Replace(string(good), `"hashes": [`, `"hashes": ["AAAA", `, 1)},
		{"no envelope", strings.Replace(string(good), `"envelope"`, `"envelopeX"`, 1)},
	} {
		if _, err := bundle.Parse([]byte(tt.data)); !errors.Is(err, bundle.ErrMalformed) {
			t.Errorf("%s: Parse = %v, want ErrMalformed", tt.name, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	good, err := os.ReadFile("testdata/bundle.json")
	if err != nil {
		f.Fatal(err)
	}
	doc, err := os.ReadFile("testdata/document.txt")
	if err != nil {
		f.Fatal(err)
	}
	trust, err := os.ReadFile("testdata/fingerprint.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"format":"verbatim-bundle/v1"}`))
	// With key entries (BUNDLE.md, "Several keys").
	f.Add(bytes.Replace(good, []byte(`"format"`), []byte(`"keys":[{"entry":1,"envelope":"e30=","hashes":["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="]}],"format"`), 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := bundle.Parse(data)
		if err != nil {
			return
		}
		again, err := bundle.Parse(b.Marshal())
		if err != nil {
			t.Fatalf("Parse(Marshal(Parse(%q))): %v", data, err)
		}
		if !bytes.Equal(again.Marshal(), b.Marshal()) {
			t.Fatalf("Marshal is not stable for %q", data)
		}
		if _, err := b.Verify(doc, keys.Fingerprint(strings.TrimSpace(string(trust)))); err == nil && !bytes.Equal(b.Marshal(), bytes.TrimSpace(good)) && !bytes.Equal(b.Marshal(), good) {
			// A different bundle may still verify only if it proves the same thing.
			if b.Entry != 1 {
				t.Fatalf("an altered bundle verified: %q", data)
			}
		}
	})
}
