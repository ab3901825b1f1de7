package ledger

import (
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/records"
)

// ahead checks entries while Verify walks the history. The walk goes from
// the newest commit back to the genesis, one commit at a time, and no
// entry's commit can be checked before it ends: each one's check needs the
// commits before it. The newest commit's tree alone holds every entry's
// files (FORMAT.md §2.2), so meanwhile the other cores check, from entry 1
// on, what needs nothing else: the envelope found there, read and parsed,
// its signature verified with the key its key id names, and the document
// hashed, the costliest checks of an entry. An entry that passes them is
// marked; when its turn comes, check reads the very same objects (the same
// tree, so the same blobs, read with their hashes checked) and skips only
// these checks, doing every other as before. An entry that failed them,
// or that the walk ended before, is checked in full, in order, and fails
// with the message it always had: checking ahead only ever saves work.
type ahead struct {
	marks   []uint64      // bit n%64 of word n/64: entry n passed
	next    atomic.Uint64 // the next word of marks a worker takes
	stopped atomic.Bool
	wg      sync.WaitGroup
	keys    *keyMap // the genesis root key and the keys entries checked ahead declare
}

// aheadMax bounds the entries checked ahead: their marks take aheadMax/8
// bytes, and the walk of a million commits ends well before.
const aheadMax = 1 << 18

// checkAhead starts workers checking the entries of the ledger whose newest
// commit is head, until stop. Any problem only ends checking ahead: check
// finds and reports it in its turn.
func checkAhead(r *repo, head plumbing.Hash, workers int) *ahead {
	a := &ahead{marks: make([]uint64, aheadMax/64)}
	tree, err := r.commitTree(head)
	if err != nil {
		return a
	}
	var tip pathTrees
	if tip.root, err = r.tree(tree); err != nil {
		return a
	}
	tipc := tip
	genesis, _, err := readTipEntry(r, &tipc, 0)
	if err != nil {
		return a
	}
	root, err := newState().keyFor(genesis.Statement)
	if err != nil {
		return a
	}
	a.keys = newKeyMap(root)
	for range workers {
		w := r.worker()
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			defer w.close()
			a.run(w, tip)
		}()
	}
	return a
}

// stop stops the workers and waits for them: the marks are then final.
func (a *ahead) stop() {
	if a == nil {
		return
	}
	a.stopped.Store(true)
	a.wg.Wait()
}

// passed reports whether entry n passed the checks done ahead.
func (a *ahead) passed(n uint64) bool {
	return a != nil && n < aheadMax && a.marks[n/64]&(1<<(n%64)) != 0
}

// run checks entries 64 at a time (a word of marks, which only this worker
// writes), in order, until stopped or past the last entry.
func (a *ahead) run(r *repo, tip pathTrees) {
	for {
		w := a.next.Add(1) - 1
		if w >= uint64(len(a.marks)) {
			return
		}
		for n := max(w*64, 1); n < w*64+64; n++ {
			if a.stopped.Load() {
				return
			}
			ok, found := a.check(r, &tip, n)
			if !found {
				return
			}
			if ok {
				a.marks[w] |= 1 << (n % 64)
			}
		}
	}
}

// check checks entry n's signature and document as check does; found is
// false past the last entry.
func (a *ahead) check(r *repo, tip *pathTrees, n uint64) (ok, found bool) {
	dirHash, found, err := tip.entryDir(r, n)
	if err != nil || !found {
		return false, err != nil
	}
	dir, err := r.tree(dirHash)
	if err != nil {
		return false, true
	}
	env, doc, _, err := readEntryFiles(r, dir, n)
	if err != nil {
		return false, true
	}
	st := env.Statement
	key := a.keys.get(env.KeyID)
	if key == nil || isRotation(st) || env.Verify(key) != nil || checkDocument(r, doc, st) != nil {
		return false, true
	}
	a.learn(st)
	return true, true
}

// learn keeps the key an add or rotate entry names: a signature it
// verifies is one by the key the fingerprint names, whatever the state
// decides of it.
func (a *ahead) learn(st *records.Statement) {
	if spec := namedKey(st); spec != nil {
		if k, err := publicKeyOf(spec); err == nil {
			a.keys.put(spec.Fingerprint, k)
		}
	}
}
