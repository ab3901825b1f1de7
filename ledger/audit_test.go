package ledger

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/keys"
)

var moreDocs = []testDoc{
	{"letter", "Letter, third transcript.\n"}, // a new version of a document registered before the checkpoint
	{"annex", "Annex.\n"},
	{"translation", "Translation, revised.\n"},
}

func TestAuditExtends(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	l := buildLedger(t, dir, sampleDocs)
	old := l.Checkpoint().Raw
	trust := testKey(t, keys.ECDSAP256).Public().Fingerprint()

	// No new entries: the ledger extends its own checkpoint.
	rep, err := Audit(dir, AuditOptions{Since: old, Trust: trust})
	if err != nil || rep.OldSize != rep.NewSize || len(rep.Consistency) != 0 {
		t.Fatalf("Audit(current checkpoint) = %+v, %v", rep, err)
	}
	registerDocs(t, l, testKey(t, keys.ECDSAP256), testClock(), moreDocs)
	rep, err = Audit(dir, AuditOptions{Since: old, Trust: trust})
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	want := uint64(len(sampleDocs) + 1)
	if rep.OldSize != want || rep.NewSize != want+uint64(len(moreDocs)) {
		t.Errorf("Audit = %d -> %d, want %d -> %d", rep.OldSize, rep.NewSize, want, want+uint64(len(moreDocs)))
	}
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, rep.OldSize, rep.NewSize, rep.Consistency, rep.OldRoot[:], rep.NewRoot[:]); err != nil {
		t.Errorf("the audit's consistency proof does not verify: %v", err)
	}
	if _, err := Verify(dir, VerifyOptions{Trust: trust, Since: old}); err != nil {
		t.Errorf("Verify --since: %v", err)
	}
	// Every earlier checkpoint is extended.
	for k := uint64(1); k < rep.NewSize; k++ {
		cp := checkpointAt(t, dir, k)
		if _, err := Audit(dir, AuditOptions{Since: cp}); err != nil {
			t.Errorf("Audit since the checkpoint of size %d: %v", k, err)
		}
	}
}

// checkpointAt returns the checkpoint file of the commit holding entry k-1.
func checkpointAt(t *testing.T, dir string, k uint64) []byte {
	commits := historyOf(t, dir)
	r, err := openRepo(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	root, _ := r.tree(commits[k-1].tree)
	e, _ := root.Find(checkpointFile)
	raw, err := r.object(plumbing.BlobObject, e.Hash)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestAuditCatches(t *testing.T) {
	trust := testKey(t, keys.ECDSAP256).Public().Fingerprint()
	base := t.TempDir()

	// Rollback: the ledger is now shorter than a checkpoint it had.
	dir := filepath.Join(base, "rollback")
	l := buildLedger(t, dir, sampleDocs)
	commits := historyOf(t, dir)
	later := l.Checkpoint().Raw
	os.WriteFile(filepath.Join(dir, "refs", "heads", "main"), []byte(commits[2].hash.String()+"\n"), 0o644)
	_, err := Audit(dir, AuditOptions{Since: later, Trust: trust})
	wantErr(t, "rollback", err, ErrRollback, "rolled back")
	_, err = Verify(dir, VerifyOptions{Since: later, Trust: trust})
	wantErr(t, "verify --since after rollback", err, ErrRollback, "rolled back")

	// Fork: a ledger of the same size, key and name with other entries.
	dirA, dirB := filepath.Join(base, "a"), filepath.Join(base, "b")
	a := buildLedger(t, dirA, sampleDocs)
	other := append([]testDoc{{"letter", "A different first transcript.\n"}}, sampleDocs[1:]...)
	buildLedger(t, dirB, other)
	_, err = Audit(dirB, AuditOptions{Since: a.Checkpoint().Raw, Trust: trust})
	wantErr(t, "same size, other root", err, ErrFork, "rewritten")

	// Fork: the other ledger, grown, still does not extend the first.
	lb, _ := Open(dirB)
	registerDocs(t, lb, testKey(t, keys.ECDSAP256), testClock(), moreDocs)
	lb.Close()
	_, err = Audit(dirB, AuditOptions{Since: a.Checkpoint().Raw, Trust: trust})
	wantErr(t, "larger, other history", err, ErrFork, "rewritten")
	_, err = Verify(dirB, VerifyOptions{Since: a.Checkpoint().Raw, Trust: trust})
	wantErr(t, "verify --since on a fork", err, ErrFork, "rewritten")

	// A checkpoint of another ledger, or not a checkpoint at all.
	dirC := filepath.Join(base, "c")
	lc, err := Init(dirC, "example.org/another-ledger", testKey(t, keys.ECDSAP256), AppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Audit(dirA, AuditOptions{Since: lc.Checkpoint().Raw})
	wantErr(t, "another ledger's checkpoint", err, ErrInput, "origin")
	_, err = Audit(dirA, AuditOptions{Since: []byte("not a checkpoint\n")})
	wantErr(t, "garbage", err, ErrInput, "earlier checkpoint")

	// Pinned to another key.
	_, err = Audit(dirA, AuditOptions{Since: a.Checkpoint().Raw, Trust: testOtherKey(t).Public().Fingerprint()})
	wantErr(t, "other trust", err, ErrTampered, "pinned")
}

// TestAuditCatchesRewriteBelow rewrites an old entry at the tip with git,
// keeping every checkpoint file and the stored Merkle hashes: the audit must
// see that the entry's directory is not the one below the earlier
// checkpoint's entries/ tree.
func TestAuditCatchesRewriteBelow(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := filepath.Join(t.TempDir(), "ledger")
	l := buildLedger(t, dir, sampleDocs)
	old := checkpointAt(t, dir, 3)
	amendTipFile(t, dir, pathOf(1).String()+"/"+envelopeFile, func(b []byte) { b[len(b)-3] ^= 1 })
	_, err := Audit(dir, AuditOptions{Since: old})
	wantErr(t, "rewritten entry 1 below size 3", err, ErrFork, "0000000001, below the earlier checkpoint's 3 entries, was modified")
	l.Close()
}

// amendTipFile changes the file name (a slash path) of the ledger in dir
// with git: in a clone, alter changes its bytes in place, the newest commit
// is amended and force-pushed back.
func amendTipFile(t *testing.T, dir, name string, alter func([]byte)) {
	t.Helper()
	work := filepath.Join(t.TempDir(), "work")
	gitRun(t, "", "clone", "-q", dir, work)
	path := filepath.Join(work, filepath.FromSlash(name))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	alter(b)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	gitRun(t, work, "commit", "-q", "-a", "--amend", "--no-edit")
	gitRun(t, work, "push", "-q", "-f", "origin", "HEAD:main")
}

func gitRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.org"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func historyOf(t *testing.T, dir string) []commitInfo {
	r, err := openRepo(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	_, head, _ := r.head()
	commits, err := r.history(head)
	if err != nil {
		t.Fatal(err)
	}
	return commits
}

func wantErr(t *testing.T, name string, err, want error, words string) {
	t.Helper()
	if !errors.Is(err, want) || !containsFold(err.Error(), words) {
		t.Errorf("%s: %v; want %v mentioning %q", name, err, want, words)
	}
}

// TestAuditCatchesOtherTree pins a checkpoint the root key signed with the
// right size and root but another entries/ tree: an archivist who signs
// one tree state for two git histories. Audit and verify --since refuse it.
func TestAuditCatchesOtherTree(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	l := buildLedger(t, dir, sampleDocs)
	cp := l.Checkpoint()
	key := testKey(t, keys.ECDSAP256)
	other := cp.Entries
	other[0] ^= 1
	forged, err := checkpoint.Sign(cp.Origin, cp.Size, cp.Root, other, key)
	if err != nil {
		t.Fatal(err)
	}
	registerDocs(t, l, key, testClock(), moreDocs)
	_, err = Audit(dir, AuditOptions{Since: forged})
	wantErr(t, "audit", err, ErrFork, "does not have the earlier checkpoint's state")
	_, err = Verify(dir, VerifyOptions{Since: forged})
	wantErr(t, "verify --since", err, ErrFork, "not its entries/ tree")

	zero, _ := checkpoint.Sign(cp.Origin, 0, [32]byte(rfc6962.DefaultHasher.EmptyRoot()), cp.Entries, key)
	_, err = Audit(dir, AuditOptions{Since: zero})
	wantErr(t, "size 0", err, ErrInput, "size 0")
}

// TestAuditCatchesStoredHashes alters the stored Merkle hashes of an entry
// below the earlier checkpoint in the newest commit, where an audit reads
// them: the newest entries/ tree no longer holds the pinned one's entries.
func TestAuditCatchesStoredHashes(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := filepath.Join(t.TempDir(), "ledger")
	buildLedger(t, dir, sampleDocs).Close()
	old := checkpointAt(t, dir, 4)
	amendTipFile(t, dir, pathOf(3).String()+"/"+hashesFile, func(b []byte) { b[0] ^= 1 })
	_, err := Audit(dir, AuditOptions{Since: old})
	wantErr(t, "tip", err, ErrFork, "0000000003, below the earlier checkpoint's 4 entries, was modified")
}
