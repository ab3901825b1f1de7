package gitstore

import (
	"maps"
	"testing"
)

// TestResidencyReleasesWhatWasRead reads from some of many mapped packs
// and indexes (fake mappings: only which are released matters) and checks
// that a release comes once the reads add up to residentBytes, releases
// exactly the mappings read since the previous one, and that lookups in an
// index stop counting once they could have made all of it resident.
func TestResidencyReleasesWhatWasRead(t *testing.T) {
	const n = 8
	packs := make([]packFile, n)
	for i := range packs {
		packs[i] = packFile{data: make([]byte, 1+i), idxData: make([]byte, 1<<20+i), use: new(packUse)}
	}
	released := map[int]int{} // by the length of the mapping: data 1+i, index 1<<20+i
	r := &residency{release: func(b []byte) { released[len(b)]++ }}

	// A million lookups in index 3, one of 1 MiB: they count for 1 MiB,
	// which releases nothing.
	for range 1_000_000 {
		r.readIndex(&packs[3], packs)
	}
	if len(released) != 0 || r.touched.Load() != int64(len(packs[3].idxData)) {
		t.Fatalf("lookups in one index counted %d bytes and released %v; want %d bytes, nothing released", r.touched.Load(), released, len(packs[3].idxData))
	}
	// Reads from pack 5 up to residentBytes: packs 5 and index 3 are released, nothing else.
	for r.touched.Load() != 0 {
		r.readPack(&packs[5], faultAround, packs)
	}
	want := map[int]int{1 + 5: 1, 1<<20 + 3: 1}
	if !maps.Equal(released, want) {
		t.Fatalf("released %v, want %v", released, want)
	}
	// Then reads from pack 1 only: it alone is released next time.
	for r.touched.Load() < residentBytes-faultAround {
		r.readPack(&packs[1], faultAround, packs)
	}
	r.readPack(&packs[1], faultAround, packs)
	want[1+1] = 1
	if !maps.Equal(released, want) {
		t.Fatalf("released %v, want %v", released, want)
	}
}

// TestResidentCountsSkippedBytes checks what a read from a mapped pack is
// counted for: its span and the bytes between it and the previous read, up
// to a fault-around (a fault maps the pages around the one read), whether
// it reads forwards or backwards, as reading the history does: one commit
// of about 330 bytes in every entry's 7 KB, from the newest.
func TestResidentCountsSkippedBytes(t *testing.T) {
	pr := &packReader{}
	for _, tc := range []struct {
		pack      int
		off, span int64
		want      int64
	}{
		{0, 1 << 30, 330, 330 + faultAround},             // the first read
		{0, 1<<30 - 7000, 330, 330 + 7000 + 330},         // the commit before it
		{0, 1<<30 - 14000, 330, 330 + 7000 + 330},        // and the one before that
		{0, 1<<30 - 13670, 100, 100},                     // right after the previous read
		{0, 1<<30 - 13570 + 5000, 200, 200 + 5000},       // a little further on
		{0, 1<<30 + 1<<20, 200, 200 + faultAround},       // far off
		{1, 1<<30 + 1<<20 + 200, 200, 200 + faultAround}, // in another pack
	} {
		if got := pr.resident(tc.pack, tc.off, tc.span); got != tc.want {
			t.Errorf("resident(%d, %d, %d) = %d, want %d", tc.pack, tc.off, tc.span, got, tc.want)
		}
	}
}
