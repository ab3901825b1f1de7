// Package records defines the entries of a verbatim ledger, their canonical
// encoding, and how they are signed and verified.
//
// # Model
//
// A ledger is a sequence of entries numbered from 0. Entry 0 is the genesis
// entry: it names the ledger and its root key. Every later entry is either a
// document version or (reserved for a later format revision) a key event.
//
// Each entry is a DSSE envelope ([Envelope]) whose payload is an in-toto
// Statement v1 ([Statement]). The statement's subject is the digest of what the
// entry is about (the document's bytes, or the root key's DER encoding), and
// its predicate ([Predicate]) carries the provenance: ledger name, entry
// number, the SHA-256 of the previous entry's envelope (the hash chain), the
// RFC 6962 Merkle root over all earlier entries, the time, the signer's key
// fingerprint, and the kind-specific part.
//
// # Canonical encoding
//
// Statements and envelopes are JSON with a fixed field order, no insignificant
// white space, and Go's encoding/json string escaping with HTML escaping
// disabled. [ParseStatement] and [ParseEnvelope] accept only that exact form:
// they read the canonical form field by field and compare the bytes with
// the re-encoded record (anything else they re-read with encoding/json, to
// say what is wrong), so a record has exactly one valid encoding and any
// altered byte is either a different record or an error. docs/FORMAT.md §3
// is the normative description.
//
// # Hashes
//
// An entry is identified by the bytes of its envelope file:
//
//	EntryHash(e) = SHA-256(envelope bytes)             (the chain, FORMAT.md §4)
//	LeafHash(e)  = SHA-256(0x00 || envelope bytes)     (RFC 6962 §2.1 leaf)
//
// # Signatures
//
// The signature covers DSSE's pre-authentication encoding of the payload:
// PAE("application/vnd.in-toto+json", statement bytes). ECDSA P-256 signs the
// SHA-256 of the PAE (ASN.1 DER signature); Ed25519 signs the PAE itself. This
// is what cosign does, so `cosign verify-blob-attestation` accepts a document
// entry's envelope for the document's bytes.
package records
