package gitstore

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
)

// Sizes in a version 2 pack index: a header (magic and version), the
// fanout table, per object its name, CRC-32 and 32-bit offset, an 8-byte
// offset for each one that needs it, and two trailing SHA-1 sums (the
// pack's and the index's).
const (
	idxHeaderLen  = 8
	idxFanoutLen  = 256 * 4
	idxPerObject  = 20 + 4 + 4
	idxTrailerLen = 2 * 20
)

// idxMagic starts a version 2 pack index.
var idxMagic = []byte{0xff, 't', 'O', 'c', 0, 0, 0, 2}

// mapIndex opens the pack index file path as go-git's MemoryIndex, but
// with its tables pointing into the file mapped into memory instead of
// copies: a ledger of a million entries has indexes of a few hundred MB,
// which a reader would otherwise hold on its heap. The index is checked as
// go-git's decoder checks it (version 2, a non-decreasing fanout table,
// a size that fits its object count, its trailing SHA-1), and exactly
// sized. It returns the mapping (nil if the file was read instead), which
// the caller unmaps once done with the index.
func mapIndex(path string) (*idxfile.MemoryIndex, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	mapped := mapFile(f)
	data := mapped
	if data == nil {
		data, err = os.ReadFile(path)
	}
	f.Close()
	if err != nil {
		return nil, nil, err
	}
	idx, err := parseIndex(data)
	if err != nil {
		unmapFile(mapped)
		return nil, nil, err
	}
	releaseFile(mapped) // checking it read every page
	return idx, mapped, nil
}

// parseIndex checks a version 2 pack index held in data and returns it as
// a MemoryIndex whose tables are slices of data.
func parseIndex(data []byte) (*idxfile.MemoryIndex, error) {
	if len(data) < idxHeaderLen+idxFanoutLen+idxTrailerLen || !bytes.Equal(data[:idxHeaderLen], idxMagic) {
		return nil, errors.New("not a version 2 pack index")
	}
	idx := &idxfile.MemoryIndex{Version: 2}
	fanout := data[idxHeaderLen : idxHeaderLen+idxFanoutLen]
	for k := range idx.Fanout {
		idx.Fanout[k] = binary.BigEndian.Uint32(fanout[4*k:])
		if k > 0 && idx.Fanout[k] < idx.Fanout[k-1] {
			return nil, fmt.Errorf("pack index: fanout table decreases at entry %d", k)
		}
	}
	n := int64(idx.Fanout[255])
	names := int64(idxHeaderLen + idxFanoutLen)
	crcs := names + 20*n
	offs := crcs + 4*n
	offs64 := offs + 4*n
	if offs64+idxTrailerLen > int64(len(data)) {
		return nil, fmt.Errorf("pack index: %d bytes cannot hold %d objects", len(data), n)
	}
	var large int64
	for i := offs; i < offs64; i += 4 {
		large += int64(data[i] >> 7)
	}
	if offs64+8*large+idxTrailerLen != int64(len(data)) {
		return nil, fmt.Errorf("pack index: %d bytes, but %d objects (%d with large offsets) take %d", len(data), n, large, offs64+8*large+idxTrailerLen)
	}
	body := len(data) - 20
	if sum := sha1.Sum(data[:body]); !bytes.Equal(sum[:], data[body:]) {
		return nil, errors.New("pack index: its checksum does not match its content")
	}
	idx.Offset64 = data[offs64 : offs64+8*large]
	copy(idx.PackfileChecksum[:], data[body-20:body])
	copy(idx.IdxChecksum[:], data[body:])
	var first int64
	for k := range idx.Fanout {
		last := int64(idx.Fanout[k])
		if last == first {
			idx.FanoutMapping[k] = -1 // go-git's noMapping: no object starts with byte k
			continue
		}
		idx.FanoutMapping[k] = len(idx.Names)
		idx.Names = append(idx.Names, data[names+20*first:names+20*last:names+20*last])
		idx.CRC32 = append(idx.CRC32, data[crcs+4*first:crcs+4*last:crcs+4*last])
		idx.Offset32 = append(idx.Offset32, data[offs+4*first:offs+4*last:offs+4*last])
		first = last
	}
	return idx, nil
}
