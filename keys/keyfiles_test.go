package keys

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const testPassword = "verbatim-test"

var (
	genOnce sync.Once
	genKeys map[Algorithm][2][]byte // private PEM, public PEM
)

// generated returns one key pair per algorithm for the whole test binary:
// scrypt makes each encryption and decryption take about 100 ms.
func generated(t *testing.T, alg Algorithm) (privPEM, pubPEM []byte) {
	t.Helper()
	genOnce.Do(func() {
		genKeys = map[Algorithm][2][]byte{}
		for _, a := range []Algorithm{ECDSAP256, Ed25519} {
			priv, pub, err := Generate(a, []byte(testPassword))
			if err != nil {
				panic(err)
			}
			genKeys[a] = [2][]byte{priv, pub}
		}
	})
	k := genKeys[alg]
	return k[0], k[1]
}

func TestGenerateParseSignVerify(t *testing.T) {
	for _, alg := range []Algorithm{ECDSAP256, Ed25519} {
		privPEM, pubPEM := generated(t, alg)
		if !bytes.HasPrefix(privPEM, []byte("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n")) {
			t.Errorf("%s: private key PEM starts %q", alg, privPEM[:40])
		}
		priv, err := ParsePrivateKey(privPEM, []byte(testPassword))
		if err != nil {
			t.Fatalf("%s: ParsePrivateKey: %v", alg, err)
		}
		pub, err := ParsePublicKey(pubPEM)
		if err != nil {
			t.Fatalf("%s: ParsePublicKey: %v", alg, err)
		}
		if priv.Public().Fingerprint() != pub.Fingerprint() || pub.Algorithm() != alg {
			t.Errorf("%s: private key's fingerprint %s, public %s (%s)", alg, priv.Public().Fingerprint(), pub.Fingerprint(), pub.Algorithm())
		}
		if !bytes.Equal(pub.PEM(), pubPEM) {
			t.Errorf("%s: PEM() = %q, want the file's %q", alg, pub.PEM(), pubPEM)
		}
		msg := []byte("Letter by a group of political prisoners")
		sig, err := priv.Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		if err := pub.Verify(msg, sig); err != nil {
			t.Errorf("%s: Verify(Sign(msg)) = %v", alg, err)
		}
		msg[0] ^= 1
		if err := pub.Verify(msg, sig); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: Verify(altered msg) = %v, want ErrBadSignature", alg, err)
		}
		if err := pub.Verify(msg, nil); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: Verify(empty signature) = %v, want ErrBadSignature", alg, err)
		}
	}
}

// TestCosignGenerated loads a key pair made by `cosign generate-key-pair`
// (cosign v2.6.5, password verbatim-test) and checks the fingerprint
// computed by `openssl pkey -pubin -outform DER | sha256sum`.
func TestCosignGenerated(t *testing.T) {
	want, err := os.ReadFile("testdata/cosign-generated.fingerprint")
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ReadPrivateKeyFile("testdata/cosign-generated.key", []byte(testPassword))
	if err != nil {
		t.Fatalf("reading cosign's private key: %v", err)
	}
	pub, err := ReadPublicKeyFile("testdata/cosign-generated.pub")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(pub.Fingerprint()); got != strings.TrimSpace(string(want)) || priv.Public().Fingerprint() != pub.Fingerprint() {
		t.Errorf("fingerprint = %s (private %s), want %s", got, priv.Public().Fingerprint(), want)
	}
	fp, err := FileFingerprint("testdata/cosign-generated.key", func() ([]byte, error) { return []byte(testPassword), nil })
	if err != nil || fp != pub.Fingerprint() {
		t.Errorf("FileFingerprint(private) = %s, %v; want %s", fp, err, pub.Fingerprint())
	}
}

func TestParsePrivateKeyRefuses(t *testing.T) {
	privPEM, pubPEM := generated(t, ECDSAP256)
	read := func(name string) []byte {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name     string
		pem      []byte
		password string
		want     error
	}{
		{"wrong password", privPEM, "not the password", ErrWrongPassword},
		{"empty password", privPEM, "", ErrWrongPassword},
		{"public key", pubPEM, testPassword, ErrPublicKeyGiven},
		{"empty file", nil, testPassword, ErrNotAKey},
		{"text", []byte("Letter by a group of political prisoners\n"), testPassword, ErrNotAKey},
		{"certificate PEM", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), testPassword, ErrNotAKey},
		{"garbage inside", []byte("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"), testPassword, ErrNotAKey},
		{"unencrypted", read("unencrypted-ed25519.pem"), testPassword, ErrUnencryptedKey},
		{"RSA (cosign import-key-pair)", read("cosign-rsa.key"), testPassword, ErrUnsupportedKey},
		{"hostile scrypt parameters", read("hostile-scrypt.key"), testPassword, ErrNotAKey},
	}
	for _, tt := range tests {
		start := time.Now()
		_, err := ParsePrivateKey(tt.pem, []byte(tt.password))
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: ParsePrivateKey = %v, want %v", tt.name, err, tt.want)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%s: ParsePrivateKey took %v", tt.name, d)
		}
	}
}

func TestParsePublicKeyRefuses(t *testing.T) {
	privPEM, _ := generated(t, Ed25519)
	for _, tt := range []struct {
		name string
		pem  []byte
		want error
	}{
		{"private key", privPEM, ErrNotAKey},
		{"empty", nil, ErrNotAKey},
		{"RSA", mustRead(t, "testdata/rsa.pub"), ErrUnsupportedKey},
		{"P-384", mustRead(t, "testdata/p384.pub"), ErrUnsupportedKey},
		{"bad DER", []byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"), ErrNotAKey},
	} {
		if _, err := ParsePublicKey(tt.pem); !errors.Is(err, tt.want) {
			t.Errorf("%s: ParsePublicKey = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWriteKeyPair(t *testing.T) {
	privPEM, pubPEM := generated(t, ECDSAP256)
	dir := t.TempDir()
	prefix := filepath.Join(dir, "archivist")
	keyPath, pubPath, err := WriteKeyPair(prefix, privPEM, pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(keyPath)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode %v, %v; want 0600", keyPath, fi.Mode().Perm(), err)
	}
	if got, _ := os.ReadFile(pubPath); !bytes.Equal(got, pubPEM) {
		t.Errorf("%s holds %q", pubPath, got)
	}
	// Either file existing refuses the whole pair and changes nothing.
	other, otherPub := generated(t, Ed25519)
	if _, _, err := WriteKeyPair(prefix, other, otherPub); !errors.Is(err, ErrExists) {
		t.Errorf("WriteKeyPair over existing files = %v, want ErrExists", err)
	}
	if got, _ := os.ReadFile(keyPath); !bytes.Equal(got, privPEM) {
		t.Errorf("the existing private key was changed")
	}
	os.Remove(keyPath)
	if _, _, err := WriteKeyPair(prefix, other, otherPub); !errors.Is(err, ErrExists) {
		t.Errorf("WriteKeyPair with only the .pub existing = %v, want ErrExists", err)
	}
	if _, err := os.Stat(keyPath); err == nil {
		t.Errorf("WriteKeyPair wrote %s although %s existed", keyPath, pubPath)
	}
}

func TestFingerprintsAndTrust(t *testing.T) {
	_, pubPEM := generated(t, Ed25519)
	pub, _ := ParsePublicKey(pubPEM)
	fp := string(pub.Fingerprint())
	for _, tt := range []struct {
		in   string
		want string
		ok   bool
	}{
		{fp, fp, true},
		{strings.ToUpper(fp), fp, true},
		{"sha256:" + fp, fp, true},
		{fp[:63], "", false},
		{fp + "0", "", false},
		{strings.Replace(fp, fp[:1], "g", 1), "", false},
		{"", "", false},
	} {
		got, err := ParseFingerprint(tt.in)
		if (err == nil) != tt.ok || string(got) != tt.want {
			t.Errorf("ParseFingerprint(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	path := filepath.Join(t.TempDir(), "k.pub")
	os.WriteFile(path, pubPEM, 0o644)
	if got, err := ParseTrust(path); err != nil || string(got) != fp {
		t.Errorf("ParseTrust(file) = %s, %v; want %s", got, err, fp)
	}
	if got, err := ParseTrust(fp); err != nil || string(got) != fp {
		t.Errorf("ParseTrust(fingerprint) = %s, %v", got, err)
	}
	if _, err := ParseTrust(filepath.Join(t.TempDir(), "missing.pub")); err == nil {
		t.Errorf("ParseTrust(missing file) succeeded")
	}
	if _, err := ParseAlgorithm("rsa"); err == nil {
		t.Errorf("ParseAlgorithm(rsa) succeeded")
	}
	if _, _, err := Generate(Ed25519, nil); err == nil {
		t.Errorf("Generate with an empty password succeeded")
	}
}

func FuzzParsePublicKey(f *testing.F) {
	for _, name := range []string{"cosign-generated.pub", "rsa.pub", "p384.pub"} {
		b, _ := os.ReadFile("testdata/" + name)
		f.Add(b)
	}
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParsePublicKey(data)
		if err != nil {
			return
		}
		again, err := ParsePublicKey(k.PEM())
		if err != nil || again.Fingerprint() != k.Fingerprint() {
			t.Fatalf("PEM() of a parsed key does not parse back: %v", err)
		}
	})
}

func FuzzParsePrivateKey(f *testing.F) {
	for _, name := range []string{"cosign-generated.key", "hostile-scrypt.key", "unencrypted-ed25519.pem", "cosign-rsa.key"} {
		b, _ := os.ReadFile("testdata/" + name)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Must not panic, and must not burn time on hostile KDF parameters.
		ParsePrivateKey(data, []byte("x"))
	})
}
