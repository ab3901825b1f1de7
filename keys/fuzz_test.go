package keys

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// seedFromTestdata adds every file in testdata to the corpus.
func seedFromTestdata(f *testing.F) {
	paths, err := filepath.Glob("testdata/*")
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seeds in testdata: %v", err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
	f.Add([]byte("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\ne30=\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"))
}

// wrapsOne reports whether err wraps exactly one of errs.
func wrapsOne(err error, errs ...error) bool {
	n := 0
	for _, e := range errs {
		if errors.Is(err, e) {
			n++
		}
	}
	return n == 1
}

func FuzzParsePublicKey(f *testing.F) {
	seedFromTestdata(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParsePublicKey(data)
		if err != nil {
			if k != nil || !wrapsOne(err, ErrNotAKey, ErrUnsupportedKey) {
				t.Fatalf("ParsePublicKey = %v, %v: want nil and an error wrapping ErrNotAKey or ErrUnsupportedKey", k, err)
			}
			return
		}
		again, err := ParsePublicKey(k.PEM())
		if err != nil || again.Fingerprint() != k.Fingerprint() || again.Algorithm() != k.Algorithm() {
			t.Fatalf("PEM() of a parsed key parses back as %v, %v", again, err)
		}
		fromDER, err := PublicKeyFromDER(k.DER())
		if err != nil || fromDER.Fingerprint() != k.Fingerprint() {
			t.Fatalf("DER() of a parsed key parses back as %v, %v", fromDER, err)
		}
		if fp, err := ParseFingerprint(string(k.Fingerprint())); err != nil || fp != k.Fingerprint() {
			t.Fatalf("fingerprint %q does not parse: %v", k.Fingerprint(), err)
		}
		if err := k.Verify(data, data); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("Verify(data, data) = %v", err)
		}
	})
}

func FuzzParsePrivateKey(f *testing.F) {
	seedFromTestdata(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		// Hostile KDF parameters are refused before key derivation, so no
		// input costs more than one standard scrypt.
		k, err := ParsePrivateKey(data, []byte(testPassword))
		if err != nil {
			if k != nil || !wrapsOne(err, ErrWrongPassword, ErrPublicKeyGiven, ErrNotAKey, ErrUnencryptedKey, ErrUnsupportedKey) {
				t.Fatalf("ParsePrivateKey = %v, %v: want nil and an error wrapping one sentinel", k, err)
			}
			return
		}
		msg := []byte("fuzz")
		sig, err := k.Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Public().Verify(msg, sig); err != nil {
			t.Fatalf("a parsed private key's signature does not verify: %v", err)
		}
		if !bytes.Equal(k.Public().PEM(), mustParsePEM(t, k.Public().PEM())) {
			t.Fatal("public key PEM does not round trip")
		}
	})
}

func mustParsePEM(t *testing.T, b []byte) []byte {
	k, err := ParsePublicKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return k.PEM()
}
