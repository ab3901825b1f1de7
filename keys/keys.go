package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/sigstore/sigstore/pkg/signature"
)

// Algorithm names a signature algorithm verbatim supports.
type Algorithm string

// The supported algorithms.
const (
	ECDSAP256 Algorithm = "ecdsa-p256"
	Ed25519   Algorithm = "ed25519"
)

// Errors callers distinguish, wrapped with context.
var (
	ErrBadSignature   = errors.New("signature does not verify")
	ErrWrongPassword  = errors.New("wrong password")
	ErrPublicKeyGiven = errors.New("a public key where a private key is needed")
	ErrNotAKey        = errors.New("not a key file")
	ErrUnencryptedKey = errors.New("unencrypted private key")
	ErrUnsupportedKey = errors.New("unsupported key type")
	ErrExists         = errors.New("file already exists")
)

// ParseAlgorithm parses an algorithm name; "" means ECDSAP256.
func ParseAlgorithm(s string) (Algorithm, error) {
	switch Algorithm(s) {
	case "", ECDSAP256:
		return ECDSAP256, nil
	case Ed25519:
		return Ed25519, nil
	}
	return "", fmt.Errorf("unknown algorithm %q: use ecdsa-p256 or ed25519", s)
}

// Fingerprint is the lowercase hex SHA-256 of a key's DER SubjectPublicKeyInfo.
type Fingerprint string

// Short is the first 16 hex digits, for people to read.
func (f Fingerprint) Short() string {
	if len(f) < 16 {
		return string(f)
	}
	return string(f[:16])
}

// ParseFingerprint parses 64 hex digits, optionally prefixed "sha256:".
func ParseFingerprint(s string) (Fingerprint, error) {
	t := strings.ToLower(strings.TrimPrefix(s, "sha256:"))
	if b, err := hex.DecodeString(t); err != nil || len(b) != sha256.Size {
		return "", fmt.Errorf("%q is not a key fingerprint (64 hex digits)", s)
	}
	return Fingerprint(t), nil
}

// PublicKey is a parsed ECDSA P-256 or Ed25519 public key. It is immutable
// and safe for concurrent use.
type PublicKey struct {
	key crypto.PublicKey
	v   signature.Verifier
	der []byte
	fp  Fingerprint
	alg Algorithm
}

// ParsePublicKey parses a PEM "PUBLIC KEY" file.
func ParsePublicKey(pemBytes []byte) (*PublicKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block", ErrNotAKey)
	}
	if block.Type != "PUBLIC KEY" {
		if isPrivateType(block.Type) {
			return nil, fmt.Errorf("%w: PEM %q is a private key", ErrNotAKey, block.Type)
		}
		return nil, fmt.Errorf("%w: PEM type %q", ErrNotAKey, block.Type)
	}
	return PublicKeyFromDER(block.Bytes)
}

// PublicKeyFromDER parses a DER SubjectPublicKeyInfo.
func PublicKeyFromDER(der []byte) (*PublicKey, error) {
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotAKey, err)
	}
	return newPublicKey(k)
}

func newPublicKey(k crypto.PublicKey) (*PublicKey, error) {
	var alg Algorithm
	switch k := k.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("%w: ECDSA on %s; use P-256", ErrUnsupportedKey, k.Curve.Params().Name)
		}
		alg = ECDSAP256
	case ed25519.PublicKey:
		alg = Ed25519
	default:
		return nil, fmt.Errorf("%w: %T; use ECDSA P-256 or Ed25519", ErrUnsupportedKey, k)
	}
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedKey, err)
	}
	v, err := signature.LoadVerifier(k, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedKey, err)
	}
	sum := sha256.Sum256(der)
	return &PublicKey{key: k, v: v, der: der, fp: Fingerprint(hex.EncodeToString(sum[:])), alg: alg}, nil
}

// Fingerprint returns the key's fingerprint.
func (k *PublicKey) Fingerprint() Fingerprint { return k.fp }

// Algorithm returns the key's algorithm.
func (k *PublicKey) Algorithm() Algorithm { return k.alg }

// DER returns a copy of the key's DER SubjectPublicKeyInfo.
func (k *PublicKey) DER() []byte { return append([]byte(nil), k.der...) }

// PEM returns the key as a PEM "PUBLIC KEY" block, as cosign writes it.
func (k *PublicKey) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: k.der})
}

// Crypto returns the underlying *ecdsa.PublicKey or ed25519.PublicKey.
func (k *PublicKey) Crypto() crypto.PublicKey { return k.key }

// Verify checks sig over msg. It returns an error wrapping ErrBadSignature
// if the signature does not verify.
func (k *PublicKey) Verify(msg, sig []byte) error {
	if err := k.v.VerifySignature(bytes.NewReader(sig), bytes.NewReader(msg)); err != nil {
		return fmt.Errorf("%w with key %s", ErrBadSignature, k.fp.Short())
	}
	return nil
}

// PrivateKey is a decrypted private key. It is safe for concurrent use.
type PrivateKey struct {
	sv  signature.SignerVerifier
	pub *PublicKey
}

// Public returns the key's public half.
func (k *PrivateKey) Public() *PublicKey { return k.pub }

// Sign signs msg: ECDSA P-256 over SHA-256(msg), ASN.1 DER; Ed25519 over msg.
func (k *PrivateKey) Sign(msg []byte) ([]byte, error) {
	return k.sv.SignMessage(bytes.NewReader(msg))
}

func newPrivateKey(k any) (*PrivateKey, error) {
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, k)
	}
	pub, err := newPublicKey(signer.Public())
	if err != nil {
		return nil, err
	}
	sv, err := signature.LoadSignerVerifier(signer, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedKey, err)
	}
	return &PrivateKey{sv: sv, pub: pub}, nil
}

func isPrivateType(t string) bool { return strings.Contains(t, "PRIVATE KEY") }
