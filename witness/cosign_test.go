package witness_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
	"github.com/verbatim-ledger/verbatim/witness"
)

func ed25519Key(t *testing.T) *keys.PrivateKey {
	priv, _, err := keys.Generate(keys.Ed25519, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.ParsePrivateKey(priv, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// forkedLedgers builds two ledgers that agree on their first 3 entries and
// then differ: Ed25519 signatures and a fixed clock make the shared prefix
// byte for byte the same. It returns their directories and checkpoints of
// 3 and 5 entries.
func forkedLedgers(t *testing.T, k *keys.PrivateKey) (dirs [2]string, cp3 *checkpoint.Checkpoint, cp5 [2]*checkpoint.Checkpoint) {
	for i, suffix := range []string{"a", "b"} {
		dirs[i] = filepath.Join(t.TempDir(), suffix)
		clock := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		opts := ledger.AppendOptions{Now: func() time.Time { return clock }}
		l, err := ledger.Init(dirs[i], "example.org/witnessed", k, opts)
		if err != nil {
			t.Fatal(err)
		}
		c3 := growAt(t, l, k, opts, "shared", 2)
		if cp3 != nil && c3.Root != cp3.Root {
			t.Fatal("the two ledgers differ before the fork")
		}
		cp3 = c3
		cp5[i] = growAt(t, l, k, opts, "fork-"+suffix, 2)
		l.Close()
	}
	if cp5[0].Root == cp5[1].Root {
		t.Fatal("the forks have one root")
	}
	return dirs, cp3, cp5
}

// growAt is grow with a clock.
func growAt(t *testing.T, l *ledger.Ledger, k *keys.PrivateKey, opts ledger.AppendOptions, prefix string, n int) *checkpoint.Checkpoint {
	a, err := l.Append(k, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for i := 0; i < n; i++ {
		if _, err := a.Add(ledger.NewDocument{ID: prefix + "-" + string(rune('a'+i)), Content: []byte(prefix + string(rune('a'+i)))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	return l.Checkpoint()
}

// request asks to cosign cp, with proofs from the ledger in dir.
func request(dir string, cp *checkpoint.Checkpoint, ledgerKey *keys.PublicKey, w *keys.PrivateKey) witness.Request {
	return witness.Request{
		Checkpoint: cp.Raw, LedgerKey: ledgerKey,
		Proof: func(oldSize uint64, cp *checkpoint.Checkpoint) ([][]byte, error) {
			l, err := ledger.Open(dir)
			if err != nil {
				return nil, err
			}
			defer l.Close()
			return l.ConsistencyProof(oldSize, cp.Size)
		},
		Key: func() (*keys.PrivateKey, error) { return w, nil },
	}
}

// TestCosignRaceSplitView: two runs of Cosign at once, on two forks of a
// ledger at one size, cannot both be cosigned. The first is held between
// its check and its write; the second must wait for it (and then refuse),
// not decide from the state the first has not yet written.
func TestCosignRaceSplitView(t *testing.T) {
	k, w := ed25519Key(t), ed25519Key(t)
	dirs, cp3, cp5 := forkedLedgers(t, k)
	state := filepath.Join(t.TempDir(), "w.state")
	init := request(dirs[0], cp3, k.Public(), w)
	init.Init = true
	if _, err := witness.Cosign(state, init); err != nil {
		t.Fatal(err)
	}

	inside, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	witness.SetCheckedHook(func() {
		if calls.Add(1) == 1 {
			close(inside)
			<-release
		}
	})
	defer witness.SetCheckedHook(nil)
	var errs [2]error
	var outs [2][]byte
	done := [2]chan struct{}{make(chan struct{}), make(chan struct{})}
	run := func(i int) {
		defer close(done[i])
		outs[i], errs[i] = witness.Cosign(state, request(dirs[i], cp5[i], k.Public(), w))
	}
	go run(0)
	<-inside
	go run(1)
	select { // without the lock, the second run finishes here
	case <-done[1]:
	case <-time.After(500 * time.Millisecond):
	}
	close(release)
	<-done[0]
	<-done[1]
	if errs[0] != nil {
		t.Fatalf("the first run: %v", errs[0])
	}
	if !errors.Is(errs[1], witness.ErrRefused) || !strings.Contains(errs[1].Error(), "split view") {
		t.Fatalf("the second run, on the other fork: %v (output %q); want a split-view refusal", errs[1], outs[1])
	}
	s, err := witness.ReadState(state)
	if err != nil || s.Size != 5 || !bytes.Equal(s.Root, cp5[0].Root[:]) {
		t.Fatalf("state after the race: %+v, %v; want fork a's checkpoint", s, err)
	}
}

// TestCosignConcurrentForks runs many cosigns of both forks at once: all
// that succeed cosigned one and the same checkpoint.
func TestCosignConcurrentForks(t *testing.T) {
	k, w := ed25519Key(t), ed25519Key(t)
	dirs, cp3, cp5 := forkedLedgers(t, k)
	state := filepath.Join(t.TempDir(), "w.state")
	init := request(dirs[0], cp3, k.Public(), w)
	init.Init = true
	if _, err := witness.Cosign(state, init); err != nil {
		t.Fatal(err)
	}
	const runs = 8
	roots := make(chan [32]byte, runs)
	var wg sync.WaitGroup
	for i := 0; i < runs; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := witness.Cosign(state, request(dirs[i%2], cp5[i%2], k.Public(), w))
			switch {
			case err == nil:
				roots <- cp5[i%2].Root
			case !errors.Is(err, witness.ErrRefused):
				t.Errorf("run %d: %v", i, err)
			}
		}(i)
	}
	wg.Wait()
	close(roots)
	seen := map[[32]byte]int{}
	for r := range roots {
		seen[r]++
	}
	if len(seen) != 1 {
		t.Fatalf("cosigned %d different checkpoints of 5 entries: %v", len(seen), seen)
	}
	entries, _ := os.ReadDir(filepath.Dir(state))
	for _, e := range entries {
		if e.Name() != "w.state" && e.Name() != "w.state.lock" {
			t.Errorf("file left beside the state: %s", e.Name())
		}
	}
}

// TestCosignPinsLedgerKey: the state pins the ledger's key; a checkpoint
// of the same origin under another key is refused, naming both.
func TestCosignPinsLedgerKey(t *testing.T) {
	k, other, w := ed25519Key(t), ed25519Key(t), ed25519Key(t)
	dirs, cp3, _ := forkedLedgers(t, k)
	state := filepath.Join(t.TempDir(), "w.state")
	init := request(dirs[0], cp3, k.Public(), w)
	init.Init = true
	if _, err := witness.Cosign(state, init); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(state)
	dir := filepath.Join(t.TempDir(), "impostor")
	l, err := ledger.Init(dir, "example.org/witnessed", other, ledger.AppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cp := grow(t, l, other, "i", 4)
	l.Close()
	_, err = witness.Cosign(state, request(dir, cp, other.Public(), w))
	if !errors.Is(err, witness.ErrRefused) || !strings.Contains(err.Error(), string(k.Public().Fingerprint())) || !strings.Contains(err.Error(), string(other.Public().Fingerprint())) {
		t.Fatalf("Cosign(checkpoint of another key) = %v; want a refusal naming both keys", err)
	}
	if after, _ := os.ReadFile(state); !bytes.Equal(after, before) {
		t.Errorf("a refusal changed the state")
	}
	// --init on an existing state, and a missing state without it.
	if _, err := witness.Cosign(state, init); !errors.Is(err, witness.ErrStateExists) {
		t.Errorf("Cosign(Init, existing state) = %v, want ErrStateExists", err)
	}
	missing := request(dirs[0], cp3, k.Public(), w)
	if _, err := witness.Cosign(filepath.Join(t.TempDir(), "none"), missing); !errors.Is(err, witness.ErrNoState) {
		t.Errorf("Cosign(no state) = %v, want ErrNoState", err)
	}
	if s, _ := witness.ReadState(state); s.LedgerKey != string(k.Public().Fingerprint()) {
		t.Errorf("state pins %q, want %s", s.LedgerKey, k.Public().Fingerprint())
	}

}
