package worddiff

import (
	"errors"
	"fmt"
	"strings"

	"github.com/verbatim-ledger/verbatim/words"
)

// Limits on the work Compare does (see the package documentation).
const (
	MaxBytes  = 16 << 20
	MaxTokens = 200_000
	MaxEdits  = 2000
)

var (
	// ErrTooLarge is returned for a text of more than MaxBytes.
	ErrTooLarge = errors.New("text too large to diff")
	// ErrTooDifferent is returned when even the line diff needs more than
	// MaxEdits edits.
	ErrTooDifferent = errors.New("texts differ too much to diff")
)

// Op is what a chunk does.
type Op string

// The chunk operations.
const (
	Equal  Op = "equal"
	Delete Op = "delete"
	Insert Op = "insert"
)

// Chunk is a run of text that is in both texts (Equal), only in the first
// (Delete) or only in the second (Insert). Line is the 1-based line of the
// first text where the chunk starts; for an Insert, where it is inserted.
type Chunk struct {
	Op   Op     `json:"op"`
	Text string `json:"text"`
	Line int    `json:"line"`
}

// Diff is the comparison of a first text A (the registered version) with a
// second text B.
type Diff struct {
	Granularity string  `json:"granularity"` // "word" or "line"
	Chunks      []Chunk `json:"chunks"`
}

// Compare returns the word-level diff of a and b, or a line-level one when
// the word diff would cost too much, or ErrTooLarge or ErrTooDifferent. It
// compares the bytes as given: callers pass normalised forms (package
// textform) so that line endings and the like do not show as changes.
func Compare(a, b string) (*Diff, error) {
	if len(a) > MaxBytes || len(b) > MaxBytes {
		return nil, fmt.Errorf("%w: %d and %d bytes, limit %d", ErrTooLarge, len(a), len(b), MaxBytes)
	}
	ta, tb := tokens(a), tokens(b)
	if d, ok := compareTokens(ta, tb); ok {
		return &Diff{"word", chunks(d)}, nil
	}
	if d, ok := compareTokens(lines(a), lines(b)); ok {
		return &Diff{"line", chunks(d)}, nil
	}
	return nil, fmt.Errorf("%w: more than %d lines changed", ErrTooDifferent, MaxEdits)
}

func tokens(s string) []string {
	toks := words.Split(s)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = s[t.Start:t.End]
	}
	return out
}

// lines splits s after each LF.
func lines(s string) []string {
	return strings.SplitAfter(s, "\n")
}

// edit is one token of the result.
type edit struct {
	op  Op
	tok string
}

// compareTokens diffs a and b with their common ends set aside; ok is false
// when the middle is over MaxTokens or needs over MaxEdits edits.
func compareTokens(a, b []string) ([]edit, bool) {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if len(ma) > MaxTokens || len(mb) > MaxTokens {
		return nil, false
	}
	mid, ok := myers(ma, mb)
	if !ok {
		return nil, false
	}
	out := make([]edit, 0, pre+len(mid)+suf)
	for _, t := range a[:pre] {
		out = append(out, edit{Equal, t})
	}
	out = append(out, mid...)
	for _, t := range a[len(a)-suf:] {
		out = append(out, edit{Equal, t})
	}
	return out, true
}
