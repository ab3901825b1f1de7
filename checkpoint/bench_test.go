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

// benchKeys are the signers the benchmarks use: an ECDSA P-256 key (what
// verbatim generates), an Ed25519 key, and a constant signature under the
// ECDSA key (the cost of everything but the signature).
func benchKeys(b *testing.B) []struct {
	name string
	key  Signer
} {
	ec := ecdsaKey(b)
	return []struct {
		name string
		key  Signer
	}{{"key=ecdsa", ec}, {"key=ed25519", newSeedKey(b, 1)}, {"key=none", fixedKey{ec.Public()}}}
}

// BenchmarkSign signs a checkpoint.
func BenchmarkSign(b *testing.B) {
	root := [32]byte{1, 2, 3}
	for _, bc := range benchKeys(b) {
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
	for _, bc := range benchKeys(b)[:2] {
		b.Run(bc.name, func(b *testing.B) {
			pub := bc.key.Public()
			cp, err := Sign(origin, 123456, [32]byte{1, 2, 3}, testEntries, bc.key)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := ParseChained(cp, origin, pub); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
