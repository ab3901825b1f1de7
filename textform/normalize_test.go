package textform

import (
	"bytes"
	"errors"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
		changes        Changes
	}{
		{"empty", "", "", 0},
		{"already normal", "a\nb\n", "a\nb\n", 0},
		{"final newline added", "a", "a\n", FinalNewline},
		{"bom", "\uFEFFa\n", "a\n", ByteOrderMark},
		{"repeated bom", "\uFEFF\uFEFFa\n", "a\n", ByteOrderMark},
		{"interior bom kept", "a\uFEFFb\n", "a\uFEFFb\n", 0},
		{"crlf", "a\r\nb\r\n", "a\nb\n", LineEndingsCRLF},
		{"lone cr", "a\rb\r", "a\nb\n", LineEndingsCR},
		{"mixed endings", "a\r\nb\rc\n", "a\nb\nc\n", LineEndingsCRLF | LineEndingsCR},
		{"cr cr lf is two lines", "a\r\r\nb\n", "a\n\nb\n", LineEndingsCRLF | LineEndingsCR},
		{"nfd latin", "Cafe\u0301\n", "Caf\u00e9\n", NFC},
		{"nfd persian alef madda", "\u0627\u0653\u0632\u0627\u062f\u06cc\n", "\u0622\u0632\u0627\u062f\u06cc\n", NFC},
		{"trailing spaces and tabs", "a \t \nb\t\n", "a\nb\n", TrailingSpace},
		{"leading spaces kept", "  a\n", "  a\n", 0},
		{"nbsp kept", "a\u00a0\n", "a\u00a0\n", 0},
		{"whitespace-only lines", "a\n   \n\t\nb\n", "a\n\n\nb\n", TrailingSpace},
		{"trailing blank lines", "a\n\n\n", "a\n", TrailingBlankLines},
		{"trailing whitespace lines", "a\n \n\t\n", "a\n", TrailingSpace | TrailingBlankLines},
		{"leading blank lines kept", "\n\na\n", "\n\na\n", 0},
		{"only newlines", "\n\n", "", TrailingBlankLines},
		{"only spaces", "   ", "", TrailingSpace},
		{"only bom", "\uFEFF", "", ByteOrderMark},
		{"space then crlf", "a \r\n", "a\n", LineEndingsCRLF | TrailingSpace},
		{"no newline, trailing space", "a  ", "a\n", TrailingSpace | FinalNewline},
		{"everything", "\uFEFFe\u0301 \r\n\r\n", "\u00e9\n", ByteOrderMark | LineEndingsCRLF | NFC | TrailingSpace | TrailingBlankLines},
	}
	for _, tt := range tests {
		got, changes, err := Normalize([]byte(tt.in))
		if err != nil || string(got) != tt.want || changes != tt.changes {
			t.Errorf("%s: Normalize(%q) = %q, %v, %v; want %q, %v, nil", tt.name, tt.in, got, changes, err, tt.want, tt.changes)
		}
	}
}

func TestNormalizeInvalidUTF8(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"\xff", "byte 0: not valid UTF-8 text"},
		{"abc\xc3", "byte 3: not valid UTF-8 text"},
		{"a\xed\xa0\x80b", "byte 1: not valid UTF-8 text"}, // a UTF-16 surrogate
		{"caf\xe9\n", "byte 3: not valid UTF-8 text"},      // Latin-1
	}
	for _, tt := range tests {
		got, _, err := Normalize([]byte(tt.in))
		if !errors.Is(err, ErrNotUTF8) || err.Error() != tt.want || got != nil {
			t.Errorf("Normalize(%q) = %q, %v; want nil, %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNormalizeDoesNotModifyInput(t *testing.T) {
	in := []byte("a \r\nb\t\n\n")
	orig := bytes.Clone(in)
	if _, _, err := Normalize(in); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(in, orig) {
		t.Errorf("Normalize changed its input to %q", in)
	}
}

func TestChangesWords(t *testing.T) {
	c := LineEndingsCRLF | NFC
	if got, want := c.String(), "line endings CRLF→LF, Unicode NFD→NFC"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	b, err := c.MarshalJSON()
	if err != nil || string(b) != `["crlf","nfc"]` {
		t.Errorf("MarshalJSON() = %s, %v", b, err)
	}
	var back Changes
	if err := back.UnmarshalJSON(b); err != nil || back != c {
		t.Errorf("UnmarshalJSON(%s) = %v, %v", b, back, err)
	}
	for _, bad := range []string{`["nope"]`, `["crlf","crlf"]`, `"crlf"`} {
		if err := back.UnmarshalJSON([]byte(bad)); err == nil {
			t.Errorf("UnmarshalJSON(%s) succeeded", bad)
		}
	}
	if got := Changes(0).String(); got != "no changes" {
		t.Errorf("Changes(0).String() = %q", got)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "a", "\uFEFF\uFEFFa \r\n\r\n", "e\u0301\r", "\u0627\u0653 \t\n\n", "\xff", " \n\u0301"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		once, _, err := Normalize(b)
		if err != nil {
			if !errors.Is(err, ErrNotUTF8) {
				t.Fatalf("Normalize(%q): unexpected error %v", b, err)
			}
			return
		}
		twice, changes, err := Normalize(once)
		if err != nil || !bytes.Equal(once, twice) || changes != 0 {
			t.Fatalf("Normalize not idempotent on %q: %q -> %q, %v, %v", b, once, twice, changes, err)
		}
		if (len(once) == 0) != (len(bytes.Trim(once, "\n")) == 0) || (len(once) > 0 && !bytes.HasSuffix(once, []byte("\n"))) {
			t.Fatalf("Normalize(%q) = %q: bad ending", b, once)
		}
	})
}
