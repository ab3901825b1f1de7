package ledger

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/verbatim-ledger/verbatim/keys"
)

// TestKilledWriterLeavesWholeEntries kills a process in the middle of a
// bulk registration, again and again, and checks after each kill that the
// ledger verifies and holds only whole flushed batches.
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
	want := uint64(1)
	// The child spends about 100 ms decrypting its key before it writes.
	for round, delay := range []time.Duration{150, 300, 450, 700, 1000, 1300} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
		cmd.Env = append(os.Environ(), "VERBATIM_CRASH_CHILD="+dir, "VERBATIM_CRASH_KEY="+keyFile, fmt.Sprintf("VERBATIM_CRASH_ROUND=%d", round))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		rep, err := Verify(dir, VerifyOptions{Trust: key.Public().Fingerprint()})
		if err != nil {
			t.Fatalf("round %d: after kill: %v", round, err)
		}
		if rep.Entries < want || (rep.Entries-1)%crashBatch != 0 {
			t.Fatalf("round %d: %d entries after kill; want at least %d and whole batches of %d", round, rep.Entries, want, crashBatch)
		}
		want = rep.Entries
	}
	if want < 1+3*crashBatch {
		t.Fatalf("the killed writers added only %d entries: the test did not exercise writing", want-1)
	}
	// The ledger still accepts appends after all the kills.
	l, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	registerDocs(t, l, key, testClock(), sampleDocs[:1])
	if rep, err := Verify(dir, VerifyOptions{Trust: key.Public().Fingerprint()}); err != nil || rep.Entries != want+1 {
		t.Fatalf("after a final append: %v, %v; want %d entries", rep, err, want+1)
	}
}

const crashBatch = 20

// TestCrashChild is the process TestKilledWriterLeavesWholeEntries kills:
// it registers batches of crashBatch documents until it is killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("VERBATIM_CRASH_CHILD")
	if dir == "" {
		t.Skip("run by TestKilledWriterLeavesWholeEntries")
	}
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
	for i := 0; ; i++ {
		doc := NewDocument{ID: fmt.Sprintf("crash-%s-%d", round, i%7), Content: []byte(fmt.Sprintf("round %s document %d\n", round, i))}
		if _, err := a.Add(doc); err != nil {
			t.Fatal(err)
		}
		if a.Pending() == crashBatch {
			if err := a.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
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
