package records

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/transparency-dev/merkle/rfc6962"
)

func TestSignParseVerify(t *testing.T) {
	f := newFixture(t)
	_, otherSpec := otherKey(t)
	otherK, _ := otherKey(t)
	for _, tc := range []struct {
		name string
		s    *Statement
		env  []byte
	}{
		{"genesis", f.genesis, f.genesisEnv},
		{"document", f.doc, f.docEnv},
	} {
		t.Run(tc.name, func(t *testing.T) {
			payload := mustMarshal(t, tc.s)
			// The envelope, built independently from FORMAT.md §3.1.
			sig := ed25519.Sign(f.key.priv, []byte(fmt.Sprintf("DSSEv1 %d %s %d %s", len(PayloadType), PayloadType, len(payload), payload)))
			want := `{"payloadType":"application/vnd.in-toto+json","payload":"` + base64.StdEncoding.EncodeToString(payload) +
				`","signatures":[{"keyid":"` + f.spec.Fingerprint + `","sig":"` + base64.StdEncoding.EncodeToString(sig) + `"}]}`
			if string(tc.env) != want {
				t.Errorf("Sign() =\n%s\nwant\n%s", tc.env, want)
			}

			p, err := ParseEnvelope(tc.env)
			if err != nil {
				t.Fatalf("ParseEnvelope() = %v", err)
			}
			if !bytes.Equal(p.Raw, tc.env) {
				t.Errorf("Raw = %q, want the input", p.Raw)
			}
			if !bytes.Equal(p.Payload, payload) {
				t.Errorf("Payload = %q, want %q", p.Payload, payload)
			}
			if !reflect.DeepEqual(p.Statement, tc.s) {
				t.Errorf("Statement = %+v, want %+v", p.Statement, tc.s)
			}
			if p.KeyID != f.spec.Fingerprint {
				t.Errorf("KeyID = %q, want %q", p.KeyID, f.spec.Fingerprint)
			}
			if !bytes.Equal(p.Sig, sig) {
				t.Errorf("Sig = %x, want %x", p.Sig, sig)
			}
			if got, want := p.Hash(), sha256.Sum256(tc.env); got != want {
				t.Errorf("Hash() = %x, want %x", got, want)
			}
			if err := p.Verify(f.key); err != nil {
				t.Errorf("Verify(signing key) = %v, want nil", err)
			}
			if err := p.Verify(otherK); !errors.Is(err, ErrBadSignature) {
				t.Errorf("Verify(other key %s) = %v, want an error wrapping ErrBadSignature", otherSpec.Fingerprint[:8], err)
			}
		})
	}
}

// decodeEnv decodes canonical envelope bytes for a test to alter.
func decodeEnv(t testing.TB, b []byte) *Envelope {
	t.Helper()
	var e Envelope
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("decoding envelope: %v", err)
	}
	return &e
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func unb64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("decoding base64: %v", err)
	}
	return b
}

func TestEnvelopeTampered(t *testing.T) {
	f := newFixture(t)
	otherK, otherSpec := otherKey(t)
	payload := mustMarshal(t, f.doc)
	for _, tc := range []struct {
		name      string
		mutate    func(t *testing.T, e *Envelope)
		parseErr  error // from ParseEnvelope
		verifyErr error // from Verify with the signing key, if parsing succeeds
	}{
		{"unchanged", func(*testing.T, *Envelope) {}, nil, nil},
		{"payload time changed", func(t *testing.T, e *Envelope) {
			p := bytes.Replace(unb64(t, e.Payload), []byte(`"time":"2026-11-28T12:00:00Z"`), []byte(`"time":"2026-11-28T12:00:01Z"`), 1)
			e.Payload = b64(p)
		}, nil, ErrBadSignature},
		{"payload size changed", func(t *testing.T, e *Envelope) {
			p := bytes.Replace(unb64(t, e.Payload), []byte(`"size":3211`), []byte(`"size":3212`), 1)
			e.Payload = b64(p)
		}, nil, ErrBadSignature},
		{"payload digest byte changed", func(t *testing.T, e *Envelope) {
			p := unb64(t, e.Payload)
			i := bytes.Index(p, []byte(`"sha256":"`)) + len(`"sha256":"`)
			p[i] = "01"[(p[i]-'0'+1)%2] // a different hex digit
			e.Payload = b64(p)
		}, nil, ErrBadSignature},
		{"payload first byte changed", func(t *testing.T, e *Envelope) {
			p := unb64(t, e.Payload)
			p[0] = '['
			e.Payload = b64(p)
		}, ErrMalformed, nil},
		{"payload base64 character changed", func(t *testing.T, e *Envelope) {
			c := byte('A')
			if e.Payload[0] == 'A' {
				c = 'B'
			}
			e.Payload = string(c) + e.Payload[1:]
		}, ErrMalformed, nil},
		{"payload re-signed with invalid statement", func(t *testing.T, e *Envelope) {
			p := bytes.Replace(unb64(t, e.Payload), []byte(`"version":1`), []byte(`"version":0`), 1)
			e.Payload = b64(p)
			e.Signatures[0].Sig = b64(ed25519.Sign(f.key.priv, PAE(PayloadType, p)))
		}, ErrMalformed, nil},
		{"payload with trailing newline, re-signed", func(t *testing.T, e *Envelope) {
			p := append(unb64(t, e.Payload), '\n')
			e.Payload = b64(p)
			e.Signatures[0].Sig = b64(ed25519.Sign(f.key.priv, PAE(PayloadType, p)))
		}, ErrMalformed, nil},
		{"payload not base64", func(t *testing.T, e *Envelope) { e.Payload = "!!!!" }, ErrMalformed, nil},
		{"empty payload", func(t *testing.T, e *Envelope) { e.Payload = "" }, ErrMalformed, nil},
		// ASCII JSON encodes to '+' or '/' only where a '>' or '?' falls on
		// the third byte of a base64 group; "???" guarantees one.
		{"re-signed payload with ??? title (control)", func(t *testing.T, e *Envelope) {
			p := mustMarshal(t, questionTitle(f.doc))
			e.Payload = b64(p)
			e.Signatures[0].Sig = b64(ed25519.Sign(f.key.priv, PAE(PayloadType, p)))
		}, nil, nil},
		{"re-signed payload in URL-safe base64", func(t *testing.T, e *Envelope) {
			p := mustMarshal(t, questionTitle(f.doc))
			u := base64.URLEncoding.EncodeToString(p)
			if u == b64(p) {
				t.Fatalf("payload base64 has no '+' or '/'; pick another payload")
			}
			e.Payload = u
			e.Signatures[0].Sig = b64(ed25519.Sign(f.key.priv, PAE(PayloadType, p)))
		}, ErrMalformed, nil},
		{"re-signed payload without padding", func(t *testing.T, e *Envelope) {
			// A payload whose length is not a multiple of 3 has padding.
			var p []byte
			for _, title := range []string{"a", "aa"} {
				c := cloneStatement(f.doc)
				c.Predicate.Document.Title = title
				if p = mustMarshal(t, c); len(p)%3 != 0 {
					break
				}
			}
			if !strings.HasSuffix(b64(p), "=") {
				t.Fatalf("payload base64 has no padding; pick another payload")
			}
			e.Payload = strings.TrimRight(b64(p), "=")
			e.Signatures[0].Sig = b64(ed25519.Sign(f.key.priv, PAE(PayloadType, p)))
		}, ErrMalformed, nil},
		{"payload with line breaks", func(t *testing.T, e *Envelope) {
			e.Payload = e.Payload[:76] + "\n" + e.Payload[76:]
		}, ErrMalformed, nil},
		{"payload with CRLF at end", func(t *testing.T, e *Envelope) { e.Payload += "\r\n" }, ErrMalformed, nil},

		{"signature first byte flipped", func(t *testing.T, e *Envelope) {
			s := unb64(t, e.Signatures[0].Sig)
			s[0] ^= 1
			e.Signatures[0].Sig = b64(s)
		}, nil, ErrBadSignature},
		{"signature last byte flipped", func(t *testing.T, e *Envelope) {
			s := unb64(t, e.Signatures[0].Sig)
			s[len(s)-1] ^= 0x80
			e.Signatures[0].Sig = b64(s)
		}, nil, ErrBadSignature},
		{"signature truncated", func(t *testing.T, e *Envelope) {
			e.Signatures[0].Sig = b64(unb64(t, e.Signatures[0].Sig)[:63])
		}, nil, ErrBadSignature},
		{"signature extended", func(t *testing.T, e *Envelope) {
			e.Signatures[0].Sig = b64(append(unb64(t, e.Signatures[0].Sig), 0))
		}, nil, ErrBadSignature},
		{"signature by another key", func(t *testing.T, e *Envelope) {
			e.Signatures[0].Sig = b64(ed25519.Sign(otherK.priv, PAE(PayloadType, payload)))
		}, nil, ErrBadSignature},
		{"signature over the payload, not PAE", func(t *testing.T, e *Envelope) {
			e.Signatures[0].Sig = b64(ed25519.Sign(f.key.priv, payload))
		}, nil, ErrBadSignature},
		{"signature over PAE with another payload type", func(t *testing.T, e *Envelope) {
			e.Signatures[0].Sig = b64(ed25519.Sign(f.key.priv, PAE("application/vnd.dsse.envelope.v1+json", payload)))
		}, nil, ErrBadSignature},
		{"empty signature", func(t *testing.T, e *Envelope) { e.Signatures[0].Sig = "" }, ErrMalformed, nil},
		{"signature without padding", func(t *testing.T, e *Envelope) {
			e.Signatures[0].Sig = strings.TrimRight(e.Signatures[0].Sig, "=")
		}, ErrMalformed, nil},
		{"signature with non-zero padding bits", func(t *testing.T, e *Envelope) {
			e.Signatures[0].Sig = setPaddingBits(e.Signatures[0].Sig)
		}, ErrMalformed, nil},
		{"signature in URL-safe base64", func(t *testing.T, e *Envelope) {
			s := unb64(t, e.Signatures[0].Sig)
			s[0], s[1] = 0xfb, 0xff // encodes to "+/" in the standard alphabet
			e.Signatures[0].Sig = base64.URLEncoding.EncodeToString(s)
		}, ErrMalformed, nil},
		{"signature with space", func(t *testing.T, e *Envelope) { e.Signatures[0].Sig = " " + e.Signatures[0].Sig }, ErrMalformed, nil},

		{"keyid of another key", func(t *testing.T, e *Envelope) { e.Signatures[0].KeyID = otherSpec.Fingerprint }, ErrMalformed, nil},
		{"keyid upper case", func(t *testing.T, e *Envelope) {
			e.Signatures[0].KeyID = strings.ToUpper(e.Signatures[0].KeyID)
		}, ErrMalformed, nil},
		{"keyid with sha256: prefix", func(t *testing.T, e *Envelope) {
			e.Signatures[0].KeyID = "sha256:" + e.Signatures[0].KeyID
		}, ErrMalformed, nil},
		{"empty keyid", func(t *testing.T, e *Envelope) { e.Signatures[0].KeyID = "" }, ErrMalformed, nil},

		{"payloadType changed", func(t *testing.T, e *Envelope) { e.PayloadType = "application/json" }, ErrMalformed, nil},
		{"payloadType with parameter", func(t *testing.T, e *Envelope) { e.PayloadType += "; charset=utf-8" }, ErrMalformed, nil},
		{"payloadType upper case", func(t *testing.T, e *Envelope) { e.PayloadType = strings.ToUpper(e.PayloadType) }, ErrMalformed, nil},
		{"empty payloadType", func(t *testing.T, e *Envelope) { e.PayloadType = "" }, ErrMalformed, nil},

		{"two signatures", func(t *testing.T, e *Envelope) {
			e.Signatures = append(e.Signatures, e.Signatures[0])
		}, ErrMalformed, nil},
		{"two signatures, second by another key", func(t *testing.T, e *Envelope) {
			e.Signatures = append(e.Signatures, Signature{KeyID: otherSpec.Fingerprint, Sig: b64(ed25519.Sign(otherK.priv, PAE(PayloadType, payload)))})
		}, ErrMalformed, nil},
		{"zero signatures", func(t *testing.T, e *Envelope) { e.Signatures = []Signature{} }, ErrMalformed, nil},
		{"null signatures", func(t *testing.T, e *Envelope) { e.Signatures = nil }, ErrMalformed, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := decodeEnv(t, f.docEnv)
			tc.mutate(t, e)
			b, err := canonicalJSON(e)
			if err != nil {
				t.Fatalf("canonicalJSON: %v", err)
			}
			if tc.parseErr != nil || tc.verifyErr != nil {
				if bytes.Equal(b, f.docEnv) {
					t.Fatalf("mutation left the envelope unchanged")
				}
			}
			p, err := ParseEnvelope(b)
			if tc.parseErr != nil {
				if !errors.Is(err, tc.parseErr) {
					t.Errorf("ParseEnvelope(%s) = %v, want an error wrapping %v", b, err, tc.parseErr)
				}
				if errors.Is(err, ErrBadSignature) {
					t.Errorf("ParseEnvelope() = %v; parsing must not check signatures", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseEnvelope(%s) = %v, want nil", b, err)
			}
			err = p.Verify(f.key)
			if tc.verifyErr == nil {
				if err != nil {
					t.Errorf("Verify() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tc.verifyErr) {
				t.Errorf("Verify() = %v, want an error wrapping %v", err, tc.verifyErr)
			}
		})
	}
}

// TestEnvelopeKeyIDNotSigner signs with a key id that is not the statement's
// signer. Sign does not check the key id; ParseEnvelope must refuse the result.
func TestEnvelopeKeyIDNotSigner(t *testing.T) {
	f := newFixture(t)
	_, other := otherKey(t)
	for _, keyID := range []string{other.Fingerprint, "", "root"} {
		env, err := Sign(f.doc, keyID, f.key)
		if err != nil {
			// Refusing a key id that is not the signer would also be fine.
			continue
		}
		if _, err := ParseEnvelope(env); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "key id") {
			t.Errorf("ParseEnvelope(envelope with keyid %q) = %v, want the key id error wrapping ErrMalformed", keyID, err)
		}
	}
}

func envelopeNonCanonical() []nonCanonical {
	return append(commonNonCanonical(), []nonCanonical{
		{"reordered fields", func(b []byte) []byte {
			var e Envelope
			if json.Unmarshal(b, &e) != nil {
				return nil
			}
			sigs, _ := json.Marshal(e.Signatures)
			return []byte(`{"signatures":` + string(sigs) + `,"payloadType":"` + e.PayloadType + `","payload":"` + e.Payload + `"}`)
		}},
		{"reordered signature fields", func(b []byte) []byte {
			var e Envelope
			if json.Unmarshal(b, &e) != nil {
				return nil
			}
			s := e.Signatures[0]
			return bytes.Replace(b, []byte(`{"keyid":"`+s.KeyID+`","sig":"`+s.Sig+`"}`), []byte(`{"sig":"`+s.Sig+`","keyid":"`+s.KeyID+`"}`), 1)
		}},
		{"unknown signature field", replaceOnce(`{"keyid":`, `{"cert":"","keyid":`)},
		{"unknown envelope field", replaceOnce(`,"signatures":`, `,"payloadEncoding":"base64","signatures":`)},
		{"duplicate payloadType", replaceOnce(`{"payloadType":"application/vnd.in-toto+json",`,
			`{"payloadType":"application/vnd.in-toto+json","payloadType":"application/vnd.in-toto+json",`)},
		{"duplicate keyid", replaceOnce(`"keyid":`, `"keyid":"","keyid":`)},
		{"field name PayloadType", replaceOnce(`"payloadType":`, `"PayloadType":`)},
		{"field name KeyID", replaceOnce(`"keyid":`, `"keyId":`)},
		{"field name Signatures", replaceOnce(`"signatures":`, `"Signatures":`)},
		{`escaped +`, replaceOnce(`in-toto+json`, `in-toto\u002bjson`)},
		{`escaped solidus`, replaceOnce(`application/`, `application\/`)},
		{"space inside signatures", replaceOnce(`[{`, `[ {`)},
		{"signature as object", func(b []byte) []byte {
			i, j := bytes.Index(b, []byte(`[{`)), bytes.LastIndex(b, []byte(`}]`))
			if i < 0 || j < 0 {
				return nil
			}
			return append(append(append([]byte(nil), b[:i]...), b[i+1:j+1]...), b[j+2:]...)
		}},
		{"oversized", func(b []byte) []byte {
			return append(append([]byte(nil), b...), bytes.Repeat([]byte(" "), maxEnvelopeSize)...)
		}},
	}...)
}

func TestParseEnvelopeNonCanonical(t *testing.T) {
	f := newFixture(t)
	for _, tc := range envelopeNonCanonical() {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.mutate(bytes.Clone(f.docEnv))
			if m == nil {
				t.Fatalf("mutation does not apply to %s", f.docEnv)
			}
			if bytes.Equal(m, f.docEnv) {
				t.Fatalf("mutation left the bytes unchanged")
			}
			if p, err := ParseEnvelope(m); !errors.Is(err, ErrMalformed) {
				t.Errorf("ParseEnvelope(%q) = %+v, %v; want an error wrapping ErrMalformed", m, p, err)
			}
		})
	}
}

func TestParseEnvelopeSizeLimit(t *testing.T) {
	b := bytes.Repeat([]byte("x"), maxEnvelopeSize+1)
	_, err := ParseEnvelope(b)
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "more than") {
		t.Errorf("ParseEnvelope(%d bytes) = %v, want the size error", len(b), err)
	}
}

// questionTitle returns a copy of s titled "???".
func questionTitle(s *Statement) *Statement {
	c := cloneStatement(s)
	c.Predicate.Document.Title = "???"
	return c
}

type failingSigner struct{ err error }

func (s failingSigner) Sign([]byte) ([]byte, error) { return nil, s.err }

type recordingSigner struct{ called bool }

func (s *recordingSigner) Sign([]byte) ([]byte, error) { s.called = true; return []byte{1}, nil }

func TestSignErrors(t *testing.T) {
	f := newFixture(t)
	errHSM := errors.New("token not present")
	env, err := Sign(f.doc, f.spec.Fingerprint, failingSigner{errHSM})
	if !errors.Is(err, errHSM) || env != nil {
		t.Errorf("Sign(failing signer) = %q, %v; want nil, an error wrapping %v", env, err, errHSM)
	}
	if err != nil && !strings.Contains(err.Error(), "entry 1") {
		t.Errorf("Sign(failing signer) = %q, want it to name the entry", err)
	}

	bad := cloneStatement(f.doc)
	bad.Predicate.Document.Version = 0
	rs := &recordingSigner{}
	env, err = Sign(bad, f.spec.Fingerprint, rs)
	if !errors.Is(err, ErrMalformed) || env != nil {
		t.Errorf("Sign(invalid statement) = %q, %v; want nil, an error wrapping ErrMalformed", env, err)
	}
	if rs.called {
		t.Errorf("Sign(invalid statement) called the signer")
	}
}

func TestPAE(t *testing.T) {
	// The DSSE specification's test vector (protocol.md).
	got := PAE("http://example.com/HelloWorld", []byte("hello world"))
	if want := "DSSEv1 29 http://example.com/HelloWorld 11 hello world"; string(got) != want {
		t.Errorf("PAE(HelloWorld) = %q, want %q", got, want)
	}
	for _, tc := range []struct {
		typ     string
		payload []byte
		want    string
	}{
		{"", nil, "DSSEv1 0  0 "},
		{PayloadType, nil, "DSSEv1 28 application/vnd.in-toto+json 0 "},
		{PayloadType, []byte("{}"), "DSSEv1 28 application/vnd.in-toto+json 2 {}"},
		{"t", []byte("a b\nc"), "DSSEv1 1 t 5 a b\nc"},
		{"é", []byte("é"), "DSSEv1 2 é 2 é"},
		{"x", bytes.Repeat([]byte("y"), 1000), "DSSEv1 1 x 1000 " + strings.Repeat("y", 1000)},
	} {
		if got := PAE(tc.typ, tc.payload); string(got) != tc.want {
			t.Errorf("PAE(%q, %q) = %q, want %q", tc.typ, tc.payload, got, tc.want)
		}
	}
}

// dssePAE mirrors github.com/secure-systems-lab/go-securesystemslib/dsse.PAE
// (v0.9.1, dsse/envelope.go), the implementation cosign uses. The module is
// not in go.mod or go.sum, so the go command refuses to import it here.
func dssePAE(payloadType string, payload []byte) []byte {
	return []byte(fmt.Sprintf("DSSEv1 %d %s %d %s", len(payloadType), payloadType, len(payload), payload))
}

func TestPAEMatchesSecureSystemsLib(t *testing.T) {
	f := newFixture(t)
	payload := mustMarshal(t, f.doc)
	for _, tc := range []struct {
		typ     string
		payload []byte
	}{
		{PayloadType, payload},
		{PayloadType, nil},
		{"", []byte{0, 1, 2, 0xff}},
		{"application/vnd.dsse.envelope.v1+json", []byte(" DSSEv1 3 abc 1 x ")},
		{"نوع", bytes.Repeat([]byte{0}, 4097)},
	} {
		if got, want := PAE(tc.typ, tc.payload), dssePAE(tc.typ, tc.payload); !bytes.Equal(got, want) {
			t.Errorf("PAE(%q, %d bytes) = %q, want %q", tc.typ, len(tc.payload), got, want)
		}
	}
}

func TestHashes(t *testing.T) {
	f := newFixture(t)
	// SHA-256(0x00), the leaf hash of an empty leaf.
	const emptyLeaf = "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
	if got := hexHash(LeafHash(nil)); got != emptyLeaf {
		t.Errorf("LeafHash(nil) = %s, want %s", got, emptyLeaf)
	}
	if got := hex.EncodeToString(rfc6962.DefaultHasher.EmptyRoot()); got != emptyRoot {
		t.Errorf("RFC 6962 empty root = %s, want emptyRoot %s", got, emptyRoot)
	}
	if got := hexHash(EntryHash(nil)); got != emptyRoot {
		t.Errorf("EntryHash(nil) = %s, want %s", got, emptyRoot)
	}
	for _, in := range [][]byte{nil, {}, {0}, {1}, []byte("hello world"), bytes.Repeat([]byte{0xab}, 200), f.genesisEnv, f.docEnv} {
		lh := LeafHash(in)
		if want := rfc6962.DefaultHasher.HashLeaf(in); !bytes.Equal(lh[:], want) {
			t.Errorf("LeafHash(%q) = %x, want %x", in, lh, want)
		}
		eh := EntryHash(in)
		if want := sha256.Sum256(in); eh != want {
			t.Errorf("EntryHash(%q) = %x, want %x", in, eh, want)
		}
		if lh == eh {
			t.Errorf("LeafHash(%q) = EntryHash = %x; the leaf hash must be domain-separated", in, lh)
		}
	}
	// The document entry's merkleRoot is the root of the one-leaf tree
	// holding the genesis; RFC 6962 defines that root as the leaf hash.
	if got, want := f.doc.Predicate.MerkleRoot, hex.EncodeToString(rfc6962.DefaultHasher.HashLeaf(f.genesisEnv)); got != want {
		t.Errorf("document merkleRoot = %s, want %s", got, want)
	}
}
