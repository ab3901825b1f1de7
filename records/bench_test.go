package records

import (
	"testing"
)

// fixedSigner returns a constant 64-byte signature, so that a benchmark
// measures the encoding around the signature and not the curve arithmetic.
type fixedSigner struct{}

func (fixedSigner) Sign([]byte) ([]byte, error) { return make([]byte, 64), nil }

// BenchmarkParseEnvelope parses the signed document entry of the vectors
// (a 3.2 KB text with a text identity and sketch).
func BenchmarkParseEnvelope(b *testing.B) {
	fx := newFixture(b)
	b.SetBytes(int64(len(fx.docEnv)))
	for b.Loop() {
		if _, err := ParseEnvelope(fx.docEnv); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseStatement parses the document statement of the vectors.
func BenchmarkParseStatement(b *testing.B) {
	fx := newFixture(b)
	payload := mustMarshal(b, fx.doc)
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if _, err := ParseStatement(payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSign signs the document statement of the vectors: with the
// golden Ed25519 key, and with a signer that returns a constant signature
// (the cost of everything but the signature).
func BenchmarkSign(b *testing.B) {
	fx := newFixture(b)
	for _, bc := range []struct {
		name   string
		signer Signer
	}{{"key=ed25519", fx.key}, {"key=none", fixedSigner{}}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Sign(fx.doc, fx.spec.Fingerprint, bc.signer); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
