package ledger

import (
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/bundle"
	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/records"
)

// rootSigned reports whether entry m's checkpoint is signed by a root key:
// a key entry's (the root's, or the new root's for a rotation), or one
// signed by a key that was a root (a former root signs nothing after its
// rotation, so it was root then).
func (l *Ledger) rootSigned(m uint64) (bool, error) {
	info, err := l.entryInfo(m)
	if err != nil {
		return false, err
	}
	if strings.HasPrefix(info.Kind, "key ") {
		return true, nil
	}
	for _, fp := range l.st.ring().roots {
		if fp == info.Signer {
			return true, nil
		}
	}
	return false, nil
}

// entryInfo summarizes entry m: from the state, or, for a ledger read from
// its index, from the entry's envelope, checked against its leaf.
func (l *Ledger) entryInfo(m uint64) (EntryInfo, error) {
	if !l.lazy {
		return l.st.entries[m], nil
	}
	env, _, err := l.entry(m)
	if err != nil {
		return EntryInfo{}, err
	}
	return entryInfoOf(env.Statement), nil
}

// rootCheckpoint returns cp if a root key signed it, else the checkpoint
// of the newest entry from entry on whose checkpoint a root signed
// (BUNDLE.md: a bundle's checkpoint is a root's).
func (l *Ledger) rootCheckpoint(cp *checkpoint.Checkpoint, entry uint64) (*checkpoint.Checkpoint, error) {
	if ok, err := l.rootSigned(cp.Size - 1); ok || err != nil {
		return cp, err
	}
	for m := cp.Size - 1; m >= entry && m < cp.Size; m-- {
		if ok, err := l.rootSigned(m); err != nil {
			return nil, err
		} else if !ok {
			continue
		}
		raw, err := l.checkpointOf(m)
		if err != nil {
			return nil, err
		}
		return &checkpoint.Checkpoint{Raw: raw, Size: m + 1}, nil
	}
	return nil, fmt.Errorf("%w: no checkpoint signed by a root key holds entry %d yet: a proof bundle needs one (any entry the root signs makes one, e.g. a key entry)", ErrInput, entry)
}

// checkpointOf reads the checkpoint file stored with entry m, from its
// commit in the history.
func (l *Ledger) checkpointOf(m uint64) ([]byte, error) {
	tail, err := l.r.historyTail(l.head, l.st.size-m)
	if err != nil {
		return nil, err
	}
	if uint64(len(tail)) != l.st.size-m {
		return nil, fmt.Errorf("%w: the history is shorter than the ledger", ErrTampered)
	}
	root, err := l.r.tree(tail[0].tree)
	if err != nil {
		return nil, err
	}
	e, ok := root.Find(checkpointFile)
	if !ok {
		return nil, &EntryError{Entry: m, Problem: "the commit has no checkpoint"}
	}
	return l.r.object(plumbing.BlobObject, e.Hash)
}

// chainKeys adds to b the key entries that connect the entry's signer
// signer to the genesis root and the checkpoint's root (BUNDLE.md):
// every rotation before the checkpoint's size, and the add entry of an
// archivist signer.
func (l *Ledger) chainKeys(b *bundle.Bundle, signer *keys.PublicKey, size uint64) error {
	r := l.st.ring()
	var entries []uint64
	for _, fp := range r.roots[1:] {
		if n := r.known[string(fp)].Changes[0].Entry; n < size {
			entries = append(entries, n)
		}
	}
	if info := r.known[string(signer.Fingerprint())]; info != nil && info.Changes[0].Action == "add" {
		entries = append(entries, info.Changes[0].Entry)
	}
	if len(entries) == 0 && signer.Fingerprint() == r.roots[0] {
		return nil // one key signs the entry and the checkpoint: a plain bundle
	}
	sortUint64(entries)
	genesisRoot := r.known[string(r.roots[0])].Key
	if genesisRoot.Fingerprint() != signer.Fingerprint() {
		b.RootKey = string(genesisRoot.PEM())
	}
	for _, n := range entries {
		env, err := l.Envelope(n)
		if err != nil {
			return err
		}
		hashes, err := l.InclusionProof(n, size)
		if err != nil {
			return err
		}
		b.Keys = append(b.Keys, bundle.KeyProof{Entry: n, Envelope: env, Hashes: hashes})
	}
	return nil
}

func sortUint64(a []uint64) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// checkpointKey is the key that signed entry m's checkpoint: the new root
// for a rotation, else the entry's signer.
func (l *Ledger) checkpointKey(m uint64) (*keys.PublicKey, error) {
	info, err := l.entryInfo(m)
	if err != nil {
		return nil, err
	}
	fp := string(info.Signer)
	if info.Kind == "key "+records.KeyRotate {
		fp = info.Doc
	}
	k, _ := l.st.keyByFingerprint(fp)
	return k, nil
}
