package records

import (
	"fmt"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

const (
	maxDocIDBytes = 256 // a document id's length limit in bytes (UTF-8)
	maxDocIDChars = 128 // and in characters (code points)
	maxLedgerName = 255
)

// CheckDocID reports whether id is a valid document id of the current format
// (FORMAT.md §3.5): valid UTF-8 in Unicode Normalization Form C, 1 to 128
// code points and at most 256 bytes, made of lower-case letters (general
// category L*), combining marks (M*), decimal digits (Nd), '.', '_' and '-',
// starting with a letter or digit, and without "..". A letter is lower case
// when unicode.ToLower leaves it unchanged.
//
// Everything else is refused, in particular format characters (Cf: bidi
// controls such as U+202E RIGHT-TO-LEFT OVERRIDE, zero-width joiners) and
// spaces: they would let two ids that look the same on screen name
// different documents, or make an id display as something it is not.
// Letters of different scripts that look alike (Latin "a", Cyrillic "а") are
// distinct ids; verbatim compares code points.
func CheckDocID(id string) error {
	if id == "" {
		return fmt.Errorf("document id is empty")
	}
	if !utf8.ValidString(id) {
		return fmt.Errorf("document id %q is not valid UTF-8", id)
	}
	if n := utf8.RuneCountInString(id); n > maxDocIDChars || len(id) > maxDocIDBytes {
		return fmt.Errorf("document id %q is %d characters (%d bytes); the limit is %d characters and %d bytes", id, n, len(id), maxDocIDChars, maxDocIDBytes)
	}
	if first, _ := utf8.DecodeRuneInString(id); !unicode.IsLetter(first) && !unicode.Is(unicode.Nd, first) {
		return fmt.Errorf("document id %q must start with a letter or digit", id)
	}
	if strings.Contains(id, "..") {
		return fmt.Errorf("document id %q contains \"..\"", id)
	}
	for _, r := range id {
		if !idRune(r) {
			return fmt.Errorf("document id %q contains %q (%U); use only letters, digits, combining marks, '.', '_' and '-'", id, r, r)
		}
		if unicode.ToLower(r) != r {
			return fmt.Errorf("document id %q contains the upper-case %q; ids are lower case", id, r)
		}
	}
	if !norm.NFC.IsNormalString(id) {
		return fmt.Errorf("document id %q is not in Unicode normalization form NFC", id)
	}
	return nil
}

// CheckDocIDIn reports whether id is a valid document id in a ledger of the
// given format (the genesis "format" field). Format v2 ids are ASCII only:
// a-z, 0-9, '.', '_' and '-' (FORMAT.md §3.5); v3 ids are those CheckDocID
// accepts. An unknown format is an error.
func CheckDocIDIn(format, id string) error {
	if err := CheckDocID(id); err != nil {
		return err
	}
	switch format {
	case FormatVersion, FormatV3:
		return nil
	case FormatV2:
		for _, r := range id {
			if r >= utf8.RuneSelf {
				return fmt.Errorf("document id %q contains %q (%U), but this ledger is format %s, whose ids use only a-z, 0-9, '.', '_' and '-'", id, r, r, FormatV2)
			}
		}
		return nil
	}
	return fmt.Errorf("ledger format %q is not one this version of verbatim reads", format)
}

// idRune reports whether r may appear in a document id.
func idRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.Is(unicode.Nd, r) || r == '.' || r == '_' || r == '-'
}

// DocIDFromPath derives a document id from a file name (FORMAT.md §3.5): the
// base name without its last extension, normalised to NFC, lower-cased
// (unicode.ToLower per code point) and normalised to NFC again; every run of
// characters that may not appear in an id becomes one '-'; ".." becomes
// "."; leading characters other than letters and digits and trailing '-',
// '.' and '_' are removed; an id longer than 128 characters or 256 bytes is
// cut at the last normalization boundary within both limits. A name that is
// not valid UTF-8, or leaves nothing, is an error that suggests --doc.
//
// The derivation is idempotent: the id of "ID.txt" is ID.
func DocIDFromPath(path string) (string, error) {
	base := filepath.Base(path)
	name := strings.TrimSuffix(base, filepath.Ext(base))
	if !utf8.ValidString(name) {
		return "", fmt.Errorf("cannot derive a document id from %q: the name is not valid UTF-8; give one with --doc", base)
	}
	id := foldID(norm.NFC.String(strings.ToLower(norm.NFC.String(name))))
	id = truncateID(id)
	if err := CheckDocID(id); err != nil {
		return "", fmt.Errorf("cannot derive a document id from %q: no letters or digits are left; give one with --doc", base)
	}
	return id, nil
}

// foldID maps every run of characters that may not appear in an id to one
// '-', collapses "..", and trims the ends.
func foldID(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		switch {
		case idRune(r) && r != '-':
			b.WriteRune(r)
			dash = false
		case !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	id := b.String()
	for strings.Contains(id, "..") {
		id = strings.ReplaceAll(id, "..", ".")
	}
	id = strings.TrimLeftFunc(id, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.Is(unicode.Nd, r) })
	return strings.TrimRight(id, "-._")
}

// truncateID cuts id to the length limits at a normalization boundary, so a
// letter keeps its combining marks or loses them all.
func truncateID(id string) string {
	if len(id) <= maxDocIDBytes && utf8.RuneCountInString(id) <= maxDocIDChars {
		return id
	}
	cut, chars := 0, 0
	var it norm.Iter
	it.InitString(norm.NFC, id)
	for !it.Done() {
		seg := it.Next()
		n := utf8.RuneCount(seg)
		if cut+len(seg) > maxDocIDBytes || chars+n > maxDocIDChars {
			break
		}
		cut, chars = cut+len(seg), chars+n
	}
	return strings.TrimRight(id[:cut], "-._")
}

// CheckLedgerName reports whether name is a valid ledger name. The name is
// the origin line of the ledger's checkpoints (C2SP tlog-checkpoint), so it is
// 1 to 255 characters from A-Z, a-z, 0-9 and ".-_:/", starting with a letter or
// digit; a domain-like name ("archive.example.org/letters") is recommended.
func CheckLedgerName(name string) error {
	if name == "" || len(name) > maxLedgerName {
		return fmt.Errorf("ledger name must be 1 to %d characters", maxLedgerName)
	}
	if !isAlnum(toLower(name[0])) {
		return fmt.Errorf("ledger name %q must start with a letter or digit", name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isAlnum(toLower(c)) && !strings.ContainsRune(".-_:/", rune(c)) {
			return fmt.Errorf("ledger name %q contains %q; use only letters, digits and \".-_:/\"", name, rune(c))
		}
	}
	return nil
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func toLower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
