package ledger

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/verbatim-ledger/verbatim/internal/gitstore"
	"github.com/verbatim-ledger/verbatim/keys"
)

// countLoose counts the loose object files and the fan-out directories of
// the ledger in dir.
func countLoose(t testing.TB, dir string) (files, dirs int) {
	t.Helper()
	fanout, _ := filepath.Glob(filepath.Join(dir, "objects", "[0-9a-f][0-9a-f]"))
	return len(looseNames(t, dir)), len(fanout)
}

// looseNames lists the names of the loose objects of the ledger in dir,
// sorted.
func looseNames(t testing.TB, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "objects", "[0-9a-f][0-9a-f]", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		if name := filepath.Base(filepath.Dir(f)) + filepath.Base(f); len(name) == 40 && strings.Trim(name, "0123456789abcdef") == "" {
			names = append(names, name)
		}
	}
	return names
}

func TestGCPacksLooseObjects(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	buildLedger(t, dir, sampleDocs).Close()
	before := checkLedger(t, dir, 5)
	loose, _ := countLoose(t, dir)
	if loose == 0 {
		t.Fatal("small registers left no loose objects to pack")
	}
	rep, err := GC(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Packed != loose || rep.Removed != loose || rep.Packs != 1 || rep.DiskAfter >= rep.DiskBefore {
		t.Fatalf("GC: %+v; want %d objects packed and removed into 1 pack, less disk space", rep, loose)
	}
	if files, dirs := countLoose(t, dir); files != 0 || dirs != 0 {
		t.Fatalf("after GC: %d loose objects in %d fan-out directories, want none", files, dirs)
	}
	if after := checkLedger(t, dir, 5); after.Head != before.Head || after.Checkpoint.Root != before.Checkpoint.Root {
		t.Fatalf("GC changed the ledger: head %s -> %s", before.Head, after.Head)
	}
	if _, err := exec.LookPath("git"); err == nil {
		if out, err := exec.Command("git", "-C", dir, "fsck", "--strict", "--full").CombinedOutput(); err != nil {
			t.Fatalf("git fsck after GC: %v\n%s", err, out)
		}
	}
	again, err := GC(dir)
	if err != nil || again.Packed != 0 || again.Removed != 0 || again.BytesAfter != again.BytesBefore || again.Packs != 0 {
		t.Fatalf("a second GC: %+v, %v; want nothing to do", again, err)
	}
	// Registers after GC write loose objects again, and GC packs them.
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	registerDocs(t, l, testKey(t, keys.ECDSAP256), testClock(), []testDoc{{"letter", "third\n"}})
	l.Close()
	if rep, err := GC(dir); err != nil || rep.Packed == 0 || rep.Merged != 2 || countPacks(t, dir) != 1 {
		t.Fatalf("GC after a register: %+v, %v; %d packs; want the new objects packed and the 2 packs merged into 1", rep, err, countPacks(t, dir))
	}
	checkLedger(t, dir, 6)
}

// countPacks counts the packs of the ledger in dir, and fails the test if
// an index has no pack.
func countPacks(t testing.TB, dir string) int {
	t.Helper()
	idx, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "pack-*.idx"))
	packs, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "pack-*.pack"))
	if len(idx) != len(packs) {
		t.Fatalf("%d pack indexes for %d packs", len(idx), len(packs))
	}
	return len(packs)
}

// TestGCMergesPacks: batches of registers write a pack each; GC merges them
// into one, and leaves a pack with deltas (as git gc makes) alone.
func TestGCMergesPacks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	l := buildLedger(t, dir, nil)
	key, clock := testKey(t, keys.ECDSAP256), testClock()
	for b := 0; b < 3; b++ {
		a, err := l.Append(key, AppendOptions{Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 10; i++ {
			if _, err := a.Add(NewDocument{ID: fmt.Sprintf("doc-%d", i), Content: []byte(fmt.Sprintf("batch %d\n", b))}); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.Flush(); err != nil {
			t.Fatal(err)
		}
		a.Close()
	}
	l.Close()
	if n := countPacks(t, dir); n != 3 {
		t.Fatalf("3 batches wrote %d packs, want 3", n)
	}
	rep, err := GC(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The genesis' loose objects are packed first: 4 packs to merge.
	if rep.Merged != 4 || countPacks(t, dir) != 1 {
		t.Fatalf("GC: %+v, %d packs; want 4 merged into 1", rep, countPacks(t, dir))
	}
	checkLedger(t, dir, 31)
	if _, err := exec.LookPath("git"); err != nil {
		return
	}
	if out, err := exec.Command("git", "-C", dir, "fsck", "--strict", "--full").CombinedOutput(); err != nil {
		t.Fatalf("git fsck after GC: %v\n%s", err, out)
	}
	// git gc makes one pack with deltas: GC leaves it as it is.
	if out, err := exec.Command("git", "-C", dir, "-c", "pack.writeBitmaps=false", "-c", "pack.writeReverseIndex=false", "repack", "-a", "-d", "-f", "-q").CombinedOutput(); err != nil {
		t.Fatalf("git repack: %v\n%s", err, out)
	}
	registerDocs(t, testOpen(t, dir), key, clock, []testDoc{{"doc-1", "x\n"}})
	if rep, err := GC(dir); err != nil || rep.Packed == 0 || countPacks(t, dir) != 2 {
		t.Fatalf("GC beside git's pack: %+v, %v, %d packs; want the loose objects packed, git's pack left", rep, err, countPacks(t, dir))
	}
	checkLedger(t, dir, 32)
}

func testOpen(t testing.TB, dir string) *Ledger {
	t.Helper()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// TestGCUnderOpenReader: a ledger opened before GC (its list of packs read
// then) still reads every entry after GC deleted the loose files.
func TestGCUnderOpenReader(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	buildLedger(t, dir, sampleDocs).Close()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := GC(dir); err != nil {
		t.Fatal(err)
	}
	entries, err := l.Entries()
	if err != nil || len(entries) != 5 {
		t.Fatalf("Entries after GC: %d, %v", len(entries), err)
	}
	if vs, err := l.History("letter"); err != nil || len(vs) != 2 {
		t.Fatalf("History after GC: %v, %v", vs, err)
	}
}

// TestGCRefusesCorruptLooseObject: a loose object that does not hash to its
// name is tampering; GC deletes nothing.
func TestGCRefusesCorruptLooseObject(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	buildLedger(t, dir, sampleDocs).Close()
	hs := looseNames(t, dir)
	// Replace one object's file with another object's (valid zlib, wrong hash).
	a, b := hs[0], hs[1]
	pa, pb := filepath.Join(dir, "objects", a[:2], a[2:]), filepath.Join(dir, "objects", b[:2], b[2:])
	data, err := os.ReadFile(pb)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(pa, 0o644)
	if err := os.WriteFile(pa, data, 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := countLoose(t, dir)
	_, err = GC(dir)
	wantTampered(t, err, a, "does not match its hash")
	if after, _ := countLoose(t, dir); after != before {
		t.Fatalf("GC refused but removed %d loose objects", before-after)
	}
}

// TestKilledGCLeavesLedgerVerifying kills a GC process at each of its steps
// (the pack's index and pack renamed into place, the pack checked, after
// the first, half and all of the loose files are deleted, the empty
// directories removed, a merged pack checked, the first merged pack
// deleted before its index), after a few new registers each round, and
// checks after each kill that the ledger verifies; then GC runs to the end
// and leaves one pack, no loose object and no index without its pack.
func TestKilledGCLeavesLedgerVerifying(t *testing.T) {
	if os.Getenv("VERBATIM_GC_CHILD") != "" {
		t.Skip("child process")
	}
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	dir := filepath.Join(t.TempDir(), "ledger")
	l := buildLedger(t, dir, sampleDocs)
	size := uint64(5)
	clock := testClock()
	for round, at := range []string{"pack-index:1", "pack:1", "gc-packed:1", "gc-checked:1", "gc-removed:1", "gc-removed:half", "gc-removed:last", "gc-dirs-removed:1", "gc-merged:1", "gc-pack-removed:1"} {
		registerDocs(t, l, testKey(t, keys.ECDSAP256), clock, []testDoc{{"letter", fmt.Sprintf("round %d a\n", round)}, {fmt.Sprintf("doc-%d", round), "b\n"}})
		size += 2
		loose, _ := countLoose(t, dir)
		step, nth, _ := strings.Cut(at, ":")
		switch nth {
		case "half":
			nth = strconv.Itoa(loose / 2)
		case "last":
			nth = strconv.Itoa(loose)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestGCCrashChild$")
		cmd.Env = append(os.Environ(), "VERBATIM_GC_CHILD="+dir, "VERBATIM_CRASH_AT="+step+":"+nth)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: gc was not killed at %s:%s: %v\n%s", round, step, nth, err, out)
		}
		checkLedger(t, dir, size)
		if after, _ := countLoose(t, dir); step == "gc-removed" && after != loose-mustAtoi(t, nth) {
			t.Fatalf("round %d: killed after deleting %s loose files, but %d of %d are left", round, nth, after, loose)
		}
	}
	l.Close()
	rep, err := GC(dir)
	if err != nil {
		t.Fatal(err)
	}
	if files, dirs := countLoose(t, dir); files != 0 || dirs != 0 || countPacks(t, dir) != 1 {
		t.Fatalf("GC after the kills: %+v; %d loose objects in %d directories left, %d packs", rep, files, dirs, countPacks(t, dir))
	}
	checkLedger(t, dir, size)
}

func mustAtoi(t testing.TB, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestGCCrashChild is the process TestKilledGCLeavesLedgerVerifying kills:
// it runs GC and kills itself at VERBATIM_CRASH_AT ("step:k", the k-th time
// step is reached).
func TestGCCrashChild(t *testing.T) {
	dir := os.Getenv("VERBATIM_GC_CHILD")
	if dir == "" {
		t.Skip("run by TestKilledGCLeavesLedgerVerifying")
	}
	step, nth, _ := strings.Cut(os.Getenv("VERBATIM_CRASH_AT"), ":")
	k := mustAtoi(t, nth)
	gitstore.SetWriteHook(func(s string) {
		if s == step {
			if k--; k == 0 {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {} // the signal is on its way
			}
		}
	})
	rep, err := GC(dir)
	t.Fatalf("GC ended (%+v, %v) before reaching %s", rep, err, os.Getenv("VERBATIM_CRASH_AT"))
}

// TestGCWhileVerifying runs Verify over and over while registers and GCs
// pack and delete loose objects: no verification fails.
func TestGCWhileVerifying(t *testing.T) {
	if testing.Short() {
		t.Skip("runs verify in a loop")
	}
	dir := filepath.Join(t.TempDir(), "ledger")
	l := buildLedger(t, dir, sampleDocs)
	defer l.Close()
	stop, failed := make(chan struct{}), make(chan error, 1)
	go func() {
		defer close(failed)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := Verify(dir, VerifyOptions{}); err != nil {
				failed <- err
				return
			}
		}
	}()
	clock := testClock()
	for i := 0; i < 6; i++ {
		registerDocs(t, l, testKey(t, keys.ECDSAP256), clock, []testDoc{{fmt.Sprintf("doc-%d", i), "x\n"}, {"letter", fmt.Sprintf("v%d\n", i)}})
		if _, err := GC(dir); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	if err := <-failed; err != nil {
		t.Fatalf("Verify while GC ran: %v", err)
	}
}
