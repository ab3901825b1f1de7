package main_test

import (
	"bytes"
	"os"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/text/unicode/norm"
)

// convert FILE OUT crlf|nfd|latin1|oversize writes OUT as FILE with LF
// line endings made CRLF, in Unicode NFD, or with its first 'é' as a
// Latin-1 byte (not UTF-8): the copies a journalist receives (docs/TEXT.md
// §2); or padded to one byte over ledger.MaxDocumentSize.
func cmdConvert(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: convert FILE OUT crlf|nfd|latin1|oversize")
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	switch args[2] {
	case "crlf":
		data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
	case "nfd":
		data = norm.NFD.Bytes(data)
	case "latin1":
		data = bytes.Replace(data, []byte("é"), []byte{0xe9}, 1)
	case "oversize":
		// One byte over the largest document verbatim registers; the file
		// is sparse, so it costs no disk.
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), data, 0o644))
		ts.Check(os.Truncate(ts.MkAbs(args[1]), 64<<20+1))
		return
	default:
		ts.Fatalf("convert: unknown conversion %q", args[2])
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), data, 0o644))
}
