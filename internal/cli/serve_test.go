package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
)

// syncBuffer is a bytes.Buffer safe for a server goroutine and a test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// serveLedger makes a ledger holding one document.
func serveLedger(t *testing.T) string {
	t.Helper()
	priv, _, err := keys.Generate(keys.Ed25519, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := keys.ParsePrivateKey(priv, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "ledger")
	l, err := ledger.Init(dir, "example.org/serve", key, ledger.AppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	a, err := l.Append(key, ledger.AppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Add(ledger.NewDocument{ID: "letter", Content: []byte("a letter\n")}); err != nil {
		t.Fatal(err)
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestServeStartsAndStops(t *testing.T) {
	dir := serveLedger(t)
	var out, errOut syncBuffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: os.Getenv, ledgerDir: dir}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, e, serveOptions{addr: "127.0.0.1:0", maxBody: "1MiB", checkEvery: time.Second})
	}()
	serving := regexp.MustCompile(`^serving ledger example.org/serve \(2 entries\), read-only, at (http://127\.0\.0\.1:[0-9]+/)\n$`)
	var url string
	for deadline := time.Now().Add(30 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := serving.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		cancel()
		t.Fatalf("no serving line: stdout %q, stderr %q", out.String(), errOut.String())
	}
	resp, err := http.Get(url + "api/ledger")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"ledger": "example.org/serve"`) {
		t.Errorf("GET /api/ledger: %d %s", resp.StatusCode, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("runServe = %v after the interrupt, want nil", err)
	}
	if !strings.HasSuffix(out.String(), "stopped\n") || errOut.String() != "" {
		t.Errorf("stdout %q, stderr %q", out.String(), errOut.String())
	}
}

func TestServePortInUse(t *testing.T) {
	dir := serveLedger(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	var stdout, stderr bytes.Buffer
	code := Main([]string{"serve", "--ledger", dir, "--addr", addr}, strings.NewReader(""), &stdout, &stderr)
	want := "verbatim: cannot listen on " + addr + ": the address is in use; stop the other server or choose another --addr\n"
	if code != exitUsage || stderr.String() != want || stdout.Len() != 0 {
		t.Errorf("exit %d, stderr %q, stdout %q; want exit 2 and %q", code, stderr.String(), stdout.String(), want)
	}
	var u *usageError
	if err := runServe(context.Background(), &env{stdout: io.Discard, stderr: io.Discard, getenv: os.Getenv, ledgerDir: dir},
		serveOptions{addr: addr, maxBody: "1MiB"}); !errors.As(err, &u) {
		t.Errorf("runServe = %v, want a usage error", err)
	}
}

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"20MiB", 20 << 20}, {"1", 1}, {"512KiB", 512 << 10}, {"2GiB", 2 << 30}, {"1024GiB", 1 << 40},
		{"0", 0}, {"-1", 0}, {"", 0}, {"MiB", 0}, {"20MB", 0}, {"1025GiB", 0}, {"1.5MiB", 0}, {"99999999999999999999", 0},
	} {
		got, err := parseSize(tc.in)
		if got != tc.want || (err == nil) != (tc.want != 0) {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}
