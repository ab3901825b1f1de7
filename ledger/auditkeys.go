package ledger

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/records"
)

// keyScan is the key state after the first m entries, from their envelopes
// in the newest tree: the genesis root, then every key entry applied in
// order (FORMAT.md §7.2 step 1). An audit needs it to know which keys may
// sign the entries after an earlier checkpoint and which key signed that
// checkpoint. A v2 ledger has no key entries, and only its genesis is read.
func (a *auditor) keyScan(m uint64, since []byte) (*state, error) {
	st := newState()
	st.name, st.format = a.name, a.genesis.Statement.Predicate.Genesis.Format
	st.rootKey, st.lastSigner = a.key, a.key
	st.signers[string(a.key.Fingerprint())] = a.key
	st.noteRoot(a.key)
	if !records.HasKeyEntries(st.format) {
		return st, nil
	}
	// The entries are read from the earlier checkpoint's entries/ tree
	// when the repository has it: a rewrite of the newest tree below the
	// checkpoint is then reported as the fork it is (compareBelow), not as
	// a bad entry here. Key entries' signatures are verified, so a
	// checkpoint naming another tree cannot bring in a key.
	tipc := a.tip
	if h, ok := noteEntries(since); ok {
		if t, err := a.r.tree(h); err == nil {
			tipc = pathTrees{entries: t}
		}
	}
	if records.HasIndex(st.format) {
		return a.indexedKeyScan(st, &tipc, m)
	}
	for i := uint64(1); i < m; i++ {
		env, _, err := readTipEntry(a.r, &tipc, i)
		if err != nil {
			return nil, err
		}
		signer, err := st.signer(env.KeyID)
		if err != nil {
			return nil, entryErr(i, env.Statement, "", err)
		}
		st.lastSigner = signer
		if env.Statement.Predicate.Key != nil {
			if err := env.Verify(signer); err != nil {
				return nil, entryErr(i, env.Statement, "", fmt.Errorf("envelope signature does not verify with key %s", signer.Fingerprint().Short()))
			}
			if st.lastSigner, err = st.applyKey(&env.Statement.Predicate, signer); err != nil {
				return nil, entryErr(i, env.Statement, "", err)
			}
		}
	}
	st.size = max(m, 1)
	return st, nil
}

// indexedKeyScan is keyScan for a v4 ledger: the key entries below m are
// found through the index of the tree tipc walks (FORMAT.md §2.4, §7.2),
// and only they and entry m-1 are read.
func (a *auditor) indexedKeyScan(st *state, tipc *pathTrees, m uint64) (*state, error) {
	if m > 1 {
		_, cpKeys, err := applyIndexedKeys(a.r, tipc, st, m)
		if err != nil {
			return nil, err
		}
		if st.lastSigner = cpKeys[m-1]; st.lastSigner == nil {
			env, _, err := readTipEntry(a.r, tipc, m-1)
			if err != nil {
				return nil, err
			}
			if st.lastSigner, err = st.signer(env.KeyID); err != nil {
				return nil, entryErr(m-1, env.Statement, "", err)
			}
		}
	}
	st.size = max(m, 1)
	return st, nil
}

// noteSize reads the tree size of a checkpoint note without verifying it:
// its second line. Which key must have signed the note depends on it.
func noteSize(raw []byte) (uint64, bool) {
	lines := bytes.SplitN(raw, []byte("\n"), 3)
	if len(lines) < 3 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(lines[1]), 10, 64)
	return n, err == nil
}

// unreadable is the error for an earlier checkpoint whose size cannot be read.
func (a *auditor) unreadable() error {
	return fmt.Errorf("%w: the earlier checkpoint is not a checkpoint of ledger %s (no tree size on its second line)", ErrInput, a.name)
}

// noteEntries reads the entries/ tree ID of a checkpoint note without
// verifying it: its fourth line.
func noteEntries(raw []byte) (plumbing.Hash, bool) {
	lines := bytes.SplitN(raw, []byte("\n"), 5)
	if len(lines) < 5 {
		return plumbing.ZeroHash, false
	}
	h, ok := bytes.CutPrefix(lines[3], []byte("entries "))
	if !ok || len(h) != 40 || !plumbing.IsHash(string(h)) {
		return plumbing.ZeroHash, false
	}
	return plumbing.NewHash(string(h)), true
}
