package ledger

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/verbatim-ledger/verbatim/records"
)

// testdata/golden-v2.git is the golden ledger as format v2 made it (genesis
// "format": "verbatim-ledger/v2"), described in testdata/golden-v2.txt. It
// is never regenerated: it is what a v2 ledger in the wild looks like, and
// FORMAT.md §8 says this version of verbatim still verifies it and appends
// to it under v2's rules.
const (
	goldenV2Dir  = "testdata/golden-v2.git"
	goldenV2Desc = "testdata/golden-v2.txt"
)

func TestGoldenV2Verifies(t *testing.T) {
	want, err := os.ReadFile(goldenV2Desc)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(goldenV2Dir, VerifyOptions{Trust: newSeedSigner(t).pub.Fingerprint()})
	if err != nil {
		t.Fatalf("Verify(%s): %v", goldenV2Dir, err)
	}
	if rep.Entries != 4 || !strings.Contains(string(want), "head "+rep.Head+"\n") {
		t.Errorf("Verify(%s) = %d entries, head %s; want 4 and the head in golden-v2.txt", goldenV2Dir, rep.Entries, rep.Head)
	}
	if got := describe(t, goldenV2Dir); got != string(want) {
		t.Errorf("describe(%s) differs from golden-v2.txt:\n%s", goldenV2Dir, got)
	}
	l, err := Open(goldenV2Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.Format() != records.FormatV2 {
		t.Errorf("Format() = %q, want %q", l.Format(), records.FormatV2)
	}
}

// copyGoldenV2 copies the v2 golden ledger to a temporary directory.
func copyGoldenV2(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "v2.git")
	if err := copyTree(goldenV2Dir, dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A v2 ledger keeps v2's rules when appended to: ASCII ids are added and the
// ledger stays v2 and verifies; an id with other letters is refused, and the
// ledger is left as it was.
func TestV2AppendKeepsV2Rules(t *testing.T) {
	dir := copyGoldenV2(t)
	key := newSeedSigner(t)
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	a, err := l.Append(key, AppendOptions{Now: testClock()})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"café", "نامه-2016"} {
		_, err := a.Add(NewDocument{ID: id, Content: []byte(id)})
		if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), records.FormatV2) {
			t.Errorf("Add(%q) to a v2 ledger = %v, want ErrInput naming %s", id, err, records.FormatV2)
		}
	}
	if _, err := a.Add(NewDocument{ID: "cafe", Content: []byte("café")}); err != nil {
		t.Fatalf("Add(cafe) to a v2 ledger: %v", err)
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	a.Close()
	rep, err := Verify(dir, VerifyOptions{Trust: key.pub.Fingerprint()})
	if err != nil || rep.Entries != 5 {
		t.Fatalf("Verify after appending to a v2 ledger = %+v, %v; want 5 entries", rep, err)
	}
	if l.Format() != records.FormatV2 {
		t.Errorf("Format() after appending = %q, want %q", l.Format(), records.FormatV2)
	}
}

// A writer that ignores v2's id rule makes a ledger that verify rejects,
// naming the entry and the rule.
func TestVerifyRejectsV3IDInV2Ledger(t *testing.T) {
	dir := copyGoldenV2(t)
	key := newSeedSigner(t)
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	a, err := l.Append(key, AppendOptions{Now: testClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	l.st.format = records.FormatVersion // the broken writer
	if _, err := a.Add(NewDocument{ID: "café", Content: []byte("café")}); err != nil {
		t.Fatal(err)
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	_, err = Verify(dir, VerifyOptions{})
	var ee *EntryError
	if !errors.As(err, &ee) || ee.Entry != 4 || !strings.Contains(err.Error(), records.FormatV2) {
		t.Errorf("Verify = %v, want an EntryError for entry 4 naming %s", err, records.FormatV2)
	}
}
