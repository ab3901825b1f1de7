package docindex

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// Block sizes (FORMAT.md §2.4): a block of SmallBlock entries is the
// directory entries/AAAA/BB/CC/ and has one run; a block of LargeBlock
// entries is entries/AAAA/BB/ and has Parts runs.
const (
	SmallBlock = 100
	LargeBlock = 10_000
	Parts      = 16
)

// ErrMalformed is wrapped by the errors of runs that are not a whole
// number of records.
var ErrMalformed = errors.New("malformed index file")

// Encode sorts recs in place and returns their run.
func Encode(recs []Record) []byte {
	sortRecords(recs)
	b := make([]byte, 0, len(recs)*RecordSize)
	for _, r := range recs {
		b = r.append(b)
	}
	return b
}

// Split sorts recs in place and returns the runs of a large block's
// Parts: part i holds the records whose key's first hex digit is i, and is
// nil when there are none.
func Split(recs []Record) [Parts][]byte {
	sortRecords(recs)
	var n [Parts]int
	for _, r := range recs {
		n[Part(r.Key)]++
	}
	var out [Parts][]byte
	for p := range out {
		if n[p] > 0 {
			out[p] = make([]byte, 0, n[p]*RecordSize)
		}
	}
	for _, r := range recs {
		p := Part(r.Key)
		out[p] = r.append(out[p])
	}
	return out
}

// Part is the part of a large block that holds key k's records: the first
// hex digit of k.
func Part(k Key) int { return int(k[0] >> 4) }

// PartName is the name of part i's file: one lowercase hex digit.
func PartName(i int) string { return string("0123456789abcdef"[i]) }

func sortRecords(recs []Record) {
	slices.SortFunc(recs, func(a, b Record) int {
		if c := bytes.Compare(a.Key[:], b.Key[:]); c != 0 {
			return c
		}
		switch {
		case a.Entry < b.Entry:
			return -1
		case a.Entry > b.Entry:
			return 1
		}
		return 0
	})
}

// Search returns, in order, the entries the run records under key k. A run
// is searched as written: it must be a whole number of records; whether it
// is sorted and complete is what verification checks.
func Search(run []byte, k Key) ([]uint64, error) {
	if err := checkLen(run); err != nil {
		return nil, err
	}
	n := len(run) / RecordSize
	lo, hi := 0, n
	for lo < hi { // first record whose key is >= k
		m := int(uint(lo+hi) >> 1)
		if bytes.Compare(run[m*RecordSize:m*RecordSize+32], k[:]) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	var out []uint64
	for j := lo; j < n && bytes.Equal(run[j*RecordSize:j*RecordSize+32], k[:]); j++ {
		out = append(out, binary.BigEndian.Uint64(run[j*RecordSize+32:]))
	}
	return out, nil
}

func checkLen(run []byte) error {
	if len(run)%RecordSize != 0 {
		return fmt.Errorf("%w: %d bytes is not a whole number of %d-byte records", ErrMalformed, len(run), RecordSize)
	}
	return nil
}
