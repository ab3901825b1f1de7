package checkpoint

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"strings"
	"testing"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"

	"github.com/verbatim-ledger/verbatim/keys"
)

const origin = "example.org/verbatim-test"

// seedKey is an Ed25519 key from a fixed seed, so notes are reproducible.
type seedKey struct {
	priv ed25519.PrivateKey
	pub  *keys.PublicKey
}

func newSeedKey(t testing.TB, first byte) *seedKey {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = first + byte(i)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	der, _ := x509.MarshalPKIXPublicKey(priv.Public())
	pub, err := keys.PublicKeyFromDER(der)
	if err != nil {
		t.Fatal(err)
	}
	return &seedKey{priv: priv, pub: pub}
}

func (k *seedKey) Sign(msg []byte) ([]byte, error) { return ed25519.Sign(k.priv, msg), nil }
func (k *seedKey) Public() *keys.PublicKey         { return k.pub }

// testEntries stands for the git tree ID of a ledger's entries/ directory.
var testEntries = [20]byte{0xde, 0xad, 0xbe, 0xef, 19: 0x01}

func ecdsaKey(t testing.TB) *keys.PrivateKey { return generated(t, keys.ECDSAP256) }

// generated makes a new key pair of alg and returns its private key.
func generated(t testing.TB, alg keys.Algorithm) *keys.PrivateKey {
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

func TestSignParseRoundTrip(t *testing.T) {
	root := sha256.Sum256([]byte("root"))
	for _, k := range []Signer{newSeedKey(t, 1), ecdsaKey(t)} {
		raw, err := Sign(origin, 42, root, testEntries, k)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Parse(raw, origin, k.Public())
		if err != nil {
			t.Fatalf("Parse(Sign(...)) with %s: %v", k.Public().Algorithm(), err)
		}
		if c.Origin != origin || c.Size != 42 || c.Root != root || c.Entries != testEntries || !bytes.Equal(c.Raw, raw) {
			t.Errorf("Parse = %+v, want origin %s size 42 root %x", c, origin, root)
		}
	}
}

// The verifier key strings verbatim documents work with the standard
// implementations: x/mod's note for Ed25519, transparency-dev/formats for
// ECDSA (Rekor's convention).
func TestVerifierKeyInterop(t *testing.T) {
	root := sha256.Sum256([]byte("root"))
	ed := newSeedKey(t, 1)
	raw, _ := Sign(origin, 7, root, testEntries, ed)
	v, err := note.NewVerifier(VerifierKey(origin, ed.Public()))
	if err != nil {
		t.Fatalf("note.NewVerifier(VerifierKey): %v", err)
	}
	if _, err := note.Open(raw, note.VerifierList(v)); err != nil {
		t.Errorf("x/mod note does not verify an Ed25519 checkpoint: %v", err)
	}
	ec := ecdsaKey(t)
	raw, _ = Sign(origin, 7, root, testEntries, ec)
	v, err = fnote.NewECDSAVerifier(VerifierKey(origin, ec.Public()))
	if err != nil {
		t.Fatalf("formats NewECDSAVerifier(VerifierKey): %v", err)
	}
	if _, err := note.Open(raw, note.VerifierList(v)); err != nil {
		t.Errorf("formats does not verify an ECDSA checkpoint: %v", err)
	}
}

func TestParseRefuses(t *testing.T) {
	k, other := newSeedKey(t, 1), newSeedKey(t, 50)
	root := sha256.Sum256([]byte("root"))
	good, _ := Sign(origin, 3, root, testEntries, k)
	body, sigs, _ := strings.Cut(string(good), "\n\n")
	resign := func(text string) []byte {
		n, err := note.Sign(&note.Note{Text: text}, newNoteKeyForTest(k))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	otherSig, _ := Sign(origin, 3, root, testEntries, other)
	_, otherLine, _ := strings.Cut(string(otherSig), "\n\n")
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"wrong key", otherSig, "not signed"},
		{"other origin", resign(strings.Replace(body, origin, "example.org/other", 1) + "\n"), "origin"},
		{"leading zero size", resign(strings.Replace(body, "\n3\n", "\n03\n", 1) + "\n"), "canonical"},
		{"second extension line", resign(body + "\nextension\n"), "entries"},
		{"no extension line", resign(strings.SplitAfterN(body, "\n", 4)[0] + strings.SplitAfterN(body, "\n", 4)[1] + strings.SplitAfterN(body, "\n", 4)[2]), "entries"},
		{"short entries ID", resign(strings.TrimSuffix(body, "01") + "\n"), "entries"},
		{"uppercase entries ID", resign(strings.Replace(body, "deadbeef", "DEADBEEF", 1) + "\n"), "canonical"},
		{"short root", resign(origin + "\n3\nAAAA\nentries " + strings.Repeat("00", 20) + "\n"), "canonical"},
		{"second signature", []byte(string(good) + otherLine), "signatures"},
		{"truncated", good[:len(good)-10], ""},
		{"empty", nil, ""},
		{"garbage", []byte("\xff\xfe\n\n— x y\n"), ""},
		{"altered size", []byte(strings.Replace(string(good), "\n3\n", "\n4\n", 1)), "does not verify"},
		{"huge", bytes.Repeat([]byte("a"), maxCheckpointSize+1), "too large"},
	}
	_ = sigs
	for _, tt := range tests {
		_, err := Parse(tt.data, origin, k.Public())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Parse = %v, want an error mentioning %q", tt.name, err, tt.want)
		}
	}
	// A cosigned checkpoint is refused by Parse but accepted by ParseCosigned.
	if _, err := ParseCosigned([]byte(string(good)+otherLine), origin, k.Public()); err != nil {
		t.Errorf("ParseCosigned with an extra signature: %v", err)
	}
}

func newNoteKeyForTest(k *seedKey) *noteKey {
	nk := newNoteKey(origin, k.Public())
	nk.priv = k
	return nk
}

func FuzzParse(f *testing.F) {
	k := newSeedKey(f, 1)
	good, _ := Sign(origin, 3, sha256.Sum256(nil), testEntries, k)
	f.Add(good)
	f.Add([]byte(origin + "\n3\nAAAA\n\n— " + origin + " AAAA\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, parse := range []func([]byte, string, *keys.PublicKey) (*Checkpoint, error){Parse, ParseCosigned, ParseChained} {
			c, err := parse(data, origin, k.Public())
			if err != nil {
				continue
			}
			if c.Origin != origin || !bytes.Equal(c.Raw, data) {
				t.Fatalf("parsed %q: origin %q", data, c.Origin)
			}
			if !bytes.HasPrefix(data, []byte(origin+"\n")) {
				t.Fatalf("accepted %q without the origin line", data)
			}
		}
	})
}
