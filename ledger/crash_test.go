package ledger

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/verbatim-ledger/verbatim/internal/gitstore"
	"github.com/verbatim-ledger/verbatim/keys"
)

// TestKilledWriterLeavesWholeEntries kills a writing process at chosen
// steps of writing objects and the ref (loose objects, a pack and its index,
// the ref's lock file, the ref), one round per step, and checks after each
// kill that the ledger verifies and holds only whole flushed batches. The
// child kills itself at the step (testHookWrite), so where it dies does not
// depend on timing.
func TestKilledWriterLeavesWholeEntries(t *testing.T) {
	if os.Getenv("VERBATIM_CRASH_CHILD") != "" {
		t.Skip("child process")
	}
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	tmp := t.TempDir()
	dir, keyFile := filepath.Join(tmp, "ledger"), filepath.Join(tmp, "key")
	privPEM, _, err := keys.Generate(keys.ECDSAP256, []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	key, err := keys.ParsePrivateKey(privPEM, []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, privPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := Init(dir, "example.org/crash", key, AppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	size := uint64(1)
	lock := filepath.Join(dir, "refs", "heads", "main.lock")
	// Batches alternate one document (loose objects) and crashBatch (a pack).
	for round, at := range []string{"object:1", "object:6", "objects-synced:1", "ref-locked:1", "ref:1",
		"pack-index:1", "pack:1", "ref-locked:2", "ref:2", "object:14", "ref:3"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
		cmd.Env = append(os.Environ(), "VERBATIM_CRASH_CHILD="+dir, "VERBATIM_CRASH_KEY="+keyFile,
			fmt.Sprintf("VERBATIM_CRASH_ROUND=%d", round), "VERBATIM_CRASH_AT="+at)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: the child was not killed at %s: %v\n%s", round, at, err, out)
		}
		if strings.HasPrefix(at, "ref-locked:") {
			// Killed holding the ref's lock file: the next writer refuses
			// (as git does) until someone removes it.
			if _, err := os.Stat(lock); err != nil {
				t.Fatalf("round %d: killed after writing the ref's lock file, but it is not there: %v", round, err)
			}
			if err := os.Remove(lock); err != nil {
				t.Fatal(err)
			}
		}
		rep, err := Verify(dir, VerifyOptions{Trust: key.Public().Fingerprint()})
		if err != nil {
			t.Fatalf("round %d (killed at %s): %v", round, at, err)
		}
		added := rep.Entries - size
		if !wholeBatches(added) {
			t.Fatalf("round %d (killed at %s): %d entries added, not whole batches of 1 and %d", round, at, added, crashBatch)
		}
		if strings.HasPrefix(at, "ref:") && added == 0 {
			t.Fatalf("round %d: killed after moving the ref, but the batch is not there", round)
		}
		size = rep.Entries
	}
	// The ledger still accepts appends after all the kills.
	l, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	registerDocs(t, l, key, testClock(), sampleDocs[:1])
	if rep, err := Verify(dir, VerifyOptions{Trust: key.Public().Fingerprint()}); err != nil || rep.Entries != size+1 {
		t.Fatalf("after a final append: %v, %v; want %d entries", rep, err, size+1)
	}
}

const crashBatch = 20

// crashBatchSize is the size of the child's batch i: one document, then
// crashBatch, alternately.
func crashBatchSize(i int) int {
	if i%2 == 0 {
		return 1
	}
	return crashBatch
}

// wholeBatches reports whether n entries are the first few batches of a child.
func wholeBatches(n uint64) bool {
	sum := uint64(0)
	for i := 0; sum <= n; i++ {
		if sum == n {
			return true
		}
		sum += uint64(crashBatchSize(i))
	}
	return false
}

// TestCrashChild is the process TestKilledWriterLeavesWholeEntries kills:
// it registers batches until it reaches the step VERBATIM_CRASH_AT
// ("step:k", the k-th time step is reached), where it kills itself.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("VERBATIM_CRASH_CHILD")
	if dir == "" {
		t.Skip("run by TestKilledWriterLeavesWholeEntries")
	}
	step, nth, _ := strings.Cut(os.Getenv("VERBATIM_CRASH_AT"), ":")
	k, err := strconv.Atoi(nth)
	if err != nil {
		t.Fatalf("VERBATIM_CRASH_AT: %v", err)
	}
	gitstore.SetWriteHook(func(s string) {
		if s == step {
			if k--; k == 0 {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {} // the signal is on its way
			}
		}
	})
	privPEM, err := os.ReadFile(os.Getenv("VERBATIM_CRASH_KEY"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := keys.ParsePrivateKey(privPEM, []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := l.Append(key, AppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	round := os.Getenv("VERBATIM_CRASH_ROUND")
	flush := a.Flush
	if r, _ := strconv.Atoi(round); r%2 == 1 {
		flush = a.StartFlush // killed while a batch is written in the background, or the branch moved
	}
	for b, n := 0, 0; b < 8; b++ {
		for j := 0; j < crashBatchSize(b); j, n = j+1, n+1 {
			doc := NewDocument{ID: fmt.Sprintf("crash-%s-%d", round, n%7), Content: []byte(fmt.Sprintf("round %s document %d\n", round, n))}
			if _, err := a.Add(doc); err != nil {
				t.Fatal(err)
			}
		}
		if err := flush(); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatalf("never reached %s", os.Getenv("VERBATIM_CRASH_AT"))
}

// TestConcurrentWritersSerialize runs writers on separate handles of one
// ledger at once: the lock serializes them and no entry is lost.
func TestConcurrentWritersSerialize(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	buildLedger(t, dir, nil)
	const writers, each = 3, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				l, err := Open(dir)
				if err != nil {
					errs <- err
					return
				}
				a, err := l.Append(testKey(t, keys.ECDSAP256), AppendOptions{})
				if err == nil {
					_, err = a.Add(NewDocument{ID: fmt.Sprintf("writer-%d", w), Content: []byte(fmt.Sprintf("%d/%d", w, i))})
				}
				if err == nil {
					err = a.Flush()
				}
				if a != nil {
					a.Close()
				}
				l.Close()
				if err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rep := checkLedger(t, dir, 1+writers*each)
	if rep.Documents != writers || rep.Versions != writers*each {
		t.Fatalf("%d documents, %d versions; want %d, %d", rep.Documents, rep.Versions, writers, writers*each)
	}
}
