package ledger

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/internal/gitstore"
	"github.com/verbatim-ledger/verbatim/records"
)

// TestEntryErrorKeepsCause: an EntryError is an ErrTampered and keeps its
// cause for errors.Is and errors.As, and its message is unchanged.
func TestEntryErrorKeepsCause(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	l := buildLedger(t, dir, nil)
	defer l.Close()
	garbage := []byte(`{"payloadType": nope}`)
	h := gitstore.Hash(plumbing.BlobObject, garbage)
	if err := l.r.st.Write([]gitstore.Object{{Type: plumbing.BlobObject, Hash: h, Content: garbage}}, false); err != nil {
		t.Fatal(err)
	}
	_, err := l.readEnvelope(7, tree{{Mode: modeFile, Name: envelopeFile, Hash: h}})
	var entry *EntryError
	if !errors.As(err, &entry) || entry.Entry != 7 {
		t.Fatalf("readEnvelope(garbage) = %v, want an EntryError for entry 7", err)
	}
	if !errors.Is(err, ErrTampered) || !errors.Is(err, records.ErrMalformed) {
		t.Errorf("errors.Is(%v): ErrTampered %v, records.ErrMalformed %v; want both", err, errors.Is(err, ErrTampered), errors.Is(err, records.ErrMalformed))
	}
	var syntax *json.SyntaxError
	if !errors.As(err, &syntax) {
		t.Errorf("errors.As(%v, *json.SyntaxError) = false: the cause was flattened", err)
	}
	if want := "entry 7: " + entry.Err.Error(); err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}
