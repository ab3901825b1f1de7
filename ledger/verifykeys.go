package ledger

import (
	"fmt"
	"sync"

	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/records"
)

// isRotation reports whether st is a key rotate entry, whose checkpoint the
// new root signs (FORMAT.md §3.7).
func isRotation(st *records.Statement) bool {
	return st.Predicate.Key != nil && st.Predicate.Key.Action == records.KeyRotate
}

// keyMap holds keys by fingerprint for goroutines that check signatures
// while the state, which alone decides whether a key may sign a given
// entry, is still being built.
type keyMap struct {
	mu sync.RWMutex
	m  map[string]*keys.PublicKey
}

func newKeyMap(ks ...*keys.PublicKey) *keyMap {
	km := &keyMap{m: map[string]*keys.PublicKey{}}
	for _, k := range ks {
		km.m[string(k.Fingerprint())] = k
	}
	return km
}

// get returns the key whose fingerprint is fp, or nil.
func (km *keyMap) get(fp string) *keys.PublicKey {
	km.mu.RLock()
	defer km.mu.RUnlock()
	return km.m[fp]
}

func (km *keyMap) put(fp string, k *keys.PublicKey) {
	km.mu.Lock()
	km.m[fp] = k
	km.mu.Unlock()
}

// namedKey is the key an add or rotate entry names (records checked that
// its fingerprint is the key's), or nil.
func namedKey(st *records.Statement) *records.KeySpec {
	if ev := st.Predicate.Key; ev != nil && ev.Action != records.KeyRevoke {
		return &ev.Key
	}
	return nil
}

// workerKey is a key some earlier entry named, or nil. Workers check
// entries ahead of the state; a key added by an entry not yet applied is
// not known to them, and the entry is checked when it is applied.
func (v *verifier) workerKey(fp string) *keys.PublicKey { return v.keys.get(fp) }

// learnKeys gives the workers the key an add or rotate entry names. Whether
// a key may sign a given entry is the state's to decide; the workers only
// check signatures.
func (v *verifier) learnKeys(st *records.Statement) {
	if spec := namedKey(st); spec != nil {
		if k, ok := v.st.keyByFingerprint(spec.Fingerprint); ok {
			v.keys.put(spec.Fingerprint, k)
		}
	}
}

// acceptDeferred checks the signatures of an entry the workers could not:
// the envelope with its signer's key, and the checkpoint with the key that
// must sign it (the new root for a rotation, whose checkpoint signature is
// always verified: it is the new root's acceptance of the ledger it takes
// over).
func (v *verifier) acceptDeferred(n uint64, c checked, key *keys.PublicKey) error {
	st := c.env.Statement
	commit := shortHash(v.commits.at(n).hash)
	if err := c.env.Verify(key); err != nil {
		return entryErr(n, st, commit, fmt.Errorf("envelope signature does not verify with key %s", key.Fingerprint().Short()))
	}
	var err error
	cpKey := v.st.lastSigner
	if isRotation(st) {
		c.cp, err = checkpoint.Parse(c.cp.Raw, v.st.name, cpKey)
		if err != nil {
			err = fmt.Errorf("the rotation's checkpoint must be signed by the new root key %s: %w", cpKey.Fingerprint().Short(), err)
		}
	} else {
		c.cp, err = v.checkpoint(c.cp.Raw, n, cpKey)
	}
	if err != nil {
		return entryErr(n, st, commit, err)
	}
	return v.acceptCheckpoint(n, c)
}

// pin checks the pinned key against the chain of roots and records the
// chain from it to the current root.
func (v *verifier) pin(trust keys.Fingerprint) error {
	r := v.st.ring()
	if trust == "" {
		v.chain = append([]keys.Fingerprint(nil), r.roots...)
		return nil
	}
	var err error
	v.chain, err = r.trustChain(trust)
	return err
}

// sinceKey is the key that signed an earlier checkpoint of this ledger: the
// first key the ledger named whose signature the note carries. The
// checkpoint's size, root and entries tree are then compared with the
// ledger's, which decides whether it is one of its states.
func (s *state) sinceKey(raw []byte) *keys.PublicKey {
	r := s.ring()
	for _, fp := range r.order {
		k := r.known[fp].Key
		if _, err := checkpoint.ParseCosigned(raw, s.name, k); err == nil {
			return k
		}
	}
	return s.rootKey
}
