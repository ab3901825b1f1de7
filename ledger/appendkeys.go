package ledger

import (
	"fmt"

	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/records"
)

// AddKey appends a key entry that authorizes pub, named name, to sign
// document entries from the next entry on (FORMAT.md §3.7). The Appender's
// signer must be the current root key. A key the ledger has named before
// (added, revoked, or a root) is refused.
func (a *Appender) AddKey(pub *keys.PublicKey, name string) error {
	return a.addKeyEntry(&records.KeyEvent{Action: records.KeyAdd, Key: KeySpecOf(pub), Name: name}, nil)
}

// RevokeKey appends a key entry that revokes the added key fp: entries it
// signed before stay valid, and any later entry it signs is invalid. reason
// is records.ReasonRetired or records.ReasonCompromised.
func (a *Appender) RevokeKey(fp keys.Fingerprint, reason string) error {
	info := a.l.st.ring().known[string(fp)]
	if info == nil {
		return fmt.Errorf("%w: key %s is not a key of ledger %s: nothing to revoke (verbatim keys list shows its keys)", ErrInput, fp, a.l.st.name)
	}
	return a.addKeyEntry(&records.KeyEvent{Action: records.KeyRevoke, Key: KeySpecOf(info.Key), Reason: reason}, nil)
}

// RotateRoot appends a key entry, signed by the current root, that makes
// newRoot the root key; the entry's checkpoint is signed by newRoot, which
// so accepts the ledger it takes over. From the next entry on the old root
// signs nothing.
func (a *Appender) RotateRoot(newRoot Signer, name string) error {
	return a.addKeyEntry(&records.KeyEvent{Action: records.KeyRotate, Key: KeySpecOf(newRoot.Public()), Name: name}, newRoot)
}

// addKeyEntry signs and stages a key entry; cpSigner, if set, signs its
// checkpoint instead of the Appender's signer.
func (a *Appender) addKeyEntry(ev *records.KeyEvent, cpSigner Signer) error {
	if a.broken != nil {
		return a.broken
	}
	if err := records.CheckKeyName(ev.Name); ev.Action != records.KeyRevoke && err != nil {
		return fmt.Errorf("%w: %w", ErrInput, err)
	}
	st := a.statement(records.KeyType, records.Subject{Name: ev.Key.Fingerprint, Digest: records.Digest{SHA256: ev.Key.Fingerprint}})
	st.Predicate.Key = ev
	a.cpSigner = cpSigner
	defer func() { a.cpSigner = nil }()
	return a.add(st, nil)
}

// checkpointSigner is the key that signs the checkpoint of the entry being
// staged.
func (a *Appender) checkpointSigner() Signer {
	if a.cpSigner != nil {
		return a.cpSigner
	}
	return a.signer
}
