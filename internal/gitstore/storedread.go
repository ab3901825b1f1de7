package gitstore

import (
	"encoding/binary"
	"hash/adler32"
)

// inflateStored decodes the zlib stream at the start of z if it is one
// that writeStored writes: a zlib header (RFC 1950 §2.2, no preset
// dictionary), stored deflate blocks only (RFC 1951 §3.2.4: a header byte
// of type 00, LEN and its one's complement NLEN, LEN bytes), and the
// Adler-32 of the content, which must be exactly size bytes. It returns the
// content (in buf if it has room for size bytes) and how many bytes of z
// the stream took.
//
// ok is false for any other input, valid or not: a stream with a
// compressed block, a LEN that NLEN does not match, a block or checksum cut
// off, more or fewer bytes than size, a wrong checksum. The caller then
// inflates z with compress/zlib, which takes any stream and says what is
// wrong with a bad one, so this is only a fast path: where it says ok, it
// returns what compress/zlib returns (FuzzInflateStored checks it).
// Every tree, commit and small blob of a ledger is stored this way
// (storedBlob), and decoding them here rather than through compress/flate
// costs a copy and a checksum: see BenchmarkInflate.
func inflateStored(z []byte, size int64, buf []byte) (data []byte, used int, ok bool) {
	if len(z) < 2+5 || !zlibHeaderOK(z[0], z[1]) || z[2]&0b110 != 0 {
		return nil, 0, false // the first block is not stored: nothing allocated
	}
	if size > int64(len(z)) {
		return nil, 0, false // stored bytes cannot take fewer bytes than their content
	}
	if int64(cap(buf)) >= size {
		data = buf[:0]
	} else {
		data = make([]byte, 0, size)
	}
	p := 2
	for {
		if len(z)-p < 5 {
			return nil, 0, false
		}
		hdr := z[p]
		n := binary.LittleEndian.Uint16(z[p+1:])
		if hdr&0b110 != 0 || binary.LittleEndian.Uint16(z[p+3:]) != ^n {
			return nil, 0, false
		}
		p += 5
		if len(z)-p < int(n) || int64(len(data))+int64(n) > size {
			return nil, 0, false
		}
		data = append(data, z[p:p+int(n)]...)
		p += int(n)
		if hdr&1 != 0 { // BFINAL; the header byte's other 5 bits are padding, ignored as compress/flate does
			break
		}
	}
	if int64(len(data)) != size || len(z)-p < 4 || binary.BigEndian.Uint32(z[p:]) != adler32.Checksum(data) {
		return nil, 0, false
	}
	return data, p + 4, true
}

// zlibHeaderOK reports whether CMF and FLG start a zlib stream that
// compress/zlib reads without a dictionary: method 8 (deflate), a window
// of at most 32 KiB, no preset dictionary, and a check that makes the two
// bytes, as a big-endian number, a multiple of 31 (RFC 1950 §2.2).
func zlibHeaderOK(cmf, flg byte) bool {
	return cmf&0x0f == 8 && cmf>>4 <= 7 && flg&0x20 == 0 && (uint(cmf)<<8|uint(flg))%31 == 0
}
