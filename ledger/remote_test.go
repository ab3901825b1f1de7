package ledger

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/records"
)

var longRemote = flag.Bool("long", false, "run the remote concurrency test at the issue's size (2 × 200 versions in 20 batches)")

// requireGit skips, loudly, a test that needs the git command.
func requireGit(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("git")
	if err != nil {
		t.Skip("SKIPPED: git is not installed; the remote tests serve ledgers with git daemon and git http-backend")
	}
	return path
}

func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// originLedger makes base/origin.git, a ledger with an archivist key, and
// returns its path.
func originLedger(t *testing.T, base string) string {
	dir := filepath.Join(base, "origin.git")
	root := testKey(t, keys.ECDSAP256)
	l, err := Init(dir, "example.org/remote", root, AppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	withAppender(t, l, root, nil, func(a *Appender) error { return a.AddKey(testKey(t, keys.Ed25519).Public(), "alice") })
	runGit(t, dir, "config", "http.receivepack", "true")
	return dir
}

// serveDaemon serves base with stock git daemon on 127.0.0.1, pushes allowed.
func serveDaemon(t *testing.T, base string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("git", "daemon", "--export-all", "--base-path="+base, fmt.Sprintf("--port=%d", port),
		"--listen=127.0.0.1", "--enable=receive-pack", "--reuseaddr", base)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return fmt.Sprintf("git://127.0.0.1:%d/origin.git", port)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("git daemon did not start")
	return ""
}

// serveHTTP serves base with git http-backend (CGI) behind httptest.
func serveHTTP(t *testing.T, base string) string {
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatal(err)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	h := &cgi.Handler{Path: backend, Env: []string{"GIT_PROJECT_ROOT=" + base, "GIT_HTTP_EXPORT_ALL=1", "REMOTE_USER=test"}}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/origin.git"
}

func transports(t *testing.T) map[string]func(t *testing.T, base string) string {
	requireGit(t)
	return map[string]func(t *testing.T, base string) string{
		"file":         func(t *testing.T, base string) string { return "file://" + filepath.Join(base, "origin.git") },
		"git-daemon":   serveDaemon,
		"http-backend": serveHTTP,
	}
}

func registerOne(t *testing.T, dir string, key Signer, id, content string) {
	t.Helper()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	withAppender(t, l, key, nil, func(a *Appender) error {
		_, err := a.Add(NewDocument{ID: id, Content: []byte(content)})
		return err
	})
}

func headOf(t *testing.T, dir string) string {
	t.Helper()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Head()
}

func TestRemotes(t *testing.T) {
	root, alice := testKey(t, keys.ECDSAP256), testKey(t, keys.Ed25519)
	for name, serve := range transports(t) {
		t.Run(name, func(t *testing.T) {
			base := t.TempDir()
			origin := originLedger(t, base)
			url := serve(t, base)
			c1, c2 := filepath.Join(t.TempDir(), "c1"), filepath.Join(t.TempDir(), "c2")
			opts := RemoteOptions{Trust: root.Public().Fingerprint()}
			for _, c := range []string{c1, c2} {
				if _, err := Clone(url, c, opts); err != nil {
					t.Fatalf("clone %s: %v", url, err)
				}
			}
			registerOne(t, c1, root, "one", "by the root")
			if n, err := Push(c1, opts); err != nil || n != 1 {
				t.Fatalf("push: %d, %v", n, err)
			}
			registerOne(t, c2, alice, "two", "by alice")
			before := headOf(t, c2)
			if _, err := Push(c2, opts); !errors.Is(err, ErrRemoteMoved) || !strings.Contains(err.Error(), "pull first") {
				t.Fatalf("push after the remote moved: %v, want pull first", err)
			}
			if headOf(t, c2) != before {
				t.Fatal("a refused push changed the ledger")
			}
			res, err := Sync(c2, alice, SyncOptions{RemoteOptions: opts})
			if err != nil || res.Resigned != 1 || res.Fetched != 1 || res.Size != 4 {
				t.Fatalf("sync: %+v, %v", res, err)
			}
			if _, err := Pull(c1, opts); err != nil {
				t.Fatal(err)
			}
			if h1, h2, ho := headOf(t, c1), headOf(t, c2), headOf(t, origin); h1 != h2 || h2 != ho {
				t.Fatalf("heads differ: c1 %s c2 %s origin %s", h1, h2, ho)
			}
			for _, d := range []string{c1, c2, origin} {
				if rep, err := Verify(d, VerifyOptions{Trust: root.Public().Fingerprint()}); err != nil || rep.Entries != 4 {
					t.Fatalf("verify %s: %v", d, err)
				}
			}
		})
	}
}

// TestRemoteRewritten: a remote whose history was rewritten (git push
// --force of another ledger with the same name and root key) is refused by
// pull and sync, and the clone is left as it was.
func TestRemoteRewritten(t *testing.T) {
	root := testKey(t, keys.ECDSAP256)
	for name, serve := range transports(t) {
		t.Run(name, func(t *testing.T) {
			base := t.TempDir()
			origin := originLedger(t, base)
			url := serve(t, base)
			c1 := filepath.Join(t.TempDir(), "c1")
			opts := RemoteOptions{Trust: root.Public().Fingerprint()}
			if _, err := Clone(url, c1, opts); err != nil {
				t.Fatal(err)
			}
			registerOne(t, c1, root, "one", "the true text")
			if _, err := Push(c1, opts); err != nil {
				t.Fatal(err)
			}
			for _, alter := range []struct {
				name string
				docs []string
				want string
			}{
				{"entry rewritten", []string{"a forged text"}, "fork"},
				{"rolled back", nil, "rollback"},
			} {
				forged := filepath.Join(t.TempDir(), "forged.git")
				l, err := Init(forged, "example.org/remote", root, AppendOptions{})
				if err != nil {
					t.Fatal(err)
				}
				withAppender(t, l, root, nil, func(a *Appender) error { return a.AddKey(testKey(t, keys.Ed25519).Public(), "alice") })
				for _, d := range alter.docs {
					withAppender(t, l, root, nil, func(a *Appender) error { _, err := a.Add(NewDocument{ID: "one", Content: []byte(d)}); return err })
				}
				l.Close()
				runGit(t, forged, "push", "--force", origin, "main:main")
				head := headOf(t, c1)
				trusted, _ := os.ReadFile(trustedPath(c1, DefaultRemote))
				_, err = Pull(c1, opts)
				wantTampered(t, err, alter.want)
				if !strings.Contains(err.Error(), "the remote origin was refused") {
					t.Fatalf("pull: %v", err)
				}
				_, err = Sync(c1, root, SyncOptions{RemoteOptions: opts})
				wantTampered(t, err, alter.want)
				after, _ := os.ReadFile(trustedPath(c1, DefaultRemote))
				if headOf(t, c1) != head || string(after) != string(trusted) {
					t.Fatalf("%s: a refused pull changed the clone", alter.name)
				}
			}
		})
	}
}

// TestRemoteConcurrentSync: two archivists, two clones, two keys, each
// registering versions in batches and syncing after each batch, at the
// same time, through git daemon. At the end both clones and the remote
// hold the same ledger, with every version once, and it verifies. The
// issue's size (200 versions in 20 batches each) runs with -long.
func TestRemoteConcurrentSync(t *testing.T) {
	requireGit(t)
	batches, perBatch := 4, 5
	if *longRemote {
		batches, perBatch = 20, 10
	} else if testing.Short() {
		t.Skip("starts git daemon")
	}
	root, alice := testKey(t, keys.ECDSAP256), testKey(t, keys.Ed25519)
	base := t.TempDir()
	origin := originLedger(t, base)
	url := serveDaemon(t, base)
	opts := RemoteOptions{Trust: root.Public().Fingerprint()}
	clones := []string{filepath.Join(t.TempDir(), "c1"), filepath.Join(t.TempDir(), "c2")}
	signers := []Signer{root, alice}
	for _, c := range clones {
		if _, err := Clone(url, c, opts); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for w := range clones {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = archivist(clones[w], signers[w], opts, w, batches, perBatch)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// The one that finished first pulls what the other published last.
	for _, c := range clones {
		if _, err := Pull(c, opts); err != nil {
			t.Fatal(err)
		}
	}
	want := uint64(2 + 2*batches*perBatch)
	ho := headOf(t, origin)
	for _, d := range append(clones, origin) {
		if headOf(t, d) != ho {
			t.Fatalf("%s is not at the remote's head", d)
		}
	}
	rep, err := Verify(origin, VerifyOptions{Trust: root.Public().Fingerprint()})
	if err != nil || rep.Entries != want || rep.Versions != 2*batches*perBatch || rep.Documents != 2*batches*perBatch {
		t.Fatalf("remote: %+v %v, want %d entries and every version once", rep, err, want)
	}
}

// archivist registers batches of new documents in clone c, syncing after
// each batch.
func archivist(c string, key Signer, opts RemoteOptions, w, batches, perBatch int) error {
	for b := 0; b < batches; b++ {
		l, err := Open(c)
		if err != nil {
			return err
		}
		a, err := l.Append(key, AppendOptions{})
		if err != nil {
			l.Close()
			return err
		}
		for i := 0; i < perBatch; i++ {
			id := fmt.Sprintf("w%d-b%d-%d", w, b, i)
			if _, err := a.Add(NewDocument{ID: id, Content: []byte(id)}); err != nil {
				return err
			}
		}
		err = a.Flush()
		a.Close()
		l.Close()
		if err != nil {
			return err
		}
		for try := 0; ; try++ {
			_, err := Sync(c, key, SyncOptions{RemoteOptions: opts, Attempts: 3})
			if err == nil {
				break
			}
			if !errors.Is(err, ErrRemoteMoved) || try > 20 {
				return fmt.Errorf("archivist %d batch %d: %w", w, b, err)
			}
		}
	}
	return nil
}

// TestSyncKeepsDocumentV2Fields: sync re-signs unpublished document/v2
// entries with everything they record: a hash-only version (whose bytes
// this clone never had) keeps its digests and text identity, a version
// registered without a sketch stays without one, and a translation links
// to its original where the original now is (moved itself, or published).
func TestSyncKeepsDocumentV2Fields(t *testing.T) {
	root, alice := testKey(t, keys.ECDSAP256), testKey(t, keys.Ed25519)
	base := t.TempDir()
	originLedger(t, base)
	url := "file://" + filepath.Join(base, "origin.git")
	c1, c2 := filepath.Join(t.TempDir(), "c1"), filepath.Join(t.TempDir(), "c2")
	opts := RemoteOptions{Trust: root.Public().Fingerprint()}
	for _, c := range []string{c1, c2} {
		if _, err := Clone(url, c, opts); err != nil {
			t.Fatal(err)
		}
	}
	registerOne(t, c1, root, "published", "a published letter\n")
	if _, err := Push(c1, opts); err != nil {
		t.Fatal(err)
	}
	if _, err := Pull(c2, opts); err != nil {
		t.Fatal(err)
	}
	registerOne(t, c1, root, "other", "pushed meanwhile by another clone\n")
	if _, err := Push(c1, opts); err != nil {
		t.Fatal(err)
	}
	l, err := Open(c2)
	if err != nil {
		t.Fatal(err)
	}
	published, err := l.Lookup("published", 1)
	if err != nil {
		t.Fatal(err)
	}
	withAppender(t, l, alice, nil, func(a *Appender) error {
		if _, err := a.Add(NewDocument{ID: "withheld", Content: []byte("bytes that stay with the archive\n"), HashOnly: true}); err != nil {
			return err
		}
		if _, err := a.Add(NewDocument{ID: "plain", Content: []byte("no sketch for this one\n"), NoSketch: true}); err != nil {
			return err
		}
		r, err := a.Add(NewDocument{ID: "letter", Content: []byte("a new letter\n")})
		if err != nil {
			return err
		}
		if _, err := a.Add(NewDocument{ID: "letter-fr", Content: []byte("une nouvelle lettre\n"), Language: "fr", TranslationOf: r.Version}); err != nil {
			return err
		}
		_, err = a.Add(NewDocument{ID: "published-fr", Content: []byte("une lettre publiée\n"), Language: "fr", TranslationOf: published})
		return err
	})
	before := map[string]*records.Document{}
	for _, id := range []string{"withheld", "plain", "letter-fr", "published-fr"} {
		before[id] = docStatement(t, l, id).Predicate.Document
	}
	l.Close()
	res, err := Sync(c2, alice, SyncOptions{RemoteOptions: opts})
	if err != nil || res.Resigned != 5 {
		t.Fatalf("sync: %+v, %v", res, err)
	}
	rep, err := Verify(c2, VerifyOptions{Trust: root.Public().Fingerprint()})
	if err != nil || rep.HashOnly != 1 || rep.Entries != 9 {
		t.Fatalf("verify after sync: %+v, %v", rep, err)
	}
	l2, err := Open(c2)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	letter, err := l2.Lookup("letter", 1)
	if err != nil {
		t.Fatal(err)
	}
	wantLink := map[string]*Version{"letter-fr": letter, "published-fr": published}
	for id, was := range before {
		d := docStatement(t, l2, id).Predicate.Document
		if d.HashOnly != was.HashOnly || !reflect.DeepEqual(d.Text, was.Text) || d.Size != was.Size {
			t.Errorf("%s after sync: hashOnly %v text %+v size %d; before: %v %+v %d", id, d.HashOnly, d.Text, d.Size, was.HashOnly, was.Text, was.Size)
		}
		if o := wantLink[id]; o != nil {
			tr := d.Relations.TranslationOf
			if tr == nil || tr.ID != o.Doc || tr.Version != o.Version || tr.Entry != o.Entry || tr.SHA256 != o.SHA256 {
				t.Errorf("%s after sync: translation of %+v, want %s@%d entry %d", id, tr, o.Doc, o.Version, o.Entry)
			}
		}
	}
}

// docStatement is the signed statement of id's version 1.
func docStatement(t *testing.T, l *Ledger, id string) *records.Statement {
	t.Helper()
	v, err := l.Lookup(id, 1)
	if err != nil {
		t.Fatal(err)
	}
	st, err := l.Statement(v.Entry)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
