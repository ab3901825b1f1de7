package ledger

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"
)

// TestRangeRoot compares rangeRoot, and the state's cached root, with the
// compact range's own root computation at every size up to a few perfect
// subtrees.
func TestRangeRoot(t *testing.T) {
	s := newState()
	for n := uint64(0); n <= 300; n++ {
		want, err := s.tree.GetRootHash(nil)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			want = emptyRoot[:]
		}
		if got := rangeRoot(s.tree); string(got[:]) != string(want) {
			t.Fatalf("size %d: rangeRoot %x, GetRootHash %x", n, got, want)
		}
		if got := s.root(); string(got[:]) != string(want) {
			t.Fatalf("size %d: cached root %x, want %x", n, got, want)
		}
		leaf := sha256.Sum256(binary.BigEndian.AppendUint64(nil, n))
		if err := s.tree.Append(leaf[:], nil); err != nil {
			t.Fatal(err)
		}
	}
}

func TestHexEqual(t *testing.T) {
	b := []byte{0x00, 0x9f, 0xa0, 0xff}
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"009fa0ff", true}, {"009FA0FF", false}, {"009fa0f", false}, {"009fa0ff0", false},
		{"009fa0fe", false}, {"109fa0ff", false}, {"", false},
	} {
		if got := hexEqual(c.s, b); got != c.want {
			t.Errorf("hexEqual(%q) = %v, want %v", c.s, got, c.want)
		}
	}
	if !hexEqual("", nil) {
		t.Error("hexEqual of nothing is false")
	}
}
