package gitstore

import (
	"github.com/go-git/go-git/v5/plumbing"
)

// BatchPack is the number of objects from which a Batch is written as one
// packfile rather than as loose objects.
const BatchPack = 64

// Batch collects the objects of one durable write (Finish). Once it
// holds BatchPack objects it is bound to become a pack, and a goroutine
// compresses its objects into the pack's temporary file as they are added,
// so that a writer signing entries on one core has them compressed on
// another and Finish is left with the syncs and renames. Nothing the
// goroutine writes is named or found by any reader before Finish
// renames it into place.
//
// A Batch is used by one goroutine at a time; Discard stops its
// compressing goroutine and removes what it wrote.
type Batch struct {
	gitDir  string
	objects []Object // copies, in the order added, not yet handed to the goroutine
	n       int      // objects added
	seen    map[plumbing.Hash]bool
	work    chan []Object   // to the goroutine; nil until it starts
	done    chan packResult // from the goroutine, once work is closed
}

type packResult struct {
	w   *packWriter
	err error
}

// NewBatch returns an empty batch of objects for s.
func (s *Store) NewBatch() *Batch {
	return &Batch{gitDir: s.gitDir, seen: map[plumbing.Hash]bool{}}
}

// Add stages a copy of the object typ with content and name h
// (Hash(typ, content), not recomputed), unless the batch holds h already.
func (b *Batch) Add(typ plumbing.ObjectType, h plumbing.Hash, content []byte) {
	if b.seen[h] {
		return
	}
	b.seen[h] = true
	b.objects = append(b.objects, Object{Type: typ, Hash: h, Content: append([]byte(nil), content...)})
	b.n++
	if len(b.objects) >= BatchPack {
		b.send()
	}
}

// Len is the number of objects in the batch.
func (b *Batch) Len() int { return b.n }

// send hands the objects not sent yet to the compressing goroutine,
// starting it the first time.
func (b *Batch) send() {
	if b.work == nil {
		b.work, b.done = make(chan []Object, 64), make(chan packResult, 1)
		go compress(b.gitDir, b.work, b.done)
	}
	b.work <- b.objects
	b.objects = nil // the goroutine's now: their memory goes once compressed
}

// compress writes the objects it receives into a new pack until work is
// closed. After an error it keeps draining work, so that senders never
// block, and reports the error at the end.
func compress(gitDir string, work <-chan []Object, done chan<- packResult) {
	w, err := newPackWriter(gitDir)
	for objects := range work {
		for _, o := range objects {
			if err == nil {
				err = w.add(o)
			}
		}
	}
	if err != nil && w != nil {
		w.abort()
		w = nil
	}
	done <- packResult{w, err}
}

// wait stops the goroutine, if it was started, and returns its pack
// writer (nil if none) or its error.
func (b *Batch) wait() (*packWriter, error) {
	if b.work == nil {
		return nil, nil
	}
	close(b.work)
	r := <-b.done
	b.work = nil
	return r.w, r.err
}

// Discard stops the batch's goroutine and removes the temporary pack it
// was writing. The batch is empty afterwards.
func (b *Batch) Discard() {
	if w, _ := b.wait(); w != nil {
		w.abort()
	}
	b.objects, b.n, b.seen = nil, 0, map[plumbing.Hash]bool{}
}

// Written is a batch Finish wrote: on disk, durably, but not yet known to
// the readers of its Store.
type Written struct {
	pack string // the pack's base path; "" for loose objects, which need no index
}

// Finish writes b's objects durably, as Write does: as loose objects if
// there are fewer than BatchPack, otherwise as one pack, which b's
// goroutine has mostly compressed already. It returns what AddWritten must
// then make readable through the Store.
// Unlike the Store, it may run on a goroutine of its own, so that a writer
// signs the next batch while this one is synced. b is empty afterwards,
// whether or not Finish succeeded.
func (b *Batch) Finish() (Written, error) {
	defer b.Discard()
	if b.n < BatchPack {
		return Written{}, writeLoose(b.gitDir, b.objects)
	}
	b.send()
	w, err := b.wait()
	if err != nil {
		return Written{}, err
	}
	base, err := w.finish()
	return Written{pack: base}, err
}

// AddWritten makes a batch that Finish wrote readable through s.
func (s *Store) AddWritten(w Written) error {
	if w.pack == "" {
		return nil
	}
	return s.addPack(w.pack)
}
