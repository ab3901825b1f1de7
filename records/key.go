package records

import (
	"fmt"
)

// Key event actions (FORMAT.md §3.7).
const (
	// KeyAdd authorizes an archivist key to sign document entries.
	KeyAdd = "add"
	// KeyRevoke withdraws an added key from the entry after the revocation on.
	KeyRevoke = "revoke"
	// KeyRotate makes a new key the ledger's root key.
	KeyRotate = "rotate"
)

// Revocation reasons (FORMAT.md §3.7).
const (
	// ReasonRetired says the key is no longer used; it was not exposed.
	ReasonRetired = "retired"
	// ReasonCompromised says the private key may be known to others.
	ReasonCompromised = "compromised"
)

// maxKeyName bounds a key's name, which is shown next to the entries it signs.
const maxKeyName = 64

// KeyEvent is the kind-specific part of a key entry: which key, what
// happens to it, and (for add and rotate) the name shown for it. Field order
// is the canonical order.
type KeyEvent struct {
	Action string  `json:"action"` // KeyAdd, KeyRevoke or KeyRotate
	Key    KeySpec `json:"key"`
	Name   string  `json:"name,omitempty"`   // add and rotate only
	Reason string  `json:"reason,omitempty"` // revoke only
}

// validateKey checks a key entry on its own: its subject is the key's
// fingerprint, and it has exactly the fields its action uses. Who may sign
// it, and whether the key may be added, revoked or made root at that point,
// depend on earlier entries: the ledger checks them.
func (s *Statement) validateKey() error {
	p := &s.Predicate
	k := p.Key
	if p.Entry == 0 {
		return fmt.Errorf("key predicate in entry 0, which must be genesis")
	}
	if err := k.Key.validate(); err != nil {
		return fmt.Errorf("key: %w", err)
	}
	if s.Subject[0].Name != k.Key.Fingerprint || s.Subject[0].Digest.SHA256 != k.Key.Fingerprint {
		return fmt.Errorf("key entry subject must be the key's fingerprint as name and digest")
	}
	switch k.Action {
	case KeyAdd, KeyRotate:
		if k.Reason != "" {
			return fmt.Errorf("a key %s entry has a reason; only revoke has one", k.Action)
		}
		return CheckKeyName(k.Name)
	case KeyRevoke:
		if k.Name != "" {
			return fmt.Errorf("a key revoke entry has a name; only add and rotate have one")
		}
		if k.Reason != ReasonRetired && k.Reason != ReasonCompromised {
			return fmt.Errorf("revocation reason %q is not %q or %q", k.Reason, ReasonRetired, ReasonCompromised)
		}
		return nil
	default:
		return fmt.Errorf("key action %q is not %q, %q or %q", k.Action, KeyAdd, KeyRevoke, KeyRotate)
	}
}

// CheckKeyName reports whether name may name a key: 1 to 64 bytes of valid
// UTF-8 without control characters (U+0000–U+001F, U+007F).
func CheckKeyName(name string) error {
	if name == "" || len(name) > maxKeyName || !isText(name) {
		return fmt.Errorf("key name %q is empty, longer than %d bytes or not printable", name, maxKeyName)
	}
	return nil
}
