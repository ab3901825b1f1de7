// Package keys reads and writes verbatim's key files, computes key
// fingerprints, and signs and verifies with ECDSA P-256 and Ed25519 keys.
//
// # Files
//
// Key files are cosign's, so keys move between cosign and verbatim in both
// directions:
//
//   - A public key is PEM "PUBLIC KEY" holding the DER SubjectPublicKeyInfo.
//   - A private key is PEM "ENCRYPTED SIGSTORE PRIVATE KEY" (or the legacy
//     "ENCRYPTED COSIGN PRIVATE KEY") holding the JSON that
//     go-securesystemslib's encrypted package writes: scrypt (N=32768 or
//     65536 or 131072, r=8, p=1, 32-byte salt) derives a key from the password,
//     and NaCl secretbox (XSalsa20-Poly1305, 24-byte nonce) seals the PKCS #8
//     DER of the private key. Other scrypt parameters are refused, so a
//     hostile file cannot make decryption cost minutes or gigabytes.
//
// Unencrypted private keys are refused: a private key at rest is always
// encrypted. Private key files are written with mode 0600.
//
// # Fingerprints
//
// A key's Fingerprint is the lowercase hex SHA-256 of its DER
// SubjectPublicKeyInfo: 64 characters, the same whichever file it is read
// from.
//
// # Signatures
//
// ECDSA P-256 signatures are ASN.1 DER over SHA-256 of the message; Ed25519
// signatures are pure Ed25519 over the message. That is what sigstore and
// cosign compute for DSSE envelopes.
package keys
