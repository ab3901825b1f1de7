//go:build unix

package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/verbatim-ledger/verbatim/records"
)

// findCosign returns a cosign binary on PATH or in $(go env GOPATH)/bin, or "".
func findCosign() string {
	if p, err := exec.LookPath("cosign"); err == nil {
		return p
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err != nil {
		return ""
	}
	p := filepath.Join(strings.TrimSpace(string(out)), "bin", "cosign")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// TestCosignVerifiesEnvelopes checks, with stock cosign when it is
// installed, that a document entry's envelope is a cosign attestation of the
// document (FORMAT.md §3.1), for both key algorithms, and that keys made by
// cosign work in verbatim.
func TestCosignVerifiesEnvelopes(t *testing.T) {
	cosign := findCosign()
	if cosign == "" {
		t.Skip("cosign is not installed (go install github.com/sigstore/cosign/v2/cmd/cosign@latest)")
	}
	work := t.TempDir()
	letter, err := os.ReadFile("../../examples/prisoners-letter-2016.txt")
	if err != nil {
		t.Fatal(err)
	}
	doc := filepath.Join(work, "letter.txt")
	other := filepath.Join(work, "other.txt")
	os.WriteFile(doc, letter, 0o644)
	os.WriteFile(other, append(letter, '\n'), 0o644)
	env := append(os.Environ(), "VERBATIM_PASSWORD=pw", "COSIGN_PASSWORD=pw", "VERBATIM_LEDGER=", "HOME="+work)
	run := func(name string, args ...string) (string, error) {
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = work, env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	verbatim := filepath.Join(binDir, "verbatim")
	if out, err := run(cosign, "generate-key-pair", "--output-key-prefix", "cosign"); err != nil {
		t.Fatalf("cosign generate-key-pair: %v\n%s", err, out)
	}
	if out, err := run(verbatim, "keys", "generate", "--output", "ed", "--algorithm", "ed25519"); err != nil {
		t.Fatalf("keys generate: %v\n%s", err, out)
	}
	for _, key := range []string{"cosign", "ed"} {
		ledger := "ledger-" + key
		for _, args := range [][]string{
			{"init", "--ledger", ledger, "--name", "example.org/" + key, "--key", key + ".key"},
			{"register", "--ledger", ledger, "--key", key + ".key", "letter.txt"},
		} {
			if out, err := run(verbatim, args...); err != nil {
				t.Fatalf("verbatim %v: %v\n%s", args, err, out)
			}
		}
		out, err := run(verbatim, "show", "--ledger", ledger, "letter", "--envelope")
		if err != nil {
			t.Fatalf("show --envelope: %v\n%s", err, out)
		}
		os.WriteFile(filepath.Join(work, key+".dsse.json"), []byte(out), 0o644)
		verify := func(file string) (string, error) {
			return run(cosign, "verify-blob-attestation", "--key", key+".pub", "--signature", key+".dsse.json",
				"--type", records.DocumentType, "--insecure-ignore-tlog=true", file)
		}
		if out, err := verify("letter.txt"); err != nil {
			t.Errorf("%s: cosign does not verify the envelope for the registered bytes: %v\n%s", key, err, out)
		}
		if out, err := verify("other.txt"); err == nil {
			t.Errorf("%s: cosign verified the envelope for other bytes:\n%s", key, out)
		}
	}
}
