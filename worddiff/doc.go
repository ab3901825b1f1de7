// Package worddiff compares two texts word by word and renders the result
// for people (with the first text's line numbers, whole or as a compact
// context) and for machines (a JSON-able list of chunks). See docs/TEXT.md §7.
//
// The texts are split into tokens by package words (words, runs of white
// space, single other characters) and compared with Myers' O(ND) algorithm,
// so a change is always reported as whole words: "30,000" changed to "3,000"
// is one deleted and one inserted word. Each maximal run of changes is one
// Delete chunk followed by one Insert chunk (either may be absent), and white
// space that separates two changes is absorbed into them, so "the cat" →
// "a dog" reads as one replacement. Concatenating the Equal and Delete chunks
// gives the first text back exactly, the Equal and Insert chunks the second
// (A and B); the fuzz test checks this.
//
// Cost is bounded. Texts over MaxBytes are refused (ErrTooLarge). After the
// common beginning and end are set aside, a middle of more than MaxTokens
// tokens, or one needing more than MaxEdits token edits, is compared line by
// line instead (Diff.Granularity says "line"); if the lines too need more
// than MaxEdits edits, Compare returns ErrTooDifferent. So the work is at
// most about (MaxTokens · 2) · MaxEdits steps and memory about MaxEdits²
// integers.
//
// Output never reorders or wraps text: right-to-left scripts are written in
// logical order, as they are in the file, with no bidi control characters
// added, and the markers are ASCII.
package worddiff
