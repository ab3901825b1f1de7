package web

// Bundles with key entries (BUNDLE.md, "Several keys") for the browser
// test's table: versions an archivist key signed, versions across root
// rotations, and key entries altered in each way BUNDLE.md refuses. The Go
// verifier must refuse each bad one for the reason the browser gives.

import (
	"crypto/elliptic"
	"encoding/asn1"
	"encoding/base64"
	"math/big"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verbatim-ledger/verbatim/bundle"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
	"github.com/verbatim-ledger/verbatim/records"
)

var (
	laterOnce  sync.Once
	laterRoots [2]*keys.PrivateKey
)

// rotatedRoots returns the keys the rotated test ledger's root passes to:
// an ECDSA key, then an Ed25519 one (neither is a testKey).
func rotatedRoots(t testing.TB) (root2, root3 *keys.PrivateKey) {
	t.Helper()
	laterOnce.Do(func() {
		for i, alg := range []keys.Algorithm{keys.ECDSAP256, keys.Ed25519} {
			priv, _, err := keys.Generate(alg, []byte("test"))
			if err == nil {
				laterRoots[i], err = keys.ParsePrivateKey(priv, []byte("test"))
			}
			if err != nil {
				panic(err)
			}
		}
	})
	return laterRoots[0], laterRoots[1]
}

// withAppender runs f under an Appender signed by key and flushes.
func withAppender(t testing.TB, l *ledger.Ledger, key ledger.Signer, now func() time.Time, f func(*ledger.Appender) error) {
	t.Helper()
	a, err := l.Append(key, ledger.AppendOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := f(a); err != nil {
		t.Fatal(err)
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
}

// Documents of the key ledgers.
var (
	aliceDoc = []byte("Registered by the archivist alice.\n")
	root2Doc = []byte("Registered by the second root key.\n")
	root3Doc = []byte("Registered by the third root key.\n")
)

// rotatedLedger builds ledger example.org/web-keys: its genesis root (the
// ECDSA test key) adds archivist alice (the Ed25519 test key) at entry 1,
// who registers by-alice at 2; the root rotates to root2 at 3, which
// registers by-root-2 at 4 and rotates to root3 at 5, which registers
// by-root-3 at 6.
func rotatedLedger(t testing.TB) string {
	t.Helper()
	root1, alice := testKey(t, keys.ECDSAP256), testKey(t, keys.Ed25519)
	root2, root3 := rotatedRoots(t)
	dir := filepath.Join(t.TempDir(), "keys")
	now := clock()
	l, err := ledger.Init(dir, "example.org/web-keys", root1, ledger.AppendOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	withAppender(t, l, root1, now, func(a *ledger.Appender) error { return a.AddKey(alice.Public(), "alice") })
	appendDocs(t, l, alice, now, []ledger.NewDocument{{ID: "by-alice", Content: aliceDoc}})
	withAppender(t, l, root1, now, func(a *ledger.Appender) error { return a.RotateRoot(root2, "root 2") })
	appendDocs(t, l, root2, now, []ledger.NewDocument{{ID: "by-root-2", Content: root2Doc}})
	withAppender(t, l, root2, now, func(a *ledger.Appender) error { return a.RotateRoot(root3, "root 3") })
	appendDocs(t, l, root3, now, []ledger.NewDocument{{ID: "by-root-3", Content: root3Doc}})
	return dir
}

// revokedLedger builds a ledger example.org/web-revoke whose root (the
// ECDSA test key) adds alice at entry 1. With late, alice registers
// by-alice at entry 3, after a version of the root at 2, and is revoked at
// 4; without, she is revoked at 2.
func revokedLedger(t testing.TB, late bool) string {
	t.Helper()
	root, alice := testKey(t, keys.ECDSAP256), testKey(t, keys.Ed25519)
	dir := filepath.Join(t.TempDir(), "revoke")
	now := clock()
	l, err := ledger.Init(dir, "example.org/web-revoke", root, ledger.AppendOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	withAppender(t, l, root, now, func(a *ledger.Appender) error { return a.AddKey(alice.Public(), "alice") })
	if late {
		appendDocs(t, l, root, now, []ledger.NewDocument{{ID: "by-root", Content: []byte("Registered by the root key.\n")}})
		appendDocs(t, l, alice, now, []ledger.NewDocument{{ID: "by-alice", Content: aliceDoc}})
	}
	withAppender(t, l, root, now, func(a *ledger.Appender) error {
		return a.RevokeKey(alice.Public().Fingerprint(), records.ReasonCompromised)
	})
	return dir
}

// lastKeyProof is the newest entry of the ledger in dir as a bundle's key
// entry, with its inclusion proof in the ledger's tree.
func lastKeyProof(t testing.TB, dir string) map[string]any {
	t.Helper()
	l, err := ledger.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	size := l.Checkpoint().Size
	env, err := l.Envelope(size - 1)
	if err != nil {
		t.Fatal(err)
	}
	hashes, err := l.InclusionProof(size-1, size)
	if err != nil {
		t.Fatal(err)
	}
	hs := []any{}
	for _, h := range hashes {
		hs = append(hs, base64.StdEncoding.EncodeToString(h))
	}
	return map[string]any{"entry": size - 1, "envelope": base64.StdEncoding.EncodeToString(env), "hashes": hs}
}

// keyBundleCases are the bundles with key entries, checked here by the Go
// verifier: each must give the case's answer, and a refusal must say what
// the browser's does.
func keyBundleCases(t *testing.T) []bundleCase {
	root1, alice := testKey(t, keys.ECDSAP256), testKey(t, keys.Ed25519)
	root2, root3 := rotatedRoots(t)
	fp := func(k *keys.PrivateKey) string { return string(k.Public().Fingerprint()) }
	rotated, revoked := rotatedLedger(t), revokedLedger(t, true)
	byAlice := makeBundle(t, rotated, "by-alice", 1)
	byRoot3 := makeBundle(t, rotated, "by-root-3", 1)
	byRoot2 := makeBundle(t, rotated, "by-root-2", 1)
	beforeRevocation := makeBundle(t, revoked, "by-alice", 1)
	// No ledger lets a revoked key sign, so no bundle of such a version can
	// be made: alice's bundle gets a revocation of her key at entry 2, from
	// a twin ledger (same name, same root) that revoked her before she
	// signed. Its inclusion proof is for the twin's tree, but the revocation
	// is refused first.
	revokedEarly := lastKeyProof(t, revokedLedger(t, false))
	cases := []bundleCase{
		{"archivist's version, genesis root pinned", aliceDoc, byAlice, fp(root1), true, `("alice")`},
		{"archivist's version, current root pinned", aliceDoc, byAlice, fp(root3), true, `("alice")`},
		{"archivist's version, intermediate root pinned", aliceDoc, byAlice, fp(root2), false, "is neither the bundle's first root"},
		{"archivist's version, archivist's key pinned", aliceDoc, byAlice, fp(alice), false, "is neither the bundle's first root"},
		{"after two rotations, genesis root pinned", root3Doc, byRoot3, fp(root1), true, "by-root-3 version 1"},
		{"after two rotations, current root pinned", root3Doc, byRoot3, fp(root3), true, "by-root-3 version 1"},
		{"after two rotations, intermediate root pinned", root3Doc, byRoot3, fp(root2), false, "is neither the bundle's first root"},
		{"intermediate root's version, genesis root pinned", root2Doc, byRoot2, fp(root1), true, "by-root-2 version 1"},
		{"intermediate root's version, its own key pinned", root2Doc, byRoot2, fp(root2), false, "is neither the bundle's first root"},
		{"archivist's version before her revocation", aliceDoc, beforeRevocation, fp(root1), true, `("alice")`},
		{"archivist's version, a revocation before it spliced in", aliceDoc, alterBundle(t, beforeRevocation, func(b map[string]any) {
			b["keys"] = append(b["keys"].([]any), revokedEarly)
		}), fp(root1), false, "was revoked by entry 2, before entry 3"},
	}
	cases = append(cases, keyTamperCases(t, byAlice, fp(root1))...)
	checkKeyCasesInGo(t, cases)
	return cases
}

// keyTamperCases alter the key entries of good, the bundle of aliceDoc
// with key entries 1 (alice added), 3 and 5 (rotations).
func keyTamperCases(t *testing.T, good []byte, trust string) []bundleCase {
	alter := func(f func(b map[string]any, ks []any)) []byte {
		return alterBundle(t, good, func(b map[string]any) { f(b, b["keys"].([]any)) })
	}
	first := func(ks []any) map[string]any { return ks[0].(map[string]any) }
	cases := []struct {
		name  string
		alter func(b map[string]any, ks []any)
		want  string
	}{
		{"key entry's signature altered", func(b map[string]any, ks []any) {
			alterEnvelope(t, first(ks), func(env map[string]any) {
				sig := env["signatures"].([]any)[0].(map[string]any)
				sig["sig"] = flipB64(t, sig["sig"].(string))
			})
		}, "key entry 1 is not signed by the root key of its time"},
		{"key entry's signature in its high-S twin", func(b map[string]any, ks []any) {
			alterEnvelope(t, first(ks), func(env map[string]any) {
				sig := env["signatures"].([]any)[0].(map[string]any)
				sig["sig"] = highS(t, sig["sig"].(string))
			})
		}, "key entry 1 is not signed by the root key of its time"},
		{"key entry's statement altered", func(b map[string]any, ks []any) {
			alterEnvelope(t, first(ks), func(env map[string]any) {
				p, _ := base64.StdEncoding.DecodeString(env["payload"].(string))
				env["payload"] = base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(p), `"name":"alice"`, `"name":"mallory"`, 1)))
			})
		}, "key entry 1 is not signed by the root key of its time"},
		{"key entry's key fingerprint altered", func(b map[string]any, ks []any) {
			alterEnvelope(t, first(ks), func(env map[string]any) {
				p, _ := base64.StdEncoding.DecodeString(env["payload"].(string))
				i := strings.Index(string(p), `"fingerprint":"`) + len(`"fingerprint":"`)
				p[i] ^= 1 // another hex digit
				env["payload"] = base64.StdEncoding.EncodeToString(p)
			})
		}, "does not match"},
		{"key entry's inclusion hash altered", func(b map[string]any, ks []any) {
			h := first(ks)["hashes"].([]any)
			h[0] = flipB64(t, h[0].(string))
		}, "the inclusion proof of key entry 1 does not lead to the checkpoint's root"},
		{"key entry's inclusion hash dropped", func(b map[string]any, ks []any) {
			h := first(ks)["hashes"].([]any)
			first(ks)["hashes"] = h[1:]
		}, "the inclusion proof of key entry 1 does not lead to the checkpoint's root"},
		{"key entry's inclusion hash not canonical base64", func(b map[string]any, ks []any) {
			h := first(ks)["hashes"].([]any)
			h[0] = nonCanonical(t, h[0].(string))
		}, "not canonical"},
		{"key entries out of order", func(b map[string]any, ks []any) { ks[0], ks[1] = ks[1], ks[0] }, "key entries must be in increasing entry order"},
		{"key entry renumbered", func(b map[string]any, ks []any) { first(ks)["entry"] = 2 }, "entry 2 is not a key entry of example.org/web-keys"},
		{"unknown field in a key entry", func(b map[string]any, ks []any) { first(ks)["note"] = "trust me" }, `unknown field "note"`},
		{"add entry left out", func(b map[string]any, ks []any) { b["keys"] = ks[1:] }, "no add entry before it"},
		{"last rotation left out", func(b map[string]any, ks []any) { b["keys"] = ks[:2] }, "the checkpoint must be signed by the root key"},
		{"rootKey left out", func(b map[string]any, ks []any) { delete(b, "rootKey") }, "key entry 1 is not signed by the root key of its time"},
		{"rootKey not canonical PEM", func(b map[string]any, ks []any) {
			b["rootKey"] = strings.TrimSuffix(b["rootKey"].(string), "\n")
		}, "rootKey is not the canonical PEM of its key"},
		{"257 key entries", func(b map[string]any, ks []any) {
			many := make([]any, 257)
			for i := range many {
				many[i] = ks[0]
			}
			b["keys"] = many
		}, "257 key entries, more than 256"},
	}
	var out []bundleCase
	for _, c := range cases {
		out = append(out, bundleCase{c.name, aliceDoc, alter(c.alter), trust, false, c.want})
	}
	return out
}

// checkKeyCasesInGo runs cases through bundle.Parse and Verify: a good
// bundle must verify, a bad one be refused saying what the case wants.
func checkKeyCasesInGo(t *testing.T, cases []bundleCase) {
	for _, c := range cases {
		b, err := bundle.Parse(c.bundle)
		if err == nil {
			_, err = b.Verify(c.doc, keys.Fingerprint(c.trust))
		}
		switch {
		case c.ok && err != nil:
			t.Fatalf("%s: the Go verifier refuses: %v", c.name, err)
		case !c.ok && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Fatalf("%s: the Go verifier says %v, want a refusal saying %q", c.name, err, c.want)
		}
	}
}

// highS turns a base64 ECDSA P-256 signature into its high-S twin, which
// verifies mathematically but which verbatim refuses as non-canonical.
func highS(t *testing.T, s string) string {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	var sig struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(der, &sig); err != nil || len(rest) > 0 {
		t.Fatalf("not an ECDSA signature: %v", err)
	}
	sig.S.Sub(elliptic.P256().Params().N, sig.S)
	out, err := asn1.Marshal(sig)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(out)
}

// nonCanonical spells the 32 bytes of s with a non-zero padding bit, which
// lax base64 decoders ignore.
func nonCanonical(t *testing.T, s string) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	i := strings.IndexByte(alphabet, s[42])
	if len(s) != 44 || s[43] != '=' || i&3 != 0 {
		t.Fatalf("%q is not the canonical base64 of 32 bytes", s)
	}
	return s[:42] + string(alphabet[i|1]) + "="
}
