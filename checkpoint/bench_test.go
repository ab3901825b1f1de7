package checkpoint

import (
	"testing"

	"github.com/verbatim-ledger/verbatim/keys"
)

// fixedKey signs with a constant signature, so that a benchmark measures the
// note encoding and not the curve arithmetic.
type fixedKey struct{ pub *keys.PublicKey }

func (k fixedKey) Sign([]byte) ([]byte, error) { return make([]byte, 64), nil }
func (k fixedKey) Public() *keys.PublicKey     { return k.pub }

// BenchmarkSign signs a checkpoint with an Ed25519 key, and with a constant
// signature (the cost of everything but the signature).
func BenchmarkSign(b *testing.B) {
	k := newSeedKey(b, 1)
	root := [32]byte{1, 2, 3}
	for _, bc := range []struct {
		name string
		key  Signer
	}{{"key=ed25519", k}, {"key=none", fixedKey{k.pub}}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Sign(origin, 123456, root, testEntries, bc.key); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseChained parses a checkpoint as a ledger's verification does
// for every entry but the newest (no signature check).
func BenchmarkParseChained(b *testing.B) {
	k := newSeedKey(b, 1)
	cp, err := Sign(origin, 123456, [32]byte{1, 2, 3}, testEntries, k)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ParseChained(cp, origin, k.pub); err != nil {
			b.Fatal(err)
		}
	}
}
