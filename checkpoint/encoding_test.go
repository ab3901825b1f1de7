package checkpoint

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// alterLastSig rewrites the base64 of the note's last signature line with
// edit.
func alterLastSig(t *testing.T, raw []byte, edit func(b64 string) string) []byte {
	t.Helper()
	s := strings.TrimSuffix(string(raw), "\n")
	i := strings.LastIndex(s, " ")
	out := s[:i+1] + edit(s[i+1:]) + "\n"
	if out == string(raw) {
		t.Fatalf("edit left the note unchanged")
	}
	return []byte(out)
}

// setPaddingBit sets the lowest bit of the last base64 character before the
// padding: a padding bit, which lenient decoders ignore.
func setPaddingBit(b64 string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	j := len(strings.TrimRight(b64, "=")) - 1
	if j == len(b64)-1 {
		panic("no padding in " + b64)
	}
	c := alphabet[strings.IndexByte(alphabet, b64[j])|1]
	if c == b64[j] {
		c = alphabet[strings.IndexByte(alphabet, b64[j])^2] // the bit was set: flip another padding bit
	}
	return b64[:j] + string(c) + b64[j+1:]
}

var base64Edits = map[string]func(string) string{
	"non-zero padding bits": setPaddingBit,
	"carriage return":       func(s string) string { return s[:8] + "\r" + s[8:] },
	"newline-free but unpadded": func(s string) string {
		return strings.TrimRight(s, "=")
	},
	"URL alphabet": func(s string) string {
		b, _ := base64.StdEncoding.DecodeString(s)
		return base64.URLEncoding.EncodeToString(append(b[:len(b)-3:len(b)-3], 0xfb, 0xff, 0xbf))
	},
}

// TestSignatureBase64Canonical: a checkpoint whose signature is the same
// signature in another base64 spelling is refused by every parser, so a
// checkpoint's bytes cannot change without the key.
func TestSignatureBase64Canonical(t *testing.T) {
	key := newSeedKey(t, 1)
	raw, err := Sign(origin, 3, sha256.Sum256([]byte("r")), testEntries, key)
	if err != nil {
		t.Fatal(err)
	}
	for name, edit := range base64Edits {
		bad := alterLastSig(t, raw, edit)
		if _, err := Parse(bad, origin, key.Public()); err == nil {
			t.Errorf("%s: Parse accepted %q", name, bad)
		}
		if _, err := ParseChained(bad, origin, key.Public()); err == nil {
			t.Errorf("%s: ParseChained accepted %q", name, bad)
		}
		if _, err := ParseCosigned(bad, origin, key.Public()); err == nil {
			t.Errorf("%s: ParseCosigned accepted %q", name, bad)
		}
	}
	// The padding-bit variant is the same signature: the note library
	// verifies it, which is why the check is needed.
	if _, err := open(alterLastSig(t, raw, setPaddingBit), origin, newNoteKey(origin, key.Public()), true); err == nil {
		t.Errorf("open accepted non-zero padding bits")
	}
}

// TestCosignatureBase64Canonical: likewise for a witness cosignature.
func TestCosignatureBase64Canonical(t *testing.T) {
	ledgerKey := newSeedKey(t, 1)
	raw, _ := Sign(origin, 9, sha256.Sum256([]byte("r")), testEntries, ledgerKey)
	cp, err := ParseCosigned(raw, origin, ledgerKey.Public())
	if err != nil {
		t.Fatal(err)
	}
	w := witnessKey(t)
	wit := Witness{Name: WitnessName(w.Public()), Key: w.Public()}
	cosigned, err := Cosign(cp, wit.Name, w)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Cosigners(cosigned, origin, ledgerKey.Public(), []Witness{wit}); err != nil || len(got) != 1 {
		t.Fatalf("Cosigners(honest) = %v, %v", got, err)
	}
	for name, edit := range base64Edits {
		bad := alterLastSig(t, cosigned, edit)
		if got, err := Cosigners(bad, origin, ledgerKey.Public(), []Witness{wit}); err == nil {
			t.Errorf("%s: Cosigners accepted the cosignature (%v): %q", name, got, bad)
		}
		if _, err := ParseCosigned(bad, origin, ledgerKey.Public()); err == nil {
			t.Errorf("%s: ParseCosigned accepted %q", name, bad)
		}
	}
}

// TestBodyCanonical: the root line is canonical base64 and the entries line
// lowercase hex; any other spelling of the same values is refused.
func TestBodyCanonical(t *testing.T) {
	key := newSeedKey(t, 1)
	root := sha256.Sum256([]byte("r"))
	raw, _ := Sign(origin, 3, root, testEntries, key)
	rootB64 := base64.StdEncoding.EncodeToString(root[:])
	entriesHex := "deadbeef00000000000000000000000000000001"
	for name, body := range map[string]string{
		"root with padding bits": origin + "\n3\n" + setPaddingBit(rootB64) + "\nentries " + entriesHex + "\n",
		"uppercase entries":      origin + "\n3\n" + rootB64 + "\nentries " + strings.ToUpper(entriesHex) + "\n",
	} {
		// Sign the altered body properly: only the encoding is wrong.
		bad, err := signText(body, key)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(bad, origin, key.Public()); err == nil {
			t.Errorf("%s: Parse accepted %q", name, bad)
		}
	}
	if !strings.Contains(string(raw), "entries "+entriesHex+"\n") {
		t.Fatalf("test entries ID is not %s: %s", entriesHex, raw)
	}
}

// signText signs an arbitrary note text with the ledger key, as Sign does
// for a canonical body.
func signText(text string, priv Signer) ([]byte, error) {
	k := newNoteKey(origin, priv.Public())
	k.priv = priv
	return note.Sign(&note.Note{Text: text}, k)
}
