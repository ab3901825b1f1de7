package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"
)

// highS returns the twin (r, n−s) of a DER ECDSA signature.
func highS(t *testing.T, sig []byte) []byte {
	t.Helper()
	var v ecdsaSig
	if _, err := asn1.Unmarshal(sig, &v); err != nil {
		t.Fatal(err)
	}
	v.S.Sub(elliptic.P256().Params().N, v.S)
	out, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSignLowS: every ECDSA signature verbatim makes is in low-S form, and
// its high-S twin, which ecdsa.VerifyASN1 accepts, is refused.
func TestSignLowS(t *testing.T) {
	p := generated(t, ECDSAP256)
	msg := []byte("the same message, signed many times")
	digest := sha256.Sum256(msg)
	for i := 0; i < 300; i++ {
		sig, err := p.priv.Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		if !isLowS(sig) {
			t.Fatalf("signature %d is not low-S: %x", i, sig)
		}
		if err := p.pub.Verify(msg, sig); err != nil {
			t.Fatalf("signature %d: Verify = %v", i, err)
		}
		twin := highS(t, sig)
		if !ecdsa.VerifyASN1(p.pub.Crypto().(*ecdsa.PublicKey), digest[:], twin) {
			t.Fatalf("signature %d: the high-S twin does not verify with crypto/ecdsa", i)
		}
		if err := p.pub.Verify(msg, twin); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("signature %d: Verify(high-S twin) = %v, want ErrBadSignature", i, err)
		}
	}
}

// TestVerifyRejectsNonCanonicalDER: a signature re-encoded with a
// non-minimal integer or length is refused (VerifyASN1 requires DER).
func TestVerifyRejectsNonCanonicalDER(t *testing.T) {
	p := generated(t, ECDSAP256)
	msg := []byte("message")
	sig, err := p.priv.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	var v ecdsaSig
	if _, err := asn1.Unmarshal(sig, &v); err != nil {
		t.Fatal(err)
	}
	r, s := intDER(v.R.Bytes()), intDER(v.S.Bytes())
	seq := func(b []byte) []byte { return append([]byte{0x30, byte(len(b))}, b...) }
	for name, bad := range map[string][]byte{
		"canonical (control)":     seq(append(append([]byte{}, r...), s...)),
		"long-form length":        append([]byte{0x30, 0x81, byte(len(r) + len(s))}, append(append([]byte{}, r...), s...)...),
		"trailing byte":           append(seq(append(append([]byte{}, r...), s...)), 0),
		"r with two leading 0x00": seq(append(append([]byte{0x02, byte(len(r)), 0x00, 0x00}, r[2:]...), s...)),
	} {
		err := p.pub.Verify(msg, bad)
		if name == "canonical (control)" {
			if err != nil {
				t.Errorf("%s: Verify = %v", name, err)
			}
			continue
		}
		if !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: Verify = %v, want ErrBadSignature", name, err)
		}
	}
}

// intDER is the minimal DER INTEGER of the non-negative big-endian b.
func intDER(b []byte) []byte {
	if len(b) == 0 || b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return append([]byte{0x02, byte(len(b))}, b...)
}

// TestEd25519RejectsNonCanonicalS: S + L, the other encoding of the same
// scalar, is refused (crypto/ed25519 requires S < L, RFC 8032 §5.1.7).
func TestEd25519RejectsNonCanonicalS(t *testing.T) {
	p := generated(t, Ed25519)
	msg := []byte("message")
	sig, err := p.priv.Sign(msg)
	if err != nil || len(sig) != ed25519.SignatureSize {
		t.Fatal(sig, err)
	}
	l, _ := new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
	s := new(big.Int).SetBytes(reverse(sig[32:]))
	s.Add(s, l)
	sb := make([]byte, 32)
	s.FillBytes(sb)
	twin := append(append([]byte{}, sig[:32]...), reverse(sb)...)
	if err := p.pub.Verify(msg, twin); !errors.Is(err, ErrBadSignature) {
		t.Errorf("Verify(S+L) = %v, want ErrBadSignature", err)
	}
}

func reverse(b []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[len(b)-1-i] = b[i]
	}
	return out
}

// FuzzVerify: Verify never panics on hostile signature bytes, and every
// ECDSA signature it accepts is the low-S one.
func FuzzVerify(f *testing.F) {
	p := generated(f, ECDSAP256)
	msg := []byte("message")
	sig, err := p.priv.Sign(msg)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sig)
	f.Add(highSFuzzSeed(sig))
	f.Add([]byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01})
	f.Fuzz(func(t *testing.T, sig []byte) {
		if p.pub.Verify(msg, sig) == nil && !isLowS(sig) {
			t.Fatalf("Verify accepted a high-S signature %x", sig)
		}
	})
}

// highSFuzzSeed is the high-S twin of sig, for the fuzz corpus.
func highSFuzzSeed(sig []byte) []byte {
	var v ecdsaSig
	if _, err := asn1.Unmarshal(sig, &v); err != nil {
		return sig
	}
	v.S.Sub(elliptic.P256().Params().N, v.S)
	out, _ := asn1.Marshal(v)
	return out
}
