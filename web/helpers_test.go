package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
)

var (
	keyOnce sync.Once
	keyMap  map[keys.Algorithm]*keys.PrivateKey
)

// testKey returns a private key of alg, one per test binary (scrypt makes
// generating keys slow).
func testKey(t testing.TB, alg keys.Algorithm) *keys.PrivateKey {
	t.Helper()
	keyOnce.Do(func() {
		keyMap = map[keys.Algorithm]*keys.PrivateKey{}
		for _, a := range []keys.Algorithm{keys.ECDSAP256, keys.Ed25519} {
			priv, _, err := keys.Generate(a, []byte("test"))
			if err != nil {
				panic(err)
			}
			if keyMap[a], err = keys.ParsePrivateKey(priv, []byte("test")); err != nil {
				panic(err)
			}
		}
	})
	return keyMap[alg]
}

// Texts of the test ledger.
const (
	xssText  = "<script>alert(1)</script>\n\"><img src=x onerror=alert(1)>\n"
	xssTitle = `<script>alert('title')</script>"><img src=x onerror=alert(2)>`
	faText   = "نامه‌ی گروهی از زندانیان سیاسی به کنفرانس پاریس\nما، گروهی از زندانیان سیاسی، از برگزارکنندگان این کنفرانس سپاسگزاریم.\n"
)

// letter is the prisoners' letter of examples/.
func letter(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "examples", "prisoners-letter-2016.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// testDocs are what testLedger registers, in order.
func testDocs(t testing.TB) []ledger.NewDocument {
	corrected, err := os.ReadFile(filepath.Join("..", "examples", "prisoners-letter-2016-corrected.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return []ledger.NewDocument{
		{ID: "prisoners-letter-2016", Content: letter(t), Title: "Letter of political prisoners to the Paris conference", Language: "en", Source: "https://example.org/letter"},
		{ID: "prisoners-letter-2016-fa", Content: []byte(faText), Title: "نامه‌ی زندانیان سیاسی", Language: "fa", Note: "ترجمه"},
		{ID: "xss", Content: []byte(xssText), Title: xssTitle, Note: xssTitle},
		{ID: "prisoners-letter-2016", Content: corrected, Title: "Letter of political prisoners to the Paris conference (corrected)", Language: "en"},
	}
}

// clock gives entries distinct, reproducible times.
func clock() func() time.Time {
	t := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Minute)
		return t
	}
}

// testLedger creates a ledger named name signed by a key of alg holding docs.
func testLedger(t testing.TB, alg keys.Algorithm, docs []ledger.NewDocument) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ledger")
	key := testKey(t, alg)
	now := clock()
	l, err := ledger.Init(dir, "example.org/web-test", key, ledger.AppendOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	appendDocs(t, l, key, now, docs)
	return dir
}

func appendDocs(t testing.TB, l *ledger.Ledger, key *keys.PrivateKey, now func() time.Time, docs []ledger.NewDocument) {
	t.Helper()
	a, err := l.Append(key, ledger.AppendOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, d := range docs {
		if _, err := a.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
}

// newTestServer serves dir with opts over httptest.
func newTestServer(t testing.TB, dir string, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	opts.Dir = dir
	opts.Logf = t.Logf
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(func() { ts.Close(); s.Close() })
	return s, ts
}

// get fetches path and returns the response and its body.
func get(t testing.TB, ts *httptest.Server, path string) (*http.Response, string) {
	t.Helper()
	resp, err := ts.Client().Get(ts.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp, readBody(t, resp)
}

func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// mustContain checks that body holds every want.
func mustContain(t testing.TB, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s does not contain %q", what, w)
		}
	}
}
