package records

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// Differential tests: the scanning parsers and the direct encoder against
// encoding/json and the reference parsers of reference_test.go. Run with
// go test -fuzz after any change to scan.go or encode.go.

// agreeSeeds returns statements and envelopes to start from: the stored
// vectors, the fixture, the key entries, the invalid-statement table (in
// statements and in signed envelopes) and the non-canonical mutations.
func agreeSeeds(f *testing.F) (statements, envelopes [][]byte) {
	fx := newFixture(f)
	statements, envelopes = storedVectors(f)
	good := []*Statement{fx.genesis, fx.doc, statementWithSpecials(f)}
	for _, action := range []string{KeyAdd, KeyRevoke, KeyRotate} {
		good = append(good, keyStatement(fx, action))
	}
	for _, s := range good {
		env, err := Sign(s, fx.spec.Fingerprint, fx.key)
		if err != nil {
			f.Fatal(err)
		}
		statements = append(statements, mustMarshal(f, s))
		envelopes = append(envelopes, env)
	}
	for _, b := range invalidStatementBytes(f, fx) {
		statements = append(statements, b)
		sig, _ := fx.key.Sign(PAE(PayloadType, b))
		env, err := canonicalJSON(&Envelope{PayloadType: PayloadType, Payload: base64.StdEncoding.EncodeToString(b),
			Signatures: []Signature{{KeyID: fx.spec.Fingerprint, Sig: base64.StdEncoding.EncodeToString(sig)}}})
		if err != nil {
			f.Fatal(err)
		}
		envelopes = append(envelopes, env)
	}
	for _, s := range statements[:len(good)] {
		for _, tc := range statementNonCanonical() {
			if m := tc.mutate(bytes.Clone(s)); m != nil && tc.name != "oversized" {
				statements = append(statements, m)
			}
		}
	}
	for _, e := range envelopes[:len(good)] {
		for _, tc := range envelopeNonCanonical() {
			if m := tc.mutate(bytes.Clone(e)); m != nil && tc.name != "oversized" {
				envelopes = append(envelopes, m)
			}
		}
	}
	return statements, envelopes
}

func FuzzParseStatementAgrees(f *testing.F) {
	statements, _ := agreeSeeds(f)
	for _, s := range statements {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParseStatement(b)
		want, wantErr := parseStatementRef(b)
		if !sameResult(got, err, want, wantErr) {
			t.Fatalf("ParseStatement(%q) = %+v, %v\nreference: %+v, %v", b, got, err, want, wantErr)
		}
		checkScanStatement(t, b, wantErr == nil)
	})
}

// checkScanStatement checks that scanStatement reads exactly what
// encoding/json decodes, and reads every valid statement without escapes
// (the others fall back to encoding/json, correctly but slowly).
func checkScanStatement(t *testing.T, b []byte, valid bool) {
	t.Helper()
	s, ok := scanStatement(b)
	if valid && !ok && !bytes.Contains(b, []byte(`\`)) {
		t.Fatalf("scanStatement(%q) refused a valid statement without escapes", b)
	}
	if !ok {
		return
	}
	var ref Statement
	if err := strictUnmarshal(b, &ref); err != nil {
		t.Fatalf("scanStatement(%q) accepted what encoding/json refuses: %v", b, err)
	}
	if !reflect.DeepEqual(s, &ref) {
		t.Fatalf("scanStatement(%q) = %+v, encoding/json decodes %+v", b, s, &ref)
	}
}

func FuzzParseEnvelopeAgrees(f *testing.F) {
	_, envelopes := agreeSeeds(f)
	for _, e := range envelopes {
		f.Add(e)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParseEnvelope(b)
		want, wantErr := parseEnvelopeRef(b)
		if !sameResult(got, err, want, wantErr) {
			t.Fatalf("ParseEnvelope(%q) = %+v, %v\nreference: %+v, %v", b, got, err, want, wantErr)
		}
		if payload, keyID, sig, ok := scanEnvelope(b); ok {
			env := &Envelope{PayloadType: PayloadType, Payload: string(payload), Signatures: []Signature{{KeyID: string(keyID), Sig: string(sig)}}}
			ref, err := decodeEnvelope(b)
			if err != nil || !reflect.DeepEqual(env, ref) {
				t.Fatalf("scanEnvelope(%q) = %+v, encoding/json: %+v, %v", b, env, ref, err)
			}
		} else if wantErr == nil {
			t.Fatalf("scanEnvelope(%q) refused a valid envelope", b)
		}
	})
}

// sameResult reports whether two parses agree: the same error text, or
// equal values.
func sameResult[T any](got *T, err error, want *T, wantErr error) bool {
	if err != nil || wantErr != nil {
		return err != nil && wantErr != nil && err.Error() == wantErr.Error() && got == nil && want == nil
	}
	return reflect.DeepEqual(got, want)
}

// FuzzEncodeAgrees decodes any JSON into a Statement with encoding/json
// (leniently, so that strings hold escapes, control characters, invalid
// UTF-8 and any number) and checks that appendStatement and
// appendEnvelope write what encoding/json writes.
func FuzzEncodeAgrees(f *testing.F) {
	statements, _ := agreeSeeds(f)
	for _, s := range statements {
		f.Add(s, "keyid \x00\"\\\u2028\xff")
	}
	f.Fuzz(func(t *testing.T, b []byte, keyID string) {
		var s Statement
		if json.Unmarshal(b, &s) != nil {
			return
		}
		want, err := canonicalJSON(&s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendStatement(nil, &s); !bytes.Equal(got, want) {
			t.Fatalf("appendStatement(%+v) =\n%q\nencoding/json:\n%q", &s, got, want)
		}
		sig := []byte(keyID)
		want, err = canonicalJSON(&Envelope{PayloadType: PayloadType, Payload: base64.StdEncoding.EncodeToString(b),
			Signatures: []Signature{{KeyID: keyID, Sig: base64.StdEncoding.EncodeToString(sig)}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := appendEnvelope(nil, b, keyID, sig); !bytes.Equal(got, want) {
			t.Fatalf("appendEnvelope(%q, %q) =\n%q\nencoding/json:\n%q", b, keyID, got, want)
		}
		if len(want) > envelopeSize(b, keyID, sig) {
			t.Fatalf("envelopeSize(%q, %q) = %d, less than %d", b, keyID, envelopeSize(b, keyID, sig), len(want))
		}
	})
}

func FuzzDecodeBase64Agrees(f *testing.F) {
	for _, s := range []string{"", "AA==", "AB==", "AAA=", "AAAA", "AA", "AA=\n=", "AA\r\n==", "A\nAAA", "!!!!", "AAAA====", "TWFu\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := DecodeBase64(s)
		want, wantErr := decodeBase64Ref(s)
		if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() || !bytes.Equal(got, want) {
			t.Fatalf("DecodeBase64(%q) = %q, %v; reference %q, %v", s, got, err, want, wantErr)
		}
	})
}

// TestSignParsed checks that SignParsed returns the bytes Sign returns and
// what ParseEnvelope makes of them, for every kind of entry.
func TestSignParsed(t *testing.T) {
	fx := newFixture(t)
	full := cloneStatement(fx.doc)
	full.Predicate.Entry = 9
	full.Predicate.Document.HashOnly = true
	full.Predicate.Document.Relations = &Relations{TranslationOf: &DocumentLink{ID: "original", Version: 1, Entry: 2, SHA256: strings.Repeat("ab", 32)}}
	statements := []*Statement{fx.genesis, fx.doc, statementWithSpecials(t), full}
	for _, action := range []string{KeyAdd, KeyRevoke, KeyRotate} {
		statements = append(statements, keyStatement(fx, action))
	}
	for _, s := range statements {
		raw, err := Sign(s, fx.spec.Fingerprint, fx.key)
		if err != nil {
			t.Fatal(err)
		}
		want, err := ParseEnvelope(raw)
		if err != nil {
			t.Fatal(err)
		}
		got, err := SignParsed(s, fx.spec.Fingerprint, fx.key)
		if err != nil {
			t.Fatalf("SignParsed(%s) = %v", s.PredicateType, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("SignParsed(%s) = %+v, ParseEnvelope(Sign()) = %+v", s.PredicateType, got, want)
		}
		if got.Statement == s || got.Statement.Predicate.Document != nil && got.Statement.Predicate.Document == s.Predicate.Document {
			t.Errorf("SignParsed(%s) shares the caller's statement", s.PredicateType)
		}
	}
}

// TestSignParsedRefuses checks that SignParsed refuses what ParseEnvelope
// would refuse of Sign's bytes, with ParseEnvelope's error.
func TestSignParsedRefuses(t *testing.T) {
	fx := newFixture(t)
	_, other := otherKey(t)
	raw, err := Sign(fx.doc, other.Fingerprint, fx.key)
	if err != nil {
		t.Fatal(err)
	}
	_, want := ParseEnvelope(raw)
	if _, err := SignParsed(fx.doc, other.Fingerprint, fx.key); err == nil || want == nil || err.Error() != want.Error() {
		t.Errorf("SignParsed(key id of another key) = %v, want ParseEnvelope's %v", err, want)
	}
	if _, err := SignParsed(fx.doc, fx.spec.Fingerprint, emptySigner{}); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Errorf("SignParsed(empty signature) = %v, want a signature error", err)
	}
}

type emptySigner struct{}

func (emptySigner) Sign([]byte) ([]byte, error) { return nil, nil }
