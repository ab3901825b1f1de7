package ledger

import (
	"fmt"
	"testing"
)

func TestPathOf(t *testing.T) {
	for _, n := range []uint64{0, 1, 9, 10, 99, 100, 12345, 1000101, 123456789, MaxEntries - 1} {
		d := fmt.Sprintf("%010d", n)
		want := entryPath{d[0:4], d[4:6], d[6:8], d}
		if got := pathOf(n); got != want {
			t.Errorf("pathOf(%d) = %v, want %v", n, got, want)
		}
	}
}
