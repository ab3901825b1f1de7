package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// Algorithm names a signature algorithm verbatim supports.
type Algorithm string

// ECDSAP256 and Ed25519 are the supported algorithms. ECDSAP256 is the
// default, as it is cosign's.
const (
	ECDSAP256 Algorithm = "ecdsa-p256"
	Ed25519   Algorithm = "ed25519"
)

// ErrBadSignature and the other Err values are the errors callers
// distinguish. Functions return them wrapped with context; test with
// errors.Is.
var (
	// ErrBadSignature: a signature does not verify.
	ErrBadSignature = errors.New("signature does not verify")
	// ErrWrongPassword: an encrypted private key does not decrypt with the
	// password given (or its ciphertext was altered).
	ErrWrongPassword = errors.New("wrong password")
	// ErrPublicKeyGiven: a public key was given where a private key is needed.
	ErrPublicKeyGiven = errors.New("public key given where a private key is needed")
	// ErrNotAKey: the input is not PEM, is PEM of an unrelated type, or its
	// contents are malformed.
	ErrNotAKey = errors.New("not a key")
	// ErrUnencryptedKey: the input is an unencrypted private key, which
	// verbatim refuses to read.
	ErrUnencryptedKey = errors.New("unencrypted private key")
	// ErrUnsupportedKey: the input is a valid key of an algorithm other than
	// ECDSA P-256 and Ed25519 (RSA, ECDSA P-384, ...) or a private key in
	// another encrypted format (PKCS #8 "ENCRYPTED PRIVATE KEY", OpenSSH).
	ErrUnsupportedKey = errors.New("unsupported key")
	// ErrExists: WriteKeyPair would overwrite a file.
	ErrExists = errors.New("file already exists")
)

// PEM block types.
const (
	pemPublicKey       = "PUBLIC KEY"
	pemSigstoreKey     = "ENCRYPTED SIGSTORE PRIVATE KEY"
	pemCosignLegacyKey = "ENCRYPTED COSIGN PRIVATE KEY"
)

// supportedAlgorithms is the list quoted in error messages.
const supportedAlgorithms = "ecdsa-p256 (the default) or ed25519"

// ParseAlgorithm parses an algorithm name: "ecdsa-p256" or "ed25519"; the
// empty string means ECDSAP256.
func ParseAlgorithm(s string) (Algorithm, error) {
	switch Algorithm(s) {
	case "", ECDSAP256:
		return ECDSAP256, nil
	case Ed25519:
		return Ed25519, nil
	}
	return "", fmt.Errorf("unknown key algorithm %q: use %s", s, supportedAlgorithms)
}

// Fingerprint identifies a public key: the lowercase hex SHA-256 of its DER
// SubjectPublicKeyInfo, 64 characters.
type Fingerprint string

// Short returns the first 16 hex digits of the fingerprint, for people to
// read. It is not meant to identify a key.
func (f Fingerprint) Short() string {
	if len(f) < 16 {
		return string(f)
	}
	return string(f[:16])
}

// ParseFingerprint parses a fingerprint: exactly 64 hex digits in either
// case, optionally prefixed "sha256:". The result is lowercase.
func ParseFingerprint(s string) (Fingerprint, error) {
	t := strings.TrimPrefix(s, "sha256:")
	if len(t) != 2*sha256.Size {
		return "", fmt.Errorf("%q is not a key fingerprint: want 64 hex digits, got %d characters", s, len(t))
	}
	if _, err := hex.DecodeString(t); err != nil {
		return "", fmt.Errorf("%q is not a key fingerprint: want 64 hex digits (0-9, a-f)", s)
	}
	return Fingerprint(strings.ToLower(t)), nil
}

func fingerprintOf(der []byte) Fingerprint {
	sum := sha256.Sum256(der)
	return Fingerprint(hex.EncodeToString(sum[:]))
}

// PublicKey is a parsed ECDSA P-256 or Ed25519 public key. It is immutable
// and safe for concurrent use.
type PublicKey struct {
	ec  *ecdsa.PublicKey  // set for ECDSAP256
	ed  ed25519.PublicKey // set for Ed25519
	der []byte            // canonical DER SubjectPublicKeyInfo
	fp  Fingerprint
	alg Algorithm
}

// ParsePublicKey parses a PEM "PUBLIC KEY" block holding the DER
// SubjectPublicKeyInfo of an ECDSA P-256 or Ed25519 key, as cosign writes
// in cosign.pub. Text before the block is ignored; anything but white space
// after it is refused. Errors wrap ErrNotAKey or ErrUnsupportedKey.
func ParsePublicKey(pemBytes []byte) (*PublicKey, error) {
	block, rest := pem.Decode(pemBytes)
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block found", ErrNotAKey)
	}
	if block.Type != pemPublicKey {
		if strings.Contains(block.Type, "PRIVATE KEY") {
			return nil, fmt.Errorf("%w: PEM %q is a private key, not a public key", ErrNotAKey, block.Type)
		}
		return nil, fmt.Errorf("%w: PEM type %q, want %q", ErrNotAKey, block.Type, pemPublicKey)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, fmt.Errorf("%w: data after the PEM %q block", ErrNotAKey, pemPublicKey)
	}
	return PublicKeyFromDER(block.Bytes)
}

// PublicKeyFromDER parses a DER SubjectPublicKeyInfo of an ECDSA P-256 or
// Ed25519 key. The DER must be canonical (what Go, cosign and OpenSSL
// write), so that a key has exactly one encoding and one fingerprint. Errors
// wrap ErrNotAKey or ErrUnsupportedKey.
func PublicKeyFromDER(der []byte) (*PublicKey, error) {
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: bad public key: %w (a key must be a DER SubjectPublicKeyInfo with an uncompressed P-256 point or an Ed25519 key, as cosign and openssl write)", ErrNotAKey, err)
	}
	pub, err := newPublicKey(k)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(pub.der, der) {
		return nil, fmt.Errorf("%w: public key DER is not in canonical form (one encoding per key, so one fingerprint): re-export it with cosign or openssl", ErrNotAKey)
	}
	return pub, nil
}

// newPublicKey checks the algorithm of k and computes its DER and
// fingerprint. k must not be modified afterwards.
func newPublicKey(k crypto.PublicKey) (*PublicKey, error) {
	p := &PublicKey{}
	switch k := k.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("%w: ECDSA on curve %s; verbatim supports ECDSA P-256 and Ed25519", ErrUnsupportedKey, curveName(k.Curve))
		}
		p.ec, p.alg = k, ECDSAP256
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: Ed25519 public key of %d bytes", ErrNotAKey, len(k))
		}
		p.ed, p.alg = bytes.Clone(k), Ed25519
	default:
		return nil, fmt.Errorf("%w: %s key; verbatim supports ECDSA P-256 and Ed25519", ErrUnsupportedKey, keyTypeName(k))
	}
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotAKey, err)
	}
	p.der, p.fp = der, fingerprintOf(der)
	return p, nil
}

func curveName(c elliptic.Curve) string {
	if c == nil || c.Params() == nil {
		return "unknown"
	}
	return c.Params().Name
}

func keyTypeName(k any) string {
	switch k := k.(type) {
	case *rsa.PublicKey, *rsa.PrivateKey:
		return "RSA"
	case *ecdsa.PublicKey:
		return "ECDSA " + curveName(k.Curve)
	case *ecdsa.PrivateKey:
		return "ECDSA " + curveName(k.Curve)
	}
	return fmt.Sprintf("%T", k)
}

// Fingerprint returns the key's fingerprint.
func (k *PublicKey) Fingerprint() Fingerprint { return k.fp }

// Algorithm returns the key's algorithm.
func (k *PublicKey) Algorithm() Algorithm { return k.alg }

// DER returns a copy of the key's DER SubjectPublicKeyInfo, the bytes its
// fingerprint is the SHA-256 of.
func (k *PublicKey) DER() []byte { return bytes.Clone(k.der) }

// PEM returns the key as a PEM "PUBLIC KEY" block: the same bytes cosign
// writes to cosign.pub.
func (k *PublicKey) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: pemPublicKey, Bytes: k.der})
}

// Crypto returns a copy of the underlying key: an *ecdsa.PublicKey or an
// ed25519.PublicKey.
func (k *PublicKey) Crypto() crypto.PublicKey {
	c, err := x509.ParsePKIXPublicKey(bytes.Clone(k.der)) // the result may alias its input
	if err != nil {
		return nil // only for a zero PublicKey
	}
	return c
}

// Verify checks sig over msg. For ECDSAP256 sig is an ASN.1 DER ECDSA
// signature over SHA-256(msg), as cosign and sigstore make, in its one
// canonical form: minimal DER (ecdsa.VerifyASN1 refuses any other) and low
// S (s ≤ n/2; the high-S twin of a valid signature is refused). For Ed25519
// it is a pure Ed25519 signature over msg (crypto/ed25519 refuses S ≥ L). It returns an error wrapping
// ErrBadSignature if the signature does not verify. It does not allocate for
// Ed25519 and is safe for concurrent use.
func (k *PublicKey) Verify(msg, sig []byte) error {
	if k == nil {
		return fmt.Errorf("%w: no key", ErrBadSignature)
	}
	ok := false
	switch k.alg {
	case ECDSAP256:
		digest := sha256.Sum256(msg)
		ok = ecdsa.VerifyASN1(k.ec, digest[:], sig)
		if ok && !isLowS(sig) {
			return fmt.Errorf("%w with %s key %s: %w", ErrBadSignature, k.alg, k.fp.Short(), errHighS)
		}
	case Ed25519:
		ok = len(sig) == ed25519.SignatureSize && ed25519.Verify(k.ed, msg, sig)
	default:
		return fmt.Errorf("%w: uninitialised key", ErrBadSignature)
	}
	if !ok {
		return fmt.Errorf("%w with %s key %s", ErrBadSignature, k.alg, k.fp.Short())
	}
	return nil
}
