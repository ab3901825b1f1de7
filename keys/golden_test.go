package keys

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The golden vectors in testdata:
//
//   - cosign-ecdsa.key/.pub and ed25519.key/.pub: key pairs written by
//     Generate (password "verbatim-test"); regenerate them with
//     `go test ./keys -run TestGolden -update`, then recompute
//     fingerprints.txt and check the signatures as below.
//   - cosign-generated.key/.pub: a key pair written by
//     `COSIGN_PASSWORD=verbatim-test cosign generate-key-pair` (cosign v2.6.5).
//   - fingerprints.txt: "FINGERPRINT  FILE" lines computed independently of
//     this package, by
//     `openssl pkey -pubin -in FILE -outform DER | sha256sum`.
//   - message.txt and message.FILE.sig: base64 signatures of message.txt,
//     checked independently by
//     `openssl dgst -sha256 -verify cosign-ecdsa.pub -signature SIG message.txt`
//     and `openssl pkeyutl -verify -pubin -inkey ed25519.pub -rawin -in message.txt -sigfile SIG`
//     (after base64 -d).
var update = flag.Bool("update", false, "rewrite the golden key pairs and signatures in testdata")

// goldenPairs are the key pairs written by Generate.
var goldenPairs = []struct {
	name string
	alg  Algorithm
}{
	{"cosign-ecdsa", ECDSAP256},
	{"ed25519", Ed25519},
}

func TestGoldenUpdate(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite the golden vectors")
	}
	msg := mustRead(t, "testdata/message.txt")
	for _, g := range goldenPairs {
		priv, pub, err := Generate(g.alg, []byte(testPassword))
		if err != nil {
			t.Fatal(err)
		}
		k, err := ParsePrivateKey(priv, []byte(testPassword))
		if err != nil {
			t.Fatal(err)
		}
		sig, err := k.Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		for name, data := range map[string][]byte{
			g.name + ".key":              priv,
			g.name + ".pub":              pub,
			"message." + g.name + ".sig": []byte(base64.StdEncoding.EncodeToString(sig) + "\n"),
		} {
			if err := os.WriteFile(filepath.Join("testdata", name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Log("now recompute testdata/fingerprints.txt with openssl")
}

// readFingerprints reads testdata/fingerprints.txt.
func readFingerprints(t *testing.T) map[string]Fingerprint {
	t.Helper()
	f, err := os.Open("testdata/fingerprints.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fps := map[string]Fingerprint{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			t.Fatalf("fingerprints.txt: bad line %q", sc.Text())
		}
		fps[fields[1]] = Fingerprint(fields[0])
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return fps
}

// TestGolden loads every golden key pair, private and public, and checks
// their fingerprints against those computed by openssl, and the golden
// signatures.
func TestGolden(t *testing.T) {
	fps := readFingerprints(t)
	msg := mustRead(t, "testdata/message.txt")
	pairs := []struct {
		name string
		alg  Algorithm
		sigs bool
	}{
		{"cosign-ecdsa", ECDSAP256, true},
		{"ed25519", Ed25519, true},
		{"cosign-generated", ECDSAP256, false},
	}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			want, ok := fps[p.name+".pub"]
			if !ok || len(want) != 64 {
				t.Fatalf("fingerprints.txt has no fingerprint for %s.pub", p.name)
			}
			pub, err := ReadPublicKeyFile("testdata/" + p.name + ".pub")
			if err != nil {
				t.Fatal(err)
			}
			priv := goldenPrivate(t, p.name)
			if pub.Fingerprint() != want || priv.Public().Fingerprint() != want {
				t.Errorf("fingerprint: public %s, private %s; openssl says %s", pub.Fingerprint(), priv.Public().Fingerprint(), want)
			}
			if pub.Algorithm() != p.alg || priv.Public().Algorithm() != p.alg {
				t.Errorf("algorithm %s / %s, want %s", pub.Algorithm(), priv.Public().Algorithm(), p.alg)
			}
			if got := mustRead(t, "testdata/"+p.name+".pub"); !bytes.Equal(pub.PEM(), got) {
				t.Errorf("PEM() = %q, want the file's bytes %q", pub.PEM(), got)
			}
			if fp, err := FileFingerprint("testdata/"+p.name+".pub", nil); err != nil || fp != want {
				t.Errorf("FileFingerprint(.pub) = %s, %v; want %s", fp, err, want)
			}
			if fp, err := ParseTrust("testdata/" + p.name + ".pub"); err != nil || fp != want {
				t.Errorf("ParseTrust(.pub) = %s, %v; want %s", fp, err, want)
			}
			if !p.sigs {
				return
			}
			b64 := mustRead(t, "testdata/message."+p.name+".sig")
			sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b64)))
			if err != nil {
				t.Fatal(err)
			}
			if err := pub.Verify(msg, sig); err != nil {
				t.Errorf("golden signature: %v", err)
			}
			if p.alg == Ed25519 {
				// Ed25519 is deterministic: signing again gives the same bytes.
				if again, err := priv.Sign(msg); err != nil || !bytes.Equal(again, sig) {
					t.Errorf("Sign(message) = %x, %v; want the golden %x", again, err, sig)
				}
			}
		})
	}
}
