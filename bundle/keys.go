package bundle

import (
	"encoding/json"
	"fmt"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/records"
)

// maxKeyProofs bounds the key entries a bundle carries.
const maxKeyProofs = 256

// KeyProof is a key entry (FORMAT.md §3.7) and its inclusion proof in the
// bundle's checkpoint: with them a verifier connects the version's signer
// to the pinned root (BUNDLE.md, "Several keys").
type KeyProof struct {
	Entry    uint64   `json:"entry"`
	Envelope []byte   `json:"envelope"` // base64 in JSON
	Hashes   [][]byte `json:"hashes"`   // RFC 6962 inclusion proof in the checkpoint's tree
}

// chained reports whether b connects its signer to a root through key
// entries, rather than being signed by the pinned key alone.
func (b *Bundle) chained() bool { return b.RootKey != "" || len(b.Keys) > 0 }

// keyChain is what replaying a bundle's key entries establishes.
type keyChain struct {
	roots   []*keys.PublicKey // the first root, then each rotation's key
	rootAt  func(entry uint64) *keys.PublicKey
	added   map[keys.Fingerprint]uint64
	revoked map[keys.Fingerprint]uint64
	names   map[keys.Fingerprint]string // from add and rotate entries
}

// verifyChained is Verify for a bundle with key entries: the chain starts
// at rootKey (publicKey if absent); the pinned key must be that first root
// or the last one, which signs the checkpoint; every key entry is signed by
// the root of its time and included in the checkpoint; the version's signer
// is the root of its time or a key added before it and not revoked before
// it.
func (b *Bundle) verifyChained(document []byte, trust keys.Fingerprint) (*Result, error) {
	pub, err := parseCanonicalPEM(b.PublicKey, "publicKey")
	if err != nil {
		return nil, err
	}
	first := pub
	if b.RootKey != "" {
		if first, err = parseCanonicalPEM(b.RootKey, "rootKey"); err != nil {
			return nil, err
		}
	}
	env, err := records.ParseEnvelope(b.Envelope)
	if err != nil {
		return nil, fmt.Errorf("%w: envelope: %w", ErrMalformed, err)
	}
	text, changes, err := b.checkEntry(env, pub, document)
	if err != nil {
		return nil, err
	}
	kc, keyEnvs, err := b.replayKeys(first)
	if err != nil {
		return nil, err
	}
	last := kc.roots[len(kc.roots)-1]
	if trust != first.Fingerprint() && trust != last.Fingerprint() {
		return nil, fmt.Errorf("%w: the trusted key %s is neither the bundle's first root %s nor its last %s (pin the genesis or the current root)", ErrFailed, trust, first.Fingerprint(), last.Fingerprint())
	}
	if err := kc.authorizes(pub.Fingerprint(), b.Entry); err != nil {
		return nil, err
	}
	cp, err := checkpoint.ParseCosigned([]byte(b.Checkpoint), b.Ledger, last)
	if err != nil {
		return nil, fmt.Errorf("%w: the checkpoint must be signed by the root key %s: %w", ErrFailed, last.Fingerprint().Short(), err)
	}
	in := b.Inclusion
	if cp.Size != in.TreeSize || in.LeafIndex != b.Entry || in.LeafIndex >= in.TreeSize {
		return nil, fmt.Errorf("%w: the inclusion proof is for entry %d of %d, the bundle for entry %d of the checkpoint's %d", ErrFailed, in.LeafIndex, in.TreeSize, b.Entry, cp.Size)
	}
	leaf := records.LeafHash(b.Envelope)
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, in.LeafIndex, in.TreeSize, leaf[:], in.Hashes, cp.Root[:]); err != nil {
		return nil, fmt.Errorf("%w: the inclusion proof does not lead from the entry to the checkpoint's root: %w", ErrFailed, err)
	}
	for i, k := range b.Keys {
		if k.Entry >= cp.Size {
			return nil, fmt.Errorf("%w: key entry %d is not in the checkpoint of %d entries", ErrFailed, k.Entry, cp.Size)
		}
		leaf := records.LeafHash(keyEnvs[i].Raw)
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, k.Entry, cp.Size, leaf[:], k.Hashes, cp.Root[:]); err != nil {
			return nil, fmt.Errorf("%w: the inclusion proof of key entry %d does not lead to the checkpoint's root: %w", ErrFailed, k.Entry, err)
		}
	}
	return &Result{Statement: env.Statement, Signer: pub.Fingerprint(), Checkpoint: cp, Roots: fingerprints(kc.roots), SignerName: kc.names[pub.Fingerprint()],
		Text: text, Changes: changes}, nil
}

// replayKeys checks the key entries in order, each signed by the root of
// its time, and returns the chain they establish.
func (b *Bundle) replayKeys(first *keys.PublicKey) (*keyChain, []*records.ParsedEnvelope, error) {
	kc := &keyChain{roots: []*keys.PublicKey{first}, added: map[keys.Fingerprint]uint64{}, revoked: map[keys.Fingerprint]uint64{}, names: map[keys.Fingerprint]string{}}
	since := []uint64{0} // the entry from which each root signs
	envs := make([]*records.ParsedEnvelope, len(b.Keys))
	for i, k := range b.Keys {
		if i > 0 && k.Entry <= b.Keys[i-1].Entry || k.Entry == 0 {
			return nil, nil, fmt.Errorf("%w: key entries must be in increasing entry order, after the genesis", ErrMalformed)
		}
		env, err := records.ParseEnvelope(k.Envelope)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: key entry %d: %w", ErrMalformed, k.Entry, err)
		}
		p := &env.Statement.Predicate
		root := kc.roots[len(kc.roots)-1]
		switch {
		case p.Key == nil || p.Entry != k.Entry || p.Ledger != b.Ledger:
			return nil, nil, fmt.Errorf("%w: entry %d is not a key entry of %s", ErrFailed, k.Entry, b.Ledger)
		case env.KeyID != string(root.Fingerprint()) || env.Verify(root) != nil:
			return nil, nil, fmt.Errorf("%w: key entry %d is not signed by the root key of its time %s", ErrFailed, k.Entry, root.Fingerprint().Short())
		}
		fp := keys.Fingerprint(p.Key.Key.Fingerprint)
		if p.Key.Name != "" {
			kc.names[fp] = p.Key.Name
		}
		switch p.Key.Action {
		case records.KeyAdd:
			kc.added[fp] = k.Entry
		case records.KeyRevoke:
			kc.revoked[fp] = k.Entry
		case records.KeyRotate:
			nk, err := keys.PublicKeyFromDER(mustDER(p.Key.Key.PublicKey))
			if err != nil {
				return nil, nil, fmt.Errorf("%w: key entry %d: %w", ErrMalformed, k.Entry, err)
			}
			kc.roots = append(kc.roots, nk)
			since = append(since, k.Entry+1)
		}
		envs[i] = env
	}
	kc.rootAt = func(entry uint64) *keys.PublicKey {
		r := kc.roots[0]
		for i, s := range since {
			if entry >= s {
				r = kc.roots[i]
			}
		}
		return r
	}
	return kc, envs, nil
}

// authorizes checks that fp could sign entry n: it is the root then, or a
// key added before n and not revoked before n.
func (kc *keyChain) authorizes(fp keys.Fingerprint, n uint64) error {
	if kc.rootAt(n).Fingerprint() == fp {
		return nil
	}
	at, ok := kc.added[fp]
	if !ok || at >= n {
		return fmt.Errorf("%w: the bundle does not show that key %s was authorized at entry %d (no add entry before it)", ErrFailed, fp.Short(), n)
	}
	if r, ok := kc.revoked[fp]; ok && r < n {
		return fmt.Errorf("%w: key %s was revoked by entry %d, before entry %d", ErrFailed, fp.Short(), r, n)
	}
	return nil
}

func parseCanonicalPEM(s, field string) (*keys.PublicKey, error) {
	k, err := keys.ParsePublicKey([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrMalformed, field, err)
	}
	if string(k.PEM()) != s {
		return nil, fmt.Errorf("%w: %s is not the canonical PEM of its key", ErrMalformed, field)
	}
	return k, nil
}

// mustDER decodes a key spec's base64, which records validated.
func mustDER(s string) []byte {
	b, _ := records.DecodeBase64(s)
	return b
}

func fingerprints(ks []*keys.PublicKey) []keys.Fingerprint {
	out := make([]keys.Fingerprint, len(ks))
	for i, k := range ks {
		out[i] = k.Fingerprint()
	}
	return out
}

// checkKeysForm refuses key proofs that are too many, or whose base64 is
// not canonical (FORMAT.md §3.1).
func checkKeysForm(b *Bundle, data []byte) error {
	if len(b.Keys) > maxKeyProofs {
		return fmt.Errorf("%w: %d key entries, more than %d", ErrMalformed, len(b.Keys), maxKeyProofs)
	}
	var raw struct {
		Keys []struct {
			Envelope string   `json:"envelope"`
			Hashes   []string `json:"hashes"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	for _, k := range raw.Keys {
		if len(k.Hashes) > maxProofLen {
			return fmt.Errorf("%w: key entry inclusion proof of %d hashes", ErrMalformed, len(k.Hashes))
		}
		for _, s := range append([]string{k.Envelope}, k.Hashes...) {
			if _, err := records.DecodeBase64(s); err != nil {
				return fmt.Errorf("%w: a key entry's base64 is not canonical: %v", ErrMalformed, err)
			}
		}
	}
	for _, k := range b.Keys {
		for _, h := range k.Hashes {
			if len(h) != 32 {
				return fmt.Errorf("%w: a key entry's inclusion hash is %d bytes, want 32", ErrMalformed, len(h))
			}
		}
	}
	return nil
}
