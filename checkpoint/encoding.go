package checkpoint

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/verbatim-ledger/verbatim/records"
)

// checkSignatureLines refuses a note whose signature lines are not in the one
// canonical encoding (FORMAT.md §5): strict standard base64 with padding,
// zero padding bits and nothing else in it. The signed-note parser decodes
// base64 leniently (non-zero padding bits, carriage returns), so without
// this check anyone could change a checkpoint's bytes, and so its hash,
// without the key.
func checkSignatureLines(data []byte) error {
	i := bytes.LastIndex(data, []byte("\n\n"))
	if i < 0 {
		return nil // not a note: the note parser says so
	}
	for _, line := range strings.SplitAfter(string(data[i+2:]), "\n") {
		if line == "" {
			continue
		}
		rest, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "\u2014 ")
		if !ok {
			continue // malformed: the note parser says so
		}
		name, b64, _ := strings.Cut(rest, " ")
		if _, err := records.DecodeBase64(b64); err != nil {
			return fmt.Errorf("checkpoint signature line of %q is not canonical base64 (standard alphabet, padded, zero padding bits): the checkpoint was altered", name)
		}
	}
	return nil
}
