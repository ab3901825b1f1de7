package ledger

import (
	"bytes"
	"crypto/elliptic"
	"encoding/asn1"
	"encoding/base64"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/records"
)

// Tamper tests for the encoding rules of FORMAT.md §3.1 and §5: every
// signature in a ledger has exactly one accepted encoding, so no one
// without the root key can change a signed byte.

// twinS returns the DER ECDSA signature (r, n−s) of (r, s): the other
// signature of the same message that crypto/ecdsa accepts.
func twinS(t testing.TB, der []byte) []byte {
	t.Helper()
	var sig struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(der, &sig); err != nil || len(rest) != 0 {
		t.Fatalf("not a DER ECDSA signature: %x", der)
	}
	sig.S = new(big.Int).Sub(elliptic.P256().Params().N, sig.S)
	out, err := asn1.Marshal(sig)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// alterNoteSig rewrites the base64 of a checkpoint's (last) signature line.
func alterNoteSig(t testing.TB, cp []byte, edit func(b64 string) string) []byte {
	t.Helper()
	s := strings.TrimSuffix(string(cp), "\n")
	i := strings.LastIndex(s, " ")
	out := s[:i+1] + edit(s[i+1:]) + "\n"
	if out == string(cp) {
		t.Fatal("the edit changed nothing")
	}
	return []byte(out)
}

// paddingBit sets a padding bit of a padded base64 string.
func paddingBit(t testing.TB, b64 string) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	j := len(strings.TrimRight(b64, "=")) - 1
	if j == len(b64)-1 {
		t.Fatalf("%q has no padding", b64)
	}
	return b64[:j] + string(alphabet[strings.IndexByte(alphabet, b64[j])^1]) + b64[j+1:]
}

// highSNoteSig replaces the ECDSA signature in a note signature's base64
// (key hash ‖ DER) by its high-S twin.
func highSNoteSig(t testing.TB) func(string) string {
	return func(b64 string) string {
		b, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(append(b[:4:4], twinS(t, b[4:])...))
	}
}

// rewriteTipCheckpoint replaces the newest checkpoint with edit's result
// and amends the newest commit canonically (a forger's best effort).
func rewriteTipCheckpoint(edit func(cp []byte) []byte) func(t *testing.T, work string) {
	return func(t *testing.T, work string) {
		f := filepath.Join(work, checkpointFile)
		tamperWrite(t, f, edit(tamperRead(t, f)))
		tamperAmend(t, work, true, "")
	}
}

// TestTamperSpecCheckpointSignature: the newest checkpoint, which no later
// entry covers, rewritten with the same signature in another encoding.
func TestTamperSpecCheckpointSignature(t *testing.T) {
	ec := newTamperFixture(t) // root key ECDSA P-256
	ec.run(t, []tamperCase{
		{name: "ECDSA (r, n-s)", mutate: rewriteTipCheckpoint(func(cp []byte) []byte {
			return alterNoteSig(t, cp, highSNoteSig(t))
		}), want: failsAt(ec.tip, "checkpoint signature does not verify"), open: openFails},
	})
	ed := newSpecFixture(t, testKey(t, keys.Ed25519), testClock())
	ed.run(t, []tamperCase{
		{name: "Ed25519 non-zero padding bits", mutate: rewriteTipCheckpoint(func(cp []byte) []byte {
			return alterNoteSig(t, cp, func(s string) string { return paddingBit(t, s) })
		}), want: failsAt(ed.tip, "checkpoint", "canonical base64"), open: openFails},
	})
}

// newSpecFixture is newTamperFixture with another root key and clock.
func newSpecFixture(t *testing.T, key *keys.PrivateKey, clock func() time.Time) *tamperFixture {
	t.Helper()
	fx := newTamperFixture(t) // skips without git
	fx.base = filepath.Join(t.TempDir(), "pristine-"+string(key.Public().Algorithm()))
	l, err := Init(fx.base, "example.org/test-ledger", key, AppendOptions{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	registerDocs(t, l, key, clock, sampleDocs)
	l.Close()
	fx.root = key.Public().Fingerprint()
	return fx
}

// highSSigner signs with key but returns the high-S twin of the ECDSA
// signatures it makes for envelopes (DSSE PAE) or checkpoints (the rest).
type highSSigner struct {
	*keys.PrivateKey
	t         testing.TB
	envelopes bool
}

func (s highSSigner) Sign(msg []byte) ([]byte, error) {
	sig, err := s.PrivateKey.Sign(msg)
	if err != nil || bytes.HasPrefix(msg, []byte("DSSEv1 ")) != s.envelopes {
		return sig, err
	}
	return twinS(s.t, sig), nil
}

// TestSpecHighSEnvelope: a ledger whose newest entry's envelope signature
// is high-S, made with the root key (so every hash and the checkpoint
// match), is refused: only the low-S form is accepted (FORMAT.md §3.1).
func TestSpecHighSEnvelope(t *testing.T) {
	key := testKey(t, keys.ECDSAP256)
	dir := filepath.Join(t.TempDir(), "ledger")
	clock := testClock()
	l := buildLedger(t, dir, sampleDocs)
	registerDocs(t, l, highSSigner{key, t, true}, clock, []testDoc{{"late", "signed high-S\n"}})
	l.Close()
	_, err := tamperVerify(t, dir, VerifyOptions{Trust: key.Public().Fingerprint()})
	wantTampered(t, err, "entry 5", "signature")
}

// TestSpecEarlierCheckpointSignature: the signature of a checkpoint other
// than the newest is not verified (FORMAT.md §5): its bytes are fixed by
// the next entry's signed previousCheckpoint. A ledger whose earlier
// checkpoint carries a high-S signature, made by the root key, verifies;
// the same as its newest checkpoint does not.
func TestSpecEarlierCheckpointSignature(t *testing.T) {
	key := testKey(t, keys.ECDSAP256)
	dir := filepath.Join(t.TempDir(), "ledger")
	clock := testClock()
	l := buildLedger(t, dir, sampleDocs[:2])
	registerDocs(t, l, highSSigner{key, t, false}, clock, sampleDocs[2:3])
	registerDocs(t, l, key, clock, sampleDocs[3:])
	l.Close()
	if _, err := tamperVerify(t, dir, VerifyOptions{Trust: key.Public().Fingerprint()}); err != nil {
		t.Fatalf("Verify: %v; an earlier checkpoint's signature is not part of the rule", err)
	}
}

// TestSpecEqualTimes: consecutive entries may have equal times ("never
// before the previous entry's", FORMAT.md §3.3).
func TestSpecEqualTimes(t *testing.T) {
	key := testKey(t, keys.Ed25519)
	at := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	same := func() time.Time { return at }
	dir := filepath.Join(t.TempDir(), "ledger")
	l, err := Init(dir, "example.org/test-ledger", key, AppendOptions{Now: same})
	if err != nil {
		t.Fatal(err)
	}
	registerDocs(t, l, key, same, sampleDocs)
	l.Close()
	rep, err := tamperVerify(t, dir, VerifyOptions{Trust: key.Public().Fingerprint()})
	if err != nil || rep.Entries != uint64(len(sampleDocs)+1) {
		t.Fatalf("Verify = %v, %v; want %d entries made in the same second", rep, err, len(sampleDocs)+1)
	}
}

// TestSpecGenesisKeyCanonical: the genesis publicKey must be the canonical
// DER of an uncompressed P-256 point or an Ed25519 key (FORMAT.md §3.4); a
// compressed point, the same key in another encoding, is refused.
func TestSpecGenesisKeyCanonical(t *testing.T) {
	der := testKey(t, keys.ECDSAP256).Public().DER()
	point := der[len(der)-65:] // 0x04 ‖ X ‖ Y
	compressed := append([]byte{0x30, 0x39}, der[2:len(der)-68]...)
	compressed = append(compressed, 0x03, 0x22, 0x00, 0x02|point[64]&1)
	compressed = append(compressed, point[1:33]...)
	for name, d := range map[string][]byte{"canonical (control)": der, "compressed point": compressed} {
		st := &records.Statement{Predicate: records.Predicate{Genesis: &records.Genesis{
			RootKey: records.KeySpec{Algorithm: "ecdsa-p256", PublicKey: base64.StdEncoding.EncodeToString(d)},
		}}}
		_, err := (&state{}).keyFor(st)
		t.Logf("%s: %v", name, err)
		if (err == nil) != (name == "canonical (control)") {
			t.Errorf("%s: keyFor = %v", name, err)
		}
	}
}
