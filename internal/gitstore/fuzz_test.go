package gitstore

import (
	"bufio"
	"bytes"
	"testing"
)

// Fuzz tests for every parser of untrusted repository bytes: git trees and
// commits as verbatim reads them, and pack entry headers (packs, deltas and
// loose objects: packread_test.go).

func FuzzDecodeTree(f *testing.F) {
	f.Add(EncodeTree(Tree{{Mode: ModeFile, Name: "checkpoint"}, {Mode: ModeDir, Name: "entries"}}))
	f.Add([]byte("100644 a\x00012345678901234567890"))
	f.Add([]byte("40000 \x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := DecodeTree(data)
		if err != nil {
			return
		}
		if got := EncodeTree(tr); !bytes.Equal(got, data) {
			t.Fatalf("EncodeTree(DecodeTree(%q)) = %q", data, got)
		}
		for i := 1; i < len(tr); i++ {
			if !Less(tr[i-1], tr[i]) {
				t.Fatalf("DecodeTree accepted entries out of git order: %q, %q", tr[i-1].Name, tr[i].Name)
			}
		}
	})
}

func FuzzParseCommitHeader(f *testing.F) {
	f.Add([]byte("tree 36083cfbf0ad50721ec779595f8737b75105764a\nparent 086a00fa0d0c4735f0b4c0c028cf9af6d109080d\nauthor x\n\nmsg\n"))
	f.Add([]byte("tree \n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCommitHeader(data)
		if err == nil && c.Tree.IsZero() {
			t.Fatalf("ParseCommitHeader(%q) accepted a commit without a tree", data)
		}
	})
}

func FuzzReadObjectHeader(f *testing.F) {
	f.Add([]byte{0x35})
	f.Add([]byte{0x95, 0x0a})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		typ, size, err := readObjectHeader(bufio.NewReader(bytes.NewReader(data)))
		if err == nil && (size < 0 || typ > 7) {
			t.Fatalf("readObjectHeader(%x) = %v, %d", data, typ, size)
		}
	})
}
