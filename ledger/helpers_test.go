package ledger

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verbatim-ledger/verbatim/keys"
)

// testPassword encrypts every key the tests generate.
const testPassword = "verbatim-test"

var (
	keyOnce  sync.Once
	keyCache map[keys.Algorithm]*keys.PrivateKey
	otherKey *keys.PrivateKey
)

// testKey returns a private key of alg, the same one for the whole test
// binary (scrypt makes generating and decrypting keys slow).
func testKey(t testing.TB, alg keys.Algorithm) *keys.PrivateKey {
	t.Helper()
	keyOnce.Do(func() {
		keyCache = map[keys.Algorithm]*keys.PrivateKey{}
		for _, a := range []keys.Algorithm{keys.ECDSAP256, keys.Ed25519} {
			keyCache[a] = mustKey(a)
		}
		otherKey = mustKey(keys.ECDSAP256)
	})
	return keyCache[alg]
}

// testOtherKey is a second ECDSA key, not the root of any test ledger.
func testOtherKey(t testing.TB) *keys.PrivateKey {
	testKey(t, keys.ECDSAP256)
	return otherKey
}

func mustKey(alg keys.Algorithm) *keys.PrivateKey {
	priv, _, err := keys.Generate(alg, []byte(testPassword))
	if err != nil {
		panic(err)
	}
	k, err := keys.ParsePrivateKey(priv, []byte(testPassword))
	if err != nil {
		panic(err)
	}
	return k
}

// testClock returns a clock that starts at 2026-11-28T12:00:00Z and moves
// one second per call, so entries get distinct, reproducible times.
func testClock() func() time.Time {
	t := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

// testDoc is a document version a test registers.
type testDoc struct {
	id, content string
}

// sampleDocs are the documents the standard test ledger holds: two
// documents, one with two versions, and an empty document.
var sampleDocs = []testDoc{
	{"letter", "Letter by a group of political prisoners, first transcript.\n"},
	{"translation", "Translation of the letter.\n"},
	{"letter", "Letter by a group of political prisoners, corrected transcript.\n"},
	{"empty", ""},
}

// buildLedger creates a ledger in dir with root key ECDSA and registers docs,
// one Flush per document so that each is its own commit batch.
func buildLedger(t testing.TB, dir string, docs []testDoc) *Ledger {
	t.Helper()
	clock := testClock()
	l, err := Init(dir, "example.org/test-ledger", testKey(t, keys.ECDSAP256), AppendOptions{Now: clock})
	if err != nil {
		t.Fatalf("Init: %v", err)
	}
	registerDocs(t, l, testKey(t, keys.ECDSAP256), clock, docs)
	return l
}

func registerDocs(t testing.TB, l *Ledger, key Signer, clock func() time.Time, docs []testDoc) {
	t.Helper()
	a, err := l.Append(key, AppendOptions{Now: clock})
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	defer a.Close()
	for _, d := range docs {
		if _, err := a.Add(NewDocument{ID: d.id, Content: []byte(d.content), Title: "title of " + d.id}); err != nil {
			t.Fatalf("Add(%s): %v", d.id, err)
		}
		if err := a.Flush(); err != nil {
			t.Fatalf("Flush: %v", err)
		}
	}
}

// checkLedger is the invariant checked after every operation that should
// leave a valid ledger: it verifies the ledger from scratch, re-opens it,
// and compares both views with what the test expects.
func checkLedger(t testing.TB, dir string, wantEntries uint64) *Report {
	t.Helper()
	rep, err := Verify(dir, VerifyOptions{Trust: testKey(t, keys.ECDSAP256).Public().Fingerprint()})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if rep.Entries != wantEntries {
		t.Fatalf("Verify: %d entries, want %d", rep.Entries, wantEntries)
	}
	l, err := Open(dir)
	if err != nil {
		t.Fatalf("Open after Verify: %v", err)
	}
	if l.Size() != rep.Entries || l.Head() != rep.Head || l.Checkpoint().Root != rep.Checkpoint.Root {
		t.Fatalf("Open and Verify disagree: size %d/%d head %s/%s", l.Size(), rep.Entries, l.Head(), rep.Head)
	}
	return rep
}

// wantTampered checks that err reports tampering and mentions each of words.
func wantTampered(t testing.TB, err error, words ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("verification passed, want a failure mentioning %q", words)
	}
	if !errors.Is(err, ErrTampered) {
		t.Fatalf("error %q does not wrap ErrTampered", err)
	}
	for _, w := range words {
		if !containsFold(err.Error(), w) {
			t.Fatalf("error %q does not mention %q", err, w)
		}
	}
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
