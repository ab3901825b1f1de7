package ledger

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/verbatim-ledger/verbatim/keys"
)

// TestSyncKilled kills a sync at each of its named steps (after the fetch,
// after the re-signed entries are built, after the local branch moved, as
// the push starts, after it) and runs it again: the second run completes,
// and the remote holds every version once. The child kills itself at the
// step (testHookRemote), so where it dies does not depend on timing.
func TestSyncKilled(t *testing.T) {
	if os.Getenv("VERBATIM_SYNC_CHILD") != "" {
		t.Skip("child process")
	}
	requireGit(t)
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	root := testKey(t, keys.ECDSAP256)
	privPEM, _, err := keys.Generate(keys.Ed25519, []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	bob, err := keys.ParsePrivateKey(privPEM, []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "bob.key")
	if err := os.WriteFile(keyFile, privPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"fetched", "rebuilt", "local-moved", "push", "pushed"} {
		t.Run(step, func(t *testing.T) {
			base := t.TempDir()
			origin := originLedger(t, base)
			l, err := Open(origin)
			if err != nil {
				t.Fatal(err)
			}
			withAppender(t, l, root, nil, func(a *Appender) error { return a.AddKey(bob.Public(), "bob") })
			l.Close()
			url := "file://" + origin
			opts := RemoteOptions{Trust: root.Public().Fingerprint()}
			c1, c2 := filepath.Join(t.TempDir(), "c1"), filepath.Join(t.TempDir(), "c2")
			for _, c := range []string{c1, c2} {
				if _, err := Clone(url, c, opts); err != nil {
					t.Fatal(err)
				}
			}
			registerOne(t, c1, root, "by-root", "one")
			if _, err := Push(c1, opts); err != nil {
				t.Fatal(err)
			}
			registerOne(t, c2, bob, "by-bob", "two")
			registerOne(t, c2, bob, "by-bob", "two, corrected")
			cmd := exec.Command(os.Args[0], "-test.run=^TestSyncKilledChild$")
			cmd.Env = append(os.Environ(), "VERBATIM_SYNC_CHILD="+c2, "VERBATIM_SYNC_KEY="+keyFile, "VERBATIM_SYNC_AT="+step,
				"VERBATIM_SYNC_TRUST="+string(root.Public().Fingerprint()))
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("the child was not killed at %s: %v\n%s", step, err, out)
			}
			if _, err := Verify(c2, VerifyOptions{Trust: root.Public().Fingerprint()}); err != nil {
				t.Fatalf("after the kill the clone does not verify: %v", err)
			}
			if _, err := Sync(c2, bob, SyncOptions{RemoteOptions: opts}); err != nil {
				t.Fatalf("sync after the kill: %v", err)
			}
			rep, err := Verify(origin, VerifyOptions{Trust: root.Public().Fingerprint()})
			if err != nil || rep.Entries != 6 || rep.Versions != 3 {
				t.Fatalf("remote after the re-run: %+v, %v; want 6 entries, 3 versions (every version once)", rep, err)
			}
			if headOf(t, c2) != headOf(t, origin) {
				t.Fatal("the clone is not at the remote's head")
			}
			lo, err := Open(origin)
			if err != nil {
				t.Fatal(err)
			}
			defer lo.Close()
			vs, err := lo.History("by-bob")
			if err != nil || len(vs) != 2 {
				t.Fatalf("by-bob has %d versions, %v; want 2", len(vs), err)
			}
		})
	}
}

// TestSyncKilledChild is the process TestSyncKilled kills.
func TestSyncKilledChild(t *testing.T) {
	dir := os.Getenv("VERBATIM_SYNC_CHILD")
	if dir == "" {
		t.Skip("run by TestSyncKilled")
	}
	pem, err := os.ReadFile(os.Getenv("VERBATIM_SYNC_KEY"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := keys.ParsePrivateKey(pem, []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	at := os.Getenv("VERBATIM_SYNC_AT")
	testHookRemote = func(step string) {
		if step == at {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
	}
	_, err = Sync(dir, key, SyncOptions{RemoteOptions: RemoteOptions{Trust: keys.Fingerprint(os.Getenv("VERBATIM_SYNC_TRUST"))}})
	t.Fatalf("the sync finished (%v) without reaching step %s", err, at)
}
