package textform

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Changes is a set of normalisation steps that altered a text's bytes.
type Changes uint8

// The Changes a step may report. Names (for JSON) and descriptions (for
// people) are fixed: docs/TEXT.md §2.2 lists them.
const (
	// ByteOrderMark: a leading U+FEFF was removed (step 1).
	ByteOrderMark Changes = 1 << iota
	// LineEndingsCRLF: CR LF pairs became LF (step 2).
	LineEndingsCRLF
	// LineEndingsCR: lone CRs became LF (step 2).
	LineEndingsCR
	// NFC: the text was not in NFC, e.g. decomposed (NFD) accents (step 3).
	NFC
	// TrailingSpace: spaces or tabs at the end of a line were removed (step 4).
	TrailingSpace
	// TrailingBlankLines: blank lines at the end were removed (step 5).
	TrailingBlankLines
	// FinalNewline: a final line ending was added (step 5).
	FinalNewline
)

var changeNames = []struct {
	c           Changes
	name, words string
}{
	{ByteOrderMark, "bom", "byte-order mark removed"},
	{LineEndingsCRLF, "crlf", "line endings CRLF→LF"},
	{LineEndingsCR, "cr", "line endings CR→LF"},
	{NFC, "nfc", "Unicode NFD→NFC"},
	{TrailingSpace, "trailing-space", "trailing spaces removed"},
	{TrailingBlankLines, "trailing-blank-lines", "trailing blank lines removed"},
	{FinalNewline, "final-newline", "final newline added"},
}

// Names returns the stable machine names of the changes in c, in the order
// of the steps ("bom", "crlf", "cr", "nfc", "trailing-space",
// "trailing-blank-lines", "final-newline").
func (c Changes) Names() []string {
	names := []string{}
	for _, n := range changeNames {
		if c&n.c != 0 {
			names = append(names, n.name)
		}
	}
	return names
}

// Descriptions returns the changes in c in words a reader understands, in
// the order of the steps, e.g. "line endings CRLF→LF".
func (c Changes) Descriptions() []string {
	var out []string
	for _, n := range changeNames {
		if c&n.c != 0 {
			out = append(out, n.words)
		}
	}
	return out
}

// String joins the descriptions with ", "; "no changes" for none.
func (c Changes) String() string {
	if c == 0 {
		return "no changes"
	}
	return strings.Join(c.Descriptions(), ", ")
}

// MarshalJSON encodes c as a JSON array of its names.
func (c Changes) MarshalJSON() ([]byte, error) {
	return json.Marshal(c.Names())
}

// UnmarshalJSON decodes a JSON array of names; an unknown or repeated name
// is an error.
func (c *Changes) UnmarshalJSON(b []byte) error {
	var names []string
	if err := json.Unmarshal(b, &names); err != nil {
		return fmt.Errorf("text changes: %w", err)
	}
	var out Changes
	for _, name := range names {
		v, ok := changeByName(name)
		if !ok || out&v != 0 {
			return fmt.Errorf("text changes: unknown or repeated name %q", name)
		}
		out |= v
	}
	*c = out
	return nil
}

func changeByName(name string) (Changes, bool) {
	for _, n := range changeNames {
		if n.name == name {
			return n.c, true
		}
	}
	return 0, false
}
