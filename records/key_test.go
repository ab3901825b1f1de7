package records

import (
	"strings"
	"testing"
)

// keyStatement is a valid key statement, in place of the fixture's
// document entry (entry 1), about the key with seed bytes 0x21 … 0x40 (the
// golden ledger's archivist).
func keyStatement(f *fixture, action string) *Statement {
	s := *f.doc
	s.Predicate.Document = nil
	s.PredicateType = KeyType
	ev := &KeyEvent{Action: action, Key: archivistSpec()}
	if action == KeyRevoke {
		ev.Reason = ReasonRetired
	} else {
		ev.Name = "archivist one"
	}
	s.Predicate.Key = ev
	s.Subject = []Subject{{Name: ev.Key.Fingerprint, Digest: Digest{SHA256: ev.Key.Fingerprint}}}
	return &s
}

// archivistSpec is the key spec of the Ed25519 key with seed 0x21 … 0x40.
func archivistSpec() KeySpec {
	seed := make([]byte, 32)
	for i := range seed {
		seed[i] = 0x21 + byte(i)
	}
	_, spec := newEdKey(&testing.T{}, seed)
	return spec
}

func TestKeyStatement(t *testing.T) {
	f := newFixture(t)
	for _, action := range []string{KeyAdd, KeyRevoke, KeyRotate} {
		s := keyStatement(f, action)
		b, err := s.Marshal()
		if err != nil {
			t.Fatalf("%s: %v", action, err)
		}
		if _, err := ParseStatement(b); err != nil {
			t.Fatalf("%s: %v", action, err)
		}
		if !strings.Contains(string(b), `"key":{"action":"`+action+`","key":{"fingerprint":"`) {
			t.Fatalf("%s: field order: %s", action, b)
		}
	}
	for _, tc := range []struct {
		name   string
		action string
		mutate func(*Statement)
		want   string
	}{
		{"unknown action", KeyAdd, func(s *Statement) { s.Predicate.Key.Action = "promote" }, "key action"},
		{"add without name", KeyAdd, func(s *Statement) { s.Predicate.Key.Name = "" }, "key name"},
		{"name with a newline", KeyAdd, func(s *Statement) { s.Predicate.Key.Name = "a\nb" }, "key name"},
		{"name too long", KeyAdd, func(s *Statement) { s.Predicate.Key.Name = strings.Repeat("n", 65) }, "key name"},
		{"add with reason", KeyAdd, func(s *Statement) { s.Predicate.Key.Reason = ReasonRetired }, "only revoke has one"},
		{"revoke with name", KeyRevoke, func(s *Statement) { s.Predicate.Key.Name = "x" }, "only add and rotate"},
		{"revoke without reason", KeyRevoke, func(s *Statement) { s.Predicate.Key.Reason = "" }, "revocation reason"},
		{"revoke with another reason", KeyRevoke, func(s *Statement) { s.Predicate.Key.Reason = "lost" }, "revocation reason"},
		{"subject not the fingerprint", KeyAdd, func(s *Statement) { s.Subject[0].Name = "alice" }, "subject"},
		{"fingerprint not of the key", KeyAdd, func(s *Statement) { s.Predicate.Key.Key.Fingerprint = strings.Repeat("0", 64) }, "fingerprint"},
		{"bad algorithm", KeyRotate, func(s *Statement) { s.Predicate.Key.Key.Algorithm = "rsa" }, "algorithm"},
		{"key and document", KeyAdd, func(s *Statement) { s.Predicate.Document = &Document{ID: "a", Version: 1, MediaType: "text/plain"} }, "exactly the key part"},
		{"key in entry 0", KeyAdd, func(s *Statement) {
			s.Predicate.Entry, s.Predicate.PreviousEntry, s.Predicate.PreviousCheckpoint = 0, "", ""
		}, "entry 0"},
	} {
		s := keyStatement(f, tc.action)
		tc.mutate(s)
		if err := s.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate() = %v, want it to mention %q", tc.name, err, tc.want)
		}
	}
}
