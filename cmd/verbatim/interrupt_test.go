//go:build unix

package main_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestRegisterInterrupt sends SIGINT to a bulk register once its first batch
// is printed: register commits what it has signed, says how far it got and
// exits 1; the ledger verifies; running the same command again registers
// the rest.
func TestRegisterInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("registers 3,000 files")
	}
	dir := t.TempDir()
	run := func(args ...string) (string, string, error) {
		cmd := exec.Command(filepath.Join(binDir, "verbatim"), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "VERBATIM_PASSWORD=test-password", "VERBATIM_LEDGER=letters")
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		return out.String(), errOut.String(), err
	}
	if _, stderr, err := run("keys", "generate", "--output", "k"); err != nil {
		t.Fatalf("keys generate: %v\n%s", err, stderr)
	}
	if _, stderr, err := run("init", "--name", "example.org/interrupt", "--key", "k.key"); err != nil {
		t.Fatalf("init: %v\n%s", err, stderr)
	}
	const total = 3000
	args := []string{"register", "--key", "k.key"}
	for i := range total {
		name := fmt.Sprintf("f%04d.txt", i)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, name)
	}

	cmd := exec.Command(filepath.Join(binDir, "verbatim"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "VERBATIM_PASSWORD=test-password", "VERBATIM_LEDGER=letters")
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The first line comes when the first batch is committed, long before
	// the last: results are printed as batches commit.
	registered := 0
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "registered ") {
			if registered == 0 {
				if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
					t.Fatal(err)
				}
			}
			registered++
		}
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("interrupted register: %v, want exit status 1\nstderr:\n%s", err, errOut.String())
	}
	m := regexp.MustCompile(`(?m)^verbatim: interrupted: ([0-9,]+) of 3,000 registered; re-run the same command to register the rest$`).FindStringSubmatch(errOut.String())
	if m == nil {
		t.Fatalf("interrupted register said\n%s\nwant the interrupted summary", errOut.String())
	}
	done, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
	if done != registered || done == 0 || done >= total {
		t.Fatalf("summary says %d registered, stdout listed %d; want the same number, between 1 and %d", done, registered, total-1)
	}

	out, stderr, err := run("verify")
	if want := fmt.Sprintf(": OK, %d entries", done+1); err != nil || !strings.Contains(out, want) {
		t.Fatalf("verify after the interrupt: %v\n%s%s\nwant %q", err, out, stderr, want)
	}
	out, stderr, err = run(args...)
	if want := fmt.Sprintf("%d added, %d unchanged; ", total-done, done); err != nil || !strings.Contains(out, want) {
		t.Fatalf("register again: %v\n%s\nwant %q", err, stderr, want)
	}
}
