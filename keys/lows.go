package keys

import (
	"crypto/elliptic"
	"encoding/asn1"
	"errors"
	"math/big"
)

// ECDSA signatures are malleable: if (r, s) verifies, so does (r, n−s), a
// different byte string made without the private key. A ledger hashes and
// chains signed bytes (a checkpoint's hash is the next entry's
// previousCheckpoint; the newest checkpoint is only signed), so verbatim
// admits exactly one of the two, the low-S form s ≤ n/2 (FORMAT.md §3.1):
// signing normalises to it and verifying refuses the other.

// p256HalfOrder is ⌊n/2⌋ for the order n of P-256.
var p256HalfOrder = new(big.Int).Rsh(elliptic.P256().Params().N, 1)

// ecdsaSig is the ASN.1 form of an ECDSA signature.
type ecdsaSig struct{ R, S *big.Int }

// errHighS is returned for a P-256 signature whose s is above n/2.
var errHighS = errors.New("ECDSA signature is not in low-S form (s > n/2)")

// lowS returns the DER signature sig with s replaced by n−s if s > n/2.
func lowS(sig []byte) ([]byte, error) {
	var v ecdsaSig
	if rest, err := asn1.Unmarshal(sig, &v); err != nil || len(rest) != 0 {
		return nil, errors.New("signer returned a malformed ECDSA signature")
	}
	if v.S.Cmp(p256HalfOrder) <= 0 {
		return sig, nil
	}
	v.S.Sub(elliptic.P256().Params().N, v.S)
	return asn1.Marshal(v)
}

// isLowS reports whether the DER signature sig, already verified (and so
// well-formed), has s ≤ n/2.
func isLowS(sig []byte) bool {
	var v ecdsaSig
	rest, err := asn1.Unmarshal(sig, &v)
	return err == nil && len(rest) == 0 && v.S.Sign() > 0 && v.S.Cmp(p256HalfOrder) <= 0
}
