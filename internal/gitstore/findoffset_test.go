package gitstore

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"sort"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
)

// TestFindOffsetLarge looks up every name of indexes large enough for
// findOffset's interpolation to run (thousands of names a first byte),
// among them names that share their first 8 bytes and names spread
// unevenly, and names absent from the index.
func TestFindOffsetLarge(t *testing.T) {
	even := func(i int) plumbing.Hash { return plumbing.Hash(sha1.Sum([]byte(fmt.Sprint(i)))) }
	for name, gen := range map[string]func(int) plumbing.Hash{
		"even": even,
		"shared prefix": func(i int) plumbing.Hash {
			h := even(i / 4)
			h[19] = byte(i % 4) // four names a prefix of 19 bytes
			return h
		},
		"skewed": func(i int) plumbing.Hash {
			h := even(i)
			binary.BigEndian.PutUint32(h[1:], uint32(i*i)) // crowded at the bucket's start
			return h
		},
	} {
		t.Run(name, func(t *testing.T) {
			var hashes []plumbing.Hash
			for i := range 20000 {
				hashes = append(hashes, gen(i))
			}
			idx := memoryIndex(hashes)
			for i, h := range hashes {
				if off, ok := findOffset(idx, h); !ok || off != int64(i) {
					t.Fatalf("findOffset(%s) = %d, %v, want %d, true", h, off, ok, i)
				}
				absent := h
				absent[19] ^= 0x80
				if _, ok := findOffset(idx, absent); ok && !contains(hashes, absent) {
					t.Fatalf("findOffset(%s) found a name the index does not hold", absent)
				}
			}
		})
	}
}

func contains(hashes []plumbing.Hash, h plumbing.Hash) bool {
	for _, x := range hashes {
		if x == h {
			return true
		}
	}
	return false
}

// memoryIndex builds the index of hashes, hashes[i] at offset i.
func memoryIndex(hashes []plumbing.Hash) *idxfile.MemoryIndex {
	order := make([]int, len(hashes))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return bytes.Compare(hashes[order[a]][:], hashes[order[b]][:]) < 0 })
	idx := &idxfile.MemoryIndex{Version: 2}
	for k := range idx.FanoutMapping {
		idx.FanoutMapping[k] = -1
	}
	for _, i := range order {
		h := hashes[i]
		k := idx.FanoutMapping[h[0]]
		if k < 0 {
			k = len(idx.Names)
			idx.FanoutMapping[h[0]] = k
			idx.Names = append(idx.Names, nil)
			idx.Offset32 = append(idx.Offset32, nil)
		}
		idx.Names[k] = append(idx.Names[k], h[:]...)
		idx.Offset32[k] = binary.BigEndian.AppendUint32(idx.Offset32[k], uint32(i))
	}
	return idx
}
