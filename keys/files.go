package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// PEM types of encrypted private keys: sigstore's current one and cosign's legacy one.
const (
	encryptedSigstoreType = "ENCRYPTED SIGSTORE PRIVATE KEY"
	encryptedCosignType   = "ENCRYPTED COSIGN PRIVATE KEY"
)

// maxKeyFile bounds what is read as a key file; real ones are under 1 KiB.
const maxKeyFile = 64 << 10

// Generate creates a key pair and returns the encrypted private key PEM
// (what `cosign generate-key-pair` writes) and the public key PEM.
func Generate(alg Algorithm, password []byte) (privPEM, pubPEM []byte, err error) {
	if len(password) == 0 {
		return nil, nil, errors.New("an empty password is not allowed: the private key is always encrypted")
	}
	var priv any
	switch alg {
	case ECDSAP256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case Ed25519:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, nil, fmt.Errorf("unknown algorithm %q: use ecdsa-p256 or ed25519", alg)
	}
	if err != nil {
		return nil, nil, err
	}
	k, err := newPrivateKey(priv)
	if err != nil {
		return nil, nil, err
	}
	sealed, err := cryptoutils.MarshalPrivateKeyToEncryptedDER(priv, cryptoutils.StaticPasswordFunc(password))
	if err != nil {
		return nil, nil, fmt.Errorf("encrypting private key: %w", err)
	}
	privPEM = cryptoutils.PEMEncode(cryptoutils.EncryptedSigstorePrivateKeyPEMType, sealed)
	return privPEM, k.pub.PEM(), nil
}

// ParsePrivateKey decrypts an encrypted private key file's contents. Errors
// wrap ErrWrongPassword, ErrPublicKeyGiven, ErrNotAKey, ErrUnencryptedKey or
// ErrUnsupportedKey.
func ParsePrivateKey(pemBytes, password []byte) (*PrivateKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block", ErrNotAKey)
	}
	switch block.Type {
	case encryptedSigstoreType, encryptedCosignType:
	case "PUBLIC KEY":
		return nil, ErrPublicKeyGiven
	case "PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY", "OPENSSH PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
		return nil, fmt.Errorf("%w (PEM %q): encrypt it with cosign (cosign import-key-pair) or generate a new key", ErrUnencryptedKey, block.Type)
	default:
		return nil, fmt.Errorf("%w: PEM type %q", ErrNotAKey, block.Type)
	}
	k, err := cryptoutils.UnmarshalPEMToPrivateKey(pemBytes, cryptoutils.StaticPasswordFunc(password))
	if err != nil {
		if strings.Contains(err.Error(), "decryption failed") {
			return nil, ErrWrongPassword
		}
		return nil, fmt.Errorf("%w: encrypted key: %v", ErrNotAKey, err)
	}
	return newPrivateKey(k)
}

// WriteKeyPair writes PREFIX.key (mode 0600) and PREFIX.pub (mode 0644). It
// refuses, writing nothing, if either exists; if the second write fails it
// removes the first file.
func WriteKeyPair(prefix string, privPEM, pubPEM []byte) (keyPath, pubPath string, err error) {
	keyPath, pubPath = prefix+".key", prefix+".pub"
	for _, p := range []string{keyPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return "", "", fmt.Errorf("%w: %s; choose another --output or remove it", ErrExists, p)
		}
	}
	if err := writeNew(keyPath, privPEM, 0o600); err != nil {
		return "", "", err
	}
	if err := writeNew(pubPath, pubPEM, 0o644); err != nil {
		os.Remove(keyPath)
		return "", "", err
	}
	return keyPath, pubPath, nil
}

func writeNew(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%w: %s", ErrExists, path)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	err = f.Chmod(perm)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// readKeyFile reads a key file with errors that name it.
func readKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("key file %s does not exist", path)
		}
		return nil, fmt.Errorf("reading key file %s: %w", path, err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("key file %s is a directory", path)
	}
	if fi.Size() > maxKeyFile {
		return nil, fmt.Errorf("%s is not a key file (%d bytes): %w", path, fi.Size(), ErrNotAKey)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading key file %s: %w", path, err)
	}
	return data, nil
}

// ReadPublicKeyFile reads and parses a public key file.
func ReadPublicKeyFile(path string) (*PublicKey, error) {
	data, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	k, err := ParsePublicKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: expected a PEM public key: %w", path, err)
	}
	return k, nil
}

// ReadPrivateKeyFile reads and decrypts a private key file.
func ReadPrivateKeyFile(path string, password []byte) (*PrivateKey, error) {
	data, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	k, err := ParsePrivateKey(data, password)
	switch {
	case errors.Is(err, ErrPublicKeyGiven):
		return nil, fmt.Errorf("%s is a public key; signing needs the private key file: %w", path, err)
	case errors.Is(err, ErrWrongPassword):
		return nil, fmt.Errorf("%s: %w (check VERBATIM_PASSWORD)", path, err)
	case errors.Is(err, ErrNotAKey):
		return nil, fmt.Errorf("%s is not a key file: expected an encrypted sigstore/cosign private key: %w", path, err)
	case err != nil:
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// FileFingerprint returns the fingerprint of the key in a public or private
// key file; password is called only for a private key.
func FileFingerprint(path string, password func() ([]byte, error)) (Fingerprint, error) {
	data, err := readKeyFile(path)
	if err != nil {
		return "", err
	}
	if k, err := ParsePublicKey(data); err == nil {
		return k.Fingerprint(), nil
	}
	block, _ := pem.Decode(data)
	if block == nil || !isPrivateType(block.Type) {
		return "", fmt.Errorf("%s is not a key file: expected a PEM public key or an encrypted sigstore/cosign private key: %w", path, ErrNotAKey)
	}
	pw, err := password()
	if err != nil {
		return "", err
	}
	k, err := ReadPrivateKeyFile(path, pw)
	if err != nil {
		return "", err
	}
	return k.Public().Fingerprint(), nil
}

// ParseTrust interprets a --trust argument: a fingerprint, or the path of a
// public key file.
func ParseTrust(arg string) (Fingerprint, error) {
	if fp, err := ParseFingerprint(arg); err == nil {
		return fp, nil
	}
	if _, err := os.Stat(arg); err != nil {
		return "", fmt.Errorf("--trust %s: neither a key fingerprint (64 hex digits) nor an existing public key file", arg)
	}
	k, err := ReadPublicKeyFile(arg)
	if err != nil {
		return "", fmt.Errorf("--trust needs a public key file or a fingerprint: %w", err)
	}
	return k.Fingerprint(), nil
}
