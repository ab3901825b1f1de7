package ledger

import (
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/records"
)

// Key statuses, as KeyInfo reports them.
const (
	KeyStatusRoot       = "root"        // the current root key
	KeyStatusActive     = "active"      // an added archivist key, not revoked
	KeyStatusRevoked    = "revoked"     // an added key, revoked
	KeyStatusFormerRoot = "former-root" // a root key that rotated to another
	keyNameGenesisRoot  = "root"        // the name the genesis root key is shown with
)

// ErrRevokedKey is wrapped when an entry is signed by a key that an earlier
// entry revoked.
var ErrRevokedKey = errors.New("signed by a revoked key")

// KeyChange is one entry that changed a key: its genesis, add, revoke or rotate.
type KeyChange struct {
	Entry  uint64
	Action string // "genesis", records.KeyAdd, KeyRevoke, KeyRotate ("rotate" on both the old and the new root)
	Reason string // revoke only
}

// KeyInfo is what the ledger says about one key.
type KeyInfo struct {
	Fingerprint keys.Fingerprint
	Algorithm   string
	Name        string
	Status      string
	Changes     []KeyChange
	Key         *keys.PublicKey
}

// keyring is the key state replaying entries establishes (FORMAT.md §3.7):
// every key the ledger named, and the chain of roots.
type keyring struct {
	known map[string]*KeyInfo
	order []string           // fingerprints in the order the ledger named them
	roots []keys.Fingerprint // genesis root first, current root last
	// revokedAt is the entry that revoked a key.
	revokedAt map[string]uint64
	events    int // key entries applied (the genesis not counted)
}

func (s *state) ring() *keyring {
	if s.keys == nil {
		s.keys = &keyring{known: map[string]*KeyInfo{}, revokedAt: map[string]uint64{}}
	}
	return s.keys
}

// noteRoot records the genesis root key.
func (s *state) noteRoot(k *keys.PublicKey) {
	r := s.ring()
	fp := string(k.Fingerprint())
	r.known[fp] = &KeyInfo{Fingerprint: k.Fingerprint(), Algorithm: string(k.Algorithm()), Name: keyNameGenesisRoot, Status: KeyStatusRoot,
		Changes: []KeyChange{{Entry: 0, Action: "genesis"}}, Key: k}
	r.order = append(r.order, fp)
	r.roots = append(r.roots, k.Fingerprint())
}

// unauthorized explains why fp may not sign the next entry.
func (s *state) unauthorized(fp string) error {
	r := s.ring()
	if info := r.known[fp]; info != nil {
		switch info.Status {
		case KeyStatusRevoked:
			return fmt.Errorf("%w: key %s (%s) was revoked by entry %d, before this entry", ErrRevokedKey, info.Name, short(fp), r.revokedAt[fp])
		case KeyStatusFormerRoot:
			return fmt.Errorf("signed by key %s, a former root key that rotated the root to another key before this entry", short(fp))
		}
	}
	return fmt.Errorf("signed by key %s, which the ledger does not authorize", short(fp))
}

// publicKeyOf decodes a key spec that records validated.
func publicKeyOf(spec *records.KeySpec) (*keys.PublicKey, error) {
	der, _ := base64.StdEncoding.DecodeString(spec.PublicKey)
	k, err := keys.PublicKeyFromDER(der)
	if err != nil {
		return nil, err
	}
	if string(k.Algorithm()) != spec.Algorithm {
		return nil, fmt.Errorf("key is %s, recorded as %s", k.Algorithm(), spec.Algorithm)
	}
	return k, nil
}

// KeySpecOf is the ledger record of a public key.
func KeySpecOf(k *keys.PublicKey) records.KeySpec {
	return records.KeySpec{Fingerprint: string(k.Fingerprint()), Algorithm: string(k.Algorithm()), PublicKey: base64.StdEncoding.EncodeToString(k.DER())}
}

// applyKey checks a key entry against the key state before it and applies
// it (FORMAT.md §3.7). signer is the entry's (already authorized) signer.
// It returns the key that must sign the entry's checkpoint: the new root for
// a rotation, else the signer.
func (s *state) applyKey(p *records.Predicate, signer *keys.PublicKey) (*keys.PublicKey, error) {
	if !records.HasKeyEntries(s.format) {
		return nil, fmt.Errorf("key entries are not allowed in a %s ledger; only %s and later ledgers have archivist keys", s.format, records.FormatV3)
	}
	if signer.Fingerprint() != s.rootKey.Fingerprint() {
		return nil, fmt.Errorf("a key %s entry signed by key %s, which is not the root key %s: only the root key may add, revoke or rotate keys",
			p.Key.Action, short(string(signer.Fingerprint())), short(string(s.rootKey.Fingerprint())))
	}
	ev := p.Key
	k, err := publicKeyOf(&ev.Key)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", short(ev.Key.Fingerprint), err)
	}
	r := s.ring()
	fp := ev.Key.Fingerprint
	info := r.known[fp]
	change := KeyChange{Entry: p.Entry, Action: ev.Action, Reason: ev.Reason}
	switch ev.Action {
	case records.KeyAdd, records.KeyRotate:
		if info != nil {
			return nil, fmt.Errorf("key %s entry for key %s, which the ledger already named (%s, %s at entry %d): a key is added once; a revoked key stays revoked",
				ev.Action, short(fp), info.Name, info.Status, info.Changes[len(info.Changes)-1].Entry)
		}
		info = &KeyInfo{Fingerprint: k.Fingerprint(), Algorithm: ev.Key.Algorithm, Name: ev.Name, Status: KeyStatusActive, Changes: []KeyChange{change}, Key: k}
		r.known[fp] = info
		r.order = append(r.order, fp)
		s.signers[fp] = k
		if ev.Action == records.KeyRotate {
			old := r.known[string(s.rootKey.Fingerprint())]
			old.Status = KeyStatusFormerRoot
			old.Changes = append(old.Changes, change)
			delete(s.signers, string(s.rootKey.Fingerprint()))
			info.Status = KeyStatusRoot
			s.rootKey = k
			r.roots = append(r.roots, k.Fingerprint())
		}
	case records.KeyRevoke:
		if info == nil || info.Status != KeyStatusActive {
			what := "which the ledger never added"
			if info != nil {
				what = "whose status is " + info.Status
			}
			return nil, fmt.Errorf("revocation of key %s, %s: only an added, not yet revoked archivist key can be revoked", short(fp), what)
		}
		info.Status = KeyStatusRevoked
		info.Changes = append(info.Changes, change)
		r.revokedAt[fp] = p.Entry
		delete(s.signers, fp)
	}
	r.events++
	if ev.Action == records.KeyRotate {
		return k, nil
	}
	return signer, nil
}

// keyByFingerprint is any key the ledger has named, authorized now or not:
// entries a key signed while it was authorized stay valid.
func (s *state) keyByFingerprint(fp string) (*keys.PublicKey, bool) {
	if k, ok := s.signers[fp]; ok {
		return k, true
	}
	if info := s.ring().known[fp]; info != nil {
		return info.Key, true
	}
	return nil, false
}

// Keys lists every key the ledger has named, in the order it named them.
func (l *Ledger) Keys() ([]KeyInfo, error) {
	if err := l.refresh(); err != nil {
		return nil, err
	}
	r := l.st.ring()
	out := make([]KeyInfo, 0, len(r.order))
	for _, fp := range r.order {
		info := *r.known[fp]
		info.Changes = append([]KeyChange(nil), info.Changes...)
		out = append(out, info)
	}
	return out, nil
}

// RootChain is the fingerprints of the ledger's root keys, the genesis root
// first and the current root last.
func (l *Ledger) RootChain() []keys.Fingerprint {
	return append([]keys.Fingerprint(nil), l.st.ring().roots...)
}

// KeyName is the name the ledger gives the key fp, or "" if none. A
// ledger without key entries has one key and names none.
func (l *Ledger) KeyName(fp keys.Fingerprint) string {
	if l.st.ring().events == 0 {
		return ""
	}
	if info := l.st.ring().known[string(fp)]; info != nil {
		return info.Name
	}
	return ""
}

// trustChain checks a pinned fingerprint against the chain of roots
// (FORMAT.md §3.7): it must be the genesis root or a root named by a rotate
// entry. It returns the chain from the pinned root to the current one.
func (r *keyring) trustChain(trust keys.Fingerprint) ([]keys.Fingerprint, error) {
	for i, fp := range r.roots {
		if fp == trust {
			return append([]keys.Fingerprint(nil), r.roots[i:]...), nil
		}
	}
	if len(r.roots) == 1 {
		return nil, fmt.Errorf("%w: the ledger's root key is %s, not the pinned key %s", ErrTampered, r.roots[0], trust)
	}
	return nil, fmt.Errorf("%w: the pinned key %s is not one of the ledger's root keys (genesis root %s, current root %s)",
		ErrTampered, trust, r.roots[0], r.roots[len(r.roots)-1])
}
