package records

import (
	"fmt"
	"path/filepath"
	"strings"
)

const (
	maxDocID      = 128
	maxLedgerName = 255
)

// CheckDocID reports whether id is a valid document id: 1 to 128 characters
// from a-z, 0-9, '.', '_' and '-', starting with a letter or digit, and
// without "..". The restriction keeps ids safe as file names and in URLs.
func CheckDocID(id string) error {
	if id == "" {
		return fmt.Errorf("document id is empty")
	}
	if len(id) > maxDocID {
		return fmt.Errorf("document id %q is longer than %d characters", id, maxDocID)
	}
	if !isAlnum(id[0]) {
		return fmt.Errorf("document id %q must start with a lowercase letter or digit", id)
	}
	if strings.Contains(id, "..") {
		return fmt.Errorf("document id %q contains \"..\"", id)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !isAlnum(c) && c != '.' && c != '_' && c != '-' {
			return fmt.Errorf("document id %q contains %q; use only a-z, 0-9, '.', '_' and '-'", id, rune(c))
		}
	}
	return nil
}

// DocIDFromPath derives a document id from a file name: the base name
// without its extension, lower-cased, with every run of other characters
// folded to one '-', and leading and trailing '-' removed.
func DocIDFromPath(path string) (string, error) {
	base := filepath.Base(path)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(base) {
		if r < 0x80 && (isAlnum(byte(r)) || r == '.' || r == '_') {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	id := strings.Trim(b.String(), "-._")
	for strings.Contains(id, "..") {
		id = strings.ReplaceAll(id, "..", ".")
	}
	if len(id) > maxDocID {
		id = strings.TrimRight(id[:maxDocID], "-._")
	}
	if err := CheckDocID(id); err != nil {
		return "", fmt.Errorf("cannot derive a document id from %q; give one with --doc", filepath.Base(path))
	}
	return id, nil
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
