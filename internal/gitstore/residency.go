package gitstore

import "sync/atomic"

// residency bounds how much of the mapped packs and their indexes a reader
// keeps resident.
// A mapped page that has been read stays in the process's resident set
// (file-backed, but counted in its RSS) until it is unmapped, so reading
// every object of a large ledger, as verification does, would make the
// process as large as its packs. Instead, once the reads since the last
// release could have made about residentBytes resident, every mapping read
// since then is released (madvise MADV_DONTNEED: the pages stay in the
// page cache, and a later read maps them again from there). Mappings not
// read since the last release hold no page that was not released then, so
// they are left alone: a ledger of a million entries maps 128 packs, and
// releasing them all, most of them untouched, cost more system time than
// the reads. Releasing a range another goroutine is reading is safe: packs
// are mapped shared and read-only, so a page released under it is only
// faulted in again.
type residency struct {
	touched atomic.Int64
	release func([]byte) // releaseFile; tests see what is released
}

// packUse is what was read of one pack's mappings since the residency
// last released them. A reader marks a mapping after it reads it, so a
// release that misses the mark (it ran just before) leaves it for the next.
type packUse struct {
	data atomic.Bool  // pages of the pack were read
	idx  atomic.Int64 // what lookups in the index were counted for
}

// residentBytes is about how much of the mapped packs a reader keeps
// resident: releasing more often costs page faults, less often memory.
const residentBytes = 64 << 20

// faultAround is how much a page fault in a mapped file may make resident
// besides the page read (Linux maps the neighbouring pages that are in the
// page cache, up to 64 KiB, at once).
const faultAround = 64 << 10

// readPack records that a read from p's mapped pack made up to n bytes
// resident (the caller adds faultAround where a read may fault), and
// releases what was read once the reads add up to residentBytes. A nil
// residency keeps no count.
func (r *residency) readPack(p *packFile, n int64, packs []packFile) {
	if r == nil || p.data == nil {
		return
	}
	if !p.use.data.Load() { // the workers read the same packs: write the flag only when it changes
		p.use.data.Store(true)
	}
	r.touch(n, packs)
}

// readIndex records a lookup in p's mapped index: a fault-around's worth,
// but no more in all than the index's size until it is released, so that
// the lookups in the index of the pack being read (an entry's objects share
// a pack) stop counting once it could be all resident. Counting each lookup
// made the readers release every mapping about every hundred entries, and
// fault the indexes' pages back in.
func (r *residency) readIndex(p *packFile, packs []packFile) {
	if r == nil || p.idxData == nil {
		return
	}
	size := int64(len(p.idxData))
	if p.use.idx.Load() >= size {
		return
	}
	if prev := p.use.idx.Add(faultAround) - faultAround; prev < size {
		r.touch(min(faultAround, size-prev), packs)
	}
}

// touch adds n bytes made resident, and once they add up to residentBytes
// releases every mapping of packs marked read since the last release.
func (r *residency) touch(n int64, packs []packFile) {
	if r.touched.Add(n) < residentBytes {
		return
	}
	if r.touched.Swap(0) < residentBytes {
		return // another goroutine released them just now
	}
	for i := range packs {
		u := packs[i].use
		if u == nil {
			continue
		}
		if u.data.Swap(false) {
			r.release(packs[i].data)
		}
		if u.idx.Swap(0) != 0 {
			r.release(packs[i].idxData)
		}
	}
}
