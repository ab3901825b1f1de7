// Package words splits a text into word, space and other tokens, the unit of
// verbatim's similarity sketch and word-level diff (docs/TEXT.md §3).
//
// A token is one of:
//
//   - Word: a maximal run that starts with a word rune (Unicode general
//     category L, M or Nd, other than an ignorable) and continues with word
//     runes, ignorables, and digit separators that stand between two Nd
//     digits. Ignorables are U+00AD SOFT HYPHEN, U+0640 ARABIC TATWEEL,
//     U+200C ZERO WIDTH NON-JOINER and U+200D ZERO WIDTH JOINER; digit
//     separators are ',' '.' U+066B ARABIC DECIMAL SEPARATOR and U+066C
//     ARABIC THOUSANDS SEPARATOR. So "30,000" and "۳۰٬۰۰۰" are one word each,
//     "1988." is the word "1988" then ".", and the Persian "نامه‌ی" (with a
//     ZWNJ) is one word.
//   - Space: a maximal run of white space (Go's unicode.IsSpace).
//   - Other: any other single rune (punctuation, symbols, controls, an
//     ignorable outside a word, and each byte of invalid UTF-8).
//
// Tokens cover the text exactly: concatenating them gives the text back.
// Character properties are those of Go's unicode package (Unicode 15.0.0 in
// Go 1.26). A word's Key is its runes mapped by the Unicode simple lowercase
// mapping (unicode.ToLower) with ignorables dropped, so "Iran" and "IRAN"
// share a key, as do "نامه‌ی" and "نامهی".
package words

import (
	"unicode"
	"unicode/utf8"
)

// Kind says what a token is.
type Kind uint8

// The token kinds.
const (
	Word Kind = iota
	Space
	Other
)

// Token is the byte range [Start, End) of a text and its kind.
type Token struct {
	Start, End int
	Kind       Kind
}

// IsWordRune reports whether r starts or continues a word.
func IsWordRune(r rune) bool {
	if r < utf8.RuneSelf { // fast path, same result
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return !IsIgnorable(r) && (unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r))
}

// IsIgnorable reports whether r is a format character that continues a word
// but is dropped from its Key.
func IsIgnorable(r rune) bool {
	return r == '\u00AD' || r == '\u0640' || r == '\u200C' || r == '\u200D'
}

func isDigitSeparator(r rune) bool {
	return r == ',' || r == '.' || r == '\u066B' || r == '\u066C'
}

// Next returns the token that starts at byte i of text; i must be less than
// len(text).
func Next(text string, i int) Token {
	r, n := utf8.DecodeRuneInString(text[i:])
	switch {
	case r == utf8.RuneError && n <= 1:
		return Token{i, i + 1, Other}
	case unicode.IsSpace(r):
		return Token{i, spaceEnd(text, i+n), Space}
	case IsWordRune(r):
		return Token{i, wordEnd(text, i+n, r), Word}
	}
	return Token{i, i + n, Other}
}

func spaceEnd(text string, i int) int {
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += n
	}
	return i
}

// wordEnd returns the end of the word whose last rune so far, prev, ends at i.
func wordEnd(text string, i int, prev rune) int {
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case IsWordRune(r) || IsIgnorable(r):
		case isDigitSeparator(r) && unicode.IsDigit(prev) && i+n < len(text):
			next, _ := utf8.DecodeRuneInString(text[i+n:])
			if !unicode.IsDigit(next) {
				return i
			}
		default:
			return i
		}
		prev = r
		i += n
	}
	return i
}

// Split returns the tokens of text in order.
func Split(text string) []Token {
	var toks []Token
	for i := 0; i < len(text); {
		t := Next(text, i)
		toks = append(toks, t)
		i = t.End
	}
	return toks
}

// AppendKey appends the key of word (see the package documentation) to dst.
func AppendKey(dst []byte, word string) []byte {
	for _, r := range word {
		if 'A' <= r && r <= 'Z' { // fast path, same result
			dst = append(dst, byte(r)+'a'-'A')
		} else if r < utf8.RuneSelf {
			dst = append(dst, byte(r))
		} else if !IsIgnorable(r) {
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
	}
	return dst
}
