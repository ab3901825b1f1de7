package ledger

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/verbatim-ledger/verbatim/records"
)

// TestStoredProofs checks the proofs read from the stored hashes files
// against roots computed independently from the leaf hashes, for every
// index and tree size of a 37-entry ledger (which has subtrees of every
// height up to 5 and ragged right edges).
func TestStoredProofs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	var docs []testDoc
	for i := 0; i < 36; i++ {
		docs = append(docs, testDoc{fmt.Sprintf("doc-%d", i%7), fmt.Sprintf("content %d\n", i)})
	}
	l := buildLedger(t, dir, docs)
	defer l.Close()
	n := l.st.size
	// The leaves, each from its envelope (an appended v4 ledger keeps no
	// list of them).
	leaves := make([][32]byte, n)
	for i := range leaves {
		env, err := l.Envelope(uint64(i))
		if err != nil {
			t.Fatal(err)
		}
		leaves[i] = records.LeafHash(env)
	}
	roots := make([][32]byte, n+1)
	rng := rangeFactory.NewEmptyRange(0)
	roots[0] = rangeRoot(rng)
	for i, leaf := range leaves {
		rng.Append(leaf[:], nil)
		roots[i+1] = rangeRoot(rng)
	}
	for size := uint64(1); size <= n; size++ {
		if got, err := l.RootAt(size); err != nil || got != roots[size] {
			t.Fatalf("RootAt(%d) = %x, %v; want %x", size, got[:4], err, roots[size][:4])
		}
		for i := uint64(0); i < size; i++ {
			p, err := l.InclusionProof(i, size)
			if err != nil {
				t.Fatalf("InclusionProof(%d, %d): %v", i, size, err)
			}
			if err := proof.VerifyInclusion(rfc6962.DefaultHasher, i, size, leaves[i][:], p, roots[size][:]); err != nil {
				t.Errorf("InclusionProof(%d, %d) does not verify: %v", i, size, err)
			}
		}
		for s1 := uint64(1); s1 <= size; s1++ {
			p, err := l.ConsistencyProof(s1, size)
			if err != nil {
				t.Fatalf("ConsistencyProof(%d, %d): %v", s1, size, err)
			}
			if err := proof.VerifyConsistency(rfc6962.DefaultHasher, s1, size, p, roots[s1][:], roots[size][:]); err != nil {
				t.Errorf("ConsistencyProof(%d, %d) does not verify: %v", s1, size, err)
			}
		}
	}
	if _, err := l.InclusionProof(0, n+1); err == nil {
		t.Errorf("InclusionProof beyond the ledger: no error")
	}
}

// TestBundleChecksStoredHashes alters a stored hash that a proof uses (the
// leaf hash of entry 2, the sibling of entry 3) in the newest commit: Open
// does not read hashes files, but Bundle checks the proof it builds and
// refuses.
func TestBundleChecksStoredHashes(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := filepath.Join(t.TempDir(), "ledger")
	buildLedger(t, dir, sampleDocs).Close()
	amendTipFile(t, dir, pathOf(2).String()+"/"+hashesFile, func(b []byte) { b[0] ^= 1 })
	os.Remove(filepath.Join(dir, "verbatim", "state-v1.gob"))
	l, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer l.Close()
	var v *Version
	for _, vs := range l.st.docs {
		for _, x := range vs {
			if x.Entry == 3 {
				v = x
			}
		}
	}
	_, err = l.Bundle(v)
	wantErr(t, "bundle", err, ErrTampered, "stored Merkle hashes do not prove entry 3")
}
