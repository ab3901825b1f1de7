package records

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"sync"
)

// PayloadType is the DSSE payload type of every verbatim envelope.
const PayloadType = "application/vnd.in-toto+json"

// maxEnvelopeSize bounds what ParseEnvelope reads: a statement is at most
// 64 KiB, which base64 grows by a third, plus a signature.
const maxEnvelopeSize = 96 << 10

// ErrBadSignature is wrapped when an envelope's signature does not verify.
var ErrBadSignature = errors.New("signature does not verify")

// Envelope is a DSSE envelope with exactly one signature. Field order is the
// canonical order; Payload and Sig are standard base64 with padding.
type Envelope struct {
	PayloadType string      `json:"payloadType"`
	Payload     string      `json:"payload"`
	Signatures  []Signature `json:"signatures"`
}

// Signature is one DSSE signature; KeyID is the signer's key fingerprint.
type Signature struct {
	KeyID string `json:"keyid"`
	Sig   string `json:"sig"`
}

// Signer signs messages; keys.PrivateKey implements it.
type Signer interface {
	Sign(msg []byte) ([]byte, error)
}

// Verifier verifies signatures; keys.PublicKey implements it. Verify must
// not keep msg once it returns: ParsedEnvelope.Verify reuses its buffer.
type Verifier interface {
	Verify(msg, sig []byte) error
}

// PAE is DSSE's pre-authentication encoding, the bytes a signature covers:
// "DSSEv1" SP LEN(type) SP type SP LEN(payload) SP payload.
func PAE(payloadType string, payload []byte) []byte {
	return appendPAE(make([]byte, 0, len(payloadType)+len(payload)+32), payloadType, payload)
}

// appendPAE appends PAE(payloadType, payload) to b.
func appendPAE(b []byte, payloadType string, payload []byte) []byte {
	b = append(b, "DSSEv1 "...)
	b = strconv.AppendInt(b, int64(len(payloadType)), 10)
	b = append(b, ' ')
	b = append(b, payloadType...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(len(payload)), 10)
	b = append(b, ' ')
	return append(b, payload...)
}

// Sign encodes s canonically, signs it with signer and returns the canonical
// envelope bytes, which are what the ledger stores and hashes. keyID is the
// signer's fingerprint.
func Sign(s *Statement, keyID string, signer Signer) ([]byte, error) {
	raw, _, _, err := sign(s, keyID, signer)
	return raw, err
}

// SignParsed is Sign returning the envelope as ParseEnvelope would return
// it for the bytes Sign returns, without parsing them again: its Raw is
// those bytes and its Statement a copy of s. It refuses what ParseEnvelope
// would refuse of them: a keyID that is not s's signer, an empty signature
// (errors wrap ErrMalformed).
func SignParsed(s *Statement, keyID string, signer Signer) (*ParsedEnvelope, error) {
	raw, payload, sig, err := sign(s, keyID, signer)
	switch {
	case err != nil:
		return nil, err
	case len(raw) > maxEnvelopeSize:
		return nil, fmt.Errorf("%w: envelope is %d bytes, more than %d", ErrMalformed, len(raw), maxEnvelopeSize)
	case len(sig) == 0:
		return nil, fmt.Errorf("%w: envelope signature is not base64", ErrMalformed)
	case keyID != s.Predicate.Signer:
		return nil, fmt.Errorf("%w: envelope key id %q is not the statement's signer %q", ErrMalformed, keyID, s.Predicate.Signer)
	}
	return &ParsedEnvelope{Raw: raw, Payload: payload, Statement: s.clone(), KeyID: keyID, Sig: sig}, nil
}

// sign returns the envelope bytes of s, and its payload and signature.
func sign(s *Statement, keyID string, signer Signer) (raw, payload, sig []byte, err error) {
	payload, err = s.Marshal()
	if err != nil {
		return nil, nil, nil, err
	}
	sig, err = signer.Sign(PAE(PayloadType, payload))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("signing entry %d: %w", s.Predicate.Entry, err)
	}
	raw = appendEnvelope(make([]byte, 0, envelopeSize(payload, keyID, sig)), payload, keyID, sig)
	return raw, payload, sig, nil
}

// ParsedEnvelope is a decoded envelope: its raw bytes, its statement, and
// the decoded signature. The signature is not yet verified.
type ParsedEnvelope struct {
	Raw       []byte
	Payload   []byte
	Statement *Statement
	KeyID     string
	Sig       []byte
}

// ParseEnvelope decodes envelope bytes and the statement inside, accepting
// only canonical encodings. It does not verify the signature. Errors wrap
// ErrMalformed.
func ParseEnvelope(b []byte) (*ParsedEnvelope, error) {
	if len(b) > maxEnvelopeSize {
		return nil, fmt.Errorf("%w: envelope is %d bytes, more than %d", ErrMalformed, len(b), maxEnvelopeSize)
	}
	// The fields are decoded from b itself, not from copies: an envelope
	// is parsed for each entry a verifier reads.
	payload64, keyID, sig64, ok := scanEnvelope(b)
	if !ok {
		env, err := decodeEnvelope(b)
		if err != nil {
			return nil, err
		}
		payload64, keyID, sig64 = []byte(env.Payload), []byte(env.Signatures[0].KeyID), []byte(env.Signatures[0].Sig)
	}
	payload, err := decodeBase64(payload64)
	if err != nil {
		return nil, fmt.Errorf("%w: envelope payload: %w", ErrMalformed, err)
	}
	sig, err := decodeBase64(sig64)
	if err != nil || len(sig) == 0 {
		return nil, fmt.Errorf("%w: envelope signature is not base64", ErrMalformed)
	}
	st, err := ParseStatement(payload)
	if err != nil {
		return nil, err
	}
	if string(keyID) != st.Predicate.Signer {
		return nil, fmt.Errorf("%w: envelope key id %q is not the statement's signer %q", ErrMalformed, keyID, st.Predicate.Signer)
	}
	return &ParsedEnvelope{Raw: b, Payload: payload, Statement: st, KeyID: st.Predicate.Signer, Sig: sig}, nil
}

// decodeEnvelope is the general reader of envelope bytes, for those
// scanEnvelope does not read: it decodes with encoding/json and checks what
// ParseEnvelope needs of the envelope itself, with an error naming the
// first thing that is wrong.
func decodeEnvelope(b []byte) (*Envelope, error) {
	var env Envelope
	if err := strictUnmarshal(b, &env); err != nil {
		return nil, fmt.Errorf("%w: envelope: %w", ErrMalformed, err)
	}
	if c, err := canonicalJSON(&env); err != nil || !bytes.Equal(c, b) {
		return nil, fmt.Errorf("%w: envelope is not in canonical form", ErrMalformed)
	}
	if env.PayloadType != PayloadType {
		return nil, fmt.Errorf("%w: envelope payload type %q, want %q", ErrMalformed, env.PayloadType, PayloadType)
	}
	if len(env.Signatures) != 1 {
		return nil, fmt.Errorf("%w: envelope has %d signatures, want 1", ErrMalformed, len(env.Signatures))
	}
	return &env, nil
}

// Verify checks the envelope's signature with key. It returns an error
// wrapping ErrBadSignature if the signature does not verify.
func (e *ParsedEnvelope) Verify(key Verifier) error {
	buf := paeBuf.Get().(*[]byte)
	defer paeBuf.Put(buf)
	*buf = appendPAE((*buf)[:0], PayloadType, e.Payload)
	if err := key.Verify(*buf, e.Sig); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	return nil
}

// paeBuf holds buffers (*[]byte) for the PAE a signature is verified over:
// a verifier checks one per entry, and they are dropped once checked.
var paeBuf = sync.Pool{New: func() any { return new([]byte) }}

// Hash returns EntryHash of the envelope.
func (e *ParsedEnvelope) Hash() [32]byte { return EntryHash(e.Raw) }

// EntryHash is SHA-256 of an entry's envelope bytes: what the next entry's
// previousEntry field records.
func EntryHash(envelope []byte) [32]byte { return sha256.Sum256(envelope) }

// LeafHash is the RFC 6962 §2.1 leaf hash of an entry: SHA-256(0x00 || envelope bytes).
func LeafHash(envelope []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(envelope)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// DecodeBase64 decodes s, which must be the one canonical base64 encoding of
// its bytes (FORMAT.md §3.1): the standard alphabet with padding (RFC 4648
// §4), zero padding bits, no white space or line breaks. Every base64 field
// of the format is read with it, so that no stored byte can change without
// changing what it encodes.
func DecodeBase64(s string) ([]byte, error) { return decodeBase64([]byte(s)) }

// decodeBase64 is DecodeBase64 of the bytes src.
func decodeBase64(src []byte) ([]byte, error) {
	enc := base64.StdEncoding.Strict()
	b := make([]byte, enc.DecodedLen(len(src)))
	n, err := enc.Decode(b, src)
	if err != nil {
		return nil, err
	}
	// Strict decoding refuses non-zero padding bits and missing padding but
	// skips CR and LF, the only other way to spell the same bytes; without
	// them, decoding succeeded on the one canonical encoding.
	if bytes.ContainsAny(src, "\r\n") {
		return nil, errors.New("not canonical base64")
	}
	return b[:n], nil
}
