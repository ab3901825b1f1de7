// Package textform computes the normalised text form of a document and its
// SHA-256, the "text identity" that lets verbatim recognise the same text in
// other bytes (docs/TEXT.md §2).
//
// The normalised form of a byte string b is defined only when b is valid
// UTF-8; otherwise Normalize returns an error wrapping ErrNotUTF8 and there is
// no text form. For valid UTF-8 the steps are, in this order:
//
//  1. Every U+FEFF at the start of the text is removed (a byte-order mark, and
//     any repeated marks left by concatenation; removing all of them keeps the
//     form idempotent). U+FEFF elsewhere is kept.
//  2. Every CR LF pair becomes LF, then every remaining CR becomes LF.
//     No other character (NEL, U+2028, U+2029, VT, FF) is a line ending here.
//  3. The text is put in Unicode Normalization Form C (NFC, UAX #15), with
//     the tables of Unicode 15.0.0 (golang.org/x/text/unicode/norm).
//  4. On every line, the run of U+0020 SPACE and U+0009 TAB characters
//     immediately before the LF (or the end of the text) is removed. No other
//     white space is touched.
//  5. All LF at the end of the text are removed; then, if the text is not
//     empty, exactly one LF is appended. So the form of a non-empty text always
//     ends in exactly one LF, and a text of only white space and line endings
//     has the empty form. Leading and interior blank lines are kept.
//
// The text identity is the lowercase hex SHA-256 of the normalised bytes
// (Sum). Normalize is idempotent: normalising a normalised text returns it
// unchanged with no Changes; the fuzz test checks this.
//
// Changes reports which steps altered the bytes, so that a match on the text
// identity can say why the bytes differ ("line endings CRLF→LF").
package textform
