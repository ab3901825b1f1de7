// Package keys reads and writes verbatim's key files, computes key
// fingerprints, signs and verifies with ECDSA P-256 and Ed25519 keys, and
// interprets --trust arguments.
//
// # Key files
//
// Key files are cosign's, so key pairs move between cosign and verbatim in
// both directions.
//
// A public key file (PREFIX.pub, cosign.pub) is one PEM block of type
// "PUBLIC KEY" holding the DER SubjectPublicKeyInfo (RFC 5280) of an ECDSA
// P-256 key (id-ecPublicKey, namedCurve prime256v1, uncompressed point) or
// an Ed25519 key (RFC 8410). Text before the block is ignored; only white
// space may follow it. The DER must be canonical, as Go, cosign and OpenSSL
// write it.
//
// A private key file (PREFIX.key, cosign.key) is one PEM block of type
// "ENCRYPTED SIGSTORE PRIVATE KEY" (or cosign's legacy "ENCRYPTED COSIGN
// PRIVATE KEY", read but never written) whose contents are the JSON written
// by go-securesystemslib's encrypted package, byte slices in standard
// base64:
//
//	{"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"<32 bytes>"},
//	 "cipher":{"name":"nacl/secretbox","nonce":"<24 bytes>"},
//	 "ciphertext":"<secretbox of the PKCS #8 DER private key>"}
//
// scrypt derives a 32-byte key from the password and the salt; NaCl
// secretbox (XSalsa20-Poly1305) seals the PKCS #8 DER (RFC 5208, RFC 8410)
// of the private key with it. Generate writes N=65536 (2^16), r=8, p=1, as
// encrypted.Encrypt and `cosign generate-key-pair` do. Reading accepts the
// three parameter sets go-securesystemslib accepts, N = 32768, 65536 or
// 131072 with r=8 and p=1, and refuses any other before deriving a key, so
// a hostile file costs at most one such derivation (128 MiB, well under a
// second). Files are limited to 64 KiB.
//
// # Fingerprints
//
// A key's Fingerprint is the lowercase hex SHA-256 of its DER
// SubjectPublicKeyInfo, 64 characters: what
// `openssl pkey -pubin -in KEY.pub -outform DER | sha256sum` prints. It is
// the same whether computed from the public or the private key file.
// ParseFingerprint also accepts uppercase and a "sha256:" prefix.
//
// # Signatures
//
// ECDSA P-256 signatures are ASN.1 DER (SEQUENCE of r and s) over the
// SHA-256 of the message, as cosign and sigstore make; Ed25519 signatures are
// pure Ed25519 (RFC 8032, not Ed25519ph) over the message itself. Each
// signature has one accepted encoding (FORMAT.md §3.1): ECDSA signatures are
// minimal DER with s ≤ n/2 (low S; PrivateKey.Sign normalises to it and
// PublicKey.Verify refuses the other), Ed25519 signatures have S < L.
//
// # Guarantees
//
//   - No input (bytes, file, password, argument) makes a function of this
//     package panic.
//   - The errors callers need to tell apart wrap one of the Err values,
//     tested with errors.Is (file system errors wrap the fs ones): every ParsePrivateKey error wraps exactly one of
//     ErrWrongPassword, ErrPublicKeyGiven, ErrNotAKey, ErrUnencryptedKey and
//     ErrUnsupportedKey; every ParsePublicKey error exactly one of ErrNotAKey
//     and ErrUnsupportedKey. The Read functions' errors name the file.
//   - Unencrypted private keys are refused, and never written: a private key
//     at rest is always encrypted, with a non-empty password when generated.
//   - WriteKeyPair writes the .key file with mode 0600 whatever the umask,
//     never overwrites a file, and writes both files or neither.
//   - PublicKey and PrivateKey are immutable and safe for concurrent use;
//     PublicKey.Verify calls crypto/ecdsa or crypto/ed25519 directly.
package keys
