// Package sketch computes verbatim's similarity sketch of a text: a MinHash
// over word shingles, small enough to sign in every statement, from which the
// similarity of two texts is estimated without reading either (docs/TEXT.md
// §4). It is specified so that an independent implementation reproduces it
// byte for byte:
//
//  1. The input is the normalised text form (package textform).
//  2. It is split into tokens as package words says; the Word tokens, in
//     order, give the keys k1 … kn (words.AppendKey: simple lowercase,
//     ignorables dropped). Space and Other tokens are not used.
//  3. Shingles are the n−2 runs of W = 3 consecutive keys, each encoded as
//     the UTF-8 keys joined by one U+0020 SPACE. A text of 1 or 2 words has
//     one shingle, all its keys joined; a text of no words has no sketch
//     (ErrNoWords). Repeated shingles count once (a set).
//  4. A shingle's hash h is the first 8 bytes of its SHA-256, read as a
//     big-endian unsigned 64-bit integer.
//  5. For i = 0 … K−1 (K = 128): A_i is the first 8 bytes, big-endian, of
//     SHA-256 of the ASCII string "verbatim/minhash/v1/<i>/a" (i in decimal)
//     with its lowest bit set to 1; B_i likewise from ".../<i>/b". Slot i of
//     the sketch is the minimum over the shingles of the top 32 bits of
//     (A_i·h + B_i) mod 2^64.
//  6. The encoding (String, Parse) is standard base64 with padding of the K
//     slots as 32-bit big-endian values: 512 bytes, 684 characters.
//
// The similarity of two sketches (Similarity) is the fraction of the K slots
// that are equal: an unbiased estimate of the Jaccard similarity of the two
// shingle sets, with a standard error of at most 0.045 (sqrt(0.25/128)).
// Jaccard computes the exact value from two Shingles sets.
package sketch
