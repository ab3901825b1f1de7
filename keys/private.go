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
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// PrivateKey is a decrypted ECDSA P-256 or Ed25519 private key. It is safe
// for concurrent use.
type PrivateKey struct {
	ec  *ecdsa.PrivateKey        // set for ECDSAP256
	ed  ed25519.PrivateKey       // set for Ed25519
	sv  signature.SignerVerifier // sigstore's signer for the key
	pub *PublicKey
}

// Public returns the key's public half.
func (k *PrivateKey) Public() *PublicKey {
	if k == nil {
		return nil
	}
	return k.pub
}

// Sign signs msg. For ECDSAP256 the signature is ASN.1 DER ECDSA over
// SHA-256(msg) (randomised, in low-S form), for Ed25519 pure Ed25519 over msg: what
// PublicKey.Verify checks.
func (k *PrivateKey) Sign(msg []byte) ([]byte, error) {
	if k == nil || k.pub == nil {
		return nil, errors.New("signing with an uninitialised private key")
	}
	sig, err := k.sv.SignMessage(bytes.NewReader(msg))
	if err != nil {
		return nil, fmt.Errorf("signing with key %s: %w", k.pub.fp.Short(), err)
	}
	if k.pub.alg == ECDSAP256 {
		return lowS(sig) // the one form verifiers accept
	}
	return sig, nil
}

// withSigner loads sigstore's signer for k: ECDSA over SHA-256, pure Ed25519.
func withSigner(p *PrivateKey, k crypto.PrivateKey) (*PrivateKey, error) {
	sv, err := signature.LoadSignerVerifier(k, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnsupportedKey, err)
	}
	p.sv = sv
	return p, nil
}

// newPrivateKey wraps a key parsed from PKCS #8 or freshly generated.
func newPrivateKey(k any) (*PrivateKey, error) {
	switch k := k.(type) {
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("%w: ECDSA on curve %s; verbatim supports ECDSA P-256 and Ed25519", ErrUnsupportedKey, curveName(k.Curve))
		}
		pub, err := newPublicKey(&k.PublicKey)
		if err != nil {
			return nil, err
		}
		return withSigner(&PrivateKey{ec: k, pub: pub}, k)
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return nil, fmt.Errorf("%w: Ed25519 private key of %d bytes", ErrNotAKey, len(k))
		}
		pub, err := newPublicKey(k.Public())
		if err != nil {
			return nil, err
		}
		return withSigner(&PrivateKey{ed: k, pub: pub}, k)
	}
	return nil, fmt.Errorf("%w: %s private key; verbatim supports ECDSA P-256 and Ed25519", ErrUnsupportedKey, keyTypeName(k))
}

// The encrypted private key format, go-securesystemslib's encrypted package.
const (
	kdfScrypt       = "scrypt"
	cipherSecretbox = "nacl/secretbox"
	saltSize        = 32
	nonceSize       = 24
	secretboxTag    = 16
	// maxEncrypted bounds the JSON inside an encrypted key PEM block. An
	// encrypted P-256 key is about 400 bytes, an RSA-4096 key about 3.4 KiB.
	maxEncrypted = 16 << 10
)

// scryptParams are the parameter sets go-securesystemslib writes and
// accepts: legacy (N=2^15), standard (N=2^16, what cosign writes today) and
// OWASP (N=2^17). Each costs at most 128 MiB and well under a second.
var scryptParams = [...]struct{ N, R, P int }{
	{32768, 8, 1},
	{65536, 8, 1},
	{131072, 8, 1},
}

// encryptedKey mirrors the JSON go-securesystemslib's encrypted package writes.
type encryptedKey struct {
	KDF struct {
		Name   string `json:"name"`
		Params struct {
			N int `json:"N"`
			R int `json:"r"`
			P int `json:"p"`
		} `json:"params"`
		Salt []byte `json:"salt"`
	} `json:"kdf"`
	Cipher struct {
		Name  string `json:"name"`
		Nonce []byte `json:"nonce"`
	} `json:"cipher"`
	Ciphertext []byte `json:"ciphertext"`
}

// checkEncrypted checks everything about the encrypted JSON that can be
// checked without the password, so that decrypting it costs one scrypt with
// standard parameters and can fail only for a wrong password (or an altered
// ciphertext, which secretbox cannot tell apart).
func checkEncrypted(b []byte) error {
	if len(b) > maxEncrypted {
		return fmt.Errorf("%w: encrypted key of %d bytes is too large", ErrNotAKey, len(b))
	}
	var e encryptedKey
	if err := json.Unmarshal(b, &e); err != nil {
		return fmt.Errorf("%w: encrypted key is not the JSON cosign writes: %w", ErrNotAKey, err)
	}
	if e.KDF.Name != kdfScrypt {
		return fmt.Errorf("%w: encrypted key uses KDF %q, want %q", ErrNotAKey, e.KDF.Name, kdfScrypt)
	}
	ok := false
	for _, p := range scryptParams {
		ok = ok || (e.KDF.Params.N == p.N && e.KDF.Params.R == p.R && e.KDF.Params.P == p.P)
	}
	if !ok {
		return fmt.Errorf("%w: encrypted key has unsupported scrypt parameters N=%d r=%d p=%d (want N=32768, 65536 or 131072, r=8, p=1)",
			ErrNotAKey, e.KDF.Params.N, e.KDF.Params.R, e.KDF.Params.P)
	}
	if len(e.KDF.Salt) != saltSize {
		return fmt.Errorf("%w: encrypted key has a %d-byte scrypt salt, want %d", ErrNotAKey, len(e.KDF.Salt), saltSize)
	}
	if e.Cipher.Name != cipherSecretbox {
		return fmt.Errorf("%w: encrypted key uses cipher %q, want %q", ErrNotAKey, e.Cipher.Name, cipherSecretbox)
	}
	if len(e.Cipher.Nonce) != nonceSize {
		return fmt.Errorf("%w: encrypted key has a %d-byte nonce, want %d", ErrNotAKey, len(e.Cipher.Nonce), nonceSize)
	}
	if len(e.Ciphertext) < secretboxTag {
		return fmt.Errorf("%w: encrypted key has a %d-byte ciphertext", ErrNotAKey, len(e.Ciphertext))
	}
	return nil
}

// ParsePrivateKey decrypts an encrypted private key: a PEM "ENCRYPTED
// SIGSTORE PRIVATE KEY" or legacy "ENCRYPTED COSIGN PRIVATE KEY" block, as
// written by `cosign generate-key-pair` and by Generate, holding an ECDSA
// P-256 or Ed25519 key. An empty password is tried like any other (cosign
// allows one). Errors wrap one of:
//
//   - ErrWrongPassword: the key does not decrypt with password;
//   - ErrPublicKeyGiven: the input is a PEM "PUBLIC KEY";
//   - ErrNotAKey: the input is not PEM, is PEM of an unrelated type, or is
//     malformed inside (including scrypt parameters other than the standard
//     ones, which are refused before any key derivation);
//   - ErrUnencryptedKey: the input is an unencrypted PEM "PRIVATE KEY" or
//     "EC PRIVATE KEY" of a supported algorithm;
//   - ErrUnsupportedKey: the key is of another algorithm (RSA, ECDSA P-384,
//     ...) or in another encrypted format.
func ParsePrivateKey(pemBytes, password []byte) (*PrivateKey, error) {
	sealed, err := sealedKey(pemBytes)
	if err != nil {
		return nil, err
	}
	der, err := encrypted.Decrypt(sealed, password)
	if err != nil {
		// checkEncrypted leaves only secretbox.Open to fail, which is a
		// wrong password or an altered ciphertext.
		return nil, ErrWrongPassword
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	clear(der)
	if err != nil {
		return nil, fmt.Errorf("%w: decrypted key is not PKCS #8: %w", ErrNotAKey, err)
	}
	return newPrivateKey(k)
}

// sealedKey returns the encrypted JSON of an encrypted private key PEM,
// having checked all that can be checked without the password.
func sealedKey(pemBytes []byte) ([]byte, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block found", ErrNotAKey)
	}
	switch block.Type {
	case pemSigstoreKey, pemCosignLegacyKey:
	case pemPublicKey:
		return nil, fmt.Errorf("%w: PEM %q", ErrPublicKeyGiven, block.Type)
	default:
		return nil, otherPEM(block)
	}
	if err := checkEncrypted(block.Bytes); err != nil {
		return nil, err
	}
	return block.Bytes, nil
}

// otherPEM classifies a PEM block that is neither an encrypted sigstore
// private key nor a public key.
func otherPEM(block *pem.Block) error {
	const advice = "verbatim reads only encrypted keys: encrypt it with 'cosign import-key-pair --key FILE' or generate a new one with 'verbatim keys generate'"
	if _, encryptedPEM := block.Headers["DEK-Info"]; encryptedPEM {
		return fmt.Errorf("%w: legacy encrypted PEM %q; %s", ErrUnsupportedKey, block.Type, "import it with 'cosign import-key-pair --key FILE'")
	}
	var k any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		return fmt.Errorf("%w: RSA private key (PEM %q); verbatim supports ECDSA P-256 and Ed25519", ErrUnsupportedKey, block.Type)
	case "ENCRYPTED PRIVATE KEY":
		return fmt.Errorf("%w: PKCS #8 encrypted private key (PEM %q) is not cosign's format; import it with 'cosign import-key-pair --key FILE'", ErrUnsupportedKey, block.Type)
	case "OPENSSH PRIVATE KEY":
		return fmt.Errorf("%w: OpenSSH private key; verbatim reads cosign's encrypted key files", ErrUnsupportedKey)
	default:
		return fmt.Errorf("%w: PEM type %q, want %q", ErrNotAKey, block.Type, pemSigstoreKey)
	}
	if err != nil {
		return fmt.Errorf("%w: PEM %q holds a malformed key: %w", ErrNotAKey, block.Type, err)
	}
	if _, err := newPrivateKey(k); err != nil {
		if errors.Is(err, ErrUnsupportedKey) {
			return fmt.Errorf("unencrypted key: %w", err)
		}
		return err
	}
	return fmt.Errorf("%w (PEM %q): %s", ErrUnencryptedKey, block.Type, advice)
}

// Generate creates a key pair of algorithm alg. It returns the private key
// PKCS #8 DER encrypted with password by go-securesystemslib's
// encrypted.Encrypt in a PEM "ENCRYPTED SIGSTORE PRIVATE KEY" block, exactly
// as `cosign generate-key-pair` writes cosign.key, and the public key PEM as
// cosign writes cosign.pub. It refuses an empty password.
func Generate(alg Algorithm, password []byte) (privPEM, pubPEM []byte, err error) {
	if len(password) == 0 {
		return nil, nil, errors.New("refusing an empty password: the private key file must be encrypted with a password")
	}
	var priv crypto.Signer
	switch alg {
	case ECDSAP256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case Ed25519:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, nil, fmt.Errorf("unknown key algorithm %q: use %s", alg, supportedAlgorithms)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("generating %s key: %w", alg, err)
	}
	k, err := newPrivateKey(priv)
	if err != nil {
		return nil, nil, err
	}
	// sigstore's own encoding: PKCS #8, then go-securesystemslib's encrypted.
	sealed, err := cryptoutils.MarshalPrivateKeyToEncryptedDER(priv, cryptoutils.StaticPasswordFunc(password))
	if err != nil {
		return nil, nil, fmt.Errorf("encrypting private key: %w", err)
	}
	privPEM = cryptoutils.PEMEncode(cryptoutils.EncryptedSigstorePrivateKeyPEMType, sealed)
	return privPEM, k.pub.PEM(), nil
}

// isEncryptedPrivatePEM reports whether b is a single PEM block of an
// encrypted sigstore or cosign private key.
func isEncryptedPrivatePEM(b []byte) bool {
	block, rest := pem.Decode(b)
	return block != nil && (block.Type == pemSigstoreKey || block.Type == pemCosignLegacyKey) &&
		len(bytes.TrimSpace(rest)) == 0 && checkEncrypted(block.Bytes) == nil
}

// NoteSignerKey returns the key as a signed-note signer key string,
// "PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>", the form
// golang.org/x/mod/sumdb/note and transparency-dev/formats take, for
// signing as a witness (C2SP tlog-cosignature). Only Ed25519 keys can; the
// string holds the private key, so callers keep it in memory only.
func (k *PrivateKey) NoteSignerKey(name string) (string, error) {
	if k == nil || k.pub == nil || k.pub.alg != Ed25519 {
		return "", fmt.Errorf("%w: witness keys are Ed25519 (make one with keys generate --algorithm ed25519)", ErrUnsupportedKey)
	}
	pub := append([]byte{0x01}, k.ed.Public().(ed25519.PublicKey)...)
	h := sha256.Sum256(append([]byte(name+"\n"), pub...))
	seed := append([]byte{0x01}, k.ed.Seed()...)
	return fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, binary.BigEndian.Uint32(h[:4]), base64.StdEncoding.EncodeToString(seed)), nil
}
