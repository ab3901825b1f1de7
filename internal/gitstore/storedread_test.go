package gitstore

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"strings"
	"testing"
)

// storedStream is data as writeStored writes it.
func storedStream(data []byte) []byte {
	var b bytes.Buffer
	writeStored(&b, data)
	return b.Bytes()
}

// edit returns a copy of b changed by f.
func edit(b []byte, f func([]byte) []byte) []byte {
	return f(append([]byte(nil), b...))
}

// TestInflateStored decodes zlib streams of stored blocks and streams that
// are not, well formed or not: inflateStored takes only the first kind,
// whole and exactly of the size given, and for every other input
// inflateBounded (which falls back to compress/zlib) gives what
// compress/zlib gives: the content or an error.
func TestInflateStored(t *testing.T) {
	small := []byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n")
	big := bytes.Repeat([]byte("0123456789abcdefghij"), 4000) // 80,000 bytes: two stored blocks
	deflated := func(data []byte, level int) []byte {
		var b bytes.Buffer
		zw, _ := zlib.NewWriterLevel(&b, level)
		zw.Write(data)
		zw.Close()
		return b.Bytes()
	}
	s := storedStream(small)
	lenAt := 3 // LEN of the first block: 2 bytes of zlib header, then the block's header byte
	for _, tc := range []struct {
		name   string
		z      []byte
		size   int
		stored bool   // inflateStored takes it
		want   []byte // what inflateBounded returns; nil: an error
	}{
		{"empty", storedStream(nil), 0, true, []byte{}},
		{"one block", s, len(small), true, small},
		{"two blocks", storedStream(big), len(big), true, big},
		{"next object after the stream", append(edit(s, func(b []byte) []byte { return b }), 0x95, 0x0a, 0x78), len(small), true, small},
		{"padding bits of a block header set", edit(s, func(b []byte) []byte { b[2] |= 0xf8; return b }), len(small), true, small},
		{"empty blocks before the last", storedBlocks(nil, nil, small), len(small), true, small},
		{"small blocks", storedBlocks(small[:1], small[1:20], nil, small[20:]), len(small), true, small},
		{"compressed", deflated(big, zlib.BestSpeed), len(big), false, big},
		{"stored by compress/zlib", deflated(small, zlib.NoCompression), len(small), true, small},
		{"stored block, then a compressed one", storedThenFixed(small[:10], small[10:]), len(small), false, small},
		{"LEN not matching NLEN", edit(s, func(b []byte) []byte { b[lenAt]++; return b }), len(small), false, nil},
		{"NLEN not matching LEN", edit(s, func(b []byte) []byte { b[lenAt+2] ^= 0x10; return b }), len(small), false, nil},
		{"LEN past the end", edit(s, func(b []byte) []byte { b[lenAt] += 8; b[lenAt+2] -= 8; return b }), len(small), false, nil},
		{"cut in a block header", s[:5], len(small), false, nil},
		{"cut in the content", s[:len(s)-10], len(small), false, nil},
		{"cut in the checksum", s[:len(s)-2], len(small), false, nil},
		{"no final block", edit(s, func(b []byte) []byte { b[2] = 0; return b })[:len(s)-4], len(small), false, nil},
		{"checksum wrong", edit(s, func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), len(small), false, nil},
		{"content changed", edit(s, func(b []byte) []byte { b[10] ^= 1; return b }), len(small), false, nil},
		{"more content than the size", s, len(small) - 1, false, nil},
		{"less content than the size", s, len(small) + 1, false, nil},
		{"reserved block type", edit(s, func(b []byte) []byte { b[2] |= 0b110; return b }), len(small), false, nil},
		{"preset dictionary", edit(s, func(b []byte) []byte { b[1] = 0x3f; return b }), len(small), false, nil}, // FDICT set; 0x783f is a multiple of 31
		{"header check wrong", edit(s, func(b []byte) []byte { b[1]++; return b }), len(small), false, nil},
		{"not deflate", edit(s, func(b []byte) []byte { b[0] = 0x77; return b }), len(small), false, nil},
		{"too short for a header", []byte{0x78}, 0, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, used, ok := inflateStored(tc.z, int64(tc.size), nil)
			if ok != tc.stored {
				t.Fatalf("inflateStored: ok %v, want %v", ok, tc.stored)
			}
			got, gotUsed, err := inflateBounded(tc.z, int64(tc.size), nil)
			want, wantUsed, wantErr := inflateZlib(tc.z, int64(tc.size), nil)
			if (err == nil) != (wantErr == nil) || !bytes.Equal(got, want) || gotUsed != wantUsed {
				t.Fatalf("inflateBounded = %d bytes, %d used, %v; compress/zlib %d bytes, %d used, %v", len(got), gotUsed, err, len(want), wantUsed, wantErr)
			}
			if tc.want == nil {
				if err == nil {
					t.Fatalf("inflateBounded accepted it: %q", got)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tc.want) {
				t.Fatalf("inflateBounded = %.40q, %v; want %.40q", got, err, tc.want)
			}
			if ok && (!bytes.Equal(data, tc.want) || used != wantUsed) {
				t.Fatalf("inflateStored = %.40q, %d used; want %.40q, %d", data, used, tc.want, wantUsed)
			}
		})
	}
}

// storedBlocks is a zlib stream of one stored block for each chunk.
func storedBlocks(chunks ...[]byte) []byte {
	out := []byte{0x78, 0x01}
	var all []byte
	for i, c := range chunks {
		final := byte(0)
		if i == len(chunks)-1 {
			final = 1
		}
		out = append(out, final, byte(len(c)), byte(len(c)>>8), ^byte(len(c)), ^byte(len(c)>>8))
		out = append(out, c...)
		all = append(all, c...)
	}
	sum := adler32Of(all)
	return append(out, sum[:]...)
}

// storedThenFixed is a zlib stream of a stored block holding a, then a
// final block of b compressed by compress/flate.
func storedThenFixed(a, b []byte) []byte {
	var out bytes.Buffer
	out.Write([]byte{0x78, 0x01, 0, byte(len(a)), 0, ^byte(len(a)), 0xff})
	out.Write(a)
	fw, _ := flate.NewWriter(&out, flate.BestSpeed)
	fw.Write(b)
	fw.Close()
	sum := adler32Of(append(append([]byte(nil), a...), b...))
	out.Write(sum[:])
	return out.Bytes()
}

func adler32Of(data []byte) [4]byte {
	z := storedStream(data)
	return [4]byte(z[len(z)-4:])
}

// TestInflateStoredInto checks the content goes into the buffer the caller
// gives when it has room, and allocates nothing then.
func TestInflateStoredInto(t *testing.T) {
	content := []byte(strings.Repeat("x", 300))
	z := storedStream(content)
	buf := make([]byte, 0, 512)
	var data []byte
	n := allocated(func() { data, _, _ = inflateStored(z, int64(len(content)), buf) })
	if !bytes.Equal(data, content) || &data[0] != &buf[:1][0] {
		t.Fatalf("inflateStored did not decode into the buffer")
	}
	if n != 0 {
		t.Fatalf("inflateStored allocated %d bytes with a buffer that fits", n)
	}
}
