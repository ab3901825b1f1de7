package gitstore

import "sync/atomic"

// residency bounds how much of the mapped packs and their indexes a reader
// keeps resident.
// A mapped page that has been read stays in the process's resident set
// (file-backed, but counted in its RSS) until it is unmapped, so reading
// every object of a large ledger, as verification does, would make the
// process as large as its packs. Instead, once the objects read since the
// last release could have made about residentBytes resident, every mapped
// pack is released (madvise MADV_DONTNEED: the pages stay in the page
// cache, and a later read maps them again from there). Releasing a range
// another goroutine is reading is safe: packs are mapped shared and
// read-only, so a page released under it is only faulted in again.
type residency struct {
	touched atomic.Int64
}

// residentBytes is about how much of the mapped packs a reader keeps
// resident: releasing more often costs page faults, less often memory.
const residentBytes = 64 << 20

// faultAround is how much a page fault in a mapped file may make resident
// besides the page read (Linux maps the neighbouring pages that are in the
// page cache, up to 64 KiB, at once).
const faultAround = 64 << 10

// touch records that reads from a mapped pack or index made up to n bytes
// resident (the caller adds faultAround where a read may fault), and
// releases every pack in packs once the reads add up to residentBytes. A nil residency
// keeps no count.
func (r *residency) touch(n int64, packs []packFile) {
	if r == nil {
		return
	}
	if r.touched.Add(n) < residentBytes {
		return
	}
	if r.touched.Swap(0) < residentBytes {
		return // another goroutine released them just now
	}
	for _, p := range packs {
		releaseFile(p.data)
		releaseFile(p.idxData)
	}
}
