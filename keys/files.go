package keys

import (
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// openFile is os.OpenFile, replaced in tests to inject failures.
var openFile = os.OpenFile

// maxKeyFile bounds what is read as a key file; real ones are under 4 KiB.
const maxKeyFile = 64 << 10

// WriteKeyPair writes privPEM to PREFIX.key with mode 0600 and pubPEM to
// PREFIX.pub with mode 0644 (less if the umask says so). If either file
// exists it writes nothing and returns an error wrapping ErrExists that names
// the file. Files are created with O_EXCL, so a file that appears meanwhile
// is never overwritten; if the second file cannot be written the first is
// removed, so either both files are written or neither is. privPEM must be
// an encrypted sigstore/cosign private key (as Generate returns) and pubPEM
// a public key: WriteKeyPair never writes an unencrypted private key.
func WriteKeyPair(prefix string, privPEM, pubPEM []byte) (keyPath, pubPath string, err error) {
	if prefix == "" {
		return "", "", errors.New("writing key pair: empty path prefix")
	}
	if !isEncryptedPrivatePEM(privPEM) {
		return "", "", errors.New("writing key pair: the private key is not an encrypted sigstore private key PEM")
	}
	if _, err := ParsePublicKey(pubPEM); err != nil {
		return "", "", fmt.Errorf("writing key pair: %w", err)
	}
	keyPath, pubPath = prefix+".key", prefix+".pub"
	for _, p := range []string{keyPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return "", "", fmt.Errorf("%w: %s; remove it or choose another prefix", ErrExists, p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", "", fmt.Errorf("writing key pair: %w", err)
		}
	}
	if err := writeNew(keyPath, privPEM, 0o600, true); err != nil {
		return "", "", err
	}
	if err := writeNew(pubPath, pubPEM, 0o644, false); err != nil {
		os.Remove(keyPath)
		return "", "", err
	}
	return keyPath, pubPath, nil
}

// writeNew creates path, which must not exist, and writes data to it. With
// chmod it sets perm whatever the umask. On error it removes what it created.
func writeNew(path string, data []byte, perm os.FileMode, chmod bool) error {
	f, err := openFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%w: %s; remove it or choose another prefix", ErrExists, path)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, unwrapPath(err))
	}
	if chmod {
		err = f.Chmod(perm)
	}
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
		return fmt.Errorf("writing %s: %w", path, unwrapPath(err))
	}
	return nil
}

// unwrapPath drops the *fs.PathError around err, whose path the caller's
// message already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readKeyFile reads a key file, with errors that name it.
func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading key file %s: %w", path, unwrapPath(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading key file %s: %w", path, unwrapPath(err))
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("reading key file %s: is a directory", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading key file %s: %w", path, unwrapPath(err))
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("%s is not a key file (larger than %d bytes): %w", path, maxKeyFile, ErrNotAKey)
	}
	return data, nil
}

// siblingPath returns path with its suffix from replaced by to, or "" if
// path does not end in from.
func siblingPath(path, from, to string) string {
	if s, ok := strings.CutSuffix(path, from); ok && s != "" {
		return s + to
	}
	return ""
}

// ReadPublicKeyFile reads and parses a public key file (PEM "PUBLIC KEY").
// Errors name the file and wrap those of ParsePublicKey.
func ReadPublicKeyFile(path string) (*PublicKey, error) {
	data, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	k, err := ParsePublicKey(data)
	if err == nil {
		return k, nil
	}
	if errors.Is(err, ErrNotAKey) && looksPrivate(data) {
		if pub := siblingPath(path, ".key", ".pub"); pub != "" {
			return nil, fmt.Errorf("%s is a private key; give the public key file (%s): %w", path, pub, err)
		}
		return nil, fmt.Errorf("%s is a private key; give the public key file: %w", path, err)
	}
	if errors.Is(err, ErrNotAKey) {
		return nil, fmt.Errorf("%s is not a public key file: expected a PEM public key: %w", path, err)
	}
	return nil, fmt.Errorf("%s: %w", path, err)
}

// looksPrivate reports whether data starts with a PEM private key block.
func looksPrivate(data []byte) bool {
	block, _ := pem.Decode(data)
	return block != nil && strings.Contains(block.Type, "PRIVATE KEY")
}

// ReadPrivateKeyFile reads and decrypts an encrypted private key file.
// Errors name the file, say what to do, and wrap those of ParsePrivateKey.
func ReadPrivateKeyFile(path string, password []byte) (*PrivateKey, error) {
	data, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	k, err := ParsePrivateKey(data, password)
	if err != nil {
		return nil, privateKeyFileError(path, err)
	}
	return k, nil
}

// privateKeyFileError puts a ParsePrivateKey error in terms of the file.
func privateKeyFileError(path string, err error) error {
	switch {
	case errors.Is(err, ErrPublicKeyGiven):
		if key := siblingPath(path, ".pub", ".key"); key != "" {
			return fmt.Errorf("%s is a public key; signing needs the private key file (%s): %w", path, key, err)
		}
		return fmt.Errorf("%s is a public key; signing needs the private key file: %w", path, err)
	case errors.Is(err, ErrWrongPassword):
		return fmt.Errorf("%s: %w (check VERBATIM_PASSWORD)", path, err)
	case errors.Is(err, ErrNotAKey):
		return fmt.Errorf("%s is not a key file: expected an encrypted sigstore/cosign private key: %w", path, err)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// FileFingerprint returns the fingerprint of the key in a file. For a public
// key file that is direct; for an encrypted private key file it calls
// password (only then) and decrypts the key to derive its public key.
func FileFingerprint(path string, password func() ([]byte, error)) (Fingerprint, error) {
	data, err := readKeyFile(path)
	if err != nil {
		return "", err
	}
	pub, err := ParsePublicKey(data)
	if err == nil {
		return pub.Fingerprint(), nil
	}
	if errors.Is(err, ErrUnsupportedKey) {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	if !looksPrivate(data) {
		return "", fmt.Errorf("%s is not a key file: expected a PEM public key or an encrypted sigstore/cosign private key: %w", path, err)
	}
	// Refuse what ParsePrivateKey would refuse before asking for a password.
	if _, err := sealedKey(data); err != nil {
		return "", privateKeyFileError(path, err)
	}
	pw, err := password()
	if err != nil {
		return "", fmt.Errorf("password for %s: %w", path, err)
	}
	k, err := ReadPrivateKeyFile(path, pw)
	if err != nil {
		return "", err
	}
	return k.Public().Fingerprint(), nil
}

// ParseTrust interprets a --trust argument: a fingerprint (64 hex digits,
// optionally prefixed "sha256:"), or else the path of a public key file,
// whose key's fingerprint it returns. A private key file is refused with an
// error wrapping ErrNotAKey: trust is given by public key. Errors name arg.
func ParseTrust(arg string) (Fingerprint, error) {
	if fp, err := ParseFingerprint(arg); err == nil {
		return fp, nil
	}
	data, err := readKeyFile(arg)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("--trust %s: neither a key fingerprint (64 hex digits) nor an existing public key file", arg)
	}
	if err != nil {
		return "", fmt.Errorf("--trust %s: %w", arg, err)
	}
	k, err := ParsePublicKey(data)
	if err == nil {
		return k.Fingerprint(), nil
	}
	if errors.Is(err, ErrUnsupportedKey) {
		return "", fmt.Errorf("--trust %s: %w", arg, err)
	}
	if looksPrivate(data) {
		if pub := siblingPath(arg, ".key", ".pub"); pub != "" {
			return "", fmt.Errorf("--trust %s is a private key file; --trust needs a public key file (such as %s) or a fingerprint: %w", arg, pub, err)
		}
		return "", fmt.Errorf("--trust %s is a private key file; --trust needs a public key file or a fingerprint: %w", arg, err)
	}
	return "", fmt.Errorf("--trust %s: --trust needs a public key file or a fingerprint: %w", arg, err)
}
