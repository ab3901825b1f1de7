package gitstore

import (
	"bytes"
	"compress/zlib"
	"io"
	"testing"
)

// TestWriteStored: the stored zlib streams the pack writer makes for small
// objects inflate to their data, with one block or several (a stored block
// holds at most 65,535 bytes), and are 11 bytes longer per block than it.
func TestWriteStored(t *testing.T) {
	for _, n := range []int{0, 1, 300, 0xffff, 0xffff + 1, 3*0xffff + 7} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(i * 7)
		}
		var buf bytes.Buffer
		writeStored(&buf, data)
		blocks := max(1, (n+0xfffe)/0xffff)
		if want := n + 6 + 5*blocks; buf.Len() != want {
			t.Errorf("writeStored(%d bytes) wrote %d bytes, want %d", n, buf.Len(), want)
		}
		zr, err := zlib.NewReader(&buf)
		if err != nil {
			t.Fatalf("writeStored(%d bytes): %v", n, err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("writeStored(%d bytes) inflates to %d bytes, %v; want the data", n, len(got), err)
		}
	}
}
