package ledger

import (
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/verbatim-ledger/verbatim/internal/gitstore"
	"github.com/verbatim-ledger/verbatim/keys"
)

// sizeOnDisk is the number of entries a fresh Open of dir finds.
func sizeOnDisk(t *testing.T, dir string) uint64 {
	t.Helper()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Size()
}

// addDocs adds n documents named prefix-0 ... through a.
func addDocs(t *testing.T, a *Appender, prefix string, n int) {
	t.Helper()
	for i := range n {
		if _, err := a.Add(NewDocument{ID: prefix, Content: []byte(prefix + " version " + string(rune('a'+i)) + "\n")}); err != nil {
			t.Fatal(err)
		}
	}
}

// sampleAppender builds the standard test ledger and returns its
// directory and an Appender on it signing with signer.
func sampleAppender(t *testing.T, signer Signer) (string, *Appender) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ledger")
	buildLedger(t, dir, sampleDocs).Close()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	a, err := l.Append(signer, AppendOptions{Now: testClock()})
	if err != nil {
		t.Fatal(err)
	}
	return dir, a
}

// TestStartFlush checks when the entries of a StartFlush are in the
// ledger: not when it returns, but when the next StartFlush, Flush or
// Close does; and that the ledger then verifies.
func TestStartFlush(t *testing.T) {
	dir, a := sampleAppender(t, testKey(t, keys.ECDSAP256)) // 5 entries
	steps := []struct {
		add   int
		flush func() error
		want  uint64 // entries on disk afterwards
	}{
		{10, a.StartFlush, 5}, // a pack, in flight
		{2, a.StartFlush, 15}, // the first batch is in; loose objects in flight
		{0, a.StartFlush, 17}, // nothing new: completes the one in flight
		{3, a.Flush, 20},      // Flush waits
		{4, a.StartFlush, 20}, // in flight
		{0, a.Close, 24},      // Close completes it
	}
	for i, s := range steps {
		addDocs(t, a, "batch-"+string(rune('a'+i)), s.add)
		if err := s.flush(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := sizeOnDisk(t, dir); got != s.want {
			t.Fatalf("step %d: %d entries on disk, want %d", i, got, s.want)
		}
	}
	checkLedger(t, dir, 24)
}

// TestStartFlushFails makes the write of a batch in flight fail: the next
// StartFlush reports it, the Appender refuses to go on, and the ledger is
// as it was before the batch.
func TestStartFlushFails(t *testing.T) {
	dir, a := sampleAppender(t, testKey(t, keys.ECDSAP256))
	packDir := filepath.Join(dir, "objects", "pack")
	gitstore.SetWriteHook(func(step string) {
		if step == "pack-index" { // the pack's rename, next, fails
			os.Rename(packDir, packDir+".away")
		}
	})
	defer gitstore.SetWriteHook(nil)
	addDocs(t, a, "doomed", 10)
	if err := a.StartFlush(); err != nil {
		t.Fatalf("StartFlush: %v", err)
	}
	addDocs(t, a, "after", 1)
	err := a.StartFlush()
	gitstore.SetWriteHook(nil)
	if err == nil {
		t.Fatal("StartFlush after a batch that could not be written: no error")
	}
	os.RemoveAll(packDir)
	if err := os.Rename(packDir+".away", packDir); err != nil {
		t.Fatal(err)
	}
	if _, err2 := a.Add(NewDocument{ID: "later", Content: []byte("later\n")}); !errors.Is(err2, err) {
		t.Errorf("Add after a failed flush: %v, want the flush's error", err2)
	}
	if err := a.Close(); err != nil {
		t.Errorf("Close after a failed flush returned %v again", err)
	}
	checkLedger(t, dir, 5)
}

// failingSigner signs as its Signer, but once armed, only the next
// signature: then it refuses.
type failingSigner struct {
	Signer
	armed atomic.Bool
	left  atomic.Int32
}

func (s *failingSigner) Sign(msg []byte) ([]byte, error) {
	if s.armed.Load() && s.left.Add(-1) < 0 {
		return nil, errors.New("the signing device was unplugged")
	}
	return s.Signer.Sign(msg)
}

// TestStartFlushThenBroken breaks the Appender (a checkpoint it cannot
// sign) while a batch is being written: Close must wait for the write, and
// the batch, whole when StartFlush took it, is in the ledger.
func TestStartFlushThenBroken(t *testing.T) {
	signer := &failingSigner{Signer: testKey(t, keys.ECDSAP256)}
	dir, a := sampleAppender(t, signer)
	broken := make(chan struct{})
	gitstore.SetWriteHook(func(step string) {
		if step == "pack-index" {
			<-broken // the pack is renamed into place once the Appender broke
		}
	})
	defer gitstore.SetWriteHook(nil)
	addDocs(t, a, "in-flight", 10)
	if err := a.StartFlush(); err != nil {
		t.Fatal(err)
	}
	signer.left.Store(1) // the envelope is signed, its checkpoint is not
	signer.armed.Store(true)
	if _, err := a.Add(NewDocument{ID: "unsigned", Content: []byte("never signed\n")}); err == nil || a.broken == nil {
		t.Fatalf("Add whose checkpoint cannot be signed: %v; want an error that breaks the Appender", err)
	}
	close(broken)
	a.Close()
	if got := sizeOnDisk(t, dir); got != 15 {
		t.Fatalf("%d entries on disk after Close, want the 15 of the batch in flight", got)
	}
	checkLedger(t, dir, 15)
}
