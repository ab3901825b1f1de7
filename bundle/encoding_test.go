package bundle_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/verbatim-ledger/verbatim/bundle"
	"github.com/verbatim-ledger/verbatim/keys"
)

// setPaddingBit sets the lowest bit of the last base64 character before
// the padding "=": a padding bit, which lenient decoders ignore.
func setPaddingBit(t *testing.T, b64 string) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	j := len(strings.TrimRight(b64, "=")) - 1
	if j == len(b64)-1 {
		t.Fatalf("no padding in %q", b64)
	}
	i := strings.IndexByte(alphabet, b64[j])
	return b64[:j] + string(alphabet[i^1]) + b64[j+1:]
}

// TestCanonicalEncodings: a bundle holding the same bytes in another
// base64 or PEM spelling is refused (FORMAT.md §3.1), by Parse or Verify.
func TestCanonicalEncodings(t *testing.T) {
	good, err := os.ReadFile("testdata/bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := os.ReadFile("testdata/document.txt")
	fp, _ := os.ReadFile("testdata/fingerprint.txt")
	trust := keys.Fingerprint(strings.TrimSpace(string(fp)))
	if b, err := bundle.Parse(good); err != nil {
		t.Fatal(err)
	} else if _, err := b.Verify(doc, trust); err != nil {
		t.Fatal(err)
	}
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	hashes := func(m map[string]any) []any { return m["inclusion"].(map[string]any)["hashes"].([]any) }
	cases := map[string][]byte{
		"envelope with a line break": edit(func(m map[string]any) { e := m["envelope"].(string); m["envelope"] = e[:76] + "\n" + e[76:] }),
		"inclusion hash with padding bits": edit(func(m map[string]any) {
			h := hashes(m)
			h[0] = setPaddingBit(t, h[0].(string))
		}),
		"inclusion hash with CR": edit(func(m map[string]any) { h := hashes(m); s := h[0].(string); h[0] = s[:4] + "\r" + s[4:] }),
		"publicKey PEM with short lines": edit(func(m map[string]any) {
			k := m["publicKey"].(string)
			lines := strings.Split(k, "\n")
			m["publicKey"] = lines[0] + "\n" + lines[1][:32] + "\n" + lines[1][32:] + "\n" + strings.Join(lines[2:], "\n")
		}),
		"publicKey PEM with padding bits": edit(func(m map[string]any) {
			lines := strings.Split(m["publicKey"].(string), "\n")
			lines[len(lines)-3] = setPaddingBit(t, lines[len(lines)-3])
			m["publicKey"] = strings.Join(lines, "\n")
		}),
		"checkpoint signature with padding bits": edit(func(m map[string]any) {
			cp := strings.TrimSuffix(m["checkpoint"].(string), "\n")
			i := strings.LastIndex(cp, " ")
			m["checkpoint"] = cp[:i+1] + setPaddingBit(t, cp[i+1:]) + "\n"
		}),
	}
	var probe map[string]any
	json.Unmarshal(good, &probe)
	if strings.HasSuffix(probe["envelope"].(string), "=") {
		cases["envelope with padding bits"] = edit(func(m map[string]any) { m["envelope"] = setPaddingBit(t, m["envelope"].(string)) })
	}
	for name, data := range cases {
		b, err := bundle.Parse(data)
		if err == nil {
			_, err = b.Verify(doc, trust)
		}
		if !errors.Is(err, bundle.ErrMalformed) && !errors.Is(err, bundle.ErrFailed) {
			t.Errorf("%s: Parse and Verify = %v, want a refusal", name, err)
		}
	}
}
