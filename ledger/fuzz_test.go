package ledger

import (
	"bufio"
	"bytes"
	"testing"
)

// Fuzz tests for every parser of untrusted ledger bytes: git trees and
// commits as verbatim reads them, pack entry headers, and checkpoints.

func FuzzDecodeTree(f *testing.F) {
	f.Add(encodeTree(tree{{mode: modeFile, name: checkpointFile}, {mode: modeDir, name: entriesDir}}))
	f.Add([]byte("100644 a\x00012345678901234567890"))
	f.Add([]byte("40000 \x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := decodeTree(data)
		if err != nil {
			return
		}
		if got := encodeTree(tr); !bytes.Equal(got, data) {
			t.Fatalf("encodeTree(decodeTree(%q)) = %q", data, got)
		}
		for i := 1; i < len(tr); i++ {
			if !gitLess(tr[i-1], tr[i]) {
				t.Fatalf("decodeTree accepted entries out of git order: %q, %q", tr[i-1].name, tr[i].name)
			}
		}
	})
}

func FuzzParseCommitHeader(f *testing.F) {
	f.Add([]byte("tree 36083cfbf0ad50721ec779595f8737b75105764a\nparent 086a00fa0d0c4735f0b4c0c028cf9af6d109080d\nauthor x\n\nmsg\n"))
	f.Add([]byte("tree \n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseCommitHeader(data)
		if err == nil && c.tree.IsZero() {
			t.Fatalf("parseCommitHeader(%q) accepted a commit without a tree", data)
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
