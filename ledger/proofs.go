package ledger

import (
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/verbatim-ledger/verbatim/bundle"
	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/records"
)

// InclusionProof returns the RFC 6962 inclusion proof of entry index in the
// tree of the first size entries. Its hashes are read from the stored
// hashes files (FORMAT.md §2.2), about log2(size) of them, and are the
// ledger's claims: check the proof against a signed root, as BundleAt does.
func (l *Ledger) InclusionProof(index, size uint64) ([][]byte, error) {
	if err := l.refresh(); err != nil {
		return nil, err
	}
	if size > l.st.size {
		return nil, fmt.Errorf("%w: tree size %d is larger than the ledger (%d entries)", ErrNotFound, size, l.st.size)
	}
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInput, err)
	}
	tipc := l.tip
	return storedProof(l.r, &tipc, nodes)
}

// ConsistencyProof returns the RFC 6962 consistency proof from the tree of
// the first size1 entries to that of the first size2, read from the stored
// hashes as InclusionProof is.
func (l *Ledger) ConsistencyProof(size1, size2 uint64) ([][]byte, error) {
	if err := l.refresh(); err != nil {
		return nil, err
	}
	if size2 > l.st.size {
		return nil, fmt.Errorf("%w: tree size %d is larger than the ledger (%d entries)", ErrNotFound, size2, l.st.size)
	}
	nodes, err := proof.Consistency(size1, size2)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInput, err)
	}
	tipc := l.tip
	return storedProof(l.r, &tipc, nodes)
}

// RootAt returns the root hash of the tree of the first size entries: for
// the whole ledger the verified root, otherwise one computed from the
// stored hashes, which callers compare with a signed root.
func (l *Ledger) RootAt(size uint64) ([32]byte, error) {
	if err := l.refresh(); err != nil {
		return [32]byte{}, err
	}
	if size > l.st.size {
		return [32]byte{}, fmt.Errorf("%w: tree size %d is larger than the ledger (%d entries)", ErrNotFound, size, l.st.size)
	}
	if size == l.st.size {
		return l.st.root(), nil
	}
	tipc := l.tip
	return storedRoot(l.r, &tipc, size)
}

// storedProof reads the hashes of a proof's nodes from the hashes files of
// the tree tipc walks.
func storedProof(r *repo, tipc *pathTrees, nodes proof.Nodes) ([][]byte, error) {
	hashes, err := storedNodes(r, tipc, nodes.IDs)
	if err != nil {
		return nil, err
	}
	out, err := nodes.Rehash(hashes, rfc6962.DefaultHasher.HashChildren)
	if err != nil {
		panic(fmt.Sprintf("ledger: rehashing a proof of %d nodes: %v", len(hashes), err))
	}
	return out, nil
}

// storedRange returns the compact range of the first size leaves, read from
// the hashes files of the tree tipc walks: one node per one bit of size.
func storedRange(r *repo, tipc *pathTrees, size uint64) (*compact.Range, error) {
	hashes, err := storedNodes(r, tipc, compact.RangeNodes(0, size, nil))
	if err != nil {
		return nil, err
	}
	rng, err := rangeFactory.NewRange(0, size, hashes)
	if err != nil {
		panic(fmt.Sprintf("ledger: compact range of %d leaves from %d hashes: %v", size, len(hashes), err))
	}
	return rng, nil
}

// storedRoot is the root of the first size leaves, from storedRange.
func storedRoot(r *repo, tipc *pathTrees, size uint64) ([32]byte, error) {
	rng, err := storedRange(r, tipc, size)
	if err != nil {
		return [32]byte{}, err
	}
	return rangeRoot(rng), nil
}

// storedNodes reads the hashes of the perfect subtrees ids with nodeHash.
func storedNodes(r *repo, tipc *pathTrees, ids []compact.NodeID) ([][]byte, error) {
	hashes := make([][]byte, len(ids))
	for i, id := range ids {
		var err error
		if hashes[i], err = nodeHash(r, tipc, id); err != nil {
			return nil, err
		}
	}
	return hashes, nil
}

// nodeHash returns the hash of the perfect subtree id of the Merkle tree,
// read from the hashes file of its last entry in the tree tipc walks.
func nodeHash(r *repo, tipc *pathTrees, id compact.NodeID) ([]byte, error) {
	n := (id.Index+1)<<id.Level - 1
	data, err := readTipFile(r, tipc, n, hashesFile)
	if err != nil {
		return nil, err
	}
	if uint64(len(data)) < 32*(uint64(id.Level)+1) {
		return nil, &EntryError{Entry: n, Problem: fmt.Sprintf("%s holds %d bytes, too few for the subtree of height %d ending there", hashesFile, len(data), id.Level)}
	}
	return data[32*uint(id.Level) : 32*(uint(id.Level)+1)], nil
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
	if cp.Size > v.Entry && cp.Size <= l.st.size {
		if cp, err = l.rootCheckpoint(cp, v.Entry); err != nil {
			return nil, err
		}
		if m := cp.Size - 1; cp.Origin == "" { // an older checkpoint of the history: check it
			key, err := l.checkpointKey(m)
			if err != nil {
				return nil, err
			}
			if cp, err = checkpoint.Parse(cp.Raw, l.st.name, key); err != nil {
				return nil, fmt.Errorf("%w: entry %d's checkpoint: %w", ErrTampered, m, err)
			}
		}
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
	leaf := records.LeafHash(env.Raw)
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, v.Entry, size, leaf[:], hashes, cp.Root[:]); err != nil {
		return nil, fmt.Errorf("%w: the stored Merkle hashes do not prove entry %d in the checkpoint of %d entries: %w", ErrTampered, v.Entry, size, err)
	}
	key, _ := l.st.keyByFingerprint(env.KeyID)
	b := &bundle.Bundle{
		Format:     bundle.Format,
		Ledger:     l.st.name,
		Entry:      v.Entry,
		Envelope:   env.Raw,
		PublicKey:  string(key.PEM()),
		Inclusion:  bundle.Inclusion{LeafIndex: v.Entry, TreeSize: size, Hashes: hashes},
		Checkpoint: string(cp.Raw),
	}
	if err := l.chainKeys(b, key, size); err != nil {
		return nil, err
	}
	return b, nil
}
