package checkpoint

import (
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"

	"github.com/verbatim-ledger/verbatim/keys"
)

func witnessKey(t *testing.T) *keys.PrivateKey { return generated(t, keys.Ed25519) }

func TestCosignAndQuorum(t *testing.T) {
	ledgerKey := newSeedKey(t, 1)
	raw, _ := Sign(origin, 9, sha256.Sum256([]byte("r")), testEntries, ledgerKey)
	w1, w2, w3 := witnessKey(t), witnessKey(t), witnessKey(t)
	wit := func(k *keys.PrivateKey) Witness { return Witness{Name: WitnessName(k.Public()), Key: k.Public()} }
	all := []Witness{wit(w1), wit(w2), wit(w3)}

	cp, err := ParseCosigned(raw, origin, ledgerKey.Public())
	if err != nil {
		t.Fatal(err)
	}
	once, err := Cosign(cp, all[0].Name, w1)
	if err != nil {
		t.Fatal(err)
	}
	cp, err = ParseCosigned(once, origin, ledgerKey.Public())
	if err != nil {
		t.Fatalf("ParseCosigned(cosigned): %v", err)
	}
	twice, err := Cosign(cp, all[1].Name, w2)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(twice), "\n\u2014 "); n != 3 {
		t.Fatalf("twice-cosigned checkpoint has %d signature lines, want 3:\n%s", n, twice)
	}
	got, err := Cosigners(twice, origin, ledgerKey.Public(), all)
	if err != nil || len(got) != 2 {
		t.Fatalf("Cosigners = %v, %v; want the first two witnesses", got, err)
	}
	if err := RequireQuorum(twice, origin, ledgerKey.Public(), all, 2); err != nil {
		t.Errorf("RequireQuorum(2): %v", err)
	}
	if err := RequireQuorum(twice, origin, ledgerKey.Public(), all, 3); !errors.Is(err, ErrQuorum) {
		t.Errorf("RequireQuorum(3) = %v, want ErrQuorum", err)
	}
	// The standard implementation verifies the cosignature (interop).
	v, err := fnote.NewVerifierForCosignatureV1(VerifierKeyEd25519(all[0].Name, publicEd25519(w1.Public())))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := note.Open(twice, note.VerifierList(v)); err != nil {
		t.Errorf("formats does not verify our cosignature: %v", err)
	}
	// A ledger never stores a cosigned checkpoint: Parse refuses it.
	if _, err := Parse(twice, origin, ledgerKey.Public()); err == nil {
		t.Errorf("Parse accepted a cosigned checkpoint")
	}
	// A garbled cosignature by a trusted witness is an error, not a missing vote.
	lines := strings.Split(strings.TrimSuffix(string(twice), "\n"), "\n")
	last := lines[len(lines)-1]
	garbled := strings.Replace(string(twice), last, last[:len(last)-6]+"AAAAA=", 1)
	if _, err := Cosigners([]byte(garbled), origin, ledgerKey.Public(), all); err == nil {
		t.Errorf("Cosigners accepted a garbled cosignature")
	}
	// Ledger keys cannot witness: witness keys are Ed25519 only.
	ec := ecdsaKey(t)
	if _, err := Cosign(cp, "w", ec); !errors.Is(err, keys.ErrUnsupportedKey) {
		t.Errorf("Cosign with an ECDSA key = %v", err)
	}
}

func FuzzCosigners(f *testing.F) {
	ledgerKey := newSeedKey(f, 1)
	raw, _ := Sign(origin, 9, sha256.Sum256([]byte("r")), testEntries, ledgerKey)
	wk := newSeedKey(f, 40)
	w := Witness{Name: "witness-a", Key: wk.Public()}
	f.Add(raw)
	f.Add(append(raw, []byte("\u2014 witness-a AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n")...))
	f.Fuzz(func(t *testing.T, data []byte) {
		names, err := Cosigners(data, origin, ledgerKey.Public(), []Witness{w})
		if err == nil && len(names) > 1 {
			t.Fatalf("one witness counted %d times", len(names))
		}
	})
}
