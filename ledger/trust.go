package ledger

import (
	"fmt"

	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/keys"
)

// CheckTrust checks a pinned fingerprint against the ledger's chain of
// roots without verifying the whole history (FORMAT.md §3.7), for readers
// of the newest tree such as check: it verifies the genesis's signature
// and every key entry's, each by the root of its time, and, when trust is
// a later root, the checkpoint of the rotation that made it root, which
// it signed. It returns the chain from the pinned root to the current one.
func (l *Ledger) CheckTrust(trust keys.Fingerprint) ([]keys.Fingerprint, error) {
	if err := l.refresh(); err != nil {
		return nil, err
	}
	r := l.st.ring()
	chain, err := r.trustChain(trust)
	if err != nil {
		return nil, err
	}
	genesis, _, err := l.entry(0)
	if err != nil {
		return nil, err
	}
	if err := l.checkSignature(0, genesis); err != nil {
		return nil, err
	}
	for _, fp := range r.order {
		info := r.known[fp]
		for _, c := range info.Changes {
			if c.Entry == 0 {
				continue
			}
			env, _, err := l.entry(c.Entry)
			if err != nil {
				return nil, err
			}
			if err := l.checkSignature(c.Entry, env); err != nil {
				return nil, fmt.Errorf("%w: %w", ErrTampered, err)
			}
		}
	}
	if trust != r.roots[0] {
		info := r.known[string(trust)]
		m := info.Changes[0].Entry
		raw, err := l.checkpointOf(m)
		if err != nil {
			return nil, err
		}
		if _, err := checkpoint.Parse(raw, l.st.name, info.Key); err != nil {
			return nil, fmt.Errorf("%w: the checkpoint of rotation entry %d is not signed by the new root %s: %w", ErrTampered, m, trust.Short(), err)
		}
	}
	return chain, nil
}
