package witness_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
	"github.com/verbatim-ledger/verbatim/witness"
)

func key(t *testing.T) *keys.PrivateKey {
	priv, _, err := keys.Generate(keys.ECDSAP256, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	k, _ := keys.ParsePrivateKey(priv, []byte("pw"))
	return k
}

func grow(t *testing.T, l *ledger.Ledger, k *keys.PrivateKey, prefix string, n int) *checkpoint.Checkpoint {
	a, err := l.Append(k, ledger.AppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for i := 0; i < n; i++ {
		if _, err := a.Add(ledger.NewDocument{ID: fmt.Sprintf("%s-%d", prefix, i), Content: []byte(prefix + fmt.Sprint(i))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	return l.Checkpoint()
}

func stateOf(cp *checkpoint.Checkpoint) *witness.State {
	return &witness.State{Origin: cp.Origin, Size: cp.Size, Root: cp.Root[:], Checkpoint: string(cp.Raw)}
}

func TestCheck(t *testing.T) {
	k := key(t)
	dir := filepath.Join(t.TempDir(), "a")
	l, err := ledger.Init(dir, "example.org/witnessed", k, ledger.AppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cp3 := grow(t, l, k, "x", 2)
	cp7 := grow(t, l, k, "y", 4)
	proof, err := l.ConsistencyProof(cp3.Size, cp7.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := witness.Check(stateOf(cp3), cp7, proof); err != nil {
		t.Errorf("Check(3 -> 7) = %v", err)
	}
	if err := witness.Check(nil, cp7, nil); err != nil {
		t.Errorf("Check(first) = %v", err)
	}
	if err := witness.Check(stateOf(cp7), cp7, nil); err != nil {
		t.Errorf("Check(same) = %v", err)
	}
	wantRefused(t, "rollback", witness.Check(stateOf(cp7), cp3, nil), "rollback")

	// A second ledger with the same key and name (a split view): same size,
	// another root; and larger, inconsistent.
	other := filepath.Join(t.TempDir(), "b")
	lb, err := ledger.Init(other, "example.org/witnessed", k, ledger.AppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fork3 := grow(t, lb, k, "z", 2)
	wantRefused(t, "same size", witness.Check(stateOf(cp3), fork3, nil), "split view")
	// The same tree state signed for another git history.
	entries := cp3.Entries
	entries[19] ^= 1
	raw, err := checkpoint.Sign(cp3.Origin, cp3.Size, cp3.Root, entries, k)
	if err != nil {
		t.Fatal(err)
	}
	other3, err := checkpoint.Parse(raw, cp3.Origin, k.Public())
	if err != nil {
		t.Fatal(err)
	}
	wantRefused(t, "same root, other tree", witness.Check(stateOf(cp3), other3, nil), "another entries/ tree")
	fork9 := grow(t, lb, k, "w", 6)
	forkProof, _ := lb.ConsistencyProof(3, 9)
	wantRefused(t, "fork", witness.Check(stateOf(cp3), fork9, forkProof), "not consistent")
	wantRefused(t, "no proof", witness.Check(stateOf(cp3), cp7, nil), "not consistent")
	foreign := *cp7
	foreign.Origin = "example.org/other"
	wantRefused(t, "other ledger", witness.Check(stateOf(cp3), &foreign, proof), "state is for ledger")
}

func wantRefused(t *testing.T, name string, err error, words string) {
	t.Helper()
	if !errors.Is(err, witness.ErrRefused) || !contains(err.Error(), words) {
		t.Errorf("%s: %v, want ErrRefused mentioning %q", name, err, words)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestStateFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	if _, err := witness.ReadState(path); !errors.Is(err, witness.ErrNoState) {
		t.Errorf("ReadState(missing) = %v, want ErrNoState", err)
	}
	s := &witness.State{Origin: "o", LedgerKey: strings.Repeat("ab", 32), Size: 3, Root: make([]byte, 32), Checkpoint: "o\n3\nAAAA\n"}
	if err := witness.WriteState(path, s); err != nil {
		t.Fatal(err)
	}
	got, err := witness.ReadState(path)
	if err != nil || got.Size != 3 || got.Origin != "o" {
		t.Fatalf("ReadState = %+v, %v", got, err)
	}
	for name, data := range map[string]string{"garbage": "garbage", "empty": "", "truncated": `{"format":"verbatim-witness-state/v1","origin":"o"`, "short root": `{"format":"verbatim-witness-state/v1","origin":"o","size":3,"root":"AAAA","checkpoint":""}`,
		"no key":         `{"format":"verbatim-witness-state/v1","origin":"o","size":3,"root":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","checkpoint":"x"}`,
		"upper-case key": `{"format":"verbatim-witness-state/v1","origin":"o","ledger_key":"` + strings.Repeat("AB", 32) + `","size":3,"root":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","checkpoint":"x"}`} {
		os.WriteFile(path, []byte(data), 0o644)
		if _, err := witness.ReadState(path); !errors.Is(err, witness.ErrBadState) {
			t.Errorf("%s: ReadState = %v, want ErrBadState", name, err)
		}
	}
}

func FuzzReadState(f *testing.F) {
	f.Add([]byte(`{"format":"verbatim-witness-state/v1","origin":"o","ledger_key":"` + strings.Repeat("ab", 32) + `","size":3,"root":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","checkpoint":"x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "s")
		os.WriteFile(path, data, 0o644)
		s, err := witness.ReadState(path)
		if err == nil && (len(s.Root) != 32 || s.Size == 0) {
			t.Fatalf("ReadState accepted %q", data)
		}
	})
}
