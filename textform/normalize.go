package textform

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ErrNotUTF8 is wrapped by the error Normalize returns for bytes that are not
// valid UTF-8: such a document has no text form.
var ErrNotUTF8 = errors.New("not valid UTF-8 text")

// UnicodeVersion is the Unicode edition of the NFC tables used by step 3.
const UnicodeVersion = norm.Version

const bom = "\uFEFF"

// Normalize returns the normalised text form of b (see the package
// documentation) and the Changes that made it differ from b. It never
// modifies b. If b is not valid UTF-8 the error wraps ErrNotUTF8 and names the
// offset of the first invalid byte.
func Normalize(b []byte) (text []byte, changes Changes, err error) {
	if !utf8.Valid(b) {
		return nil, 0, fmt.Errorf("byte %d: %w", invalidOffset(b), ErrNotUTF8)
	}
	for bytes.HasPrefix(b, []byte(bom)) {
		b = b[len(bom):]
		changes |= ByteOrderMark
	}
	t, lc := unifyLineEndings(b)
	changes |= lc
	if !norm.NFC.IsNormal(t) {
		t = norm.NFC.Bytes(t)
		changes |= NFC
	}
	t, sc := stripLines(t)
	return t, changes | sc, nil
}

// Sum returns the text identity of b: the lowercase hex SHA-256 of its
// normalised form, with the Changes Normalize found.
func Sum(b []byte) (sum string, changes Changes, err error) {
	t, changes, err := Normalize(b)
	if err != nil {
		return "", 0, err
	}
	h := sha256.Sum256(t)
	return hex.EncodeToString(h[:]), changes, nil
}

// invalidOffset returns the offset of the first byte of b that does not start
// a valid UTF-8 sequence.
func invalidOffset(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// unifyLineEndings is step 2. It returns a new slice, so later steps may
// write in place.
func unifyLineEndings(b []byte) ([]byte, Changes) {
	var c Changes
	out := make([]byte, 0, len(b)+1)
	for i := 0; i < len(b); i++ {
		if b[i] != '\r' {
			out = append(out, b[i])
			continue
		}
		if i+1 < len(b) && b[i+1] == '\n' {
			c |= LineEndingsCRLF
			i++
		} else {
			c |= LineEndingsCR
		}
		out = append(out, '\n')
	}
	return out, c
}

// stripLines is steps 4 and 5, done in place on t.
func stripLines(t []byte) ([]byte, Changes) {
	var c Changes
	out := t[:0]
	start := 0
	for start <= len(t) {
		end := bytes.IndexByte(t[start:], '\n')
		last := end < 0
		if last {
			end = len(t)
		} else {
			end += start
		}
		line := bytes.TrimRight(t[start:end], " \t")
		if len(line) < end-start {
			c |= TrailingSpace
		}
		out = append(out, line...)
		if !last {
			out = append(out, '\n')
		}
		start = end + 1
	}
	return finalNewline(out, c)
}

// finalNewline is step 5.
func finalNewline(t []byte, c Changes) ([]byte, Changes) {
	trimmed := bytes.TrimRight(t, "\n")
	switch n := len(t) - len(trimmed); {
	case len(trimmed) == 0:
		if n > 0 {
			c |= TrailingBlankLines
		}
		return trimmed, c
	case n == 0:
		c |= FinalNewline
	case n > 1:
		c |= TrailingBlankLines
	}
	return append(trimmed, '\n'), c
}
