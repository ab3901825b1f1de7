package ledger

import (
	"path/filepath"
	"testing"

	"github.com/verbatim-ledger/verbatim/keys"
)

func TestChanged(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	buildLedger(t, dir, sampleDocs[:1]).Close()
	reader, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if changed, err := reader.Changed(); changed || err != nil {
		t.Fatalf("Changed() = %v, %v right after Open, want false", changed, err)
	}
	writer, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	registerDocs(t, writer, testKey(t, keys.ECDSAP256), testClock(), sampleDocs[1:2])
	writer.Close()
	if changed, err := reader.Changed(); !changed || err != nil {
		t.Errorf("Changed() = %v, %v after another writer appended, want true", changed, err)
	}
	again, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if changed, _ := again.Changed(); changed {
		t.Error("Changed() = true for a ledger opened at the new tip")
	}
}
