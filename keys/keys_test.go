package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// Scrypt makes each encryption or decryption of a private key take about
// 100 ms, so the tests share keys: one generated pair per algorithm and the
// golden pairs, each decrypted once.

const testPassword = "verbatim-test"

var sentinels = []error{ErrBadSignature, ErrWrongPassword, ErrPublicKeyGiven, ErrNotAKey, ErrUnencryptedKey, ErrUnsupportedKey, ErrExists}

type pair struct {
	privPEM, pubPEM []byte
	priv            *PrivateKey
	pub             *PublicKey
}

var (
	genOnce sync.Once
	genErr  error
	genKeys = map[Algorithm]pair{}

	goldenMu   sync.Mutex
	goldenKeys = map[string]*PrivateKey{}
)

// generated returns the test binary's key pair for alg, made by Generate and
// parsed back by ParsePrivateKey and ParsePublicKey.
func generated(t testing.TB, alg Algorithm) pair {
	t.Helper()
	genOnce.Do(func() {
		for _, a := range []Algorithm{ECDSAP256, Ed25519} {
			privPEM, pubPEM, err := Generate(a, []byte(testPassword))
			if err != nil {
				genErr = fmt.Errorf("Generate(%s): %w", a, err)
				return
			}
			priv, err := ParsePrivateKey(privPEM, []byte(testPassword))
			if err != nil {
				genErr = fmt.Errorf("ParsePrivateKey(Generate(%s)): %w", a, err)
				return
			}
			pub, err := ParsePublicKey(pubPEM)
			if err != nil {
				genErr = fmt.Errorf("ParsePublicKey(Generate(%s)): %w", a, err)
				return
			}
			genKeys[a] = pair{privPEM, pubPEM, priv, pub}
		}
	})
	if genErr != nil {
		t.Fatal(genErr)
	}
	return genKeys[alg]
}

// goldenPrivate returns testdata/NAME.key, decrypted once per test binary.
func goldenPrivate(t testing.TB, name string) *PrivateKey {
	t.Helper()
	goldenMu.Lock()
	defer goldenMu.Unlock()
	if k := goldenKeys[name]; k != nil {
		return k
	}
	k, err := ReadPrivateKeyFile("testdata/"+name+".key", []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	goldenKeys[name] = k
	return k
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkSentinel fails unless err wraps want and none of the other sentinels.
func checkSentinel(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s = %v, want an error wrapping %q", what, err, want)
		return
	}
	for _, s := range sentinels {
		if s != want && errors.Is(err, s) {
			t.Errorf("%s = %v: wraps %q as well as %q", what, err, s, want)
		}
	}
	if msg := err.Error(); msg != strings.TrimSpace(msg) || strings.HasSuffix(msg, ".") {
		t.Errorf("%s: error %q has surrounding space or a trailing period", what, msg)
	}
}

// sealPEM encrypts plaintext as Generate does but with the cheaper legacy
// scrypt parameters, in a PEM block of type typ.
func sealPEM(t *testing.T, typ string, plaintext []byte) []byte {
	t.Helper()
	sealed, err := encrypted.EncryptWithCustomKDFParameters(plaintext, []byte(testPassword), encrypted.Legacy)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: sealed})
}

// withJSON returns privPEM with its encrypted JSON changed by edit.
func withJSON(t *testing.T, privPEM []byte, edit func(m map[string]any)) []byte {
	t.Helper()
	block, _ := pem.Decode(privPEM)
	var m map[string]any
	if err := json.Unmarshal(block.Bytes, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: b})
}

func kdf(m map[string]any) map[string]any    { return m["kdf"].(map[string]any) }
func params(m map[string]any) map[string]any { return kdf(m)["params"].(map[string]any) }
func cipher(m map[string]any) map[string]any { return m["cipher"].(map[string]any) }

func TestGenerateRoundTrip(t *testing.T) {
	for _, alg := range []Algorithm{ECDSAP256, Ed25519} {
		t.Run(string(alg), func(t *testing.T) {
			p := generated(t, alg)
			if !bytes.HasPrefix(p.privPEM, []byte("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n")) {
				t.Errorf("private key PEM starts %q", p.privPEM[:min(50, len(p.privPEM))])
			}
			if !bytes.HasPrefix(p.pubPEM, []byte("-----BEGIN PUBLIC KEY-----\n")) {
				t.Errorf("public key PEM starts %q", p.pubPEM[:min(30, len(p.pubPEM))])
			}
			// The encrypted JSON is what cosign writes: scrypt N=2^16, r=8, p=1,
			// 32-byte salt, secretbox with a 24-byte nonce.
			block, _ := pem.Decode(p.privPEM)
			var e encryptedKey
			if err := json.Unmarshal(block.Bytes, &e); err != nil {
				t.Fatal(err)
			}
			if e.KDF.Name != "scrypt" || e.KDF.Params.N != 65536 || e.KDF.Params.R != 8 || e.KDF.Params.P != 1 ||
				len(e.KDF.Salt) != 32 || e.Cipher.Name != "nacl/secretbox" || len(e.Cipher.Nonce) != 24 {
				t.Errorf("encrypted key JSON %s", block.Bytes)
			}
			if p.pub.Algorithm() != alg || p.priv.Public().Algorithm() != alg {
				t.Errorf("algorithm %s / %s, want %s", p.pub.Algorithm(), p.priv.Public().Algorithm(), alg)
			}
			if p.priv.Public().Fingerprint() != p.pub.Fingerprint() {
				t.Errorf("private key's fingerprint %s, public key's %s", p.priv.Public().Fingerprint(), p.pub.Fingerprint())
			}
			sum := sha256.Sum256(p.pub.DER())
			if got := Fingerprint(hex.EncodeToString(sum[:])); got != p.pub.Fingerprint() {
				t.Errorf("Fingerprint() = %s, SHA-256 of DER() = %s", p.pub.Fingerprint(), got)
			}
			if !bytes.Equal(p.pub.PEM(), p.pubPEM) {
				t.Errorf("PEM() = %q, want Generate's %q", p.pub.PEM(), p.pubPEM)
			}
			// What cosign would write for the same key.
			cosignPub, err := cryptoutils.MarshalPublicKeyToPEM(p.pub.Crypto())
			if err != nil || !bytes.Equal(cosignPub, p.pubPEM) {
				t.Errorf("cryptoutils.MarshalPublicKeyToPEM = %q, %v; want %q", cosignPub, err, p.pubPEM)
			}
			fromDER, err := PublicKeyFromDER(p.pub.DER())
			if err != nil || fromDER.Fingerprint() != p.pub.Fingerprint() {
				t.Errorf("PublicKeyFromDER(DER()) = %v, %v", fromDER, err)
			}
			// DER and Crypto return copies.
			d := p.pub.DER()
			d[len(d)-1] ^= 1
			if bytes.Equal(d, p.pub.DER()) {
				t.Errorf("modifying DER()'s result modified the key")
			}
			if ed, ok := p.pub.Crypto().(ed25519.PublicKey); ok {
				ed[0] ^= 1
			}
			if fp, _ := PublicKeyFromDER(p.pub.DER()); fp == nil || fp.Fingerprint() != p.pub.Fingerprint() {
				t.Errorf("modifying Crypto()'s result modified the key")
			}
			switch c := p.pub.Crypto().(type) {
			case *ecdsa.PublicKey:
				if alg != ECDSAP256 || c.Curve != elliptic.P256() {
					t.Errorf("Crypto() is %T on %v for %s", c, c.Curve, alg)
				}
			case ed25519.PublicKey:
				if alg != Ed25519 {
					t.Errorf("Crypto() is %T for %s", c, alg)
				}
			default:
				t.Errorf("Crypto() is %T", c)
			}
		})
	}
}

func TestGenerateRefuses(t *testing.T) {
	for _, tt := range []struct {
		alg      Algorithm
		password []byte
	}{
		{ECDSAP256, nil},
		{Ed25519, []byte{}},
		{"rsa", []byte("pw")},
		{"", []byte("pw")},
	} {
		if priv, pub, err := Generate(tt.alg, tt.password); err == nil || priv != nil || pub != nil {
			t.Errorf("Generate(%q, %q) = %q, %q, %v; want an error", tt.alg, tt.password, priv, pub, err)
		}
	}
}

func TestSignVerify(t *testing.T) {
	ec, ed := generated(t, ECDSAP256), generated(t, Ed25519)
	msg := []byte("Letter by a group of political prisoners")
	sigs := map[Algorithm][]byte{}
	for _, p := range []pair{ec, ed} {
		sig, err := p.priv.Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		sigs[p.pub.Algorithm()] = sig
	}
	if len(sigs[Ed25519]) != ed25519.SignatureSize {
		t.Errorf("Ed25519 signature of %d bytes", len(sigs[Ed25519]))
	}
	altered := bytes.Clone(msg)
	altered[0] ^= 1
	flip := func(b []byte, i int) []byte { b = bytes.Clone(b); b[i] ^= 1; return b }
	for _, tt := range []struct {
		name     string
		key      *PublicKey
		msg, sig []byte
		ok       bool
	}{
		{"ecdsa", ec.pub, msg, sigs[ECDSAP256], true},
		{"ed25519", ed.pub, msg, sigs[Ed25519], true},
		{"ecdsa altered message", ec.pub, altered, sigs[ECDSAP256], false},
		{"ed25519 altered message", ed.pub, altered, sigs[Ed25519], false},
		{"ecdsa altered signature", ec.pub, msg, flip(sigs[ECDSAP256], len(sigs[ECDSAP256])-1), false},
		{"ed25519 altered signature", ed.pub, msg, flip(sigs[Ed25519], 5), false},
		{"ecdsa empty signature", ec.pub, msg, nil, false},
		{"ed25519 empty signature", ed.pub, msg, nil, false},
		{"ed25519 truncated signature", ed.pub, msg, sigs[Ed25519][:63], false},
		{"ecdsa signature, ed25519 key", ed.pub, msg, sigs[ECDSAP256], false},
		{"ed25519 signature, ecdsa key", ec.pub, msg, sigs[Ed25519], false},
		{"ecdsa signature with trailing byte", ec.pub, msg, append(bytes.Clone(sigs[ECDSAP256]), 0), false},
		{"zero key", &PublicKey{}, msg, sigs[Ed25519], false},
		{"nil key", nil, msg, sigs[Ed25519], false},
	} {
		err := tt.key.Verify(tt.msg, tt.sig)
		if tt.ok && err != nil {
			t.Errorf("%s: Verify = %v", tt.name, err)
		}
		if !tt.ok {
			checkSentinel(t, tt.name+": Verify", err, ErrBadSignature)
		}
	}
	if _, err := (&PrivateKey{}).Sign(msg); err == nil {
		t.Errorf("Sign with a zero PrivateKey succeeded")
	}
}

// TestSigstoreInterop checks signatures against sigstore's own signers and
// verifiers (what cosign uses) and keys against sigstore's decryption.
func TestSigstoreInterop(t *testing.T) {
	msg := []byte("Letter by a group of political prisoners")
	for _, alg := range []Algorithm{ECDSAP256, Ed25519} {
		p := generated(t, alg)
		var v signature.Verifier
		var err error
		if alg == Ed25519 {
			v, err = signature.LoadED25519Verifier(p.pub.Crypto().(ed25519.PublicKey))
		} else {
			v, err = signature.LoadVerifier(p.pub.Crypto(), crypto.SHA256)
		}
		if err != nil {
			t.Fatal(err)
		}
		sig, err := p.priv.Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.VerifySignature(bytes.NewReader(sig), bytes.NewReader(msg)); err != nil {
			t.Errorf("%s: sigstore does not verify our signature: %v", alg, err)
		}
		// sigstore decrypts our private key file to the same key, and its
		// signatures verify with our Verify.
		sk, err := cryptoutils.UnmarshalPEMToPrivateKey(p.privPEM, cryptoutils.StaticPasswordFunc([]byte(testPassword)))
		if err != nil {
			t.Fatalf("%s: sigstore cannot read our private key: %v", alg, err)
		}
		signer := sk.(crypto.Signer)
		if !p.pub.Crypto().(interface{ Equal(crypto.PublicKey) bool }).Equal(signer.Public()) {
			t.Errorf("%s: sigstore decrypts a different key", alg)
		}
		var s signature.Signer
		if alg == Ed25519 {
			s, err = signature.LoadED25519Signer(sk.(ed25519.PrivateKey))
		} else {
			s, err = signature.LoadSigner(sk, crypto.SHA256)
		}
		if err != nil {
			t.Fatal(err)
		}
		ssig, err := s.SignMessage(bytes.NewReader(msg))
		if err != nil {
			t.Fatal(err)
		}
		// sigstore does not normalise ECDSA signatures to low S; verbatim
		// accepts exactly the low-S form (FORMAT.md §3.1).
		if alg == ECDSAP256 {
			if ssig, err = lowS(ssig); err != nil {
				t.Fatal(err)
			}
		}
		if err := p.pub.Verify(msg, ssig); err != nil {
			t.Errorf("%s: we do not verify sigstore's signature: %v", alg, err)
		}
	}
}

func TestParsePrivateKeyErrors(t *testing.T) {
	ec, ed := generated(t, ECDSAP256), generated(t, Ed25519)

	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p384DER, _ := x509.MarshalPKCS8PrivateKey(p384)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p256SEC1, _ := x509.MarshalECPrivateKey(p256)
	p384SEC1, _ := x509.MarshalECPrivateKey(p384)
	cert := "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUZ\n-----END CERTIFICATE-----\n"

	tests := []struct {
		name     string
		pem      []byte
		password string
		want     error
	}{
		{"wrong password", ec.privPEM, "not the password", ErrWrongPassword},
		{"empty password", ed.privPEM, "", ErrWrongPassword},
		{"altered ciphertext", withJSON(t, ec.privPEM, func(m map[string]any) {
			c, err := base64.StdEncoding.DecodeString(m["ciphertext"].(string))
			if err != nil {
				t.Fatal(err)
			}
			c[10] ^= 1
			m["ciphertext"] = c
		}), testPassword, ErrWrongPassword},
		{"ecdsa public key", ec.pubPEM, testPassword, ErrPublicKeyGiven},
		{"ed25519 public key", ed.pubPEM, testPassword, ErrPublicKeyGiven},
		{"empty", nil, testPassword, ErrNotAKey},
		{"text", []byte("Letter by a group of political prisoners\n"), testPassword, ErrNotAKey},
		{"certificate", []byte(cert), testPassword, ErrNotAKey},
		{"truncated PEM", ec.privPEM[:len(ec.privPEM)-20], testPassword, ErrNotAKey},
		{"garbage inside", []byte("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"), testPassword, ErrNotAKey},
		{"JSON null", pem.EncodeToMemory(&pem.Block{Type: pemSigstoreKey, Bytes: []byte("null")}), testPassword, ErrNotAKey},
		{"encrypted non-key", sealPEM(t, pemSigstoreKey, []byte("not a key")), testPassword, ErrNotAKey},
		{"unencrypted PKCS #8 Ed25519", mustRead(t, "testdata/unencrypted-ed25519.pem"), testPassword, ErrUnencryptedKey},
		{"unencrypted SEC 1 P-256", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: p256SEC1}), testPassword, ErrUnencryptedKey},
		{"unencrypted PKCS #8 garbage", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("garbage")}), testPassword, ErrNotAKey},
		{"RSA (cosign import-key-pair)", mustRead(t, "testdata/cosign-rsa.key"), testPassword, ErrUnsupportedKey},
		{"P-384 in cosign's format", sealPEM(t, pemSigstoreKey, p384DER), testPassword, ErrUnsupportedKey},
		{"unencrypted P-384", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: p384SEC1}), testPassword, ErrUnsupportedKey},
		{"unencrypted RSA PKCS #1", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte{0x30, 0}}), testPassword, ErrUnsupportedKey},
		{"PKCS #8 encrypted", pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{0x30, 0}}), testPassword, ErrUnsupportedKey},
		{"legacy encrypted PEM", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00"}, Bytes: []byte{0}}), testPassword, ErrUnsupportedKey},
		{"OpenSSH", pem.EncodeToMemory(&pem.Block{Type: "OPENSSH PRIVATE KEY", Bytes: []byte("openssh-key-v1")}), testPassword, ErrUnsupportedKey},
		// Hostile or foreign encryption parameters are refused before any
		// key derivation.
		{"hostile scrypt N=2^30 (file)", mustRead(t, "testdata/hostile-scrypt.key"), testPassword, ErrNotAKey},
		{"scrypt N=2^40", withJSON(t, ec.privPEM, func(m map[string]any) { params(m)["N"] = 1 << 40 }), testPassword, ErrNotAKey},
		{"scrypt r=2^20", withJSON(t, ec.privPEM, func(m map[string]any) { params(m)["r"] = 1 << 20 }), testPassword, ErrNotAKey},
		{"scrypt p=2^29", withJSON(t, ec.privPEM, func(m map[string]any) { params(m)["p"] = 1 << 29 }), testPassword, ErrNotAKey},
		{"scrypt N=1024 (weak)", withJSON(t, ec.privPEM, func(m map[string]any) { params(m)["N"] = 1024 }), testPassword, ErrNotAKey},
		{"scrypt N not a number", withJSON(t, ec.privPEM, func(m map[string]any) { params(m)["N"] = "65536" }), testPassword, ErrNotAKey},
		{"KDF pbkdf2", withJSON(t, ec.privPEM, func(m map[string]any) { kdf(m)["name"] = "pbkdf2" }), testPassword, ErrNotAKey},
		{"short salt", withJSON(t, ec.privPEM, func(m map[string]any) { kdf(m)["salt"] = "AAAA" }), testPassword, ErrNotAKey},
		{"cipher aes", withJSON(t, ec.privPEM, func(m map[string]any) { cipher(m)["name"] = "aes-gcm" }), testPassword, ErrNotAKey},
		{"short nonce", withJSON(t, ec.privPEM, func(m map[string]any) { cipher(m)["nonce"] = "AAAA" }), testPassword, ErrNotAKey},
		{"short ciphertext", withJSON(t, ec.privPEM, func(m map[string]any) { m["ciphertext"] = "AAAA" }), testPassword, ErrNotAKey},
		{"huge", pem.EncodeToMemory(&pem.Block{Type: pemSigstoreKey, Bytes: bytes.Repeat([]byte(" "), 1<<20)}), testPassword, ErrNotAKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, err := ParsePrivateKey(tt.pem, []byte(tt.password))
			if k != nil {
				t.Errorf("ParsePrivateKey returned a key")
			}
			checkSentinel(t, "ParsePrivateKey", err, tt.want)
			// Only a wrong password and the encrypted non-keys reach the key
			// derivation: everything else is refused by sealedKey first.
			if _, err := sealedKey(tt.pem); err == nil && tt.want != ErrWrongPassword && !needsDecrypt[tt.name] {
				t.Errorf("sealedKey accepted %s: it would cost a key derivation", tt.name)
			}
		})
	}
}

// TestHostileScryptIsCheap checks that refused KDF parameters cost no key
// derivation: a standard one takes about 100 ms.
func TestHostileScryptIsCheap(t *testing.T) {
	hostile := mustRead(t, "testdata/hostile-scrypt.key")
	if _, err := ParsePrivateKey(hostile, []byte(testPassword)); !errors.Is(err, ErrNotAKey) || !strings.Contains(err.Error(), "scrypt parameters") {
		t.Fatalf("ParsePrivateKey(hostile) = %v", err)
	}
	// ParsePrivateKey derives a key only from what sealedKey accepts.
	if _, err := sealedKey(hostile); !errors.Is(err, ErrNotAKey) {
		t.Fatalf("sealedKey(hostile) = %v; want ErrNotAKey before any key derivation", err)
	}
}

func TestParsePrivateKeyAccepts(t *testing.T) {
	ec := generated(t, ECDSAP256)
	// The legacy PEM type, with the legacy scrypt parameters of older cosign.
	block, _ := pem.Decode(ec.privPEM)
	der, err := encrypted.Decrypt(block.Bytes, []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	legacy := sealPEM(t, pemCosignLegacyKey, der)
	k, err := ParsePrivateKey(append([]byte("leading text\n"), legacy...), []byte(testPassword))
	if err != nil || k.Public().Fingerprint() != ec.pub.Fingerprint() {
		t.Errorf("ParsePrivateKey(legacy cosign key) = %v, %v", k, err)
	}
}

func TestParsePublicKeyErrors(t *testing.T) {
	ec := generated(t, ECDSAP256)
	der := ec.pub.DER()
	compressed := append(bytes.Clone(der[:len(der)-68]), 0x03, 0x22, 0x00, 0x02)
	compressed = append(compressed, der[len(der)-64:len(der)-32]...)
	compressed[1] = byte(len(compressed) - 2)
	for _, tt := range []struct {
		name string
		pem  []byte
		want error
	}{
		{"private key", ec.privPEM, ErrNotAKey},
		{"unencrypted private key", mustRead(t, "testdata/unencrypted-ed25519.pem"), ErrNotAKey},
		{"empty", nil, ErrNotAKey},
		{"text", []byte("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n"), ErrNotAKey},
		{"certificate", []byte("-----BEGIN CERTIFICATE-----\nMFkw\n-----END CERTIFICATE-----\n"), ErrNotAKey},
		{"bad DER", []byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"), ErrNotAKey},
		{"DER with trailing byte", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: append(bytes.Clone(der), 0)}), ErrNotAKey},
		{"point off the curve", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: append(bytes.Clone(der[:len(der)-1]), der[len(der)-1]^1)}), ErrNotAKey},
		{"compressed point", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: compressed}), ErrNotAKey},
		{"two keys", append(bytes.Clone(ec.pubPEM), generated(t, Ed25519).pubPEM...), ErrNotAKey},
		{"RSA", mustRead(t, "testdata/rsa.pub"), ErrUnsupportedKey},
		{"P-384", mustRead(t, "testdata/p384.pub"), ErrUnsupportedKey},
	} {
		k, err := ParsePublicKey(tt.pem)
		if k != nil {
			t.Errorf("%s: ParsePublicKey returned a key", tt.name)
		}
		checkSentinel(t, tt.name+": ParsePublicKey", err, tt.want)
	}
	// Text before the block is ignored, white space after it too.
	if k, err := ParsePublicKey(append([]byte("cosign.pub\n"), append(bytes.Clone(ec.pubPEM), "\n\n"...)...)); err != nil || k.Fingerprint() != ec.pub.Fingerprint() {
		t.Errorf("ParsePublicKey(with surrounding text) = %v, %v", k, err)
	}
	if _, err := PublicKeyFromDER(nil); !errors.Is(err, ErrNotAKey) {
		t.Errorf("PublicKeyFromDER(nil) = %v", err)
	}
}

func TestParseFingerprint(t *testing.T) {
	const fp = "b9c593049c97f56c5dd1d940ae99a7aa0f6d9cf533ac1fe66777664cd5604919"
	for _, tt := range []struct {
		in, want string
	}{
		{fp, fp},
		{strings.ToUpper(fp), fp},
		{"sha256:" + fp, fp},
		{"sha256:" + strings.ToUpper(fp[:32]) + fp[32:], fp},
		{fp[:63], ""},
		{fp + "0", ""},
		{fp[:62], ""},
		{"g" + fp[1:], ""},
		{fp[:63] + " ", ""},
		{" " + fp, ""},
		{"SHA256:" + fp, ""},
		{"sha512:" + fp, ""},
		{"sha256:", ""},
		{"", ""},
		{strings.Repeat("é", 32), ""},
	} {
		got, err := ParseFingerprint(tt.in)
		if string(got) != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("ParseFingerprint(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if s := Fingerprint(fp).Short(); s != fp[:16] {
		t.Errorf("Short() = %q", s)
	}
	if s := Fingerprint("abc").Short(); s != "abc" {
		t.Errorf("Short() of a short string = %q", s)
	}
}

func TestParseAlgorithm(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Algorithm
	}{
		{"", ECDSAP256},
		{"ecdsa-p256", ECDSAP256},
		{"ed25519", Ed25519},
		{"ECDSA-P256", ""},
		{"rsa", ""},
		{"ecdsa-p384", ""},
	} {
		got, err := ParseAlgorithm(tt.in)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("ParseAlgorithm(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if err != nil && !(strings.Contains(err.Error(), "ecdsa-p256") && strings.Contains(err.Error(), "ed25519")) {
			t.Errorf("ParseAlgorithm(%q): error %q does not list the algorithms", tt.in, err)
		}
	}
}

func TestWriteKeyPair(t *testing.T) {
	ec, ed := generated(t, ECDSAP256), generated(t, Ed25519)
	dir := t.TempDir()
	prefix := filepath.Join(dir, "archivist")
	keyPath, pubPath, err := WriteKeyPair(prefix, ec.privPEM, ec.pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	if keyPath != prefix+".key" || pubPath != prefix+".pub" {
		t.Errorf("paths %s, %s", keyPath, pubPath)
	}
	for path, want := range map[string]struct {
		data []byte
		mode fs.FileMode
	}{keyPath: {ec.privPEM, 0o600}, pubPath: {ec.pubPEM, 0o644}} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		// The .pub file's mode is 0644 less the umask.
		if fi.Mode().Perm() != want.mode && (path == keyPath || fi.Mode().Perm()&^want.mode != 0) {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), want.mode)
		}
		if got := mustRead(t, path); !bytes.Equal(got, want.data) {
			t.Errorf("%s holds %q", path, got)
		}
	}

	// Either file existing refuses the pair and changes and writes nothing.
	if _, _, err := WriteKeyPair(prefix, ed.privPEM, ed.pubPEM); !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), keyPath) {
		t.Errorf("WriteKeyPair over both files = %v, want ErrExists naming %s", err, keyPath)
	}
	if !bytes.Equal(mustRead(t, keyPath), ec.privPEM) || !bytes.Equal(mustRead(t, pubPath), ec.pubPEM) {
		t.Errorf("the existing files were changed")
	}
	os.Remove(keyPath)
	if _, _, err := WriteKeyPair(prefix, ed.privPEM, ed.pubPEM); !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), pubPath) {
		t.Errorf("WriteKeyPair with the .pub existing = %v, want ErrExists naming %s", err, pubPath)
	}
	if _, err := os.Lstat(keyPath); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WriteKeyPair wrote %s although %s existed", keyPath, pubPath)
	}
	if !bytes.Equal(mustRead(t, pubPath), ec.pubPEM) {
		t.Errorf("the existing .pub was changed")
	}
	// A dangling symlink counts as existing: O_EXCL would not follow it.
	other := filepath.Join(dir, "other")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), other+".key"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := WriteKeyPair(other, ed.privPEM, ed.pubPEM); !errors.Is(err, ErrExists) {
		t.Errorf("WriteKeyPair over a dangling symlink = %v, want ErrExists", err)
	}
	if _, err := os.Lstat(other + ".pub"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WriteKeyPair wrote %s.pub", other)
	}

	// Refused inputs write nothing.
	fresh := filepath.Join(dir, "fresh")
	unencrypted := mustRead(t, "testdata/unencrypted-ed25519.pem")
	for _, tt := range []struct {
		name         string
		prefix       string
		priv, pubPEM []byte
	}{
		{"unencrypted private key", fresh, unencrypted, ed.pubPEM},
		{"public key as private", fresh, ed.pubPEM, ed.pubPEM},
		{"private key as public", fresh, ed.privPEM, ed.privPEM},
		{"empty prefix", "", ed.privPEM, ed.pubPEM},
	} {
		if _, _, err := WriteKeyPair(tt.prefix, tt.priv, tt.pubPEM); err == nil {
			t.Errorf("%s: WriteKeyPair succeeded", tt.name)
		}
	}
	if m, _ := filepath.Glob(fresh + "*"); len(m) != 0 {
		t.Errorf("refused WriteKeyPair calls wrote %v", m)
	}

	// In a directory that cannot be written, nothing is written.
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o500)
		if _, _, err := WriteKeyPair(filepath.Join(ro, "k"), ed.privPEM, ed.pubPEM); err == nil || errors.Is(err, ErrExists) {
			t.Errorf("WriteKeyPair in a read-only directory = %v", err)
		}
	}
}

// TestWriteKeyPairCleansUp checks that a failure writing the .pub file
// removes the .key file.
func TestWriteKeyPairCleansUp(t *testing.T) {
	ed := generated(t, Ed25519)
	prefix := filepath.Join(t.TempDir(), "k")
	// Make the .pub appear between the check and its creation.
	saved := openFile
	defer func() { openFile = saved }()
	openFile = func(name string, flag int, perm fs.FileMode) (*os.File, error) {
		if strings.HasSuffix(name, ".pub") {
			if err := os.WriteFile(name, []byte("someone else's"), 0o644); err != nil {
				return nil, err
			}
		}
		return saved(name, flag, perm)
	}
	if _, _, err := WriteKeyPair(prefix, ed.privPEM, ed.pubPEM); !errors.Is(err, ErrExists) {
		t.Errorf("WriteKeyPair with the .pub appearing = %v, want ErrExists", err)
	}
	if _, err := os.Lstat(prefix + ".key"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the .key file was left behind: %v", err)
	}
	if got := mustRead(t, prefix+".pub"); string(got) != "someone else's" {
		t.Errorf("the .pub file that appeared was overwritten: %q", got)
	}
}

func TestReadKeyFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	ec := generated(t, ECDSAP256)
	keyPath := write("a.key", ec.privPEM)
	pubPath := write("a.pub", ec.pubPEM)
	txt := write("x.txt", []byte("Letter by a group of political prisoners\n"))
	big := write("big.pub", bytes.Repeat([]byte("A"), 1<<20))
	unenc := write("plain.pem", mustRead(t, "testdata/unencrypted-ed25519.pem"))
	missing := filepath.Join(dir, "missing.key")

	pub, err := ReadPublicKeyFile(pubPath)
	if err != nil || pub.Fingerprint() != ec.pub.Fingerprint() {
		t.Errorf("ReadPublicKeyFile = %v, %v", pub, err)
	}
	for _, tt := range []struct {
		name  string
		err   error
		wants []string
		is    error
	}{
		{"public: private key", second(ReadPublicKeyFile(keyPath)), []string{keyPath + " is a private key", pubPath}, ErrNotAKey},
		{"public: directory", second(ReadPublicKeyFile(dir)), []string{"reading key file " + dir + ": is a directory"}, nil},
		{"public: missing", second(ReadPublicKeyFile(missing)), []string{"reading key file " + missing + ": no such file"}, fs.ErrNotExist},
		{"public: text", second(ReadPublicKeyFile(txt)), []string{txt + " is not a public key file"}, ErrNotAKey},
		{"public: huge", second(ReadPublicKeyFile(big)), []string{big + " is not a key file"}, ErrNotAKey},
		{"public: RSA", second(ReadPublicKeyFile("testdata/rsa.pub")), []string{"testdata/rsa.pub", "RSA", "ECDSA P-256 and Ed25519"}, ErrUnsupportedKey},
		{"private: public key", second(ReadPrivateKeyFile(pubPath, []byte(testPassword))), []string{pubPath + " is a public key; signing needs the private key file (" + keyPath + ")"}, ErrPublicKeyGiven},
		{"private: wrong password", second(ReadPrivateKeyFile(keyPath, []byte("nope"))), []string{keyPath + ": wrong password (check VERBATIM_PASSWORD)"}, ErrWrongPassword},
		{"private: text", second(ReadPrivateKeyFile(txt, nil)), []string{txt + " is not a key file: expected an encrypted sigstore/cosign private key"}, ErrNotAKey},
		{"private: unencrypted", second(ReadPrivateKeyFile(unenc, nil)), []string{unenc, "cosign import-key-pair", "verbatim keys generate"}, ErrUnencryptedKey},
		{"private: directory", second(ReadPrivateKeyFile(dir, nil)), []string{"reading key file " + dir + ": is a directory"}, nil},
		{"private: missing", second(ReadPrivateKeyFile(missing, nil)), []string{missing}, fs.ErrNotExist},
	} {
		if tt.err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		for _, w := range tt.wants {
			if !strings.Contains(tt.err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", tt.name, tt.err, w)
			}
		}
		if tt.is != nil && !errors.Is(tt.err, tt.is) {
			t.Errorf("%s: error %q does not wrap %q", tt.name, tt.err, tt.is)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestFileFingerprint(t *testing.T) {
	want := readFingerprints(t)["cosign-generated.pub"]
	calls := 0
	password := func(pw string, err error) func() ([]byte, error) {
		return func() ([]byte, error) { calls++; return []byte(pw), err }
	}
	fp, err := FileFingerprint("testdata/cosign-generated.pub", password("", errors.New("must not be called")))
	if err != nil || fp != want || calls != 0 {
		t.Errorf("FileFingerprint(.pub) = %s, %v, %d password calls; want %s, 0 calls", fp, err, calls, want)
	}
	calls = 0
	fp, err = FileFingerprint("testdata/cosign-generated.key", password(testPassword, nil))
	if err != nil || fp != want || calls != 1 {
		t.Errorf("FileFingerprint(.key) = %s, %v, %d password calls; want %s, 1 call", fp, err, calls, want)
	}
	noPassword := errors.New("no password")
	calls = 0
	if _, err := FileFingerprint("testdata/cosign-generated.key", password("", noPassword)); !errors.Is(err, noPassword) || calls != 1 {
		t.Errorf("FileFingerprint with the password failing = %v", err)
	}
	// Files refused without asking for a password.
	for _, tt := range []struct {
		path string
		want error
	}{
		{"testdata/unencrypted-ed25519.pem", ErrUnencryptedKey},
		{"testdata/hostile-scrypt.key", ErrNotAKey},
		{"testdata/rsa.pub", ErrUnsupportedKey},
		{"testdata/fingerprints.txt", ErrNotAKey},
	} {
		calls = 0
		_, err := FileFingerprint(tt.path, password(testPassword, nil))
		if !errors.Is(err, tt.want) || calls != 0 || !strings.Contains(err.Error(), tt.path) {
			t.Errorf("FileFingerprint(%s) = %v after %d password calls; want %v naming the file, no calls", tt.path, err, calls, tt.want)
		}
	}
	if _, err := FileFingerprint("testdata/fingerprints.txt", nil); err == nil ||
		!strings.Contains(err.Error(), "is not a key file: expected a PEM public key or an encrypted sigstore/cosign private key") {
		t.Errorf("FileFingerprint(text) = %v", err)
	}
}

func TestParseTrust(t *testing.T) {
	want := readFingerprints(t)["ed25519.pub"]
	dir := t.TempDir()
	for _, tt := range []struct {
		arg   string
		want  Fingerprint
		error string
	}{
		{string(want), want, ""},
		{strings.ToUpper(string(want)), want, ""},
		{"sha256:" + string(want), want, ""},
		{"testdata/ed25519.pub", want, ""},
		{"testdata/ed25519.key", "", "--trust testdata/ed25519.key is a private key file; --trust needs a public key file (such as testdata/ed25519.pub) or a fingerprint"},
		{"testdata/unencrypted-ed25519.pem", "", "--trust needs a public key file or a fingerprint"},
		{"testdata/fingerprints.txt", "", "--trust testdata/fingerprints.txt: --trust needs a public key file or a fingerprint"},
		{"testdata/p384.pub", "", "unsupported"},
		{string(want[:63]), "", "neither a key fingerprint (64 hex digits) nor an existing public key file"},
		{filepath.Join(dir, "missing.pub"), "", "--trust " + filepath.Join(dir, "missing.pub") + ": neither"},
		{dir, "", "is a directory"},
		{"", "", "neither"},
	} {
		got, err := ParseTrust(tt.arg)
		if got != tt.want || (err == nil) != (tt.error == "") || (err != nil && !strings.Contains(err.Error(), tt.error)) {
			t.Errorf("ParseTrust(%q) = %q, %v; want %q, error containing %q", tt.arg, got, err, tt.want, tt.error)
		}
	}
}

// TestConcurrentUse signs and verifies from several goroutines (run with
// -race).
func TestConcurrentUse(t *testing.T) {
	var wg sync.WaitGroup
	for _, alg := range []Algorithm{ECDSAP256, Ed25519} {
		p := generated(t, alg)
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 50 {
					msg := fmt.Appendf(nil, "message %d %d", g, i)
					sig, err := p.priv.Sign(msg)
					if err != nil {
						t.Error(err)
						return
					}
					if err := p.pub.Verify(msg, sig); err != nil {
						t.Error(err)
						return
					}
					if err := p.priv.Public().Verify(msg[1:], sig); err == nil {
						t.Error("altered message verified")
						return
					}
				}
			}()
		}
	}
	wg.Wait()
}

func BenchmarkVerify(b *testing.B) {
	msg := bytes.Repeat([]byte("x"), 300)
	for _, alg := range []Algorithm{ECDSAP256, Ed25519} {
		p := generated(b, alg)
		sig, _ := p.priv.Sign(msg)
		b.Run(string(alg), func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := p.pub.Verify(msg, sig); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// needsDecrypt names the refusals in TestParsePrivateKeyErrors that only the
// decrypted bytes can show: the ciphertext is well formed.
var needsDecrypt = map[string]bool{
	"P-384 in cosign's format":     true,
	"encrypted non-key":            true,
	"RSA (cosign import-key-pair)": true,
}
