package records

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
)

// The parsers as they were before scanStatement and scanEnvelope, built on
// encoding/json alone: the reference the differential fuzz tests
// (agree_test.go) hold ParseStatement, ParseEnvelope and DecodeBase64 to.

func parseStatementRef(b []byte) (*Statement, error) {
	if len(b) > maxStatementSize {
		return nil, fmt.Errorf("%w: statement is %d bytes, more than %d", ErrMalformed, len(b), maxStatementSize)
	}
	var s Statement
	if err := strictUnmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%w: statement: %w", ErrMalformed, err)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if c, err := canonicalJSON(&s); err != nil || !bytes.Equal(c, b) {
		return nil, fmt.Errorf("%w: statement is not in canonical form", ErrMalformed)
	}
	return &s, nil
}

func parseEnvelopeRef(b []byte) (*ParsedEnvelope, error) {
	if len(b) > maxEnvelopeSize {
		return nil, fmt.Errorf("%w: envelope is %d bytes, more than %d", ErrMalformed, len(b), maxEnvelopeSize)
	}
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
	payload, err := decodeBase64Ref(env.Payload)
	if err != nil {
		return nil, fmt.Errorf("%w: envelope payload: %w", ErrMalformed, err)
	}
	sig, err := decodeBase64Ref(env.Signatures[0].Sig)
	if err != nil || len(sig) == 0 {
		return nil, fmt.Errorf("%w: envelope signature is not base64", ErrMalformed)
	}
	st, err := parseStatementRef(payload)
	if err != nil {
		return nil, err
	}
	keyID := env.Signatures[0].KeyID
	if keyID != st.Predicate.Signer {
		return nil, fmt.Errorf("%w: envelope key id %q is not the statement's signer %q", ErrMalformed, keyID, st.Predicate.Signer)
	}
	return &ParsedEnvelope{Raw: b, Payload: payload, Statement: st, KeyID: keyID, Sig: sig}, nil
}

func decodeBase64Ref(s string) ([]byte, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, err
	}
	if base64.StdEncoding.EncodeToString(b) != s {
		return nil, errors.New("not canonical base64")
	}
	return b, nil
}
