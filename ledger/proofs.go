package ledger

import (
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/verbatim-ledger/verbatim/bundle"
	"github.com/verbatim-ledger/verbatim/checkpoint"
)

// InclusionProof returns the RFC 6962 inclusion proof of entry index in the
// tree of the first size entries.
func (l *Ledger) InclusionProof(index, size uint64) ([][]byte, error) {
	if err := l.refresh(); err != nil {
		return nil, err
	}
	if size > l.st.size {
		return nil, fmt.Errorf("%w: tree size %d is larger than the ledger (%d entries)", ErrNotFound, size, l.st.size)
	}
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	return l.st.proofHashes(nodes)
}

// ConsistencyProof returns the RFC 6962 consistency proof from the tree of
// the first size1 entries to that of the first size2.
func (l *Ledger) ConsistencyProof(size1, size2 uint64) ([][]byte, error) {
	if err := l.refresh(); err != nil {
		return nil, err
	}
	if size2 > l.st.size {
		return nil, fmt.Errorf("%w: tree size %d is larger than the ledger (%d entries)", ErrNotFound, size2, l.st.size)
	}
	nodes, err := proof.Consistency(size1, size2)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	return l.st.proofHashes(nodes)
}

// proofHashes computes the hashes of a proof's nodes from the leaf hashes.
func (s *state) proofHashes(nodes proof.Nodes) ([][]byte, error) {
	hashes := make([][]byte, len(nodes.IDs))
	for i, id := range nodes.IDs {
		hashes[i] = s.subtreeHash(id)
	}
	return nodes.Rehash(hashes, rfc6962.DefaultHasher.HashChildren)
}

// subtreeHash is the hash of the perfect subtree id, which the ledger holds
// completely.
func (s *state) subtreeHash(id compact.NodeID) []byte {
	begin, end := id.Coverage()
	if end > uint64(len(s.leaves)) {
		panic(fmt.Sprintf("ledger: proof node %+v beyond %d leaves", id, len(s.leaves)))
	}
	r := rangeFactory.NewEmptyRange(begin)
	for _, leaf := range s.leaves[begin:end] {
		if err := r.Append(leaf[:], nil); err != nil {
			panic("ledger: compact range append failed")
		}
	}
	return r.Hashes()[0]
}

// RootAt returns the root hash of the tree of the first size entries.
func (l *Ledger) RootAt(size uint64) ([32]byte, error) {
	var out [32]byte
	if err := l.refresh(); err != nil {
		return out, err
	}
	if size > l.st.size {
		return out, fmt.Errorf("%w: tree size %d is larger than the ledger (%d entries)", ErrNotFound, size, l.st.size)
	}
	return l.st.rootAt(size), nil
}

// rootAt is the root hash of the tree of the first size leaves (size at
// most s.size).
func (s *state) rootAt(size uint64) [32]byte {
	if size == s.size {
		return s.root()
	}
	r := rangeFactory.NewEmptyRange(0)
	for _, leaf := range s.leaves[:size] {
		if err := r.Append(leaf[:], nil); err != nil {
			panic("ledger: compact range append failed")
		}
	}
	var out [32]byte
	h, _ := r.GetRootHash(nil)
	if h == nil {
		h = rfc6962.DefaultHasher.EmptyRoot()
	}
	copy(out[:], h)
	return out
}

// Bundle returns an offline proof bundle for version v against the newest
// checkpoint.
func (l *Ledger) Bundle(v *Version) (*bundle.Bundle, error) {
	return l.BundleAt(v, l.cp)
}

// BundleAt returns an offline proof bundle for version v against cp, a
// checkpoint of this ledger (for instance one that witnesses cosigned): its
// tree must include v and have the ledger's root at its size.
func (l *Ledger) BundleAt(v *Version, cp *checkpoint.Checkpoint) (*bundle.Bundle, error) {
	env, _, err := l.version(v)
	if err != nil {
		return nil, err
	}
	size := cp.Size
	if size <= v.Entry || size > l.st.size {
		return nil, fmt.Errorf("%w: the checkpoint of %d entries does not hold entry %d of this ledger (%d entries)", ErrInput, size, v.Entry, l.st.size)
	}
	if root, err := l.RootAt(size); err != nil || root != cp.Root {
		return nil, fmt.Errorf("%w: the checkpoint of %d entries is not of this ledger's history", ErrTampered, size)
	}
	hashes, err := l.InclusionProof(v.Entry, size)
	if err != nil {
		return nil, err
	}
	key := l.st.signers[env.KeyID]
	return &bundle.Bundle{
		Format:     bundle.Format,
		Ledger:     l.st.name,
		Entry:      v.Entry,
		Envelope:   env.Raw,
		PublicKey:  string(key.PEM()),
		Inclusion:  bundle.Inclusion{LeafIndex: v.Entry, TreeSize: size, Hashes: hashes},
		Checkpoint: string(cp.Raw),
	}, nil
}
