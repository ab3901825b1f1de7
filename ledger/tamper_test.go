package ledger

// Tamper tests: they alter a ledger behind verbatim's back with git itself
// (the git binary: amend, filter-branch, push, repack, update-ref, and plain
// file edits of the object store) and check that Verify fails and says what
// is wrong. Each case works on its own copy of a ledger built once per test:
// a clone with a working tree is changed, committed and force-pushed back
// into the bare ledger.
//
// Two ways of amending are used. A plain amend (`git commit -a --amend
// --no-edit` as user x) leaves a non-canonical committer, which Verify
// reports for the tip entry unless a check made before the commit's (its
// tree, its envelope's form) fails first. A forged amend sets the
// committer to the canonical identity and time, so the commit is exactly the
// canonical commit of its (altered) tree: only the content checks can catch
// it. The control cases show that a forged amend and a no-op filter-branch
// reproduce the original commits byte for byte.

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/records"
)

// tamperFixture is a pristine ledger (sampleDocs: genesis and four document
// entries) that each case copies.
type tamperFixture struct {
	base string           // the pristine bare ledger
	root keys.Fingerprint // its root key
	tip  uint64           // its newest entry
}

func newTamperFixture(t *testing.T) *tamperFixture {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	if _, err := exec.LookPath("cp"); err != nil {
		t.Skip("cp is not installed")
	}
	base := filepath.Join(t.TempDir(), "pristine")
	buildLedger(t, base, sampleDocs).Close()
	return &tamperFixture{base: base, root: testKey(t, keys.ECDSAP256).Public().Fingerprint(), tip: uint64(len(sampleDocs))}
}

// copy returns a fresh copy of the pristine ledger.
func (fx *tamperFixture) copy(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ledger")
	if out, err := exec.Command("cp", "-a", fx.base, dir).CombinedOutput(); err != nil {
		t.Fatalf("cp -a: %v\n%s", err, out)
	}
	return dir
}

// tamperGitEnv is the environment of every git command: the test's own without
// any GIT_ variable, and no user or system configuration.
func tamperGitEnv(extra []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") {
			env = append(env, kv)
		}
	}
	env = append(env, "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	return append(env, extra...)
}

// tamperGit runs git in dir with extra environment variables and returns its
// standard output.
func tamperGit(t testing.TB, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=x", "-c", "user.email=x@y"}, args...)...)
	cmd.Dir = dir
	cmd.Env = tamperGitEnv(env)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return string(out)
}

// tamperGitLine is tamperGit for a command that prints one line.
func tamperGitLine(t testing.TB, dir string, args ...string) string {
	t.Helper()
	return strings.TrimSpace(tamperGit(t, dir, nil, args...))
}

// tamperClone makes a clone of the ledger dir with a working tree.
func tamperClone(t *testing.T, dir string) string {
	t.Helper()
	work := filepath.Join(t.TempDir(), "work")
	tamperGit(t, filepath.Dir(work), nil, "clone", "-q", dir, work)
	return work
}

// tamperPush force-pushes the clone's HEAD back into the ledger's main branch.
func tamperPush(t *testing.T, work string) {
	t.Helper()
	tamperGit(t, work, nil, "push", "-q", "-f", "origin", "HEAD:main")
}

// tamperAmend commits every change in the working tree into the tip commit. A
// forged amend keeps the commit canonical: committer = author (the ledger's
// identity and the entry's time). msg, if not empty, replaces the message.
func tamperAmend(t *testing.T, work string, forge bool, msg string) {
	t.Helper()
	tamperGit(t, work, nil, "add", "-A")
	args := []string{"commit", "-q", "-a", "--amend", "--allow-empty"}
	if msg == "" {
		args = append(args, "--no-edit")
	} else {
		f := filepath.Join(t.TempDir(), "message")
		tamperWrite(t, f, []byte(msg))
		args = append(args, "--cleanup=verbatim", "-F", f)
	}
	var env []string
	if forge {
		env = []string{"GIT_COMMITTER_NAME=" + commitName, "GIT_COMMITTER_EMAIL=" + commitEmail, "GIT_COMMITTER_DATE=@" + tamperGitLine(t, work, "log", "-1", "--format=%ad", "--date=raw")}
	}
	tamperGit(t, work, env, args...)
}

// tamperFilterBranch rewrites the clone's main branch with git filter-branch.
func tamperFilterBranch(t *testing.T, work string, args ...string) {
	t.Helper()
	args = append(append([]string{"filter-branch", "-f"}, args...), "--", "main")
	tamperGit(t, work, []string{"FILTER_BRANCH_SQUELCH_WARNING=1"}, args...)
}

// commitOf is the original hash of the commit holding entry n.
func (fx *tamperFixture) commitOf(t *testing.T, work string, n uint64) string {
	t.Helper()
	return tamperGitLine(t, work, "rev-parse", fmt.Sprintf("HEAD~%d", fx.tip-n))
}

// onCommit is a shell condition true while filter-branch handles commit c.
func onCommit(c string) string { return `[ "$GIT_COMMIT" = ` + c + ` ]` }

// shq quotes s for the shell.
func shq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// entryDirOf is the path of entry n's directory in the tree.
func entryDirOf(n uint64) string { return pathOf(n).String() }

// entryOfPath returns the entry a file of the tree belongs to; the
// checkpoint belongs to the newest entry.
func (fx *tamperFixture) entryOfPath(t testing.TB, name string) uint64 {
	if name == checkpointFile {
		return fx.tip
	}
	n, ok := parseEntryName(path.Base(path.Dir(name)))
	if !ok {
		t.Fatalf("%s is not in an entry directory", name)
	}
	return n
}

func tamperWrite(t testing.TB, name string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func tamperRead(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// alterOneByte returns data, the content of the ledger file name, with
// exactly one byte changed (or, for an empty document, one byte added), in a
// way that keeps the file well-formed so the check that matters is reached:
// a document's middle byte; a letter of an envelope's signed statement (the
// title of a document entry, the Merkle root of the genesis), keeping the
// base64 payload and the JSON canonical; a character of a checkpoint's root
// hash.
func alterOneByte(t testing.TB, name string, data []byte) []byte {
	t.Helper()
	switch path.Base(name) {
	case documentFile:
		if len(data) == 0 {
			return []byte("x")
		}
		out := bytes.Clone(data)
		out[len(out)/2] ^= 0x01
		return out
	case envelopeFile:
		return alterStatement(t, data)
	case checkpointFile:
		return alterCheckpointLine(t, data, 2, 0)
	case hashesFile:
		out := bytes.Clone(data)
		out[len(out)-1] ^= 0x01 // the highest node: the leaf for an even entry
		return out
	}
	t.Fatalf("no way to alter %s", name)
	return nil
}

// alterStatement changes one letter or digit of an envelope's statement. A
// base64 character encodes the low six bits of every third byte alone, and a
// letter or digit changed to another of its kind keeps its top two bits, so
// exactly one byte of the envelope changes.
func alterStatement(t testing.TB, env []byte) []byte {
	t.Helper()
	var e records.Envelope
	if err := json.Unmarshal(env, &e); err != nil {
		t.Fatal(err)
	}
	payload, err := base64.StdEncoding.DecodeString(e.Payload)
	if err != nil {
		t.Fatal(err)
	}
	key := []byte(`"title":"`)
	if !bytes.Contains(payload, key) {
		key = []byte(`"merkleRoot":"`)
	}
	i := bytes.Index(payload, key)
	if i < 0 {
		t.Fatalf("statement %s has neither a title nor a Merkle root", payload)
	}
	for i += len(key); ; i++ {
		c := payload[i]
		if c == '"' {
			t.Fatalf("no letter to alter in %s", payload)
		}
		if i%3 == 2 && (c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			break
		}
	}
	altered := bytes.Clone(payload)
	switch c := altered[i]; {
	case c >= '0' && c <= '9':
		altered[i] = '0' + (c-'0'+1)%10
	case c == 'a':
		altered[i] = 'b'
	default:
		altered[i] = 'a'
	}
	out := bytes.Replace(env, []byte(e.Payload), []byte(base64.StdEncoding.EncodeToString(altered)), 1)
	if d := bytesDiffer(env, out); d != 1 {
		t.Fatalf("altering the statement changed %d bytes of the envelope, want 1", d)
	}
	if _, err := records.ParseEnvelope(out); err != nil {
		t.Fatalf("the altered envelope does not parse: %v", err)
	}
	return out
}

// alterCheckpointLine changes one base64 character of line number line of a
// checkpoint, at index i (negative: from the end of the line).
func alterCheckpointLine(t testing.TB, cp []byte, line, i int) []byte {
	t.Helper()
	lines := bytes.Split(bytes.Clone(cp), []byte("\n"))
	l := lines[line]
	if i < 0 {
		i += len(l)
	}
	if l[i] == 'A' {
		l[i] = 'B'
	} else {
		l[i] = 'A'
	}
	out := bytes.Join(lines, []byte("\n"))
	if d := bytesDiffer(cp, out); d != 1 {
		t.Fatalf("altering the checkpoint changed %d bytes, want 1", d)
	}
	return out
}

func bytesDiffer(a, b []byte) int {
	if len(a) != len(b) {
		return -1
	}
	n := 0
	for i := range a {
		if a[i] != b[i] {
			n++
		}
	}
	return n
}

// encodeEnvelope encodes an envelope as records does.
func encodeEnvelope(t testing.TB, e *records.Envelope) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		t.Fatal(err)
	}
	out := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if _, err := records.ParseEnvelope(out); err != nil {
		t.Fatalf("the forged envelope is not valid: %v", err)
	}
	return out
}

// withSigOf returns env with the signature value of donor.
func withSigOf(t testing.TB, env, donor []byte) []byte {
	t.Helper()
	var e, d records.Envelope
	if err := json.Unmarshal(env, &e); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(donor, &d); err != nil {
		t.Fatal(err)
	}
	if e.Signatures[0].Sig == d.Signatures[0].Sig {
		t.Fatal("donor has the same signature")
	}
	e.Signatures[0].Sig = d.Signatures[0].Sig
	return encodeEnvelope(t, &e)
}

// malleated returns env with its ECDSA signature (r, s) replaced by the
// other signature of the same message that crypto/ecdsa accepts, (r, N-s):
// its bytes, and so its EntryHash and leaf hash, change, and verbatim
// refuses it as high-S (FORMAT.md §3.1).
func malleated(t testing.TB, env []byte) []byte {
	t.Helper()
	var e records.Envelope
	if err := json.Unmarshal(env, &e); err != nil {
		t.Fatal(err)
	}
	der, err := base64.StdEncoding.DecodeString(e.Signatures[0].Sig)
	if err != nil {
		t.Fatal(err)
	}
	var sig struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &sig); err != nil {
		t.Fatal(err)
	}
	sig.S = new(big.Int).Sub(elliptic.P256().Params().N, sig.S)
	if der, err = asn1.Marshal(sig); err != nil {
		t.Fatal(err)
	}
	e.Signatures[0].Sig = base64.StdEncoding.EncodeToString(der)
	out := encodeEnvelope(t, &e)
	p, err := records.ParseEnvelope(out)
	if err != nil {
		t.Fatal(err)
	}
	// crypto/ecdsa accepts the twin; verbatim accepts only the low-S
	// form, which the original is (FORMAT.md §3.1).
	digest := sha256.Sum256(records.PAE(records.PayloadType, p.Payload))
	if !ecdsa.VerifyASN1(testKey(t, keys.ECDSAP256).Public().Crypto().(*ecdsa.PublicKey), digest[:], p.Sig) {
		t.Fatalf("the malleated signature does not verify with crypto/ecdsa")
	}
	return out
}

// tamperWant is what Verify must say about a tampered ledger.
type tamperWant struct {
	entry     int      // the EntryError's entry, or -1 if it need not be an EntryError
	words     []string // words the message must contain
	notLedger bool     // ErrNotLedger rather than ErrTampered
}

func failsAt(n uint64, words ...string) tamperWant { return tamperWant{entry: int(n), words: words} }
func failsWith(words ...string) tamperWant         { return tamperWant{entry: -1, words: words} }

// openWant is what Open must do with a tampered ledger. Open (without its
// state cache, see tamperCheckOpen) reads only the newest commit's tree
// (envelopes, chain, Merkle root, newest checkpoint); it neither hashes
// documents nor looks at history, modes or extra files.
type openWant int

const (
	openAny   openWant = iota // say nothing (but it must not panic)
	openFails                 // the tampering is in what Open reads
	openWorks                 // the tampering is in what Open does not read
)

// openWorks is asserted only where the newest tree was changed in a way
// Open, by design, does not look at (document bytes, extra files, modes): if
// Open ever checks more of FORMAT.md §6 for the newest tree, those cases
// should become openFails. Where only history changed, Open is not asserted.

// tamperCase is one way of tampering with a ledger.
type tamperCase struct {
	name   string
	mutate func(t *testing.T, work string) // changes and commits in a clone, which is then pushed
	bare   func(t *testing.T, dir string)  // or changes the bare ledger directly
	want   tamperWant
	open   openWant
}

// run runs each case in parallel on its own copy of the ledger.
func (fx *tamperFixture) run(t *testing.T, cases []tamperCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := fx.copy(t)
			if tc.bare != nil {
				tc.bare(t, dir)
			} else {
				work := tamperClone(t, dir)
				tc.mutate(t, work)
				tamperPush(t, work)
			}
			fx.check(t, dir, tc.want, tc.open)
		})
	}
}

// check verifies dir, pinned to the fixture's root key, and checks the
// failure against w and the behaviour of Open against o.
func (fx *tamperFixture) check(t *testing.T, dir string, w tamperWant, o openWant) {
	t.Helper()
	_, err := tamperVerify(t, dir, VerifyOptions{Trust: fx.root})
	t.Logf("Verify: %v", err)
	if w.notLedger {
		if !errors.Is(err, ErrNotLedger) {
			t.Fatalf("Verify: %v, want ErrNotLedger", err)
		}
		for _, word := range w.words {
			if !containsFold(err.Error(), word) {
				t.Fatalf("error %q does not mention %q", err, word)
			}
		}
	} else {
		words := w.words
		if w.entry >= 0 {
			words = append([]string{fmt.Sprintf("entry %d", w.entry)}, words...)
		}
		wantTampered(t, err, words...)
		if w.entry >= 0 {
			var ee *EntryError
			if !errors.As(err, &ee) {
				t.Fatalf("error %q is not an *EntryError, want one for entry %d", err, w.entry)
			}
			if ee.Entry != uint64(w.entry) {
				t.Fatalf("error %q names entry %d, want %d", err, ee.Entry, w.entry)
			}
		}
	}
	tamperCheckOpen(t, dir, o)
}

// tamperCheckOpen checks that Open does not panic, that a failure is reported as
// tampering or as not a ledger, and that it fails or works as o says.
//
// Open keeps a state cache in the git directory (FORMAT.md §7.1), which the
// copy of the pristine ledger carries. o is checked without it, as in a
// fresh clone: then Open replays the newest tree. With the untampered
// ledger's cache, Open replays only entries after the cached ones and checks
// the newest checkpoint against the cached leaf hashes, so it does not read
// the cached entries' envelopes from the tree: that Open is only required
// not to panic and to report errors properly.
func tamperCheckOpen(t *testing.T, dir string, o openWant) {
	t.Helper()
	cache := filepath.Join(dir, filepath.FromSlash(cacheFile))
	if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
		cache = filepath.Join(dir, ".git", filepath.FromSlash(cacheFile))
	}
	saved, _ := os.ReadFile(cache)
	os.Remove(cache)
	openOnce := func(what string) error {
		l, err := tamperOpen(t, dir)
		if err == nil {
			l.Close()
		}
		t.Logf("Open (%s): %v", what, err)
		if err != nil && !errors.Is(err, ErrTampered) && !errors.Is(err, ErrNotLedger) {
			t.Errorf("Open (%s): %v wraps neither ErrTampered nor ErrNotLedger", what, err)
		}
		return err
	}
	err := openOnce("no state cache")
	switch {
	case o == openFails && err == nil:
		t.Errorf("Open succeeded on a ledger whose newest tree was tampered with in what Open reads")
	case o == openWorks && err != nil:
		t.Errorf("Open: %v; want success (Open does not read what was changed)", err)
	}
	if saved != nil {
		tamperWrite(t, cache, saved)
		if err := openOnce("the untampered ledger's state cache"); err == nil && o == openFails {
			t.Logf("note: with the untampered ledger's state cache, Open accepts this ledger")
		}
	}
}

// tamperVerify is Verify, with a panic reported as a test failure. It
// also verifies with every entry checked ahead first (verifyahead.go),
// which must fail or succeed alike.
func tamperVerify(t *testing.T, dir string, opts VerifyOptions) (rep *Report, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Verify panicked: %v\n%s", r, debug.Stack())
		}
	}()
	rep, err = Verify(dir, opts)
	if _, errAhead := verify(dir, opts, true); fmt.Sprint(errAhead) != fmt.Sprint(err) {
		t.Fatalf("Verify: %v\nwith every entry checked ahead: %v", err, errAhead)
	}
	return rep, err
}

// tamperOpen is Open, with a panic reported as a test failure.
func tamperOpen(t *testing.T, dir string) (l *Ledger, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Open panicked: %v\n%s", r, debug.Stack())
		}
	}()
	return Open(dir)
}

// tipFiles lists the files of the ledger's newest tree.
func (fx *tamperFixture) tipFiles(t *testing.T) []string {
	t.Helper()
	files := strings.Fields(tamperGit(t, fx.base, nil, "ls-tree", "-r", "--name-only", "HEAD"))
	if len(files) != 1+3*len(sampleDocs)+2 {
		t.Fatalf("the newest tree holds %d files: %q", len(files), files)
	}
	return files
}

// TestTamperControls checks the tools the other tests rely on: pushing an
// unchanged clone, a forged amend without changes and a filter-branch that
// changes nothing all leave a ledger that verifies with the same head, and a
// clone with a working tree verifies as a ledger too.
func TestTamperControls(t *testing.T) {
	fx := newTamperFixture(t)
	head := tamperGitLine(t, fx.base, "rev-parse", "HEAD")
	for _, tc := range []struct {
		name   string
		mutate func(t *testing.T, work string)
	}{
		{"push unchanged", func(t *testing.T, work string) {}},
		{"forged amend", func(t *testing.T, work string) { tamperAmend(t, work, true, "") }},
		{"forged amend with the same message", func(t *testing.T, work string) {
			tamperAmend(t, work, true, commitMessageOf(t, work, "HEAD"))
		}},
		{"filter-branch without change", func(t *testing.T, work string) {
			tamperFilterBranch(t, work, "--tree-filter", "true", "--msg-filter", "cat", "--env-filter", "true")
		}},
		{"tampered other branch", func(t *testing.T, work string) {
			// FORMAT.md §2.1: refs other than the branch HEAD names are ignored.
			tamperGit(t, work, nil, "checkout", "-q", "-b", "evil")
			tamperWrite(t, filepath.Join(work, "README"), []byte("evil\n"))
			tamperGit(t, work, nil, "add", "-A")
			tamperGit(t, work, nil, "commit", "-q", "-m", "evil")
			tamperGit(t, work, nil, "push", "-q", "origin", "evil", "evil:refs/tags/evil")
			tamperGit(t, work, nil, "checkout", "-q", "main")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := fx.copy(t)
			work := tamperClone(t, dir)
			if _, err := Verify(work, VerifyOptions{Trust: fx.root}); err != nil {
				t.Fatalf("Verify(clone with a working tree): %v", err)
			}
			tc.mutate(t, work)
			tamperPush(t, work)
			rep := checkLedger(t, dir, fx.tip+1)
			if rep.Head != head {
				t.Fatalf("head moved from %s to %s", head, rep.Head)
			}
		})
	}
}

// commitMessageOf returns the message of a commit exactly.
func commitMessageOf(t *testing.T, work, commit string) string {
	t.Helper()
	raw := tamperGit(t, work, nil, "cat-file", "commit", commit)
	i := strings.Index(raw, "\n\n")
	if i < 0 {
		t.Fatalf("commit %s has no message", commit)
	}
	return raw[i+2:]
}

// TestTamperTipFiles changes one byte of every file in the newest tree and
// amends the newest commit, plainly and forged.
func TestTamperTipFiles(t *testing.T) {
	fx := newTamperFixture(t)
	var cases []tamperCase
	for _, name := range fx.tipFiles(t) {
		n := fx.entryOfPath(t, name)
		open := openFails // a changed envelope breaks the chain or the Merkle root; a changed checkpoint its signature
		if b := path.Base(name); b == documentFile || b == hashesFile {
			open = openWorks // Open reads neither documents nor the stored Merkle hashes
		}
		mutate := func(forge bool) func(t *testing.T, work string) {
			return func(t *testing.T, work string) {
				f := filepath.Join(work, filepath.FromSlash(name))
				tamperWrite(t, f, alterOneByte(t, name, tamperRead(t, f)))
				tamperAmend(t, work, forge, "")
			}
		}
		var plain, forged tamperWant
		switch {
		case n < fx.tip:
			// The newest tree is checked entry by entry: entry n's files
			// there differ from those its own commit added.
			plain = failsAt(n, pathOf(n).String(), "a later commit changed this entry", "must never change")
			forged = plain
		case name == checkpointFile:
			plain = failsAt(n, "not the canonical commit")
			forged = failsAt(n, "checkpoint signature does not verify", "altered")
		case path.Base(name) == documentFile:
			plain = failsAt(n, "not the canonical commit")
			forged = failsAt(n, "empty version 1", "document was altered")
		case path.Base(name) == hashesFile:
			plain = failsAt(n, "not the canonical commit")
			forged = failsAt(n, "does not hold the entry's Merkle tree hashes")
		default:
			plain = failsAt(n, "not the canonical commit")
			forged = failsAt(n, "envelope signature does not verify")
		}
		cases = append(cases,
			tamperCase{name: "amend/" + name, mutate: mutate(false), want: plain, open: open},
			tamperCase{name: "forged/" + name, mutate: mutate(true), want: forged, open: open})
	}
	fx.run(t, cases)
}

// TestTamperHistoryFiles changes one byte of each file of each earlier
// entry in every commit that holds it, rewriting the commit that added it
// and replaying the later ones on top.
func TestTamperHistoryFiles(t *testing.T) {
	fx := newTamperFixture(t)
	var cases []tamperCase
	for _, name := range fx.tipFiles(t) {
		if name == checkpointFile {
			continue
		}
		n := fx.entryOfPath(t, name)
		if n == fx.tip {
			continue
		}
		w, open := failsAt(n, "envelope signature does not verify"), openFails
		switch {
		case path.Base(name) == documentFile:
			w, open = failsAt(n, "document was altered"), openWorks
		case path.Base(name) == hashesFile:
			w, open = failsAt(n, "does not hold the entry's Merkle tree hashes"), openWorks
		case n == 0:
			w = failsAt(n, "genesis records Merkle root")
		}
		cases = append(cases, tamperCase{
			name: name,
			mutate: func(t *testing.T, work string) {
				f := filepath.Join(work, filepath.FromSlash(name))
				altered := filepath.Join(t.TempDir(), "altered")
				tamperWrite(t, altered, alterOneByte(t, name, tamperRead(t, f)))
				tamperFilterBranch(t, work, "--tree-filter", fmt.Sprintf("if [ -f %s ]; then cat %s > %s; fi", shq(name), shq(altered), shq(name)))
			},
			want: w, open: open,
		})
	}
	fx.run(t, cases)
}

// TestTamperCheckpoints changes the checkpoint of one earlier commit only,
// and replaces or extends the newest one.
func TestTamperCheckpoints(t *testing.T) {
	fx := newTamperFixture(t)
	var cases []tamperCase
	for _, n := range []uint64{0, 2, fx.tip - 1} {
		alter := func(line, i int) func(t *testing.T, work string) {
			return func(t *testing.T, work string) {
				c := fx.commitOf(t, work, n)
				altered := filepath.Join(t.TempDir(), "checkpoint")
				tamperWrite(t, altered, alterCheckpointLine(t, []byte(tamperGit(t, work, nil, "show", c+":checkpoint")), line, i))
				tamperFilterBranch(t, work, "--tree-filter", fmt.Sprintf("if %s; then cat %s > checkpoint; fi", onCommit(c), shq(altered)))
			}
		}
		cases = append(cases,
			// Its tree root: the checkpoint no longer matches its entries.
			tamperCase{name: fmt.Sprintf("root of checkpoint %d", n), mutate: alter(2, 0),
				want: failsAt(n, "checkpoint (size", "does not match the ledger after this entry"), open: openAny},
			// Its signature: only the next entry's previousCheckpoint hash
			// covers it.
			tamperCase{name: fmt.Sprintf("signature of checkpoint %d", n), mutate: alter(5, -10),
				want: failsAt(n+1, "previous-checkpoint hash", "checkpoint was altered"), open: openAny},
			// Its entries/ tree ID, to another well-formed one.
			tamperCase{name: fmt.Sprintf("entries tree of checkpoint %d", n), mutate: func(t *testing.T, work string) {
				c := fx.commitOf(t, work, n)
				cp := tamperGit(t, work, nil, "show", c+":checkpoint")
				i := strings.Index(cp, "\nentries ") + len("\nentries ")
				altered := filepath.Join(t.TempDir(), "checkpoint")
				tamperWrite(t, altered, []byte(cp[:i]+string("10"[cp[i]&1])+cp[i+1:]))
				tamperFilterBranch(t, work, "--tree-filter", fmt.Sprintf("if %s; then cat %s > checkpoint; fi", onCommit(c), shq(altered)))
			}, want: failsAt(n, "checkpoint names entries tree"), open: openAny})
	}
	cases = append(cases,
		// A checkpoint the root key did sign, for a smaller tree.
		tamperCase{name: "newest checkpoint replaced by an older one", mutate: func(t *testing.T, work string) {
			tamperWrite(t, filepath.Join(work, checkpointFile), []byte(tamperGit(t, work, nil, "show", "HEAD~1:checkpoint")))
			tamperAmend(t, work, true, "")
		}, want: failsAt(fx.tip, "checkpoint (size 4", "after this entry (size 5"), open: openFails},
		tamperCase{name: "newest checkpoint with a second signature", mutate: func(t *testing.T, work string) {
			f := filepath.Join(work, checkpointFile)
			tamperWrite(t, f, append(tamperRead(t, f), "— witness.example.org AAAAAAAAAAAA\n"...))
			tamperAmend(t, work, true, "")
		}, want: failsAt(fx.tip, "checkpoint has 2 signatures, want 1"), open: openFails},
		tamperCase{name: "older checkpoint with a second signature", mutate: func(t *testing.T, work string) {
			c := fx.commitOf(t, work, 2)
			altered := filepath.Join(t.TempDir(), "checkpoint")
			tamperWrite(t, altered, append([]byte(tamperGit(t, work, nil, "show", c+":checkpoint")), "— witness.example.org AAAAAAAAAAAA\n"...))
			tamperFilterBranch(t, work, "--tree-filter", fmt.Sprintf("if %s; then cat %s > checkpoint; fi", onCommit(c), shq(altered)))
		}, want: failsAt(2, "checkpoint has 2 signatures, want 1"), open: openAny},
	)
	fx.run(t, cases)
}

// TestTamperDeleteFiles removes files, in the newest commit and in history.
func TestTamperDeleteFiles(t *testing.T) {
	fx := newTamperFixture(t)
	tip := fx.tip
	tipDir, dir1, dir2 := entryDirOf(tip), entryDirOf(1), entryDirOf(2)
	rmAtTip := func(paths ...string) func(t *testing.T, work string) {
		return func(t *testing.T, work string) {
			tamperGit(t, work, nil, append([]string{"rm", "-q", "-r"}, paths...)...)
			tamperAmend(t, work, true, "")
		}
	}
	rmInHistory := func(p string, from uint64, only bool) func(t *testing.T, work string) {
		return func(t *testing.T, work string) {
			script := "rm -rf " + shq(p)
			if only {
				script = fmt.Sprintf("if %s; then %s; fi", onCommit(fx.commitOf(t, work, from)), script)
			}
			tamperFilterBranch(t, work, "--tree-filter", script)
		}
	}
	fx.run(t, []tamperCase{
		// At the tip.
		{name: "tip/newest document", mutate: rmAtTip(tipDir + "/document"),
			want: failsAt(tip, "document's bytes", tipDir+"/document", "missing"), open: openWorks},
		{name: "tip/newest envelope", mutate: rmAtTip(tipDir + "/envelope.json"),
			want: failsAt(tip, tipDir+"/envelope.json is missing"), open: openFails},
		{name: "tip/newest entry directory", mutate: rmAtTip(tipDir),
			want: failsAt(tip, tipDir, "missing from the newest commit"), open: openFails},
		{name: "tip/checkpoint", mutate: rmAtTip("checkpoint"),
			want: failsAt(tip, "top level holds entries", "allows only checkpoint"), open: openFails},
		{name: "tip/earlier document", mutate: rmAtTip(dir1 + "/document"),
			want: failsAt(1, dir1, "a later commit changed"), open: openWorks},
		{name: "tip/earlier envelope", mutate: rmAtTip(dir2 + "/envelope.json"),
			want: failsAt(2, dir2, "a later commit changed"), open: openFails},
		{name: "tip/earlier entry directory", mutate: rmAtTip(dir2),
			want: failsAt(2, dir2, "missing from the newest commit"), open: openFails},
		// In history.
		{name: "history/document everywhere", mutate: rmInHistory(dir1+"/document", 1, false),
			want: failsAt(1, "document's bytes", "missing"), open: openWorks},
		{name: "history/envelope everywhere", mutate: rmInHistory(dir2+"/envelope.json", 2, false),
			want: failsAt(2, dir2+"/envelope.json is missing"), open: openFails},
		{name: "history/checkpoint of one commit", mutate: rmInHistory("checkpoint", 2, true),
			want: failsAt(2, "top level holds entries", "allows only checkpoint"), open: openAny},
		{name: "history/earlier document in one later commit", mutate: rmInHistory(dir1+"/document", 3, true),
			want: failsAt(3, dir1, "was modified", "files of earlier entries must never change"), open: openAny},
		{name: "history/genesis envelope everywhere", mutate: rmInHistory(entryDirOf(0)+"/envelope.json", 0, false),
			want: failsAt(0, "0000000000/envelope.json is missing"), open: openFails},
	})
}

// TestTamperAddFiles adds files and changes modes.
func TestTamperAddFiles(t *testing.T) {
	fx := newTamperFixture(t)
	tip := fx.tip
	tipDir, dir1, dir2 := entryDirOf(tip), entryDirOf(1), entryDirOf(2)
	addAtTip := func(name string) func(t *testing.T, work string) {
		return func(t *testing.T, work string) {
			tamperWrite(t, filepath.Join(work, filepath.FromSlash(name)), []byte("added\n"))
			tamperAmend(t, work, true, "")
		}
	}
	addInHistory := func(name string, from uint64, only bool) func(t *testing.T, work string) {
		return func(t *testing.T, work string) {
			c := fx.commitOf(t, work, from)
			script := fmt.Sprintf("mkdir -p %s && echo added > %s", shq(path.Dir(name)), shq(name))
			if only {
				script = fmt.Sprintf("if %s; then %s; fi", onCommit(c), script)
			} else {
				// every commit from the one that adds the entry on
				script = fmt.Sprintf("if [ -d %s ]; then %s; fi", shq(path.Dir(name)), script)
			}
			tamperFilterBranch(t, work, "--tree-filter", script)
		}
	}
	chmodAtTip := func(name string) func(t *testing.T, work string) {
		return func(t *testing.T, work string) {
			if err := os.Chmod(filepath.Join(work, filepath.FromSlash(name)), 0o755); err != nil {
				t.Fatal(err)
			}
			tamperAmend(t, work, true, "")
		}
	}
	fx.run(t, []tamperCase{
		{name: "tip/top level", mutate: addAtTip("README"),
			want: failsAt(tip, "top level holds README (100644), checkpoint", "allows only"), open: openWorks},
		{name: "tip/in entries", mutate: addAtTip("entries/extra"),
			want: failsAt(tip, "entries/extra was added", "only its own entry"), open: openWorks},
		{name: "tip/in a shard directory", mutate: addAtTip("entries/0000/00/00/notes"),
			want: failsAt(tip, "entries/0000/00/00/notes was added"), open: openWorks},
		{name: "tip/a future entry", mutate: func(t *testing.T, work string) {
			env := tamperRead(t, filepath.Join(work, filepath.FromSlash(tipDir), envelopeFile))
			tamperWrite(t, filepath.Join(work, filepath.FromSlash(entryDirOf(tip+1)), envelopeFile), env)
			tamperAmend(t, work, true, "")
		}, want: failsAt(tip, entryDirOf(tip+1)+" was added"), open: openFails},
		{name: "tip/in the newest entry's directory", mutate: addAtTip(tipDir + "/extra"),
			want: failsAt(tip, "unexpected file "+tipDir+"/extra (mode 100644)"), open: openWorks},
		{name: "tip/in an earlier entry's directory", mutate: addAtTip(dir1 + "/extra"),
			want: failsAt(1, dir1, "a later commit changed"), open: openWorks},
		{name: "history/top level of one commit", mutate: addInHistory("README", 2, true),
			want: failsAt(2, "top level holds README"), open: openAny},
		{name: "history/in an entry's directory", mutate: addInHistory(dir2+"/extra", 2, false),
			want: failsAt(2, "unexpected file "+dir2+"/extra"), open: openWorks},
		{name: "history/in entries in one commit", mutate: addInHistory("entries/extra", 3, true),
			want: failsAt(3, "entries/extra was added"), open: openAny},
		// Modes.
		{name: "mode/newest document executable", mutate: chmodAtTip(tipDir + "/document"),
			want: failsAt(tip, "unexpected file "+tipDir+"/document (mode 100755)"), open: openWorks},
		{name: "mode/newest envelope executable", mutate: chmodAtTip(tipDir + "/envelope.json"),
			want: failsAt(tip, "unexpected file "+tipDir+"/envelope.json (mode 100755)"), open: openFails},
		{name: "mode/checkpoint executable", mutate: chmodAtTip("checkpoint"),
			want: failsAt(tip, "checkpoint (100755)"), open: openFails},
		{name: "mode/earlier document executable at the tip", mutate: chmodAtTip(dir1 + "/document"),
			want: failsAt(1, dir1, "a later commit changed"), open: openWorks},
		{name: "mode/earlier document executable in history", mutate: func(t *testing.T, work string) {
			tamperFilterBranch(t, work, "--tree-filter", fmt.Sprintf("if [ -f %[1]s ]; then chmod +x %[1]s; fi", shq(dir1+"/document")))
		}, want: failsAt(1, "unexpected file "+dir1+"/document (mode 100755)"), open: openWorks},
		{name: "mode/newest document a symlink", mutate: func(t *testing.T, work string) {
			f := filepath.Join(work, filepath.FromSlash(tipDir), documentFile)
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("envelope.json", f); err != nil {
				t.Fatal(err)
			}
			tamperAmend(t, work, true, "")
		}, want: failsAt(tip, "unexpected file "+tipDir+"/document (mode 120000)"), open: openWorks},
	})
}

// TestTamperReorder drops and swaps entries.
func TestTamperReorder(t *testing.T) {
	fx := newTamperFixture(t)
	dir2, dir3 := entryDirOf(2), entryDirOf(3)
	fx.run(t, []tamperCase{
		{name: "drop entry 2", mutate: func(t *testing.T, work string) {
			c := fx.commitOf(t, work, 2)
			tamperFilterBranch(t, work, "--tree-filter", "rm -rf "+shq(dir2),
				"--commit-filter", fmt.Sprintf(`if %s; then skip_commit "$@"; else git commit-tree "$@"; fi`, onCommit(c)))
		}, want: failsAt(2, dir2, "missing from the newest commit"), open: openFails},
		{name: "drop the commit of entry 2, keep its files", mutate: func(t *testing.T, work string) {
			c := fx.commitOf(t, work, 2)
			tamperFilterBranch(t, work, "--commit-filter", fmt.Sprintf(`if %s; then skip_commit "$@"; else git commit-tree "$@"; fi`, onCommit(c)))
		}, want: failsAt(2, "0000000003 was added", "only its own entry"), open: openAny},
		{name: "swap entries 2 and 3", mutate: func(t *testing.T, work string) {
			// Commit 2 now adds entry 3's files in entry 2's directory and
			// commit 3 entry 2's files in entry 3's directory, each with the
			// other's message and time: canonical commits of swapped entries.
			c2, c3 := fx.commitOf(t, work, 2), fx.commitOf(t, work, 3)
			tmp := t.TempDir()
			save := filepath.Join(tmp, "entry3")
			for _, f := range []string{envelopeFile, documentFile, hashesFile} {
				tamperWrite(t, filepath.Join(save, f), []byte(tamperGit(t, work, nil, "show", "HEAD:"+dir3+"/"+f)))
			}
			m2, m3 := filepath.Join(tmp, "m2"), filepath.Join(tmp, "m3")
			tamperWrite(t, m2, []byte(commitMessageOf(t, work, c2)))
			tamperWrite(t, m3, []byte(commitMessageOf(t, work, c3)))
			t2 := tamperGitLine(t, work, "log", "-1", "--format=%ad", "--date=raw", c2)
			t3 := tamperGitLine(t, work, "log", "-1", "--format=%ad", "--date=raw", c3)
			tamperFilterBranch(t, work,
				"--tree-filter", fmt.Sprintf(`if %s; then rm -rf %[2]s && mkdir %[2]s && cp %[4]s/* %[2]s/; elif [ -d %[3]s ]; then mv %[2]s swap.tmp && mv %[3]s %[2]s && mv swap.tmp %[3]s; fi`,
					onCommit(c2), shq(dir2), shq(dir3), shq(save)),
				"--msg-filter", fmt.Sprintf(`if %s; then cat %s; elif %s; then cat %s; else cat; fi`, onCommit(c2), shq(m3), onCommit(c3), shq(m2)),
				"--env-filter", fmt.Sprintf(`if %s; then export GIT_AUTHOR_DATE=%s GIT_COMMITTER_DATE=%[2]s; elif %s; then export GIT_AUTHOR_DATE=%s GIT_COMMITTER_DATE=%[4]s; fi`,
					onCommit(c2), shq("@"+t3), onCommit(c3), shq("@"+t2)))
		}, want: failsAt(2, "letter version 2", "records entry number 3 at position 2", "reordered"), open: openFails},
	})
}

// TestTamperTruncate shows what no check of the repository alone can catch:
// a ledger cut back to an earlier entry (the branch reset to an older commit)
// is a valid, shorter ledger. Only a checkpoint kept from before tells.
func TestTamperTruncate(t *testing.T) {
	fx := newTamperFixture(t)
	dir := fx.copy(t)
	work := tamperClone(t, dir)
	tamperGit(t, work, nil, "reset", "-q", "--hard", "HEAD~1")
	tamperPush(t, work)
	checkLedger(t, dir, fx.tip)
}

// TestTamperSignatures replaces a signature and re-signs an entry with a key
// the ledger does not authorize.
func TestTamperSignatures(t *testing.T) {
	fx := newTamperFixture(t)
	tip := fx.tip
	tipEnv, env1, env2, env3 := entryDirOf(tip)+"/envelope.json", entryDirOf(1)+"/envelope.json", entryDirOf(2)+"/envelope.json", entryDirOf(3)+"/envelope.json"
	fx.run(t, []tamperCase{
		{name: "newest entry with entry 3's signature", mutate: func(t *testing.T, work string) {
			f := filepath.Join(work, filepath.FromSlash(tipEnv))
			tamperWrite(t, f, withSigOf(t, tamperRead(t, f), tamperRead(t, filepath.Join(work, filepath.FromSlash(env3)))))
			tamperAmend(t, work, true, "")
		}, want: failsAt(tip, "envelope signature does not verify"), open: openFails},
		{name: "entry 2 with entry 1's signature in history", mutate: func(t *testing.T, work string) {
			altered := filepath.Join(t.TempDir(), "envelope.json")
			tamperWrite(t, altered, withSigOf(t, tamperRead(t, filepath.Join(work, filepath.FromSlash(env2))), tamperRead(t, filepath.Join(work, filepath.FromSlash(env1)))))
			tamperFilterBranch(t, work, "--tree-filter", fmt.Sprintf("if [ -f %s ]; then cat %s > %[1]s; fi", shq(env2), shq(altered)))
		}, want: failsAt(2, "envelope signature does not verify"), open: openFails},
		{name: "newest entry re-signed with another key", mutate: func(t *testing.T, work string) {
			f := filepath.Join(work, filepath.FromSlash(tipEnv))
			env, err := records.ParseEnvelope(tamperRead(t, f))
			if err != nil {
				t.Fatal(err)
			}
			other := testOtherKey(t)
			st := env.Statement
			st.Predicate.Signer = string(other.Public().Fingerprint())
			raw, err := records.Sign(st, st.Predicate.Signer, other)
			if err != nil {
				t.Fatal(err)
			}
			tamperWrite(t, f, raw)
			// The commit message names the signer: keep the commit canonical.
			tamperAmend(t, work, true, commitMessage(st))
		}, want: failsAt(tip, "signed by key", "does not authorize"), open: openFails},
		// The high-S twin of a valid signature: refused as a signature
		// (FORMAT.md §3.1); its changed bytes would also break the
		// checkpoint (newest entry) or the next entry's chain hash.
		{name: "newest entry with a malleated signature", mutate: func(t *testing.T, work string) {
			f := filepath.Join(work, filepath.FromSlash(tipEnv))
			tamperWrite(t, f, malleated(t, tamperRead(t, f)))
			tamperAmend(t, work, true, "")
		}, want: failsAt(tip, "envelope signature does not verify"), open: openFails},
		{name: "entry 2 with a malleated signature in history", mutate: func(t *testing.T, work string) {
			altered := filepath.Join(t.TempDir(), "envelope.json")
			tamperWrite(t, altered, malleated(t, tamperRead(t, filepath.Join(work, filepath.FromSlash(env2)))))
			tamperFilterBranch(t, work, "--tree-filter", fmt.Sprintf("if [ -f %s ]; then cat %s > %[1]s; fi", shq(env2), shq(altered)))
		}, want: failsAt(2, "envelope signature does not verify"), open: openFails},
	})
}

// TestTamperOtherRootKey builds the same ledger with another root key: it
// is consistent, but fails against the pinned original root.
func TestTamperOtherRootKey(t *testing.T) {
	root := testKey(t, keys.ECDSAP256).Public().Fingerprint()
	other := testOtherKey(t)
	dir := filepath.Join(t.TempDir(), "forged")
	clock := testClock()
	l, err := Init(dir, "example.org/test-ledger", other, AppendOptions{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	registerDocs(t, l, other, clock, sampleDocs)
	l.Close()
	rep, err := Verify(dir, VerifyOptions{})
	if err != nil {
		t.Fatalf("Verify without a pinned key: %v", err)
	}
	if rep.Entries != uint64(len(sampleDocs)+1) || rep.Pinned || rep.RootFingerprint != other.Public().Fingerprint() {
		t.Fatalf("Verify without a pinned key: %+v", rep)
	}
	_, err = Verify(dir, VerifyOptions{Trust: root})
	wantTampered(t, err, "root key is "+string(other.Public().Fingerprint()), "not the pinned key "+string(root))
	if l, err := Open(dir); err != nil {
		t.Errorf("Open: %v (Open does not pin keys)", err)
	} else {
		l.Close()
	}
}

// TestTamperCommitMetadata changes commits but not their trees.
func TestTamperCommitMetadata(t *testing.T) {
	fx := newTamperFixture(t)
	onEntry2 := func(script string) func(t *testing.T, work string) {
		return func(t *testing.T, work string) {
			c := fx.commitOf(t, work, 2)
			date := tamperGitLine(t, work, "log", "-1", "--format=%ad", "--date=raw", c)
			secs, _, _ := strings.Cut(date, " ")
			s, err := strconv.ParseInt(secs, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			script = strings.NewReplacer("{date+1}", shq(fmt.Sprintf("@%d +0000", s+1)), "{date+0100}", shq(fmt.Sprintf("@%d +0100", s))).Replace(script)
			tamperFilterBranch(t, work, "--env-filter", fmt.Sprintf("if %s; then %s; fi", onCommit(c), script))
		}
	}
	notCanonical := failsAt(2, "translation version 1", "commit is not the canonical commit of its entry")
	fx.run(t, []tamperCase{
		{name: "message", mutate: func(t *testing.T, work string) {
			c := fx.commitOf(t, work, 2)
			tamperFilterBranch(t, work, "--msg-filter", fmt.Sprintf("if %s; then sed 's/^verbatim entry/Verbatim entry/'; else cat; fi", onCommit(c)))
		}, want: notCanonical, open: openAny},
		{name: "message trailer", mutate: func(t *testing.T, work string) {
			c := fx.commitOf(t, work, 2)
			tamperFilterBranch(t, work, "--msg-filter", fmt.Sprintf("if %s; then cat; echo; echo 'Reviewed-by: x'; else cat; fi", onCommit(c)))
		}, want: notCanonical, open: openAny},
		{name: "author date", mutate: onEntry2("export GIT_AUTHOR_DATE={date+1}"), want: notCanonical, open: openAny},
		{name: "committer date", mutate: onEntry2("export GIT_COMMITTER_DATE={date+1}"), want: notCanonical, open: openAny},
		{name: "time zone", mutate: onEntry2("export GIT_AUTHOR_DATE={date+0100} GIT_COMMITTER_DATE={date+0100}"), want: notCanonical, open: openAny},
		{name: "author name", mutate: onEntry2("export GIT_AUTHOR_NAME=mallory"), want: notCanonical, open: openAny},
		{name: "committer email", mutate: onEntry2("export GIT_COMMITTER_EMAIL=mallory@example.org"), want: notCanonical, open: openAny},
		{name: "newest commit amended plainly", mutate: func(t *testing.T, work string) { tamperAmend(t, work, false, "") },
			want: failsAt(fx.tip, "not the canonical commit"), open: openAny},
		{name: "merge at the tip", mutate: func(t *testing.T, work string) {
			h := tamperGitLine(t, work, "commit-tree", "HEAD^{tree}", "-p", "HEAD", "-p", "HEAD~1", "-m", "merge")
			tamperGit(t, work, nil, "reset", "-q", "--hard", h)
		}, want: failsWith("is a merge", "single line"), open: openAny},
		{name: "merge in history", mutate: func(t *testing.T, work string) {
			c := fx.commitOf(t, work, 2)
			p := fx.commitOf(t, work, 0)
			tamperFilterBranch(t, work, "--parent-filter", fmt.Sprintf(`if %s; then sed 's/$/ -p %s/'; else cat; fi`, onCommit(c), p))
		}, want: failsWith("is a merge", "single line"), open: openAny},
		{name: "empty commit at the tip", mutate: func(t *testing.T, work string) {
			tamperGit(t, work, nil, "commit", "-q", "--allow-empty", "-m", "nothing")
		}, want: failsAt(fx.tip+1, entryDirOf(fx.tip+1), "missing"), open: openAny},
	})
}

// TestTamperRefs points HEAD and the branch elsewhere. (HEAD at a branch
// without commits and shallow clones are input errors, not tampering: see
// repostate_test.go.)
func TestTamperRefs(t *testing.T) {
	fx := newTamperFixture(t)
	fx.run(t, []tamperCase{
		{name: "detached HEAD", bare: func(t *testing.T, dir string) {
			tamperGit(t, dir, nil, "update-ref", "--no-deref", "HEAD", tamperGitLine(t, dir, "rev-parse", "main"))
		}, want: failsWith("HEAD is detached"), open: openFails},
		{name: "detached HEAD at an older commit", bare: func(t *testing.T, dir string) {
			tamperGit(t, dir, nil, "update-ref", "--no-deref", "HEAD", tamperGitLine(t, dir, "rev-parse", "main~2"))
		}, want: failsWith("HEAD is detached"), open: openFails},
		{name: "branch at a tree", bare: func(t *testing.T, dir string) {
			tree := tamperGitLine(t, dir, "rev-parse", "main^{tree}")
			tamperWrite(t, filepath.Join(dir, "refs", "heads", "main"), []byte(tree+"\n"))
		}, want: failsWith("reading history", "git commit object"), open: openFails},
		{name: "branch at a blob", bare: func(t *testing.T, dir string) {
			blob := tamperGitLine(t, dir, "rev-parse", "main:checkpoint")
			tamperWrite(t, filepath.Join(dir, "refs", "heads", "main"), []byte(blob+"\n"))
		}, want: failsWith("reading history", "git commit object"), open: openFails},
		{name: "branch at a missing commit", bare: func(t *testing.T, dir string) {
			tamperWrite(t, filepath.Join(dir, "refs", "heads", "main"), []byte(strings.Repeat("ab", 20)+"\n"))
		}, want: failsWith("reading history", strings.Repeat("ab", 20), "missing"), open: openFails},
		{name: "packed branch at a tree", bare: func(t *testing.T, dir string) {
			tamperRepack(t, dir)
			tree := tamperGitLine(t, dir, "rev-parse", "main^{tree}")
			tamperWrite(t, filepath.Join(dir, "refs", "heads", "main"), []byte(tree+"\n"))
		}, want: failsWith("reading history", "git commit object", "is a tree object"), open: openFails},
		{name: "branch a symbolic ref", bare: func(t *testing.T, dir string) {
			tamperGit(t, dir, nil, "branch", "other", "main")
			tamperGit(t, dir, nil, "symbolic-ref", "refs/heads/main", "refs/heads/other")
		}, want: failsWith("refs/heads/main is not a commit reference"), open: openFails},
	})
}

// objectTarget is a git object to corrupt, named by a revision.
type objectTarget struct {
	name string
	rev  string
	open openWant // Open reads it (fails) or not (any)
	kind string   // the object type Verify reports
}

func (fx *tamperFixture) objectTargets() []objectTarget {
	d1 := entryDirOf(1)
	return []objectTarget{
		{"document blob", "HEAD:" + d1 + "/document", openAny, "blob"},
		{"envelope blob", "HEAD:" + entryDirOf(2) + "/envelope.json", openFails, "blob"},
		{"newest checkpoint blob", "HEAD:checkpoint", openFails, "blob"},
		{"older checkpoint blob", "HEAD~2:checkpoint", openAny, "blob"},
		{"newest root tree", "HEAD^{tree}", openFails, "tree"},
		{"entry directory tree", "HEAD:" + entryDirOf(3), openFails, "tree"},
		{"older root tree", "HEAD~2^{tree}", openAny, "tree"},
		{"newest commit", "HEAD", openFails, "commit"},
		{"older commit", "HEAD~2", openAny, "commit"},
		{"genesis commit", "HEAD~" + strconv.FormatUint(fx.tip, 10), openAny, "commit"},
	}
}

// rewriteObjectFile replaces a file of the object store (read-only, and
// maybe hard-linked from a clone) with f of its content.
func rewriteObjectFile(t *testing.T, name string, f func([]byte) []byte) {
	t.Helper()
	if err := os.Chmod(name, 0o644); err != nil {
		t.Fatal(err)
	}
	data := f(tamperRead(t, name))
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, data, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, name); err != nil {
		t.Fatal(err)
	}
}

func flipByteAt(i int) func([]byte) []byte {
	return func(data []byte) []byte {
		out := bytes.Clone(data)
		if i < 0 {
			i += len(out)
		}
		out[i] ^= 0xff
		return out
	}
}

// TestTamperLooseObjects corrupts and deletes loose objects.
func TestTamperLooseObjects(t *testing.T) {
	fx := newTamperFixture(t)
	var cases []tamperCase
	for _, o := range fx.objectTargets() {
		file := func(t *testing.T, dir string) (string, string) {
			h := tamperGitLine(t, dir, "rev-parse", o.rev)
			name := filepath.Join(dir, "objects", h[:2], h[2:])
			if _, err := os.Stat(name); err != nil {
				t.Fatalf("%s (%s) is not a loose object: %v", o.rev, h, err)
			}
			return h, name
		}
		corrupt := func(where string, pos func(n int) int) tamperCase {
			return tamperCase{name: where + " of " + o.name, bare: func(t *testing.T, dir string) {
				_, name := file(t, dir)
				rewriteObjectFile(t, name, func(data []byte) []byte { return flipByteAt(pos(len(data)))(data) })
			}, want: failsWith("git " + o.kind + " object"), open: o.open}
		}
		cases = append(cases,
			corrupt("middle byte", func(n int) int { return n / 2 }),
			corrupt("first deflate byte", func(n int) int { return 2 }),
			corrupt("zlib header", func(n int) int { return 0 }),
			corrupt("last byte", func(n int) int { return n - 1 }),
			tamperCase{name: "truncated " + o.name, bare: func(t *testing.T, dir string) {
				_, name := file(t, dir)
				rewriteObjectFile(t, name, func(data []byte) []byte { return data[:len(data)/2] })
			}, want: failsWith("git " + o.kind + " object"), open: o.open},
			tamperCase{name: "deleted " + o.name, bare: func(t *testing.T, dir string) {
				_, name := file(t, dir)
				if err := os.Remove(name); err != nil {
					t.Fatal(err)
				}
			}, want: failsWith("git "+o.kind+" object", "missing"), open: o.open})
	}
	fx.run(t, cases)
}

// packedObject is an object's place in a pack, from git verify-pack.
type packedObject struct {
	hash, typ    string
	offset, size int64 // size in the pack
	delta        bool
}

// tamperRepack packs the ledger's objects (with deltas, as git gc does) and
// returns the pack's path and its objects by hash.
func tamperRepack(t *testing.T, dir string) (string, map[string]packedObject) {
	t.Helper()
	tamperGit(t, dir, nil, "repack", "-a", "-d", "-q")
	packs, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "*.pack"))
	if len(packs) != 1 {
		t.Fatalf("%d packs after repack, want 1", len(packs))
	}
	objs := map[string]packedObject{}
	for _, line := range strings.Split(tamperGit(t, dir, nil, "verify-pack", "-v", strings.TrimSuffix(packs[0], ".pack")+".idx"), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || len(f[0]) != 40 {
			continue
		}
		size, err1 := strconv.ParseInt(f[3], 10, 64)
		off, err2 := strconv.ParseInt(f[4], 10, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("verify-pack line %q", line)
		}
		objs[f[0]] = packedObject{hash: f[0], typ: f[1], offset: off, size: size, delta: len(f) > 5}
	}
	return packs[0], objs
}

// verifyReadSet lists the objects Verify reads: every commit, its root tree and
// checkpoint, and everything in the newest tree. (The other trees of older
// commits are not read: Verify derives them and compares root tree hashes.)
func verifyReadSet(t *testing.T, dir string) map[string]bool {
	t.Helper()
	set := map[string]bool{}
	commits := strings.Fields(tamperGit(t, dir, nil, "rev-list", "HEAD"))
	args := []string{"rev-parse"}
	for _, c := range commits {
		set[c] = true
		args = append(args, c+"^{tree}", c+":checkpoint")
	}
	for _, h := range strings.Fields(tamperGit(t, dir, nil, args...)) {
		set[h] = true
	}
	for _, line := range strings.Split(tamperGit(t, dir, nil, "ls-tree", "-r", "-t", "HEAD"), "\n") {
		if f := strings.Fields(line); len(f) >= 3 {
			set[f[2]] = true
		}
	}
	return set
}

// TestTamperPackedObjects repacks the ledger as git gc would and corrupts
// the pack.
func TestTamperPackedObjects(t *testing.T) {
	fx := newTamperFixture(t)
	t.Run("control: repacked ledger verifies", func(t *testing.T) {
		t.Parallel()
		dir := fx.copy(t)
		tamperRepack(t, dir)
		tamperGit(t, dir, nil, "pack-refs", "--all")
		if loose, _ := filepath.Glob(filepath.Join(dir, "objects", "??", "*")); len(loose) != 0 {
			t.Fatalf("%d loose objects left after repack", len(loose))
		}
		checkLedger(t, dir, fx.tip+1)
	})
	t.Run("middle of the pack", func(t *testing.T) {
		t.Parallel()
		dir := fx.copy(t)
		pack, objs := tamperRepack(t, dir)
		read := verifyReadSet(t, dir)
		fi, err := os.Stat(pack)
		if err != nil {
			t.Fatal(err)
		}
		mid := fi.Size() / 2
		var hit packedObject
		for _, o := range objs {
			if o.offset <= mid && mid < o.offset+o.size {
				hit = o
			}
		}
		if hit.hash == "" {
			t.Fatalf("no object at offset %d of the pack", mid)
		}
		rewriteObjectFile(t, pack, flipByteAt(int(mid)))
		_, err = tamperVerify(t, dir, VerifyOptions{Trust: fx.root})
		t.Logf("flipped byte %d of %d, inside %+v (read by Verify: %v): %v", mid, fi.Size(), hit, read[hit.hash], err)
		// The last bytes of a zlib stream (the end of the deflate data and
		// the Adler-32 checksum) may be changed without changing what the
		// object's declared size reads: then the object is intact.
		intact := mid >= hit.offset+hit.size-7
		switch {
		case err != nil:
			wantTampered(t, err)
		case read[hit.hash] && !intact:
			t.Fatalf("Verify passed though an object it reads (%s %s) was corrupted", hit.typ, hit.hash)
		}
		tamperCheckOpen(t, dir, openAny)
	})
	var cases []tamperCase
	for _, o := range fx.objectTargets() {
		cases = append(cases, tamperCase{name: "middle of " + o.name, bare: func(t *testing.T, dir string) {
			_, objs := tamperRepack(t, dir)
			h := tamperGitLine(t, dir, "rev-parse", o.rev)
			p, ok := objs[h]
			if !ok {
				t.Fatalf("%s is not in the pack", h)
			}
			t.Logf("%s: %+v", o.rev, p)
			packs, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "*.pack"))
			rewriteObjectFile(t, packs[0], flipByteAt(int(p.offset+p.size/2)))
		}, want: failsWith(), open: o.open})
	}
	cases = append(cases,
		tamperCase{name: "truncated pack", bare: func(t *testing.T, dir string) {
			pack, _ := tamperRepack(t, dir)
			rewriteObjectFile(t, pack, func(data []byte) []byte { return data[:len(data)/2] })
		}, want: failsWith(), open: openFails},
		tamperCase{name: "deleted pack index", bare: func(t *testing.T, dir string) {
			pack, _ := tamperRepack(t, dir)
			if err := os.Remove(strings.TrimSuffix(pack, ".pack") + ".idx"); err != nil {
				t.Fatal(err)
			}
		}, want: failsWith("git commit object"), open: openFails},
		tamperCase{name: "corrupted pack index", bare: func(t *testing.T, dir string) {
			pack, _ := tamperRepack(t, dir)
			rewriteObjectFile(t, strings.TrimSuffix(pack, ".pack")+".idx", func(data []byte) []byte { return data[:len(data)-30] })
		}, want: failsWith(), open: openFails},
	)
	fx.run(t, cases)
}

// TestTamperStateCacheVersions alters the state cache (FORMAT.md §7.1), which
// lives in the git directory beside the objects and so is as exposed to
// tampering as they are: the version records it holds are not covered by
// the check that admits it (the leaf hashes against the newest checkpoint).
// `verbatim check` is Open, FindContent and VerifyVersion: a forged file must
// not come out as a registered version of a genuine, correctly signed entry.
//
// Open accepts a cache whose Versions name a forged digest (only the leaf
// hashes are checked against the signed root) and FindContent returns the
// version; VerifyVersion must then refuse it, because the entry's signed
// subject digest is not the version's.
func TestTamperStateCacheVersions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	buildLedger(t, dir, sampleDocs).Close()
	// A v4 ledger is read from its index; the state cache serves (and is
	// written by) what needs the full state (full).
	l, err := Open(dir)
	if err == nil {
		err = l.full()
	}
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	cache := filepath.Join(dir, filepath.FromSlash(cacheFile))
	var c cachedState
	if err := gob.NewDecoder(bytes.NewReader(tamperRead(t, cache))).Decode(&c); err != nil {
		t.Skipf("no state cache to alter: %v", err)
	}
	forged := []byte("Letter by a group of political prisoners, forged transcript.\n")
	sum := sha256.Sum256(forged)
	changed := false
	for i := range c.Versions {
		if c.Versions[i].Entry == 1 {
			c.Versions[i].SHA256, c.Versions[i].Size = hex.EncodeToString(sum[:]), int64(len(forged))
			changed = true
		}
	}
	if !changed {
		t.Fatal("the cache holds no version for entry 1")
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&c); err != nil {
		t.Fatal(err)
	}
	tamperWrite(t, cache, buf.Bytes())

	// Verify does not use the cache: the ledger itself is intact.
	if _, err := Verify(dir, VerifyOptions{Trust: testKey(t, keys.ECDSAP256).Public().Fingerprint()}); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	l, err = Open(dir)
	if err == nil {
		err = l.full()
	}
	if err != nil {
		t.Logf("Open refuses the altered cache: %v", err)
		return
	}
	defer l.Close()
	vs, err := l.FindContent(forged)
	if err != nil {
		// FindContent verifies what it finds (cache_tamper_test.go).
		if !errors.Is(err, ErrTampered) || !strings.Contains(err.Error(), "cached index") {
			t.Fatalf("FindContent(forged) = %v, want ErrTampered naming the cache", err)
		}
		return
	}
	for _, v := range vs {
		// `verbatim check` accepts a match only through VerifyVersion.
		if err := l.VerifyVersion(v); err == nil {
			t.Errorf("with an altered state cache, a forged document is found as %s version %d (entry %d) and VerifyVersion accepts it: `verbatim check` would report a MATCH", v.Doc, v.Version, v.Entry)
		} else if !errors.Is(err, ErrTampered) {
			t.Errorf("VerifyVersion(forged cache entry) = %v, want ErrTampered", err)
		}
		if _, err := l.Content(v); err == nil {
			t.Errorf("Content of a forged cache entry succeeded")
		}
	}
}
