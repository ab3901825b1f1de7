package ledger

import (
	"fmt"
	"path/filepath"
	"testing"
)

// aheadMarks checks the ledger in dir ahead, to the end, and returns the
// entries marked.
func aheadMarks(t *testing.T, dir string) []uint64 {
	t.Helper()
	r, head, err := openForReading(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	a := checkAhead(r, head, 2)
	a.wg.Wait()
	var out []uint64
	for n := uint64(0); n < 64; n++ {
		if a.passed(n) {
			out = append(out, n)
		}
	}
	return out
}

// TestCheckAhead checks that every entry after the genesis is marked when
// the ledger is intact, and that an entry whose document was altered (its
// commit forged to look canonical) is not; the tamper tests check that
// verifying after checking ahead fails as verifying does.
func TestCheckAhead(t *testing.T) {
	fx := newTamperFixture(t)
	all := fmt.Sprint([]uint64{1, 2, 3, 4})
	if got := fmt.Sprint(aheadMarks(t, fx.base)); got != all {
		t.Fatalf("entries marked in an intact ledger: %s, want %s", got, all)
	}
	dir := fx.copy(t)
	work := tamperClone(t, dir)
	f := filepath.Join(work, filepath.FromSlash(entryDirOf(fx.tip)), documentFile)
	tamperWrite(t, f, append(tamperRead(t, f), "altered"...))
	tamperAmend(t, work, true, "")
	tamperPush(t, work)
	if got, want := fmt.Sprint(aheadMarks(t, dir)), fmt.Sprint([]uint64{1, 2, 3}); got != want {
		t.Fatalf("entries marked with entry %d's document altered: %s, want %s", fx.tip, got, want)
	}
}
