package ledger

import (
	"encoding/base64"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-ledger/verbatim/bundle"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/records"
)

// keyLedger builds a ledger whose root is the ECDSA test key, adds the
// Ed25519 test key as archivist "alice", and registers one version signed
// by alice. It returns the open ledger and its clock.
func keyLedger(t *testing.T, dir string) (*Ledger, func() time.Time) {
	t.Helper()
	root, alice := testKey(t, keys.ECDSAP256), testKey(t, keys.Ed25519)
	l := buildLedger(t, dir, []testDoc{{"a", "one"}})
	clock := testClock()
	withAppender(t, l, root, clock, func(a *Appender) error { return a.AddKey(alice.Public(), "alice") })
	registerDocs(t, l, alice, clock, []testDoc{{"b", "by alice"}})
	return l, clock
}

// withAppender runs f under an Appender signed by key and flushes.
func withAppender(t *testing.T, l *Ledger, key Signer, clock func() time.Time, f func(*Appender) error) {
	t.Helper()
	if err := tryAppender(l, key, clock, f); err != nil {
		t.Fatal(err)
	}
}

func tryAppender(l *Ledger, key Signer, clock func() time.Time, f func(*Appender) error) error {
	a, err := l.Append(key, AppendOptions{Now: clock})
	if err != nil {
		return err
	}
	defer a.Close()
	if err := f(a); err != nil {
		return err
	}
	return a.Flush()
}

func TestKeysAddRevokeRotate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "l")
	root, alice, newRoot := testKey(t, keys.ECDSAP256), testKey(t, keys.Ed25519), testOtherKey(t)
	l, clock := keyLedger(t, dir)
	defer l.Close()
	checkLedger(t, dir, 4)
	// Revoke alice: her version stays valid, she can sign nothing more.
	withAppender(t, l, root, clock, func(a *Appender) error { return a.RevokeKey(alice.Public().Fingerprint(), records.ReasonRetired) })
	checkLedger(t, dir, 5)
	err := tryAppender(l, alice, clock, func(a *Appender) error { _, err := a.Add(NewDocument{ID: "c", Content: []byte("late")}); return err })
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "revoked by entry 4") {
		t.Fatalf("register with a revoked key: %v, want refused naming the revocation", err)
	}
	// Rotate the root; the old root signs nothing more.
	withAppender(t, l, root, clock, func(a *Appender) error { return a.RotateRoot(newRoot, "root 2027") })
	registerDocs(t, l, newRoot, clock, []testDoc{{"c", "by the new root"}})
	for _, trust := range []keys.Fingerprint{root.Public().Fingerprint(), newRoot.Public().Fingerprint()} {
		rep, err := Verify(dir, VerifyOptions{Trust: trust})
		if err != nil {
			t.Fatalf("Verify --trust %s: %v", trust.Short(), err)
		}
		if rep.RootFingerprint != newRoot.Public().Fingerprint() || rep.RootChain[len(rep.RootChain)-1] != rep.RootFingerprint || rep.RootChain[0] != trust {
			t.Fatalf("trust %s: root %s chain %v", trust.Short(), rep.RootFingerprint.Short(), rep.RootChain)
		}
	}
	if _, err := Verify(dir, VerifyOptions{Trust: alice.Public().Fingerprint()}); err == nil {
		t.Fatal("an archivist key was accepted as a pinned root")
	}
	if err := tryAppender(l, root, clock, func(a *Appender) error { _, err := a.Add(NewDocument{ID: "d", Content: []byte("x")}); return err }); !errors.Is(err, ErrInput) {
		t.Fatalf("register with the former root: %v, want refused", err)
	}
	l2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	ks, err := l2.Keys()
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, k := range ks {
		got = append(got, k.Name+"="+k.Status)
	}
	if want := "root=former-root alice=revoked root 2027=root"; strings.Join(got, " ") != want {
		t.Fatalf("Keys: %q, want %q", strings.Join(got, " "), want)
	}
}

func TestKeysRefused(t *testing.T) {
	root, alice, other := testKey(t, keys.ECDSAP256), testKey(t, keys.Ed25519), testOtherKey(t)
	for _, tc := range []struct {
		name string
		key  Signer
		f    func(*Appender) error
		want string
	}{
		{"key added by a non-root key", alice, func(a *Appender) error { return a.AddKey(other.Public(), "eve") }, "only the root key may"},
		{"key added twice", root, func(a *Appender) error { return a.AddKey(alice.Public(), "alice again") }, "already named"},
		{"root added as archivist", root, func(a *Appender) error { return a.AddKey(root.Public(), "me") }, "already named"},
		{"revocation of an unknown key", root, func(a *Appender) error { return a.RevokeKey(other.Public().Fingerprint(), records.ReasonRetired) }, "not a key of ledger"},
		{"revocation of the root", root, func(a *Appender) error { return a.RevokeKey(root.Public().Fingerprint(), records.ReasonCompromised) }, "only an added"},
		{"bad reason", root, func(a *Appender) error { return a.RevokeKey(alice.Public().Fingerprint(), "bored") }, "reason"},
		{"empty name", root, func(a *Appender) error { return a.AddKey(other.Public(), "") }, "key name"},
		{"rotate by a non-root key", alice, func(a *Appender) error { return a.RotateRoot(other, "eve") }, "only the root key may"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "l")
			l, clock := keyLedger(t, dir)
			defer l.Close()
			head := l.Head()
			err := tryAppender(l, tc.key, clock, tc.f)
			if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an input error mentioning %q", err, tc.want)
			}
			if rep := checkLedger(t, dir, 4); rep.Head != head {
				t.Fatal("a refused key entry changed the ledger")
			}
		})
	}
}

// TestKeysReAddRevoked: a revoked key stays revoked (FORMAT.md §3.7).
func TestKeysReAddRevoked(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "l")
	root, alice := testKey(t, keys.ECDSAP256), testKey(t, keys.Ed25519)
	l, clock := keyLedger(t, dir)
	defer l.Close()
	withAppender(t, l, root, clock, func(a *Appender) error { return a.RevokeKey(alice.Public().Fingerprint(), records.ReasonCompromised) })
	err := tryAppender(l, root, clock, func(a *Appender) error { return a.AddKey(alice.Public(), "alice") })
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "a revoked key stays revoked") {
		t.Fatalf("re-adding a revoked key: %v", err)
	}
}

// forge appends an entry the Appender would refuse, by changing the
// in-memory key state first: the verifier must reject the result.
func forge(t *testing.T, l *Ledger, key Signer, clock func() time.Time, unlock func(*state), f func(*Appender) error) {
	t.Helper()
	if err := l.refresh(); err != nil {
		t.Fatal(err)
	}
	unlock(l.st)
	a, err := l.Append(key, AppendOptions{Now: clock})
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

func TestKeysTamper(t *testing.T) {
	root, alice, other := testKey(t, keys.ECDSAP256), testKey(t, keys.Ed25519), testOtherKey(t)
	addDoc := func(a *Appender) error { _, err := a.Add(NewDocument{ID: "forged", Content: []byte("x")}); return err }
	for _, tc := range []struct {
		name   string
		revoke bool
		key    Signer
		unlock func(*state)
		f      func(*Appender) error
		want   []string
	}{
		{"entry signed by a revoked key", true, alice, func(s *state) {
			s.signers[string(alice.Public().Fingerprint())] = alice.Public()
			s.ring().known[string(alice.Public().Fingerprint())].Status = KeyStatusActive
		}, addDoc, []string{"entry 5", "revoked by entry 4", "alice"}},
		{"entry signed by a never-added key", false, other, func(s *state) {
			s.signers[string(other.Public().Fingerprint())] = other.Public()
		}, addDoc, []string{"entry 4", "does not authorize"}},
		{"key entry signed by an archivist key", false, alice, func(s *state) {
			s.rootKey = s.signers[string(alice.Public().Fingerprint())]
		}, func(a *Appender) error { return a.AddKey(other.Public(), "eve") }, []string{"entry 4", "only the root key may"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "l")
			l, clock := keyLedger(t, dir)
			defer l.Close()
			if tc.revoke {
				withAppender(t, l, root, clock, func(a *Appender) error { return a.RevokeKey(alice.Public().Fingerprint(), records.ReasonCompromised) })
			}
			before, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			since := before.Checkpoint().Raw
			before.Close()
			forge(t, l, tc.key, clock, tc.unlock, tc.f)
			_, err = Verify(dir, VerifyOptions{Trust: root.Public().Fingerprint()})
			wantTampered(t, err, tc.want...)
			_, err = Audit(dir, AuditOptions{Since: since, Trust: root.Public().Fingerprint()})
			wantTampered(t, err, tc.want...)
			if _, err := Open(dir); err == nil {
				t.Fatal("Open accepted the forged entry")
			}
		})
	}
}

// TestKeysV2Refused: a v2 ledger keeps v2's rules: only the root key signs.
func TestKeysV2Refused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "v2.git")
	if err := copyTree(goldenV2Dir, dir); err != nil {
		t.Fatal(err)
	}
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	err = tryAppender(l, newSeedSigner(t), testClock(), func(a *Appender) error { return a.AddKey(testKey(t, keys.Ed25519).Public(), "alice") })
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "not allowed in a verbatim-ledger/v2 ledger") {
		t.Fatalf("key entry in a v2 ledger: %v", err)
	}
}

// TestKeysAuditAcrossRotation: an audit from a checkpoint before the key
// entries verifies an archivist's and a new root's entries after it.
func TestKeysAuditAcrossRotation(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "l")
	root, newRoot := testKey(t, keys.ECDSAP256), testOtherKey(t)
	l := buildLedger(t, dir, []testDoc{{"a", "one"}})
	since := l.Checkpoint().Raw
	l.Close()
	l, clock := keyLedger(t, filepath.Join(t.TempDir(), "unused"))
	l.Close()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	withAppender(t, l, root, clock, func(a *Appender) error { return a.AddKey(testKey(t, keys.Ed25519).Public(), "alice") })
	registerDocs(t, l, testKey(t, keys.Ed25519), clock, []testDoc{{"b", "by alice"}})
	mid := l.Checkpoint().Raw
	withAppender(t, l, root, clock, func(a *Appender) error { return a.RotateRoot(newRoot, "root 2") })
	registerDocs(t, l, testKey(t, keys.Ed25519), clock, []testDoc{{"b", "by alice, again"}})
	for name, cp := range map[string][]byte{"before the keys": since, "after alice's entry": mid} {
		for _, trust := range []keys.Fingerprint{root.Public().Fingerprint(), newRoot.Public().Fingerprint()} {
			rep, err := Audit(dir, AuditOptions{Since: cp, Trust: trust})
			if err != nil {
				t.Fatalf("audit since %s, trust %s: %v", name, trust.Short(), err)
			}
			if rep.RootFingerprint != newRoot.Public().Fingerprint() || rep.NewSize != 6 {
				t.Fatalf("audit since %s: root %s size %d", name, rep.RootFingerprint.Short(), rep.NewSize)
			}
		}
	}
}

// TestKeysBundle: a bundle for a version an archivist signed carries the key
// entries that connect her key to the pinned root, and a checkpoint a root
// signed.
func TestKeysBundle(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "l")
	root, alice, newRoot := testKey(t, keys.ECDSAP256), testKey(t, keys.Ed25519), testOtherKey(t)
	l, clock := keyLedger(t, dir)
	defer l.Close()
	v, err := l.Lookup("b", 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Bundle(v); !errors.Is(err, ErrInput) {
		t.Fatalf("bundle with only an archivist's checkpoint after the entry: %v, want ErrInput", err)
	}
	withAppender(t, l, root, clock, func(a *Appender) error { return a.RevokeKey(alice.Public().Fingerprint(), records.ReasonRetired) })
	withAppender(t, l, root, clock, func(a *Appender) error { return a.RotateRoot(newRoot, "root 2") })
	b, err := l.Bundle(v)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Keys) != 2 || b.RootKey == "" {
		t.Fatalf("bundle carries %d key entries, root key %q; want the add and the rotation, and the genesis root", len(b.Keys), b.RootKey)
	}
	for _, trust := range []keys.Fingerprint{root.Public().Fingerprint(), newRoot.Public().Fingerprint()} {
		if _, err := b.Verify([]byte("by alice"), trust); err != nil {
			t.Fatalf("verify trusting %s: %v", trust.Short(), err)
		}
	}
	// The same text in other bytes (a BOM) is a text match, still naming
	// the archivist from the bundle's key entries.
	if res, err := b.Verify([]byte("\ufeffby alice"), root.Public().Fingerprint()); err != nil || !res.Text || res.SignerName != "alice" {
		t.Fatalf("verify a text copy: %+v, %v; want a text match signed by alice", res, err)
	}
	if _, err := b.Verify([]byte("by alice"), alice.Public().Fingerprint()); err == nil {
		t.Fatal("a bundle verified with the archivist's key pinned")
	}
	noAdd := *b
	noAdd.Keys = b.Keys[1:]
	if _, err := noAdd.Verify([]byte("by alice"), root.Public().Fingerprint()); err == nil || !strings.Contains(err.Error(), "no add entry") {
		t.Fatalf("bundle without the add entry: %v", err)
	}
	noRotate := *b
	noRotate.Keys = b.Keys[:1]
	if _, err := noRotate.Verify([]byte("by alice"), root.Public().Fingerprint()); err == nil {
		t.Fatal("bundle without the rotation verified against the new root's checkpoint")
	}
	parsed, err := bundle.Parse(b.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parsed.Verify([]byte("by alice"), root.Public().Fingerprint()); err != nil {
		t.Fatalf("the bundle after encoding: %v", err)
	}
	// The key entries, proofs and keys stay small; the document's own
	// envelope is left out of the bound (a document/v2 statement carries
	// its text identity and 684-character sketch, FORMAT.md §3.3).
	n, env := len(b.Marshal()), base64.StdEncoding.EncodedLen(len(b.Envelope))
	if n-env > 6<<10 {
		t.Errorf("bundle is %d bytes, %d besides the document's envelope; a bundle with two key entries should stay small", n, n-env)
	}
}

// badSigner claims a key's fingerprint but signs with another key.
type badSigner struct {
	claimed *keys.PublicKey
	real    Signer
}

func (b badSigner) Sign(msg []byte) ([]byte, error) { return b.real.Sign(msg) }
func (b badSigner) Public() *keys.PublicKey         { return b.claimed }

// TestCheckTrustKeyEntrySignatures: a reader of the newest tree (check)
// pinned to the root must not accept a key that an add entry with a forged
// signature brought in, even though the newest checkpoint, signed by that
// key, verifies.
func TestCheckTrustKeyEntrySignatures(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "l")
	root, eve := testKey(t, keys.ECDSAP256), testKey(t, keys.Ed25519)
	l := buildLedger(t, dir, []testDoc{{"a", "one"}})
	clock := testClock()
	withAppender(t, l, badSigner{claimed: root.Public(), real: eve}, clock, func(a *Appender) error { return a.AddKey(eve.Public(), "eve") })
	registerDocs(t, l, eve, clock, []testDoc{{"forged", "by eve"}})
	l.Close()
	// Reading a v4 ledger from its index verifies every key entry's
	// signature when it opens; a replayed ledger's CheckTrust does.
	l, err := Open(dir)
	if err == nil {
		defer l.Close()
		_, err = l.CheckTrust(root.Public().Fingerprint())
	}
	wantTampered(t, err, "entry 2", "signature does not verify")
	_, err = Verify(dir, VerifyOptions{Trust: root.Public().Fingerprint()})
	wantTampered(t, err, "entry 2")
}

// An archivist key may sign what the root may: a hash-only version and a
// translation (FORMAT.md §3.3) signed by an added key verify, pinned to
// the root, and keep both their signer and their document/v2 fields.
func TestKeysArchivistHashOnlyAndTranslation(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "l")
	alice := testKey(t, keys.Ed25519)
	l, clock := keyLedger(t, dir)
	defer l.Close()
	original, err := l.Lookup("a", 1)
	if err != nil {
		t.Fatal(err)
	}
	withAppender(t, l, alice, clock, func(a *Appender) error {
		if _, err := a.Add(NewDocument{ID: "withheld", Content: []byte("a statement whose bytes stay with the archive\n"), HashOnly: true}); err != nil {
			return err
		}
		_, err := a.Add(NewDocument{ID: "a-fr", Content: []byte("un\n"), Language: "fr", TranslationOf: original})
		return err
	})
	rep := checkLedger(t, dir, 6)
	if rep.HashOnly != 1 {
		t.Errorf("Verify: %d hash-only versions, want 1", rep.HashOnly)
	}
	l2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	for _, id := range []string{"withheld", "a-fr"} {
		v, err := l2.Lookup(id, 1)
		if err != nil {
			t.Fatal(err)
		}
		if v.Signer != alice.Public().Fingerprint() || l2.KeyName(v.Signer) != "alice" {
			t.Errorf("%s: signer %s (%q), want alice's key", id, v.Signer.Short(), l2.KeyName(v.Signer))
		}
		if id == "withheld" && !v.HashOnly {
			t.Errorf("withheld: not hash-only after reopening")
		}
		if id == "a-fr" && (v.TranslationOf == nil || v.TranslationOf.ID != "a" || v.TranslationOf.Version != 1) {
			t.Errorf("a-fr: translationOf %+v, want a@1", v.TranslationOf)
		}
	}
}
